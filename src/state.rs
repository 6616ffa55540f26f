//! The state shared by every request of one process.

use crate::auth::token::TokenService;
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
    /// Request metrics.
    pub metrics: Metrics,
    /// The working-day calendar, cached.
    pub calendar: CalendarCache,
}

impl AppState {
    /// State for `config` over `db`.
    pub fn new(config: Config, db: Db) -> AppState {
        AppState {
            tokens: TokenService::new(&config),
            config,
            db,
            metrics: Metrics::default(),
            calendar: CalendarCache::default(),
        }
    }
}
