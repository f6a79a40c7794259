//! The server side of the sync protocol (see `flowwalk_shared::sync`): storing pushed
//! walkthrough revisions exactly once, completeness, and what a pull returns.
//!
//! Each record is stored in its own transaction and answered only after it committed.
//! The database's unique key on `(walkthrough_id, rev)` decides between "accepted" and
//! "already had it / conflict"; nothing here checks and then inserts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::scenarios::Step;
use flowwalk_shared::sync::{
    PushRecord, PushResult, PushStatus, ReferenceData, ReviewOutcome, ReviewStatus,
};
use flowwalk_shared::walkthrough::{WalkthroughRecord, hex_sha256};

use crate::auth::AuthUser;
use crate::db::changes::{self, Kind};
use crate::db::{DbConnection, WriteGate, lock_for_pull, lock_photos_then_user};
use crate::error::AppError;
use crate::http::extract;
use crate::photos::store as photos;
use crate::reference::store::{category_rows, department_rows, scenario_rows, venue_rows};
use crate::walkthroughs::store::assignment_rows;
use crate::walkthroughs::store::walkthrough_rows::{
    self as wt, ConflictRow, RevisionRow, WalkthroughRow,
};

/// Logs a record the server refused, with why (the phone shows it to the observer).
pub fn log_rejected(ctx: &PushContext, rec: &PushRecord, answer: &PushResult) {
    if answer.status == PushStatus::Rejected {
        tracing::info!(
            walkthrough = %rec.id,
            rev = rec.rev,
            user = %ctx.user.username,
            code = ?answer.code,
            field = ?answer.field,
            "pushed record rejected"
        );
    }
}

/// What a push needs to know about its caller and the moment.
pub struct PushContext {
    pub user: AuthUser,
    /// Server time minus device time, measured at this push.
    pub clock_offset_ms: i64,
    pub server_now_ms: i64,
}

fn result(rec: &PushRecord, status: PushStatus) -> PushResult {
    PushResult {
        id: rec.id.clone(),
        rev: rec.rev,
        status,
        code: None,
        message: None,
        field: None,
        missing_photos: Vec::new(),
    }
}

fn rejected(rec: &PushRecord, e: &AppError) -> PushResult {
    PushResult {
        code: Some(e.code),
        message: Some(e.message_zh().to_owned()),
        field: e.field.clone(),
        ..result(rec, PushStatus::Rejected)
    }
}

/// Why a record's transaction did not commit: a refusal to answer `rejected`, or the
/// database's own error, kept as diesel's type so the caller can tell a unique key from a
/// foreign key from an outage without reading any message.
enum StoreError {
    Refused(AppError),
    /// A concurrent push stored this `(id, rev)` first.
    Stored,
    Db(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        StoreError::Db(e)
    }
}

impl From<AppError> for StoreError {
    fn from(e: AppError) -> Self {
        StoreError::Refused(e)
    }
}

/// Stores one record, or says why not. `Err` only for failures worth retrying (the
/// database is unavailable): the caller then fails the whole request with a 5xx.
///
/// The stored `(id, rev)` is looked up before any validation: a revision already stored
/// with the same hash is `already_had` whatever has changed since (the task reassigned, the phone's clock
/// corrected, a scenario retired) — a retry of an answer that was lost must never turn
/// into a rejection, or the phone would keep the record and never send its photos.
pub fn push_one(
    conn: &mut DbConnection,
    gate: &WriteGate,
    ctx: &PushContext,
    cache: &RefCache,
    rec: &PushRecord,
) -> Result<PushResult, AppError> {
    let Ok(rev) = i32::try_from(rec.rev) else {
        return Ok(rejected(
            rec,
            &AppError::invalid("rev", "版本号无效", "Invalid revision"),
        ));
    };
    let raw = rec.walkthrough.get();
    // Integrity before anything else: bytes that hash to the record's content hash (what
    // phones send) are looked up at once; anything else is parsed and re-hashed first.
    let raw_intact = hex_sha256(raw.as_bytes()) == rec.content_hash;
    if raw_intact && let Some(answer) = already_stored(conn, gate, ctx, rec, rev)? {
        return Ok(answer);
    }
    let (walk, body) = match parsed(rec, raw, raw_intact)? {
        Ok(parsed) => parsed,
        Err(answer) => return Ok(answer),
    };
    let walk = &walk;
    if !raw_intact && let Some(answer) = already_stored(conn, gate, ctx, rec, rev)? {
        return Ok(answer);
    }
    match validate(conn, ctx, cache, walk) {
        Ok(()) => {}
        Err(e) if e.code.http_status() < 500 => return Ok(rejected(rec, &e)),
        Err(e) => return Err(e),
    }
    let (started_at, ended_at) = match crate::walkthroughs::rules::revision::normalise(
        walk,
        ctx.clock_offset_ms,
        ctx.server_now_ms,
    ) {
        Ok(t) => t,
        Err(e) => return Ok(rejected(rec, &AppError::from(e))),
    };
    let hashes = walk.photo_hashes();
    let now = crate::db::rows::now();
    let row = RevisionRow {
        walkthrough_id: walk.id.clone(),
        rev,
        content_hash: rec.content_hash.clone(),
        observer_id: ctx.user.id.clone(),
        device_id: walk.device_id.clone(),
        assignment_id: walk.assignment_id.clone(),
        scenario_version_id: walk.scenario_version_id.clone(),
        body,
        started_at,
        ended_at,
        clock_offset_ms: ctx.clock_offset_ms,
        photo_count: i32::try_from(hashes.len()).unwrap_or(i32::MAX),
        complete: false,
        received_at: now,
        completed_at: None,
    };
    let stored = store_revision(conn, gate, ctx, walk, row, &hashes);
    answer_stored(conn, gate, ctx, rec, rev, stored)
}

/// The pushed record parsed and held to its id, revision and content hash, with the exact
/// body to store; or the rejection to answer.
fn parsed(
    rec: &PushRecord,
    raw: &str,
    raw_intact: bool,
) -> Result<Result<(WalkthroughRecord, String), PushResult>, AppError> {
    let walk: WalkthroughRecord = match extract::parse(raw.as_bytes()) {
        Ok(w) => w,
        Err(e) => {
            let field = e
                .field
                .as_deref()
                .map_or_else(|| "walkthrough".to_owned(), |f| format!("walkthrough.{f}"));
            return Ok(Err(rejected(rec, &e.field(field))));
        }
    };
    if rec.id != walk.id {
        return Ok(Err(rejected(
            rec,
            &AppError::invalid(
                "id",
                "记录编号与内容不一致",
                "id differs from walkthrough.id",
            ),
        )));
    }
    if rec.rev != walk.rev {
        return Ok(Err(rejected(
            rec,
            &AppError::invalid(
                "rev",
                "版本号与内容不一致",
                "rev differs from walkthrough.rev",
            ),
        )));
    }
    // The stored body is exactly the bytes the hash was checked against: as received when
    // the phone sent its canonical form (the shared crate's serialisation), else that
    // canonical form re-made here.
    let body = if raw_intact {
        raw.to_owned()
    } else {
        let canonical = serde_json::to_string(&walk).map_err(|e| AppError::internal(e.into()))?;
        if hex_sha256(canonical.as_bytes()) != rec.content_hash {
            return Ok(Err(rejected(
                rec,
                &AppError::new(ErrorCode::ContentHashMismatch).field("content_hash"),
            )));
        }
        canonical
    };
    Ok(Ok((walk, body)))
}

/// Stores the revision (and the walkthrough, or its new latest revision) in one
/// transaction; returns the photos still missing.
fn store_revision(
    conn: &mut DbConnection,
    gate: &WriteGate,
    ctx: &PushContext,
    walk: &WalkthroughRecord,
    mut row: RevisionRow,
    hashes: &[String],
) -> Result<Vec<String>, StoreError> {
    let (rev, now) = (row.rev, row.received_at);
    gate.tx(conn, |conn| -> Result<Vec<String>, StoreError> {
        lock_photos_then_user(conn, hashes, Some(&ctx.user.id))?;
        // A first revision needs no lookup: if the walkthrough exists, so does its
        // revision 1, and the insert below fails on the unique key.
        let state = if rev == 1 {
            None
        } else {
            wt::get(conn, &walk.id)?
        };
        if let Some(state) = &state {
            if rev <= state.latest_rev {
                // Stored by a concurrent push since we looked (revisions have no gaps).
                return Err(if wt::revision(conn, &walk.id, rev)?.is_some() {
                    StoreError::Stored
                } else {
                    AppError::new(ErrorCode::RevisionNotAllowed)
                        .field("rev")
                        .into()
                });
            }
            check_correction(state, walk, rev, &ctx.user.id)?;
        } else if rev != 1 {
            return Err(AppError::new(ErrorCode::RevisionNotAllowed)
                .field("rev")
                .into());
        }
        let missing = photos::missing(conn, hashes)?;
        row.complete = missing.is_empty();
        row.completed_at = row.complete.then_some(now);
        wt::insert_revision(conn, &row, hashes)?;
        let status = if row.complete {
            ReviewStatus::Submitted
        } else {
            ReviewStatus::Incomplete
        };
        match state {
            None => wt::insert(
                conn,
                &WalkthroughRow {
                    id: walk.id.clone(),
                    observer_id: ctx.user.id.clone(),
                    assignment_id: walk.assignment_id.clone(),
                    latest_rev: rev,
                    status,
                    review_comment: String::new(),
                    reviewed_by: None,
                    reviewed_at: None,
                    updated_at: now,
                },
            )?,
            Some(_) => wt::set_latest(conn, &walk.id, rev, status, now)?,
        }
        changes::record_locked(
            conn,
            changes::Change::new(Kind::Review, &walk.id, now).for_user(&ctx.user.id),
        )?;
        Ok(missing)
    })
}

/// The answer to a push, from what storing it gave.
fn answer_stored(
    conn: &mut DbConnection,
    gate: &WriteGate,
    ctx: &PushContext,
    rec: &PushRecord,
    rev: i32,
    stored: Result<Vec<String>, StoreError>,
) -> Result<PushResult, AppError> {
    match stored {
        Ok(missing) => Ok(PushResult {
            missing_photos: missing,
            ..result(rec, PushStatus::Accepted)
        }),
        Err(StoreError::Refused(e)) => Ok(rejected(rec, &e)),
        Err(StoreError::Stored) => already_stored(conn, gate, ctx, rec, rev)?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("a revision seen stored is gone"))),
        Err(StoreError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))) => {
            // The revision's own key (a concurrent push of the same record won the race)
            // means already had / conflict; any other unique key is a final rejection.
            if let Some(answer) = already_stored(conn, gate, ctx, rec, rev)? {
                return Ok(answer);
            }
            tracing::warn!(walkthrough = %rec.id, rev, constraint = ?info.constraint_name(), "push hit a unique key other than the revision's");
            Ok(rejected(rec, &AppError::new(ErrorCode::Duplicate)))
        }
        Err(StoreError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::NotNullViolation
            | DatabaseErrorKind::CheckViolation,
            info,
        ))) => {
            tracing::warn!(walkthrough = %rec.id, rev, constraint = ?info.constraint_name(), "push broke a database constraint");
            Ok(rejected(rec, &AppError::new(ErrorCode::UnknownReference)))
        }
        Err(StoreError::Db(e)) => Err(e.into()),
    }
}

/// A revision after the first: only the next one, of a walkthrough returned to its own
/// observer, on the same assignment (review shows the assignment of the latest revision,
/// so a correction cannot quietly move the walkthrough to another task).
fn check_correction(
    state: &WalkthroughRow,
    walk: &WalkthroughRecord,
    rev: i32,
    user_id: &str,
) -> Result<(), AppError> {
    let returned = state.status == ReviewStatus::Returned;
    if rev != state.latest_rev + 1 || !returned || state.observer_id != user_id {
        return Err(AppError::new(ErrorCode::RevisionNotAllowed).field("rev"));
    }
    if walk.assignment_id != state.assignment_id {
        return Err(AppError::new(ErrorCode::RevisionNotAllowed)
            .field("assignment_id")
            .message(
                "更正版本须属于原体验任务,不能改到其他任务",
                "A correction must stay on the walkthrough's assignment",
            ));
    }
    Ok(())
}

/// The `(id, rev)` stored already, if it is: the same content from the same observer is a
/// harmless retry (`already_had`, with the photos still missing); other content is a
/// conflict, kept beside the stored version. `None` if nothing is stored under the key.
fn already_stored(
    conn: &mut DbConnection,
    gate: &WriteGate,
    ctx: &PushContext,
    rec: &PushRecord,
    rev: i32,
) -> Result<Option<PushResult>, AppError> {
    let Some(existing) = wt::revision(conn, &rec.id, rev)? else {
        return Ok(None);
    };
    if existing.content_hash == rec.content_hash && existing.observer_id == ctx.user.id {
        let hashes: Vec<String> = wt::revision_photos(conn, &rec.id, rev)?;
        let missing = photos::missing(conn, &hashes)?;
        return Ok(Some(PushResult {
            missing_photos: missing,
            ..result(rec, PushStatus::AlreadyHad)
        }));
    }
    // The device id is informational; a body that does not parse still has its bytes kept.
    let device_id = serde_json::from_str::<WalkthroughRecord>(rec.walkthrough.get())
        .map(|w| w.device_id)
        .unwrap_or_default();
    let conflict = ConflictRow {
        walkthrough_id: rec.id.clone(),
        rev,
        content_hash: rec.content_hash.clone(),
        observer_id: ctx.user.id.clone(),
        device_id,
        body: rec.walkthrough.get().to_owned(),
        received_at: crate::db::rows::now(),
    };
    gate.tx(conn, |conn| wt::keep_conflict(conn, &conflict))
        .map_err(AppError::from)?;
    tracing::warn!(walkthrough = %rec.id, rev, "conflicting content for a stored revision kept");
    Ok(Some(PushResult {
        code: Some(ErrorCode::Conflict),
        message: Some("同一记录编号与版本已存在不同内容,两个版本均已保留,等待管理人员处理".into()),
        ..result(rec, PushStatus::Conflict)
    }))
}

/// The record's references: an assignment the caller observes, a scenario version and
/// its steps, known categories; then the shape rules of `crate::walkthroughs::rules::revision`.
fn validate(
    conn: &mut DbConnection,
    ctx: &PushContext,
    cache: &RefCache,
    walk: &WalkthroughRecord,
) -> Result<(), AppError> {
    if !assignment_rows::is_observer(conn, &walk.assignment_id, &ctx.user.id)? {
        // Say which: no such assignment, or not theirs.
        if let Err(DieselError::NotFound) = assignment_rows::get_row(conn, &walk.assignment_id) {
            return Err(AppError::new(ErrorCode::UnknownReference).field("assignment_id"));
        }
        return Err(AppError::forbidden().field("assignment_id").message(
            "只能提交指派给自己的体验任务",
            "Only assignments you observe can be submitted",
        ));
    }
    let Some(template) = cache.steps(conn, &walk.scenario_version_id)? else {
        return Err(AppError::new(ErrorCode::UnknownReference).field("scenario_version_id"));
    };
    let wanted: Vec<&str> = walk
        .findings
        .iter()
        .map(|f| f.category_id.as_str())
        .collect();
    let category_ids = cache.categories(conn, &wanted)?;
    crate::walkthroughs::rules::revision::check(walk, &template, &category_ids)?;
    Ok(())
}

/// Reference data every push is checked against, kept in memory. Scenario versions never
/// change once written, so their steps are cached for good. Categories can be added on any
/// server, so the cache only ever confirms: an id it lacks is looked up again before a
/// record is refused, and a stale copy can never reject a good record.
#[derive(Default)]
pub struct RefCache {
    steps: Mutex<HashMap<String, Arc<Vec<Step>>>>,
    categories: Mutex<Arc<Vec<String>>>,
}

impl RefCache {
    /// The steps of a scenario version; `None` if there is no such version.
    fn steps(
        &self,
        conn: &mut DbConnection,
        version_id: &str,
    ) -> Result<Option<Arc<Vec<Step>>>, AppError> {
        if let Some(steps) = lock(&self.steps).get(version_id) {
            return Ok(Some(steps.clone()));
        }
        let steps = scenario_rows::steps_of_version(conn, version_id)?;
        if steps.is_empty() {
            return Ok(None);
        }
        let steps = Arc::new(steps);
        lock(&self.steps).insert(version_id.to_owned(), steps.clone());
        Ok(Some(steps))
    }

    /// Category ids findings may use (inactive ones stay valid for records made offline),
    /// fresh from the database whenever the cache lacks one of `wanted`.
    fn categories(
        &self,
        conn: &mut DbConnection,
        wanted: &[&str],
    ) -> Result<Arc<Vec<String>>, AppError> {
        let cached = lock(&self.categories).clone();
        if wanted.iter().all(|w| cached.iter().any(|c| c == w)) {
            return Ok(cached);
        }
        let fresh = Arc::new(
            category_rows::list(conn)?
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>(),
        );
        *lock(&self.categories) = fresh.clone();
        Ok(fresh)
    }
}

/// A poisoned cache lock only means another thread panicked mid-insert of a whole value.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Marks complete every revision that waited for this photo (and has all others now).
/// Runs inside the photo's transaction, under its lock.
pub fn photo_arrived(conn: &mut DbConnection, sha: &str) -> Result<usize, AppError> {
    let now = crate::db::rows::now();
    let mut completed = 0;
    for (id, rev) in photos::referencing(conn, sha)? {
        let Some(revision) = wt::revision(conn, &id, rev)? else {
            continue;
        };
        if revision.complete {
            continue;
        }
        let hashes = wt::revision_photos(conn, &id, rev)?;
        if !photos::missing(conn, &hashes)?.is_empty() {
            continue;
        }
        if wt::mark_complete(conn, &id, rev, now)?
            && wt::transition(
                conn,
                &id,
                rev,
                ReviewStatus::Incomplete,
                ReviewStatus::Submitted,
                None,
                now,
            )?
        {
            changes::record(
                conn,
                changes::Change::new(Kind::Review, &id, now).for_user(&revision.observer_id),
            )?;
            completed += 1;
        }
    }
    Ok(completed)
}

/// A pull: reference data if it changed since `cursor`, and review outcomes.
pub fn pull(
    conn: &mut DbConnection,
    user: &AuthUser,
    cursor: i64,
) -> Result<flowwalk_shared::sync::PullResponse, AppError> {
    // One read transaction: the locks let in-flight changes commit first, then one
    // consistent view up to `upto`.
    conn.transaction(|conn| pull_in(conn, user, cursor))
}

fn pull_in(
    conn: &mut DbConnection,
    user: &AuthUser,
    cursor: i64,
) -> Result<flowwalk_shared::sync::PullResponse, AppError> {
    lock_for_pull(conn, &user.id)?;
    let upto = changes::latest(conn)?;
    let reference = if cursor <= 0 || changes::reference_changed(conn, cursor, upto)? {
        Some(reference_data(conn, user)?)
    } else {
        None
    };
    let mut reviews = Vec::new();
    for id in changes::reviews_for(conn, &user.id, cursor, upto)? {
        if let Some(w) = wt::get(conn, &id)? {
            reviews.push(ReviewOutcome {
                status: w.status,
                walkthrough_id: w.id,
                rev: u32::try_from(w.latest_rev).unwrap_or(0),
                comment: w.review_comment,
                reviewed_at_ms: w.reviewed_at.map(|t| t.and_utc().timestamp_millis()),
            });
        }
    }
    Ok(flowwalk_shared::sync::PullResponse {
        cursor: upto.to_string(),
        server_time_ms: now_ms(),
        reference,
        reviews,
    })
}

fn reference_data(conn: &mut DbConnection, user: &AuthUser) -> Result<ReferenceData, AppError> {
    let only = (!user.role.is_staff_manager()).then_some(user.id.as_str());
    let assignments = assignment_rows::list(conn, only)?;
    let mut scenarios = scenario_rows::list_current(conn)?;
    // Older versions that assignments still pin.
    let mut known: HashSet<String> = scenarios.iter().map(|s| s.version_id.clone()).collect();
    for a in &assignments {
        if !known.contains(&a.scenario_version_id)
            && let Some(s) = scenario_rows::get_by_version_id(conn, &a.scenario_version_id)?
        {
            known.insert(s.version_id.clone());
            scenarios.push(s);
        }
    }
    Ok(ReferenceData {
        assignments,
        scenarios,
        categories: category_rows::list(conn)?
            .into_iter()
            .map(Into::into)
            .collect(),
        venues: venue_rows::list(conn)?
            .into_iter()
            .map(Into::into)
            .collect(),
        departments: department_rows::list(conn)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

/// Now in ms since the epoch.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Conflicting versions of stored revisions (the same revision number with other content),
/// newest first, each beside the content hash that was kept.
pub fn conflicts(
    conn: &mut DbConnection,
) -> Result<Vec<flowwalk_shared::api::walkthroughs::ConflictVersion>, AppError> {
    let mut out = Vec::new();
    for c in wt::conflicts(conn)? {
        let stored = wt::revision(conn, &c.walkthrough_id, c.rev)?
            .map(|r| r.content_hash)
            .unwrap_or_default();
        let Ok(record) = serde_json::from_str(&c.body) else {
            continue;
        };
        out.push(flowwalk_shared::api::walkthroughs::ConflictVersion {
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
}
