//! Sync endpoints: push walkthrough revisions, pull what the phone needs, and the
//! conflicting versions managers must see.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::api::walkthroughs::ConflictVersion;
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::sync as ep;
use flowwalk_shared::sync::PullQuery;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse};
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::AppError;
use crate::walkthroughs::service::sync::{self, PushContext};

/// The most records one push may carry; phones send the rest in the next push.
pub const MAX_RECORDS_PER_PUSH: usize = 50;

/// Push walkthrough revisions; one result per record, each after its commit.
#[utoipa::path(post, path = ep::Push::PATH, tag = "sync", security(("bearer" = [])), request_body = PushRequest, responses(
    (status = 200, body = PushResponse),
    (status = 400, description = "unsupported_protocol or malformed body", body = ErrorBody),
    (status = 503, description = "retry later; records answered before were committed", body = ErrorBody),
))]
pub async fn push(
    user: AuthUser,
    db: web::Data<Db>,
    cache: web::Data<sync::RefCache>,
    call: In<ep::Push>,
) -> Answer<ep::Push> {
    let body = call.body;
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
                .map(|rec| {
                    sync::push_one(conn, &gate, &ctx, &cache, rec)
                        .inspect(|answer| sync::log_rejected(&ctx, rec, answer))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Reply::ok(PushResponse {
        server_time_ms: sync::now_ms(),
        results,
    }))
}

/// What the phone needs offline, and review outcomes of its walkthroughs, since `cursor`.
#[utoipa::path(get, path = ep::Pull::PATH, tag = "sync", security(("bearer" = [])), params(PullQuery), responses(
    (status = 200, body = PullResponse),
    (status = 400, description = "invalid cursor", body = ErrorBody),
))]
pub async fn pull(user: AuthUser, db: web::Data<Db>, call: In<ep::Pull>) -> Answer<ep::Pull> {
    let query = call.query;
    let cursor = match query.cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
            AppError::new(ErrorCode::InvalidQuery)
                .field("cursor")
                .message("同步游标无效", "Invalid cursor")
        })?,
    };
    Ok(Reply::ok(
        db.read(move |conn| sync::pull(conn, &user, cursor)).await?,
    ))
}

/// Conflicting versions of stored revisions, newest first.
#[utoipa::path(get, path = ep::Conflicts::PATH, tag = "sync", security(("bearer" = [])), responses(
    (status = 200, body = [ConflictVersion]),
))]
pub async fn conflicts(db: web::Data<Db>, _: In<ep::Conflicts>) -> Answer<ep::Conflicts> {
    let list = db.read(sync::conflicts).await?;
    Ok(Reply::ok(list))
}
