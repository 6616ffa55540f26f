//! Where documents' contents are kept: a folder on disk (the default,
//! `DOCUMENTS_DIR`) or the database. Each document remembers where its own
//! content went, so a change of `DOCUMENTS_STORAGE` leaves older documents
//! readable.
//!
//! A write is in two steps around the database transaction that records the
//! document: [`ContentStore::stage`] before it (the file, written whole and
//! synced, outside the database's single writer), [`ContentStore::keep`]
//! inside it (the database's copy). A failed transaction
//! [`ContentStore::discard`]s what was staged. Letting go is the reverse:
//! [`forget`] inside the transaction that deletes or redacts the document
//! queues its file, and [`Documents::purge`] removes queued files after the
//! commit, so that no file is removed for a change that rolled back.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::prelude::*;

use crate::db::schema::{document_contents, document_purges};
use crate::db::{now, Db, DbConnection};
use crate::error::ApiError;
use crate::text_enum;

text_enum! {
    /// Where a document's content is kept.
    pub enum StorageKind {
        /// A file under `DOCUMENTS_DIR`.
        Disk => "disk",
        /// A row of the database.
        Database => "database",
    }
}

/// A place for documents' contents.
pub trait ContentStore: Send + Sync {
    /// Which place this is.
    fn kind(&self) -> StorageKind;

    /// Before the transaction that records the document: keep `content`
    /// under `key` where the transaction cannot (a file, written and synced).
    fn stage(&self, key: &str, content: &[u8]) -> io::Result<()>;

    /// Inside the transaction: keep what belongs in the database.
    fn keep(&self, conn: &mut DbConnection, key: &str, content: &[u8]) -> Result<(), ApiError>;

    /// After the transaction failed: let go of what [`stage`](Self::stage) kept.
    fn discard(&self, key: &str);

    /// The content kept under `key`; `None` if it is gone.
    fn read(&self, conn: &mut DbConnection, key: &str) -> Result<Option<Vec<u8>>, ApiError>;
}

/// Contents as files under one folder, two hex digits of the key deep.
#[derive(Debug, Clone)]
pub struct Disk {
    dir: PathBuf,
}

impl Disk {
    /// Files under `dir` (made on first use).
    pub fn new(dir: PathBuf) -> Disk {
        Disk { dir }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key.get(..2).unwrap_or("00")).join(key)
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

impl ContentStore for Disk {
    fn kind(&self) -> StorageKind {
        StorageKind::Disk
    }

    fn stage(&self, key: &str, content: &[u8]) -> io::Result<()> {
        let path = self.path(key);
        let folder = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(folder)?;
        // Written under a temporary name and renamed, so that no reader
        // ever finds half a file.
        let partial = folder.join(format!(".{key}.partial"));
        let mut file = fs::File::create(&partial)?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&partial, &path)
    }

    fn keep(&self, _: &mut DbConnection, _: &str, _: &[u8]) -> Result<(), ApiError> {
        Ok(())
    }

    fn discard(&self, key: &str) {
        if let Err(error) = self.remove(key) {
            tracing::warn!(%error, key, "cannot remove the file of a document not recorded");
        }
    }

    fn read(&self, _: &mut DbConnection, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        match fs::read(self.path(key)) {
            Ok(content) => Ok(Some(content)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(ApiError::internal(format!(
                "cannot read document file {key}: {error}"
            ))),
        }
    }
}

/// Contents as rows of `document_contents`, written in the transaction
/// that records the document and so backed up with the database.
#[derive(Debug, Clone, Copy)]
pub struct Database;

impl ContentStore for Database {
    fn kind(&self) -> StorageKind {
        StorageKind::Database
    }

    fn stage(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn keep(&self, conn: &mut DbConnection, key: &str, content: &[u8]) -> Result<(), ApiError> {
        let insert = diesel::insert_into(document_contents::table).values((
            document_contents::storage_key.eq(key),
            document_contents::content.eq(content),
        ));
        crate::per_backend!(conn, |c| insert.execute(c))?;
        Ok(())
    }

    fn discard(&self, _: &str) {}

    fn read(&self, conn: &mut DbConnection, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(document_contents::table
            .find(key)
            .select(document_contents::content)
            .first(conn)
            .optional()?)
    }
}

/// Inside the transaction that deletes or redacts a document: its content
/// kept in the database goes now; its file is queued for
/// [`Documents::purge`].
pub fn forget(conn: &mut DbConnection, kind: StorageKind, key: &str) -> Result<(), ApiError> {
    match kind {
        StorageKind::Database => {
            diesel::delete(document_contents::table.find(key)).execute(conn)?;
        }
        StorageKind::Disk => {
            let queue = diesel::insert_into(document_purges::table)
                .values((
                    document_purges::storage_key.eq(key),
                    document_purges::queued_at.eq(now()),
                ))
                .on_conflict_do_nothing();
            crate::per_backend!(conn, |c| queue.execute(c))?;
        }
    }
    Ok(())
}

/// The documents' places, and the limits on what is uploaded.
#[derive(Debug, Clone)]
pub struct Documents {
    disk: Disk,
    storage: StorageKind,
    max_bytes: usize,
}

impl Documents {
    /// New documents kept in `storage`, files under `dir`, none larger than
    /// `max_bytes`.
    pub fn new(dir: PathBuf, storage: StorageKind, max_bytes: usize) -> Arc<Documents> {
        Arc::new(Documents {
            disk: Disk::new(dir),
            storage,
            max_bytes,
        })
    }

    /// The largest document accepted, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The folder of files.
    pub fn dir(&self) -> &Path {
        self.disk.dir()
    }

    /// Where new documents go.
    pub fn for_new(&self) -> &dyn ContentStore {
        self.store(self.storage)
    }

    /// The place of `kind`.
    pub fn store(&self, kind: StorageKind) -> &dyn ContentStore {
        match kind {
            StorageKind::Disk => &self.disk,
            StorageKind::Database => &Database,
        }
    }

    /// Remove the files queued by committed deletions and redactions. Any
    /// instance may do it; a file already gone is no error. Failures are
    /// logged and the file stays queued for the next purge.
    pub async fn purge(self: &Arc<Self>, db: &Db) {
        let documents = Arc::clone(self);
        let result = db
            .write(move |conn| {
                let keys: Vec<String> = document_purges::table
                    .select(document_purges::storage_key)
                    .order(document_purges::queued_at)
                    .limit(1000)
                    .load(conn)?;
                let removed: Vec<String> = keys
                    .into_iter()
                    .filter(|key| match documents.disk.remove(key) {
                        Ok(()) => true,
                        Err(error) => {
                            tracing::warn!(%error, key, "cannot remove a document's file");
                            false
                        }
                    })
                    .collect();
                diesel::delete(
                    document_purges::table.filter(document_purges::storage_key.eq_any(&removed)),
                )
                .execute(conn)?;
                Ok(removed.len())
            })
            .await;
        match result {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed the files of documents let go"),
            Err(error) => tracing::warn!(%error, "cannot purge documents' files"),
        }
    }
}

/// Copy the document files under `from` to `to` (a new folder), for a
/// backup: whole files only, never one being written. Returns how many.
pub fn copy_files(from: &Path, to: &Path) -> io::Result<usize> {
    if to.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists already; choose a new place", to.display()),
        ));
    }
    fs::create_dir_all(to)?;
    let mut copied = 0;
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(0);
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copied += copy_files(&entry.path(), &to.join(&name))?;
        } else {
            fs::copy(entry.path(), to.join(&name))?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// A new key for a document's content: 32 random hex digits.
pub fn new_key() -> String {
    use rand::Rng as _;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
