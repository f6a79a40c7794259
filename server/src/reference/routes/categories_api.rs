//! Problem categories: read by everyone logged in, edited by staff.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::categories::{Category, CategoryInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::categories as ep;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::issues::service::AuditKey;
use crate::issues::service::audit::Acting;
use crate::reference::service::categories;
use flowwalk_shared::endpoints::IdPath;

#[utoipa::path(get, path = ep::List::PATH, tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Category])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let rows = db.read(categories::list).await?;
    Ok(Reply::ok(rows.into_iter().map(Category::from).collect()))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "reference data", security(("bearer" = [])), request_body = CategoryInput, responses(
    (status = 201, body = Category), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::Create>,
) -> Answer<ep::Create> {
    let body = call.body;
    let row = db
        .write(move |conn| categories::create(conn, &Acting::user(&key, &user), &body))
        .await?;
    Ok(Reply::created(Category::from(row)))
}

/// Edit a category's group, names or whether it is offered; its id never changes.
#[utoipa::path(put, path = ep::Update::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = CategoryInput, responses(
    (status = 200, body = Category), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::Update>,
) -> Answer<ep::Update> {
    let (id, body) = (call.path.id, call.body);
    let row = db
        .write(move |conn| categories::update(conn, &Acting::user(&key, &user), &id, &body))
        .await?;
    Ok(Reply::ok(Category::from(row)))
}
