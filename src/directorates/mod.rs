//! Directorates: `adults`, `children`, `corporate` from the start; admins add more.

pub mod api;
pub mod model;
