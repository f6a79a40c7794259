//! Settings of the issue workflow that staff edit: the working-day calendar (admins), the
//! panel's sign-off rule (admins), and the category → department routing (managers).

use actix_web::web;
use flowwalk_shared::api::calendar::{CalendarInput, CalendarView};
use flowwalk_shared::api::issues::{CategoryRoute, CategoryRouteInput, PanelRule};
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::issues::settings;
use crate::models::{self, categories, departments, issues};
use crate::routes::openapi::CategoryPath;

/// The working-day calendar, and a warning when this year or the next is missing.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "settings", security(("bearer" = [])), responses((status = 200, body = CalendarView)))]
pub async fn get_calendar(db: web::Data<Db>) -> Result<web::Json<CalendarView>, AppError> {
    Ok(web::Json(
        db.read(|conn| {
            let (cal, edited) = settings::calendar(conn)?;
            Ok(settings::calendar_view(&cal, edited, models::now()))
        })
        .await?,
    ))
}

/// Replace the calendar (every year at once). Dates of a year must lie in it; a make-up
/// working day must be a weekend day.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "settings", security(("bearer" = [])), request_body = CalendarInput, responses(
    (status = 200, body = CalendarView), (status = 400, body = ErrorBody)))]
pub async fn put_calendar(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<CalendarInput>,
) -> Result<web::Json<CalendarView>, AppError> {
    Ok(web::Json(
        db.write(move |conn| {
            let now = models::now();
            let cal = settings::set_calendar(conn, body.years, &user.id, now)?;
            Ok(settings::calendar_view(&cal, true, now))
        })
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/panel-rule", tag = "settings", security(("bearer" = [])), responses((status = 200, body = PanelRule)))]
pub async fn get_panel_rule(db: web::Data<Db>) -> Result<web::Json<PanelRule>, AppError> {
    Ok(web::Json(db.read(settings::panel_rule).await?))
}

/// How many approvals each constituency must give for a ledger issue's sign-off.
#[utoipa::path(put, path = "/api/v1/panel-rule", tag = "settings", security(("bearer" = [])), request_body = PanelRule, responses(
    (status = 200, body = PanelRule), (status = 400, body = ErrorBody)))]
pub async fn put_panel_rule(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<PanelRule>,
) -> Result<web::Json<PanelRule>, AppError> {
    Ok(web::Json(
        db.write(move |conn| {
            settings::set_panel_rule(conn, &body, &user.id, models::now())?;
            Ok(body)
        })
        .await?,
    ))
}

/// Every category with the department its issues go to (none: the step's department).
#[utoipa::path(get, path = "/api/v1/category-departments", tag = "settings", security(("bearer" = [])), responses((status = 200, body = [CategoryRoute])))]
pub async fn list_routes(db: web::Data<Db>) -> Result<web::Json<Vec<CategoryRoute>>, AppError> {
    Ok(web::Json(
        db.read(|conn| {
            let routes: std::collections::HashMap<String, String> =
                issues::category_routes(conn)?.into_iter().collect();
            Ok(categories::list(conn)?
                .into_iter()
                .map(|c| CategoryRoute {
                    department_id: routes.get(&c.id).cloned(),
                    category_id: c.id,
                })
                .collect())
        })
        .await?,
    ))
}

/// Route a category's issues to a department (or, with `null`, to the step's department).
/// Applies to issues built from now on.
#[utoipa::path(put, path = "/api/v1/category-departments/{category_id}", tag = "settings", security(("bearer" = [])), params(CategoryPath), request_body = CategoryRouteInput, responses(
    (status = 200, body = CategoryRoute), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_route(
    user: AuthUser,
    db: web::Data<Db>,
    category: web::Path<String>,
    ApiJson(body): ApiJson<CategoryRouteInput>,
) -> Result<web::Json<CategoryRoute>, AppError> {
    let category = category.into_inner();
    Ok(web::Json(
        db.write(move |conn| {
            categories::get(conn, &category)?;
            if let Some(d) = &body.department_id
                && !departments::exists(conn, d)?
            {
                return Err(AppError::new(ErrorCode::UnknownReference).field("department_id"));
            }
            issues::set_category_route(
                conn,
                &category,
                body.department_id.as_deref(),
                Some(&user.id),
                models::now(),
            )?;
            Ok(CategoryRoute {
                category_id: category,
                department_id: body.department_id,
            })
        })
        .await?,
    ))
}
