//! Every endpoint of flowwalk, declared once: its name, method, path, path parameters,
//! query, body and answer. The server registers a handler under each (and its route table
//! adds who may call it); the observer app and the desk call each through the typed client.
//! Nobody writes an API path anywhere else.

use crate::api::Health;
use crate::api::assignments::{Assignment, AssignmentInput};
use crate::api::auth::{
    ChangePasswordRequest, CreateInviteRequest, Invite, InviteCreated, LoginRequest, Me,
    RedeemInviteRequest, RefreshRequest, TokenResponse,
};
use crate::api::calendar::{CalendarInput, CalendarView};
use crate::api::categories::{Category, CategoryInput};
use crate::api::departments::{Department, DepartmentInput};
use crate::api::issues::{
    AcceptanceRequest, BulkResult, BulkTriageRequest, CategoryRoute, CategoryRouteInput,
    EvidenceRequest, ImportQuery, ImportResult as IssueImportResult, IssueDetail, IssueQuery,
    IssueSummary, NoteRequest, Page, PanelRequest, PanelRule, RecheckRequest, TransferRequest,
    TriageRequest, VoteRequest,
};
use crate::api::reports::{
    Dashboard, DashboardQuery, MarkReadRequest, MarkReadResponse, NotificationPage,
    NotificationQuery, Report, ReportExportQuery, ReportQuery,
};
use crate::api::scenarios::{Scenario, ScenarioInput, VersionQuery};
use crate::api::surveys::{
    Campaign, CampaignInput, CampaignResults, CandidateInput, CandidateIssue, CandidateList,
    ExportQuery as CampaignExportQuery, HandOverInput, HandOverResult, ImportResult, KeywordQuery,
    PublishInput, Questionnaire, QuestionnaireInput, ResultsFilter, TextAnswer,
};
use crate::api::users::{CreateUserRequest, PasswordReset, UpdateUserRequest, User};
use crate::api::venues::{Venue, VenueInput};
use crate::api::walkthroughs::{
    AcceptRequest, ConflictVersion, PhotoInfo, ReturnRequest, WalkthroughDetail, WalkthroughQuery,
    WalkthroughSummary,
};
use crate::endpoint::{Empty, File, Json, NoBody, NoQuery, Raw, endpoints, path_params};
use crate::sync::{PullQuery, PullResponse, PushRequest, PushResponse};

path_params! {
    /// The `{id}` of a resource.
    #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
    #[cfg_attr(feature = "openapi", into_params(parameter_in = Path))]
    pub struct IdPath {
        /// The resource's id (a UUID, or a category's code).
        #[cfg_attr(
            feature = "openapi",
            param(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")
        )]
        pub id: String,
    }

    /// The `{category_id}` of a category route.
    #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
    #[cfg_attr(feature = "openapi", into_params(parameter_in = Path))]
    pub struct CategoryPath {
        /// The category's code (`C2`).
        #[cfg_attr(
            feature = "openapi",
            param(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")
        )]
        pub category_id: String,
    }

    /// The `{sha256}` naming a photo.
    #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
    #[cfg_attr(feature = "openapi", into_params(parameter_in = Path))]
    pub struct Sha256Path {
        /// The photo's SHA-256, 64 hexadecimal digits.
        #[cfg_attr(
            feature = "openapi",
            param(pattern = "^[0-9a-fA-F]{64}$", min_length = 64, max_length = 64)
        )]
        pub sha256: String,
    }

    /// A campaign's public address.
    #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
    #[cfg_attr(feature = "openapi", into_params(parameter_in = Path))]
    pub struct CampaignPath {
        /// The campaign's code (`wopei-2026`).
        pub campaign: String,
    }

    /// A campaign at one venue: the citizen's form and its QR code and poster.
    #[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
    #[cfg_attr(feature = "openapi", into_params(parameter_in = Path))]
    pub struct SurveyPath {
        /// The campaign's code (`wopei-2026`).
        pub campaign: String,
        /// The venue's code.
        pub venue: String,
    }
}

impl IdPath {
    pub fn new(id: impl Into<String>) -> Self {
        IdPath { id: id.into() }
    }
}

impl Sha256Path {
    pub fn new(sha256: impl Into<String>) -> Self {
        Sha256Path {
            sha256: sha256.into(),
        }
    }
}

/// Liveness and readiness probes.
pub mod health {
    use super::*;

    endpoints! {
        /// The process is up.
        Live = Get "/healthz" as "health.live", (), NoQuery, NoBody => Json<Health>;
        /// The database answers.
        Ready = Get "/readyz" as "health.ready", (), NoQuery, NoBody => Json<Health>;
    }
}

/// Logins, token rotation, invites, who am I.
pub mod auth {
    use super::*;

    endpoints! {
        Login = Post "/api/v1/auth/login" as "auth.login",
            (), NoQuery, Json<LoginRequest> => Json<TokenResponse>;
        Refresh = Post "/api/v1/auth/refresh" as "auth.refresh",
            (), NoQuery, Json<RefreshRequest> => Json<TokenResponse>;
        Logout = Post "/api/v1/auth/logout" as "auth.logout",
            (), NoQuery, Json<RefreshRequest> => Empty;
        Redeem = Post "/api/v1/auth/redeem" as "auth.redeem",
            (), NoQuery, Json<RedeemInviteRequest> => Json<TokenResponse>;
        Me = Get "/api/v1/auth/me" as "auth.me",
            (), NoQuery, NoBody => Json<super::Me>;
        ChangePassword = Post "/api/v1/auth/password" as "auth.password",
            (), NoQuery, Json<ChangePasswordRequest> => Empty;
    }
}

/// Accounts.
pub mod users {
    use super::*;

    endpoints! {
        List = Get "/api/v1/users" as "users.list", (), NoQuery, NoBody => Json<Vec<User>>;
        Create = Post "/api/v1/users" as "users.create",
            (), NoQuery, Json<CreateUserRequest> => Json<User>;
        Update = Put "/api/v1/users/{id}" as "users.update",
            IdPath, NoQuery, Json<UpdateUserRequest> => Json<User>;
        ResetPassword = Post "/api/v1/users/{id}/password" as "users.reset_password",
            IdPath, NoQuery, NoBody => Json<PasswordReset>;
    }
}

/// Invite codes for volunteers.
pub mod invites {
    use super::*;

    endpoints! {
        List = Get "/api/v1/invites" as "invites.list", (), NoQuery, NoBody => Json<Vec<Invite>>;
        Create = Post "/api/v1/invites" as "invites.create",
            (), NoQuery, Json<CreateInviteRequest> => Json<InviteCreated>;
    }
}

/// Service venues.
pub mod venues {
    use super::*;

    endpoints! {
        List = Get "/api/v1/venues" as "venues.list", (), NoQuery, NoBody => Json<Vec<Venue>>;
        Get = Get "/api/v1/venues/{id}" as "venues.get", IdPath, NoQuery, NoBody => Json<Venue>;
        Create = Post "/api/v1/venues" as "venues.create",
            (), NoQuery, Json<VenueInput> => Json<Venue>;
        Update = Put "/api/v1/venues/{id}" as "venues.update",
            IdPath, NoQuery, Json<VenueInput> => Json<Venue>;
    }
}

/// Departments.
pub mod departments {
    use super::*;

    endpoints! {
        List = Get "/api/v1/departments" as "departments.list",
            (), NoQuery, NoBody => Json<Vec<Department>>;
        Get = Get "/api/v1/departments/{id}" as "departments.get",
            IdPath, NoQuery, NoBody => Json<Department>;
        Create = Post "/api/v1/departments" as "departments.create",
            (), NoQuery, Json<DepartmentInput> => Json<Department>;
        Update = Put "/api/v1/departments/{id}" as "departments.update",
            IdPath, NoQuery, Json<DepartmentInput> => Json<Department>;
    }
}

/// Scenarios (事项) and their versions.
pub mod scenarios {
    use super::*;

    endpoints! {
        List = Get "/api/v1/scenarios" as "scenarios.list",
            (), NoQuery, NoBody => Json<Vec<Scenario>>;
        Get = Get "/api/v1/scenarios/{id}" as "scenarios.get",
            IdPath, VersionQuery, NoBody => Json<Scenario>;
        Versions = Get "/api/v1/scenarios/{id}/versions" as "scenarios.versions",
            IdPath, NoQuery, NoBody => Json<Vec<Scenario>>;
        Create = Post "/api/v1/scenarios" as "scenarios.create",
            (), NoQuery, Json<ScenarioInput> => Json<Scenario>;
        Update = Put "/api/v1/scenarios/{id}" as "scenarios.update",
            IdPath, NoQuery, Json<ScenarioInput> => Json<Scenario>;
    }
}

/// Problem categories.
pub mod categories {
    use super::*;

    endpoints! {
        List = Get "/api/v1/categories" as "categories.list",
            (), NoQuery, NoBody => Json<Vec<Category>>;
        Create = Post "/api/v1/categories" as "categories.create",
            (), NoQuery, Json<CategoryInput> => Json<Category>;
        Update = Put "/api/v1/categories/{id}" as "categories.update",
            IdPath, NoQuery, Json<CategoryInput> => Json<Category>;
    }
}

/// Who walks what, where and when.
pub mod assignments {
    use super::*;

    endpoints! {
        List = Get "/api/v1/assignments" as "assignments.list",
            (), NoQuery, NoBody => Json<Vec<Assignment>>;
        Get = Get "/api/v1/assignments/{id}" as "assignments.get",
            IdPath, NoQuery, NoBody => Json<Assignment>;
        Create = Post "/api/v1/assignments" as "assignments.create",
            (), NoQuery, Json<AssignmentInput> => Json<Assignment>;
        Update = Put "/api/v1/assignments/{id}" as "assignments.update",
            IdPath, NoQuery, Json<AssignmentInput> => Json<Assignment>;
    }
}

/// Content-addressed photos and their variants.
pub mod photos {
    use super::*;

    endpoints! {
        /// Upload (the body is the JPEG, PNG or WebP).
        Put = Put "/api/v1/photos/{sha256}" as "photos.put",
            Sha256Path, NoQuery, Raw => Json<PhotoInfo>;
        Meta = Get "/api/v1/photos/{sha256}" as "photos.meta",
            Sha256Path, NoQuery, NoBody => Json<PhotoInfo>;
        Display = Get "/api/v1/photos/{sha256}/display" as "photos.display",
            Sha256Path, NoQuery, NoBody => File;
        Thumb = Get "/api/v1/photos/{sha256}/thumb" as "photos.thumb",
            Sha256Path, NoQuery, NoBody => File;
        Original = Get "/api/v1/photos/{sha256}/original" as "photos.original",
            Sha256Path, NoQuery, NoBody => File;
    }
}

/// Phones push walkthroughs and pull what they need offline.
pub mod sync {
    use super::*;

    endpoints! {
        Push = Post "/api/v1/sync/push" as "sync.push",
            (), NoQuery, Json<PushRequest> => Json<PushResponse>;
        Pull = Get "/api/v1/sync/pull" as "sync.pull",
            (), PullQuery, NoBody => Json<PullResponse>;
        Conflicts = Get "/api/v1/sync/conflicts" as "sync.conflicts",
            (), NoQuery, NoBody => Json<Vec<ConflictVersion>>;
    }
}

/// Managers review complete walkthroughs.
pub mod walkthroughs {
    use super::*;

    endpoints! {
        List = Get "/api/v1/walkthroughs" as "walkthroughs.list",
            (), WalkthroughQuery, NoBody => Json<Page<WalkthroughSummary>>;
        Get = Get "/api/v1/walkthroughs/{id}" as "walkthroughs.get",
            IdPath, NoQuery, NoBody => Json<WalkthroughDetail>;
        Accept = Post "/api/v1/walkthroughs/{id}/accept" as "walkthroughs.accept",
            IdPath, NoQuery, Json<AcceptRequest> => Empty;
        Return = Post "/api/v1/walkthroughs/{id}/return" as "walkthroughs.return",
            IdPath, NoQuery, Json<ReturnRequest> => Empty;
        /// The printable feedback form (体验反馈表), HTML.
        Feedback = Get "/api/v1/walkthroughs/{id}/feedback" as "walkthroughs.feedback",
            IdPath, NoQuery, NoBody => File;
    }
}

/// Citizen questionnaires.
pub mod questionnaires {
    use super::*;

    endpoints! {
        List = Get "/api/v1/questionnaires" as "questionnaires.list",
            (), NoQuery, NoBody => Json<Vec<Questionnaire>>;
        Get = Get "/api/v1/questionnaires/{id}" as "questionnaires.get",
            IdPath, VersionQuery, NoBody => Json<Questionnaire>;
        Versions = Get "/api/v1/questionnaires/{id}/versions" as "questionnaires.versions",
            IdPath, NoQuery, NoBody => Json<Vec<Questionnaire>>;
        Create = Post "/api/v1/questionnaires" as "questionnaires.create",
            (), NoQuery, Json<QuestionnaireInput> => Json<Questionnaire>;
        Update = Put "/api/v1/questionnaires/{id}" as "questionnaires.update",
            IdPath, NoQuery, Json<QuestionnaireInput> => Json<Questionnaire>;
    }
}

/// Questionnaire campaigns at venues, their results and candidate issues.
pub mod campaigns {
    use super::*;

    endpoints! {
        List = Get "/api/v1/campaigns" as "campaigns.list",
            (), NoQuery, NoBody => Json<Vec<Campaign>>;
        Get = Get "/api/v1/campaigns/{id}" as "campaigns.get",
            IdPath, NoQuery, NoBody => Json<Campaign>;
        Create = Post "/api/v1/campaigns" as "campaigns.create",
            (), NoQuery, Json<CampaignInput> => Json<Campaign>;
        Update = Put "/api/v1/campaigns/{id}" as "campaigns.update",
            IdPath, NoQuery, Json<CampaignInput> => Json<Campaign>;
        Results = Get "/api/v1/campaigns/{id}/results" as "campaigns.results",
            IdPath, ResultsFilter, NoBody => Json<CampaignResults>;
        KeywordAnswers = Get "/api/v1/campaigns/{id}/keyword-answers" as "campaigns.keyword_answers",
            IdPath, KeywordQuery, NoBody => Json<Vec<TextAnswer>>;
        Export = Get "/api/v1/campaigns/{id}/export" as "campaigns.export",
            IdPath, CampaignExportQuery, NoBody => File;
        Publish = Post "/api/v1/campaigns/{id}/publish" as "campaigns.publish",
            IdPath, NoQuery, Json<PublishInput> => Json<Campaign>;
        Unpublish = Post "/api/v1/campaigns/{id}/unpublish" as "campaigns.unpublish",
            IdPath, NoQuery, NoBody => Json<Campaign>;
        /// Paper questionnaires: the body is the CSV or XLSX file.
        Import = Post "/api/v1/campaigns/{id}/import" as "campaigns.import",
            IdPath, NoQuery, Raw => Json<ImportResult>;
    }
}

/// Candidate issues drawn from questionnaires.
pub mod candidates {
    use super::*;

    endpoints! {
        List = Get "/api/v1/campaigns/{id}/candidates" as "candidates.list",
            IdPath, NoQuery, NoBody => Json<CandidateList>;
        Create = Post "/api/v1/campaigns/{id}/candidates" as "candidates.create",
            IdPath, NoQuery, Json<CandidateInput> => Json<CandidateIssue>;
        Issue = Post "/api/v1/candidates/{id}/issue" as "candidates.issue",
            IdPath, NoQuery, Json<HandOverInput> => Json<HandOverResult>;
    }
}

/// The citizen's public pages (HTML, no account).
pub mod survey {
    use super::*;

    endpoints! {
        Form = Get "/q/{campaign}/{venue}" as "survey.form",
            SurveyPath, NoQuery, NoBody => File;
        /// The form posted (`application/x-www-form-urlencoded`).
        Submit = Post "/q/{campaign}/{venue}" as "survey.submit",
            SurveyPath, NoQuery, Raw => File;
        Thanks = Get "/q/{campaign}/{venue}/thanks" as "survey.thanks",
            SurveyPath, NoQuery, NoBody => File;
        Qr = Get "/q/{campaign}/{venue}/qr.svg" as "survey.qr",
            SurveyPath, NoQuery, NoBody => File;
        Poster = Get "/q/{campaign}/{venue}/poster" as "survey.poster",
            SurveyPath, NoQuery, NoBody => File;
        Results = Get "/r/{campaign}" as "survey.results",
            CampaignPath, NoQuery, NoBody => File;
    }
}

/// Issues and the workflow from triage to the citizen's re-check.
pub mod issues {
    use super::*;

    endpoints! {
        List = Get "/api/v1/issues" as "issues.list",
            (), IssueQuery, NoBody => Json<Page<IssueSummary>>;
        /// The 好差评 system's bad reviews: the body is the CSV or XLSX file.
        Import = Post "/api/v1/issues/import" as "issues.import",
            (), ImportQuery, Raw => Json<IssueImportResult>;
        TriageBulk = Post "/api/v1/issues/triage" as "issues.triage_bulk",
            (), NoQuery, Json<BulkTriageRequest> => Json<Vec<BulkResult>>;
        Get = Get "/api/v1/issues/{id}" as "issues.get",
            IdPath, NoQuery, NoBody => Json<IssueDetail>;
        Triage = Post "/api/v1/issues/{id}/triage" as "issues.triage",
            IdPath, NoQuery, Json<TriageRequest> => Json<IssueDetail>;
        Appeal = Post "/api/v1/issues/{id}/appeal" as "issues.appeal",
            IdPath, NoQuery, Json<NoteRequest> => Json<IssueDetail>;
        Evidence = Post "/api/v1/issues/{id}/evidence" as "issues.evidence",
            IdPath, NoQuery, Json<EvidenceRequest> => Json<IssueDetail>;
        TransferRequest = Post "/api/v1/issues/{id}/transfer-request" as "issues.transfer_request",
            IdPath, NoQuery, Json<NoteRequest> => Json<IssueDetail>;
        Transfer = Post "/api/v1/issues/{id}/transfer" as "issues.transfer",
            IdPath, NoQuery, Json<super::TransferRequest> => Json<IssueDetail>;
        Acceptance = Post "/api/v1/issues/{id}/acceptance" as "issues.acceptance",
            IdPath, NoQuery, Json<AcceptanceRequest> => Json<IssueDetail>;
        Panel = Put "/api/v1/issues/{id}/panel" as "issues.panel",
            IdPath, NoQuery, Json<PanelRequest> => Json<IssueDetail>;
        Vote = Post "/api/v1/issues/{id}/votes" as "issues.vote",
            IdPath, NoQuery, Json<VoteRequest> => Json<IssueDetail>;
        Recheck = Post "/api/v1/issues/{id}/recheck" as "issues.recheck",
            IdPath, NoQuery, Json<RecheckRequest> => Json<IssueDetail>;
    }
}

/// Reports, the quarterly circular, the dashboard.
pub mod reports {
    use super::*;

    endpoints! {
        Get = Get "/api/v1/reports" as "reports.get", (), ReportQuery, NoBody => Json<Report>;
        /// The circular (XLSX) or one table (CSV).
        Export = Get "/api/v1/reports/export" as "reports.export",
            (), ReportExportQuery, NoBody => File;
        Dashboard = Get "/api/v1/dashboard" as "dashboard.get",
            (), DashboardQuery, NoBody => Json<super::Dashboard>;
    }
}

/// Settings of the issue workflow.
pub mod settings {
    use super::*;

    endpoints! {
        Calendar = Get "/api/v1/calendar" as "calendar.get",
            (), NoQuery, NoBody => Json<CalendarView>;
        UpdateCalendar = Put "/api/v1/calendar" as "calendar.update",
            (), NoQuery, Json<CalendarInput> => Json<CalendarView>;
        PanelRule = Get "/api/v1/panel-rule" as "panel_rule.get",
            (), NoQuery, NoBody => Json<super::PanelRule>;
        UpdatePanelRule = Put "/api/v1/panel-rule" as "panel_rule.update",
            (), NoQuery, Json<super::PanelRule> => Json<super::PanelRule>;
        CategoryRoutes = Get "/api/v1/category-departments" as "category_departments.list",
            (), NoQuery, NoBody => Json<Vec<CategoryRoute>>;
        UpdateCategoryRoute = Put "/api/v1/category-departments/{category_id}" as "category_departments.update",
            CategoryPath, NoQuery, Json<CategoryRouteInput> => Json<CategoryRoute>;
    }
}

/// In-app notifications.
pub mod notifications {
    use super::*;

    endpoints! {
        List = Get "/api/v1/notifications" as "notifications.list",
            (), NotificationQuery, NoBody => Json<NotificationPage>;
        Read = Post "/api/v1/notifications/read" as "notifications.read",
            (), NoQuery, Json<MarkReadRequest> => Json<MarkReadResponse>;
    }
}

/// Every endpoint, module by module.
pub fn all() -> impl Iterator<Item = crate::endpoint::Info> {
    [
        health::ALL,
        auth::ALL,
        users::ALL,
        invites::ALL,
        venues::ALL,
        departments::ALL,
        scenarios::ALL,
        categories::ALL,
        assignments::ALL,
        photos::ALL,
        sync::ALL,
        walkthroughs::ALL,
        questionnaires::ALL,
        campaigns::ALL,
        candidates::ALL,
        survey::ALL,
        issues::ALL,
        reports::ALL,
        settings::ALL,
        notifications::ALL,
    ]
    .into_iter()
    .flatten()
    .copied()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_routes_are_unique_and_paths_well_formed() {
        let all: Vec<_> = all().collect();
        let names: HashSet<_> = all.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), all.len(), "a name declared twice");
        let routes: HashSet<_> = all.iter().map(|e| (e.method, e.path)).collect();
        assert_eq!(routes.len(), all.len(), "a method and path declared twice");
        for e in &all {
            assert!(
                e.path.starts_with("/api/v1/")
                    || e.path.starts_with("/q/")
                    || e.path.starts_with("/r/")
                    || e.path == "/healthz"
                    || e.path == "/readyz",
                "{}",
                e.path
            );
        }
        assert_eq!(all.len(), 95);
    }
}
