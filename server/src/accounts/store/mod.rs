//! Diesel rows and the queries on them.

pub mod invite_rows;
pub mod login_failure_rows;
pub mod refresh_token_rows;
pub mod user_rows;

// The row helpers every store module uses.
pub use crate::db::changes;
pub use crate::db::rows::{insert_once, new_id, now, parse_stored};
