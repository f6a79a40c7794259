//! Pure timing rules: a walkthrough's steps against the scenario's standard times.
//!
//! The standard (promised) time of a step is compared with what the citizen actually spent
//! on it — waiting plus being served. Over-runs are flagged; the walk's total is compared
//! with the scenario's promised total.

use serde::{Deserialize, Serialize};

use crate::api::scenarios::Step;
use crate::walkthrough::WalkthroughRecord;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepTiming {
    pub step_id: String,
    pub name: String,
    pub template_step_id: Option<String>,
    pub waiting_ms: u64,
    pub serving_ms: u64,
    /// The template's standard time; `None` for unplanned steps.
    pub standard_ms: Option<u64>,
    /// Waiting plus serving exceeded the standard time.
    pub over_run: bool,
    /// By how much, in ms (0 when within).
    pub over_by_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimingReport {
    pub steps: Vec<StepTiming>,
    pub total_waiting_ms: u64,
    pub total_serving_ms: u64,
    /// Sum of waiting and serving over all steps.
    pub total_ms: u64,
    /// The scenario's promised total (sum of its steps' standard times).
    pub promised_ms: u64,
    pub over_promised: bool,
    /// Template steps the walk never reached.
    pub missed_template_steps: Vec<String>,
}

const MINUTE_MS: u64 = 60_000;

/// Lays the walk's steps against the template's.
pub fn report(walk: &WalkthroughRecord, template: &[Step]) -> TimingReport {
    let steps: Vec<StepTiming> = walk
        .steps
        .iter()
        .map(|s| {
            let standard_ms = s
                .template_step_id
                .as_ref()
                .and_then(|id| template.iter().find(|t| &t.id == id))
                .map(|t| u64::try_from(t.standard_minutes).unwrap_or(0) * MINUTE_MS);
            let spent = s.waiting_ms.saturating_add(s.serving_ms);
            let over_by_ms = standard_ms.map_or(0, |std| spent.saturating_sub(std));
            StepTiming {
                step_id: s.id.clone(),
                name: s.name.clone(),
                template_step_id: s.template_step_id.clone(),
                waiting_ms: s.waiting_ms,
                serving_ms: s.serving_ms,
                standard_ms,
                over_run: over_by_ms > 0,
                over_by_ms,
            }
        })
        .collect();
    let total_waiting_ms = steps
        .iter()
        .map(|s| s.waiting_ms)
        .fold(0, u64::saturating_add);
    let total_serving_ms = steps
        .iter()
        .map(|s| s.serving_ms)
        .fold(0, u64::saturating_add);
    let total_ms = total_waiting_ms.saturating_add(total_serving_ms);
    let promised_ms = template
        .iter()
        .map(|t| u64::try_from(t.standard_minutes).unwrap_or(0) * MINUTE_MS)
        .fold(0, u64::saturating_add);
    let missed_template_steps = template
        .iter()
        .filter(|t| {
            !walk
                .steps
                .iter()
                .any(|s| s.template_step_id.as_deref() == Some(t.id.as_str()))
        })
        .map(|t| t.id.clone())
        .collect();
    TimingReport {
        steps,
        total_waiting_ms,
        total_serving_ms,
        total_ms,
        promised_ms,
        over_promised: total_ms > promised_ms,
        missed_template_steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::assignments::WalkMode;
    use crate::api::scenarios::Channel;
    use crate::taxonomy::{Satisfaction, Smoothness};
    use crate::walkthrough::{StepOutcome, StepRecord, UnplannedKind};

    fn tstep(id: &str, minutes: i32) -> Step {
        Step {
            id: id.into(),
            position: 1,
            name: id.into(),
            channel: Channel::Window,
            department_id: "d".into(),
            standard_minutes: minutes,
            fee_cents: 0,
            materials_count: 0,
        }
    }

    fn wstep(id: &str, template: Option<&str>, waiting_min: u64, serving_min: u64) -> StepRecord {
        StepRecord {
            id: id.into(),
            template_step_id: template.map(Into::into),
            unplanned: template
                .is_none()
                .then_some(UnplannedKind::RedirectedWindow),
            name: id.into(),
            started_at_ms: 0,
            ended_at_ms: 0,
            waiting_ms: waiting_min * MINUTE_MS,
            serving_ms: serving_min * MINUTE_MS,
            outcome: StepOutcome::Done,
            rating: None,
            note: String::new(),
        }
    }

    #[test]
    fn over_runs_and_totals() {
        let template = vec![tstep("t1", 10), tstep("t2", 30), tstep("t3", 5)];
        let walk = WalkthroughRecord {
            id: "w".into(),
            rev: 1,
            assignment_id: "a".into(),
            scenario_version_id: "v".into(),
            device_id: "d".into(),
            mode: WalkMode::InPerson,
            started_at_ms: 0,
            ended_at_ms: 0,
            steps: vec![
                wstep("s1", Some("t1"), 25, 5),
                wstep("s2", None, 10, 0),
                wstep("s3", Some("t2"), 5, 20),
            ],
            findings: vec![],
            commendations: vec![],
            satisfaction: Satisfaction::Dissatisfied,
            smoothness: Smoothness::NotSmooth,
            comment: String::new(),
        };
        let r = report(&walk, &template);
        assert!(r.steps[0].over_run);
        assert_eq!(r.steps[0].over_by_ms, 20 * MINUTE_MS);
        assert_eq!(r.steps[1].standard_ms, None);
        assert!(!r.steps[1].over_run, "unplanned steps have no standard");
        assert!(!r.steps[2].over_run);
        assert_eq!(r.total_ms, 65 * MINUTE_MS);
        assert_eq!(r.promised_ms, 45 * MINUTE_MS);
        assert!(r.over_promised);
        assert_eq!(r.missed_template_steps, vec!["t3".to_string()]);
    }
}
