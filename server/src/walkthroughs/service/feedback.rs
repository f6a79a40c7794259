//! Each walkthrough's feedback form (体验反馈表) as a printable page: the steps with their
//! times against the standard, the ratings, the findings with their photos and what became
//! of them (the issue list), the commendations.

use std::collections::HashMap;

use askama::Template;
use flowwalk_shared::api::walkthroughs::WalkthroughDetail;
use flowwalk_shared::taxonomy::Satisfaction;
use flowwalk_shared::time::china;
use flowwalk_shared::walkthrough::{CommendationKind, StepOutcome, WalkthroughRecord};

use base64::Engine;

use crate::accounts::store::user_rows;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::store::issue_rows as m;
use crate::photos::{PhotoStore, Variant};
use crate::reference::store::{category_rows, department_rows};
use crate::walkthroughs::service::review;

pub struct StepLine {
    pub name: String,
    pub planned: bool,
    pub waiting: String,
    pub serving: String,
    pub standard: String,
    pub over_by: String,
    pub over_run: bool,
    pub outcome: &'static str,
    pub rating: &'static str,
    pub note: String,
}

pub struct FindingLine {
    pub step: String,
    pub category: String,
    pub severity: &'static str,
    pub description: String,
    pub photos: Vec<PhotoCell>,
    pub department: String,
    pub status: String,
}

/// A finding's photo on the printed form: the picture itself (display size, inlined so the
/// page prints and saves whole), or, while it has not arrived from the phone, its name.
pub struct PhotoCell {
    pub sha256: String,
    pub src: Option<String>,
}

impl PhotoCell {
    /// The first characters of the photo's name, to tell it apart when it is missing.
    pub fn short(&self) -> &str {
        &self.sha256[..12.min(self.sha256.len())]
    }
}

pub struct CommendationLine {
    pub step: String,
    pub kind: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "feedback.html")]
pub struct FeedbackPage {
    pub walkthrough_id: String,
    pub rev: i32,
    pub scenario: String,
    pub scenario_version: i32,
    pub venue: String,
    pub mode: &'static str,
    pub observer: String,
    pub started: String,
    pub ended: String,
    pub total_minutes: String,
    pub promised_minutes: String,
    pub over_promised: bool,
    pub satisfaction: &'static str,
    pub smoothness: &'static str,
    pub steps: Vec<StepLine>,
    pub findings: Vec<FindingLine>,
    pub commendations: Vec<CommendationLine>,
    pub comment: String,
    pub reviewer: String,
    pub reviewed: String,
    pub printed: String,
}

fn minutes(ms: u64) -> String {
    format!("{:.1}", ms as f64 / 60_000.0)
}

fn outcome(o: StepOutcome) -> &'static str {
    match o {
        StepOutcome::Done => "办结",
        StepOutcome::Redirected => "被指引到别处",
        StepOutcome::Blocked => "受阻,未办成",
        StepOutcome::Skipped => "跳过",
    }
}

fn rating(r: Option<Satisfaction>) -> &'static str {
    r.map_or("—", Satisfaction::label_zh)
}

/// The journey, step by step, against the standard times.
fn step_lines(d: &WalkthroughDetail) -> Vec<StepLine> {
    d.record
        .steps
        .iter()
        .zip(&d.timing.steps)
        .map(|(s, t)| StepLine {
            name: s.name.clone(),
            planned: s.template_step_id.is_some(),
            waiting: minutes(t.waiting_ms),
            serving: minutes(t.serving_ms),
            standard: t.standard_ms.map_or_else(|| "—".into(), minutes),
            over_by: if t.over_run {
                minutes(t.over_by_ms)
            } else {
                "—".into()
            },
            over_run: t.over_run,
            outcome: outcome(s.outcome),
            rating: rating(s.rating),
            note: s.note.clone(),
        })
        .collect()
}

/// The findings, each with what became of it (its issue's department and state).
fn finding_lines(
    conn: &mut DbConnection,
    id: &str,
    rec: &WalkthroughRecord,
    step_of: &dyn Fn(&Option<String>) -> String,
) -> Result<Vec<FindingLine>, AppError> {
    let category_names: HashMap<String, String> = category_rows::list(conn)?
        .into_iter()
        .map(|c| (c.id, c.name_zh))
        .collect();
    let department_names: HashMap<String, String> = department_rows::list(conn)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let issues: HashMap<String, m::IssueRow> = m::occurrences_of_walkthrough(conn, id)?
        .into_iter()
        .map(|(o, i)| (o.source_ref, i))
        .collect();
    let mut findings = Vec::new();
    for f in &rec.findings {
        let issue = issues.get(&format!("wt:{id}:{}", f.id));
        findings.push(FindingLine {
            step: step_of(&f.step_id),
            category: category_names
                .get(&f.category_id)
                .cloned()
                .unwrap_or_else(|| f.category_id.clone()),
            severity: f.severity.label_zh(),
            description: f.description.clone(),
            photos: f
                .photos
                .iter()
                .map(|p| PhotoCell {
                    sha256: p.clone(),
                    src: None,
                })
                .collect(),
            department: issue
                .and_then(|i| department_names.get(&i.department_id).cloned())
                .unwrap_or_else(|| "—".into()),
            status: match issue {
                Some(i) => i.status.label_zh().to_owned(),
                None => "未生成(体验记录尚未审核通过)".into(),
            },
        });
    }
    Ok(findings)
}

/// Who reviewed the walkthrough, and when (China time).
fn reviewer(conn: &mut DbConnection, id: &str) -> Result<(String, String), AppError> {
    Ok(
        match crate::walkthroughs::store::walkthrough_rows::get(conn, id)?
            .and_then(|w| w.reviewed_by.map(|r| (r, w.reviewed_at)))
        {
            Some((by, at)) => (
                user_rows::get(conn, &by)?.display_name,
                at.map(china::minute_text).unwrap_or_default(),
            ),
            None => ("—".into(), "—".into()),
        },
    )
}

/// The form of a walkthrough the viewer may read (staff: complete ones; an observer: own).
pub fn page(
    conn: &mut DbConnection,
    id: &str,
    viewer_id: &str,
    staff: bool,
) -> Result<FeedbackPage, AppError> {
    let d = review::detail(conn, id, viewer_id, staff)?;
    let rec = &d.record;
    let step_names: HashMap<&str, &str> = rec
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let step_of = |id: &Option<String>| {
        id.as_deref()
            .and_then(|i| step_names.get(i).copied())
            .unwrap_or("(整体)")
            .to_owned()
    };
    let steps = step_lines(&d);
    let findings = finding_lines(conn, id, rec, &step_of)?;
    let commendations = rec
        .commendations
        .iter()
        .map(|c| CommendationLine {
            step: step_of(&c.step_id),
            kind: match c.kind {
                CommendationKind::Attitude => "服务态度",
                CommendationKind::Efficiency => "办事效率",
                CommendationKind::Patience => "耐心细致",
                CommendationKind::Other => "其他",
            },
            note: c.note.clone(),
        })
        .collect();
    let reviewer = reviewer(conn, id)?;
    let s = &d.summary;
    let page = FeedbackPage {
        walkthrough_id: s.id.clone(),
        rev: s.rev,
        scenario: s.scenario_name.clone(),
        scenario_version: s.scenario_version,
        venue: s.venue_name.clone(),
        mode: match rec.mode {
            flowwalk_shared::api::assignments::WalkMode::InPerson => "现场体验",
            flowwalk_shared::api::assignments::WalkMode::OnlineSimulation => "线上模拟办件",
        },
        observer: s.observer_name.clone(),
        started: china::minute_text(s.started_at),
        ended: china::minute_text(s.ended_at),
        total_minutes: minutes(d.timing.total_ms),
        promised_minutes: minutes(d.timing.promised_ms),
        over_promised: d.timing.over_promised,
        satisfaction: rec.satisfaction.label_zh(),
        smoothness: rec.smoothness.label_zh(),
        steps,
        findings,
        commendations,
        comment: if rec.comment.is_empty() {
            "无。".into()
        } else {
            rec.comment.clone()
        },
        reviewer: reviewer.0,
        reviewed: reviewer.1,
        printed: china::date_of(crate::db::rows::now()).to_string(),
    };
    Ok(page)
}

/// Puts each photo that has arrived into the page (the viewer may see them: they may see
/// the walkthrough), then renders it.
pub async fn render_with_photos(
    mut page: FeedbackPage,
    photos: &PhotoStore,
) -> Result<String, AppError> {
    for cell in page.findings.iter_mut().flat_map(|f| f.photos.iter_mut()) {
        if let Some(bytes) = photos.get(&cell.sha256, Variant::Display).await? {
            let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            cell.src = Some(format!("data:image/jpeg;base64,{data}"));
        }
    }
    page.render()
        .map_err(|e| AppError::internal(anyhow::anyhow!("rendering the feedback form: {e}")))
}
