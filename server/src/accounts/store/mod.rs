//! Diesel rows and the queries on them.

pub mod invites;
pub mod login_failures;
pub mod refresh_tokens;
pub mod users;

// The row helpers every store module uses.
pub use crate::db::changes;
pub use crate::db::rows::{insert_once, new_id, now, parse_stored};
