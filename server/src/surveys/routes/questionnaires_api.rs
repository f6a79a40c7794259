//! Questionnaires (问卷): built by managers, versioned like scenarios — editing one writes
//! the next version; campaigns and every answer keep the version they were given.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::scenarios::VersionQuery;
use flowwalk_shared::api::surveys::{Questionnaire, QuestionnaireInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::IdPath;
use flowwalk_shared::endpoints::questionnaires as ep;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::surveys::service::setup;

#[utoipa::path(get, path = ep::List::PATH, tag = "questionnaires", security(("bearer" = [])), responses(
    (status = 200, description = "Every questionnaire at its current version", body = [Questionnaire])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    Ok(Reply::ok(db.read(setup::questionnaires).await?))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath, VersionQuery), responses(
    (status = 200, body = Questionnaire), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let query = call.query;
    let version = query.version;
    Ok(Reply::ok(
        db.read(move |conn| setup::questionnaire(conn, &id, version))
            .await?,
    ))
}

#[utoipa::path(get, path = ep::Versions::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, description = "All versions, oldest first", body = [Questionnaire]), (status = 404, body = ErrorBody)))]
pub async fn versions(db: web::Data<Db>, call: In<ep::Versions>) -> Answer<ep::Versions> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| setup::questionnaire_versions(conn, &id))
            .await?,
    ))
}

/// Create a questionnaire. Question kinds: `single`, `multiple` (a choice may be
/// `exclusive`), `scale` (five levels best first, or a `scale` preset, optionally with
/// `not_applicable`), `text`; `show_if` asks a question only after given answers to an
/// earlier one.
#[utoipa::path(post, path = ep::Create::PATH, tag = "questionnaires", security(("bearer" = [])), request_body = QuestionnaireInput, responses(
    (status = 201, body = Questionnaire), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(user: AuthUser, db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let q = db
        .write(move |conn| {
            let id = setup::create_questionnaire(conn, &body, Some(&user.id))?;
            setup::questionnaire(conn, &id, None)
        })
        .await?;
    Ok(Reply::created(q))
}

/// Edit a questionnaire: writes the next version and makes it current. Campaigns already
/// answered stay on their version.
#[utoipa::path(put, path = ep::Update::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body = QuestionnaireInput, responses(
    (status = 200, description = "The new current version", body = Questionnaire), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(user: AuthUser, db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let id = call.path.id;
    let body = call.body;
    let q = db
        .write(move |conn| {
            setup::update_questionnaire(conn, &id, &body, Some(&user.id))?;
            setup::questionnaire(conn, &id, None)
        })
        .await?;
    Ok(Reply::ok(q))
}
