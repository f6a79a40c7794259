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
use flowwalk_shared::survey as limits;

use crate::auth::AuthUser;
use crate::db::{Db, DbConnection};
use crate::error::AppError;
use crate::reference::store::categories;
use crate::surveys::rules::questionnaire;
use crate::surveys::store::questionnaires::{self, QuestionnaireRow, VersionRow};
use crate::validate;

/// Checks the input and writes `version` of questionnaire `id`; returns (code, title).
pub fn write_version(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    input: &QuestionnaireInput,
    author: Option<&str>,
) -> Result<(String, String), AppError> {
    let code = validate::code("code", &input.code)?;
    let title = validate::text("title", &input.title, limits::MAX_TITLE_CHARS)?;
    let intro = validate::optional_text("intro", &input.intro, limits::MAX_INTRO_CHARS)?;
    let category_ids: Vec<String> = categories::list(conn)?.into_iter().map(|c| c.id).collect();
    let questions = questionnaire::check_definition(&input.questions, &category_ids)?;
    let json = serde_json::to_string(&questions)
        .map_err(|e| AppError::internal(anyhow::Error::new(e).context("questions to JSON")))?;
    questionnaires::insert_version(
        conn,
        &VersionRow {
            id: crate::db::rows::new_id(),
            questionnaire_id: id.to_owned(),
            version,
            title: title.clone(),
            intro,
            ask_phone: input.ask_phone,
            questions: json,
            created_by: author.map(str::to_owned),
            created_at: crate::db::rows::now(),
        },
    )?;
    Ok((code, title))
}

/// Creates a questionnaire at version 1; returns its id.
pub fn create_in(
    conn: &mut DbConnection,
    input: &QuestionnaireInput,
    author: Option<&str>,
) -> Result<String, AppError> {
    let id = crate::db::rows::new_id();
    let now = crate::db::rows::now();
    questionnaires::insert(
        conn,
        &QuestionnaireRow {
            id: id.clone(),
            code: validate::code("code", &input.code)?,
            title: validate::text("title", &input.title, limits::MAX_TITLE_CHARS)?,
            current_version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    write_version(conn, &id, 1, input, author)?;
    Ok(id)
}

#[utoipa::path(get, path = ep::List::PATH, tag = "questionnaires", security(("bearer" = [])), responses(
    (status = 200, description = "Every questionnaire at its current version", body = [Questionnaire])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    Ok(Reply::ok(
        db.read(|conn| Ok(questionnaires::list_current(conn)?))
            .await?,
    ))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath, VersionQuery), responses(
    (status = 200, body = Questionnaire), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let query = call.query;
    let version = query.version;
    Ok(Reply::ok(
        db.read(move |conn| Ok(questionnaires::get(conn, &id, version)?))
            .await?,
    ))
}

#[utoipa::path(get, path = ep::Versions::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, description = "All versions, oldest first", body = [Questionnaire]), (status = 404, body = ErrorBody)))]
pub async fn versions(db: web::Data<Db>, call: In<ep::Versions>) -> Answer<ep::Versions> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| Ok(questionnaires::versions(conn, &id)?))
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
            let id = create_in(conn, &body, Some(&user.id))?;
            Ok(questionnaires::get(conn, &id, None)?)
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
            let current = questionnaires::get_row(conn, &id)?;
            let next = current.current_version + 1;
            let (code, title) = write_version(conn, &id, next, &body, Some(&user.id))?;
            questionnaires::advance(conn, &id, &code, &title, next, crate::db::rows::now())?;
            Ok(questionnaires::get(conn, &id, None)?)
        })
        .await?;
    Ok(Reply::ok(q))
}
