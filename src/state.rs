//! The state shared by every request of one process.

use crate::auth::hashing::HashPool;
use crate::auth::token::{self, TokenService};
use std::sync::Arc;

use crate::calendar::model::CalendarDependent;
use crate::calendar::CalendarCache;
use crate::config::Config;
use crate::db::Db;
use crate::http::metrics::Metrics;

/// Configuration, database, token service and metrics.
pub struct AppState {
    /// The configuration read at start.
    pub config: Config,
    /// The database.
    pub db: Db,
    /// Issues and verifies access tokens.
    pub tokens: TokenService,
    /// Verifies the identity provider's tokens, when one is configured.
    pub oidc: Option<crate::auth::oidc::OidcVerifier>,
    /// Request metrics.
    pub metrics: Metrics,
    /// The working-day calendar, cached.
    pub calendar: CalendarCache,
    /// The timescales, cached.
    pub timescales: crate::timescales::TimescaleCache,
    /// Hashes and verifies passwords, a bounded number at a time.
    pub hashing: HashPool,
    /// What must follow a change to the calendar (the stored clocks of
    /// feedback records).
    pub calendar_dependents: Vec<Arc<dyn CalendarDependent>>,
    /// Where documents' contents are kept.
    pub documents: Arc<crate::documents::Documents>,
    /// Who read whose personal data, written in batches.
    pub access: crate::access::AccessLog,
    /// The users this instance has authorised, kept (see
    /// [`crate::auth::users_cache`]).
    pub users: crate::auth::users_cache::UsersCache,
}

impl AppState {
    /// State for `config` over `db` (a migrated database: without
    /// `JWT_SECRET`, the token key is read from it, or made and kept there).
    pub fn new(config: Config, db: Db) -> Result<AppState, String> {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone(),
            None => {
                let mut conn = db.get().map_err(|e| e.to_string())?;
                token::shared_secret(&mut conn)
                    .map_err(|e| format!("cannot read or keep the token key: {e}"))?
            }
        };
        Ok(AppState {
            tokens: TokenService::new(&config, &secret),
            oidc: config
                .oidc
                .clone()
                .map(crate::auth::oidc::OidcVerifier::new),
            access: crate::access::AccessLog::new(db.clone(), config.access_log_retention_days),
            users: Default::default(),
            documents: crate::documents::Documents::new(
                config.documents_dir.clone(),
                config.documents_storage,
                config.documents_max_bytes,
            ),
            hashing: HashPool::start(config.password_hash_threads, config.password_hash_wait),
            config,
            db,
            metrics: Metrics::default(),
            calendar: crate::calendar::calendar_cache(),
            timescales: crate::timescales::timescale_cache(),
            calendar_dependents: vec![Arc::new(crate::feedback::model::StoredClocks)],
        })
    }
}
