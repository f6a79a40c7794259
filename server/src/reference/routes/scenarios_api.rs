//! Scenarios with ordered steps. Editing one writes a new version (see `crate::reference::service::scenarios`);
//! old versions, and everything recorded against them, stay as they were.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::scenarios::VersionQuery;
use flowwalk_shared::api::scenarios::{Scenario, ScenarioInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::scenarios as ep;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::reference::service::scenarios;
use flowwalk_shared::endpoints::IdPath;

#[utoipa::path(get, path = ep::List::PATH, tag = "reference data", security(("bearer" = [])), responses(
    (status = 200, description = "Every scenario at its current version", body = [Scenario])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    Ok(Reply::ok(db.read(scenarios::list_current).await?))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath, VersionQuery), responses(
    (status = 200, body = Scenario), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let query = call.query;
    let version = query.version;
    Ok(Reply::ok(
        db.read(move |conn| scenarios::get(conn, &id, version))
            .await?,
    ))
}

#[utoipa::path(get, path = ep::Versions::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, description = "All versions, oldest first", body = [Scenario]), (status = 404, body = ErrorBody)))]
pub async fn versions(db: web::Data<Db>, call: In<ep::Versions>) -> Answer<ep::Versions> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| scenarios::versions(conn, &id)).await?,
    ))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "reference data", security(("bearer" = [])), request_body = ScenarioInput, responses(
    (status = 201, body = Scenario), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(user: AuthUser, db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let scenario = db
        .write(move |conn| scenarios::create(conn, &body, Some(&user.id)))
        .await?;
    Ok(Reply::created(scenario))
}

/// Edit a scenario: writes the next version and makes it current.
#[utoipa::path(put, path = ep::Update::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = ScenarioInput, responses(
    (status = 200, description = "The new current version", body = Scenario), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(user: AuthUser, db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let id = call.path.id;
    let body = call.body;
    let scenario = db
        .write(move |conn| scenarios::update(conn, &id, &body, Some(&user.id)))
        .await?;
    Ok(Reply::ok(scenario))
}
