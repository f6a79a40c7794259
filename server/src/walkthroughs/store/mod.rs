//! Diesel rows and the queries on them.

pub mod assignment_rows;
pub mod walkthrough_rows;

// The row helpers every store module uses.
pub use crate::db::changes;
pub use crate::db::rows::{insert_once, new_id, now, parse_stored};
