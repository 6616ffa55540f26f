//! Settings: the council, its population, and the Ombudsman's averages for
//! similar authorities that the statistics compare against.

pub mod api;
pub mod model;
