//! argon2id hashing on a few dedicated threads, so that a burst of logins queues
//! instead of taking every core away from the request workers.

use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OnceCell, oneshot};

use crate::error::ApiError;

/// argon2id with m = 19456 KiB, t = 2, p = 1 (the OWASP baseline).
fn params() -> Result<Params, ApiError> {
    Params::new(19_456, 2, 1, None).map_err(ApiError::internal)
}

thread_local! {
    /// argon2's working memory, kept by each hashing thread (`Passwords`) and used for
    /// every hash it computes. Allocated anew for each hash, the 19 MiB came from the
    /// thread's allocator arena and stayed resident there several times over (measured:
    /// +100 MB after a few hundred logins).
    static KEPT: std::cell::RefCell<Option<Vec<Block>>> = const { std::cell::RefCell::new(None) };
    /// Set on the hashing threads.
    static HASHING_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs argon2 into `out` with working memory of the thread's own (hashing threads) or a
/// buffer freed at once (anywhere else: the command line, the first start).
fn compute(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), ApiError> {
    let blocks = argon2.params().block_count();
    if !HASHING_THREAD.with(std::cell::Cell::get) {
        let mut memory = vec![Block::default(); blocks];
        return argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .map_err(ApiError::internal);
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let memory = kept.get_or_insert_with(Vec::new);
        if memory.len() != blocks {
            *memory = vec![Block::default(); blocks];
        }
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .map_err(ApiError::internal)
    })
}

/// Hashes synchronously; call only from blocking contexts (CLI, blocking pool).
pub fn hash_blocking(password: &str) -> Result<String, ApiError> {
    let params = params()?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon2, password.as_bytes(), &salt, &mut out)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(ApiError::internal)?,
        salt: Some(Salt::new(&salt).map_err(ApiError::internal)?),
        hash: Some(Output::new(&out).map_err(ApiError::internal)?),
    };
    Ok(hash.to_string())
}

/// Verifies synchronously; a malformed stored hash counts as a mismatch.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = Version::try_from(parsed.version.unwrap_or(0x13)) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    if compute(&argon2, password.as_bytes(), salt.as_ref(), &mut out).is_err() {
        return false;
    }
    // Output compares in constant time.
    Output::new(&out).is_ok_and(|computed| computed == *expected)
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
                    HASHING_THREAD.with(|h| h.set(true));
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
    fn hashes_agree_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let crate_own = Argon2::new(Algorithm::Argon2id, Version::V0x13, params().unwrap());
        // Hashes stored before (written by the crate's hasher) still verify ...
        let stored = crate_own.hash_password(b"richtig-und-lang").unwrap().to_string();
        assert!(verify_blocking("richtig-und-lang", &stored));
        assert!(!verify_blocking("falsch-und-lang", &stored));
        // ... and ours verify with the crate's verifier.
        let ours = hash_blocking("richtig-und-lang").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(crate_own.verify_password(b"richtig-und-lang", &parsed).is_ok());
        assert!(crate_own.verify_password(b"falsch-und-lang", &parsed).is_err());
        // Other parameters (an older or stronger setting) are read from the hash itself.
        let stronger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 3, 1, None).unwrap(),
        )
        .hash_password(b"richtig-und-lang")
        .unwrap()
        .to_string();
        assert!(verify_blocking("richtig-und-lang", &stronger));
        assert!(!verify_blocking("falsch-und-lang", &stronger));
    }

    #[actix_web::test]
    async fn the_hashing_threads_keep_their_working_memory() {
        let p = Passwords::new(1);
        let hash = p.hash("richtig-und-lang".into()).await.unwrap();
        assert!(p.verify("richtig-und-lang".into(), Some(hash.clone())).await.unwrap());
        let kept = p
            .bounded(|| Ok(KEPT.with(|k| k.borrow().as_ref().map(Vec::len))))
            .await
            .unwrap();
        assert_eq!(kept, Some(params().unwrap().block_count()));
        // Elsewhere nothing is kept.
        assert!(verify_blocking("richtig-und-lang", &hash));
        assert_eq!(KEPT.with(|k| k.borrow().as_ref().map(Vec::len)), None);
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
