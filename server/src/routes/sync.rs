//! Sync endpoints: push walkthrough revisions, pull what the phone needs, and the
//! conflicting versions managers must see.

use actix_web::{HttpResponse, web};
use flowwalk_shared::api::walkthroughs::ConflictVersion;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse};
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::walkthroughs as wt;
use crate::sync::{self, PushContext};

/// The most records one push may carry; phones send the rest in the next push.
pub const MAX_RECORDS_PER_PUSH: usize = 50;

/// Push walkthrough revisions; one result per record, each after its commit.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest, responses(
    (status = 200, body = PushResponse),
    (status = 400, description = "unsupported_protocol or malformed body", body = ErrorBody),
    (status = 503, description = "retry later; records answered before were committed", body = ErrorBody),
))]
pub async fn push(
    user: AuthUser,
    db: web::Data<Db>,
    cache: web::Data<sync::RefCache>,
    ApiJson(body): ApiJson<sync::IncomingPush>,
) -> Result<web::Json<PushResponse>, AppError> {
    if body.protocol != PROTOCOL_VERSION {
        return Err(AppError::new(ErrorCode::UnsupportedProtocol).field("protocol"));
    }
    if body.records.len() > MAX_RECORDS_PER_PUSH {
        return Err(AppError::invalid(
            "records",
            "单次同步记录过多",
            "Too many records in one push",
        ));
    }
    if body.device_id.is_empty() || body.device_id.len() > 64 {
        return Err(AppError::invalid(
            "device_id",
            "设备编号无效",
            "Invalid device id",
        ));
    }
    let server_now_ms = sync::now_ms();
    let ctx = PushContext {
        clock_offset_ms: server_now_ms.saturating_sub(body.device_time_ms),
        user,
        server_now_ms,
    };
    let gate = db.gate().clone();
    let cache = cache.into_inner();
    let results = db
        .read(move |conn| {
            body.records
                .iter()
                .map(|rec| sync::push_one(conn, &gate, &ctx, &cache, rec))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(web::Json(PushResponse {
        server_time_ms: sync::now_ms(),
        results,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor from the previous pull; omit (or 0) the first time.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
}

/// What the phone needs offline, and review outcomes of its walkthroughs, since `cursor`.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])), params(PullQuery), responses(
    (status = 200, body = PullResponse),
    (status = 400, description = "invalid cursor", body = ErrorBody),
))]
pub async fn pull(
    user: AuthUser,
    db: web::Data<Db>,
    query: web::Query<PullQuery>,
) -> Result<web::Json<PullResponse>, AppError> {
    let cursor = match query.into_inner().cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
            AppError::new(ErrorCode::InvalidQuery)
                .field("cursor")
                .message("同步游标无效", "Invalid cursor")
        })?,
    };
    Ok(web::Json(
        db.read(move |conn| sync::pull(conn, &user, cursor)).await?,
    ))
}

/// Conflicting versions of stored revisions, newest first.
#[utoipa::path(get, path = "/api/v1/sync/conflicts", tag = "sync", security(("bearer" = [])), responses(
    (status = 200, body = [ConflictVersion]),
))]
pub async fn conflicts(db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let list = db
        .read(|conn| {
            let mut out = Vec::new();
            for c in wt::conflicts(conn)? {
                let stored = wt::revision(conn, &c.walkthrough_id, c.rev)?
                    .map(|r| r.content_hash)
                    .unwrap_or_default();
                let Ok(record) = serde_json::from_str(&c.body) else {
                    continue;
                };
                out.push(ConflictVersion {
                    walkthrough_id: c.walkthrough_id,
                    rev: c.rev,
                    content_hash: c.content_hash,
                    observer_id: c.observer_id,
                    device_id: c.device_id,
                    received_at: c.received_at,
                    record,
                    stored_content_hash: stored,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
