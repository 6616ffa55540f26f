//! Passwords: argon2id hashes in PHC string form; plain text is never stored
//! or returned.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rand::distributions::{Alphanumeric, DistString};

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

/// Hash a password (slow by design: call it off the async executor).
pub fn hash(password: &str) -> Result<String, ApiError> {
    let hashed: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hashed
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("password hashing: {e}")))
}

/// Whether `password` matches `hash`. A malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
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
