//! Photos as jobs: an upload (idempotent, hash verified, charged to the daily quota before
//! it is decoded, objects stored before their row), and the reads of a photo by those who
//! may see a record that refers to it — originals logged with who read them.

use std::future::Future;

use bytes::Bytes;
use flowwalk_shared::ErrorCode;
use flowwalk_shared::walkthrough::hex_sha256;

use crate::auth::AuthUser;
use crate::db::{Db, lock_photos};
use crate::error::AppError;
use crate::photos::store::{self, PhotoRow};
use crate::photos::{PhotoStore, Variant, photo_access, quota};
use crate::walkthroughs::service::sync;

/// What may be said about an upload of `sha` before its body is read.
enum Known {
    /// Stored, and the caller may know it (they may read it, or uploaded it themselves).
    Theirs(PhotoRow),
    /// Stored, but the caller may not know that until they show they hold the bytes.
    Hidden,
    New,
}

/// Stores the photo `sha` whose bytes `body` reads (only when they are needed); `declared`
/// is the size the request announced, for the quota's early refusal. Answers whether the
/// photo was new, and its row.
pub async fn put(
    db: &Db,
    photos: &PhotoStore,
    user: AuthUser,
    sha: String,
    declared: u64,
    quota: u64,
    body: impl Future<Output = Result<Bytes, AppError>>,
) -> Result<(bool, PhotoRow), AppError> {
    let known = {
        let (sha, user) = (sha.clone(), user.clone());
        db.read(move |conn| {
            let Some(row) = store::get(conn, &sha)? else {
                quota::precheck(conn, &user.id, declared, quota, crate::db::rows::now())?;
                return Ok(Known::New);
            };
            Ok(
                if row.uploaded_by == user.id || photo_access::can_read_photo(conn, &user, &sha)? {
                    Known::Theirs(row)
                } else {
                    Known::Hidden
                },
            )
        })
        .await?
    };
    if let Known::Theirs(row) = known {
        return Ok((false, row));
    }
    let bytes = body.await?;
    if hex_sha256(&bytes) != sha {
        return Err(AppError::new(ErrorCode::PhotoHashMismatch).field("sha256"));
    }
    // The bytes are theirs now. A photo stored meanwhile costs nothing; a new one is
    // charged before it is decoded.
    let stored = {
        let (sha, uploader) = (sha.clone(), user.id.clone());
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        db.write(move |conn| {
            if let Some(row) = store::get(conn, &sha)? {
                return Ok(Some(row));
            }
            quota::charge(conn, &uploader, size, quota, crate::db::rows::now())?;
            Ok(None)
        })
        .await?
    };
    if let Some(row) = stored {
        return Ok((false, row));
    }
    let variants = photos.process(bytes.clone()).await?;
    let row = PhotoRow {
        sha256: sha.clone(),
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        width: i32::try_from(variants.width).unwrap_or(i32::MAX),
        height: i32::try_from(variants.height).unwrap_or(i32::MAX),
        uploaded_by: user.id,
        created_at: crate::db::rows::now(),
    };
    // Objects first: a photo row is only ever written once its bytes are stored.
    photos.put(&sha, bytes.clone(), variants.clone()).await?;
    let (created, row) = db
        .write(move |conn| {
            lock_photos(conn, std::slice::from_ref(&row.sha256))?;
            let created = store::insert(conn, &row)?;
            sync::photo_arrived(conn, &row.sha256)?;
            Ok((created, row))
        })
        .await?;
    if created {
        // An orphan cleanup may have removed the files of an older copy while ours were
        // being written (see `crate::photos::cleanup`).
        photos.ensure(&sha, bytes, variants).await?;
    }
    Ok((created, row))
}

/// A photo's row, for those who may see a record that refers to it (404 for everyone
/// else, as for a photo never uploaded).
pub async fn meta(db: &Db, user: AuthUser, sha: String) -> Result<PhotoRow, AppError> {
    db.read(move |conn| {
        if !photo_access::can_read_photo(conn, &user, &sha)? {
            return Ok(None);
        }
        Ok(store::get(conn, &sha)?)
    })
    .await?
    .ok_or_else(AppError::not_found)
}

/// A stored form of a photo the viewer may see; 404 otherwise.
pub async fn variant(
    db: &Db,
    photos: &PhotoStore,
    user: AuthUser,
    sha: String,
    v: Variant,
) -> Result<Bytes, AppError> {
    let known = {
        let sha = sha.clone();
        db.read(move |conn| {
            Ok(store::get(conn, &sha)?.is_some()
                && photo_access::can_read_photo(conn, &user, &sha)?)
        })
        .await?
    };
    if !known {
        return Err(AppError::not_found());
    }
    photos.get(&sha, v).await?.ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "photo {sha} is recorded but its {v:?} is missing from the store"
        ))
    })
}

/// The original bytes, the read logged with who read them.
pub async fn original(
    db: &Db,
    photos: &PhotoStore,
    user: AuthUser,
    sha: String,
) -> Result<Bytes, AppError> {
    let reader = user.id.clone();
    let bytes = variant(db, photos, user, sha.clone(), Variant::Original).await?;
    db.write(move |conn| {
        Ok(store::log_read(
            conn,
            &sha,
            &reader,
            crate::db::rows::now(),
        )?)
    })
    .await?;
    Ok(bytes)
}
