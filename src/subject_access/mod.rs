//! Subject access requests (UK GDPR article 15): find what is held about a
//! person, have someone confirm it, blank third parties' data, and export it
//! all as a ZIP (JSON and readable HTML, the documents, a manifest) that can
//! be downloaded for seven days. Each request is due one calendar month
//! from receipt, extendable by two, and shows in the overdue report.

pub mod api;
pub mod export;
pub mod model;
