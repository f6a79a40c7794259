//! Diesel rows and the queries on them.

pub mod categories;
pub mod config;
pub mod departments;
pub mod scenarios;
pub mod venues;

// The row helpers every store module uses.
pub use crate::db::changes;
pub use crate::db::rows::{insert_once, new_id, now, parse_stored};
