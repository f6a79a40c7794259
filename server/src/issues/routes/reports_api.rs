//! Reports for a period, their CSV and XLSX exports (the quarterly circular), and the
//! managers' dashboard.

use crate::http::contract::{Answer, In, Reply};
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use flowwalk_shared::api::reports::DashboardQuery;
use flowwalk_shared::api::reports::ReportExportQuery;
use flowwalk_shared::api::reports::ReportQuery;
use flowwalk_shared::api::reports::{Dashboard, Report, ReportGroup};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::reports as ep;
use flowwalk_shared::time::china;
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::db::Db;
use crate::error::AppError;
use crate::issues::rules::report_periods::Period;
use crate::issues::service::{report_export as export, reporting as reports};

fn period(p: Option<&str>) -> Result<Period, AppError> {
    match p {
        Some(p) => Period::parse(p).ok_or_else(|| {
            AppError::new(ErrorCode::InvalidQuery)
                .field("period")
                .message(
                    "期间格式为 2026、2026-Q3 或 2026-07",
                    "A period is 2026, 2026-Q3 or 2026-07",
                )
        }),
        None => Ok(Period::quarter_of(china::date_of(crate::db::rows::now()))),
    }
}

/// Issues received, valid, rectified, on time and overdue; rectification, return-visit and
/// satisfaction rates; impact figures — for a period, grouped.
#[utoipa::path(get, path = ep::Get::PATH, tag = "reports", security(("bearer" = [])), params(ReportQuery), responses(
    (status = 200, body = Report), (status = 400, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let q = call.query;
    let p = period(q.period.as_deref())?;
    let group = q.group.unwrap_or(ReportGroup::Department);
    Ok(Reply::ok(
        db.read(move |conn| reports::report(conn, &p, group))
            .await?,
    ))
}

/// The report as a file: the quarterly circular (XLSX) or one table (CSV).
#[utoipa::path(get, path = ep::Export::PATH, tag = "reports", security(("bearer" = [])), params(ReportExportQuery), responses(
    (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
    (status = 400, body = ErrorBody)))]
pub async fn export(db: web::Data<Db>, call: In<ep::Export>) -> Answer<ep::Export> {
    let q = call.query;
    let p = period(q.period.as_deref())?;
    let key = p.key.clone();
    match q.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => {
            let bytes = db
                .read(move |conn| {
                    let (by_department, by_town) = reports::circular(conn, &p)?;
                    export::circular(&by_department, &by_town)
                })
                .await?;
            Ok(Reply::file(
                HttpResponse::Ok()
                    .insert_header((
                        CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ))
                    .insert_header((
                        CONTENT_DISPOSITION,
                        format!("attachment; filename=\"circular-{key}.xlsx\""),
                    ))
                    .body(bytes),
            ))
        }
        "csv" => {
            let group = q.group.unwrap_or(ReportGroup::Department);
            let bytes = db
                .read(move |conn| export::csv(&reports::report(conn, &p, group)?))
                .await?;
            Ok(Reply::file(
                HttpResponse::Ok()
                    .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
                    .insert_header((
                        CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"report-{key}-{}.csv\"",
                            group.as_str()
                        ),
                    ))
                    .body(bytes),
            ))
        }
        _ => Err(AppError::new(ErrorCode::InvalidQuery)
            .field("format")
            .message("格式须为 xlsx 或 csv", "format is xlsx or csv")),
    }
}

/// The dashboard: issues by category, department and state; the rates month by month;
/// each scenario's time against its promise; impact figures; what needs attention.
#[utoipa::path(get, path = ep::Dashboard::PATH, tag = "reports", security(("bearer" = [])), params(DashboardQuery), responses(
    (status = 200, body = Dashboard), (status = 400, body = ErrorBody)))]
pub async fn dashboard(db: web::Data<Db>, call: In<ep::Dashboard>) -> Answer<ep::Dashboard> {
    let q = call.query;
    let today = china::date_of(crate::db::rows::now());
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Duration::days(365));
    if from > to || (to - from).num_days() > 3 * 366 {
        return Err(AppError::new(ErrorCode::InvalidQuery)
            .field("from")
            .message(
                "起止日期无效(最长三年)",
                "Invalid dates (at most three years)",
            ));
    }
    Ok(Reply::ok(
        db.read(move |conn| reports::dashboard(conn, from, to))
            .await?,
    ))
}
