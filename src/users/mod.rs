//! Users: accounts, roles and directorates; the first admin.

pub mod api;
pub mod bootstrap;
pub mod external;
pub mod model;
pub mod role;

pub use role::Role;
