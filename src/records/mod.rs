//! The audited-record core: what feedback records, Ombudsman cases and
//! service improvements (and the records later issues add) share.
//!
//! A record is a versioned, directorate-scoped row whose every change is
//! written to the audit log in the same transaction. Each kind of record
//! implements [`Record`]: its table access (find, insert, write, remove) and
//! its checks against the database. The core does the rest, one way for all
//! of them ([`store`]):
//!
//! - **finding**: a record in a directorate the caller may not see is the
//!   same 404 as one that does not exist;
//! - **one concurrency policy**: a change locks the row first (`SELECT … FOR
//!   UPDATE` on PostgreSQL; SQLite's write transaction holds the database
//!   lock), then checks `If-Match` (412 when stale), so concurrent writers
//!   run one after the other and, with the same `If-Match`, exactly one wins;
//! - **the audit log**: create, update, delete and redaction entries, with
//!   the fields that changed;
//! - **redaction and erasure** by the record's [`Policy`] ([`erasure`]).
//!
//! [`api`] turns this into the HTTP endpoints every kind of record has.

pub mod api;
pub mod docs;
pub mod endpoints;
pub mod erasure;
pub mod store;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::audit::redaction::Policy;
use crate::db::DbConnection;
use crate::error::ApiError;

/// Which directorates the caller may see: `None` for all (admins).
pub type Scope = Option<Vec<String>>;

/// Whether `scope` includes `directorate`.
pub fn in_scope(scope: &Scope, directorate: &str) -> bool {
    scope
        .as_ref()
        .is_none_or(|codes| codes.iter().any(|c| c == directorate))
}

/// An id a body gives for a record it links to (a parent, a source).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    field: &'static str,
    what: &'static str,
    a: &'static str,
}

impl Link {
    /// The link in `field` to a `what` ("Ombudsman case"), `a` of which
    /// ("a case") must be of the same directorate.
    pub const fn new(field: &'static str, what: &'static str, a: &'static str) -> Link {
        Link { field, what, a }
    }

    /// Record a problem when the linked record (whose directorate is
    /// `linked`, `None` when it does not exist) is missing or not visible
    /// in `scope` (the same words either way), or not in `directorate`.
    pub fn check(
        &self,
        errors: &mut crate::error::FieldErrors,
        linked: Option<String>,
        scope: &Scope,
        directorate: &str,
    ) {
        match linked.filter(|d| in_scope(scope, d)) {
            None => errors.add(self.field, format!("no such {}", self.what)),
            Some(d) if d != directorate => errors.add(
                self.field,
                format!("must be {} of the same directorate", self.a),
            ),
            Some(_) => {}
        }
    }
}

/// What the core keeps about every write: the version it makes, when, and
/// (on creation) by whom.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The new version (1 for a new record).
    pub version: i64,
    /// The time of the write (UTC, microseconds).
    pub at: chrono::NaiveDateTime,
    /// The username of the writer.
    pub by: String,
    /// Whether the write redacts the record (sets `redacted_at`).
    pub redacts: bool,
}

/// A kind of audited record.
pub trait Record: Sized + Send + Sync + 'static {
    /// Its name in the audit log and in idempotency keys.
    const ENTITY: &'static str;
    /// Its table (for row locks).
    const TABLE: &'static str;
    /// What redaction blanks.
    const REDACTION: Policy;

    /// The writable fields: a create's body, what a merge patch applies to,
    /// and what the audit log records.
    type Input: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// What writes need besides the input (the calendar, for feedback's
    /// stored clock).
    type Context: Clone + Send + Sync + 'static;

    /// Its id.
    fn id(&self) -> i64;
    /// Its version (the `ETag`).
    fn version(&self) -> i64;
    /// Its directorate's code.
    fn directorate(&self) -> &str;
    /// Its writable fields as they are now.
    fn input(&self) -> Self::Input;
    /// The directorate `input` puts the record in.
    fn directorate_of(input: &Self::Input) -> &str;

    /// The record with `id`, if there is one.
    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError>;
    /// Insert a new record; returns its id.
    fn insert(
        conn: &mut DbConnection,
        input: &Self::Input,
        context: &Self::Context,
        stamp: &Stamp,
    ) -> Result<i64, ApiError>;
    /// Write `input` over the record (its row is locked).
    fn write(
        conn: &mut DbConnection,
        current: &Self,
        input: &Self::Input,
        context: &Self::Context,
        stamp: &Stamp,
    ) -> Result<(), ApiError>;
    /// Delete the record (its row is locked).
    fn remove(conn: &mut DbConnection, current: &Self) -> Result<(), ApiError>;

    /// Rules for particular fields by role (e.g. only managers record the
    /// Ombudsman's decision): 403. `before` is the record's input before
    /// the change, if it exists.
    fn authorize(
        _user: &crate::auth::AuthUser,
        _before: Option<&Self::Input>,
        _after: &Self::Input,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Checks of `input` against the database, before permissions: the
    /// directorate and the ids it names exist and are visible in `scope`
    /// (422), unique keys are free (409). `current` is the record being
    /// changed, if any.
    fn check_references(
        conn: &mut DbConnection,
        input: &Self::Input,
        current: Option<&Self>,
        scope: &Scope,
    ) -> Result<(), ApiError>;
}

/// The statements every record table shares, written once: find a row by
/// id, insert one with its stamp, write one under its version, delete one.
/// `table` is the diesel table module (with the columns `id`, `version`,
/// `created_at`, `updated_at`, `created_by` and `redacted_at`).
#[macro_export]
macro_rules! record_sql {
    (find $table:ident as $row:ty, $conn:expr, $id:expr) => {{
        use diesel::prelude::*;
        let query = $table::table.filter($table::id.eq($id));
        $crate::per_backend!($conn, |c| query
            .select(<$row>::as_select())
            .get_result::<$row>(c)
            .optional())
        .map_err($crate::error::ApiError::from)
    }};
    (insert $table:ident, $conn:expr, $values:expr, $stamp:expr) => {{
        use diesel::prelude::*;
        let stamp: &$crate::records::Stamp = $stamp;
        let insert = diesel::insert_into($table::table)
            .values((
                $values,
                $table::version.eq(stamp.version),
                $table::created_at.eq(stamp.at),
                $table::updated_at.eq(stamp.at),
                $table::created_by.eq(stamp.by.clone()),
            ))
            .returning($table::id);
        $crate::per_backend!($conn, |c| insert.get_result::<i64>(c))
            .map_err($crate::error::ApiError::from)
    }};
    (update $table:ident, $conn:expr, $id:expr, $version:expr, $values:expr, $stamp:expr) => {{
        use diesel::prelude::*;
        let stamp: &$crate::records::Stamp = $stamp;
        let written = diesel::update($table::table.find($id).filter($table::version.eq($version)))
            .set((
                $values,
                $table::version.eq(stamp.version),
                $table::updated_at.eq(stamp.at),
                stamp
                    .redacts
                    .then_some($table::redacted_at.eq(Some(stamp.at))),
            ))
            .execute($conn)
            .map_err($crate::error::ApiError::from)?;
        if written == 1 {
            Ok(())
        } else {
            Err($crate::error::ApiError::PreconditionFailed(
                "The record changed while this request was processed.".into(),
            ))
        }
    }};
    (delete $table:ident, $conn:expr, $id:expr) => {{
        use diesel::prelude::*;
        diesel::delete($table::table.find($id))
            .execute($conn)
            .map(|_| ())
            .map_err($crate::error::ApiError::from)
    }};
}
