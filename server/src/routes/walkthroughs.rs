//! Review: managers list complete walkthroughs, read one with its timing, and accept it or
//! return it to the observer with a comment.

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
use crate::review;
use crate::routes::openapi::IdPath;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `submitted` (awaiting review), `accepted` or `returned`; default all three.
    pub status: Option<ReviewStatus>,
}

#[utoipa::path(get, path = "/api/v1/walkthroughs", tag = "review", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, description = "Complete walkthroughs only", body = [WalkthroughSummary])))]
pub async fn list(
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Vec<WalkthroughSummary>>, AppError> {
    let status = query.into_inner().status;
    Ok(web::Json(
        db.read(move |conn| review::list(conn, status)).await?,
    ))
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
    id: web::Path<String>,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let comment = validate::optional_text("comment", &body.comment, 2000)?;
    db.write(move |conn| {
        review::decide(
            conn,
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
    id: web::Path<String>,
    ApiJson(body): ApiJson<ReturnRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let comment = validate::text("comment", &body.comment, 2000)?;
    db.write(move |conn| {
        review::decide(
            conn,
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
