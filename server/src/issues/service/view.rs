//! Who may see an issue, and what they see of it. The inspected department never learns
//! who the observer was: for department officers (and panel members, among whom sit window
//! representatives of departments) no observer id, walkthrough id or observer actor id
//! appears anywhere in an issue.

use diesel::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::{
    Evidence, IssueAction, IssueDetail, IssueEvent, IssueSummary, Occurrence, PanelMember, Vote,
};
use flowwalk_shared::time::china;

use crate::accounts::store::user_rows;
use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::schema::{departments, problem_categories, scenarios, venues};
use crate::error::AppError;
use crate::issues::rules::panel;
use crate::issues::rules::state_machine::{self as wf, Actor};
use crate::issues::store::issue_rows::{self as m, IssueRow};
use crate::reference::rules::calendar::missing_years_warning;
use crate::reference::service::settings;

/// Whether the caller may see the issue at all: staff everything; a department officer
/// their department's issues once triaged for a fix; a panel member the issues whose panel
/// they sit on; an observer the issues they raised an occurrence of.
pub fn visible(
    conn: &mut DbConnection,
    caller: &AuthUser,
    row: &IssueRow,
) -> Result<bool, AppError> {
    Ok(match caller.role {
        Role::Admin | Role::Manager => true,
        Role::DepartmentOfficer => {
            caller.department_id.as_deref() == Some(row.department_id.as_str())
                && row.track.is_some()
        }
        Role::PanelMember => m::is_panel_member(conn, &row.id, &caller.id)?,
        Role::Inspector | Role::Experiencer => m::observed_by(conn, &row.id, &caller.id)?,
    })
}

/// Whether the caller must not learn who observed.
pub fn anonymous_to(role: Role) -> bool {
    matches!(role, Role::DepartmentOfficer | Role::PanelMember)
}

/// The names a summary shows.
pub struct Names {
    pub venue: String,
    pub department: String,
    pub scenario: Option<String>,
    pub category: Option<String>,
}

pub fn summary(row: &IssueRow, names: Names) -> IssueSummary {
    IssueSummary {
        id: row.id.clone(),
        source: row.source,
        status: row.status,
        track: row.track,
        version: row.version,
        title: row.title.clone(),
        severity: row.severity,
        venue_id: row.venue_id.clone(),
        venue_name: names.venue,
        department_id: row.department_id.clone(),
        department_name: names.department,
        category_id: row.category_id.clone(),
        category_name: names.category,
        scenario_id: row.scenario_id.clone(),
        scenario_name: names.scenario,
        step_name: row.step_name.clone(),
        occurrence_count: row.occurrence_count,
        first_seen_at: row.first_seen_at,
        last_seen_at: row.last_seen_at,
        deadline: row.deadline,
        overdue: row.overdue,
        transfer_requested: row.transfer_note.is_some(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn names(conn: &mut DbConnection, row: &IssueRow) -> Result<Names, AppError> {
    Ok(Names {
        venue: venues::table
            .find(&row.venue_id)
            .select(venues::name)
            .first(conn)?,
        department: departments::table
            .find(&row.department_id)
            .select(departments::name)
            .first(conn)?,
        scenario: match &row.scenario_id {
            Some(id) => scenarios::table
                .find(id)
                .select(scenarios::name)
                .first(conn)
                .optional()?,
            None => None,
        },
        category: match &row.category_id {
            Some(id) => problem_categories::table
                .find(id)
                .select(problem_categories::name_zh)
                .first(conn)
                .optional()?,
            None => None,
        },
    })
}

fn photos(json: &str) -> Result<Vec<String>, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored photo list: {e}")))
}

/// Everything about the issue the caller may see.
pub fn detail(
    conn: &mut DbConnection,
    caller: &AuthUser,
    row: &IssueRow,
) -> Result<IssueDetail, AppError> {
    let anonymous = anonymous_to(caller.role);
    let state = row.status;
    let occurrences = occurrences(conn, row, anonymous)?;
    let evidence_rows = m::evidence(conn, &row.id)?;
    let submitters: Vec<String> = evidence_rows
        .iter()
        .map(|e| e.submitted_by.clone())
        .collect();
    let evidence = evidence_rows
        .into_iter()
        .map(|e| {
            Ok(Evidence {
                round: e.round,
                photos: photos(&e.photos)?,
                submitted_by: e.submitted_by,
                note: e.note,
                created_at: e.created_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let round = evidence.iter().map(|e| e.round).max().unwrap_or(0);
    let panel_out = panel_members(conn, row, &submitters)?;
    let votes: Vec<Vote> = m::votes(conn, &row.id)?
        .into_iter()
        .map(|v| Vote {
            round: v.round,
            user_id: v.user_id,
            approve: v.approve,
            reason: v.reason,
            created_at: v.created_at,
        })
        .collect();
    let events = events(conn, row, anonymous)?;
    let count = |a: IssueAction| {
        i32::try_from(events.iter().filter(|e| e.action == a).count()).unwrap_or(i32::MAX)
    };
    let calendar_warning = calendar_warning(conn, caller, row)?;
    let mut actions = with_vote_rules(
        wf::available(state, Actor::of(caller.role)),
        caller,
        &panel_out,
        &votes,
        round,
    );
    // One transfer request at a time; only a pending one can be declined.
    let pending = row.transfer_note.is_some();
    actions.retain(|a| match a {
        IssueAction::RequestTransfer => !pending,
        IssueAction::DeclineTransfer => pending,
        _ => true,
    });
    Ok(IssueDetail {
        summary: summary(row, names(conn, row)?),
        description: row.description.clone(),
        routed_by: row.routed_by,
        resolution: row.resolution.clone(),
        transfer_note: row.transfer_note.clone().unwrap_or_default(),
        appeal_count: count(IssueAction::Appeal),
        reopen_count: count(IssueAction::RecheckUnsatisfied),
        triaged_at: row.triaged_at,
        rectified_at: row.rectified_at,
        on_time: row.on_time,
        rechecked_at: row.rechecked_at,
        satisfied: row.satisfied,
        closed_at: (state == flowwalk_shared::api::issues::IssueState::Closed)
            .then_some(row.rechecked_at)
            .flatten(),
        occurrences,
        evidence,
        panel: panel_out,
        votes,
        events,
        actions,
        calendar_warning,
    })
}

/// The issue's occurrences; the walkthrough behind each hidden from those kept anonymous.
fn occurrences(
    conn: &mut DbConnection,
    row: &IssueRow,
    anonymous: bool,
) -> Result<Vec<Occurrence>, AppError> {
    m::occurrences(conn, &row.id)?
        .into_iter()
        .map(|o| {
            Ok(Occurrence {
                walkthrough_id: if anonymous { None } else { o.walkthrough_id },
                severity: o.severity,
                photos: photos(&o.photos)?,
                id: o.id,
                description: o.description,
                seen_at: o.seen_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()
}

/// The panel as the caller sees it, each member marked when conflicted.
fn panel_members(
    conn: &mut DbConnection,
    row: &IssueRow,
    submitters: &[String],
) -> Result<Vec<PanelMember>, AppError> {
    let mut panel_out = Vec::new();
    for p in m::panel(conn, &row.id)? {
        let user = user_rows::get(conn, &p.user_id)?;
        let constituency = p.constituency;
        let member = panel::Member {
            user_id: p.user_id.clone(),
            constituency,
            department_id: user.department_id.clone(),
        };
        panel_out.push(PanelMember {
            conflicted: panel::conflict(&member, &row.department_id, submitters).is_some(),
            user_id: p.user_id,
            display_name: user.display_name,
            constituency,
        });
    }
    Ok(panel_out)
}

/// The audit trail as the caller may see it: an observer's id and the source reference
/// hidden from those kept anonymous.
fn events(
    conn: &mut DbConnection,
    row: &IssueRow,
    anonymous: bool,
) -> Result<Vec<IssueEvent>, AppError> {
    m::events(conn, &row.id)?
        .into_iter()
        .map(|e| {
            let hide = anonymous && e.actor == Actor::Observer;
            let mut detail: serde_json::Value =
                serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
            if anonymous && let Some(obj) = detail.as_object_mut() {
                obj.remove("source_ref");
            }
            Ok(IssueEvent {
                seq: e.seq,
                version: e.issue_version,
                action: e.action,
                from_state: e.from_state,
                to_state: e.to_state,
                actor_id: if hide { None } else { e.actor_id },
                actor: e.actor,
                detail,
                at: e.at,
                hash: e.hash,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()
}

/// For staff: the warning that the deadline was counted over years the calendar lacks.
fn calendar_warning(
    conn: &mut DbConnection,
    caller: &AuthUser,
    row: &IssueRow,
) -> Result<Option<String>, AppError> {
    Ok(
        match (caller.role.is_staff_manager(), row.triaged_at, row.deadline) {
            (true, Some(from), Some(to)) => {
                let (cal, _) = settings::calendar(conn)?;
                let from = china::date_of(from);
                let missing: Vec<i32> = (chrono::Datelike::year(&from)
                    ..=chrono::Datelike::year(&to))
                    .filter(|y| !cal.has_year(*y))
                    .collect();
                missing_years_warning(&missing).map(|(zh, _)| zh)
            }
            _ => None,
        },
    )
}

/// The workflow table says panel members may vote in `panel_review`; the vote itself is
/// refused to whoever is not on this issue's panel, is conflicted, or has voted on this
/// round of evidence already. Those callers are not offered the vote either.
fn with_vote_rules(
    mut actions: Vec<IssueAction>,
    caller: &AuthUser,
    panel: &[PanelMember],
    votes: &[Vote],
    round: i32,
) -> Vec<IssueAction> {
    let may_vote = panel
        .iter()
        .any(|m| m.user_id == caller.id && !m.conflicted)
        && !votes
            .iter()
            .any(|v| v.user_id == caller.id && v.round == round);
    if !may_vote {
        actions.retain(|a| !matches!(a, IssueAction::Approve | IssueAction::Reject));
    }
    actions
}

/// One issue for the caller: 404 when it does not exist or is not theirs to see.
pub fn get(conn: &mut DbConnection, caller: &AuthUser, id: &str) -> Result<IssueDetail, AppError> {
    let row = m::get(conn, id)?.ok_or_else(AppError::not_found)?;
    if !visible(conn, caller, &row)? {
        return Err(AppError::not_found());
    }
    detail(conn, caller, &row)
}

/// Whether an issue refers to the photo (as evidence or an occurrence's photo): then it is
/// no orphan. (For `photos::photo_access::SOURCES`.)
pub fn photo_referenced(conn: &mut DbConnection, sha: &str) -> Result<bool, AppError> {
    Ok(!issues_with_photo(conn, sha)?.is_empty())
}

/// The issues whose evidence or occurrences list the photo.
fn issues_with_photo(conn: &mut DbConnection, sha: &str) -> Result<Vec<String>, AppError> {
    use crate::db::schema::{issue_evidence as ev, issue_occurrences as io};
    // The photo lists are JSON arrays of hashes; a hash is 64 hex digits, so it cannot
    // match inside another one.
    let pattern = format!("%\"{sha}\"%");
    let mut ids: Vec<String> = ev::table
        .filter(ev::photos.like(&pattern))
        .select(ev::issue_id)
        .load(conn)?;
    ids.extend(
        io::table
            .filter(io::photos.like(&pattern))
            .select(io::issue_id)
            .load::<String>(conn)?,
    );
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Whether `caller` may see a photo through an issue: as evidence, or as an occurrence's
/// photo, of an issue they may see. (For `photos::photo_access::SOURCES`.)
pub fn can_read_photo_via_issue(
    conn: &mut DbConnection,
    caller: &AuthUser,
    sha: &str,
) -> Result<bool, AppError> {
    for id in issues_with_photo(conn, sha)? {
        if let Some(row) = m::get(conn, &id)?
            && visible(conn, caller, &row)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}
