//! The problem categories as a job: seeding the shipped defaults into a fresh database.

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::category_rows;

/// Seeds the default problem categories when there are none yet; how many were added.
pub fn seed_defaults(conn: &mut DbConnection) -> Result<usize, AppError> {
    Ok(category_rows::seed_defaults(conn)?)
}
