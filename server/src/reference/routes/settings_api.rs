//! Settings of the issue workflow that staff edit: the working-day calendar (admins), the
//! panel's sign-off rule (admins), and the category → department routing (managers).

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::calendar::{CalendarInput, CalendarView};
use flowwalk_shared::api::issues::{CategoryRoute, CategoryRouteInput, PanelRule};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::settings as ep;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::issues::service::AuditKey;
use crate::issues::service::audit::Acting;
use crate::reference::service::settings;
use flowwalk_shared::endpoints::CategoryPath;

/// The working-day calendar, and a warning when this year or the next is missing.
#[utoipa::path(get, path = ep::Calendar::PATH, tag = "settings", security(("bearer" = [])), responses((status = 200, body = CalendarView)))]
pub async fn get_calendar(db: web::Data<Db>, _: In<ep::Calendar>) -> Answer<ep::Calendar> {
    Ok(Reply::ok(
        db.read(|conn| {
            let (cal, edited) = settings::calendar(conn)?;
            Ok(settings::calendar_view(
                &cal,
                edited,
                crate::db::rows::now(),
            ))
        })
        .await?,
    ))
}

/// Replace the calendar (every year at once). Dates of a year must lie in it; a make-up
/// working day must be a weekend day.
#[utoipa::path(put, path = ep::UpdateCalendar::PATH, tag = "settings", security(("bearer" = [])), request_body = CalendarInput, responses(
    (status = 200, body = CalendarView), (status = 400, body = ErrorBody)))]
pub async fn put_calendar(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::UpdateCalendar>,
) -> Answer<ep::UpdateCalendar> {
    let body = call.body;
    Ok(Reply::ok(
        db.write(move |conn| {
            let now = crate::db::rows::now();
            let by = Acting::user(&key, &user);
            let cal = settings::set_calendar(conn, body.years, &by, now)?;
            Ok(settings::calendar_view(&cal, true, now))
        })
        .await?,
    ))
}

#[utoipa::path(get, path = ep::PanelRule::PATH, tag = "settings", security(("bearer" = [])), responses((status = 200, body = PanelRule)))]
pub async fn get_panel_rule(db: web::Data<Db>, _: In<ep::PanelRule>) -> Answer<ep::PanelRule> {
    Ok(Reply::ok(db.read(settings::panel_rule).await?))
}

/// How many approvals each constituency must give for a ledger issue's sign-off.
#[utoipa::path(put, path = ep::UpdatePanelRule::PATH, tag = "settings", security(("bearer" = [])), request_body = PanelRule, responses(
    (status = 200, body = PanelRule), (status = 400, body = ErrorBody)))]
pub async fn put_panel_rule(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::UpdatePanelRule>,
) -> Answer<ep::UpdatePanelRule> {
    let body = call.body;
    Ok(Reply::ok(
        db.write(move |conn| {
            let by = Acting::user(&key, &user);
            settings::set_panel_rule(conn, &body, &by, crate::db::rows::now())?;
            Ok(body)
        })
        .await?,
    ))
}

/// Every category with the department its issues go to (none: the step's department).
#[utoipa::path(get, path = ep::CategoryRoutes::PATH, tag = "settings", security(("bearer" = [])), responses((status = 200, body = [CategoryRoute])))]
pub async fn list_routes(
    db: web::Data<Db>,
    _: In<ep::CategoryRoutes>,
) -> Answer<ep::CategoryRoutes> {
    Ok(Reply::ok(db.read(settings::category_routes).await?))
}

/// Route a category's issues to a department (or, with `null`, to the step's department).
/// Applies to issues built from now on.
#[utoipa::path(put, path = ep::UpdateCategoryRoute::PATH, tag = "settings", security(("bearer" = [])), params(CategoryPath), request_body = CategoryRouteInput, responses(
    (status = 200, body = CategoryRoute), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_route(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::UpdateCategoryRoute>,
) -> Answer<ep::UpdateCategoryRoute> {
    let (category, body) = (call.path.category_id, call.body);
    Ok(Reply::ok(
        db.write(move |conn| {
            let by = Acting::user(&key, &user);
            settings::set_category_route(conn, category, body.department_id, &by)
        })
        .await?,
    ))
}
