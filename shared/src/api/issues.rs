//! Issues (问题清单) and their workflow: the vocabulary (states, actions, sources, panel
//! constituencies) and the request/response bodies of `/api/v1/issues…`.
//!
//! Every state-changing request carries `expected_version`, the issue version the caller
//! saw; a request made against an older version is refused with `version_conflict`.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;
use crate::walkthrough::Severity;

text_enum! {
    /// Where an issue comes from.
    pub enum IssueSource {
        /// A walkthrough's finding (走流程)
        Walkthrough = "walkthrough" / "走流程" / "Walkthrough",
        /// A bad review (差评) imported from the 好差评 system
        Review = "review" / "好差评" / "Bad review (好差评)",
        /// A citizen questionnaire answer (问卷)
        Questionnaire = "questionnaire" / "问卷" / "Questionnaire",
    }
}

text_enum! {
    /// Where an issue stands.
    pub enum IssueState {
        /// Awaiting triage (待研判)
        New = "new" / "待研判" / "Awaiting triage",
        /// Dismissed as invalid, with a reason (不予受理)
        Dismissed = "dismissed" / "不予受理" / "Dismissed",
        /// The observer appealed the dismissal; back to triage (申诉复核)
        Appealed = "appealed" / "申诉复核" / "Appealed",
        /// No legal basis for a fix; explained instead (解释说明)
        Explained = "explained" / "已解释说明" / "Explained",
        /// Fix at once, 1 working day (即知即改)
        FixNow = "fix_now" / "即知即改" / "Fix now",
        /// Evidence of a fix-now issue awaits a manager (待验收)
        FixNowReview = "fix_now_review" / "即改待验收" / "Fix awaiting acceptance",
        /// Complex: in the ledger, 15 working days (台账整改)
        Ledger = "ledger" / "台账整改" / "Ledger fix",
        /// Evidence of a ledger issue awaits the acceptance panel (验收团验收)
        PanelReview = "panel_review" / "验收团验收" / "Panel review",
        /// Accepted; awaiting the citizen's re-check (待回访)
        SignedOff = "signed_off" / "已验收待回访" / "Signed off, re-check due",
        /// The citizen side is satisfied (已办结)
        Closed = "closed" / "已办结" / "Closed",
        /// The citizen side is not satisfied; back to triage (重新整改)
        Reopened = "reopened" / "重新整改" / "Reopened",
    }
}

text_enum! {
    /// What can be done to an issue. Each is one row group of the workflow table.
    pub enum IssueAction {
        Dismiss = "dismiss" / "不予受理" / "Dismissed",
        Explain = "explain" / "解释说明" / "Explained",
        FixNow = "fix_now" / "即知即改" / "Fix now",
        Ledger = "ledger" / "建立台账" / "Put in the ledger",
        Appeal = "appeal" / "申诉" / "Appealed",
        SubmitEvidence = "submit_evidence" / "提交整改佐证" / "Evidence submitted",
        RequestTransfer = "request_transfer" / "申请转办" / "Transfer requested",
        Transfer = "transfer" / "转办" / "Transferred",
        DeclineTransfer = "decline_transfer" / "驳回转办申请" / "Transfer declined",
        AcceptEvidence = "accept_evidence" / "验收通过" / "Evidence accepted",
        RejectEvidence = "reject_evidence" / "验收不通过" / "Evidence rejected",
        FormPanel = "form_panel" / "组建验收团" / "Panel formed",
        Approve = "approve" / "验收团成员通过" / "Panel member approved",
        Reject = "reject" / "验收团成员不通过" / "Panel member rejected",
        SignOff = "sign_off" / "验收团验收通过" / "Signed off by the panel",
        RecheckSatisfied = "recheck_satisfied" / "回访满意" / "Re-check: satisfied",
        RecheckUnsatisfied = "recheck_unsatisfied" / "回访不满意" / "Re-check: not satisfied",
        MarkOverdue = "mark_overdue" / "逾期" / "Overdue",
        AddOccurrence = "add_occurrence" / "再次发现" / "Seen again",
        Create = "create" / "新建" / "Created",
    }
}

text_enum! {
    /// Who acts on an issue, as its audit trail records it. Observers (inspectors and
    /// volunteer experiencers) act alike; `System` is the server itself (the issue builder,
    /// the overdue sweep, the panel rule signing off).
    pub enum Actor {
        Admin = "admin" / "系统管理员" / "Administrator",
        Manager = "manager" / "政务服务管理人员" / "Manager",
        Observer = "observer" / "体验员、督查员" / "Observer",
        Officer = "officer" / "部门整改人员" / "Department officer",
        Panel = "panel" / "验收团成员" / "Panel member",
        System = "system" / "系统" / "System",
    }
}

impl Actor {
    /// The actor a user of this role acts as.
    pub fn of(role: crate::Role) -> Actor {
        use crate::Role;
        match role {
            Role::Admin => Actor::Admin,
            Role::Manager => Actor::Manager,
            Role::Inspector | Role::Experiencer => Actor::Observer,
            Role::DepartmentOfficer => Actor::Officer,
            Role::PanelMember => Actor::Panel,
        }
    }
}

text_enum! {
    /// How a fix is handled once triaged.
    pub enum Track {
        FixNow = "fix_now" / "即知即改" / "Fix now",
        Ledger = "ledger" / "台账" / "Ledger",
    }
}

text_enum! {
    /// The three constituencies of an acceptance panel (验收团).
    pub enum Constituency {
        /// 政务服务管理部门
        ServiceOffice = "service_office" / "政务服务管理部门" / "Service office",
        /// 窗口代表
        WindowRep = "window_rep" / "窗口代表" / "Window representative",
        /// 市民巡访团
        CitizenPatrol = "citizen_patrol" / "市民巡访团" / "Citizen patrol",
    }
}

text_enum! {
    /// How the responsible department was chosen.
    pub enum RoutedBy {
        /// The scenario step's department
        Step = "step" / "环节责任部门" / "The step's department",
        /// The category → department mapping
        Category = "category" / "问题类别对应部门" / "The category's department",
        /// The nearest planned step before an unplanned one
        PrecedingStep = "preceding_step" / "前一环节责任部门" / "The preceding step's department",
        /// Named by the outside source (好差评 row, questionnaire)
        Source = "source" / "来源指定" / "Named by the source",
        /// Chosen by a manager (triage or transfer)
        Manager = "manager" / "管理人员指定" / "Chosen by a manager",
    }
}

text_enum! {
    /// Sort orders of the issue list (keyset-paged).
    pub enum IssueSort {
        /// Newest first
        Created = "created" / "按创建时间" / "By creation",
        /// Most recently changed first
        Updated = "updated" / "按更新时间" / "By last change",
        /// Earliest deadline first (issues with a deadline only)
        Deadline = "deadline" / "按期限" / "By deadline",
    }
}

/// The issue list's filters, order and page (`GET /api/v1/issues`). Empty filters are
/// left out of the address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct IssueQuery {
    /// One state, or several separated by commas (`fix_now,ledger`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub source: Option<IssueSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue_id: Option<String>,
    /// The town/street (a venue of level `town`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Received in this period: `2026`, `2026-Q3` or `2026-07`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Words in the title or description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `created` (newest first, default), `updated` or `deadline` (earliest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub sort: Option<IssueSort>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

impl IssueQuery {
    /// The states asked for (none: every state); strict, an unknown name is an error.
    pub fn states(&self) -> Result<Vec<IssueState>, crate::text_enum::UnknownValue> {
        self.status
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .collect()
    }

    /// Asks for these states (none: every state).
    pub fn set_states(&mut self, states: &[IssueState]) {
        self.status = (!states.is_empty()).then(|| {
            states
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        });
    }
}

/// `POST /api/v1/issues/import`: the file's format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `csv` or `xlsx`; default from the content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// One issue as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueSummary {
    pub id: String,
    pub source: IssueSource,
    pub status: IssueState,
    pub track: Option<Track>,
    /// Send it back as `expected_version` with the next action.
    pub version: i32,
    pub title: String,
    pub severity: Severity,
    pub venue_id: String,
    pub venue_name: String,
    pub department_id: String,
    pub department_name: String,
    pub category_id: Option<String>,
    pub category_name: Option<String>,
    pub scenario_id: Option<String>,
    pub scenario_name: Option<String>,
    pub step_name: String,
    pub occurrence_count: i32,
    #[serde(with = "crate::time::utc")]
    pub first_seen_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub last_seen_at: chrono::NaiveDateTime,
    /// The last working day of the fix (China time), once triaged for a fix.
    pub deadline: Option<chrono::NaiveDate>,
    pub overdue: bool,
    pub transfer_requested: bool,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub updated_at: chrono::NaiveDateTime,
}

/// A page of a keyset-paged list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One time the problem was met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Occurrence {
    pub id: String,
    /// Absent for department officers (anonymity) and for outside sources.
    pub walkthrough_id: Option<String>,
    pub severity: Severity,
    pub description: String,
    pub photos: Vec<String>,
    #[serde(with = "crate::time::utc")]
    pub seen_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub round: i32,
    pub submitted_by: String,
    pub note: String,
    pub photos: Vec<String>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelMember {
    pub user_id: String,
    pub display_name: String,
    pub constituency: Constituency,
    /// May not vote: from the responsible department, or submitted evidence.
    pub conflicted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vote {
    pub round: i32,
    pub user_id: String,
    pub approve: bool,
    pub reason: String,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}

/// One entry of the issue's audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueEvent {
    pub seq: i64,
    pub version: i32,
    pub action: IssueAction,
    pub from_state: Option<IssueState>,
    pub to_state: IssueState,
    /// Who acted: absent for the server itself and, for department officers, for observers.
    pub actor_id: Option<String>,
    pub actor: Actor,
    pub detail: serde_json::Value,
    #[serde(with = "crate::time::utc")]
    pub at: chrono::NaiveDateTime,
    pub hash: String,
}

/// Everything about one issue, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueDetail {
    pub summary: IssueSummary,
    pub description: String,
    pub routed_by: RoutedBy,
    /// The dismissal reason, the explanation, or the last rejection's reasons.
    pub resolution: String,
    pub transfer_note: String,
    pub appeal_count: i32,
    pub reopen_count: i32,
    #[serde(default, with = "crate::time::utc_option")]
    pub triaged_at: Option<chrono::NaiveDateTime>,
    #[serde(default, with = "crate::time::utc_option")]
    pub rectified_at: Option<chrono::NaiveDateTime>,
    pub on_time: Option<bool>,
    #[serde(default, with = "crate::time::utc_option")]
    pub rechecked_at: Option<chrono::NaiveDateTime>,
    pub satisfied: Option<bool>,
    #[serde(default, with = "crate::time::utc_option")]
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub occurrences: Vec<Occurrence>,
    pub evidence: Vec<Evidence>,
    pub panel: Vec<PanelMember>,
    pub votes: Vec<Vote>,
    pub events: Vec<IssueEvent>,
    /// What the caller may do now (the workflow table, for this caller and state).
    pub actions: Vec<IssueAction>,
    /// Set when the deadline was counted over a year the holiday calendar lacks.
    pub calendar_warning: Option<String>,
}

text_enum! {
    /// Triage (研判) by a manager.
    pub enum TriageDecision {
        /// Invalid (误评/不实): needs `reason`.
        Dismiss = "dismiss" / "不予受理" / "Dismiss",
        /// No legal basis: needs `reason` (the explanation shown to the observer).
        Explain = "explain" / "解释说明" / "Explain",
        /// Fix at once: deadline 1 working day.
        FixNow = "fix_now" / "即知即改" / "Fix now",
        /// Complex: ledger, deadline 15 working days.
        Ledger = "ledger" / "建立台账" / "Ledger",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    pub expected_version: i32,
    pub decision: TriageDecision,
    #[serde(default)]
    pub reason: String,
    /// Route to another department at the same time.
    #[serde(default)]
    pub department_id: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkTriageRequest {
    /// Issue id → the version the caller saw.
    pub issues: Vec<VersionedId>,
    pub decision: TriageDecision,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VersionedId {
    pub id: String,
    pub expected_version: i32,
}

/// One issue's outcome in a bulk request: the new version, or the error code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub id: String,
    pub version: Option<i32>,
    pub code: Option<crate::ErrorCode>,
    pub message: Option<String>,
}

/// A note-only request (appeal, transfer request, decline).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub expected_version: i32,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    pub expected_version: i32,
    /// What was done.
    pub note: String,
    /// SHA-256 of photos already uploaded through `PUT /api/v1/photos/{sha256}`.
    #[serde(default)]
    pub photos: Vec<String>,
    /// The id the phone gave this evidence when it was recorded (1–64 of `A-Za-z0-9-_`).
    /// A retry with the same id is answered with the issue as it is, whatever its version
    /// now: the evidence is stored once.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 64, pattern = "^[A-Za-z0-9_-]{1,64}$")
    )]
    pub client_id: Option<String>,
}

/// The most photos one round of evidence carries.
pub const MAX_EVIDENCE_PHOTOS: usize = 20;

impl EvidenceRequest {
    /// The rules evidence meets on its own, for the server and for the phone's form: a
    /// note saying what was done (`rules::Text::EvidenceNote`), at most
    /// [`MAX_EVIDENCE_PHOTOS`] photos each named by its SHA-256, a well-formed client id.
    pub fn check_shape(&self) -> Result<(), crate::rules::Invalid> {
        use crate::ErrorCode;
        use crate::rules::Invalid;
        crate::rules::Text::EvidenceNote.check("note", self.note.trim())?;
        if crate::text::has_control_chars(&self.note) {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "note",
                "整改情况含有无法保存的控制字符",
                "The note holds control characters that cannot be stored",
            ));
        }
        if self.photos.len() > MAX_EVIDENCE_PHOTOS {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "photos",
                format!("最多 {MAX_EVIDENCE_PHOTOS} 张照片"),
                format!("At most {MAX_EVIDENCE_PHOTOS} photos"),
            ));
        }
        if let Some(i) = self
            .photos
            .iter()
            .position(|p| !crate::walkthrough::is_sha256_hex(p))
        {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                format!("photos[{i}]"),
                "照片编号须为 64 位十六进制 SHA-256",
                "A photo is named by its SHA-256 in 64 hex digits",
            ));
        }
        if let Some(id) = &self.client_id
            && !crate::rules::id_ok(id)
        {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "client_id",
                "编号无效",
                "Invalid client id",
            ));
        }
        Ok(())
    }
}

/// A manager moves the issue to another department, or declines the request to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub expected_version: i32,
    /// The new department; absent to decline the department's request.
    #[serde(default)]
    pub department_id: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A manager's decision on a fix-now issue's evidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptanceRequest {
    pub expected_version: i32,
    pub accept: bool,
    /// Required when rejecting: what is still wrong.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PanelMemberInput {
    pub user_id: String,
    pub constituency: Constituency,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PanelRequest {
    pub expected_version: i32,
    pub members: Vec<PanelMemberInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub expected_version: i32,
    pub approve: bool,
    /// Required when rejecting: the reasons go back to the department.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecheckRequest {
    pub expected_version: i32,
    pub satisfied: bool,
    #[serde(default)]
    pub note: String,
}

/// The answer to every single-issue action: the issue as it now is.
pub type ActionResponse = IssueDetail;

/// How many approvals each constituency must give for a sign-off; 0 = not needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PanelRule {
    pub service_office: u32,
    pub window_rep: u32,
    pub citizen_patrol: u32,
}

impl Default for PanelRule {
    fn default() -> Self {
        PanelRule {
            service_office: 1,
            window_rep: 1,
            citizen_patrol: 1,
        }
    }
}

impl PanelRule {
    pub fn required(&self, c: Constituency) -> u32 {
        match c {
            Constituency::ServiceOffice => self.service_office,
            Constituency::WindowRep => self.window_rep,
            Constituency::CitizenPatrol => self.citizen_patrol,
        }
    }
}

/// Category → responsible department (a manager edits it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryRoute {
    pub category_id: String,
    pub department_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryRouteInput {
    /// `null` removes the mapping (issues then go to the step's department).
    pub department_id: Option<String>,
}

/// Result of a 好差评 import: every row became an issue or was there already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    /// New issues created.
    pub created: u32,
    /// Rows imported before (same content): nothing new created.
    pub already_imported: u32,
    /// Rows whose rating is not a bad one (满意 etc.): not issues.
    pub not_bad_reviews: u32,
}

/// A row that stopped an import (nothing was imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    /// 1-based line (CSV) or row (XLSX) number, the header being 1.
    pub line: u64,
    pub reason: String,
}

/// The 422 answer of an import with bad rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRejected {
    pub code: crate::ErrorCode,
    pub message: String,
    pub rows: Vec<ImportRowError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names issues are stored and sent with, written out: every stored issue, audit
    /// entry (they are inside its hashes) and phone depends on them.
    #[test]
    fn states_actions_and_actors_keep_their_names() {
        let states: Vec<&str> = IssueState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            states,
            [
                "new",
                "dismissed",
                "appealed",
                "explained",
                "fix_now",
                "fix_now_review",
                "ledger",
                "panel_review",
                "signed_off",
                "closed",
                "reopened"
            ]
        );
        let actions: Vec<&str> = IssueAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            actions,
            [
                "dismiss",
                "explain",
                "fix_now",
                "ledger",
                "appeal",
                "submit_evidence",
                "request_transfer",
                "transfer",
                "decline_transfer",
                "accept_evidence",
                "reject_evidence",
                "form_panel",
                "approve",
                "reject",
                "sign_off",
                "recheck_satisfied",
                "recheck_unsatisfied",
                "mark_overdue",
                "add_occurrence",
                "create"
            ]
        );
        let actors: Vec<&str> = Actor::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            actors,
            ["admin", "manager", "observer", "officer", "panel", "system"]
        );
        assert_eq!(Actor::parse("root"), None);
        assert_eq!(
            serde_json::to_string(&IssueState::FixNowReview).unwrap(),
            "\"fix_now_review\""
        );
        assert_eq!(IssueSource::parse("review"), Some(IssueSource::Review));
        assert_eq!(IssueSource::parse("Review"), None);
    }
}
