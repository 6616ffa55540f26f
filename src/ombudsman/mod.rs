//! Ombudsman cases: the complaints the Local Government and Social Care
//! Ombudsman (or the PHSO) takes up, its information requests to the
//! council, its decision, its recommendations and the council's compliance.

pub mod api;
pub mod compliance;
pub mod fields;
pub mod list;
pub mod model;
pub mod types;
