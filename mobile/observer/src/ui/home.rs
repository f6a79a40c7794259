//! The observer's start page: each assigned task once — with its walk in progress (and the
//! running timer) when there is one, a way to start it while its period lasts, and no way
//! to start one that has ended — and corrections being written.

use dioxus::prelude::*;

use flowwalk_shared::api::assignments::{AssignmentStatus, WalkMode};

use super::{Ctx, Screen};
use crate::i18n::{Lang, duration};
use crate::platform;
use crate::recorder::{Draft, Phase};
use crate::store::{AppData, Doc};

/// One assigned task as the list shows it.
struct TaskRow {
    id: String,
    title: String,
    venue: String,
    dates: String,
    online: bool,
    status: &'static str,
    /// The walk of it open on this phone: (draft id, what it is doing now).
    open: Option<(String, String)>,
    /// A new walk may start (the period lasts, the task is not done).
    can_start: bool,
}

#[component]
pub fn Home() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let now = *ctx.now.read();
    let today = platform::today();
    let data = ctx.data.read();
    let name = data.user_name();
    let tasks: Vec<TaskRow> = data
        .my_assignments()
        .into_iter()
        .map(|a| TaskRow {
            id: a.id.clone(),
            title: data
                .scenario(&a.scenario_version_id)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            venue: data.venue_name(&a.venue_id),
            dates: format!("{} – {}", a.starts_on, a.ends_on),
            online: a.mode == WalkMode::OnlineSimulation,
            status: match a.status {
                s @ (AssignmentStatus::InProgress | AssignmentStatus::Planned) => lang.label(s),
                // Done and cancelled alike: the observer's part is over.
                AssignmentStatus::Done | AssignmentStatus::Cancelled => {
                    lang.t("已结束", "Finished")
                }
            },
            open: data.open_walk(&a.id).map(|d| {
                let doing = doing_now(lang, d, now);
                (d.id.clone(), doing)
            }),
            can_start: AppData::task_open(a, today),
        })
        .collect();
    // Walks not shown with a task above: corrections, and walks of tasks no longer listed.
    let listed: Vec<String> = tasks
        .iter()
        .filter_map(|t| t.open.as_ref().map(|(d, _)| d.clone()))
        .collect();
    let others: Vec<(String, String, String, u32)> = data
        .drafts
        .iter()
        .filter(|d| !listed.contains(&d.id))
        .map(|d| (d.id.clone(), d.title.clone(), d.venue.clone(), d.rev))
        .collect();
    let have_reference = data.reference.is_some();
    drop(data);

    rsx! {
        {greeting(lang, lang.t("我的体验任务", "My tasks"), &name)}
        if !have_reference {
            p { class: "hint", "data-testid": "no-reference",
                {lang.t("正在下载任务和模板…需要联网一次。", "Downloading tasks and templates… needs a network once.")}
            }
        } else if tasks.is_empty() {
            p { class: "hint", "data-testid": "no-tasks", {lang.t("暂无指派给你的任务。", "No task is assigned to you.")} }
        }
        {task_items(ctx, lang, tasks)}
        if !others.is_empty() {
            h2 { {lang.t("正在修改", "Being corrected")} }
            for (id, title, venue, rev) in others {
                button {
                    key: "{id}",
                    class: "card item",
                    "data-testid": "draft",
                    onclick: ctx.go_to(Screen::Walk(id.clone())),
                    strong { "{title}" }
                    span { class: "muted", "{venue}" }
                    if rev > 1 {
                        span { class: "tag warn", {lang.t("修改后重新提交", "Correction")} }
                    }
                    span { class: "go", {lang.t("继续 ›", "Continue ›")} }
                }
            }
        }
        // What became of the issues this observer's walkthroughs raised, and the re-check
        // when asked: on the desk (online; its own bundle, loaded only when opened).
        {desk_link("my-issues", lang.t("我提出的问题办理情况、回访(需联网)›", "What became of my findings, re-checks (online) ›"))}
    }
}

/// A list page's heading and its greeting of the signed-in user.
pub(super) fn greeting(lang: Lang, heading: &str, name: &str) -> Element {
    rsx! {
        h1 { {heading} }
        p { class: "hello", {lang.t("你好,", "Hello, ")} "{name}" }
    }
}

/// The link to the desk (online) at the foot of a list page.
pub(super) fn desk_link(testid: &'static str, text: &str) -> Element {
    rsx! {
        p { class: "small",
            a { href: "/desk/", "data-testid": testid, {text} }
        }
    }
}

/// What the walk in progress is doing now: its running step and timer, or paused.
fn doing_now(lang: Lang, d: &Draft, now: i64) -> String {
    match d.running().and_then(|i| d.steps.get(i)) {
        Some(s) => {
            let (w, sv) = s.elapsed(now);
            match s.phase {
                Phase::Waiting { .. } => format!(
                    "{} · {}{}",
                    s.name,
                    lang.t("等候 ", "waiting "),
                    duration(lang, w)
                ),
                _ => format!(
                    "{} · {}{}",
                    s.name,
                    lang.t("办理 ", "served "),
                    duration(lang, sv)
                ),
            }
        }
        None => lang.t("已暂停", "paused").to_owned(),
    }
}

/// Each assigned task: its walk in progress, the way to start one, or that it has ended.
fn task_items(ctx: Ctx, lang: Lang, tasks: Vec<TaskRow>) -> Element {
    rsx! {
        for TaskRow { id, title, venue, dates, online, status, open, can_start } in tasks {
            div { key: "{id}", class: "card item", "data-testid": "task",
                strong { "{title}" }
                span { class: "muted", "{venue}" }
                span { class: "muted small", "{dates} · {status}" }
                if online {
                    span { class: "tag", {lang.label(WalkMode::OnlineSimulation)} }
                }
                if let Some((draft, doing)) = open {
                    span { class: "tag live", "data-testid": "task-running",
                        {lang.t("记录中:", "Recording: ")} "{doing}"
                    }
                    button {
                        class: "primary",
                        "data-testid": "continue-walk",
                        onclick: ctx.go_to(Screen::Walk(draft.clone())),
                        {lang.t("继续记录", "Continue")}
                    }
                } else if can_start {
                    button {
                        class: "primary",
                        "data-testid": "start-walk",
                        onclick: {
                            let id = id.clone();
                            ctx.change_and_go(&[Doc::Drafts], move |d| d.start_walk(&id, platform::now_ms(), platform::today(), platform::new_id), Screen::Walk)
                        },
                        {lang.t("开始体验", "Start")}
                    }
                } else {
                    span { class: "muted small", "data-testid": "task-closed",
                        {lang.t("任务期已过,不能再开始新的体验", "The task period is over; no new walk")}
                    }
                }
            }
        }
    }
}
