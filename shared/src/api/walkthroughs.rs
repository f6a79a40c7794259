//! Review of submitted walkthroughs, conflicting versions, and photo metadata.

use serde::{Deserialize, Serialize};

use crate::sync::ReviewStatus;
use crate::timing::TimingReport;
use crate::walkthrough::WalkthroughRecord;

/// `GET /api/v1/walkthroughs`: which, and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct WalkthroughQuery {
    /// `submitted` (awaiting review), `accepted` or `returned`; default all three.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReviewStatus>,
    /// Only walkthroughs of this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_id: Option<String>,
    /// Only walkthroughs at this venue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue_id: Option<String>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalkthroughSummary {
    pub id: String,
    pub rev: i32,
    pub status: ReviewStatus,
    pub observer_id: String,
    pub observer_name: String,
    pub assignment_id: String,
    pub venue_id: String,
    pub venue_name: String,
    pub scenario_id: String,
    pub scenario_name: String,
    pub scenario_version: i32,
    /// Normalised to server time.
    #[serde(with = "crate::time::utc")]
    pub started_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub ended_at: chrono::NaiveDateTime,
    pub finding_count: i32,
    pub photo_count: i32,
    pub review_comment: String,
    #[serde(with = "crate::time::utc")]
    pub received_at: chrono::NaiveDateTime,
}

/// One walkthrough as a manager reviews it: the record, and its timing against the
/// scenario version it followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalkthroughDetail {
    pub summary: WalkthroughSummary,
    pub record: WalkthroughRecord,
    pub timing: TimingReport,
    /// The phone's clock offset at sync (server minus device), ms.
    pub clock_offset_ms: i64,
    /// Photos not yet arrived (only ever non-empty for the observer's own view).
    pub missing_photos: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The revision reviewed; refused if a newer one has arrived meanwhile.
    pub rev: i32,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub rev: i32,
    /// What the observer must correct; required.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub comment: String,
}

/// Another version of an already stored `(id, rev)`, kept for a manager to compare.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictVersion {
    pub walkthrough_id: String,
    pub rev: i32,
    pub content_hash: String,
    pub observer_id: String,
    pub device_id: String,
    #[serde(with = "crate::time::utc")]
    pub received_at: chrono::NaiveDateTime,
    pub record: WalkthroughRecord,
    /// The hash of the version that was stored first.
    pub stored_content_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoInfo {
    pub sha256: String,
    pub bytes: i64,
    pub width: i32,
    pub height: i32,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}
