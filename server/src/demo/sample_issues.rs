//! Demo issues in every state, with their audit trails: more accepted walkthroughs of
//! 开办企业 at the district center, whose findings become issues that are then taken
//! through the workflow by the demo's manager, officer, panel and observer — through the
//! same service calls the API makes, so every step is checked and recorded.

use anyhow::anyhow;
use chrono::{Duration, NaiveDateTime, Utc};
use flowwalk_shared::api::issues::{Constituency, PanelMemberInput, TriageDecision};
use flowwalk_shared::sync::ReviewStatus;
use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
use flowwalk_shared::walkthrough::{Finding, Severity, StepRecord, WalkthroughRecord};

use flowwalk_shared::Role;

use crate::accounts::service::users;
use crate::auth::AuthUser;
use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::issues::service::workflow::{Command, act};
use crate::issues::service::{self as issues, AuditKey, sweep};
use crate::reference::service::{departments, scenarios, settings};
use crate::walkthroughs::service::assignments;
use crate::walkthroughs::service::review;

/// One demo issue: the finding that raises it and the state it is taken to.
struct Case {
    state: &'static str,
    category: &'static str,
    step: usize,
    severity: Severity,
    description: &'static str,
}

const CASES: &[Case] = &[
    Case {
        state: "new",
        category: "long_queue",
        step: 0,
        severity: Severity::Medium,
        description: "名称申报窗口取号后等候 70 分钟,大厅无预计等候时间提示",
    },
    Case {
        state: "fix_now",
        category: "too_many_materials",
        step: 1,
        severity: Severity::Medium,
        description: "窗口要求另行提交营业执照复印件,系统中已有电子证照",
    },
    Case {
        state: "fix_now_review",
        category: "expertise",
        step: 1,
        severity: Severity::Low,
        description: "窗口人员对“一照多址”备案政策不熟悉,反复电话请示",
    },
    Case {
        state: "ledger",
        category: "process_not_public",
        step: 0,
        severity: Severity::High,
        description: "开办企业“一件事”办事指南未公开各环节时限,群众无法预估",
    },
    Case {
        state: "panel_review",
        category: "too_many_apps",
        step: 0,
        severity: Severity::Medium,
        description: "名称申报、登记、刻章分别要求下载三个不同的 APP",
    },
    Case {
        state: "overdue",
        category: "repeated_materials",
        step: 1,
        severity: Severity::Medium,
        description: "已在名称申报时提交的身份证明,登记环节要求重复提交",
    },
    Case {
        state: "signed_off",
        category: "attitude",
        step: 0,
        severity: Severity::Low,
        description: "窗口人员对咨询不耐烦,未一次性告知所需材料",
    },
    Case {
        state: "closed",
        category: "efficiency",
        step: 1,
        severity: Severity::Medium,
        description: "登记审核等待 40 分钟,窗口仅一人办理",
    },
    Case {
        state: "reopened",
        category: "guide_inaccurate",
        step: 0,
        severity: Severity::Medium,
        description: "办事指南所列材料与窗口实际要求不一致",
    },
    Case {
        state: "dismissed",
        category: "rigid_rules",
        step: 3,
        severity: Severity::Low,
        description: "税务登记要求法定代表人本人到场",
    },
    Case {
        state: "appealed",
        category: "forced_online",
        step: 3,
        severity: Severity::Medium,
        description: "窗口拒绝受理,要求回家在电子税务局自行办理",
    },
    Case {
        state: "explained",
        category: "no_time_limit",
        step: 2,
        severity: Severity::Low,
        description: "公章刻制备案无明确办结时限",
    },
];

fn person(conn: &mut DbConnection, username: &str) -> Result<AuthUser, AppError> {
    let u = users::find_by_username(conn, username)?
        .ok_or_else(|| AppError::internal(anyhow!("demo account {username} is missing")))?;
    Ok(AuthUser {
        id: u.id,
        username: u.username,
        role: u.role,
        department_id: u.department_id,
    })
}

/// Loads the demo issues; returns how many.
pub fn load(conn: &mut DbConnection, key: &AuditKey) -> Result<usize, AppError> {
    let manager = person(conn, "manager")?;
    let scenario = scenarios::find_by_code(conn, "open-business")?
        .ok_or_else(|| AppError::internal(anyhow!("demo scenario open-business is missing")))?;
    let assignment = assignments::visible_to(conn, &manager.id, Role::Manager)?
        .into_iter()
        .find(|a| a.scenario_id == scenario.id)
        .ok_or_else(|| AppError::internal(anyhow!("no demo assignment of open-business")))?;
    let steps = scenarios::steps_of_version(conn, &assignment.scenario_version_id)?;
    let observer = person(conn, "inspector")?;
    let officer = person(conn, "officer")?;
    let panel: Vec<(AuthUser, Constituency)> = vec![
        (person(conn, "panel")?, Constituency::ServiceOffice),
        (person(conn, "panel_window")?, Constituency::WindowRep),
        (person(conn, "panel_citizen")?, Constituency::CitizenPatrol),
    ];
    // Venue problems go to the service-management office, which runs the halls.
    if let Some(office) = departments::find_by_code(conn, "service_office")? {
        write_tx(conn, |c| {
            for cat in [
                "parking",
                "dirty",
                "old_equipment",
                "insufficient_facilities",
            ] {
                let by = crate::issues::service::audit::Acting::user(key, &manager);
                settings::set_category_route(c, cat.into(), Some(office.id.clone()), &by)?;
            }
            Ok::<(), AppError>(())
        })?;
    }
    let now = Utc::now();
    let mut count = 0;
    for (i, case) in CASES.iter().enumerate() {
        let days_ago = i64::try_from(CASES.len() - i).unwrap_or(0) + 3;
        let started = (now - Duration::days(days_ago)).timestamp_millis();
        let record = walk(&assignment, &steps, started, i, case);
        super::push(conn, &observer, &record)?;
        write_tx(conn, |c| {
            review::decide(
                c,
                key,
                &record.id,
                1,
                ReviewStatus::Accepted,
                "记录完整。",
                &manager.id,
            )
        })?;
        let Some(issue) = issues::issues_of_walkthrough(conn, &record.id)?
            .into_iter()
            .next()
        else {
            return Err(AppError::internal(anyhow!(
                "a demo walkthrough built no issue"
            )));
        };
        drive(
            conn, key, &issue.id, case.state, &manager, &officer, &observer, &panel,
        )?;
        count += 1;
    }
    Ok(count)
}

#[allow(clippy::too_many_arguments)]
fn drive(
    conn: &mut DbConnection,
    key: &AuditKey,
    id: &str,
    state: &str,
    manager: &AuthUser,
    officer: &AuthUser,
    observer: &AuthUser,
    panel: &[(AuthUser, Constituency)],
) -> Result<(), AppError> {
    let now = crate::db::rows::now();
    let cast = Cast {
        manager,
        officer,
        observer,
        panel,
    };
    for (who, cmd, at) in plan(state, &cast, now)? {
        do_step(conn, key, id, who, cmd, at)?;
    }
    if state == "overdue" {
        write_tx(conn, |c| sweep::sweep(c, key, now).map(drop))?;
    }
    Ok(())
}

/// Who takes a demo issue through its workflow.
struct Cast<'a> {
    manager: &'a AuthUser,
    officer: &'a AuthUser,
    observer: &'a AuthUser,
    panel: &'a [(AuthUser, Constituency)],
}

/// One workflow step of the demo: who, what, when.
type Step<'a> = (&'a AuthUser, Command, NaiveDateTime);

fn triage(decision: TriageDecision, reason: &str) -> Command {
    Command::Triage {
        decision,
        reason: reason.into(),
        department_id: None,
        severity: None,
    }
}

fn evidence(note: &str) -> Command {
    Command::SubmitEvidence {
        note: note.into(),
        photos: vec![],
        client_id: None,
    }
}

fn accept() -> Command {
    Command::Acceptance {
        accept: true,
        reason: "现场核验,已整改到位".into(),
    }
}

fn recheck(satisfied: bool, note: &str) -> Command {
    Command::Recheck {
        satisfied,
        note: note.into(),
    }
}

/// The steps that take a new issue to `state`.
fn plan<'a>(state: &str, cast: &Cast<'a>, now: NaiveDateTime) -> Result<Vec<Step<'a>>, AppError> {
    let (manager, officer, observer) = (cast.manager, cast.officer, cast.observer);
    let members = || Command::FormPanel {
        members: cast
            .panel
            .iter()
            .map(|(u, c)| PanelMemberInput {
                user_id: u.id.clone(),
                constituency: *c,
            })
            .collect(),
    };
    let steps = match state {
        "new" => vec![],
        "fix_now" => vec![(
            manager,
            triage(TriageDecision::FixNow, "材料可通过电子证照获取,立即整改"),
            now,
        )],
        "fix_now_review" => vec![
            (
                manager,
                triage(TriageDecision::FixNow, "即知即改,加强业务培训"),
                now,
            ),
            (
                officer,
                evidence("已组织“一照多址”政策专题培训,并在窗口放置政策速查卡"),
                now,
            ),
        ],
        "ledger" => vec![
            (
                manager,
                triage(TriageDecision::Ledger, "需修订办事指南并公示,列入台账"),
                now,
            ),
            (manager, members(), now),
        ],
        "panel_review" => vec![
            (
                manager,
                triage(TriageDecision::Ledger, "涉及多个系统整合,列入台账"),
                now,
            ),
            (manager, members(), now),
            (
                officer,
                evidence("已在政务服务网开通“开办企业一件事”统一入口,三个环节一次登录"),
                now,
            ),
        ],
        // Triaged six days ago; the sweep that follows finds it overdue.
        "overdue" => vec![(
            manager,
            triage(TriageDecision::FixNow, "立即整改,不得重复索要材料"),
            now - Duration::days(6),
        )],
        "signed_off" | "closed" | "reopened" => {
            let mut steps = vec![
                (manager, triage(TriageDecision::FixNow, "即知即改"), now),
                (
                    officer,
                    evidence("已组织窗口人员服务规范培训,并实行一次性告知制度"),
                    now,
                ),
                (manager, accept(), now),
            ];
            match state {
                "closed" => steps.push((observer, recheck(true, "再次体验,等候明显缩短"), now)),
                "reopened" => {
                    steps.push((observer, recheck(false, "再次体验,指南仍未更新"), now));
                }
                _ => {}
            }
            steps
        }
        "dismissed" => vec![(
            manager,
            triage(
                TriageDecision::Dismiss,
                "经核实,法定代表人身份核验为法定要求,可通过视频核验替代,已告知",
            ),
            now,
        )],
        "appealed" => vec![
            (
                manager,
                triage(TriageDecision::Dismiss, "经核实,窗口已受理"),
                now,
            ),
            (
                observer,
                Command::Appeal {
                    note: "当天窗口确实拒绝受理,有排队小票和现场照片为证".into(),
                },
                now,
            ),
        ],
        "explained" => vec![(
            manager,
            triage(
                TriageDecision::Explain,
                "公章刻制备案依规须公安机关审核,暂无统一时限,已向体验员说明",
            ),
            now,
        )],
        other => return Err(AppError::internal(anyhow!("no demo path to {other}"))),
    };
    Ok(steps)
}

fn do_step(
    conn: &mut DbConnection,
    key: &AuditKey,
    id: &str,
    who: &AuthUser,
    cmd: Command,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    write_tx(conn, |c| {
        let v = issues::version_of(c, id)?;
        act(c, key, who, id, v, cmd, at).map(drop)
    })
}

/// A short walk of the template with one finding at `case.step`.
fn walk(
    a: &flowwalk_shared::api::assignments::Assignment,
    steps: &[flowwalk_shared::api::scenarios::Step],
    started: i64,
    n: usize,
    case: &Case,
) -> WalkthroughRecord {
    let mut t = started;
    let recorded: Vec<StepRecord> = steps
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let waiting = if i == case.step {
                super::standard_ms(st) * 2
            } else {
                super::standard_ms(st) / 4
            };
            let s = super::template_step(i, st, t, waiting, i == case.step);
            t = s.ended_at_ms;
            s
        })
        .collect();
    let step = case.step.min(recorded.len().saturating_sub(1));
    WalkthroughRecord {
        id: uuid::Uuid::now_v7().to_string(),
        rev: 1,
        assignment_id: a.id.clone(),
        scenario_version_id: a.scenario_version_id.clone(),
        device_id: format!("demo-phone-issues-{n}"),
        mode: a.mode,
        started_at_ms: started,
        ended_at_ms: t,
        steps: recorded,
        findings: vec![Finding {
            id: "f1".into(),
            step_id: Some(format!("s{}", step + 1)),
            category_id: case.category.into(),
            severity: case.severity,
            description: case.description.into(),
            photos: vec![],
            location: None,
        }],
        commendations: vec![],
        satisfaction: Satisfaction::BasicallySatisfied,
        smoothness: Smoothness::Average,
        comment: String::new(),
    }
}
