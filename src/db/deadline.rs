//! A time limit on the database work of one request, so that no query can
//! hold a connection (and a blocking thread) for more than a few seconds,
//! even after its client has gone.
//!
//! - PostgreSQL: every pooled connection runs `SET statement_timeout`.
//! - SQLite: every connection this process opens gets a progress handler
//!   (installed through `sqlite3_auto_extension`, the one hook SQLite offers
//!   for a connection it did not open itself) that interrupts the running
//!   statement once the deadline of the current thread has passed. The
//!   deadline is set by [`Deadline::start`] around each unit of work, on the
//!   thread that runs it; work without one (migrations, backups, the command
//!   line, the checkpointer) is never interrupted.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Once;
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How many SQLite virtual-machine steps run between two looks at the clock.
const STEPS_PER_CHECK: c_int = 10_000;

/// While alive, the database work of this thread must end by its deadline.
#[must_use = "the deadline lasts as long as the guard"]
pub struct Deadline {
    previous: Option<Instant>,
}

impl Deadline {
    /// Limit this thread's database work to `limit` from now (`None`: no
    /// limit), until the guard is dropped.
    pub fn start(limit: Option<Duration>) -> Deadline {
        let previous = DEADLINE.with(|d| d.replace(limit.map(|l| Instant::now() + l)));
        Deadline { previous }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
    }
}

/// SQLite's progress handler: non-zero interrupts the running statement.
unsafe extern "C" fn past_deadline(_: *mut c_void) -> c_int {
    DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() >= deadline)) as c_int
}

/// Called by SQLite for every connection opened after [`install_sqlite_hook`].
unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _: *mut *mut c_char,
    _: *const ffi::sqlite3_api_routines,
) -> c_int {
    ffi::sqlite3_progress_handler(
        db,
        STEPS_PER_CHECK,
        Some(past_deadline),
        std::ptr::null_mut(),
    );
    ffi::SQLITE_OK
}

/// Install the progress handler on every SQLite connection this process
/// opens from now on. Idempotent.
pub fn install_sqlite_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: `on_open` has the signature SQLite expects of an
        // automatic extension and only registers a handler on the
        // connection it is given; the handler reads a thread-local.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            tracing::warn!(rc, "cannot install the SQLite query time limit");
        }
    });
}

/// Whether a database error is the time limit's doing (SQLite's
/// interruption or PostgreSQL's statement timeout).
pub fn is_timeout(message: &str) -> bool {
    message == "interrupted" || message.contains("statement timeout")
}
