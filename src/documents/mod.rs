//! Documents: letters, emails and evidence attached to a feedback record or
//! an Ombudsman case.
//!
//! - [`sniff`]: what a file is, told by its content;
//! - [`storage`]: where contents are kept (a folder, or the database), and
//!   how they are let go after the transaction that deletes them;
//! - [`model`]: the `documents` rows, audited as the entity `document`;
//!   redacting or erasing a record deletes its documents' contents;
//! - [`api`]: upload (`multipart/form-data`), list, download, delete.

pub mod api;
pub mod model;
pub mod sniff;
pub mod storage;

pub use storage::{Documents, StorageKind};
