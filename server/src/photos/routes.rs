//! Photos: content-addressed upload by observers (idempotent, hash verified, within a
//! daily quota), metadata-free variants for those who may see a record that refers to the
//! photo, and originals for staff only, every read logged. Who may do what is decided in
//! `crate::photos::photo_access`; the jobs are in `crate::photos::upload`.

use crate::http::contract::{Answer, In, Reply};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::{Bytes, BytesMut};
use flowwalk_shared::api::walkthroughs::PhotoInfo;
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoint::File;
use flowwalk_shared::endpoints::Sha256Path;
use flowwalk_shared::endpoints::photos as ep;
use flowwalk_shared::walkthrough::is_sha256_hex;
use flowwalk_shared::{ErrorBody, ErrorCode};
use futures_util::StreamExt;

use crate::auth::AuthUser;
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::photos::store::PhotoRow;
use crate::photos::{PhotoStore, Variant, sniff_content_type, upload};

fn checked_sha(path: Sha256Path) -> Result<String, AppError> {
    let sha = path.sha256.to_ascii_lowercase();
    if !is_sha256_hex(&sha) {
        return Err(AppError::new(ErrorCode::InvalidPath)
            .field("sha256")
            .message(
                "照片编号须为 64 位十六进制 SHA-256",
                "A photo is named by its SHA-256 in 64 hex digits",
            ));
    }
    Ok(sha)
}

fn info(row: PhotoRow) -> PhotoInfo {
    PhotoInfo {
        sha256: row.sha256,
        bytes: row.bytes,
        width: row.width,
        height: row.height,
        created_at: row.created_at,
    }
}

/// Reads the body, refusing it as soon as it passes the limit.
async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Bytes, AppError> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if crate::http::extract::is_cut(&e) {
                // The phone lost its signal or gave up: no error of ours, it will resend.
                tracing::info!(received = buf.len(), "photo upload cut short by the client");
            }
            AppError::new(ErrorCode::PhotoCorrupt)
                .message(format!("上传中断:{e}"), format!("Upload interrupted: {e}"))
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(AppError::new(ErrorCode::PhotoTooLarge));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Upload a photo under its SHA-256 (observers; department officers for evidence).
/// Repeating an upload is cheap and harmless: a photo the caller already has on the
/// server is answered at once, without reading or processing it again. Anyone else must
/// send the bytes, so an upload never tells who has stored which photo.
#[utoipa::path(put, path = ep::Put::PATH, tag = "photos", security(("bearer" = [])),
    params(Sha256Path),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The photo: JPEG, PNG or WebP, at most `max_photo_bytes`"),
    responses(
        (status = 201, description = "Stored", body = PhotoInfo),
        (status = 200, description = "Already stored", body = PhotoInfo),
        (status = 400, description = "photo_hash_mismatch or invalid_path", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "only observers and department officers upload photos", body = ErrorBody),
        (status = 413, description = "photo_too_large", body = ErrorBody),
        (status = 422, description = "photo_not_an_image, photo_corrupt or photo_too_many_pixels", body = ErrorBody),
        (status = 429, description = "photo_quota_exceeded (with Retry-After)", body = ErrorBody),
))]
pub async fn put(
    req: HttpRequest,
    user: AuthUser,
    db: web::Data<Db>,
    store: web::Data<PhotoStore>,
    settings: web::Data<Settings>,
    payload: web::Payload,
    call: In<ep::Put>,
) -> Answer<ep::Put> {
    let sha = checked_sha(call.path)?;
    let body = read_limited(payload, store.limits.max_bytes);
    let quota = settings.photo_quota_bytes_per_day;
    let (created, row) =
        upload::put(&db, &store, user, sha, content_length(&req), quota, body).await?;
    Ok(if created {
        Reply::created(info(row))
    } else {
        Reply::ok(info(row))
    })
}

/// The declared body size, if any.
fn content_length(req: &HttpRequest) -> u64 {
    req.headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Whether a photo has arrived, and its size — for those who may see a record that
/// refers to it (404 for everyone else, as for a photo never uploaded).
#[utoipa::path(get, path = ep::Meta::PATH, tag = "photos", security(("bearer" = [])), params(Sha256Path), responses(
    (status = 200, body = PhotoInfo), (status = 400, description = "invalid_path", body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meta(user: AuthUser, db: web::Data<Db>, call: In<ep::Meta>) -> Answer<ep::Meta> {
    let sha = checked_sha(call.path)?;
    Ok(Reply::ok(info(upload::meta(&db, user, sha).await?)))
}

fn image(bytes: Bytes, content_type: &'static str) -> Reply<File> {
    Reply::file(
        HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, content_type))
            .insert_header((CACHE_CONTROL, "private, max-age=31536000, immutable"))
            .body(bytes),
    )
}

/// The display size (long edge ≤ 1600), JPEG, no metadata.
#[utoipa::path(get, path = ep::Display::PATH, tag = "photos", security(("bearer" = [])), params(Sha256Path), responses(
    (status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 400, description = "invalid_path", body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn display(
    user: AuthUser,
    db: web::Data<Db>,
    store: web::Data<PhotoStore>,
    call: In<ep::Display>,
) -> Answer<ep::Display> {
    let sha = checked_sha(call.path)?;
    Ok(image(
        upload::variant(&db, &store, user, sha, Variant::Display).await?,
        "image/jpeg",
    ))
}

/// The thumbnail (long edge ≤ 320), JPEG, no metadata.
#[utoipa::path(get, path = ep::Thumb::PATH, tag = "photos", security(("bearer" = [])), params(Sha256Path), responses(
    (status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 400, description = "invalid_path", body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn thumb(
    user: AuthUser,
    db: web::Data<Db>,
    store: web::Data<PhotoStore>,
    call: In<ep::Thumb>,
) -> Answer<ep::Thumb> {
    let sha = checked_sha(call.path)?;
    Ok(image(
        upload::variant(&db, &store, user, sha, Variant::Thumb).await?,
        "image/jpeg",
    ))
}

/// The original bytes as uploaded (evidence, with their metadata). Staff only, and only of
/// photos in records they may see; every read is logged with who read it.
#[utoipa::path(get, path = ep::Original::PATH, tag = "photos", security(("bearer" = [])), params(Sha256Path), responses(
    (status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 400, description = "invalid_path", body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn original(
    user: AuthUser,
    db: web::Data<Db>,
    store: web::Data<PhotoStore>,
    call: In<ep::Original>,
) -> Answer<ep::Original> {
    let sha = checked_sha(call.path)?;
    let bytes = upload::original(&db, &store, user.clone(), sha.clone()).await?;
    tracing::info!(photo = %sha, user = %user.username, "original photo read");
    let content_type = sniff_content_type(&bytes);
    Ok(image(bytes, content_type))
}
