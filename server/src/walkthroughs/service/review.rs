//! What managers review: complete walkthroughs with their timing against the scenario
//! version they followed, and the accept / return decisions that travel back to the phone.
//! Incomplete walkthroughs (photos still missing) never appear here.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::issues::Page;
use flowwalk_shared::api::walkthroughs::{WalkthroughDetail, WalkthroughSummary};
use flowwalk_shared::sync::ReviewStatus;
use flowwalk_shared::timing;
use flowwalk_shared::walkthrough::WalkthroughRecord;

use crate::accounts::store::user_rows;
use crate::db::changes::{self, Kind};
use crate::db::{DbConnection, cursor};
use crate::error::AppError;
use crate::issues::service::notify::{self, About};
use crate::issues::service::{AuditKey, builder};
use crate::photos::store as photos;
use crate::reference::store::{scenario_rows, venue_rows};
use crate::walkthroughs::store::assignment_rows;
use crate::walkthroughs::store::walkthrough_rows::{self as wt, RevisionRow, WalkthroughRow};
use flowwalk_shared::api::reports::NotificationKind;

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
    let observer = user_rows::get(conn, &w.observer_id)?;
    // The assignment of the revision shown (a correction cannot move to another one).
    let assignment = assignment_rows::get_row(conn, &r.assignment_id)?;
    let venue = venue_rows::get(conn, &assignment.venue_id)?;
    let scenario = scenario_rows::get_by_version_id(conn, &r.scenario_version_id)?
        .ok_or_else(AppError::not_found)?;
    Ok(WalkthroughSummary {
        id: w.id.clone(),
        rev: w.latest_rev,
        status: w.status,
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
    let record = parse_record(&r)?;
    Ok((r, record))
}

/// A page of complete walkthroughs in the given statuses (all reviewable ones by default),
/// most recently changed first, keyset-paged by `(updated_at, id)`. One query per page:
/// observer, venue and scenario come joined, nothing is looked up per row.
/// Narrows the walkthrough list to one scenario and/or one venue (to set the walks of a
/// service at a hall before and after its fixes side by side).
#[derive(Debug, Clone, Copy, Default)]
pub struct Same<'a> {
    pub scenario_id: Option<&'a str>,
    pub venue_id: Option<&'a str>,
}

pub fn list(
    conn: &mut DbConnection,
    status: Option<ReviewStatus>,
    same: Same<'_>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<WalkthroughSummary>, AppError> {
    use crate::db::schema::{
        assignments as a, scenario_versions as sv, scenarios as sc, users as u, venues as v,
        walkthrough_revisions as wr, walkthroughs as w,
    };
    use diesel::prelude::*;
    let wanted: Vec<ReviewStatus> = match status {
        Some(s) if REVIEWABLE.contains(&s) => vec![s],
        Some(_) => {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        None => REVIEWABLE.to_vec(),
    };
    let limit = limit.clamp(1, 200);
    let after = cursor.map(decode_cursor).transpose()?;
    let mut q = w::table
        .inner_join(wr::table.on(wr::walkthrough_id.eq(w::id).and(wr::rev.eq(w::latest_rev))))
        .inner_join(u::table.on(u::id.eq(w::observer_id)))
        .inner_join(a::table.on(a::id.eq(w::assignment_id)))
        .inner_join(v::table.on(v::id.eq(a::venue_id)))
        .inner_join(sv::table.on(sv::id.eq(wr::scenario_version_id)))
        .inner_join(sc::table.on(sc::id.eq(sv::scenario_id)))
        .filter(w::status.eq_any(wanted))
        .select((
            WalkthroughRow::as_select(),
            RevisionRow::as_select(),
            u::display_name,
            v::id,
            v::name,
            sc::id,
            sv::name,
            sv::version,
        ))
        .into_boxed();
    if let Some(id) = same.scenario_id {
        q = q.filter(sc::id.eq(id.to_owned()));
    }
    if let Some(id) = same.venue_id {
        q = q.filter(v::id.eq(id.to_owned()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            w::updated_at
                .lt(at)
                .or(w::updated_at.eq(at).and(w::id.lt(id))),
        );
    }
    type Listed = (
        WalkthroughRow,
        RevisionRow,
        String,
        String,
        String,
        String,
        String,
        i32,
    );
    let mut rows: Vec<Listed> = q
        .order((w::updated_at.desc(), w::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|(w, ..)| encode_cursor(w.updated_at, &w.id))
        })
        .flatten();
    let items = rows
        .into_iter()
        .map(
            |(w, r, observer_name, venue_id, venue_name, scenario_id, scenario_name, version)| {
                let record = parse_record(&r)?;
                Ok(WalkthroughSummary {
                    id: w.id.clone(),
                    rev: w.latest_rev,
                    status: w.status,
                    observer_id: w.observer_id.clone(),
                    observer_name,
                    assignment_id: w.assignment_id.clone(),
                    venue_id,
                    venue_name,
                    scenario_id,
                    scenario_name,
                    scenario_version: version,
                    started_at: r.started_at,
                    ended_at: r.ended_at,
                    finding_count: i32::try_from(record.findings.len()).unwrap_or(i32::MAX),
                    photo_count: r.photo_count,
                    review_comment: w.review_comment,
                    received_at: r.received_at,
                })
            },
        )
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Page { items, next_cursor })
}

fn encode_cursor(at: chrono::NaiveDateTime, id: &str) -> String {
    cursor::encode(&[&cursor::time(at), id])
}

fn decode_cursor(s: &str) -> Result<(chrono::NaiveDateTime, String), AppError> {
    let bad = || {
        AppError::new(ErrorCode::InvalidQuery)
            .field("cursor")
            .message(
                "翻页游标无效(须为上一页返回的 next_cursor)",
                "Invalid cursor (use next_cursor of the previous page)",
            )
    };
    let parts = cursor::decode(s, 2).ok_or_else(bad)?;
    let [at, id] = <[String; 2]>::try_from(parts).map_err(|_| bad())?;
    let at = cursor::parse_time(&at).ok_or_else(bad)?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok((at, id))
}

fn parse_record(r: &RevisionRow) -> Result<WalkthroughRecord, AppError> {
    serde_json::from_str(&r.body).map_err(|e| {
        AppError::internal(anyhow::Error::new(e).context("a stored walkthrough no longer parses"))
    })
}

/// Who may see a walkthrough — the one rule review and its photos follow: its observer, in
/// any state; staff (`staff` = the viewer plans and manages), once it is complete; nobody
/// else. `Err` says how to refuse: forbidden, or not found while it is incomplete.
pub fn may_see(viewer_id: &str, staff: bool, w: &WalkthroughRow) -> Result<(), AppError> {
    let own = w.observer_id == viewer_id;
    if !staff && !own {
        return Err(AppError::forbidden());
    }
    if !own && w.status == ReviewStatus::Incomplete {
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
    let template = scenario_rows::steps_of_version(conn, &r.scenario_version_id)?;
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
/// Accepting builds the walkthrough's issue list (`issues::service::builder`) in the same
/// transaction; returning tells the observer.
pub fn decide(
    conn: &mut DbConnection,
    key: &AuditKey,
    id: &str,
    rev: i32,
    to: ReviewStatus,
    comment: &str,
    reviewer: &str,
) -> Result<(), AppError> {
    let w = wt::get(conn, id)?.ok_or_else(AppError::not_found)?;
    if w.status == ReviewStatus::Incomplete {
        return Err(AppError::not_found());
    }
    let now = crate::db::rows::now();
    if !wt::transition(
        conn,
        id,
        rev,
        ReviewStatus::Submitted,
        to,
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
    changes::record(
        conn,
        changes::Change::new(Kind::Review, id, now).for_user(&w.observer_id),
    )?;
    match to {
        ReviewStatus::Accepted => {
            builder::build(conn, key, id, rev, now)?;
        }
        ReviewStatus::Returned => {
            notify::send(
                conn,
                std::slice::from_ref(&w.observer_id),
                NotificationKind::WalkthroughReturned,
                &About {
                    walkthrough_id: Some(id),
                    ..About::default()
                },
                &format!("您提交的体验记录被退回:{comment}"),
                now,
            )?;
        }
        ReviewStatus::Incomplete | ReviewStatus::Submitted => {}
    }
    Ok(())
}
