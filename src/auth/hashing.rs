//! Password hashing off the request path, with bounded memory.
//!
//! An argon2 verification takes about 19 MiB for its duration. Run on the
//! general blocking pool, a flood of logins ran dozens at once and the
//! memory stayed with the threads afterwards. Here hashing runs on a fixed
//! set of threads (about one per core), so at most that many run at once
//! and only they ever hold the memory. A request waits at most
//! [`QUEUE_WAIT`] for a turn, then gets 503 with `Retry-After`.

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Semaphore};

use crate::auth::password;
use crate::error::ApiError;

/// How long a request waits for a hashing thread before giving up.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// The hashing threads' names start with this.
pub const THREAD_NAME: &str = "password-hash";

/// What a client told to come back is asked to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 1;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that hash and verify passwords.
pub struct HashPool {
    permits: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
    wait: Duration,
}

impl HashPool {
    /// Start `threads` hashing threads (at least one). They end when the
    /// pool is dropped.
    pub fn start(threads: usize, wait: Duration) -> HashPool {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("{THREAD_NAME}-{n}"))
                .spawn(move || loop {
                    let job = match queue.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        HashPool {
            permits: Arc::new(Semaphore::new(threads)),
            jobs: Mutex::new(jobs),
            wait,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = || ApiError::Overloaded {
            retry_after_secs: RETRY_AFTER_SECS,
        };
        let permit = actix_web::rt::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| ApiError::internal("password hashing pool poisoned"))?
            .send(job)
            .map_err(|_| ApiError::internal("password hashing threads have stopped"))?;
        let result = answer
            .await
            .map_err(|_| ApiError::internal("a password hashing job was lost"));
        drop(permit);
        result
    }

    /// Hash a new password.
    pub async fn hash(&self, secret: String) -> Result<String, ApiError> {
        self.run(move || password::hash(&secret)).await?
    }

    /// Whether `secret` matches `hash`. Without a hash (an unknown user)
    /// a decoy is verified instead, so the answer takes as long either way.
    pub async fn verify(&self, secret: String, hash: Option<String>) -> Result<bool, ApiError> {
        self.run(move || match hash {
            Some(hash) => password::verify(&secret, &hash),
            None => {
                password::verify(&secret, password::decoy_hash());
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn hashes_verify_through_the_pool() {
        let pool = HashPool::start(1, QUEUE_WAIT);
        let hash = pool.hash("correct horse battery".into()).await.unwrap();
        assert!(pool
            .verify("correct horse battery".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!pool.verify("wrong".into(), Some(hash)).await.unwrap());
        assert!(!pool.verify("anything".into(), None).await.unwrap());
    }

    #[actix_web::test]
    async fn a_caller_that_cannot_get_a_turn_is_told_to_come_back() {
        let pool = Arc::new(HashPool::start(1, Duration::from_millis(50)));
        let slow = {
            let pool = pool.clone();
            actix_web::rt::spawn(async move {
                pool.run(|| std::thread::sleep(Duration::from_millis(400)))
                    .await
            })
        };
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        let refused = pool.run(|| ()).await;
        assert!(
            matches!(refused, Err(ApiError::Overloaded { .. })),
            "{refused:?}"
        );
        assert!(slow.await.unwrap().is_ok());
    }
}
