//! Problem categories: read by everyone logged in, edited by staff.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::categories::{Category, CategoryInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::categories as ep;

use crate::db::Db;
use crate::error::AppError;
use crate::reference::store::category_rows::{self, CategoryRow};
use crate::validate;
use flowwalk_shared::endpoints::IdPath;

#[utoipa::path(get, path = ep::List::PATH, tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Category])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let rows = db.read(|conn| Ok(category_rows::list(conn)?)).await?;
    Ok(Reply::ok(rows.into_iter().map(Category::from).collect()))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "reference data", security(("bearer" = [])), request_body = CategoryInput, responses(
    (status = 201, body = Category), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let id = validate::code("id", &body.id)?.replace('-', "_");
    let name_zh = validate::text("name_zh", &body.name_zh, 100)?;
    let name_en = validate::optional_text("name_en", &body.name_en, 200)?;
    let row = db
        .write(move |conn| {
            let row = CategoryRow {
                position: category_rows::next_position(conn)?,
                id,
                grp: body.group,
                name_zh,
                name_en,
                active: body.active,
            };
            category_rows::insert(conn, &row)?;
            Ok(row)
        })
        .await?;
    Ok(Reply::created(Category::from(row)))
}

/// Edit a category's group, names or whether it is offered; its id never changes.
#[utoipa::path(put, path = ep::Update::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = CategoryInput, responses(
    (status = 200, body = Category), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let id = call.path.id;
    let body = call.body;
    if body.id != id {
        return Err(AppError::invalid(
            "id",
            "分类编号不能修改",
            "A category's id cannot change",
        ));
    }
    let name_zh = validate::text("name_zh", &body.name_zh, 100)?;
    let name_en = validate::optional_text("name_en", &body.name_en, 200)?;
    let row = db
        .write(move |conn| {
            Ok(category_rows::update(
                conn,
                &id,
                body.group.as_str(),
                &name_zh,
                &name_en,
                body.active,
            )?)
        })
        .await?;
    Ok(Reply::ok(Category::from(row)))
}
