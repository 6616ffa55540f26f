//! Retention: how long records are kept after they close, and what then
//! becomes of them.
//!
//! - [`schedule`]: the rules (shipped, or the council's own), each for an
//!   entity, optionally a directorate, a kind and a procedure, with a period
//!   after closure and an action (`anonymise` or `delete`);
//! - [`due`]: which records, cases, improvements and documents a run on a
//!   given day would touch, and which a legal hold keeps;
//! - [`holds`]: legal holds;
//! - [`run`]: applying the schedule, by one instance at a time, each record
//!   in its own transaction and audited;
//! - [`api`]: `/retention`, `/retention/due`, `/retention/run` and
//!   `/legal-holds`.

pub mod api;
pub mod due;
pub mod holds;
pub mod run;
pub mod schedule;

pub use schedule::{RetainedEntity, RetentionAction, RetentionRule};
