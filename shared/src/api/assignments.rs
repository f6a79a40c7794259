//! Assignments: who walks which scenario at which venue, when, and how.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

text_enum! {
    /// In person at the venue, or an online simulation (线上模拟办件).
    pub enum WalkMode {
        InPerson = "in_person" / "现场体验" / "In person",
        OnlineSimulation = "online_simulation" / "线上模拟办件" / "Online simulation",
    }
}

text_enum! {
    /// Where an assignment stands.
    pub enum AssignmentStatus {
        Planned = "planned" / "计划中" / "Planned",
        InProgress = "in_progress" / "进行中" / "Under way",
        Done = "done" / "已完成" / "Done",
        Cancelled = "cancelled" / "已取消" / "Cancelled",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub scenario_id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub venue_id: String,
    /// Inspectors or experiencers; at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub observer_ids: Vec<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub mode: WalkMode,
    #[serde(default = "planned")]
    pub status: AssignmentStatus,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub note: String,
}

/// The longest date window of one assignment, in days.
pub const MAX_WINDOW_DAYS: i64 = 366;

impl AssignmentInput {
    /// The rules an assignment meets on its own (before its references are looked up), in
    /// one place for the server and the desk's form: the window runs forwards and lasts at
    /// most a year, and someone walks it.
    pub fn check_shape(&self) -> Result<(), crate::rules::Invalid> {
        use crate::ErrorCode;
        use crate::rules::Invalid;
        if self.ends_on < self.starts_on {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "ends_on",
                "结束日期不能早于开始日期",
                "ends_on is before starts_on",
            ));
        }
        if (self.ends_on - self.starts_on).num_days() > MAX_WINDOW_DAYS {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "ends_on",
                "任务时间窗不能超过一年",
                "The date window cannot exceed a year",
            ));
        }
        if self.observer_ids.is_empty() {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                "observer_ids",
                "至少需要一名体验员或督查员",
                "At least one observer is needed",
            ));
        }
        Ok(())
    }
}

fn planned() -> AssignmentStatus {
    AssignmentStatus::Planned
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub id: String,
    pub scenario_id: String,
    /// The scenario version pinned when the assignment was made (or its scenario changed).
    pub scenario_version_id: String,
    pub venue_id: String,
    pub observer_ids: Vec<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub mode: WalkMode,
    pub status: AssignmentStatus,
    pub note: String,
    pub created_by: String,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub updated_at: chrono::NaiveDateTime,
}
