//! `flowwalk demo`: loads the demo data of [`data`] so a newcomer sees something real.
//! Loading twice changes nothing: a database that already has the demo admin is left alone.

pub mod data;
pub mod sample_issues;
pub mod survey;

use std::collections::HashMap;

use anyhow::anyhow;
use chrono::{Duration, Utc};
use flowwalk_shared::Role;
use flowwalk_shared::api::assignments::{AssignmentInput, AssignmentStatus, WalkMode};
use flowwalk_shared::api::departments::DepartmentInput;
use flowwalk_shared::api::scenarios::{Channel, ScenarioInput, StepInput};
use flowwalk_shared::api::venues::{VenueInput, VenueLevel};

use crate::accounts::service::users;
use crate::auth::AuthUser;
use crate::db::{DbConnection, WriteGate, write_tx};
use crate::error::AppError;
use crate::issues::service::AuditKey;
use crate::reference::service::{departments, scenarios, venues};
use crate::walkthroughs::service::assignments;
use crate::walkthroughs::service::review;
use crate::walkthroughs::service::sync::{self, PushContext, RefCache};
use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::scenarios::Step;
use flowwalk_shared::sync::{PushRecord, PushStatus, RawJson, ReviewStatus};
use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
use flowwalk_shared::walkthrough::{
    Commendation, CommendationKind, Finding, Severity, StepOutcome, StepRecord, UnplannedKind,
    WalkthroughRecord,
};

/// Every demo account has this password (it is printed; change it for anything real).
pub const DEMO_PASSWORD: &str = flowwalk_shared::validate::DEMO_PASSWORD;

pub struct DemoSummary {
    pub already_loaded: bool,
    pub accounts: Vec<(String, String, Role)>,
    pub venues: usize,
    pub departments: usize,
    pub scenarios: usize,
    pub assignments: usize,
    pub walkthroughs: usize,
    /// Responses of the demo questionnaire campaign.
    pub survey_responses: usize,
    /// Issues taken through the workflow (one per state), with their audit trails.
    pub issues: usize,
}

/// Loads everything in one transaction.
pub fn load(conn: &mut DbConnection, key: &AuditKey) -> anyhow::Result<DemoSummary> {
    let accounts: Vec<(String, String, Role)> = data::USERS
        .iter()
        .map(|u| {
            Ok((
                u.username.to_owned(),
                u.display_name.to_owned(),
                role(u.role)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut summary = DemoSummary {
        already_loaded: false,
        accounts,
        venues: data::VENUES.len(),
        departments: data::DEPARTMENTS.len(),
        scenarios: data::SCENARIOS.len(),
        assignments: data::ASSIGNMENTS.len(),
        walkthroughs: 0,
        survey_responses: 0,
        issues: 0,
    };
    if users::find_by_username(conn, data::USERS[0].username)
        .map_err(|e| anyhow!("{e}"))?
        .is_some()
    {
        summary.already_loaded = true;
        return Ok(summary);
    }
    // Hash before the transaction: argon2 is slow on purpose.
    let prepared: Vec<_> = data::USERS
        .iter()
        .map(|u| users::prepare_demo(u.username, u.display_name))
        .collect::<Result<_, AppError>>()
        .map_err(|e| anyhow!("{e}"))?;
    write_tx(conn, |conn| insert_all(conn, prepared))
        .map_err(|e| anyhow!("loading demo data: {e}"))?;
    summary.walkthroughs =
        walkthroughs(conn, key).map_err(|e| anyhow!("loading demo walkthroughs: {e}"))?;
    summary.issues =
        sample_issues::load(conn, key).map_err(|e| anyhow!("loading demo issues: {e}"))?;
    summary.walkthroughs += summary.issues;
    let admin = users::find_by_username(conn, data::USERS[0].username)
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| anyhow!("the demo admin is missing"))?;
    summary.survey_responses = write_tx(conn, |c| survey::load(c, &admin.id))
        .map_err(|e| anyhow!("loading the demo questionnaire campaign: {e}"))?;
    Ok(summary)
}

fn role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s).ok_or_else(|| anyhow!("demo data names an unknown role {s:?}"))
}

fn insert_all(conn: &mut DbConnection, prepared: Vec<users::NewAccount>) -> Result<(), AppError> {
    let mut dept_ids = HashMap::new();
    for d in data::DEPARTMENTS {
        let input = DepartmentInput {
            code: d.code.into(),
            name: d.name.into(),
            name_en: d.name_en.into(),
        };
        dept_ids.insert(d.code, departments::create(conn, &input)?.id);
    }
    let lookup = |map: &HashMap<&str, String>, code: &str| {
        map.get(code)
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow!("demo data: unknown code {code}")))
    };
    let mut venue_ids = HashMap::new();
    for v in data::VENUES {
        let input = VenueInput {
            code: v.code.into(),
            name: v.name.into(),
            level: VenueLevel::parse(v.level)
                .ok_or_else(|| AppError::internal(anyhow!("bad level {}", v.level)))?,
            parent_id: v.parent_code.map(|p| lookup(&venue_ids, p)).transpose()?,
            address: v.address.into(),
        };
        venue_ids.insert(v.code, venues::create(conn, &input)?.id);
    }
    let mut user_ids = HashMap::new();
    for (u, account) in data::USERS.iter().zip(prepared) {
        let dept = u
            .department_code
            .map(|c| lookup(&dept_ids, c))
            .transpose()?;
        let r = role(u.role).map_err(AppError::internal)?;
        let row = users::insert(conn, account, r, dept)?;
        user_ids.insert(u.username, row.id);
    }
    let admin = lookup(&user_ids, data::USERS[0].username)?;
    let mut scenario_ids = HashMap::new();
    for s in data::SCENARIOS {
        let steps = s
            .steps
            .iter()
            .map(|st| {
                Ok(StepInput {
                    name: st.name.into(),
                    channel: Channel::parse(st.channel)
                        .ok_or_else(|| AppError::internal(anyhow!("bad channel {}", st.channel)))?,
                    department_id: lookup(&dept_ids, st.department_code)?,
                    standard_minutes: st.standard_minutes,
                    fee_cents: st.fee_cents,
                    materials_count: st.materials_count,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let input = ScenarioInput {
            code: s.code.into(),
            name: s.name.into(),
            description: s.description.into(),
            steps,
        };
        let id = scenarios::create_in(conn, &input, Some(&admin))?;
        scenario_ids.insert(s.code, id);
    }
    let today = Utc::now().date_naive();
    for a in data::ASSIGNMENTS {
        let starts_on = today + Duration::days(a.starts_in_days);
        let input = AssignmentInput {
            scenario_id: lookup(&scenario_ids, a.scenario_code)?,
            venue_id: lookup(&venue_ids, a.venue_code)?,
            observer_ids: a
                .observers
                .iter()
                .map(|o| lookup(&user_ids, o))
                .collect::<Result<_, _>>()?,
            starts_on,
            ends_on: starts_on + Duration::days(a.length_days.max(0)),
            mode: WalkMode::parse(a.mode)
                .ok_or_else(|| AppError::internal(anyhow!("bad mode {}", a.mode)))?,
            status: AssignmentStatus::parse(a.status)
                .ok_or_else(|| AppError::internal(anyhow!("bad status {}", a.status)))?,
            note: a.note.into(),
        };
        assignments::create(conn, &input, &admin)?;
    }
    Ok(())
}

/// Walkthroughs recorded on the assignments already under way, through the same push path
/// a phone uses: the first is accepted, the second returned with a comment, the rest wait
/// for review — so a manager has something to review and an observer something to fix.
fn walkthroughs(conn: &mut DbConnection, key: &AuditKey) -> Result<usize, AppError> {
    let reviewer = data::USERS
        .iter()
        .find(|u| u.role == Role::Manager.as_str())
        .ok_or_else(|| AppError::internal(anyhow!("the demo data has no manager")))?;
    let manager =
        users::find_by_username(conn, reviewer.username)?.ok_or_else(AppError::not_found)?;
    let mut done = 0;
    for a in assignments::visible_to(conn, &manager.id, Role::Manager)? {
        if !matches!(
            a.status,
            AssignmentStatus::Done | AssignmentStatus::InProgress
        ) {
            continue;
        }
        let Some(observer_id) = a.observer_ids.first() else {
            continue;
        };
        let observer = users::get(conn, observer_id)?;
        let steps = scenarios::steps_of_version(conn, &a.scenario_version_id)?;
        let started = Utc::now().timestamp_millis() - 26 * 3_600_000;
        let record = demo_record(&a, &steps, started, done);
        let user = AuthUser {
            id: observer.id.clone(),
            username: observer.username.clone(),
            role: observer.role,
            department_id: None,
        };
        push(conn, &user, &record)?;
        let decision = match done {
            0 => Some((ReviewStatus::Accepted, "记录完整,计时清楚。")),
            1 => Some((
                ReviewStatus::Returned,
                "第 2 个环节缺少排队情况的照片,请补充后重新提交。",
            )),
            _ => None,
        };
        if let Some((to, comment)) = decision {
            write_tx(conn, |c| {
                review::decide(c, key, &record.id, 1, to, comment, &manager.id)
            })?;
        }
        done += 1;
    }
    Ok(done)
}

/// Sends a walkthrough as `observer`'s phone would, through the same push path.
pub fn push(
    conn: &mut DbConnection,
    observer: &AuthUser,
    record: &WalkthroughRecord,
) -> Result<(), AppError> {
    let incoming = PushRecord {
        id: record.id.clone(),
        rev: record.rev,
        content_hash: record.content_hash(),
        walkthrough: RawJson::new(record).map_err(|e| AppError::internal(e.into()))?,
    };
    let ctx = PushContext {
        user: observer.clone(),
        clock_offset_ms: 0,
        server_now_ms: Utc::now().timestamp_millis(),
    };
    let result = sync::push_one(
        conn,
        &WriteGate::default(),
        &ctx,
        &RefCache::default(),
        &incoming,
    )?;
    if result.status != PushStatus::Accepted {
        return Err(AppError::internal(anyhow!(
            "a demo walkthrough was refused: {result:?}"
        )));
    }
    Ok(())
}

/// A template step's standard time in ms (at least a minute).
pub(crate) fn standard_ms(st: &Step) -> i64 {
    i64::from(st.standard_minutes.max(1)) * 60_000
}

/// Template step `i` walked from `t`: `waiting` ms in the queue, then served for half its
/// standard time; a `slow` step is rated dissatisfied.
pub(crate) fn template_step(i: usize, st: &Step, t: i64, waiting: i64, slow: bool) -> StepRecord {
    let serving = standard_ms(st) / 2;
    StepRecord {
        id: format!("s{}", i + 1),
        template_step_id: Some(st.id.clone()),
        unplanned: None,
        name: st.name.clone(),
        started_at_ms: t,
        ended_at_ms: t + waiting + serving,
        waiting_ms: u64::try_from(waiting).unwrap_or(0),
        serving_ms: u64::try_from(serving).unwrap_or(0),
        outcome: StepOutcome::Done,
        rating: Some(if slow {
            Satisfaction::Dissatisfied
        } else {
            Satisfaction::Satisfied
        }),
        note: String::new(),
    }
}

/// A plausible walk of the template: the first window step over-runs its standard time,
/// one redirect to another window, findings from the Tianning questionnaire's top complaints
/// (`docs/domain.md#sources`).
fn demo_record(a: &Assignment, steps: &[Step], started: i64, n: usize) -> WalkthroughRecord {
    const MIN: i64 = 60_000;
    let mut t = started;
    let mut recorded = Vec::new();
    for (i, st) in steps.iter().enumerate() {
        // The first step takes twice its standard time, mostly queueing; the others fit.
        let waiting = if i == 0 {
            standard_ms(st) * 3 / 2
        } else {
            standard_ms(st) / 3
        };
        let mut step = template_step(i, st, t, waiting, i == 0);
        if i == 0 {
            step.note = "取号后等候较久,叫号屏不显示预计时间".into();
        }
        t = step.ended_at_ms;
        recorded.push(step);
        if i == 0 {
            recorded.push(StepRecord {
                id: "redirect".into(),
                template_step_id: None,
                unplanned: Some(UnplannedKind::RedirectedWindow),
                name: "被告知材料需先到综合窗口预审".into(),
                started_at_ms: t,
                ended_at_ms: t + 12 * MIN,
                waiting_ms: u64::try_from(9 * MIN).unwrap_or(0),
                serving_ms: u64::try_from(3 * MIN).unwrap_or(0),
                outcome: StepOutcome::Redirected,
                rating: Some(Satisfaction::Dissatisfied),
                note: "指引牌未标明需先预审".into(),
            });
            t += 12 * MIN;
        }
    }
    WalkthroughRecord {
        id: uuid::Uuid::now_v7().to_string(),
        rev: 1,
        assignment_id: a.id.clone(),
        scenario_version_id: a.scenario_version_id.clone(),
        device_id: format!("demo-phone-{n}"),
        mode: a.mode,
        started_at_ms: started,
        ended_at_ms: t,
        steps: recorded,
        findings: vec![
            Finding {
                id: "f1".into(),
                step_id: Some("s1".into()),
                category_id: "long_queue".into(),
                severity: Severity::Medium,
                description: "取号后等候超过标准时限,大厅无预计等候时间提示".into(),
                photos: vec![],
                location: None,
            },
            Finding {
                id: "f2".into(),
                step_id: Some("redirect".into()),
                category_id: "unclear_signage".into(),
                severity: Severity::Low,
                description: "需先到综合窗口预审,但现场标识未说明".into(),
                photos: vec![],
                location: None,
            },
        ],
        commendations: vec![Commendation {
            id: "c1".into(),
            step_id: None,
            kind: CommendationKind::Patience,
            note: "窗口工作人员耐心解释材料要求".into(),
        }],
        satisfaction: Satisfaction::BasicallySatisfied,
        smoothness: Smoothness::NotSmooth,
        comment: "整体可以办成,但排队和指引有改进空间。".into(),
    }
}

/// Prints what was loaded and how to log in.
pub fn print(s: &DemoSummary) {
    if s.already_loaded {
        println!("Demo data is already loaded.");
    } else {
        println!(
            "Loaded demo data: {} departments, {} venues, {} scenarios, {} assignments, {} walkthroughs, {} issues in every state (new to closed, with audit trails).",
            s.departments, s.venues, s.scenarios, s.assignments, s.walkthroughs, s.issues
        );
    }
    if s.survey_responses > 0 {
        println!(
            "Demo questionnaire campaign: {} responses, results published.",
            s.survey_responses
        );
    }
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for (username, name, role) in &s.accounts {
        println!("  {username:<14} {role:<20} {name} ({})", role.label_zh());
    }
}

/// The demo campaign's citizen form and its published results, on the server at `base`
/// (e.g. `http://127.0.0.1:8080`).
pub fn print_links(base: &str) {
    let base = base.trim_end_matches('/');
    println!(
        "Citizen questionnaire (open on a phone, no login): {base}{}",
        crate::surveys::service::form_path(survey::CAMPAIGN_CODE, survey::FORM_VENUE)
    );
    println!(
        "Its published results (结果反馈): {base}{}",
        crate::surveys::service::results_path(survey::CAMPAIGN_CODE)
    );
}
