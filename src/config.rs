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
    /// Where document files are kept (`DOCUMENTS_DIR`): by default a
    /// `documents` folder beside the SQLite database, or `data/documents`.
    pub documents_dir: std::path::PathBuf,
    /// Where new documents' contents go (`DOCUMENTS_STORAGE`): `disk` (the
    /// default) or `database`.
    pub documents_storage: crate::documents::StorageKind,
    /// The largest document accepted, in bytes (`DOCUMENTS_MAX_BYTES`,
    /// 20 MiB by default).
    pub documents_max_bytes: usize,
    /// The time of day (UTC) the retention schedule is applied
    /// (`RETENTION_RUN_AT`, `02:00` by default; `off`: never, run
    /// `redress retention run` instead).
    pub retention_run_at: Option<chrono::NaiveTime>,
    /// How long access log entries are kept, in days
    /// (`ACCESS_LOG_RETENTION_DAYS`, two years by default).
    pub access_log_retention_days: i64,
    /// A fixed date to answer every request as of (`REDRESS_TODAY`), for
    /// demos and tests; `None`: the UK date.
    pub today: Option<NaiveDate>,
    /// Whether webhooks may reach loopback and private addresses, over
    /// plain `http` too (`WEBHOOK_ALLOW_PRIVATE`; off by default).
    pub webhook_allow_private: bool,
    /// The council's identity provider, whose tokens are accepted beside
    /// Redress's own (`OIDC_*`); `None`: only Redress's own.
    pub oidc: Option<crate::auth::oidc::OidcConfig>,
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
        let env = Env(&lookup);
        Ok(Config {
            database_url: env.text("DATABASE_URL", "sqlite://data/redress.db"),
            database_pool_size: env.number("DATABASE_POOL_SIZE", 1..=256, 16)?,
            bind_addr: env.text("BIND_ADDR", "127.0.0.1:8080"),
            jwt_secret: env.jwt_secret()?,
            jwt_issuer: env.text("JWT_ISSUER", "redress"),
            jwt_audience: env.text("JWT_AUDIENCE", "redress-api"),
            jwt_ttl_seconds: env.number("JWT_TTL_SECONDS", 60..=86_400, 3600)?,
            bootstrap_admin_password: env.get("BOOTSTRAP_ADMIN_PASSWORD"),
            cors_allowed_origins: env.list("CORS_ALLOWED_ORIGINS", |o| {
                Ok::<_, String>(o.trim_end_matches('/').to_string())
            })?,
            log_format: match env.get("LOG_FORMAT").as_deref() {
                None | Some("pretty") => LogFormat::Pretty,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(format!("LOG_FORMAT must be pretty or json, not {other}"))
                }
            },
            workers: match env.get("WORKERS") {
                Some(_) => Some(env.number("WORKERS", 1..=1024, 1)?),
                None => None,
            },
            statement_timeout: env.millis("DATABASE_STATEMENT_TIMEOUT_MS", 100..=600_000, 5_000)?,
            trusted_proxies: env.list("TRUSTED_PROXIES", str::parse::<IpRange>)?,
            metrics_token: env.secret("METRICS_TOKEN", 16)?,
            metrics_addr: env.get("METRICS_ADDR"),
            password_hash_threads: env.number(
                "PASSWORD_HASH_THREADS",
                1..=64,
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )?,
            password_hash_wait: env.millis(
                "PASSWORD_HASH_WAIT_MS",
                0..=60_000,
                crate::auth::hashing::QUEUE_WAIT.as_millis() as u64,
            )?,
            today: env.date("REDRESS_TODAY")?,
            oidc: crate::auth::oidc::OidcConfig::from_lookup(|name| env.get(name))?,
            retention_run_at: match env.get("RETENTION_RUN_AT").as_deref().map(str::trim) {
                Some("off") => None,
                Some(time) => Some(chrono::NaiveTime::parse_from_str(time, "%H:%M").map_err(
                    |_| format!("RETENTION_RUN_AT must be a time HH:MM (UTC) or off, not {time}"),
                )?),
                None => chrono::NaiveTime::from_hms_opt(2, 0, 0),
            },
            access_log_retention_days: env.number("ACCESS_LOG_RETENTION_DAYS", 1..=36_500, 730)?,
            webhook_allow_private: env.flag("WEBHOOK_ALLOW_PRIVATE")?,
            documents_dir: match env.get("DOCUMENTS_DIR") {
                Some(dir) => dir.into(),
                None => {
                    default_documents_dir(&env.text("DATABASE_URL", "sqlite://data/redress.db"))
                }
            },
            documents_storage: match env.get("DOCUMENTS_STORAGE").as_deref() {
                None | Some("disk") => crate::documents::StorageKind::Disk,
                Some("database") => crate::documents::StorageKind::Database,
                Some(other) => {
                    return Err(format!(
                        "DOCUMENTS_STORAGE must be disk or database, not {other}"
                    ))
                }
            },
            documents_max_bytes: env.number(
                "DOCUMENTS_MAX_BYTES",
                1024..=1024 * 1024 * 1024,
                DEFAULT_DOCUMENTS_MAX_BYTES,
            )?,
        })
    }
}

/// The largest document accepted unless configured: 20 MiB.
pub const DEFAULT_DOCUMENTS_MAX_BYTES: usize = 20 * 1024 * 1024;

/// The folder of documents beside the SQLite database at `database_url`
/// (`data/documents` for `data/redress.db`), or `data/documents`.
fn default_documents_dir(database_url: &str) -> std::path::PathBuf {
    database_url
        .strip_prefix("sqlite://")
        .and_then(|path| std::path::Path::new(path).parent())
        .map(|dir| dir.join("documents"))
        .unwrap_or_else(|| std::path::PathBuf::from("data/documents"))
}

/// The environment as `Config` reads it: unset and blank are the same.
struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_string())
    }

    /// A whole number in `range`, or `default` when unset.
    fn number<T>(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<T>,
        default: T,
    ) -> Result<T, String>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        let Some(value) = self.get(name) else {
            return Ok(default);
        };
        value
            .trim()
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                )
            })
    }

    /// `true` or `false` (unset: false).
    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.get(name).as_deref().map(str::trim) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(format!("{name} must be true or false, not {other}")),
        }
    }

    /// A number of milliseconds in `range`, or `default` when unset.
    fn millis(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<u64>,
        default: u64,
    ) -> Result<Duration, String> {
        self.number(name, range, default).map(Duration::from_millis)
    }

    /// A comma-separated list, each item parsed.
    fn list<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, String> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| parse(item).map_err(|e| format!("{name}: {e}")))
            .collect()
    }

    /// A secret of at least `min` characters, if set.
    fn secret(&self, name: &str, min: usize) -> Result<Option<String>, String> {
        match self.get(name) {
            Some(secret) if secret.len() < min => {
                Err(format!("{name} must be at least {min} characters"))
            }
            other => Ok(other),
        }
    }

    /// A date, `YYYY-MM-DD`, if set.
    fn date(&self, name: &str) -> Result<Option<NaiveDate>, String> {
        self.get(name)
            .map(|v| {
                NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("{name} must be a date, YYYY-MM-DD, not {v}"))
            })
            .transpose()
    }

    /// `JWT_SECRET`, refused when too weak.
    fn jwt_secret(&self) -> Result<Option<Vec<u8>>, String> {
        match self.get("JWT_SECRET") {
            Some(secret) => match jwt_secret_problem(secret.as_bytes()) {
                Some(problem) => Err(problem),
                None => Ok(Some(secret.into_bytes())),
            },
            None => Ok(None),
        }
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
