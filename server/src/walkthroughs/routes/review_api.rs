//! Review: managers list complete walkthroughs, read one with its timing, and accept it or
//! return it to the observer with a comment (accepting builds its issue list); its
//! printable feedback form.

use crate::http::contract::{Answer, In, Reply};
use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::walkthroughs::WalkthroughQuery;
use flowwalk_shared::api::walkthroughs::{
    AcceptRequest, ReturnRequest, WalkthroughDetail, WalkthroughSummary,
};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::walkthroughs as ep;
use flowwalk_shared::sync::ReviewStatus;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::issues::service::AuditKey;
use crate::photos::PhotoStore;
use crate::walkthroughs::service::feedback;
use crate::walkthroughs::service::review;
use flowwalk_shared::api::issues::Page;
use flowwalk_shared::endpoints::IdPath;
use flowwalk_shared::validate;

/// Complete walkthroughs, most recently changed first, keyset-paged (one query a page).
#[utoipa::path(get, path = ep::List::PATH, tag = "review", security(("bearer" = [])), params(WalkthroughQuery), responses(
    (status = 200, description = "Complete walkthroughs only", body = Page<WalkthroughSummary>)))]
pub async fn list(db: web::Data<Db>, call: In<ep::List>) -> Answer<ep::List> {
    let query = call.query;
    let q = query;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::new(flowwalk_shared::ErrorCode::InvalidQuery).field("limit"));
    }
    Ok(Reply::ok(
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
#[utoipa::path(get, path = ep::Feedback::PATH, tag = "review", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, content_type = "text/html", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn feedback(
    user: AuthUser,
    db: web::Data<Db>,
    photos: web::Data<PhotoStore>,
    call: In<ep::Feedback>,
) -> Answer<ep::Feedback> {
    let id = call.path.id;
    let staff = user.role.is_staff_manager();
    let page = db
        .read(move |conn| feedback::page(conn, &id, &user.id, staff))
        .await?;
    let html = feedback::render_with_photos(page, &photos).await?;
    Ok(Reply::file(
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
    ))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "review", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = WalkthroughDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(user: AuthUser, db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let staff = user.role.is_staff_manager();
    Ok(Reply::ok(
        db.read(move |conn| review::detail(conn, &id, &user.id, staff))
            .await?,
    ))
}

#[utoipa::path(post, path = ep::Accept::PATH, tag = "review", security(("bearer" = [])), params(IdPath), request_body = AcceptRequest, responses(
    (status = 204, description = "Accepted"), (status = 404, body = ErrorBody), (status = 409, description = "invalid_state", body = ErrorBody)))]
pub async fn accept(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Accept>,
) -> Answer<ep::Accept> {
    let comment = validate::optional_text("comment", &call.body.comment, 2000)?;
    let (id, rev) = (call.path.id, call.body.rev);
    decide(user, &db, &key, id, rev, ReviewStatus::Accepted, comment).await?;
    Ok(Reply::done())
}

/// Send the walkthrough back to its observer, saying what to correct.
#[utoipa::path(post, path = ep::Return::PATH, tag = "review", security(("bearer" = [])), params(IdPath), request_body = ReturnRequest, responses(
    (status = 204, description = "Returned"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn return_to_observer(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Return>,
) -> Answer<ep::Return> {
    let comment = validate::text("comment", &call.body.comment, 2000)?;
    let (id, rev) = (call.path.id, call.body.rev);
    decide(user, &db, &key, id, rev, ReviewStatus::Returned, comment).await?;
    Ok(Reply::done())
}

/// The manager's decision on a walkthrough, recorded as of the version they saw.
async fn decide(
    user: AuthUser,
    db: &Db,
    key: &AuditKey,
    id: String,
    rev: i32,
    status: ReviewStatus,
    comment: String,
) -> Result<(), AppError> {
    let key = key.clone();
    db.write(move |conn| review::decide(conn, &key, &id, rev, status, &comment, &user.id))
        .await
}
