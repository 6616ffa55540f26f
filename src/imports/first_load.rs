//! The first feedback import into an empty table, on SQLite: the way a
//! council usually arrives, with years of records from another system.
//!
//! Batch by batch, every commit rewrites each index page its batch touched,
//! and the feedback table has many indexes, each written at random places
//! (by date, by kind, by due date…): about 10,000 rows a second on the
//! 2-core benchmark machine, however the batches are sized. Into an empty
//! table the whole file is loaded in one transaction instead: the
//! non-unique indexes of `feedback` and `feedback_themes` are dropped
//! first and built again, sorted, at the end, and the triggers that count
//! list changes (migration 000032) are dropped for the load and the count
//! bumped once. The unique indexes stay, so an `external_ref` is still
//! checked against the records loaded before it.
//!
//! Everything happens in the one transaction: another reader sees the
//! table empty until the commit, then complete with every index; a failure
//! or a crash rolls it all back. The price is that other writes wait for
//! the whole load (about five seconds for 100,000 rows), which an empty
//! system can afford. A page cache of [`LOAD_CACHE_KIB`] keeps the loaded
//! records in memory for the index builds; about 21,000 rows a second in
//! all.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::feedback;
use crate::db::DbConnection;
use crate::error::ApiError;

/// The indexes and triggers dropped for a load, with the statements that
/// create them again.
#[derive(Debug)]
pub struct Suspended {
    statements: Vec<String>,
}

#[derive(QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// The indexes a load drops and builds again (not the unique ones, which
/// check what is loaded), and the triggers it drops and runs once instead.
const SUSPENDED: &str = "SELECT type AS kind, name, sql FROM sqlite_master \
     WHERE tbl_name IN ('feedback', 'feedback_themes') AND sql IS NOT NULL \
       AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE %') \
         OR (type = 'trigger' AND name LIKE '%\\_revision\\_%' ESCAPE '\\'))";

/// The page cache of a load, in KiB: the records loaded and the indexes'
/// sorts stay in memory rather than spilling to the write-ahead log and
/// being read back to build the indexes. SQLite takes it as it needs it.
const LOAD_CACHE_KIB: u32 = 256 * 1024;

/// Whether an import into this database is a first load: SQLite, and an
/// empty feedback table.
pub fn applies(conn: &mut DbConnection) -> Result<bool, ApiError> {
    let DbConnection::Sqlite(c) = conn else {
        return Ok(false);
    };
    let any: bool =
        diesel::select(diesel::dsl::exists(feedback::table.select(feedback::id))).get_result(c)?;
    Ok(!any)
}

/// Drop the indexes and triggers a load does without, inside the caller's
/// transaction; [`restore`] puts them back. `None` when this is no first
/// load after all (a record arrived since [`applies`]): the load then runs
/// with every index, in its one transaction, and is only slower.
pub fn suspend(conn: &mut DbConnection) -> Result<Option<Suspended>, ApiError> {
    if !applies(conn)? {
        return Ok(None);
    }
    let DbConnection::Sqlite(c) = conn else {
        return Ok(None);
    };
    diesel::sql_query(format!("PRAGMA cache_size = -{LOAD_CACHE_KIB}")).execute(c)?;
    let objects: Vec<SchemaObject> = diesel::sql_query(SUSPENDED).load(c)?;
    for object in &objects {
        diesel::sql_query(format!("DROP {} \"{}\"", object.kind, object.name)).execute(c)?;
    }
    Ok(Some(Suspended {
        statements: objects.into_iter().map(|o| o.sql).collect(),
    }))
}

/// Build the dropped indexes again, put the triggers back, and count the
/// load as one change of the feedback list.
pub fn restore(conn: &mut DbConnection, suspended: Suspended) -> Result<(), ApiError> {
    let DbConnection::Sqlite(c) = conn else {
        return Ok(());
    };
    for statement in &suspended.statements {
        diesel::sql_query(statement).execute(c)?;
    }
    diesel::sql_query("UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback'")
        .execute(c)?;
    Ok(())
}

/// Give the connection its usual page cache back, when the load ends
/// (restored or failed).
pub fn end(conn: &mut DbConnection) -> Result<(), ApiError> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query(format!(
            "PRAGMA cache_size = -{}",
            crate::db::SQLITE_CACHE_KIB
        ))
        .execute(c)?;
    }
    Ok(())
}
