//! What managers review: complete walkthroughs with their timing against the scenario
//! version they followed, and the accept / return decisions that travel back to the phone.
//! Incomplete walkthroughs (photos still missing) never appear here.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::walkthroughs::{WalkthroughDetail, WalkthroughSummary};
use flowwalk_shared::sync::ReviewStatus;
use flowwalk_shared::timing;
use flowwalk_shared::walkthrough::WalkthroughRecord;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::changes::{self, Kind};
use crate::models::walkthroughs::{self as wt, RevisionRow, WalkthroughRow};
use crate::models::{self, assignments, photos, scenarios, users, venues};

/// The statuses a manager may see.
pub const REVIEWABLE: [ReviewStatus; 3] = [
    ReviewStatus::Submitted,
    ReviewStatus::Accepted,
    ReviewStatus::Returned,
];

fn summary(
    conn: &mut DbConnection,
    w: &WalkthroughRow,
    r: &RevisionRow,
    record: &WalkthroughRecord,
) -> Result<WalkthroughSummary, AppError> {
    let observer = users::get(conn, &w.observer_id)?;
    // The assignment of the revision shown (a correction cannot move to another one).
    let assignment = assignments::get_row(conn, &r.assignment_id)?;
    let venue = venues::get(conn, &assignment.venue_id)?;
    let scenario = scenarios::get_by_version_id(conn, &r.scenario_version_id)?
        .ok_or_else(AppError::not_found)?;
    Ok(WalkthroughSummary {
        id: w.id.clone(),
        rev: w.latest_rev,
        status: w.status()?,
        observer_id: observer.id,
        observer_name: observer.display_name,
        assignment_id: r.assignment_id.clone(),
        venue_id: venue.id,
        venue_name: venue.name,
        scenario_id: scenario.id,
        scenario_name: scenario.name,
        scenario_version: scenario.version,
        started_at: r.started_at,
        ended_at: r.ended_at,
        finding_count: i32::try_from(record.findings.len()).unwrap_or(i32::MAX),
        photo_count: r.photo_count,
        review_comment: w.review_comment.clone(),
        received_at: r.received_at,
    })
}

fn latest(
    conn: &mut DbConnection,
    w: &WalkthroughRow,
) -> Result<(RevisionRow, WalkthroughRecord), AppError> {
    let r = wt::revision(conn, &w.id, w.latest_rev)?.ok_or_else(AppError::not_found)?;
    let record: WalkthroughRecord = serde_json::from_str(&r.body).map_err(|e| {
        AppError::internal(anyhow::Error::new(e).context("a stored walkthrough no longer parses"))
    })?;
    Ok((r, record))
}

/// Complete walkthroughs in the given statuses (all reviewable ones by default).
pub fn list(
    conn: &mut DbConnection,
    status: Option<ReviewStatus>,
) -> Result<Vec<WalkthroughSummary>, AppError> {
    let wanted: Vec<&str> = match status {
        Some(s) if REVIEWABLE.contains(&s) => vec![s.as_str()],
        Some(_) => return Ok(Vec::new()),
        None => REVIEWABLE.iter().map(|s| s.as_str()).collect(),
    };
    let mut out = Vec::new();
    for w in wt::list(conn, &wanted)? {
        let (r, record) = latest(conn, &w)?;
        out.push(summary(conn, &w, &r, &record)?);
    }
    Ok(out)
}

/// Who may see a walkthrough — the one rule review and its photos follow: its observer, in
/// any state; staff (`staff` = the viewer plans and manages), once it is complete; nobody
/// else. `Err` says how to refuse: forbidden, or not found while it is incomplete.
pub fn may_see(viewer_id: &str, staff: bool, w: &WalkthroughRow) -> Result<(), AppError> {
    let own = w.observer_id == viewer_id;
    if !staff && !own {
        return Err(AppError::forbidden());
    }
    if !own && w.status()? == ReviewStatus::Incomplete {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// One walkthrough with its timing. Staff see only complete ones; an observer sees their
/// own in any state (with the photos still missing).
pub fn detail(
    conn: &mut DbConnection,
    id: &str,
    viewer_id: &str,
    staff: bool,
) -> Result<WalkthroughDetail, AppError> {
    let w = wt::get(conn, id)?.ok_or_else(AppError::not_found)?;
    may_see(viewer_id, staff, &w)?;
    let (r, record) = latest(conn, &w)?;
    let template = scenarios::steps_of_version(conn, &r.scenario_version_id)?;
    let hashes = wt::revision_photos(conn, &w.id, w.latest_rev)?;
    Ok(WalkthroughDetail {
        summary: summary(conn, &w, &r, &record)?,
        timing: timing::report(&record, &template),
        clock_offset_ms: r.clock_offset_ms,
        missing_photos: photos::missing(conn, &hashes)?,
        record,
    })
}

/// Accepts or returns the reviewed revision; refused unless it is complete, still the
/// latest, and awaiting review. The outcome is logged for the observer's next pull.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    rev: i32,
    to: ReviewStatus,
    comment: &str,
    reviewer: &str,
) -> Result<(), AppError> {
    let w = wt::get(conn, id)?.ok_or_else(AppError::not_found)?;
    if w.status()? == ReviewStatus::Incomplete {
        return Err(AppError::not_found());
    }
    let now = models::now();
    let from = ReviewStatus::Submitted.as_str();
    if !wt::transition(
        conn,
        id,
        rev,
        from,
        to.as_str(),
        Some((comment, reviewer)),
        now,
    )? {
        return Err(AppError::new(ErrorCode::InvalidState).field("rev").message(
            format!(
                "只能审核待审核的最新版本(当前为第 {} 版,状态 {})",
                w.latest_rev, w.status
            ),
            format!(
                "Only the latest submitted revision can be reviewed (latest {}, {})",
                w.latest_rev, w.status
            ),
        ));
    }
    changes::record(conn, Kind::Review, id, Some(&w.observer_id), now)?;
    Ok(())
}
