//! Scenarios (事项 / 一件事) and their ordered steps, versioned.
//!
//! Editing a scenario creates a new version; walkthroughs and assignments point at the
//! version they were made against, so nothing recorded is ever rewritten.

use serde::{Deserialize, Serialize};

use crate::text_enum::text_enum;

text_enum! {
    /// Where a step is carried out.
    pub enum Channel {
        Window = "window" / "窗口" / "Window",
        /// 网上办 / 掌上办
        Online = "online" / "网上办" / "Online",
        Kiosk = "kiosk" / "自助终端" / "Self-service kiosk",
        /// 12345 热线
        Phone = "phone" / "12345热线" / "12345 hotline",
    }
}

/// `GET …/{id}` of a versioned resource (scenarios, questionnaires): which version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A past version; default the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub name: String,
    pub channel: Channel,
    /// The responsible department.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub department_id: String,
    /// The promised time limit for this step, in minutes.
    #[cfg_attr(feature = "openapi", schema(maximum = 129600))]
    pub standard_minutes: u32,
    /// Fee in fen (1/100 yuan).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 0, maximum = 4294967295_i64))]
    pub fee_cents: u32,
    /// Number of materials the citizen must hand in.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 1000))]
    pub materials_count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    /// Short unique code, e.g. `open-business`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub code: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub description: String,
    /// In order; at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub steps: Vec<StepInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub id: String,
    /// 1-based position in the scenario.
    pub position: i32,
    pub name: String,
    pub channel: Channel,
    pub department_id: String,
    pub standard_minutes: i32,
    pub fee_cents: i64,
    pub materials_count: i32,
}

/// One version of a scenario with its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scenario {
    /// Stable across versions.
    pub id: String,
    pub code: String,
    pub version_id: String,
    /// 1, 2, 3 … — the service standard's iteration.
    pub version: i32,
    /// Whether this is the version new assignments get.
    pub is_current: bool,
    pub name: String,
    pub description: String,
    /// Sum of the steps' standard minutes: the scenario's promised total.
    pub promised_minutes: i64,
    pub steps: Vec<Step>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}
