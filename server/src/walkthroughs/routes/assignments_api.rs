//! Assignments: staff plan them; observers see only their own (see `crate::walkthroughs::service::assignments`).

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::assignments::{Assignment, AssignmentInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::assignments as ep;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::walkthroughs::service::assignments;
use flowwalk_shared::endpoints::IdPath;

/// Staff see every assignment; observers see those they are on.
#[utoipa::path(get, path = ep::List::PATH, tag = "assignments", security(("bearer" = [])), responses((status = 200, body = [Assignment])))]
pub async fn list(user: AuthUser, db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    Ok(Reply::ok(
        db.read(move |conn| assignments::visible_to(conn, &user.id, user.role))
            .await?,
    ))
}

/// One assignment; an observer gets 403 for one they are not on.
#[utoipa::path(get, path = ep::Get::PATH, tag = "assignments", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Assignment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(user: AuthUser, db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| assignments::get_for(conn, &id, &user.id, user.role))
            .await?,
    ))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "assignments", security(("bearer" = [])), request_body = AssignmentInput, responses(
    (status = 201, body = Assignment), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(user: AuthUser, db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let a = db
        .write(move |conn| assignments::create(conn, &body, &user.id))
        .await?;
    Ok(Reply::created(a))
}

#[utoipa::path(put, path = ep::Update::PATH, tag = "assignments", security(("bearer" = [])), params(IdPath), request_body = AssignmentInput, responses(
    (status = 200, body = Assignment), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(user: AuthUser, db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let id = call.path.id;
    let body = call.body;
    Ok(Reply::ok(
        db.write(move |conn| assignments::update(conn, &id, &body, &user.id))
            .await?,
    ))
}
