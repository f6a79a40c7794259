//! The walkthrough record: what an observer's phone records while walking a service flow.
//!
//! A walkthrough is edited on the phone until submitted; what travels is an immutable
//! revision `(id, rev)`. A correction after a manager returns it is `rev + 1`. Times are
//! the phone's wall clock in milliseconds (only for placing the walk on a date; the server
//! normalises them with the clock offset it measures at sync); durations come from the
//! phone's monotonic clock and never from subtracting wall-clock readings.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::assignments::WalkMode;
use crate::taxonomy::{Satisfaction, Smoothness};
use crate::text_enum::text_enum;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WalkthroughRecord {
    /// UUIDv7 made on the device.
    pub id: String,
    /// 1 for the first submission; each correction after a return adds one.
    pub rev: u32,
    pub assignment_id: String,
    /// The scenario version whose steps this walk follows (the assignment's).
    pub scenario_version_id: String,
    pub device_id: String,
    pub mode: WalkMode,
    /// Device wall clock, ms since the Unix epoch.
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
    pub steps: Vec<StepRecord>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub commendations: Vec<Commendation>,
    pub satisfaction: Satisfaction,
    pub smoothness: Smoothness,
    #[serde(default)]
    pub comment: String,
}

text_enum! {
    /// Why a step that is not in the template happened.
    pub enum UnplannedKind {
        RedirectedWindow = "redirected_window" / "被指引到其他窗口" / "Sent to another window",
        RedirectedDepartment = "redirected_department" / "被指引到其他部门" / "Sent to another department",
        Other = "other" / "其他计划外环节" / "Other unplanned step",
    }
}

text_enum! {
    /// How a step ended.
    pub enum StepOutcome {
        Done = "done" / "办结" / "Done",
        /// Sent elsewhere (被转办 / 指引到别处)
        Redirected = "redirected" / "被转办" / "Redirected",
        /// Could not be done (受阻,办不成)
        Blocked = "blocked" / "受阻" / "Blocked",
        Skipped = "skipped" / "跳过" / "Skipped",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    /// Made on the device; unique within the walkthrough.
    pub id: String,
    /// The template step followed; `None` for an unplanned step.
    #[serde(default)]
    pub template_step_id: Option<String>,
    /// Set exactly when `template_step_id` is not.
    #[serde(default)]
    pub unplanned: Option<UnplannedKind>,
    pub name: String,
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
    /// Time spent waiting (queueing, being sent around), from the monotonic clock.
    pub waiting_ms: u64,
    /// Time being served at the window / kiosk / online.
    pub serving_ms: u64,
    pub outcome: StepOutcome,
    #[serde(default)]
    pub rating: Option<Satisfaction>,
    #[serde(default)]
    pub note: String,
}

text_enum! {
    /// How grave a finding is (the printed feedback form's words).
    pub enum Severity {
        Low = "low" / "一般" / "Low",
        Medium = "medium" / "较重" / "Medium",
        High = "high" / "严重" / "High",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

/// An obstacle (堵点) noted at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub id: String,
    /// The step it was noted at, if any.
    #[serde(default)]
    pub step_id: Option<String>,
    /// A problem category id from the taxonomy.
    pub category_id: String,
    pub severity: Severity,
    pub description: String,
    /// SHA-256 (lowercase hex) of each photo's bytes.
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
}

text_enum! {
    /// What an observer praised.
    pub enum CommendationKind {
        Attitude = "attitude" / "服务态度好" / "Friendly staff",
        Efficiency = "efficiency" / "办事效率高" / "Quick service",
        Patience = "patience" / "耐心细致" / "Patient and careful",
        Other = "other" / "其他" / "Other",
    }
}

/// Something worth praising (值得称赞).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Commendation {
    pub id: String,
    #[serde(default)]
    pub step_id: Option<String>,
    pub kind: CommendationKind,
    #[serde(default)]
    pub note: String,
}

impl WalkthroughRecord {
    /// Every photo the record references, each once, in first-seen order.
    pub fn photo_hashes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in self.findings.iter().flat_map(|f| &f.photos) {
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
        out
    }

    /// The content hash both sides compute: SHA-256 of the record's JSON as this crate
    /// serialises it (field order is fixed by the types, so it is canonical).
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex_sha256(&bytes)
    }
}

/// Lowercase hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Whether `s` looks like a SHA-256 in lowercase hex.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            hex_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&hex_sha256(b"")));
        assert!(!is_sha256_hex("ABC"));
    }
}
