//! Who is calling: password hashing, tokens, and the per-endpoint access check.

pub mod access;
pub mod password;
pub mod tokens;

pub use access::{Access, AuthUser};
