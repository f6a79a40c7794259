//! Assignment rules shared by the API and the demo loader: who may observe, the date
//! window, the references, and which scenario version an assignment pins; and what each
//! role may see of assignments.

use flowwalk_shared::api::assignments::{Assignment, AssignmentInput};
use flowwalk_shared::{ErrorCode, Role};

use crate::accounts::store::user_rows;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::{scenario_rows, venue_rows};
use crate::walkthroughs::store::assignment_rows::{self, AssignmentRow};
use flowwalk_shared::validate;

/// Checks references and dates; returns the row to write and its observers.
pub fn checked_row(
    conn: &mut DbConnection,
    existing: Option<&AssignmentRow>,
    input: &AssignmentInput,
    author: &str,
) -> Result<(AssignmentRow, Vec<String>), AppError> {
    input.check_shape()?;
    let note = validate::optional_text("note", &input.note, 2000)?;
    let mut observers = input.observer_ids.clone();
    observers.sort();
    observers.dedup();
    let roles = user_rows::roles_of(conn, &observers)?;
    for (i, id) in input.observer_ids.iter().enumerate() {
        match roles.iter().find(|(uid, _)| uid == id) {
            None => {
                return Err(
                    AppError::new(ErrorCode::UnknownReference).field(format!("observer_ids[{i}]"))
                );
            }
            Some((_, role)) if !role.is_observer() => {
                return Err(AppError::invalid(
                    format!("observer_ids[{i}]"),
                    "只能指派督查员或体验员",
                    "Only inspectors and experiencers can observe",
                ));
            }
            Some(_) => {}
        }
    }
    if venue_rows::find(conn, &input.venue_id)?.is_none() {
        return Err(AppError::new(ErrorCode::UnknownReference).field("venue_id"));
    }
    // Keep the pinned version unless the scenario changes; a new scenario pins its current.
    let version_id = match existing {
        Some(row) if row.scenario_id == input.scenario_id => row.scenario_version_id.clone(),
        _ => match scenario_rows::current_version_id(conn, &input.scenario_id) {
            Ok(v) => v,
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::new(ErrorCode::UnknownReference).field("scenario_id"));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let now = crate::db::rows::now();
    let row = AssignmentRow {
        id: existing.map_or_else(crate::db::rows::new_id, |r| r.id.clone()),
        scenario_id: input.scenario_id.clone(),
        scenario_version_id: version_id,
        venue_id: input.venue_id.clone(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        mode: input.mode,
        status: input.status,
        note,
        created_by: existing.map_or_else(|| author.to_owned(), |r| r.created_by.clone()),
        created_at: existing.map_or(now, |r| r.created_at),
        updated_at: now,
    };
    Ok((row, observers))
}

/// Creates an assignment; returns it.
pub fn create(
    conn: &mut DbConnection,
    input: &AssignmentInput,
    author: &str,
) -> Result<Assignment, AppError> {
    let (row, observers) = checked_row(conn, None, input, author)?;
    assignment_rows::insert(conn, &row, &observers)?;
    notify_observers(conn, &row, &observers)?;
    Ok(assignment_rows::get(conn, &row.id)?)
}

/// Edits an assignment (its observers included); returns it.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: &AssignmentInput,
    author: &str,
) -> Result<Assignment, AppError> {
    let existing = assignment_rows::get_row(conn, id)?;
    let before = assignment_rows::get(conn, id)?.observer_ids;
    let (row, observers) = checked_row(conn, Some(&existing), input, author)?;
    assignment_rows::update(conn, &row)?;
    assignment_rows::set_observers(conn, &row.id, &observers)?;
    let added: Vec<String> = observers
        .iter()
        .filter(|o| !before.contains(o))
        .cloned()
        .collect();
    notify_observers(conn, &row, &added)?;
    Ok(assignment_rows::get(conn, &row.id)?)
}

/// Tells observers newly put on an assignment.
fn notify_observers(
    conn: &mut DbConnection,
    row: &AssignmentRow,
    observers: &[String],
) -> Result<(), AppError> {
    if observers.is_empty() {
        return Ok(());
    }
    let venue = venue_rows::get(conn, &row.venue_id)?.name;
    let scenario = scenario_rows::get_row(conn, &row.scenario_id)?.name;
    crate::issues::service::notify::send(
        conn,
        observers,
        flowwalk_shared::api::reports::NotificationKind::AssignmentNew,
        &crate::issues::service::notify::About {
            assignment_id: Some(&row.id),
            ..Default::default()
        },
        &format!(
            "新的体验任务:{scenario} @ {venue}({} 至 {})",
            row.starts_on, row.ends_on
        ),
        crate::db::rows::now(),
    )?;
    Ok(())
}

/// Staff see every assignment; observers only those they are on.
pub fn visible_to(
    conn: &mut DbConnection,
    viewer_id: &str,
    viewer_role: Role,
) -> Result<Vec<Assignment>, AppError> {
    let only = (!viewer_role.is_staff_manager()).then_some(viewer_id);
    Ok(assignment_rows::list(conn, only)?)
}

/// One assignment; forbidden for an observer who is not on it.
pub fn get_for(
    conn: &mut DbConnection,
    id: &str,
    viewer_id: &str,
    viewer_role: Role,
) -> Result<Assignment, AppError> {
    let a = assignment_rows::get(conn, id)?;
    if !viewer_role.is_staff_manager() && !a.observer_ids.iter().any(|o| o == viewer_id) {
        return Err(AppError::forbidden());
    }
    Ok(a)
}
