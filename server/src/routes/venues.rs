//! Venues: read by everyone logged in, edited by staff. The rules are in `crate::venues`.

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::venues::{Venue, VenueInput};

use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::venues as rows;
use crate::routes::openapi::IdPath;
use crate::venues;

#[utoipa::path(get, path = "/api/v1/venues", tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Venue])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Venue>>, AppError> {
    let list = db.read(|conn| Ok(rows::list(conn)?)).await?;
    Ok(web::Json(
        list.into_iter()
            .map(Venue::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Venue), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, id: web::Path<String>) -> Result<web::Json<Venue>, AppError> {
    let id = id.into_inner();
    let row = db.read(move |conn| Ok(rows::get(conn, &id)?)).await?;
    Ok(web::Json(Venue::try_from(row)?))
}

#[utoipa::path(post, path = "/api/v1/venues", tag = "reference data", security(("bearer" = [])), request_body = VenueInput, responses(
    (status = 201, body = Venue), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    db: web::Data<Db>,
    ApiJson(body): ApiJson<VenueInput>,
) -> Result<HttpResponse, AppError> {
    let venue = db.write(move |conn| venues::create(conn, &body)).await?;
    Ok(HttpResponse::Created().json(venue))
}

#[utoipa::path(put, path = "/api/v1/venues/{id}", tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = VenueInput, responses(
    (status = 200, body = Venue), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<VenueInput>,
) -> Result<web::Json<Venue>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.write(move |conn| venues::update(conn, &id, &body))
            .await?,
    ))
}
