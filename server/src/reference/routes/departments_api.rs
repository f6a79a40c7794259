//! Departments: read by everyone logged in, edited by staff.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::departments::{Department, DepartmentInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::departments as ep;

use crate::db::Db;
use crate::reference::service::departments;
use flowwalk_shared::endpoints::IdPath;

#[utoipa::path(get, path = ep::List::PATH, tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Department])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let rows = db.read(departments::list).await?;
    Ok(Reply::ok(rows.into_iter().map(Department::from).collect()))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let row = db.read(move |conn| departments::get(conn, &id)).await?;
    Ok(Reply::ok(row.into()))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "reference data", security(("bearer" = [])), request_body = DepartmentInput, responses(
    (status = 201, body = Department), (status = 400, body = ErrorBody), (status = 409, description = "duplicate code or name", body = ErrorBody)))]
pub async fn create(db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let row = db
        .write(move |conn| departments::create(conn, &body))
        .await?;
    Ok(Reply::created(Department::from(row)))
}

#[utoipa::path(put, path = ep::Update::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = DepartmentInput, responses(
    (status = 200, body = Department), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let (id, body) = (call.path.id, call.body);
    let row = db
        .write(move |conn| departments::update(conn, &id, &body))
        .await?;
    Ok(Reply::ok(row.into()))
}
