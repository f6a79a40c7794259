//! The working-day calendar: public holidays and make-up working days per year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One year's schedule: inclusive ranges of days off (holidays and shifted rest days), and
/// weekend days that are working days (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    #[serde(default)]
    pub off: Vec<[chrono::NaiveDate; 2]>,
    #[serde(default)]
    pub work: Vec<chrono::NaiveDate>,
}

/// The whole calendar as an admin replaces it: year (as text, e.g. `"2026"`) → schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    pub years: BTreeMap<String, YearSchedule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarView {
    pub years: BTreeMap<String, YearSchedule>,
    /// `default` (China's official schedule as shipped) or `edited`.
    pub origin: String,
    /// This year or next year, when the calendar lacks them: deadlines there count
    /// weekends only.
    pub missing_years: Vec<i32>,
    /// Said to managers when `missing_years` is not empty.
    pub warning: Option<String>,
}
