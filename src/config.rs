//! Configuration: the environment, read once at start into one `Config`.

use std::env;
use std::time::Duration;

use chrono::NaiveDate;

use crate::http::client::IpRange;

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
    /// HMAC key for tokens; `None`: the key generated on first start and
    /// kept in the database, shared by every instance on it.
    pub jwt_secret: Option<Vec<u8>>,
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
    /// Proxies whose `X-Forwarded-For` entry names the client.
    pub trusted_proxies: Vec<IpRange>,
    /// The bearer token `/metrics` requires on the API's address (`None`:
    /// not served there).
    pub metrics_token: Option<String>,
    /// A separate address serving only `/metrics`, for the scraper.
    pub metrics_addr: Option<String>,
    /// Threads that hash and verify passwords (at most this many at once).
    pub password_hash_threads: usize,
    /// How long a login waits for a hashing thread before a 503.
    pub password_hash_wait: Duration,
    /// A fixed date to answer every request as of (`REDRESS_TODAY`), for
    /// demos and tests; `None`: the UK date.
    pub today: Option<NaiveDate>,
}

/// The smallest HMAC key accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The fewest different bytes a configured HMAC key must contain.
pub const MIN_JWT_SECRET_DISTINCT_BYTES: usize = 10;

/// Why a configured HMAC key is too weak, if it is: too short, too few
/// different characters, or one short run repeated.
pub fn jwt_secret_problem(secret: &[u8]) -> Option<String> {
    if secret.len() < MIN_JWT_SECRET_BYTES {
        return Some(format!(
            "JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes"
        ));
    }
    let distinct = secret
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let periodic =
        (1..=secret.len() / 2).any(|p| secret.iter().skip(p).zip(secret).all(|(a, b)| a == b));
    if distinct < MIN_JWT_SECRET_DISTINCT_BYTES || periodic {
        return Some(
            "JWT_SECRET has too little variety: use a random value, e.g. `openssl rand -hex 32`"
                .into(),
        );
    }
    None
}

impl Config {
    /// Read the configuration from the process environment.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Read the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let jwt_secret = match get("JWT_SECRET") {
            Some(secret) => match jwt_secret_problem(secret.as_bytes()) {
                Some(problem) => return Err(problem),
                None => Some(secret.into_bytes()),
            },
            None => None,
        };
        let trusted_proxies = get("TRUSTED_PROXIES")
            .map(|v| {
                v.split(',')
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| r.parse::<IpRange>())
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(|e| format!("TRUSTED_PROXIES: {e}"))?
            .unwrap_or_default();
        let password_hash_threads = match get("PASSWORD_HASH_THREADS") {
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or("PASSWORD_HASH_THREADS must be from 1 to 64")?,
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };
        let password_hash_wait = match get("PASSWORD_HASH_WAIT_MS") {
            Some(v) => Duration::from_millis(
                v.parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 60_000)
                    .ok_or("PASSWORD_HASH_WAIT_MS must be from 0 to 60000")?,
            ),
            None => crate::auth::hashing::QUEUE_WAIT,
        };
        let today = get("REDRESS_TODAY")
            .map(|v| {
                NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("REDRESS_TODAY must be a date, YYYY-MM-DD, not {v}"))
            })
            .transpose()?;
        let metrics_token = get("METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("METRICS_TOKEN must be at least 16 characters".into());
        }
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
            trusted_proxies,
            metrics_token,
            metrics_addr: get("METRICS_ADDR"),
            password_hash_threads,
            password_hash_wait,
            today,
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
        assert!(c.jwt_secret.is_none());
        assert!(c.cors_allowed_origins.is_empty());
    }

    #[test]
    fn short_or_monotonous_secrets_are_refused() {
        assert!(config(&[("JWT_SECRET", "too-short")]).is_err());
        assert!(config(&[("JWT_SECRET", &"a".repeat(64))]).is_err());
        assert!(config(&[("JWT_SECRET", &"abcdefghijkl".repeat(4))]).is_err());
        assert!(config(&[("JWT_SECRET", "0123456789012345678901234567890123")]).is_err());
        let c = config(&[("JWT_SECRET", "0f3a9c21d4b87e65a1c09b3e7d2f4a18")]).unwrap();
        assert!(c.jwt_secret.is_some());
    }

    #[test]
    fn trusted_proxies_are_parsed() {
        let c = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(config(&[("TRUSTED_PROXIES", "the proxy")]).is_err());
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
