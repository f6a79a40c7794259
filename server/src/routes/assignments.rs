//! Assignments: staff plan them; observers see only their own (see `crate::assignments`).

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::assignments::{Assignment, AssignmentInput};

use crate::assignments;
use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::routes::openapi::IdPath;

/// Staff see every assignment; observers see those they are on.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), responses((status = 200, body = [Assignment])))]
pub async fn list(
    user: AuthUser,
    db: web::Data<Db>,
) -> Result<web::Json<Vec<Assignment>>, AppError> {
    Ok(web::Json(
        db.read(move |conn| assignments::visible_to(conn, &user.id, user.role))
            .await?,
    ))
}

/// One assignment; an observer gets 403 for one they are not on.
#[utoipa::path(get, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Assignment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<Assignment>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.read(move |conn| assignments::get_for(conn, &id, &user.id, user.role))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", security(("bearer" = [])), request_body = AssignmentInput, responses(
    (status = 201, body = Assignment), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<AssignmentInput>,
) -> Result<HttpResponse, AppError> {
    let a = db
        .write(move |conn| assignments::create(conn, &body, &user.id))
        .await?;
    Ok(HttpResponse::Created().json(a))
}

#[utoipa::path(put, path = "/api/v1/assignments/{id}", tag = "assignments", security(("bearer" = [])), params(IdPath), request_body = AssignmentInput, responses(
    (status = 200, body = Assignment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<AssignmentInput>,
) -> Result<web::Json<Assignment>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.write(move |conn| assignments::update(conn, &id, &body, &user.id))
            .await?,
    ))
}
