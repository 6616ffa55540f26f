//! Letters: the council's acknowledgement and response letters, made from
//! templates and kept as documents on the record or case.
//!
//! - [`templates`]: the shipped templates (one pair per procedure, naming
//!   the next step, and one for the Ombudsman), the council's own, and the
//!   sandboxed rendering;
//! - [`api`]: `/templates` and `POST /{id}/letters`.

pub mod api;
pub mod templates;
