//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), bounded.
//!
//! Every hash or verification needs 19 MiB of working memory and tens of milliseconds of a
//! core. Unbounded, 300 simultaneous logins took a server from 46 MB to 2.76 GB and kept
//! it. The [`Hasher`] the server uses therefore runs at most a few at once (one per core by
//! default); a request that gets no slot within a short wait is answered 503 with
//! `Retry-After`. Each slot's working memory is allocated once and reused, so hashing never
//! grows the heap. The command line and the demo loader, one hash at a time, use the plain
//! [`hash`] and [`verify`].

use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use flowwalk_shared::ErrorCode;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Working memory for one hash with the default parameters.
type Memory = Box<[Block]>;

fn new_memory(blocks: usize) -> Memory {
    vec![Block::new(); blocks].into_boxed_slice()
}

/// The hashing the server does: bounded in number, with reused memory.
pub struct Hasher {
    slots: Semaphore,
    /// Working memory of idle slots (allocated on first use, then reused).
    memory: Mutex<Vec<Memory>>,
    wait: Duration,
    /// Hashes computed, and requests turned away with 503 (served at `/metrics`).
    pub hashed: prometheus::IntCounter,
    pub busy: prometheus::IntCounter,
}

impl Hasher {
    /// At most `slots` hashes at once; a caller waits at most `wait` for one.
    pub fn new(slots: usize, wait: Duration) -> Hasher {
        Hasher {
            slots: Semaphore::new(slots.max(1)),
            memory: Mutex::new(Vec::new()),
            wait,
            hashed: counter(
                "flowwalk_password_hashes_total",
                "Password hashes and verifications computed",
            ),
            busy: counter(
                "flowwalk_password_hash_busy_total",
                "Requests answered 503 because every password-hashing slot was busy",
            ),
        }
    }

    /// Whether `password` matches `hash` (false for a hash that cannot be parsed).
    pub async fn verify(&self, hash: String, password: String) -> Result<bool, AppError> {
        self.run(move |memory| verify_with(&hash, &password, memory))
            .await
    }

    /// A new PHC hash string of `password`.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move |memory| hash_with(&password, memory)).await?
    }

    /// Hashes computed so far, and requests turned away because every slot was busy.
    pub fn counts(&self) -> (u64, u64) {
        (self.hashed.get(), self.busy.get())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let Ok(permit) = tokio::time::timeout(self.wait, self.slots.acquire()).await else {
            self.busy.inc();
            tracing::info!("all password hashing slots busy; answered 503");
            return Err(busy());
        };
        let _permit = permit.map_err(|e| AppError::internal(e.into()))?;
        let mut memory = self
            .memory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| new_memory(Params::DEFAULT.block_count()));
        self.hashed.inc();
        let (out, memory) = actix_web::web::block(move || {
            let out = work(&mut memory);
            (out, memory)
        })
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("password hashing failed: {e}")))?;
        self.memory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(memory);
        Ok(out)
    }
}

fn counter(name: &str, help: &str) -> prometheus::IntCounter {
    // The name and help are constants known to be valid.
    prometheus::IntCounter::new(name, help).unwrap_or_else(|_| {
        prometheus::IntCounter::new("flowwalk_invalid_metric", "invalid metric name")
            .expect("a constant metric name is valid")
    })
}

/// Every slot busy: come back in a moment.
fn busy() -> AppError {
    AppError::new(ErrorCode::ServiceUnavailable)
        .message(
            "登录请求较多,请稍后重试",
            "Too many logins at once; try again in a moment",
        )
        .retry_after(2)
}

/// A new PHC hash of `password` (argon2id, default parameters, a random 16-byte salt),
/// computed in `memory`.
fn hash_with(password: &str, memory: &mut [Block]) -> Result<String, AppError> {
    let failed =
        |e: &dyn std::fmt::Display| AppError::internal(anyhow::anyhow!("hashing a password: {e}"));
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| failed(&e))?;
    let params = Params::DEFAULT;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Verifies in `memory` (or, for a hash with larger parameters than the default, in memory
/// of its own).
fn verify_with(hash: &str, password: &str, memory: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let done = if params.block_count() <= memory.len() {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    } else {
        let mut own = new_memory(params.block_count());
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut own[..])
    };
    done.is_ok() && Output::new(&out).is_ok_and(|o| o == *expected)
}

/// A hash computed on the calling thread (the command line, the demo loader).
pub fn hash(password: &str) -> Result<String, AppError> {
    hash_with(password, &mut new_memory(Params::DEFAULT.block_count()))
}

/// Verification on the calling thread. False for a wrong password and for a hash that
/// cannot be parsed.
pub fn verify(hash: &str, password: &str) -> bool {
    verify_with(
        hash,
        password,
        &mut new_memory(Params::DEFAULT.block_count()),
    )
}

/// A hash of a random password, verified against when the username does not exist, so a
/// failed login takes as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::auth::tokens::random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "wrong horse"));
        assert!(!verify("not a hash", "x"));
    }

    #[test]
    fn interoperates_with_the_crates_own_hashing() {
        // Hashes stored before the pool existed verify, and ours verify with the crate's.
        use argon2::password_hash::PasswordHasher;
        let theirs = Argon2::default()
            .hash_password(b"old password")
            .unwrap()
            .to_string();
        assert!(verify(&theirs, "old password"));
        let ours = hash("new password").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"new password", &parsed)
                .is_ok()
        );
        // Smaller parameters verify in the pooled memory; larger ones get their own.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw")
        .unwrap()
        .to_string();
        assert!(verify(&small, "pw"));
        let mut tiny = new_memory(8);
        assert!(verify_with(&ours, "new password", &mut tiny));
    }

    #[actix_web::test]
    async fn the_hasher_turns_away_what_it_cannot_start_in_time() {
        let hasher = std::sync::Arc::new(Hasher::new(1, Duration::from_millis(1)));
        let h = hash("pw-12345678").unwrap();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (hasher, h) = (hasher.clone(), h.clone());
                actix_web::rt::spawn(async move { hasher.verify(h, "pw-12345678".into()).await })
            })
            .collect();
        let mut ok = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(true) => ok += 1,
                Err(e) if e.code == ErrorCode::ServiceUnavailable => {
                    assert_eq!(e.retry_after, Some(2));
                    busy += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(ok >= 1 && busy >= 1, "ok {ok}, busy {busy}");
        assert_eq!(hasher.counts(), (ok, busy));
        // The memory of the one slot is kept for the next hash.
        assert_eq!(hasher.memory.lock().unwrap().len(), 1);
    }
}
