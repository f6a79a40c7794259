//! Who is calling: password hashing, tokens and sessions, attempt limits, and the
//! per-endpoint access check.

pub mod access;
pub mod limits;
pub mod password;
pub mod sessions;
pub mod tokens;

pub use access::{Access, AuthUser};
