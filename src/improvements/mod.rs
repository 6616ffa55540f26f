//! Service improvements: what the council agrees to change after complaints
//! and Ombudsman decisions, tracked to completion with evidence.

pub mod api;
pub mod fields;
pub mod model;
