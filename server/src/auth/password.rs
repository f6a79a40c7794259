//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::AppError;

pub fn hash(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// False for a wrong password and for a hash that cannot be parsed.
pub fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the username does not exist, so a
/// failed login takes as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::auth::tokens::random_token()).unwrap_or_default())
}

/// Rules every new password must meet.
pub fn check_strength(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 8 {
        return Err(AppError::invalid(
            "password",
            "密码至少需要 8 个字符",
            "Password needs at least 8 characters",
        ));
    }
    if n > 128 {
        return Err(AppError::invalid(
            "password",
            "密码不能超过 128 个字符",
            "Password must be at most 128 characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "wrong horse"));
        assert!(!verify("not a hash", "x"));
    }
}
