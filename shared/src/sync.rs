//! The sync protocol between a phone and the server, version [`PROTOCOL_VERSION`].
//!
//! **Push** (`POST /api/v1/sync/push`): the phone sends its unsent walkthrough revisions,
//! each with its id, revision and content hash, plus its wall-clock reading. The answer has
//! one result per record, given only after that record's transaction committed:
//! - `accepted` — stored now; `missing_photos` lists the photo hashes still to upload;
//! - `already_had` — the same `(id, rev)` with the same hash was stored before (a retry);
//!   nothing is duplicated;
//! - `conflict` — the same `(id, rev)` with different content: both versions are kept for
//!   a manager, nothing is overwritten;
//! - `rejected` — final for this revision (with a code); do not retry it unchanged.
//!
//! The phone marks a record sent only on `accepted` or `already_had`. Network errors and
//! 5xx are retried with back-off; a 4xx is final for that attempt.
//!
//! **Photos** (`PUT /api/v1/photos/{sha256}`): content-addressed and idempotent, in any
//! order relative to their walkthrough. A walkthrough is complete — and only then visible
//! for review — once every photo it references has arrived.
//!
//! **Pull** (`GET /api/v1/sync/pull?cursor=…`): from an opaque cursor, what the phone needs
//! offline (its assignments, the scenario versions they use, categories, venues,
//! departments — sent whole whenever any of it changed) and the review outcomes of its own
//! walkthroughs. Cursors are server sequence numbers; clocks never decide what is new.

use serde::{Deserialize, Serialize};

use crate::ErrorCode;
use crate::api::assignments::Assignment;
use crate::api::categories::Category;
use crate::api::departments::Department;
use crate::api::scenarios::Scenario;
use crate::api::venues::Venue;
use crate::text_enum::text_enum;
use crate::walkthrough::WalkthroughRecord;

pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Must be [`PROTOCOL_VERSION`].
    pub protocol: u32,
    pub device_id: String,
    /// The device's wall clock when sending, ms since the epoch.
    pub device_time_ms: i64,
    pub records: Vec<PushRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRecord {
    pub id: String,
    pub rev: u32,
    /// [`WalkthroughRecord::content_hash`] of `walkthrough`.
    pub content_hash: String,
    /// Kept as the exact text sent: that is what the phone hashed and what the server
    /// stores; the server reads each record on its own, so one bad record refuses only
    /// itself.
    #[cfg_attr(feature = "openapi", schema(value_type = WalkthroughRecord))]
    pub walkthrough: RawJson<WalkthroughRecord>,
}

/// A JSON value of type `T` carried as the exact text it was written as.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson<T> {
    raw: Box<serde_json::value::RawValue>,
    #[serde(skip)]
    of: std::marker::PhantomData<fn() -> T>,
}

impl<T: Serialize> RawJson<T> {
    /// `value` written as JSON.
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        Ok(RawJson {
            raw: serde_json::value::to_raw_value(value)?,
            of: std::marker::PhantomData,
        })
    }
}

impl<T> RawJson<T> {
    /// The text as it came.
    pub fn get(&self) -> &str {
        self.raw.get()
    }
}

impl<T: serde::de::DeserializeOwned> RawJson<T> {
    /// The value the text holds.
    pub fn parse(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.raw.get())
    }
}

text_enum! {
    /// The server's answer to one pushed revision.
    pub enum PushStatus {
        Accepted = "accepted" / "已接收" / "Accepted",
        AlreadyHad = "already_had" / "已接收过" / "Already received",
        Conflict = "conflict" / "版本冲突" / "Conflict",
        Rejected = "rejected" / "被拒收" / "Rejected",
    }
}

impl PushStatus {
    /// Whether the phone may mark the record sent.
    pub fn is_stored(self) -> bool {
        matches!(self, PushStatus::Accepted | PushStatus::AlreadyHad)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    pub id: String,
    pub rev: u32,
    pub status: PushStatus,
    /// Why, for `conflict` and `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Photos of this revision the server does not have yet.
    #[serde(default)]
    pub missing_photos: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub server_time_ms: i64,
    pub results: Vec<PushResult>,
}

/// Everything an observer needs offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceData {
    /// The caller's own assignments (all, for staff).
    pub assignments: Vec<Assignment>,
    /// Current versions of every scenario, plus any older version an assignment pins.
    pub scenarios: Vec<Scenario>,
    pub categories: Vec<Category>,
    pub venues: Vec<Venue>,
    pub departments: Vec<Department>,
}

text_enum! {
    /// What the change log records a change of (its `kind` column); a change of reference
    /// data makes the next pull carry the reference data again.
    pub enum ChangeKind {
        Venue = "venue" / "服务场所" / "Venue",
        Department = "department" / "部门" / "Department",
        Scenario = "scenario" / "事项" / "Service",
        Category = "category" / "问题类别" / "Problem category",
        Assignment = "assignment" / "任务" / "Assignment",
        /// A walkthrough's review state (for its observer).
        Review = "review" / "审核结果" / "Review outcome",
    }
}

text_enum! {
    /// Where a walkthrough stands in review.
    pub enum ReviewStatus {
        /// Photos still missing.
        Incomplete = "incomplete" / "照片未齐" / "Photos missing",
        /// Complete, waiting for a manager.
        Submitted = "submitted" / "待审核" / "To review",
        Accepted = "accepted" / "已采纳" / "Accepted",
        /// Sent back to the observer with a comment; correct it and push `rev + 1`.
        Returned = "returned" / "已退回" / "Returned",
    }
}

/// The review state of one of the caller's walkthroughs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewOutcome {
    pub walkthrough_id: String,
    pub rev: u32,
    pub status: ReviewStatus,
    /// The manager's comment (for a return: what to correct).
    pub comment: String,
    pub reviewed_at_ms: Option<i64>,
}

/// `GET /api/v1/sync/pull`: where the phone left off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor from the previous pull; omit (or 0) the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^[0-9]{0,18}$"))]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Opaque; send it back as `cursor` next time.
    pub cursor: String,
    pub server_time_ms: i64,
    /// Present when any reference data changed since the cursor (always on the first pull).
    pub reference: Option<ReferenceData>,
    /// Review outcomes that changed since the cursor.
    pub reviews: Vec<ReviewOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The change log's kinds as stored, written out: rows already in the log are read back
    /// by these names.
    #[test]
    fn change_kinds_keep_their_names() {
        let kinds: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "venue",
                "department",
                "scenario",
                "category",
                "assignment",
                "review"
            ]
        );
    }
}
