//! Assignments: staff plan them; observers see only their own.

use actix_web::{HttpResponse, web};
use flowwalk_shared::api::assignments::{Assignment, AssignmentInput};
use flowwalk_shared::{ErrorBody, ErrorCode, Role};

use crate::auth::AuthUser;
use crate::db::{Db, DbConnection};
use crate::domain::validate;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::assignments::{self, AssignmentRow};
use crate::models::{self, scenarios, users, venues};

/// Checks references and dates; returns the row to write and its observers.
pub fn checked_row(
    conn: &mut DbConnection,
    existing: Option<&AssignmentRow>,
    input: &AssignmentInput,
    author: &str,
) -> Result<(AssignmentRow, Vec<String>), AppError> {
    if input.ends_on < input.starts_on {
        return Err(AppError::invalid(
            "ends_on",
            "结束日期不能早于开始日期",
            "ends_on is before starts_on",
        ));
    }
    if (input.ends_on - input.starts_on).num_days() > 366 {
        return Err(AppError::invalid(
            "ends_on",
            "任务时间窗不能超过一年",
            "The date window cannot exceed a year",
        ));
    }
    let note = validate::optional_text("note", &input.note, 2000)?;
    if input.observer_ids.is_empty() {
        return Err(AppError::invalid(
            "observer_ids",
            "至少需要一名体验员或督查员",
            "At least one observer is needed",
        ));
    }
    let mut observers = input.observer_ids.clone();
    observers.sort();
    observers.dedup();
    let roles = users::roles_of(conn, &observers)?;
    for (i, id) in input.observer_ids.iter().enumerate() {
        match roles.iter().find(|(uid, _)| uid == id) {
            None => {
                return Err(
                    AppError::new(ErrorCode::UnknownReference).field(format!("observer_ids[{i}]"))
                );
            }
            Some((_, role)) if !Role::parse(role).is_some_and(Role::is_observer) => {
                return Err(AppError::invalid(
                    format!("observer_ids[{i}]"),
                    "只能指派督查员或体验员",
                    "Only inspectors and experiencers can observe",
                ));
            }
            Some(_) => {}
        }
    }
    if venues::get(conn, &input.venue_id).is_err() {
        return Err(AppError::new(ErrorCode::UnknownReference).field("venue_id"));
    }
    // Keep the pinned version unless the scenario changes; a new scenario pins its current.
    let version_id = match existing {
        Some(row) if row.scenario_id == input.scenario_id => row.scenario_version_id.clone(),
        _ => match scenarios::current_version_id(conn, &input.scenario_id) {
            Ok(v) => v,
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::new(ErrorCode::UnknownReference).field("scenario_id"));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let now = models::now();
    let row = AssignmentRow {
        id: existing.map_or_else(models::new_id, |r| r.id.clone()),
        scenario_id: input.scenario_id.clone(),
        scenario_version_id: version_id,
        venue_id: input.venue_id.clone(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        mode: input.mode.as_str().to_owned(),
        status: input.status.as_str().to_owned(),
        note,
        created_by: existing.map_or_else(|| author.to_owned(), |r| r.created_by.clone()),
        created_at: existing.map_or(now, |r| r.created_at),
        updated_at: now,
    };
    Ok((row, observers))
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
    let venue = venues::get(conn, &row.venue_id)?.name;
    let scenario = scenarios::get_row(conn, &row.scenario_id)?.name;
    crate::issues::notify::send(
        conn,
        observers,
        flowwalk_shared::api::reports::NotificationKind::AssignmentNew,
        &crate::issues::notify::About {
            assignment_id: Some(&row.id),
            ..Default::default()
        },
        &format!(
            "新的体验任务:{scenario} @ {venue}({} 至 {})",
            row.starts_on, row.ends_on
        ),
        models::now(),
    )?;
    Ok(())
}

/// Staff see every assignment; observers see those they are on.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), responses((status = 200, body = [Assignment])))]
pub async fn list(
    user: AuthUser,
    db: web::Data<Db>,
) -> Result<web::Json<Vec<Assignment>>, AppError> {
    let only = (!user.role.is_staff_manager()).then_some(user.id);
    Ok(web::Json(
        db.read(move |conn| Ok(assignments::list(conn, only.as_deref())?))
            .await?,
    ))
}

/// One assignment; an observer gets 403 for one they are not on.
#[utoipa::path(get, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])), responses(
    (status = 200, body = Assignment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<Assignment>, AppError> {
    let id = id.into_inner();
    let a = db
        .read(move |conn| {
            let a = assignments::get(conn, &id)?;
            if !user.role.is_staff_manager() && !a.observer_ids.contains(&user.id) {
                return Err(AppError::forbidden());
            }
            Ok(a)
        })
        .await?;
    Ok(web::Json(a))
}

#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), request_body = AssignmentInput, responses(
    (status = 201, body = Assignment), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<AssignmentInput>,
) -> Result<HttpResponse, AppError> {
    let a = db
        .write(move |conn| {
            let (row, observers) = checked_row(conn, None, &body, &user.id)?;
            assignments::insert(conn, &row, &observers)?;
            notify_observers(conn, &row, &observers)?;
            Ok(assignments::get(conn, &row.id)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(a))
}

#[utoipa::path(put, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])), request_body = AssignmentInput, responses(
    (status = 200, body = Assignment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<AssignmentInput>,
) -> Result<web::Json<Assignment>, AppError> {
    let id = id.into_inner();
    let a = db
        .write(move |conn| {
            let existing = assignments::get_row(conn, &id)?;
            let before = assignments::get(conn, &id)?.observer_ids;
            let (row, observers) = checked_row(conn, Some(&existing), &body, &user.id)?;
            assignments::update(conn, &row)?;
            assignments::set_observers(conn, &row.id, &observers)?;
            let added: Vec<String> = observers
                .iter()
                .filter(|o| !before.contains(o))
                .cloned()
                .collect();
            notify_observers(conn, &row, &added)?;
            Ok(assignments::get(conn, &row.id)?)
        })
        .await?;
    Ok(web::Json(a))
}
