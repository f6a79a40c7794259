//! Venue rules shared by the API, the CSV import and the demo loader: the hierarchy
//! (city → district → town → village, specialised venues anywhere) and its integrity.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::venues::{Venue, VenueInput};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::venue_rows::{self, VenueRow};
use flowwalk_shared::validate;

/// Checks the input and the parent's level; `id` is the venue being edited, if any.
pub fn checked_row(
    conn: &mut DbConnection,
    id: Option<&str>,
    input: &VenueInput,
) -> Result<VenueRow, AppError> {
    let code = validate::code("code", &input.code)?;
    let name = validate::text("name", &input.name, 100)?;
    let address = validate::optional_text("address", &input.address, 200)?;
    let parent = match input.parent_id.as_deref() {
        Some(pid) => match venue_rows::get(conn, pid) {
            Ok(p) => Some(p),
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::new(ErrorCode::UnknownReference).field("parent_id"));
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let parent_level = parent.as_ref().map(|p| p.level);
    if !input.level.parent_allowed(parent_level) {
        return Err(AppError::invalid(
            "parent_id",
            "上级场所层级不符:区中心属于市中心,镇街中心属于区中心,村社区服务站属于镇街中心",
            "Wrong parent level: district under city, town under district, village under town",
        ));
    }
    if let (Some(id), Some(p)) = (id, &parent)
        && venue_rows::is_self_or_descendant(conn, &p.id, id)?
    {
        return Err(AppError::invalid(
            "parent_id",
            "上级场所不能是自身或其下级",
            "A venue cannot sit under itself",
        ));
    }
    let now = crate::db::rows::now();
    Ok(VenueRow {
        id: id.map_or_else(crate::db::rows::new_id, str::to_owned),
        code,
        name,
        level: input.level,
        parent_id: parent.map(|p| p.id),
        address,
        created_at: now,
        updated_at: now,
    })
}

/// Creates a venue.
pub fn create(conn: &mut DbConnection, input: &VenueInput) -> Result<Venue, AppError> {
    let row = checked_row(conn, None, input)?;
    venue_rows::insert(conn, &row)?;
    Ok(Venue::from(row))
}

/// Edits a venue; its level cannot change while it has venues under it.
pub fn update(conn: &mut DbConnection, id: &str, input: &VenueInput) -> Result<Venue, AppError> {
    let existing = venue_rows::get(conn, id)?;
    let row = checked_row(conn, Some(id), input)?;
    if existing.level != row.level && venue_rows::has_children(conn, id)? {
        return Err(AppError::invalid(
            "level",
            "该场所有下级场所,不能修改层级",
            "A venue with children cannot change level",
        ));
    }
    Ok(Venue::from(venue_rows::update(conn, &row)?))
}

/// Every venue.
pub fn list(conn: &mut DbConnection) -> Result<Vec<VenueRow>, AppError> {
    Ok(venue_rows::list(conn)?)
}

/// One venue (not found: 404).
pub fn get(conn: &mut DbConnection, id: &str) -> Result<VenueRow, AppError> {
    Ok(venue_rows::get(conn, id)?)
}

/// The venue with this code, if any.
pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<VenueRow>, AppError> {
    Ok(venue_rows::find_by_code(conn, code)?)
}
