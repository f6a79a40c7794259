//! Diesel rows and the queries on them.

pub mod category_rows;
pub mod config_rows;
pub mod department_rows;
pub mod scenario_rows;
pub mod venue_rows;

// The row helpers every store module uses.
pub use crate::db::changes;
pub use crate::db::rows::{insert_once, new_id, now, parse_stored};
