//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use diesel::r2d2::R2D2Connection;

use crate::db::Db;
use crate::error::AppError;

/// The process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Up")))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers; 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "Database unreachable", body = flowwalk_shared::ErrorBody),
))]
pub async fn ready(db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    db.read(|conn| conn.ping().map_err(AppError::pool)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
