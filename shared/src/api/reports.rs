//! Reports (季度通报 and others), the dashboard's figures, and in-app notifications.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

text_enum! {
    /// What a report's rows are grouped by.
    pub enum ReportGroup {
        Department = "department" / "责任部门" / "Department",
        Venue = "venue" / "服务场所" / "Venue",
        /// The town/street (镇街) the venue belongs to.
        Town = "town" / "镇(街道)" / "Town / street",
        Scenario = "scenario" / "事项" / "Service",
    }
}

/// `GET /api/v1/reports`: the period and the grouping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `2026` (year), `2026-Q3` (quarter) or `2026-07` (month); default this quarter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// `department` (default), `venue`, `town` or `scenario`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<ReportGroup>,
}

/// `GET /api/v1/reports/export`: the report as a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReportExportQuery {
    /// As for `/reports`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// `xlsx` (default: the circular, per department and per town/street) or `csv` (one
    /// table, grouped by `group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<ReportGroup>,
}

/// `GET /api/v1/dashboard`: the months shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// First day (China time); default 12 months back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day, inclusive; default today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<chrono::NaiveDate>,
}

/// `GET /api/v1/notifications`: which, and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

/// The figures of one row (or the total) of a report, for issues received in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFigures {
    /// Issues received.
    pub received: i64,
    /// Triaged as valid: to be fixed (fix-now or ledger) or explained.
    pub valid: i64,
    /// Valid issues to be fixed.
    pub to_fix: i64,
    /// Fixes accepted (signed off).
    pub rectified: i64,
    /// Fixes whose accepted evidence came by the deadline.
    pub on_time: i64,
    /// Issues that ran past their deadline.
    pub overdue: i64,
    /// Fixes whose result was put back to the citizen side (回访).
    pub rechecked: i64,
    /// … and found satisfactory.
    pub satisfied: i64,
    /// Closed (citizen satisfied).
    pub closed: i64,
    /// rectified / to_fix
    pub rectification_rate: Option<f64>,
    /// on_time / rectified
    pub on_time_rate: Option<f64>,
    /// rechecked / rectified (回访率)
    pub return_visit_rate: Option<f64>,
    /// satisfied / rechecked (整改满意率)
    pub satisfaction_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The department, venue, town or scenario id; absent for "none" (e.g. issues at
    /// venues above town level in a per-town report).
    pub key: Option<String>,
    pub name: String,
    pub figures: ReportFigures,
}

/// What the fixes achieved, computed from the data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Impact {
    /// Hours cut: for each scenario at each venue with fixes signed off in the period,
    /// the median total time of walkthroughs before the first fix minus the median after
    /// the last, summed where positive.
    pub hours_cut: f64,
    /// The (scenario, venue) pairs that had walkthroughs on both sides to compare.
    pub pairs_compared: i64,
    /// Materials cut: per scenario, materials of the version in force at the period's
    /// start minus those of the version in force at its end, summed where positive.
    pub materials_cut: i64,
    /// Problems solved: issues closed (citizen satisfied) in the period.
    pub problems_solved: i64,
    /// Findings (occurrences) recorded in the period.
    pub findings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// As asked: `2026`, `2026-Q3` or `2026-07`.
    pub period: String,
    /// e.g. `2026年第三季度`
    pub period_label: String,
    /// First day (China time).
    pub from: chrono::NaiveDate,
    /// Last day, inclusive.
    pub to: chrono::NaiveDate,
    pub group: ReportGroup,
    pub rows: Vec<ReportRow>,
    pub total: ReportFigures,
    pub impact: Impact,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountByKey {
    pub key: Option<String>,
    pub name: String,
    pub count: i64,
}

/// One month of the rates over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `2026-07`
    pub month: String,
    pub figures: ReportFigures,
}

/// A scenario's walkthroughs against its promise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScenarioTiming {
    pub scenario_id: String,
    pub scenario_name: String,
    pub walkthroughs: i64,
    pub average_total_minutes: f64,
    pub promised_minutes: f64,
}

/// The managers' dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub by_category: Vec<CountByKey>,
    pub by_department: Vec<CountByKey>,
    pub by_status: Vec<CountByKey>,
    pub monthly: Vec<MonthFigures>,
    pub scenario_timing: Vec<ScenarioTiming>,
    pub impact: Impact,
    /// Issues now overdue.
    pub overdue_now: i64,
    /// Walkthroughs awaiting review.
    pub walkthroughs_to_review: i64,
}

text_enum! {
    /// Why someone is told something.
    pub enum NotificationKind {
        /// An observer was put on an assignment.
        AssignmentNew = "assignment_new" / "新任务" / "New assignment",
        /// A walkthrough was returned for correction.
        WalkthroughReturned = "walkthrough_returned" / "走流程被退回" / "Walkthrough returned",
        /// An issue was assigned (or transferred) to the officer's department.
        IssueAssigned = "issue_assigned" / "问题交办" / "Issue assigned",
        /// A panel member's vote is awaited.
        VoteRequested = "vote_requested" / "待验收投票" / "Vote requested",
        /// A deadline is one working day away.
        DeadlineNear = "deadline_near" / "期限将至" / "Deadline near",
        /// An issue ran past its deadline (to managers and the department).
        Overdue = "overdue" / "已逾期" / "Overdue",
        /// Evidence or a transfer request awaits a manager.
        ActionNeeded = "action_needed" / "待处理" / "Action needed",
        /// An observer's issue was decided (dismissed, explained, signed off: re-check asked).
        IssueUpdate = "issue_update" / "问题进展" / "Issue update",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub issue_id: Option<String>,
    pub walkthrough_id: Option<String>,
    pub assignment_id: Option<String>,
    /// zh-CN
    pub message: String,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub unread: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// The notifications to mark read; empty marks all of the caller's.
    #[serde(default)]
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkReadResponse {
    pub marked: i64,
}
