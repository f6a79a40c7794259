//! Review: managers list complete walkthroughs, read one with its timing, and accept it or
//! return it to the observer with a comment (accepting builds its issue list); its
//! printable feedback form.

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::walkthroughs::{
    AcceptRequest, ReturnRequest, WalkthroughDetail, WalkthroughSummary,
};
use flowwalk_shared::sync::ReviewStatus;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::domain::validate;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::issues::AuditKey;
use crate::review;
use crate::routes::openapi::IdPath;
use flowwalk_shared::api::issues::Page;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `submitted` (awaiting review), `accepted` or `returned`; default all three.
    pub status: Option<ReviewStatus>,
    /// Only walkthroughs of this scenario.
    pub scenario_id: Option<String>,
    /// Only walkthroughs at this venue.
    pub venue_id: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Complete walkthroughs, most recently changed first, keyset-paged (one query a page).
#[utoipa::path(get, path = "/api/v1/walkthroughs", tag = "review", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, description = "Complete walkthroughs only", body = Page<WalkthroughSummary>)))]
pub async fn list(
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<WalkthroughSummary>>, AppError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::new(flowwalk_shared::ErrorCode::InvalidQuery).field("limit"));
    }
    Ok(web::Json(
        db.read(move |conn| {
            let same = review::Same {
                scenario_id: q.scenario_id.as_deref(),
                venue_id: q.venue_id.as_deref(),
            };
            review::list(conn, q.status, same, q.cursor.as_deref(), limit)
        })
        .await?,
    ))
}

/// The walkthrough's feedback form (体验反馈表) as a printable HTML page: steps and times
/// against the standard, ratings, findings with photos and their issues, commendations.
#[utoipa::path(get, path = "/api/v1/walkthroughs/{id}/feedback", tag = "review", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, content_type = "text/html", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn feedback(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let staff = user.role.is_staff_manager();
    let html = db
        .read(move |conn| crate::issues::feedback::page(conn, &id, &user.id, staff))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

#[utoipa::path(get, path = "/api/v1/walkthroughs/{id}", tag = "review", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = WalkthroughDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<WalkthroughDetail>, AppError> {
    let id = id.into_inner();
    let staff = user.role.is_staff_manager();
    Ok(web::Json(
        db.read(move |conn| review::detail(conn, &id, &user.id, staff))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/walkthroughs/{id}/accept", tag = "review", security(("bearer" = [])), params(IdPath), request_body = AcceptRequest, responses(
    (status = 204, description = "Accepted"), (status = 404, body = ErrorBody), (status = 409, description = "invalid_state", body = ErrorBody)))]
pub async fn accept(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let comment = validate::optional_text("comment", &body.comment, 2000)?;
    let key = key.get_ref().clone();
    db.write(move |conn| {
        review::decide(
            conn,
            &key,
            &id,
            body.rev,
            ReviewStatus::Accepted,
            &comment,
            &user.id,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send the walkthrough back to its observer, saying what to correct.
#[utoipa::path(post, path = "/api/v1/walkthroughs/{id}/return", tag = "review", security(("bearer" = [])), params(IdPath), request_body = ReturnRequest, responses(
    (status = 204, description = "Returned"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn return_to_observer(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<ReturnRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let comment = validate::text("comment", &body.comment, 2000)?;
    let key = key.get_ref().clone();
    db.write(move |conn| {
        review::decide(
            conn,
            &key,
            &id,
            body.rev,
            ReviewStatus::Returned,
            &comment,
            &user.id,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
