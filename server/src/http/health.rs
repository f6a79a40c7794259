//! Liveness and readiness probes for load balancers and orchestrators.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use diesel::r2d2::R2D2Connection;
use flowwalk_shared::api::Health;
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::health as ep;

use crate::db::Db;
use crate::error::AppError;

/// The process is up and answering.
#[utoipa::path(get, path = ep::Live::PATH, tag = "health", responses((status = 200, description = "Up")))]
pub async fn live(_: In<ep::Live>) -> Answer<ep::Live> {
    Ok(Reply::ok(Health {
        status: "ok".into(),
    }))
}

/// The database answers; 503 otherwise.
#[utoipa::path(get, path = ep::Ready::PATH, tag = "health", responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "Database unreachable", body = flowwalk_shared::ErrorBody),
))]
pub async fn ready(db: web::Data<Db>, _: In<ep::Ready>) -> Answer<ep::Ready> {
    db.read(|conn| conn.ping().map_err(AppError::pool)).await?;
    Ok(Reply::ok(Health {
        status: "ready".into(),
    }))
}
