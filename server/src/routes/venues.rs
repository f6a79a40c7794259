//! Venues: read by everyone logged in, edited by staff; the hierarchy is enforced here.

use actix_web::{HttpResponse, web};
use flowwalk_shared::api::venues::{Venue, VenueInput};
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::db::{Db, DbConnection};
use crate::domain::validate;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models;
use crate::models::venues::{self, VenueRow};

/// Checks the input and the parent's level; `id` is the venue being edited, if any.
pub fn checked_row(
    conn: &mut DbConnection,
    id: Option<&str>,
    input: &VenueInput,
) -> Result<VenueRow, AppError> {
    let code = validate::code("code", &input.code)?;
    let name = validate::text("name", &input.name, 100)?;
    let address = validate::optional_text("address", &input.address, 200)?;
    let parent = match input.parent_id.as_deref() {
        Some(pid) => match venues::get(conn, pid) {
            Ok(p) => Some(p),
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::new(ErrorCode::UnknownReference).field("parent_id"));
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    if !input
        .level
        .parent_allowed(parent.as_ref().map(VenueRow::level))
    {
        return Err(AppError::invalid(
            "parent_id",
            "上级场所层级不符:区中心属于市中心,镇街中心属于区中心,村社区服务站属于镇街中心",
            "Wrong parent level: district under city, town under district, village under town",
        ));
    }
    if let (Some(id), Some(p)) = (id, &parent)
        && venues::is_self_or_descendant(conn, &p.id, id)?
    {
        return Err(AppError::invalid(
            "parent_id",
            "上级场所不能是自身或其下级",
            "A venue cannot sit under itself",
        ));
    }
    let now = models::now();
    Ok(VenueRow {
        id: id.map_or_else(models::new_id, str::to_owned),
        code,
        name,
        level: input.level.as_str().to_owned(),
        parent_id: parent.map(|p| p.id),
        address,
        created_at: now,
        updated_at: now,
    })
}

#[utoipa::path(get, path = "/api/v1/venues", tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Venue])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Venue>>, AppError> {
    let rows = db.read(|conn| Ok(venues::list(conn)?)).await?;
    Ok(web::Json(rows.into_iter().map(Venue::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "reference data", security(("bearer" = [])), responses(
    (status = 200, body = Venue), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, id: web::Path<String>) -> Result<web::Json<Venue>, AppError> {
    let id = id.into_inner();
    let row = db.read(move |conn| Ok(venues::get(conn, &id)?)).await?;
    Ok(web::Json(row.into()))
}

#[utoipa::path(post, path = "/api/v1/venues", tag = "reference data", security(("bearer" = [])), request_body = VenueInput, responses(
    (status = 201, body = Venue), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    db: web::Data<Db>,
    ApiJson(body): ApiJson<VenueInput>,
) -> Result<HttpResponse, AppError> {
    let row = db
        .write(move |conn| {
            let row = checked_row(conn, None, &body)?;
            venues::insert(conn, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Venue::from(row)))
}

#[utoipa::path(put, path = "/api/v1/venues/{id}", tag = "reference data", security(("bearer" = [])), request_body = VenueInput, responses(
    (status = 200, body = Venue), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<VenueInput>,
) -> Result<web::Json<Venue>, AppError> {
    let id = id.into_inner();
    let row = db
        .write(move |conn| {
            let existing = venues::get(conn, &id)?;
            let row = checked_row(conn, Some(&id), &body)?;
            if existing.level != row.level && venues::has_children(conn, &id)? {
                return Err(AppError::invalid(
                    "level",
                    "该场所有下级场所,不能修改层级",
                    "A venue with children cannot change level",
                ));
            }
            Ok(venues::update(conn, &row)?)
        })
        .await?;
    Ok(web::Json(row.into()))
}
