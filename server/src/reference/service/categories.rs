//! The problem categories as jobs: listing, adding and editing them (their id never
//! changes, issues hold it), and seeding the shipped defaults into a fresh database.

use flowwalk_shared::api::categories::CategoryInput;
use flowwalk_shared::rules::Invalid;
use flowwalk_shared::validate;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::service::audit::{self, Acting};
use crate::reference::store::category_rows::{self, CategoryRow};
use flowwalk_shared::api::admin::AdminAction;

/// Seeds the default problem categories when there are none yet; how many were added.
pub fn seed_defaults(conn: &mut DbConnection) -> Result<usize, AppError> {
    Ok(category_rows::seed_defaults(conn)?)
}

/// Every category, in their order.
pub fn list(conn: &mut DbConnection) -> Result<Vec<CategoryRow>, AppError> {
    Ok(category_rows::list(conn)?)
}

/// The input's names, checked.
fn names(input: &CategoryInput) -> Result<(String, String), Invalid> {
    Ok((
        validate::text("name_zh", &input.name_zh, 100)?,
        validate::optional_text("name_en", &input.name_en, 200)?,
    ))
}

/// Adds a category at the end of the list.
pub fn create(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    input: &CategoryInput,
) -> Result<CategoryRow, AppError> {
    let id = validate::code("id", &input.id)?.replace('-', "_");
    let (name_zh, name_en) = names(input)?;
    let row = CategoryRow {
        position: category_rows::next_position(conn)?,
        id,
        grp: input.group,
        name_zh,
        name_en,
        active: input.active,
    };
    category_rows::insert(conn, &row)?;
    record(conn, by, &row, AdminAction::CategoryCreated)?;
    Ok(row)
}

/// Edits a category's group, names or whether it is offered.
pub fn update(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    id: &str,
    input: &CategoryInput,
) -> Result<CategoryRow, AppError> {
    if input.id != id {
        return Err(AppError::invalid(
            "id",
            "分类编号不能修改",
            "A category's id cannot change",
        ));
    }
    let (name_zh, name_en) = names(input)?;
    let row = category_rows::update(
        conn,
        id,
        input.group.as_str(),
        &name_zh,
        &name_en,
        input.active,
    )?;
    record(conn, by, &row, AdminAction::CategoryEdited)?;
    Ok(row)
}

/// The change in the audit trail, with the category as it now stands.
fn record(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    row: &CategoryRow,
    action: AdminAction,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "group": row.grp, "name_zh": row.name_zh, "name_en": row.name_en, "active": row.active,
    });
    audit::record_admin(conn, by, &format!("category:{}", row.id), action, detail)?;
    Ok(())
}
