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

/// How to find the directorate of a record of some kind by its id.
pub type DirectorateOf = fn(&mut DbConnection, i64) -> Result<Option<String>, ApiError>;

/// An id a body gives for a record it links to (a parent, a source).
#[derive(Debug, Clone, Copy)]
pub struct Link {
    field: &'static str,
    what: &'static str,
    a: &'static str,
    directorate_of: DirectorateOf,
}

impl Link {
    /// The link in `field` to a `what` ("Ombudsman case"), `a` of which
    /// ("a case") must be of the same directorate; `directorate_of` finds
    /// the linked record's directorate.
    pub const fn new(
        field: &'static str,
        what: &'static str,
        a: &'static str,
        directorate_of: DirectorateOf,
    ) -> Link {
        Link {
            field,
            what,
            a,
            directorate_of,
        }
    }
}

/// Check a body's references (422, every problem at once): its
/// `directorate` exists, and each linked record it names exists, is visible
/// in `scope` (the same words either way) and is in the same directorate.
pub fn check_links(
    conn: &mut DbConnection,
    directorate: &str,
    scope: &Scope,
    links: &[(Link, Option<i64>)],
    errors: &mut crate::error::FieldErrors,
) -> Result<(), ApiError> {
    crate::directorates::model::check_exists(conn, directorate, errors)?;
    for (link, id) in links {
        let Some(id) = id else { continue };
        match (link.directorate_of)(conn, *id)?.filter(|d| in_scope(scope, d)) {
            None => errors.add(link.field, format!("no such {}", link.what)),
            Some(d) if d != directorate => errors.add(
                link.field,
                format!("must be {} of the same directorate", link.a),
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// 409 with `conflict` when a unique value is held by `holder` (the id of
/// the record that has it, if any) and that is not the record `own` being
/// written.
pub fn ensure_free(
    holder: Option<i64>,
    own: Option<i64>,
    conflict: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    match holder {
        Some(id) if Some(id) != own => Err(ApiError::Conflict(conflict())),
        _ => Ok(()),
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

/// What the core asks a record's table to write.
pub struct Write<'a, R: Record> {
    /// The fields.
    pub input: &'a R::Input,
    /// What the write needs besides (the calendar, for feedback).
    pub context: &'a R::Context,
    /// The version, time and author of the write.
    pub stamp: &'a Stamp,
}

/// An input proposed for a record, to check against the database.
pub struct Proposal<'a, R: Record> {
    /// The fields.
    pub input: &'a R::Input,
    /// The record being changed, if any.
    pub current: Option<&'a R>,
    /// The directorates the caller may see.
    pub scope: &'a Scope,
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
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError>;
    /// Write the change over this record (its row is locked).
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError>;
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

    /// Checks of a proposed input against the database, before permissions:
    /// the directorate and the ids it names exist and are visible in the
    /// caller's scope (422). Unique keys are checked when writing (409).
    fn check_references(
        conn: &mut DbConnection,
        proposal: Proposal<'_, Self>,
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

/// The names, types, accessors and deletion of a [`Record`] impl, written once:
/// `record_basics!(entity ENTITY, table feedback, redaction REDACTION,
/// input FeedbackInput, context Arc<Calendar>, id id, version version,
/// fields fields)` — each accessor the path of the field on `self`.
#[macro_export]
macro_rules! record_basics {
    (entity $entity:expr, table $table:ident, redaction $redaction:expr, input $input:ty,
     context $context:ty, id $($id:ident).+, version $($version:ident).+, fields $($fields:ident).+) => {
        const ENTITY: &'static str = $entity;
        const TABLE: &'static str = stringify!($table);
        const REDACTION: $crate::audit::redaction::Policy = $redaction;
        type Input = $input;
        type Context = $context;

        fn id(&self) -> i64 {
            self.$($id).+
        }
        fn version(&self) -> i64 {
            self.$($version).+
        }
        fn directorate(&self) -> &str {
            &self.$($fields).+.directorate
        }
        fn directorate_of(input: &$input) -> &str {
            &input.directorate
        }
        fn remove(conn: &mut $crate::db::DbConnection, current: &Self) -> Result<(), $crate::error::ApiError> {
            $crate::record_sql!(delete $table, conn, $crate::records::Record::id(current))
        }
    };
}

/// The read-only fields of a kind of record's body: what the core keeps
/// (`id`, `version`, `created_at`, `updated_at`, `created_by`,
/// `redacted_at`) and the kind's computed fields, given as arguments.
#[macro_export]
macro_rules! read_only {
    ($($computed:literal),* $(,)?) => {
        &["id", "version", "created_at", "updated_at", "created_by", "redacted_at", $($computed),*]
    };
}

/// Declare a record's row: the columns the core keeps (`id`, `version`,
/// `created_at`, `updated_at`, `created_by`, `redacted_at`) and the kind's
/// own, read by name (`as_select`).
#[macro_export]
macro_rules! record_row {
    ($(#[$meta:meta])* pub struct $name:ident in $table:ident {
        $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $table)]
        pub struct $name {
            /// Its id.
            pub id: i64,
            /// Incremented on every change (the `ETag`).
            pub version: i64,
            /// When it was recorded (UTC).
            pub created_at: chrono::NaiveDateTime,
            /// When it last changed (UTC).
            pub updated_at: chrono::NaiveDateTime,
            /// The username of whoever recorded it.
            pub created_by: String,
            /// When its personal data and free text were redacted, if they were.
            pub redacted_at: Option<chrono::NaiveDateTime>,
            $($(#[$field_meta])* pub $field: $type,)*
        }
    };
}
