//! Housekeeping every server does now and then (`maintenance_interval_secs`), and
//! `flowwalk maintenance` does once: orphan photos are removed, expired rate-limit rows
//! purged. Safe with several servers at once (see `photos::cleanup`).

use std::sync::Arc;

use chrono::Duration;

use crate::auth::limits;
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::photos::PhotoStore;
use crate::photos::cleanup::{self, Report};

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub photos: Report,
    pub expired_attempts: usize,
}

/// One round.
pub async fn run_once(
    db: &Db,
    store: &PhotoStore,
    settings: &Settings,
) -> Result<Summary, AppError> {
    let age = Duration::hours(i64::from(settings.photo_orphan_hours));
    let photos = cleanup::remove_orphans(db, store, age).await?;
    let window = settings.clone();
    let expired_attempts = db
        .write(move |conn| limits::purge_expired(conn, &window))
        .await?;
    if expired_attempts > 0 {
        tracing::info!(expired_attempts, "expired rate-limit rows purged");
    }
    Ok(Summary {
        photos,
        expired_attempts,
    })
}

/// Rounds every `maintenance_interval_secs` (the first one after a full interval), until
/// the task is dropped. A failed round is logged and the next one tries again.
pub async fn run_forever(db: Db, store: Arc<PhotoStore>, settings: Settings) {
    let every = std::time::Duration::from_secs(settings.maintenance_interval_secs.max(1));
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(e) = run_once(&db, &store, &settings).await {
            tracing::warn!(error = %e, "maintenance round failed; next round retries");
        }
    }
}
