//! Issues (问题清单) between the HTTP layer and the database: recording a problem (a new
//! issue, or another occurrence of an open one), the workflow's effects, views with
//! anonymity for departments, lists, the 好差评 import, overdue sweeps, reports and exports.
//! The rules themselves are in `domain/` (workflow table, calendar, panel rule, audit chain).

pub mod audit;
pub mod builder;
pub mod evaluation_import;
pub mod list;
pub mod notify;
pub mod report_export;
pub mod reporting;
pub mod sweep;
pub mod view;
pub mod workflow;

use chrono::NaiveDateTime;
use flowwalk_shared::api::issues::{IssueAction, IssueSource, IssueState, RoutedBy};
use flowwalk_shared::api::venues::VenueLevel;
use flowwalk_shared::walkthrough::Severity;

use crate::db::{DbConnection, lock_merge_key};
use crate::error::AppError;
use crate::issues::rules::state_machine::{self as wf, Actor};
use crate::issues::store::issue_rows::{self as m, IssueRow, OccurrenceRow};
use crate::reference::store::venue_rows;

pub use audit::AuditKey;

/// One time a problem was met.
#[derive(Debug, Clone)]
pub struct NewOccurrence {
    /// Unique per occurrence: `wt:{walkthrough}:{finding}`, or the source's own key.
    pub source_ref: String,
    pub walkthrough_id: Option<String>,
    pub observer_id: Option<String>,
    pub severity: Severity,
    pub description: String,
    pub photos: Vec<String>,
    pub seen_at: NaiveDateTime,
}

/// A problem to record, from a walkthrough or from outside (好差评, questionnaires).
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub source: IssueSource,
    /// An outside source's idempotency key: recording it twice creates nothing.
    pub source_key: Option<String>,
    /// Open issues with the same key take this as another occurrence; `None` never merges.
    pub merge_key: Option<String>,
    pub venue_id: String,
    pub category_id: Option<String>,
    pub scenario_id: Option<String>,
    pub step_name: String,
    pub department_id: String,
    pub routed_by: RoutedBy,
    pub title: String,
    pub description: String,
    pub occurrence: NewOccurrence,
}

/// What recording did.
#[derive(Debug, Clone)]
pub enum Recorded {
    Created(IssueRow),
    Merged(IssueRow),
    /// The occurrence (or source key) was recorded before: nothing changed.
    AlreadyRecorded(String),
}

/// The merge key of a walkthrough finding: same venue, category and scenario step.
pub fn merge_key(venue: &str, category: &str, scenario: &str, step: &str) -> String {
    format!("{venue}|{category}|{scenario}|{step}")
}

/// The town/street a venue belongs to: itself if it is one, its town if it is a village
/// station (or a specialised venue under one); `None` above town level.
pub fn town_of(conn: &mut DbConnection, venue_id: &str) -> Result<Option<String>, AppError> {
    let mut cursor = Some(venue_id.to_owned());
    let mut hops = 0;
    while let Some(id) = cursor {
        hops += 1;
        if hops > 16 {
            return Ok(None);
        }
        let v = venue_rows::get(conn, &id)?;
        match v.level {
            VenueLevel::Town => return Ok(Some(v.id)),
            VenueLevel::City | VenueLevel::District => return Ok(None),
            VenueLevel::Village | VenueLevel::Specialised => cursor = v.parent_id,
        }
    }
    Ok(None)
}

fn occurrence_row(issue_id: &str, o: &NewOccurrence, now: NaiveDateTime) -> OccurrenceRow {
    OccurrenceRow {
        id: crate::db::rows::new_id(),
        issue_id: issue_id.to_owned(),
        source_ref: o.source_ref.clone(),
        walkthrough_id: o.walkthrough_id.clone(),
        observer_id: o.observer_id.clone(),
        severity: o.severity,
        description: o.description.clone(),
        photos: serde_json::to_string(&o.photos).unwrap_or_else(|_| "[]".into()),
        seen_at: o.seen_at,
        created_at: now,
    }
}

/// Another occurrence of an open issue: counted, its severity raised to the worst seen,
/// audited. The same occurrence twice is recorded once.
fn merge(
    conn: &mut DbConnection,
    key: &AuditKey,
    mut row: IssueRow,
    new: &NewIssue,
    now: NaiveDateTime,
) -> Result<Recorded, AppError> {
    if !crate::db::rows::insert_once(conn, |c| {
        use diesel::RunQueryDsl;
        diesel::insert_into(crate::db::schema::issue_occurrences::table)
            .values(occurrence_row(&row.id, &new.occurrence, now))
            .execute(c)
    })? {
        return Ok(Recorded::AlreadyRecorded(row.id));
    }
    let state = row.status;
    let to = wf::next(state, IssueAction::AddOccurrence, Actor::System)
        .map_err(|_| AppError::internal(anyhow::anyhow!("an open issue refused an occurrence")))?;
    row.occurrence_count += 1;
    row.first_seen_at = row.first_seen_at.min(new.occurrence.seen_at);
    row.last_seen_at = row.last_seen_at.max(new.occurrence.seen_at);
    row.severity = row.severity.max(new.occurrence.severity);
    let change = audit::Change {
        action: IssueAction::AddOccurrence,
        from: state,
        to,
        actor: Actor::System,
        actor_id: None,
        detail: serde_json::json!({
            "source_ref": new.occurrence.source_ref,
            "severity": new.occurrence.severity.as_str(),
            "occurrence_count": row.occurrence_count,
        }),
        at: now,
    };
    if !audit::commit(conn, key, &mut row, change)? {
        return Err(AppError::new(flowwalk_shared::ErrorCode::VersionConflict));
    }
    Ok(Recorded::Merged(row))
}

/// A new issue in state `new`, with its first occurrence and the audit entry that opens
/// its trail.
fn create(
    conn: &mut DbConnection,
    key: &AuditKey,
    new: &NewIssue,
    merge_key: String,
    now: NaiveDateTime,
) -> Result<Recorded, AppError> {
    let town_id = town_of(conn, &new.venue_id)?;
    let row = IssueRow {
        id: crate::db::rows::new_id(),
        source: new.source,
        source_key: new.source_key.clone(),
        status: IssueState::New,
        track: None,
        version: 1,
        merge_key,
        venue_id: new.venue_id.clone(),
        town_id,
        category_id: new.category_id.clone(),
        scenario_id: new.scenario_id.clone(),
        step_name: new.step_name.clone(),
        department_id: new.department_id.clone(),
        routed_by: new.routed_by,
        severity: new.occurrence.severity,
        title: new.title.clone(),
        description: new.description.clone(),
        observer_id: new.occurrence.observer_id.clone(),
        occurrence_count: 1,
        first_seen_at: new.occurrence.seen_at,
        last_seen_at: new.occurrence.seen_at,
        deadline: None,
        overdue: false,
        transfer_note: None,
        resolution: String::new(),
        triaged_at: None,
        rectified_at: None,
        on_time: None,
        rechecked_at: None,
        satisfied: None,
        created_at: now,
        updated_at: now,
    };
    m::insert(conn, &row)?;
    if !crate::db::rows::insert_once(conn, |c| {
        use diesel::RunQueryDsl;
        diesel::insert_into(crate::db::schema::issue_occurrences::table)
            .values(occurrence_row(&row.id, &new.occurrence, now))
            .execute(c)
    })? {
        return Err(AppError::new(flowwalk_shared::ErrorCode::Duplicate).field("source_ref"));
    }
    audit::append(
        conn,
        key,
        &audit::Event {
            issue_id: &row.id,
            version: 1,
            action: IssueAction::Create,
            from: None,
            to: IssueState::New,
            actor: Actor::System,
            actor_id: None,
            detail: serde_json::json!({
                "source": new.source.as_str(),
                "source_ref": new.occurrence.source_ref,
                "department_id": row.department_id,
                "routed_by": new.routed_by.as_str(),
                "severity": row.severity,
                "title": row.title,
            }),
            at: now,
        },
    )?;
    Ok(Recorded::Created(row))
}

/// Records a problem: another occurrence of the open issue with the same merge key, or a
/// new issue. Idempotent by the occurrence's `source_ref` and the issue's `source_key`.
/// This is the one way issues come to exist — walkthroughs, the 好差评 import and
/// questionnaires all call it. Call inside a write transaction.
pub fn record(
    conn: &mut DbConnection,
    key: &AuditKey,
    new: &NewIssue,
    now: NaiveDateTime,
) -> Result<Recorded, AppError> {
    let merge_key = new.merge_key.clone().unwrap_or_else(|| {
        format!(
            "{}:{}",
            new.source.as_str(),
            new.source_key
                .clone()
                .unwrap_or_else(|| new.occurrence.source_ref.clone())
        )
    });
    // Under the key's lock, so that the same outside row imported twice at once is
    // recorded once and the second import sees it.
    lock_merge_key(conn, &merge_key)?;
    if let Some(k) = &new.source_key
        && let Some(existing) = m::find_by_source_key(conn, k)?
    {
        return Ok(Recorded::AlreadyRecorded(existing.id));
    }
    let open: Vec<IssueState> = IssueState::ALL
        .into_iter()
        .filter(|s| wf::is_open(*s))
        .collect();
    if new.merge_key.is_some()
        && let Some(row) = m::find_open_by_merge_key(conn, &merge_key, &open)?
    {
        return merge(conn, key, row, new, now);
    }
    create(conn, key, new, merge_key, now)
}

/// An issue from outside a walkthrough (a 好差评 review, a questionnaire answer): never
/// merged, idempotent by `source_key`. The import and questionnaires call this.
#[allow(clippy::too_many_arguments)]
pub fn create_from_source(
    conn: &mut DbConnection,
    key: &AuditKey,
    source: IssueSource,
    source_key: &str,
    venue_id: &str,
    department_id: &str,
    scenario_id: Option<String>,
    category_id: Option<String>,
    title: &str,
    description: &str,
    severity: Severity,
    seen_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Recorded, AppError> {
    record(
        conn,
        key,
        &NewIssue {
            source,
            source_key: Some(source_key.to_owned()),
            merge_key: None,
            venue_id: venue_id.to_owned(),
            category_id,
            scenario_id,
            step_name: String::new(),
            department_id: department_id.to_owned(),
            routed_by: RoutedBy::Source,
            title: title.to_owned(),
            description: description.to_owned(),
            occurrence: NewOccurrence {
                source_ref: format!("{}:{source_key}", source.as_str()),
                walkthrough_id: None,
                observer_id: None,
                severity,
                description: description.to_owned(),
                photos: Vec::new(),
                seen_at,
            },
        },
        now,
    )
}

/// The issues a walkthrough's findings were recorded against, in the order recorded.
pub fn issues_of_walkthrough(
    conn: &mut DbConnection,
    walkthrough_id: &str,
) -> Result<Vec<IssueRow>, AppError> {
    Ok(m::occurrences_of_walkthrough(conn, walkthrough_id)?
        .into_iter()
        .map(|(_, issue)| issue)
        .collect())
}

/// An issue's current version (the one a command must name); not found: 404.
pub fn version_of(conn: &mut DbConnection, id: &str) -> Result<i32, AppError> {
    Ok(m::get(conn, id)?.ok_or_else(AppError::not_found)?.version)
}
