//! Passwords: argon2id hashes in PHC string form; plain text is never stored
//! or returned.

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;

use crate::error::ApiError;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (hashing cost grows with length).
pub const MAX_LENGTH: usize = 256;

/// Why a password is not acceptable, if it is not: too short, too long, or
/// one of the commonly used passwords that are guessed first (the list of
/// about 100,000 shipped with the `passwords` crate, compared as written
/// and in lower case).
pub fn problem_with(password: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Some(format!("must be at least {MIN_LENGTH} characters"))
    } else if length > MAX_LENGTH {
        Some(format!("must be at most {MAX_LENGTH} characters"))
    } else if is_common(password) {
        Some("is a commonly used password; choose one that is harder to guess".into())
    } else {
        None
    }
}

fn is_common(password: &str) -> bool {
    passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(password.to_lowercase())
}

/// Hash a password (slow by design: call it from the hashing threads,
/// [`super::hashing`]): argon2id with the default parameters, in PHC form.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let fail = |e: &dyn std::fmt::Display| ApiError::internal(format!("password hashing: {e}"));
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let params = Params::default();
    let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password.as_bytes(),
            &salt,
            &mut output,
            memory,
        )
    })
    .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(&e))?),
        hash: Some(Output::new(&output).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Run `work` with argon2 working memory of `blocks` blocks (19 MiB with
/// the default parameters), given back when it is done. The binary sets
/// glibc to serve blocks this large from mappings of their own (see
/// `tune_allocator` in src/main.rs), so the memory returns to the system at
/// once rather than staying in a thread's heap; idle, the service holds none.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut memory = vec![Block::new(); blocks];
    work(&mut memory[..])
}

/// Whether `password` matches `hash`. A malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut computed = vec![0u8; expected.as_bytes().len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, memory)
    })
    .is_ok()
        && constant_time_eq(&computed, expected.as_bytes())
}

/// Compare in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A hash of nothing anyone knows, verified against when the username does
/// not exist, so a login takes as long whether or not the user exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&generate()).unwrap_or_default())
}

/// A random 24-character password.
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong horse battery", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        use argon2::PasswordHasher;
        let stored = Argon2::default()
            .hash_password(b"an older users password")
            .unwrap()
            .to_string();
        assert!(verify("an older users password", &stored));
        assert!(!verify("an older users passwore", &stored));
    }

    #[test]
    fn length_and_commonness_rules() {
        assert!(problem_with("short").is_some());
        assert!(problem_with("eleven char").is_some());
        assert!(problem_with("long enough now").is_none());
        assert!(problem_with(&"x".repeat(257)).is_some());
        for common in ["password1234", "qwertyuiop12", "QWERTYUIOP12"] {
            assert!(problem_with(common).is_some(), "{common}");
        }
    }
}
