//! The walkthrough being recorded: steps with their waiting and serving timers, findings,
//! commendations and ratings, until it is submitted as an immutable [`WalkthroughRecord`].
//!
//! Timers store the timestamps of their running segment, never a tick count: after a page
//! reload, an app kill or a phone asleep in a pocket, the elapsed time is recomputed from
//! the stored start, so it stays right. A clock that jumps backwards counts as zero, never
//! as a negative duration.

use serde::{Deserialize, Serialize};

use flowwalk_shared::api::assignments::{Assignment, WalkMode};
use flowwalk_shared::api::scenarios::{Channel, Scenario};
use flowwalk_shared::rules::{self, MAX_ITEMS, MAX_PHOTOS_PER_FINDING, MAX_STEP_MS, Text};
use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
use flowwalk_shared::walkthrough::{
    Commendation, Finding, GeoPoint, Severity, StepOutcome, StepRecord, UnplannedKind,
    WalkthroughRecord,
};

/// No single timer segment counts longer than this (a phone forgotten in a drawer).
pub const MAX_SEGMENT_MS: u64 = 12 * 60 * 60 * 1000;

/// What a step's timer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Not running (never started, or paused).
    Idle,
    /// Queueing, being sent around: since this device time.
    Waiting { since_ms: i64 },
    /// At the window / kiosk / online form: since this device time.
    Serving { since_ms: i64 },
    /// Finished with an outcome.
    Finished,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftStep {
    pub id: String,
    pub template_step_id: Option<String>,
    pub unplanned: Option<UnplannedKind>,
    pub name: String,
    /// The template's standard time, shown beside the timer.
    pub standard_minutes: Option<i32>,
    pub started_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// Closed segments only; see [`DraftStep::elapsed`] for the running total.
    pub waiting_ms: u64,
    pub serving_ms: u64,
    pub phase: Phase,
    pub outcome: Option<StepOutcome>,
    pub rating: Option<Satisfaction>,
    pub note: String,
}

fn segment(since_ms: i64, now_ms: i64) -> u64 {
    u64::try_from(now_ms.saturating_sub(since_ms))
        .unwrap_or(0)
        .min(MAX_SEGMENT_MS)
}

impl DraftStep {
    fn new(id: String, name: String) -> Self {
        DraftStep {
            id,
            template_step_id: None,
            unplanned: None,
            name,
            standard_minutes: None,
            started_at_ms: None,
            ended_at_ms: None,
            waiting_ms: 0,
            serving_ms: 0,
            phase: Phase::Idle,
            outcome: None,
            rating: None,
            note: String::new(),
        }
    }

    /// Waiting and serving time so far, including the running segment.
    pub fn elapsed(&self, now_ms: i64) -> (u64, u64) {
        match self.phase {
            Phase::Waiting { since_ms } => (
                self.waiting_ms.saturating_add(segment(since_ms, now_ms)),
                self.serving_ms,
            ),
            Phase::Serving { since_ms } => (
                self.waiting_ms,
                self.serving_ms.saturating_add(segment(since_ms, now_ms)),
            ),
            Phase::Idle | Phase::Finished => (self.waiting_ms, self.serving_ms),
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. } | Phase::Serving { .. })
    }

    /// Whether the observer reached this step at all.
    pub fn visited(&self) -> bool {
        self.started_at_ms.is_some() || self.outcome.is_some()
    }

    fn close_segment(&mut self, now_ms: i64) {
        let (waiting, serving) = self.elapsed(now_ms);
        self.waiting_ms = waiting;
        self.serving_ms = serving;
    }

    /// Starts (or switches to) waiting.
    pub fn wait(&mut self, now_ms: i64) {
        self.run(now_ms, Phase::Waiting { since_ms: now_ms });
    }

    /// Starts (or switches to) being served.
    pub fn serve(&mut self, now_ms: i64) {
        self.run(now_ms, Phase::Serving { since_ms: now_ms });
    }

    /// Closes the running segment and runs `phase` from `now_ms`; the step is open again.
    fn run(&mut self, now_ms: i64, phase: Phase) {
        self.close_segment(now_ms);
        self.started_at_ms.get_or_insert(now_ms);
        self.ended_at_ms = None;
        self.outcome = None;
        self.phase = phase;
    }

    /// Stops the timer without finishing the step.
    pub fn pause(&mut self, now_ms: i64) {
        if self.is_running() {
            self.close_segment(now_ms);
            self.phase = Phase::Idle;
        }
    }

    /// Finishes the step with its outcome.
    pub fn finish(&mut self, now_ms: i64, outcome: StepOutcome) {
        self.close_segment(now_ms);
        let started = *self.started_at_ms.get_or_insert(now_ms);
        self.ended_at_ms = Some(now_ms.max(started));
        self.outcome = Some(outcome);
        self.phase = Phase::Finished;
    }

    fn to_record(&self, now_ms: i64) -> StepRecord {
        // A phone forgotten over a weekend: no step counts longer than the rules allow.
        let (waiting_ms, serving_ms) = self.elapsed(now_ms);
        let (waiting_ms, serving_ms) = (waiting_ms.min(MAX_STEP_MS), serving_ms.min(MAX_STEP_MS));
        let started_at_ms = self.started_at_ms.unwrap_or(now_ms);
        let ended_at_ms = self.ended_at_ms.unwrap_or(now_ms).max(started_at_ms);
        StepRecord {
            id: self.id.clone(),
            template_step_id: self.template_step_id.clone(),
            unplanned: self.unplanned,
            name: self.name.clone(),
            started_at_ms,
            ended_at_ms,
            waiting_ms,
            serving_ms,
            outcome: self.outcome.unwrap_or(StepOutcome::Done),
            rating: self.rating,
            note: self.note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    /// 1, or the next revision when correcting a returned walkthrough.
    pub rev: u32,
    pub assignment_id: String,
    pub scenario_version_id: String,
    /// Shown on the screens (the reference data may change later).
    pub title: String,
    pub venue: String,
    pub mode: WalkMode,
    pub started_at_ms: i64,
    pub steps: Vec<DraftStep>,
    /// The step on screen.
    pub current: usize,
    pub findings: Vec<Finding>,
    pub commendations: Vec<Commendation>,
    pub satisfaction: Option<Satisfaction>,
    pub smoothness: Option<Smoothness>,
    pub comment: String,
    /// The manager's comment when this draft corrects a returned walkthrough (or the
    /// server's reason when it corrects a refused one).
    pub returned_comment: Option<String>,
    /// The finding being written, if any.
    #[serde(default)]
    pub finding: Option<FindingDraft>,
}

/// Why a draft (or its finding in progress) cannot be submitted or saved yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftError {
    /// No step was walked.
    NoSteps,
    /// Overall satisfaction and smoothness are required.
    MissingRatings,
    /// A finding is being written and is not saved or discarded yet.
    UnsavedFinding,
    /// The finding in progress has no category yet.
    NoCategory,
    /// A rule the server checks is broken (the shared crate's rules), with its field.
    Invalid(rules::Invalid),
}

impl DraftError {
    pub fn message(&self, english: bool) -> String {
        match (self, english) {
            (DraftError::NoSteps, false) => "还没有记录任何环节".into(),
            (DraftError::NoSteps, true) => "No step has been recorded yet".into(),
            (DraftError::MissingRatings, false) => "请先选择总体满意度和顺畅度".into(),
            (DraftError::MissingRatings, true) => {
                "Choose overall satisfaction and smoothness first".into()
            }
            (DraftError::UnsavedFinding, false) => "有一条问题还没有保存,请先保存或放弃它".into(),
            (DraftError::UnsavedFinding, true) => {
                "A problem is still being written; save or discard it first".into()
            }
            (DraftError::NoCategory, false) => "请选择问题类别".into(),
            (DraftError::NoCategory, true) => "Choose a category".into(),
            (DraftError::Invalid(e), _) => e.message(english).to_owned(),
        }
    }

    /// The field at fault, as a JSON path of the record (for rule errors).
    pub fn field(&self) -> Option<&str> {
        match self {
            DraftError::Invalid(e) => Some(&e.field),
            _ => None,
        }
    }
}

/// A finding being written: stored with the draft as each part is chosen, so a reload or
/// a killed app finds it as it was; saved into the walk's findings under its own id, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDraft {
    pub id: String,
    pub step_id: Option<String>,
    pub category_id: Option<String>,
    pub severity: Severity,
    pub description: String,
    /// Photos stored on the phone (IndexedDB / files) before they were added here.
    pub photos: Vec<String>,
    pub location: Option<GeoPoint>,
}

impl FindingDraft {
    /// Whether anything was entered yet.
    pub fn is_empty(&self) -> bool {
        self.category_id.is_none()
            && self.description.trim().is_empty()
            && self.photos.is_empty()
            && self.location.is_none()
    }

    /// The finding as it will be recorded, or the first rule it breaks.
    pub fn to_finding(&self) -> Result<Finding, DraftError> {
        let category_id = self.category_id.clone().ok_or(DraftError::NoCategory)?;
        Text::Description
            .check("description", &self.description)
            .map_err(DraftError::Invalid)?;
        if self.photos.len() > MAX_PHOTOS_PER_FINDING {
            return Err(DraftError::Invalid(rules::Invalid::new(
                flowwalk_shared::ErrorCode::InvalidValue,
                "photos",
                "每个问题最多 20 张照片",
                "At most 20 photos per finding",
            )));
        }
        Ok(Finding {
            id: self.id.clone(),
            step_id: self.step_id.clone(),
            category_id,
            severity: self.severity,
            description: self.description.trim().to_owned(),
            photos: self.photos.clone(),
            location: self.location.clone(),
        })
    }
}

/// The template steps a walk follows: online simulations walk the online channel's steps
/// (all steps if the scenario has none), walks in person the whole template.
pub fn steps_for(
    scenario: &Scenario,
    mode: WalkMode,
) -> Vec<&flowwalk_shared::api::scenarios::Step> {
    let all: Vec<_> = scenario.steps.iter().collect();
    if mode == WalkMode::OnlineSimulation {
        let online: Vec<_> = all
            .iter()
            .copied()
            .filter(|s| s.channel == Channel::Online)
            .collect();
        if !online.is_empty() {
            return online;
        }
    }
    all
}

impl Draft {
    /// A new walk of `assignment`, laid out on the scenario's steps. `new_id` makes ids.
    pub fn new(
        assignment: &Assignment,
        scenario: &Scenario,
        venue: &str,
        now_ms: i64,
        mut new_id: impl FnMut() -> String,
    ) -> Draft {
        let steps = steps_for(scenario, assignment.mode)
            .into_iter()
            .map(|t| DraftStep {
                template_step_id: Some(t.id.clone()),
                standard_minutes: Some(t.standard_minutes),
                ..DraftStep::new(new_id(), t.name.clone())
            })
            .collect();
        Draft {
            id: new_id(),
            rev: 1,
            assignment_id: assignment.id.clone(),
            scenario_version_id: assignment.scenario_version_id.clone(),
            title: scenario.name.clone(),
            venue: venue.to_owned(),
            mode: assignment.mode,
            started_at_ms: now_ms,
            steps,
            current: 0,
            findings: Vec::new(),
            commendations: Vec::new(),
            satisfaction: None,
            smoothness: None,
            comment: String::new(),
            returned_comment: None,
            finding: None,
        }
    }

    /// A correction of a sent walkthrough: everything as sent, as revision `rev` (the next
    /// one the server can store).
    pub fn correcting(
        record: &WalkthroughRecord,
        rev: u32,
        title: &str,
        venue: &str,
        comment: &str,
    ) -> Draft {
        let steps = record
            .steps
            .iter()
            .map(|s| DraftStep {
                id: s.id.clone(),
                template_step_id: s.template_step_id.clone(),
                unplanned: s.unplanned,
                name: s.name.clone(),
                standard_minutes: None,
                started_at_ms: Some(s.started_at_ms),
                ended_at_ms: Some(s.ended_at_ms),
                waiting_ms: s.waiting_ms,
                serving_ms: s.serving_ms,
                phase: Phase::Finished,
                outcome: Some(s.outcome),
                rating: s.rating,
                note: s.note.clone(),
            })
            .collect();
        Draft {
            id: record.id.clone(),
            rev,
            assignment_id: record.assignment_id.clone(),
            scenario_version_id: record.scenario_version_id.clone(),
            title: title.to_owned(),
            venue: venue.to_owned(),
            mode: record.mode,
            started_at_ms: record.started_at_ms,
            steps,
            current: 0,
            findings: record.findings.clone(),
            commendations: record.commendations.clone(),
            satisfaction: Some(record.satisfaction),
            smoothness: Some(record.smoothness),
            comment: record.comment.clone(),
            returned_comment: Some(comment.to_owned()),
            finding: None,
        }
    }

    /// Opens the finding form: the finding in progress, or a new one with id `id` at the
    /// current step. Returns the finding's id.
    pub fn open_finding(&mut self, id: String) -> String {
        if let Some(f) = &self.finding {
            return f.id.clone();
        }
        let step_id = self.steps.get(self.current).map(|s| s.id.clone());
        self.finding = Some(FindingDraft {
            id: id.clone(),
            step_id,
            category_id: None,
            severity: Severity::Medium,
            description: String::new(),
            photos: Vec::new(),
            location: None,
        });
        id
    }

    /// Changes the finding in progress with id `id` (a stale screen changes nothing).
    pub fn edit_finding(&mut self, id: &str, f: impl FnOnce(&mut FindingDraft)) {
        if let Some(finding) = self.finding.as_mut().filter(|x| x.id == id) {
            f(finding);
        }
    }

    /// Saves the finding in progress with id `id` into the walk's findings. Saving the same
    /// finding again (a second tap) changes nothing and succeeds: one tap, one record.
    pub fn save_finding(&mut self, id: &str) -> Result<(), DraftError> {
        if self.findings.iter().any(|f| f.id == id) {
            return Ok(());
        }
        let Some(draft) = self.finding.as_ref().filter(|f| f.id == id) else {
            return Ok(());
        };
        let finding = draft.to_finding()?;
        if self.findings.len() >= MAX_ITEMS {
            return Err(DraftError::Invalid(rules::Invalid::new(
                flowwalk_shared::ErrorCode::InvalidValue,
                "findings",
                "一次体验最多记录 200 个问题",
                "At most 200 problems per walkthrough",
            )));
        }
        self.findings.push(finding);
        self.finding = None;
        Ok(())
    }

    /// Drops the finding in progress (its photos stay on the phone until cleaned up).
    pub fn discard_finding(&mut self) {
        self.finding = None;
    }

    /// Starts waiting at step `index`, finishing whichever other step was running (a
    /// citizen is at one step at a time) as done.
    pub fn wait_at(&mut self, index: usize, now_ms: i64) {
        self.leave_others(index, now_ms);
        if let Some(step) = self.steps.get_mut(index) {
            step.wait(now_ms);
            self.current = index;
        }
    }

    /// Starts being served at step `index` (see [`Draft::wait_at`]).
    pub fn serve_at(&mut self, index: usize, now_ms: i64) {
        self.leave_others(index, now_ms);
        if let Some(step) = self.steps.get_mut(index) {
            step.serve(now_ms);
            self.current = index;
        }
    }

    fn leave_others(&mut self, index: usize, now_ms: i64) {
        for (i, step) in self.steps.iter_mut().enumerate() {
            if i != index && step.is_running() {
                step.finish(now_ms, StepOutcome::Done);
            }
        }
    }

    /// Finishes step `index` and moves on to the next one.
    pub fn finish_at(&mut self, index: usize, now_ms: i64, outcome: StepOutcome) {
        if let Some(step) = self.steps.get_mut(index) {
            step.finish(now_ms, outcome);
            if index + 1 < self.steps.len() {
                self.current = index + 1;
            }
        }
    }

    /// Adds an unplanned step (sent to another window, another department…) right after
    /// the current one and starts waiting there. A step with this id already added (a
    /// second tap) is not added again.
    pub fn add_unplanned(
        &mut self,
        id: String,
        kind: UnplannedKind,
        name: String,
        now_ms: i64,
    ) -> Result<(), DraftError> {
        if self.steps.iter().any(|s| s.id == id) {
            return Ok(());
        }
        Text::StepName
            .check("name", &name)
            .map_err(DraftError::Invalid)?;
        if self.steps.len() >= MAX_ITEMS {
            return Err(DraftError::Invalid(rules::Invalid::new(
                flowwalk_shared::ErrorCode::InvalidValue,
                "steps",
                "一次体验最多 200 个环节",
                "At most 200 steps per walkthrough",
            )));
        }
        let at = (self.current + 1).min(self.steps.len());
        self.steps.insert(
            at,
            DraftStep {
                unplanned: Some(kind),
                ..DraftStep::new(id, name)
            },
        );
        self.wait_at(at, now_ms);
        Ok(())
    }

    /// The running step, if any.
    pub fn running(&self) -> Option<usize> {
        self.steps.iter().position(DraftStep::is_running)
    }

    /// Totals over all steps so far.
    pub fn totals(&self, now_ms: i64) -> (u64, u64) {
        self.steps.iter().fold((0, 0), |(w, s), step| {
            let (sw, ss) = step.elapsed(now_ms);
            (w.saturating_add(sw), s.saturating_add(ss))
        })
    }

    /// The record to submit: walked steps only (template steps never reached stay out, so
    /// the review shows them as missed), a running step closed now, findings kept.
    pub fn to_record(&self, device_id: &str, now_ms: i64) -> Result<WalkthroughRecord, DraftError> {
        let steps: Vec<StepRecord> = self
            .steps
            .iter()
            .filter(|s| s.visited())
            .map(|s| s.to_record(now_ms))
            .collect();
        if steps.is_empty() {
            return Err(DraftError::NoSteps);
        }
        if self.finding.as_ref().is_some_and(|f| !f.is_empty()) {
            return Err(DraftError::UnsavedFinding);
        }
        let (Some(satisfaction), Some(smoothness)) = (self.satisfaction, self.smoothness) else {
            return Err(DraftError::MissingRatings);
        };
        // A finding or commendation noted at a step that was then never walked belongs to
        // the walk.
        let findings = at_walked_steps(&self.findings, &steps, |f| &mut f.step_id);
        let commendations = at_walked_steps(&self.commendations, &steps, |c| &mut c.step_id);
        let first = steps
            .iter()
            .map(|s| s.started_at_ms)
            .min()
            .unwrap_or(now_ms);
        let last = steps.iter().map(|s| s.ended_at_ms).max().unwrap_or(now_ms);
        let started_at_ms = self.started_at_ms.min(first);
        Ok(WalkthroughRecord {
            id: self.id.clone(),
            rev: self.rev,
            assignment_id: self.assignment_id.clone(),
            scenario_version_id: self.scenario_version_id.clone(),
            device_id: device_id.to_owned(),
            mode: self.mode,
            started_at_ms,
            ended_at_ms: if self.rev > 1 { last } else { now_ms.max(last) }.max(started_at_ms),
            steps,
            findings,
            commendations,
            satisfaction,
            smoothness,
            comment: self.comment.clone(),
        })
    }
}

/// Copies of `items` (findings, commendations), each keeping its step (`step_id`) only
/// if that step was walked.
fn at_walked_steps<T: Clone>(
    items: &[T],
    walked: &[StepRecord],
    step_id: fn(&mut T) -> &mut Option<String>,
) -> Vec<T> {
    items
        .iter()
        .cloned()
        .map(|mut item| {
            let id = step_id(&mut item);
            if id
                .as_ref()
                .is_some_and(|id| !walked.iter().any(|s| &s.id == id))
            {
                *id = None;
            }
            item
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use flowwalk_shared::api::assignments::AssignmentStatus;
    use flowwalk_shared::api::scenarios::Step;
    use flowwalk_shared::walkthrough::Severity;

    use super::*;

    fn scenario() -> Scenario {
        let step = |id: &str, channel| Step {
            id: id.into(),
            position: 0,
            name: format!("环节{id}"),
            channel,
            department_id: "d".into(),
            standard_minutes: 10,
            fee_cents: 0,
            materials_count: 0,
        };
        Scenario {
            id: "s".into(),
            code: "c".into(),
            version_id: "v1".into(),
            version: 1,
            is_current: true,
            name: "社保卡补办".into(),
            description: String::new(),
            promised_minutes: 30,
            steps: vec![
                step("t1", Channel::Window),
                step("t2", Channel::Online),
                step("t3", Channel::Window),
            ],
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    fn assignment(mode: WalkMode) -> Assignment {
        Assignment {
            id: "a".into(),
            scenario_id: "s".into(),
            scenario_version_id: "v1".into(),
            venue_id: "v".into(),
            observer_ids: vec![],
            starts_on: chrono::NaiveDate::default(),
            ends_on: chrono::NaiveDate::default(),
            mode,
            status: AssignmentStatus::InProgress,
            note: String::new(),
            created_by: "m".into(),
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id{n}")
        }
    }

    #[test]
    fn timers_come_from_stored_timestamps_not_ticks() {
        let mut d = Draft::new(
            &assignment(WalkMode::InPerson),
            &scenario(),
            "厅",
            1_000,
            ids(),
        );
        d.wait_at(0, 1_000);
        // "Reload": the draft is serialised and read back; time moved on meanwhile.
        let json = serde_json::to_string(&d).unwrap();
        let mut d: Draft = serde_json::from_str(&json).unwrap();
        assert_eq!(d.steps[0].elapsed(61_000), (60_000, 0));
        d.serve_at(0, 61_000);
        d.finish_at(0, 91_000, StepOutcome::Done);
        assert_eq!(d.steps[0].elapsed(500_000), (60_000, 30_000));
        assert_eq!(d.current, 1);
    }

    #[test]
    fn a_clock_going_backwards_never_makes_negative_time() {
        let mut step = DraftStep::new("s".into(), "n".into());
        step.wait(10_000);
        assert_eq!(step.elapsed(5_000), (0, 0));
        step.serve(i64::MAX);
        assert_eq!(step.elapsed(i64::MIN), (MAX_SEGMENT_MS, 0));
    }

    #[test]
    fn starting_a_step_finishes_the_running_one() {
        let mut d = Draft::new(&assignment(WalkMode::InPerson), &scenario(), "厅", 0, ids());
        d.wait_at(0, 0);
        d.serve_at(1, 5_000);
        assert_eq!(d.steps[0].outcome, Some(StepOutcome::Done));
        assert_eq!(d.running(), Some(1));
        d.add_unplanned(
            "u".into(),
            UnplannedKind::RedirectedWindow,
            "到3号窗口".into(),
            9_000,
        )
        .unwrap();
        // A second tap on the same button adds nothing.
        d.add_unplanned(
            "u".into(),
            UnplannedKind::RedirectedWindow,
            "到3号窗口".into(),
            9_500,
        )
        .unwrap();
        assert_eq!(d.steps.len(), 4);
        assert_eq!(d.steps[2].unplanned, Some(UnplannedKind::RedirectedWindow));
        assert_eq!(d.running(), Some(2));
        assert_eq!(d.steps[1].elapsed(100_000), (0, 4_000));
    }

    #[test]
    fn online_walks_follow_the_online_steps() {
        let d = Draft::new(
            &assignment(WalkMode::OnlineSimulation),
            &scenario(),
            "厅",
            0,
            ids(),
        );
        let names: Vec<_> = d.steps.iter().map(|s| s.template_step_id.clone()).collect();
        assert_eq!(names, vec![Some("t2".to_string())]);
        let d = Draft::new(&assignment(WalkMode::InPerson), &scenario(), "厅", 0, ids());
        assert_eq!(d.steps.len(), 3);
    }

    #[test]
    fn the_record_holds_walked_steps_and_needs_ratings() {
        let mut d = Draft::new(&assignment(WalkMode::InPerson), &scenario(), "厅", 0, ids());
        assert_eq!(d.to_record("dev", 1).unwrap_err(), DraftError::NoSteps);
        d.wait_at(0, 1_000);
        d.findings.push(Finding {
            id: "f".into(),
            step_id: Some(d.steps[2].id.clone()),
            category_id: "c".into(),
            severity: Severity::High,
            description: "无叫号".into(),
            photos: vec![],
            location: None,
        });
        assert_eq!(
            d.to_record("dev", 2).unwrap_err(),
            DraftError::MissingRatings
        );
        d.satisfaction = Some(Satisfaction::Dissatisfied);
        d.smoothness = Some(Smoothness::NotSmooth);
        let r = d.to_record("dev", 31_000).unwrap();
        assert_eq!(r.steps.len(), 1);
        assert_eq!(r.steps[0].waiting_ms, 30_000);
        assert_eq!(r.steps[0].ended_at_ms, 31_000);
        // The finding's step was never walked: it stays, attached to the walk.
        assert_eq!(r.findings[0].step_id, None);
        assert!(r.ended_at_ms >= r.started_at_ms);
        // A correction keeps everything and is the next revision.
        let c = Draft::correcting(&r, r.rev + 1, "t", "v", "请补充照片");
        let r2 = c.to_record("dev", 99_000).unwrap();
        assert_eq!(r2.rev, 2);
        assert_eq!(r2.steps, r.steps);
        assert_eq!(r2.ended_at_ms, r.ended_at_ms);
    }
}
