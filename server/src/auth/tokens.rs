//! Access tokens (short-lived JWTs with a `kid`, so keys can rotate) and the random
//! refresh tokens and invite codes, which the server stores only hashed.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use flowwalk_shared::{ErrorCode, Role};

/// What an access token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    pub iat: i64,
    pub exp: i64,
}

struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(secret: &str) -> Key {
        Key {
            kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }
}

/// The key id is derived from the secret, so every server given the same secrets agrees on
/// it without coordination.
fn key_id(secret: &str) -> String {
    hex::encode(&Sha256::digest(format!("flowwalk-kid:{secret}").as_bytes())[..8])
}

/// Signs with the current secret; verifies with the current or any previous one.
pub struct TokenKeys {
    current: Key,
    previous: Vec<Key>,
    /// Keys that derive a refresh token's successor: the current secret's first.
    successor_keys: Vec<Vec<u8>>,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &str, previous: &[String], access_minutes: u32, refresh_days: u32) -> Self {
        TokenKeys {
            current: Key::new(secret),
            previous: previous.iter().map(|s| Key::new(s)).collect(),
            successor_keys: std::iter::once(secret)
                .chain(previous.iter().map(String::as_str))
                .map(|s| {
                    Sha256::digest(format!("flowwalk-refresh-successor:{s}").as_bytes()).to_vec()
                })
                .collect(),
            access_ttl_secs: i64::from(access_minutes) * 60,
            refresh_ttl_secs: i64::from(refresh_days) * 86_400,
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, AppError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.current.encoding)
            .map_err(|e| AppError::internal(anyhow::anyhow!("signing a token: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let invalid = || AppError::new(ErrorCode::InvalidToken);
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        let kid = header.kid.ok_or_else(invalid)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.kid == kid)
            .ok_or_else(invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::new(ErrorCode::TokenExpired)
                }
                _ => invalid(),
            })
    }
}

impl TokenKeys {
    /// The refresh token that replaces `token` when it is spent: derived from it with a
    /// server secret, so a retry whose answer was lost can be answered with the same new
    /// token although only hashes are stored, while nobody without the secret can compute
    /// it. One candidate per secret (current first), so a retry across a key rotation works.
    pub fn successors(&self, token: &str) -> Vec<String> {
        use hmac::{Hmac, Mac};
        self.successor_keys
            .iter()
            .filter_map(|key| {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
                mac.update(token.as_bytes());
                Some(
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(mac.finalize().into_bytes()),
                )
            })
            .collect()
    }
}

/// 256 random bits, URL-safe: refresh tokens.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    fill_random(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A code a volunteer can type on a phone: 10 characters from an alphabet without
/// look-alikes (no 0/O, 1/I/L), about 50 bits.
pub fn invite_code() -> String {
    typeable::<10>()
}

/// A one-time password an admin reads out or hands over: 12 such characters, about 60
/// bits; it must be replaced at the first login.
pub fn one_time_password() -> String {
    typeable::<12>()
}

fn typeable<const N: usize>() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut buf = [0u8; N];
    fill_random(&mut buf);
    buf.iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn fill_random(buf: &mut [u8]) {
    // The OS random source failing leaves nothing safe to do.
    getrandom::fill(buf).expect("the operating system's random source failed");
}

/// What the database stores instead of a token or code.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_in: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "u1".into(),
            name: "n".into(),
            role: Role::Manager,
            dept: None,
            iat: now,
            exp: now + exp_in,
        }
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = TokenKeys::new("old-secret", &[], 15, 30);
        let token = old.issue(&claims(60)).unwrap();
        assert_eq!(old.verify(&token).unwrap().sub, "u1");
        let rotated = TokenKeys::new("new-secret", &["old-secret".into()], 15, 30);
        assert_eq!(rotated.verify(&token).unwrap().role, Role::Manager);
        let forgotten = TokenKeys::new("new-secret", &[], 15, 30);
        assert_eq!(
            forgotten.verify(&token).unwrap_err().code,
            ErrorCode::InvalidToken
        );
    }

    #[test]
    fn expired_and_garbage_tokens_are_refused() {
        let keys = TokenKeys::new("s", &[], 15, 30);
        let token = keys.issue(&claims(-60)).unwrap();
        assert_eq!(
            keys.verify(&token).unwrap_err().code,
            ErrorCode::TokenExpired
        );
        assert_eq!(
            keys.verify("abc").unwrap_err().code,
            ErrorCode::InvalidToken
        );
    }

    #[test]
    fn successors_are_stable_secret_and_survive_rotation() {
        let keys = TokenKeys::new("secret-a", &[], 15, 30);
        let next = keys.successors("token-1");
        assert_eq!(next, keys.successors("token-1"));
        assert_ne!(next, keys.successors("token-2"));
        assert_ne!(
            next,
            TokenKeys::new("secret-b", &[], 15, 30).successors("token-1")
        );
        let rotated = TokenKeys::new("secret-b", &["secret-a".into()], 15, 30);
        assert_eq!(rotated.successors("token-1")[1], next[0]);
    }

    #[test]
    fn invite_codes_are_typable() {
        let c = invite_code();
        assert_eq!(c.len(), 10);
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
        );
        assert_ne!(random_token(), random_token());
    }
}
