//! Departments: read by everyone logged in, edited by staff.

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::departments::{Department, DepartmentInput};

use crate::db::Db;
use crate::domain::validate;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models;
use crate::models::departments::{self, DepartmentRow};
use crate::routes::openapi::IdPath;

struct Checked {
    code: String,
    name: String,
    name_en: String,
}

fn check(input: &DepartmentInput) -> Result<Checked, AppError> {
    Ok(Checked {
        code: validate::code("code", &input.code)?,
        name: validate::text("name", &input.name, 100)?,
        name_en: validate::optional_text("name_en", &input.name_en, 200)?,
    })
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Department])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Department>>, AppError> {
    let rows = db.read(|conn| Ok(departments::list(conn)?)).await?;
    Ok(web::Json(rows.into_iter().map(Department::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get(
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<Department>, AppError> {
    let id = id.into_inner();
    let row = db
        .read(move |conn| Ok(departments::get(conn, &id)?))
        .await?;
    Ok(web::Json(row.into()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "reference data", security(("bearer" = [])), request_body = DepartmentInput, responses(
    (status = 201, body = Department), (status = 400, body = ErrorBody), (status = 409, description = "duplicate code or name", body = ErrorBody)))]
pub async fn create(
    db: web::Data<Db>,
    ApiJson(body): ApiJson<DepartmentInput>,
) -> Result<HttpResponse, AppError> {
    let c = check(&body)?;
    let row = db
        .write(move |conn| {
            let now = models::now();
            let row = DepartmentRow {
                id: models::new_id(),
                code: c.code,
                name: c.name,
                name_en: c.name_en,
                created_at: now,
                updated_at: now,
            };
            departments::insert(conn, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Department::from(row)))
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = DepartmentInput, responses(
    (status = 200, body = Department), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<DepartmentInput>,
) -> Result<web::Json<Department>, AppError> {
    let c = check(&body)?;
    let id = id.into_inner();
    let row = db
        .write(move |conn| {
            Ok(departments::update(
                conn,
                &id,
                &c.code,
                &c.name,
                &c.name_en,
                models::now(),
            )?)
        })
        .await?;
    Ok(web::Json(row.into()))
}
