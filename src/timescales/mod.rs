//! The timescales: what each kind of record must do by when, as versions in
//! force from a date, and the clock computed from them.
//!
//! - [`rules`]: the rules as data, and which applies to a record;
//! - [`clock`]: a record's clock under its rule and the calendar;
//! - [`shipped`]: the rules Redress ships (DOMAIN.md's table);
//! - [`model`] and [`api`]: the versions in the database and `/timescales`.

pub mod api;
pub mod clock;
pub mod model;
pub mod rules;
pub mod shipped;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::db::cache::SharedCache;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Procedure};
use crate::state::AppState;
use crate::timescales::clock::{Dates, Timeliness};
use crate::timescales::rules::{Rule, Timescales};

/// This instance's copy of the timescales, reloaded when any instance
/// changes them.
pub type TimescaleCache = SharedCache<Timescales>;

/// A new, empty timescale cache.
pub fn timescale_cache() -> TimescaleCache {
    SharedCache::new("timescales", model::revision, model::load)
}

/// What a record's clock is computed from: the calendar and the
/// timescales, both as they are now.
#[derive(Debug, Clone, Default)]
pub struct TimeRules {
    /// The working-day calendar.
    pub calendar: Arc<Calendar>,
    /// Every timescale version.
    pub timescales: Arc<Timescales>,
}

impl TimeRules {
    /// The calendar and timescales this instance has now.
    pub async fn current(state: &AppState) -> Result<TimeRules, ApiError> {
        Ok(TimeRules {
            calendar: state.calendar.current(&state.db).await?,
            timescales: state.timescales.current(&state.db).await?,
        })
    }

    /// The calendar and timescales in the database (for work outside a
    /// request: the command line, and changes that must see their own
    /// writes).
    pub fn load(conn: &mut DbConnection) -> Result<TimeRules, ApiError> {
        Ok(TimeRules {
            calendar: Arc::new(Calendar::new(crate::calendar::model::all_dates(conn)?)),
            timescales: Arc::new(model::load(conn)?),
        })
    }

    /// The rule for a record, if one applies.
    pub fn rule(
        &self,
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        received_on: NaiveDate,
    ) -> Option<&Rule> {
        self.timescales
            .rule_for(kind, procedure, stage, received_on)
    }

    /// A record's clock on `today` (empty where no rule applies).
    pub fn clock(
        &self,
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        dates: &Dates,
        today: NaiveDate,
    ) -> Timeliness {
        self.rule(kind, procedure, stage, dates.received_on)
            .map(|rule| rule.clock(&self.calendar, dates, today))
            .unwrap_or_default()
    }
}
