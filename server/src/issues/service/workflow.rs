//! Carrying out one workflow action on one issue: the caller's scope, the version they saw,
//! the workflow table (`issue_rows::rules::state_machine::next`), the guards the table cannot express (who
//! on a panel, appeal once, own department), the effects, the audit entry and the
//! notifications — all in the caller's transaction.

use chrono::NaiveDateTime;
use flowwalk_shared::api::issues::{
    Constituency, IssueAction, IssueState, PanelMemberInput, Track, TriageDecision,
};
use flowwalk_shared::api::reports::NotificationKind;
use flowwalk_shared::time::china;
use flowwalk_shared::walkthrough::Severity;
use flowwalk_shared::{ErrorCode, Role};
use serde::Serialize;

use super::audit::{self, AuditKey, Change};
use super::notify::{self, About};
use super::view;
use crate::accounts::store::user_rows;
use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::rules::panel::{self, Ballot, Member, Outcome};
use crate::issues::rules::state_machine::{self as wf, Actor, Refusal};
use crate::issues::store::issue_rows::{self as m, EvidenceRow, IssueRow, PanelMemberRow, VoteRow};
use crate::photos::store as photos;
use crate::reference::rules::calendar::Calendar;
use crate::reference::service::settings;
use crate::reference::store::department_rows;
use flowwalk_shared::validate;

/// Working days a fix-now issue gets (即知即改).
pub const FIX_NOW_DAYS: u32 = 1;
/// Working days a ledger issue gets (台账, commonly 15).
pub const LEDGER_DAYS: u32 = 15;

pub fn days_for(track: Track) -> u32 {
    match track {
        Track::FixNow => FIX_NOW_DAYS,
        Track::Ledger => LEDGER_DAYS,
    }
}

/// What the caller asks for.
#[derive(Debug, Clone)]
pub enum Command {
    Triage {
        decision: TriageDecision,
        reason: String,
        department_id: Option<String>,
        severity: Option<Severity>,
    },
    Appeal {
        note: String,
    },
    SubmitEvidence {
        note: String,
        photos: Vec<String>,
        /// The phone's id for it: a retry is answered, not stored again.
        client_id: Option<String>,
    },
    RequestTransfer {
        note: String,
    },
    /// `None` declines the department's request.
    Transfer {
        department_id: Option<String>,
        note: String,
    },
    Acceptance {
        accept: bool,
        reason: String,
    },
    FormPanel {
        members: Vec<PanelMemberInput>,
    },
    Vote {
        approve: bool,
        reason: String,
    },
    Recheck {
        satisfied: bool,
        note: String,
    },
}

impl Command {
    fn action(&self) -> IssueAction {
        match self {
            Command::Triage { decision, .. } => match decision {
                TriageDecision::Dismiss => IssueAction::Dismiss,
                TriageDecision::Explain => IssueAction::Explain,
                TriageDecision::FixNow => IssueAction::FixNow,
                TriageDecision::Ledger => IssueAction::Ledger,
            },
            Command::Appeal { .. } => IssueAction::Appeal,
            Command::SubmitEvidence { .. } => IssueAction::SubmitEvidence,
            Command::RequestTransfer { .. } => IssueAction::RequestTransfer,
            Command::Transfer {
                department_id: Some(_),
                ..
            } => IssueAction::Transfer,
            Command::Transfer {
                department_id: None,
                ..
            } => IssueAction::DeclineTransfer,
            Command::Acceptance { accept: true, .. } => IssueAction::AcceptEvidence,
            Command::Acceptance { accept: false, .. } => IssueAction::RejectEvidence,
            Command::FormPanel { .. } => IssueAction::FormPanel,
            Command::Vote { approve: true, .. } => IssueAction::Approve,
            Command::Vote { approve: false, .. } => IssueAction::Reject,
            Command::Recheck {
                satisfied: true, ..
            } => IssueAction::RecheckSatisfied,
            Command::Recheck {
                satisfied: false, ..
            } => IssueAction::RecheckUnsatisfied,
        }
    }
}

/// The refusal of the workflow table as an answer.
pub fn refusal(r: Refusal, state: IssueState, action: IssueAction) -> AppError {
    match r {
        Refusal::NotYourAction => AppError::forbidden(),
        Refusal::WrongState => AppError::new(ErrorCode::InvalidState).message(
            format!(
                "问题当前为“{}”,不能执行“{}”",
                state.label_zh(),
                action.label_zh()
            ),
            format!("The issue is {state}; {action} is not possible now"),
        ),
    }
}

fn version_conflict(current: i32) -> AppError {
    AppError::new(ErrorCode::VersionConflict)
        .field("expected_version")
        .message(
            format!("该问题已被他人更新(当前版本 {current}),请刷新后再操作"),
            format!("Someone else changed this issue first (now version {current}); reload"),
        )
}

/// The deadline of a fix of `track` triaged at `now`, with the calendar's missing years.
pub fn deadline(cal: &Calendar, track: Track, now: NaiveDateTime) -> (chrono::NaiveDate, Vec<i32>) {
    let d = cal.add_working_days(china::date_of(now), days_for(track));
    (d.date, d.missing_years)
}

fn required(field: &str, text: &str) -> Result<String, AppError> {
    Ok(validate::text(field, text, 2000)?)
}

fn optional(field: &str, text: &str) -> Result<String, AppError> {
    Ok(validate::optional_text(field, text, 2000)?)
}

fn department_exists(conn: &mut DbConnection, id: &str) -> Result<(), AppError> {
    if department_rows::exists(conn, id)? {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::UnknownReference).field("department_id"))
    }
}

/// Panel members as the rule sees them, with each one's department.
fn panel_members(conn: &mut DbConnection, issue_id: &str) -> Result<Vec<Member>, AppError> {
    let rows = m::panel(conn, issue_id)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let user = user_rows::get(conn, &r.user_id)?;
        out.push(Member {
            constituency: r.constituency,
            user_id: r.user_id,
            department_id: user.department_id,
        });
    }
    Ok(out)
}

fn evidence_submitters(conn: &mut DbConnection, issue_id: &str) -> Result<Vec<String>, AppError> {
    Ok(m::evidence(conn, issue_id)?
        .into_iter()
        .map(|e| e.submitted_by)
        .collect())
}

/// Whether this caller already submitted evidence under `client_id` to this issue (a retry
/// whose answer was lost): then the issue is answered as it is. The same id on another
/// issue or from someone else is a client's mistake, refused.
pub fn already_had(
    conn: &mut DbConnection,
    caller: &AuthUser,
    row: &IssueRow,
    client_id: &str,
) -> Result<bool, AppError> {
    match m::evidence_by_client_id(conn, client_id)? {
        None => Ok(false),
        Some(e) if e.issue_id == row.id && e.submitted_by == caller.id => Ok(true),
        Some(_) => Err(AppError::new(ErrorCode::Conflict)
            .field("client_id")
            .message(
                "该编号已用于另一份佐证",
                "This client_id belongs to other evidence",
            )),
    }
}

/// The issue as it stands when evidence under `client_id` turns out to be a retry of this
/// caller's own submission to it (see [`already_had`]); `None` otherwise.
pub fn replayed_evidence(
    conn: &mut DbConnection,
    caller: &AuthUser,
    id: &str,
    client_id: &str,
) -> Result<Option<flowwalk_shared::api::issues::IssueDetail>, AppError> {
    let Some(row) = m::get(conn, id)? else {
        return Ok(None);
    };
    match already_had(conn, caller, &row, client_id) {
        Ok(true) => crate::issues::service::view::detail(conn, caller, &row).map(Some),
        _ => Ok(None),
    }
}

/// What an action records in the audit trail besides the transition: each command fills
/// the fields it has; absent ones are left out of the entry.
#[derive(Debug, Default, Serialize)]
pub struct Detail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constituency: Option<Constituency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<Track>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_missing_years: Option<Vec<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<String>>,
    /// Present (possibly `null`) on an acceptance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_time: Option<Option<bool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awaiting: Option<Vec<Awaiting>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<PanelSeat>>,
}

/// A constituency still short of approvals, in a vote's audit entry.
#[derive(Debug, Serialize)]
pub struct Awaiting {
    pub constituency: Constituency,
    pub approvals: u32,
}

/// One member of a panel as formed, in its audit entry.
#[derive(Debug, Serialize)]
pub struct PanelSeat {
    pub user_id: String,
    pub constituency: Constituency,
}

/// One notification to send once the action is committed.
#[derive(Debug)]
pub struct Notice {
    pub to: Vec<String>,
    pub kind: NotificationKind,
    pub message: String,
}

impl Notice {
    fn new(to: Vec<String>, kind: NotificationKind, message: String) -> Notice {
        Notice { to, kind, message }
    }
}

/// What a command did besides changing the row.
#[derive(Debug, Default)]
pub struct Effects {
    pub detail: Detail,
    pub notices: Vec<Notice>,
    /// The vote completed the panel's sign-off: a system sign-off follows.
    pub signed_off_by_panel: bool,
}

/// The step being carried out: who, from which state to which, when.
struct Step<'a> {
    caller: &'a AuthUser,
    state: IssueState,
    to: IssueState,
    now: NaiveDateTime,
}

/// Carries out `cmd` on the issue for `caller`, who saw `expected_version`. Returns the
/// issue as it now is. Call inside a write transaction.
pub fn act(
    conn: &mut DbConnection,
    key: &AuditKey,
    caller: &AuthUser,
    issue_id: &str,
    expected_version: i32,
    cmd: Command,
    now: NaiveDateTime,
) -> Result<IssueRow, AppError> {
    let mut row = m::get(conn, issue_id)?.ok_or_else(AppError::not_found)?;
    if !view::visible(conn, caller, &row)? {
        return Err(AppError::not_found());
    }
    let state = row.status;
    let action = cmd.action();
    let actor = Actor::of(caller.role);
    if let Command::SubmitEvidence {
        client_id: Some(client_id),
        ..
    } = &cmd
        && already_had(conn, caller, &row, client_id)?
    {
        return Ok(row);
    }
    if row.version != expected_version {
        return Err(version_conflict(row.version));
    }
    let to = wf::next(state, action, actor).map_err(|r| refusal(r, state, action))?;
    let step = Step {
        caller,
        state,
        to,
        now,
    };
    let mut effects = run(conn, &mut row, &step, cmd)?;
    let change = Change {
        action,
        from: state,
        to,
        actor,
        actor_id: Some(caller.id.clone()),
        detail: serde_json::to_value(&effects.detail).unwrap_or_default(),
        at: now,
    };
    if !audit::commit(conn, key, &mut row, change)? {
        return Err(version_conflict(expected_version));
    }
    if effects.signed_off_by_panel {
        let from = to;
        let to = wf::next(from, IssueAction::SignOff, Actor::System)
            .map_err(|r| refusal(r, from, IssueAction::SignOff))?;
        sign_off(conn, &mut row, now, &mut effects.notices)?;
        let change = Change {
            action: IssueAction::SignOff,
            from,
            to,
            actor: Actor::System,
            actor_id: None,
            detail: serde_json::json!({"on_time": row.on_time}),
            at: now,
        };
        if !audit::commit(conn, key, &mut row, change)? {
            return Err(version_conflict(row.version));
        }
    }
    for notice in effects.notices {
        notify::send(
            conn,
            &notice.to,
            notice.kind,
            &About {
                issue_id: Some(&row.id),
                ..About::default()
            },
            &notice.message,
            now,
        )?;
    }
    Ok(row)
}

/// The command's own checks and changes to the row.
fn run(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    cmd: Command,
) -> Result<Effects, AppError> {
    match cmd {
        Command::Triage {
            decision,
            reason,
            department_id,
            severity,
        } => triage(conn, row, step, decision, reason, department_id, severity),
        Command::Appeal { note } => appeal(conn, row, step, note),
        Command::SubmitEvidence {
            note,
            photos: shas,
            client_id,
        } => submit_evidence(conn, row, step, note, shas, client_id),
        Command::RequestTransfer { note } => request_transfer(conn, row, step, note),
        Command::Transfer {
            department_id: Some(d),
            note,
        } => transfer(conn, row, step, d, note),
        Command::Transfer {
            department_id: None,
            note,
        } => decline_transfer(conn, row, note),
        Command::Acceptance { accept, reason } => acceptance(conn, row, step, accept, reason),
        Command::FormPanel { members } => form_panel_step(conn, row, step, members),
        Command::Vote { approve, reason } => vote(conn, row, step, approve, reason),
        Command::Recheck { satisfied, note } => recheck(conn, row, step, satisfied, note),
    }
}

fn triage(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    decision: TriageDecision,
    reason: String,
    department_id: Option<String>,
    severity: Option<Severity>,
) -> Result<Effects, AppError> {
    let mut fx = Effects::default();
    if let Some(d) = &department_id {
        department_exists(conn, d)?;
        if *d != row.department_id {
            fx.detail.department_from = Some(row.department_id.clone());
            fx.detail.department_id = Some(d.clone());
            row.department_id = d.clone();
            row.routed_by = flowwalk_shared::api::issues::RoutedBy::Manager;
        }
    }
    if let Some(s) = severity {
        row.severity = s;
        fx.detail.severity = Some(s);
    }
    row.triaged_at = Some(step.now);
    match decision {
        TriageDecision::Dismiss | TriageDecision::Explain => {
            let reason = required("reason", &reason)?;
            fx.detail.reason = Some(reason.clone());
            row.resolution = reason;
            row.deadline = None;
            if let Some(observer) = row.observer_id.clone() {
                fx.notices.push(Notice::new(
                    vec![observer],
                    NotificationKind::IssueUpdate,
                    format!("您反映的问题“{}”处理结果:{}", row.title, step.to.label_zh()),
                ));
            }
        }
        TriageDecision::FixNow | TriageDecision::Ledger => {
            let track = if decision == TriageDecision::FixNow {
                Track::FixNow
            } else {
                Track::Ledger
            };
            let (cal, _) = settings::calendar(conn)?;
            let (due, missing) = deadline(&cal, track, step.now);
            row.track = Some(track);
            row.deadline = Some(due);
            row.overdue = false;
            row.transfer_note = None;
            row.resolution = optional("reason", &reason)?;
            fx.detail.track = Some(track);
            fx.detail.deadline = Some(due.to_string());
            if !missing.is_empty() {
                fx.detail.calendar_missing_years = Some(missing);
            }
            fx.notices.push(Notice::new(
                notify::officers_of(conn, &row.department_id)?,
                NotificationKind::IssueAssigned,
                format!(
                    "新交办问题({}):“{}”,整改期限 {due}",
                    track.label_zh(),
                    row.title
                ),
            ));
        }
    }
    Ok(fx)
}

fn appeal(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    note: String,
) -> Result<Effects, AppError> {
    if row.observer_id.as_deref() != Some(step.caller.id.as_str()) {
        return Err(AppError::forbidden().message(
            "只有反映该问题的体验员可以申诉",
            "Only the observer who raised it may appeal",
        ));
    }
    if m::count_events(conn, &row.id, IssueAction::Appeal)? > 0 {
        return Err(AppError::new(ErrorCode::AppealUsed));
    }
    let mut fx = Effects::default();
    fx.detail.note = Some(required("note", &note)?);
    fx.notices.push(Notice::new(
        notify::managers(conn)?,
        NotificationKind::ActionNeeded,
        format!("问题“{}”被申诉,请复核", row.title),
    ));
    Ok(fx)
}

fn submit_evidence(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    note: String,
    shas: Vec<String>,
    client_id: Option<String>,
) -> Result<Effects, AppError> {
    own_department(step.caller, row)?;
    let note = required("note", &note)?;
    if let Some(missing) = photos::missing(conn, &shas)?.first() {
        let i = shas.iter().position(|s| s == missing).unwrap_or(0);
        return Err(AppError::new(ErrorCode::UnknownReference)
            .field(format!("photos[{i}]"))
            .message(
                "照片尚未上传,请先上传照片",
                "Upload the photo first (PUT /api/v1/photos/{sha256})",
            ));
    }
    let round = evidence_round(conn, &row.id)? + 1;
    row.transfer_note = None;
    m::insert_evidence(
        conn,
        &EvidenceRow {
            id: crate::db::rows::new_id(),
            issue_id: row.id.clone(),
            round,
            submitted_by: step.caller.id.clone(),
            note: note.clone(),
            photos: serde_json::to_string(&shas).unwrap_or_else(|_| "[]".into()),
            created_at: step.now,
            client_id,
        },
    )?;
    let mut fx = Effects::default();
    fx.detail.round = Some(round);
    fx.detail.note = Some(note);
    fx.detail.photos = Some(shas);
    if step.to == IssueState::PanelReview {
        let members: Vec<String> = m::panel(conn, &row.id)?
            .into_iter()
            .map(|p| p.user_id)
            .collect();
        fx.notices.push(Notice::new(
            members,
            NotificationKind::VoteRequested,
            format!("问题“{}”已提交整改佐证,请验收", row.title),
        ));
        fx.notices.push(Notice::new(
            notify::managers(conn)?,
            NotificationKind::ActionNeeded,
            format!("台账问题“{}”已提交整改佐证,待验收团验收", row.title),
        ));
    } else {
        fx.notices.push(Notice::new(
            notify::managers(conn)?,
            NotificationKind::ActionNeeded,
            format!("即知即改问题“{}”已提交整改佐证,请验收", row.title),
        ));
    }
    Ok(fx)
}

fn request_transfer(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    note: String,
) -> Result<Effects, AppError> {
    own_department(step.caller, row)?;
    if row.transfer_note.is_some() {
        return Err(AppError::new(ErrorCode::InvalidState).message(
            "已申请转办,请等待管理人员处理",
            "A transfer was asked for already; a manager has yet to decide",
        ));
    }
    let note = required("note", &note)?;
    row.transfer_note = Some(note.clone());
    let mut fx = Effects::default();
    fx.detail.note = Some(note);
    fx.notices.push(Notice::new(
        notify::managers(conn)?,
        NotificationKind::ActionNeeded,
        format!("问题“{}”的责任部门申请转办", row.title),
    ));
    Ok(fx)
}

fn transfer(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    d: String,
    note: String,
) -> Result<Effects, AppError> {
    department_exists(conn, &d)?;
    if d == row.department_id {
        return Err(AppError::invalid(
            "department_id",
            "已是该部门的问题",
            "The issue is with that department already",
        ));
    }
    let mut fx = Effects::default();
    fx.detail.department_from = Some(row.department_id.clone());
    fx.detail.department_id = Some(d.clone());
    fx.detail.note = Some(optional("note", &note)?);
    row.department_id = d;
    row.routed_by = flowwalk_shared::api::issues::RoutedBy::Manager;
    row.transfer_note = None;
    if let Some(track) = row.track
        && wf::department_turn(step.state)
    {
        // The new department gets the full time from today.
        let (cal, _) = settings::calendar(conn)?;
        let (due, _) = deadline(&cal, track, step.now);
        row.deadline = Some(due);
        fx.detail.deadline = Some(due.to_string());
        fx.notices.push(Notice::new(
            notify::officers_of(conn, &row.department_id)?,
            NotificationKind::IssueAssigned,
            format!("转办给本部门的问题:“{}”,整改期限 {due}", row.title),
        ));
    }
    Ok(fx)
}

fn decline_transfer(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    note: String,
) -> Result<Effects, AppError> {
    if row.transfer_note.is_none() {
        return Err(AppError::new(ErrorCode::InvalidState).message(
            "该问题没有待处理的转办申请",
            "There is no transfer request to decline",
        ));
    }
    let note = required("note", &note)?;
    row.transfer_note = None;
    let mut fx = Effects::default();
    fx.detail.note = Some(note.clone());
    fx.notices.push(Notice::new(
        notify::officers_of(conn, &row.department_id)?,
        NotificationKind::IssueUpdate,
        format!("问题“{}”的转办申请未获同意:{note}", row.title),
    ));
    Ok(fx)
}

fn acceptance(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    accept: bool,
    reason: String,
) -> Result<Effects, AppError> {
    let mut fx = Effects::default();
    if accept {
        fx.detail.note = Some(optional("reason", &reason)?);
        sign_off(conn, row, step.now, &mut fx.notices)?;
        fx.detail.on_time = Some(row.on_time);
    } else {
        let reason = required("reason", &reason)?;
        row.resolution = reason.clone();
        fx.detail.reason = Some(reason.clone());
        fx.notices.push(Notice::new(
            notify::officers_of(conn, &row.department_id)?,
            NotificationKind::IssueUpdate,
            format!("问题“{}”验收未通过:{reason}", row.title),
        ));
    }
    Ok(fx)
}

fn form_panel_step(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    members: Vec<PanelMemberInput>,
) -> Result<Effects, AppError> {
    form_panel(conn, row, &members, step.now)?;
    let mut fx = Effects::default();
    fx.detail.members = Some(
        members
            .iter()
            .map(|m| PanelSeat {
                user_id: m.user_id.clone(),
                constituency: m.constituency,
            })
            .collect(),
    );
    if step.state == IssueState::PanelReview {
        fx.notices.push(Notice::new(
            members.iter().map(|m| m.user_id.clone()).collect(),
            NotificationKind::VoteRequested,
            format!("问题“{}”待验收团验收", row.title),
        ));
    }
    Ok(fx)
}

fn vote(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    approve: bool,
    reason: String,
) -> Result<Effects, AppError> {
    let caller = step.caller;
    let members = panel_members(conn, &row.id)?;
    let Some(me) = members.iter().find(|mm| mm.user_id == caller.id) else {
        return Err(AppError::forbidden().message(
            "您不是该问题验收团的成员",
            "You are not on this issue's panel",
        ));
    };
    let submitters = evidence_submitters(conn, &row.id)?;
    if panel::conflict(me, &row.department_id, &submitters).is_some() {
        return Err(AppError::new(ErrorCode::ConflictOfInterest));
    }
    let reason = if approve {
        optional("reason", &reason)?
    } else {
        required("reason", &reason)?
    };
    let round = evidence_round(conn, &row.id)?;
    let inserted = crate::db::rows::insert_once(conn, |c| {
        use diesel::RunQueryDsl;
        diesel::insert_into(crate::db::schema::panel_votes::table)
            .values(&VoteRow {
                issue_id: row.id.clone(),
                round,
                user_id: caller.id.clone(),
                approve,
                reason: reason.clone(),
                created_at: step.now,
            })
            .execute(c)
    })?;
    if !inserted {
        return Err(AppError::new(ErrorCode::Duplicate)
            .field("approve")
            .message(
                "您已对本轮整改佐证投过票",
                "You have voted on this round of evidence already",
            ));
    }
    let mut fx = Effects::default();
    fx.detail.round = Some(round);
    fx.detail.constituency = Some(me.constituency);
    fx.detail.reason = Some(reason.clone());
    if approve {
        let ballots: Vec<Ballot> = m::votes(conn, &row.id)?
            .into_iter()
            .filter(|v| v.round == round)
            .map(|v| Ballot {
                user_id: v.user_id,
                approve: v.approve,
                reason: v.reason,
            })
            .collect();
        let rule = settings::panel_rule(conn)?;
        match panel::outcome(&rule, &members, &row.department_id, &submitters, &ballots) {
            Outcome::SignedOff => fx.signed_off_by_panel = true,
            Outcome::Pending(missing) => {
                fx.detail.awaiting = Some(
                    missing
                        .iter()
                        .map(|(c, n)| Awaiting {
                            constituency: *c,
                            approvals: *n,
                        })
                        .collect(),
                );
            }
            // Cannot happen: a rejection returns the issue at once.
            Outcome::Rejected(_) => {}
        }
    } else {
        row.resolution = reason.clone();
        fx.notices.push(Notice::new(
            notify::officers_of(conn, &row.department_id)?,
            NotificationKind::IssueUpdate,
            format!("问题“{}”验收团验收未通过:{reason}", row.title),
        ));
    }
    Ok(fx)
}

fn recheck(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    step: &Step,
    satisfied: bool,
    note: String,
) -> Result<Effects, AppError> {
    let caller = step.caller;
    if caller.role != Role::Manager && row.observer_id.as_deref() != Some(&caller.id) {
        return Err(AppError::forbidden().message(
            "只有反映该问题的体验员或管理人员(回访)可以确认整改结果",
            "Only the observer who raised it, or a manager recording a return visit",
        ));
    }
    let note = optional("note", &note)?;
    row.rechecked_at = Some(step.now);
    row.satisfied = Some(satisfied);
    let mut fx = Effects::default();
    fx.detail.note = Some(note);
    fx.detail.by = Some(if caller.role == Role::Manager {
        "return_visit"
    } else {
        "observer"
    });
    if !satisfied {
        fx.notices.push(Notice::new(
            notify::managers(conn)?,
            NotificationKind::ActionNeeded,
            format!("问题“{}”回访不满意,已重新打开,请重新研判", row.title),
        ));
    }
    Ok(fx)
}

/// The evidence rounds submitted so far.
fn evidence_round(conn: &mut DbConnection, issue_id: &str) -> Result<i32, AppError> {
    Ok(m::evidence(conn, issue_id)?
        .iter()
        .map(|e| e.round)
        .max()
        .unwrap_or(0))
}

/// The fix is accepted: rectified now; on time if its last evidence came by the deadline.
fn sign_off(
    conn: &mut DbConnection,
    row: &mut IssueRow,
    now: NaiveDateTime,
    notes: &mut Vec<Notice>,
) -> Result<(), AppError> {
    let last_evidence = m::evidence(conn, &row.id)?.last().map(|e| e.created_at);
    row.rectified_at = Some(now);
    row.on_time = match (last_evidence, row.deadline) {
        (Some(at), Some(due)) => Some(china::date_of(at) <= due),
        _ => None,
    };
    if let Some(observer) = row.observer_id.clone() {
        notes.push(Notice::new(
            vec![observer],
            NotificationKind::IssueUpdate,
            format!("您反映的问题“{}”已整改并验收,请确认是否满意", row.title),
        ));
    }
    Ok(())
}

fn own_department(caller: &AuthUser, row: &IssueRow) -> Result<(), AppError> {
    if caller.department_id.as_deref() == Some(row.department_id.as_str()) {
        Ok(())
    } else {
        Err(AppError::forbidden().message(
            "只有责任部门的整改人员可以处理该问题",
            "Only the responsible department's officers can do this",
        ))
    }
}

/// Checks and stores the panel: panel-member accounts, each once, covering the rule.
fn form_panel(
    conn: &mut DbConnection,
    row: &IssueRow,
    members: &[PanelMemberInput],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if members.is_empty() || members.len() > 30 {
        return Err(AppError::invalid(
            "members",
            "验收团需要 1–30 名成员",
            "A panel has 1–30 members",
        ));
    }
    let mut rows = Vec::new();
    let mut checked = Vec::new();
    for (i, input) in members.iter().enumerate() {
        let field = format!("members[{i}].user_id");
        if rows
            .iter()
            .any(|r: &PanelMemberRow| r.user_id == input.user_id)
        {
            return Err(AppError::invalid(field, "成员重复", "Member listed twice"));
        }
        let Ok(user) = user_rows::get(conn, &input.user_id) else {
            return Err(AppError::new(ErrorCode::UnknownReference).field(field));
        };
        if user.role != Role::PanelMember || !user.active {
            return Err(AppError::invalid(
                field,
                "只能选择在用的验收团成员账号",
                "Only active panel-member accounts can sit on a panel",
            ));
        }
        checked.push(Member {
            user_id: user.id.clone(),
            constituency: input.constituency,
            department_id: user.department_id.clone(),
        });
        rows.push(PanelMemberRow {
            issue_id: row.id.clone(),
            user_id: user.id,
            constituency: input.constituency,
            added_at: now,
        });
    }
    let rule = settings::panel_rule(conn)?;
    let uncovered = panel::uncovered(&rule, &checked, &row.department_id);
    if !uncovered.is_empty() {
        let names: Vec<&str> = uncovered.iter().map(|c| c.label_zh()).collect();
        let codes: Vec<&str> = uncovered.iter().map(|c| c.as_str()).collect();
        return Err(AppError::new(ErrorCode::PanelIncomplete)
            .field("members")
            .message(
                format!(
                    "验收团缺少可投票的成员:{}(责任部门的人员不能投票)",
                    names.join("、")
                ),
                format!(
                    "The panel lacks eligible members from: {} (the responsible department's staff cannot vote)",
                    codes.join(", ")
                ),
            ));
    }
    m::set_panel(conn, &row.id, &rows)?;
    Ok(())
}
