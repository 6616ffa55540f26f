//! Feedback records: every kind of feedback, the three complaints procedures
//! and their statutory clocks.

pub mod api;
pub mod escalation;
pub mod fields;
pub mod list;
pub mod model;
pub mod reopening;
pub mod types;
