//! argon2id hashing on a few dedicated threads, so that a burst of logins queues
//! instead of taking every core away from the request workers.

use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, oneshot};

use crate::error::ApiError;

/// argon2id with m = 19456 KiB, t = 2, p = 1 (the OWASP baseline).
fn hasher() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19_456, 2, 1, None).map_err(ApiError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes synchronously; call only from blocking contexts (CLI, blocking pool).
pub fn hash_blocking(password: &str) -> Result<String, ApiError> {
    let hash = hasher()?
        .hash_password(password.as_bytes())
        .map_err(ApiError::internal)?;
    Ok(hash.to_string())
}

/// Verifies synchronously; a malformed stored hash counts as a mismatch.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    match hasher() {
        Ok(h) => h.verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The shared hashing service: a few dedicated threads (not the blocking pool) take
/// jobs from one queue. Bounding the threads bounds the CPU that logins can take from
/// request workers, and keeps argon2's 19 MiB working memory to a few reused buffers
/// instead of one per blocking thread.
#[derive(Clone)]
pub struct Passwords {
    queue: Arc<Mutex<mpsc::Sender<Job>>>,
    dummy: Arc<OnceCell<String>>,
}

impl Passwords {
    pub fn new(threads: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("kaizen-hash-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Self {
            queue: Arc::new(Mutex::new(tx)),
            dummy: Arc::new(OnceCell::new()),
        }
    }

    /// Runs `f` on a hashing thread and waits for it without blocking the caller's worker.
    async fn bounded<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.queue
            .lock()
            .map_err(|_| ApiError::internal("hashing queue poisoned"))?
            .send(job)
            .map_err(|_| ApiError::Unavailable("password hashing is not available".into()))?;
        rx.await
            .map_err(|_| ApiError::internal("password hashing thread stopped"))?
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.bounded(move || hash_blocking(&password)).await
    }

    /// Verifies against `phc`; with `None` (unknown account) it verifies against a dummy
    /// hash anyway, so the answer takes as long and reveals nothing.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, ApiError> {
        let (phc, real) = match phc {
            Some(p) => (p, true),
            None => (self.dummy_hash().await?, false),
        };
        let ok = self.bounded(move || Ok(verify_blocking(&password, &phc))).await?;
        Ok(ok && real)
    }

    async fn dummy_hash(&self) -> Result<String, ApiError> {
        let this = self.clone();
        self.dummy
            .get_or_try_init(|| async move {
                let random = generate_password();
                this.bounded(move || hash_blocking(&random)).await
            })
            .await
            .cloned()
    }
}

const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// A random 20-character password without look-alike characters (about 116 bits).
pub fn generate_password() -> String {
    let mut out = String::with_capacity(20);
    let limit = 256 - (256 % PASSWORD_ALPHABET.len());
    while out.len() < 20 {
        let mut buf = [0u8; 32];
        if getrandom::fill(&mut buf).is_err() {
            continue;
        }
        for b in buf {
            // Rejection sampling keeps every character equally likely.
            if usize::from(b) < limit && out.len() < 20 {
                out.push(char::from(PASSWORD_ALPHABET[usize::from(b) % PASSWORD_ALPHABET.len()]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let hash = hash_blocking("richtig-und-lang").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("richtig-und-lang", &hash));
        assert!(!verify_blocking("falsch-und-lang", &hash));
        assert!(!verify_blocking("richtig-und-lang", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| PASSWORD_ALPHABET.contains(&c)));
    }

    #[actix_web::test]
    async fn unknown_accounts_never_verify() {
        let p = Passwords::new(1);
        assert!(!p.verify("irgendwas-langes".into(), None).await.unwrap());
    }

    #[actix_web::test]
    async fn queued_jobs_all_complete_on_one_thread() {
        let p = Passwords::new(1);
        let hash = p.hash("richtig-und-lang".into()).await.unwrap();
        let checks = (0..4).map(|i| {
            let pw = if i % 2 == 0 {
                "richtig-und-lang"
            } else {
                "falsch-und-lang"
            };
            p.verify(pw.into(), Some(hash.clone()))
        });
        let results = futures_util::future::join_all(checks).await;
        let results: Vec<bool> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, vec![true, false, true, false]);
    }
}
