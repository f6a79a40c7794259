//! Departments as jobs: listing, adding and editing them, and finding one by its code (the
//! CLI and the demo name departments by code).

use flowwalk_shared::api::departments::DepartmentInput;
use flowwalk_shared::validate;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::department_rows::{self, DepartmentRow};

/// Every department.
pub fn list(conn: &mut DbConnection) -> Result<Vec<DepartmentRow>, AppError> {
    Ok(department_rows::list(conn)?)
}

/// One department (not found: 404).
pub fn get(conn: &mut DbConnection, id: &str) -> Result<DepartmentRow, AppError> {
    Ok(department_rows::get(conn, id)?)
}

/// The department with this code, if any.
pub fn find_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<DepartmentRow>, AppError> {
    Ok(department_rows::find_by_code(conn, code)?)
}

/// The input, checked: (code, name, English name).
pub fn check(input: &DepartmentInput) -> Result<(String, String, String), AppError> {
    Ok((
        validate::code("code", &input.code)?,
        validate::text("name", &input.name, 100)?,
        validate::optional_text("name_en", &input.name_en, 200)?,
    ))
}

/// Adds a department (a duplicate code or name: 409).
pub fn create(conn: &mut DbConnection, input: &DepartmentInput) -> Result<DepartmentRow, AppError> {
    let (code, name, name_en) = check(input)?;
    let now = crate::db::rows::now();
    let row = DepartmentRow {
        id: crate::db::rows::new_id(),
        code,
        name,
        name_en,
        created_at: now,
        updated_at: now,
    };
    department_rows::insert(conn, &row)?;
    Ok(row)
}

/// Edits a department's code and names.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: &DepartmentInput,
) -> Result<DepartmentRow, AppError> {
    let (code, name, name_en) = check(input)?;
    Ok(department_rows::update(
        conn,
        id,
        &code,
        &name,
        &name_en,
        crate::db::rows::now(),
    )?)
}
