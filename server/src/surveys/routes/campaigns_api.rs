//! Questionnaire campaigns for managers: run a questionnaire over a period at chosen venues
//! (each venue's form link, QR code and poster), see the results by venue and period with
//! the answers behind each keyword, export them, import paper questionnaires, publish the
//! results notice, and turn answers into candidate issues.

use crate::http::contract::{Answer, In, Reply};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints as ep;

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::surveys::{
    Campaign, CampaignInput, CampaignResults, CandidateInput, CandidateIssue, CandidateList,
    ExportQuery, HandOverInput, HandOverResult, ImportResult, KeywordQuery, PublishInput,
    ResultsFilter, TextAnswer,
};
use flowwalk_shared::survey as limits;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::issues::service::AuditKey;
use crate::surveys::service::{self, candidates, results_export as export, setup};
use flowwalk_shared::endpoints::IdPath;
use flowwalk_shared::validate;

#[utoipa::path(get, path = ep::campaigns::List::PATH, tag = "questionnaires", security(("bearer" = [])), responses(
    (status = 200, body = [Campaign])))]
pub async fn list(db: web::Data<Db>, _: In<ep::campaigns::List>) -> Answer<ep::campaigns::List> {
    Ok(Reply::ok(db.read(service::campaigns).await?))
}

#[utoipa::path(get, path = ep::campaigns::Get::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, description = "With each venue's form link, QR code and poster", body = Campaign), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::campaigns::Get>) -> Answer<ep::campaigns::Get> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| {
            let c = service::campaign(conn, &id)?;
            service::view(conn, &c)
        })
        .await?,
    ))
}

/// Start a campaign: a questionnaire (its current version) over a period at venues.
#[utoipa::path(post, path = ep::campaigns::Create::PATH, tag = "questionnaires", security(("bearer" = [])), request_body = CampaignInput, responses(
    (status = 201, body = Campaign), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    call: In<ep::campaigns::Create>,
) -> Answer<ep::campaigns::Create> {
    let body = call.body;
    let c = db
        .write(move |conn| {
            let row = setup::create_campaign(conn, &body, &user.id)?;
            service::view(conn, &row)
        })
        .await?;
    Ok(Reply::created(c))
}

/// Change a campaign's title, texts, period or venues. Until its first answer it also
/// moves to the questionnaire's current version; after that the questionnaire is fixed.
#[utoipa::path(put, path = ep::campaigns::Update::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body = CampaignInput, responses(
    (status = 200, body = Campaign), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    db: web::Data<Db>,
    call: In<ep::campaigns::Update>,
) -> Answer<ep::campaigns::Update> {
    let id = call.path.id;
    let body = call.body;
    let c = db
        .write(move |conn| {
            let row = setup::update_campaign(conn, &id, &body, &user.id)?;
            service::view(conn, &row)
        })
        .await?;
    Ok(Reply::ok(c))
}

/// Results over the whole campaign, or one venue, or a period (China dates).
#[utoipa::path(get, path = ep::campaigns::Results::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath, ResultsFilter), responses(
    (status = 200, body = CampaignResults), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn results(
    db: web::Data<Db>,
    call: In<ep::campaigns::Results>,
) -> Answer<ep::campaigns::Results> {
    let (id, filter) = (call.path.id, call.query);
    Ok(Reply::ok(
        db.read(move |conn| {
            let c = service::campaign(conn, &id)?;
            service::results(conn, &c, &filter)
        })
        .await?,
    ))
}

/// The free-text answers behind one keyword of the results.
#[utoipa::path(get, path = ep::campaigns::KeywordAnswers::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath, KeywordQuery), responses(
    (status = 200, body = [TextAnswer]), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn keyword_answers(
    db: web::Data<Db>,
    call: In<ep::campaigns::KeywordAnswers>,
) -> Answer<ep::campaigns::KeywordAnswers> {
    let (id, q) = (call.path.id, call.query);
    Ok(Reply::ok(
        db.read(move |conn| {
            let c = service::campaign(conn, &id)?;
            service::keyword_answers(conn, &c, &q.question_id, &q.keyword, &q.filter())
        })
        .await?,
    ))
}

/// The results (and the responses) as CSV or XLSX.
#[utoipa::path(get, path = ep::campaigns::Export::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath, ExportQuery), responses(
    (status = 200, description = "text/csv or an XLSX workbook (sheets 结果 and 答卷)"), (status = 404, body = ErrorBody)))]
pub async fn export(
    db: web::Data<Db>,
    call: In<ep::campaigns::Export>,
) -> Answer<ep::campaigns::Export> {
    let (id, q) = (call.path.id, call.query);
    let file = db.read(move |conn| export::download(conn, &id, &q)).await?;
    // The campaign code is a-z, 0-9, '-' and '_' only: safe in the header.
    Ok(Reply::file(
        HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, file.content_type))
            .insert_header((
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ))
            .body(file.body),
    ))
}

/// Publish the results as a public 结果反馈 notice (`/r/CODE`) with the manager's
/// conclusion; publishing again replaces it with the results as they stand.
#[utoipa::path(post, path = ep::campaigns::Publish::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body = PublishInput, responses(
    (status = 200, body = Campaign), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn publish(
    user: AuthUser,
    db: web::Data<Db>,
    call: In<ep::campaigns::Publish>,
) -> Answer<ep::campaigns::Publish> {
    let id = call.path.id;
    let body = call.body;
    let conclusion = validate::text("conclusion", &body.conclusion, limits::MAX_CONCLUSION_CHARS)?;
    Ok(Reply::ok(
        db.write(move |conn| {
            let c = service::campaign(conn, &id)?;
            service::publish(conn, &c, &conclusion, Some(&user.id))?;
            let c = service::campaign(conn, &id)?;
            service::view(conn, &c)
        })
        .await?,
    ))
}

/// Take the public results page down.
#[utoipa::path(post, path = ep::campaigns::Unpublish::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Campaign), (status = 404, body = ErrorBody)))]
pub async fn unpublish(
    db: web::Data<Db>,
    call: In<ep::campaigns::Unpublish>,
) -> Answer<ep::campaigns::Unpublish> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.write(move |conn| {
            let c = service::campaign(conn, &id)?;
            service::unpublish(conn, &c)?;
            let c = service::campaign(conn, &id)?;
            service::view(conn, &c)
        })
        .await?,
    ))
}

/// Import paper questionnaires: the body is a CSV or XLSX file, one row per respondent
/// (columns in the README). Every row is checked first; any bad row is reported with its
/// line and reason (`import_rejected`) and nothing is imported.
#[utoipa::path(post, path = ep::campaigns::Import::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body(content = String, description = "CSV (UTF-8) or XLSX bytes"), responses(
    (status = 200, body = ImportResult), (status = 422, description = "import_rejected: every bad row in the message", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import(
    db: web::Data<Db>,
    body: web::Bytes,
    call: In<ep::campaigns::Import>,
) -> Answer<ep::campaigns::Import> {
    let id = call.path.id;
    let n = db
        .write(move |conn| {
            let c = service::campaign(conn, &id)?;
            Ok(service::paper_import::responses(conn, &c, &body)?)
        })
        .await?;
    Ok(Reply::ok(ImportResult {
        imported: u32::try_from(n).unwrap_or(u32::MAX),
    }))
}

/// The candidate issues of a campaign, and the problem options chosen by many at one
/// venue that could become one.
#[utoipa::path(get, path = ep::candidates::List::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = CandidateList), (status = 404, body = ErrorBody)))]
pub async fn list_candidates(
    db: web::Data<Db>,
    call: In<ep::candidates::List>,
) -> Answer<ep::candidates::List> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| {
            let c = service::campaign(conn, &id)?;
            candidates::list(conn, &c)
        })
        .await?,
    ))
}

/// Turn a free-text answer, or a problem option chosen at one venue, into a candidate
/// issue (source 问卷). The same answer or venue and option gives the same candidate
/// (200); a new one is 201.
#[utoipa::path(post, path = ep::candidates::Create::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body = CandidateInput, responses(
    (status = 201, body = CandidateIssue), (status = 200, description = "Already a candidate", body = CandidateIssue),
    (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_candidate(
    user: AuthUser,
    db: web::Data<Db>,
    call: In<ep::candidates::Create>,
) -> Answer<ep::candidates::Create> {
    let id = call.path.id;
    let body = call.body;
    let (candidate, created) = db
        .write(move |conn| {
            let c = service::campaign(conn, &id)?;
            candidates::create(conn, &c, &body, &user.id)
        })
        .await?;
    Ok(if created {
        Reply::created(candidate)
    } else {
        Reply::ok(candidate)
    })
}

/// Make a waiting candidate an issue of source 问卷, with the same routing, deadlines and
/// workflow as a walkthrough's findings. Once only: a candidate already handed over is
/// refused (`invalid_state`).
#[utoipa::path(post, path = ep::candidates::Issue::PATH, tag = "questionnaires", security(("bearer" = [])), params(IdPath), request_body = HandOverInput, responses(
    (status = 201, body = HandOverResult),
    (status = 400, description = "missing_field department_id: nothing names the department", body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "invalid_state: already an issue", body = ErrorBody),
    (status = 422, body = ErrorBody)))]
pub async fn candidate_to_issue(
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::candidates::Issue>,
) -> Answer<ep::candidates::Issue> {
    let id = call.path.id;
    let body = call.body;
    let key = key.get_ref().clone();
    let done = db
        .write(move |conn| candidates::to_issue(conn, &key, &id, &body))
        .await?;
    Ok(Reply::created(done))
}
