//! [`SharedCache`]: each instance's copy of data every instance shares
//! (the calendar, the timescales), reloaded when any instance changes it.
//! A change bumps a revision counter in the database; a cached copy is
//! trusted for a second, then its revision is checked.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::db::{Db, DbConnection};
use crate::error::ApiError;

/// How long a cached copy is trusted before its revision is checked.
const RECHECK_AFTER: Duration = Duration::from_secs(1);

struct Cached<T> {
    value: Arc<T>,
    revision: i64,
    checked: Option<Instant>,
}

/// This instance's copy of shared data. A change made through this instance
/// is seen at once (it calls [`SharedCache::invalidate`]); one made through
/// another instance within a second.
pub struct SharedCache<T> {
    name: &'static str,
    revision: fn(&mut DbConnection) -> Result<i64, ApiError>,
    load: fn(&mut DbConnection) -> Result<T, ApiError>,
    cached: RwLock<Cached<T>>,
}

impl<T: Default + Send + Sync + 'static> SharedCache<T> {
    /// A cache of what `load` reads, whose revision `revision` reads.
    pub fn new(
        name: &'static str,
        revision: fn(&mut DbConnection) -> Result<i64, ApiError>,
        load: fn(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Self {
        SharedCache {
            name,
            revision,
            load,
            cached: RwLock::new(Cached {
                value: Arc::new(T::default()),
                revision: -1,
                checked: None,
            }),
        }
    }

    /// The current copy.
    pub async fn current(&self, db: &Db) -> Result<Arc<T>, ApiError> {
        if let Ok(cached) = self.cached.read() {
            if cached
                .checked
                .is_some_and(|at| at.elapsed() < RECHECK_AFTER)
            {
                return Ok(cached.value.clone());
            }
        }
        let known = self.cached.read().map(|c| c.revision).unwrap_or(-1);
        let (read_revision, load) = (self.revision, self.load);
        let (revision, fresh) = db
            .run(move |conn| {
                let revision = read_revision(conn)?;
                let fresh = if revision == known {
                    None
                } else {
                    Some(load(conn)?)
                };
                Ok((revision, fresh))
            })
            .await?;
        let mut cached = self
            .cached
            .write()
            .map_err(|_| ApiError::internal(format!("{} cache poisoned", self.name)))?;
        if let Some(fresh) = fresh {
            cached.value = Arc::new(fresh);
            cached.revision = revision;
        }
        cached.checked = Some(Instant::now());
        Ok(cached.value.clone())
    }

    /// Forget the cached copy (after this instance changed it).
    pub fn invalidate(&self) {
        if let Ok(mut cached) = self.cached.write() {
            cached.checked = None;
            cached.revision = -1;
        }
    }
}
