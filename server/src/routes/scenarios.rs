//! Scenarios with ordered steps. Editing one writes a new version (see `crate::scenarios`);
//! old versions, and everything recorded against them, stay as they were.

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::scenarios::{Scenario, ScenarioInput};

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::scenarios as rows;
use crate::routes::openapi::IdPath;
use crate::scenarios;

#[utoipa::path(get, path = "/api/v1/scenarios", tag = "reference data", security(("bearer" = [])), responses(
    (status = 200, description = "Every scenario at its current version", body = [Scenario])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Scenario>>, AppError> {
    Ok(web::Json(
        db.read(|conn| Ok(rows::list_current(conn)?)).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A past version; default the current one.
    pub version: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath, VersionQuery), responses(
    (status = 200, body = Scenario), (status = 404, body = ErrorBody)))]
pub async fn get(
    db: web::Data<Db>,
    id: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<web::Json<Scenario>, AppError> {
    let id = id.into_inner();
    let version = query.into_inner().version;
    Ok(web::Json(
        db.read(move |conn| Ok(rows::get(conn, &id, version)?))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}/versions", tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, description = "All versions, oldest first", body = [Scenario]), (status = 404, body = ErrorBody)))]
pub async fn versions(
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<Scenario>>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.read(move |conn| Ok(rows::versions(conn, &id)?)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/scenarios", tag = "reference data", security(("bearer" = [])), request_body = ScenarioInput, responses(
    (status = 201, body = Scenario), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<ScenarioInput>,
) -> Result<HttpResponse, AppError> {
    let scenario = db
        .write(move |conn| scenarios::create(conn, &body, Some(&user.id)))
        .await?;
    Ok(HttpResponse::Created().json(scenario))
}

/// Edit a scenario: writes the next version and makes it current.
#[utoipa::path(put, path = "/api/v1/scenarios/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = ScenarioInput, responses(
    (status = 200, description = "The new current version", body = Scenario), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<ScenarioInput>,
) -> Result<web::Json<Scenario>, AppError> {
    let id = id.into_inner();
    let scenario = db
        .write(move |conn| scenarios::update(conn, &id, &body, Some(&user.id)))
        .await?;
    Ok(web::Json(scenario))
}
