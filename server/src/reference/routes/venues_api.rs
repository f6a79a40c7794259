//! Venues: read by everyone logged in, edited by staff. The rules are in `crate::reference::service::venues`.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::venues::{Venue, VenueInput};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::venues as ep;

use crate::db::Db;
use crate::reference::service::venues;
use flowwalk_shared::endpoints::IdPath;

#[utoipa::path(get, path = ep::List::PATH, tag = "reference data", security(("bearer" = [])), responses((status = 200, body = [Venue])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let list = db.read(venues::list).await?;
    Ok(Reply::ok(list.into_iter().map(Venue::from).collect()))
}

#[utoipa::path(get, path = ep::Get::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = Venue), (status = 404, body = ErrorBody)))]
pub async fn get(db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    let row = db.read(move |conn| venues::get(conn, &id)).await?;
    Ok(Reply::ok(Venue::from(row)))
}

#[utoipa::path(post, path = ep::Create::PATH, tag = "reference data", security(("bearer" = [])), request_body = VenueInput, responses(
    (status = 201, body = Venue), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    let venue = db.write(move |conn| venues::create(conn, &body)).await?;
    Ok(Reply::created(venue))
}

#[utoipa::path(put, path = ep::Update::PATH, tag = "reference data", security(("bearer" = [])), params(IdPath), request_body = VenueInput, responses(
    (status = 200, body = Venue), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(db: web::Data<Db>, call: In<ep::Update>) -> Answer<ep::Update> {
    let id = call.path.id;
    let body = call.body;
    Ok(Reply::ok(
        db.write(move |conn| venues::update(conn, &id, &body))
            .await?,
    ))
}
