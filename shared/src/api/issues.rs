//! Issues (问题清单) and their workflow: the vocabulary (states, actions, sources, panel
//! constituencies) and the request/response bodies of `/api/v1/issues…`.
//!
//! Every state-changing request carries `expected_version`, the issue version the caller
//! saw; a request made against an older version is refused with `version_conflict`.

use serde::{Deserialize, Serialize};

use crate::walkthrough::Severity;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $zh:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// Strict: an unknown value is `None`, never a default.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            pub fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh),*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where an issue comes from.
    IssueSource {
        /// A walkthrough's finding (走流程)
        Walkthrough = "walkthrough" / "走流程",
        /// A bad review (差评) imported from the 好差评 system
        Review = "review" / "好差评",
        /// A citizen questionnaire answer (问卷)
        Questionnaire = "questionnaire" / "问卷",
    }
);

text_enum!(
    /// Where an issue stands.
    IssueState {
        /// Awaiting triage (待研判)
        New = "new" / "待研判",
        /// Dismissed as invalid, with a reason (不予受理)
        Dismissed = "dismissed" / "不予受理",
        /// The observer appealed the dismissal; back to triage (申诉复核)
        Appealed = "appealed" / "申诉复核",
        /// No legal basis for a fix; explained instead (解释说明)
        Explained = "explained" / "已解释说明",
        /// Fix at once, 1 working day (即知即改)
        FixNow = "fix_now" / "即知即改",
        /// Evidence of a fix-now issue awaits a manager (待验收)
        FixNowReview = "fix_now_review" / "即改待验收",
        /// Complex: in the ledger, 15 working days (台账整改)
        Ledger = "ledger" / "台账整改",
        /// Evidence of a ledger issue awaits the acceptance panel (验收团验收)
        PanelReview = "panel_review" / "验收团验收",
        /// Accepted; awaiting the citizen's re-check (待回访)
        SignedOff = "signed_off" / "已验收待回访",
        /// The citizen side is satisfied (已办结)
        Closed = "closed" / "已办结",
        /// The citizen side is not satisfied; back to triage (重新整改)
        Reopened = "reopened" / "重新整改",
    }
);

text_enum!(
    /// What can be done to an issue. Each is one row group of the workflow table.
    IssueAction {
        Dismiss = "dismiss" / "不予受理",
        Explain = "explain" / "解释说明",
        FixNow = "fix_now" / "即知即改",
        Ledger = "ledger" / "建立台账",
        Appeal = "appeal" / "申诉",
        SubmitEvidence = "submit_evidence" / "提交整改佐证",
        RequestTransfer = "request_transfer" / "申请转办",
        Transfer = "transfer" / "转办",
        DeclineTransfer = "decline_transfer" / "驳回转办申请",
        AcceptEvidence = "accept_evidence" / "验收通过",
        RejectEvidence = "reject_evidence" / "验收不通过",
        FormPanel = "form_panel" / "组建验收团",
        Approve = "approve" / "验收团成员通过",
        Reject = "reject" / "验收团成员不通过",
        SignOff = "sign_off" / "验收团验收通过",
        RecheckSatisfied = "recheck_satisfied" / "回访满意",
        RecheckUnsatisfied = "recheck_unsatisfied" / "回访不满意",
        MarkOverdue = "mark_overdue" / "逾期",
        AddOccurrence = "add_occurrence" / "再次发现",
        Create = "create" / "新建",
    }
);

text_enum!(
    /// How a fix is handled once triaged.
    Track {
        FixNow = "fix_now" / "即知即改",
        Ledger = "ledger" / "台账",
    }
);

text_enum!(
    /// The three constituencies of an acceptance panel (验收团).
    Constituency {
        /// 政务服务管理部门
        ServiceOffice = "service_office" / "政务服务管理部门",
        /// 窗口代表
        WindowRep = "window_rep" / "窗口代表",
        /// 市民巡访团
        CitizenPatrol = "citizen_patrol" / "市民巡访团",
    }
);

text_enum!(
    /// How the responsible department was chosen.
    RoutedBy {
        /// The scenario step's department
        Step = "step" / "环节责任部门",
        /// The category → department mapping
        Category = "category" / "问题类别对应部门",
        /// The nearest planned step before an unplanned one
        PrecedingStep = "preceding_step" / "前一环节责任部门",
        /// Named by the outside source (好差评 row, questionnaire)
        Source = "source" / "来源指定",
        /// Chosen by a manager (triage or transfer)
        Manager = "manager" / "管理人员指定",
    }
);

text_enum!(
    /// Sort orders of the issue list (keyset-paged).
    IssueSort {
        /// Newest first
        Created = "created" / "按创建时间",
        /// Most recently changed first
        Updated = "updated" / "按更新时间",
        /// Earliest deadline first (issues with a deadline only)
        Deadline = "deadline" / "按期限",
    }
);

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
    /// `admin`, `manager`, `observer`, `officer`, `panel` or `system`.
    pub actor: String,
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

/// Triage (研判) by a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TriageDecision {
    /// Invalid (误评/不实): needs `reason`.
    Dismiss,
    /// No legal basis: needs `reason` (the explanation shown to the observer).
    Explain,
    /// Fix at once: deadline 1 working day.
    FixNow,
    /// Complex: ledger, deadline 15 working days.
    Ledger,
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
        if self
            .note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
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

    #[test]
    fn text_forms_match_serde() {
        for s in IssueState::ALL {
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for a in IssueAction::ALL {
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        assert_eq!(IssueSource::parse("review"), Some(IssueSource::Review));
        assert_eq!(IssueSource::parse("Review"), None);
    }
}
