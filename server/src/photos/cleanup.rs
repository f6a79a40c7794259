//! Removing orphan photos: photos that no record refers to (see `photo_access::SOURCES`) once
//! they are older than `photo_orphan_hours`. Each removal is logged.
//!
//! Servers are stateless and several may run this at the same moment, beside pushes that
//! start referring to a photo and uploads that store it again. Each photo is therefore
//! removed inside a write transaction that holds the photo's lock — the lock a push takes
//! before it counts a photo as arrived, and an upload before it writes the photo's row —
//! from the re-check ("still unreferenced, still old") through the deletion of its files
//! to the commit. On PostgreSQL the lock is only tried: a photo another server is busy
//! with is skipped this round. An upload that wrote its files while they were being
//! removed finds them missing after its row is written and writes them again
//! (`PhotoStore::ensure`).

use chrono::{Duration, NaiveDateTime};

use super::PhotoStore;
use super::photo_access;
use crate::db::{self, Db, DbConnection};
use crate::error::AppError;
use crate::photos::store as photos;

/// How many candidates one round looks at; the next round continues.
const BATCH: i64 = 500;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Orphans removed.
    pub removed: usize,
    /// Old photos still referred to, left alone.
    pub referenced: usize,
    /// Orphans skipped: another server was removing them, or they changed meanwhile.
    pub skipped: usize,
}

/// Removes the photos no record refers to that were stored more than `age` ago.
pub async fn remove_orphans(
    db: &Db,
    store: &PhotoStore,
    age: Duration,
) -> Result<Report, AppError> {
    let cutoff = crate::db::rows::now() - age;
    let candidates = db
        .read(move |conn| Ok(photos::older_than(conn, cutoff, BATCH)?))
        .await?;
    let mut report = Report::default();
    for photo in candidates {
        let sha = photo.sha256;
        let referenced = {
            let sha = sha.clone();
            db.read(move |conn| photo_access::is_referenced(conn, &sha))
                .await?
        };
        if referenced {
            report.referenced += 1;
            continue;
        }
        if remove_one(db, store, &sha, cutoff).await? {
            tracing::info!(
                photo = %sha,
                bytes = photo.bytes,
                uploaded_by = %photo.uploaded_by,
                stored_at = %photo.created_at,
                "orphan photo removed: no record refers to it"
            );
            report.removed += 1;
        } else {
            report.skipped += 1;
        }
    }
    if report != Report::default() {
        tracing::info!(
            removed = report.removed,
            referenced = report.referenced,
            skipped = report.skipped,
            "orphan photo cleanup"
        );
    }
    Ok(report)
}

/// Removes one photo under its lock (see the module doc); false if it was not removed.
async fn remove_one(
    db: &Db,
    store: &PhotoStore,
    sha: &str,
    cutoff: NaiveDateTime,
) -> Result<bool, AppError> {
    let pool = db.pool().clone();
    let owned = sha.to_owned();
    // Phase 1: open the transaction, take the lock, check again, delete the row.
    let (conn, removed) = actix_web::web::block(move || -> Result<_, AppError> {
        let mut conn = pool.get().map_err(AppError::pool)?;
        db::begin_write(&mut conn)?;
        match claim(&mut conn, &owned, cutoff) {
            Ok(true) => Ok((conn, true)),
            Ok(false) => {
                db::rollback(&mut conn)?;
                Ok((conn, false))
            }
            Err(e) => {
                let _ = db::rollback(&mut conn);
                Err(e)
            }
        }
    })
    .await
    .map_err(|e| AppError::internal(anyhow::anyhow!("orphan cleanup task failed: {e}")))??;
    if !removed {
        return Ok(false);
    }
    // Phase 2: the files, with the lock still held. A failure leaves stray files (the
    // row is gone; an upload of the same photo writes them again), never a row whose
    // files are missing.
    if let Err(e) = store.delete(sha).await {
        tracing::warn!(photo = %sha, error = %e, "orphan photo's files not all deleted");
    }
    // Phase 3: commit, releasing the lock.
    actix_web::web::block(move || {
        let mut conn = conn;
        db::commit(&mut conn)
    })
    .await
    .map_err(|e| AppError::internal(anyhow::anyhow!("orphan cleanup task failed: {e}")))??;
    Ok(true)
}

/// Inside the transaction: true if the photo was locked, is still old and unreferenced,
/// and its row is now deleted.
fn claim(conn: &mut DbConnection, sha: &str, cutoff: NaiveDateTime) -> Result<bool, AppError> {
    if !db::try_lock_photo(conn, sha)? {
        return Ok(false);
    }
    let Some(row) = photos::get(conn, sha)? else {
        return Ok(false);
    };
    if row.created_at >= cutoff || photo_access::is_referenced(conn, sha)? {
        return Ok(false);
    }
    Ok(photos::delete(conn, sha)?)
}
