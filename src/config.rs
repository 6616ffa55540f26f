//! Configuration: the environment, read once at start into one `Config`.

use std::env;
use std::time::Duration;

use rand::RngCore;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// Connections in the pool.
    pub database_pool_size: u32,
    /// Where to listen.
    pub bind_addr: String,
    /// HMAC key for tokens.
    pub jwt_secret: Vec<u8>,
    /// Whether the key was generated because none was configured.
    pub jwt_secret_generated: bool,
    /// The `iss` claim issued and required.
    pub jwt_issuer: String,
    /// The `aud` claim issued and required.
    pub jwt_audience: String,
    /// Access token lifetime in seconds.
    pub jwt_ttl_seconds: i64,
    /// The first admin's password, if given.
    pub bootstrap_admin_password: Option<String>,
    /// Origins allowed to call the API from a browser.
    pub cors_allowed_origins: Vec<String>,
    /// Log line format.
    pub log_format: LogFormat,
    /// HTTP worker threads (defaults to the number of cores).
    pub workers: Option<usize>,
    /// The longest one request's database work may take.
    pub statement_timeout: Duration,
}

/// The smallest HMAC key accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Config {
    /// Read the configuration from the process environment.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Read the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let (jwt_secret, jwt_secret_generated) = match get("JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => (secret.into_bytes(), false),
            Some(_) => {
                return Err(format!(
                    "JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes"
                ))
            }
            None => {
                let mut key = vec![0u8; 64];
                rand::thread_rng().fill_bytes(&mut key);
                (key, true)
            }
        };
        let jwt_ttl_seconds = match get("JWT_TTL_SECONDS") {
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (60..=86_400).contains(n))
                .ok_or("JWT_TTL_SECONDS must be a whole number of seconds from 60 to 86400")?,
            None => 3600,
        };
        let database_pool_size = match get("DATABASE_POOL_SIZE") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or("DATABASE_POOL_SIZE must be from 1 to 256")?,
            None => 16,
        };
        let workers = match get("WORKERS") {
            Some(v) => Some(
                v.parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or("WORKERS must be a positive number")?,
            ),
            None => None,
        };
        let statement_timeout = match get("DATABASE_STATEMENT_TIMEOUT_MS") {
            Some(v) => Duration::from_millis(
                v.parse::<u64>()
                    .ok()
                    .filter(|n| (100..=600_000).contains(n))
                    .ok_or("DATABASE_STATEMENT_TIMEOUT_MS must be from 100 to 600000")?,
            ),
            None => Duration::from_secs(5),
        };
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(format!("LOG_FORMAT must be pretty or json, not {other}")),
        };
        Ok(Config {
            database_url: get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/redress.db".into()),
            database_pool_size,
            bind_addr: get("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret,
            jwt_secret_generated,
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| "redress".into()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or_else(|| "redress-api".into()),
            jwt_ttl_seconds,
            bootstrap_admin_password: get("BOOTSTRAP_ADMIN_PASSWORD"),
            cors_allowed_origins: get("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            log_format,
            workers,
            statement_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/redress.db");
        assert_eq!(c.bind_addr, "127.0.0.1:8080");
        assert_eq!(c.jwt_issuer, "redress");
        assert_eq!(c.jwt_audience, "redress-api");
        assert_eq!(c.jwt_ttl_seconds, 3600);
        assert!(c.jwt_secret_generated);
        assert!(c.cors_allowed_origins.is_empty());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(config(&[("JWT_SECRET", "too-short")]).is_err());
        let c = config(&[("JWT_SECRET", "0123456789abcdef0123456789abcdef")]).unwrap();
        assert!(!c.jwt_secret_generated);
    }

    #[test]
    fn cors_origins_are_split_and_trimmed() {
        let c = config(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example/, https://b.example",
        )])
        .unwrap();
        assert_eq!(
            c.cors_allowed_origins,
            ["https://a.example", "https://b.example"]
        );
    }
}
