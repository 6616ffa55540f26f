//! Actions: the promises the council makes on a feedback record or an
//! Ombudsman case ("apologise in writing by Friday", "pay £300
//! time-and-trouble", "review the care plan"), each with an owner, a due
//! date, and when and how it was done. A kind of record of the record core,
//! at `/api/v1/actions`.

pub mod api;
pub mod fields;
pub mod model;
