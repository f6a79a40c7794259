//! Departments as the CLI and the demo need them: looked up by their code.

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::department_rows::{self, DepartmentRow};

/// The department with this code, if any.
pub fn find_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<DepartmentRow>, AppError> {
    Ok(department_rows::find_by_code(conn, code)?)
}
