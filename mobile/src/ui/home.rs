//! The observer's start page: walks in progress to continue, and assigned tasks to start.

use dioxus::prelude::*;

use flowwalk_shared::api::assignments::{AssignmentStatus, WalkMode};

use super::{Ctx, Screen};
use crate::platform;
use crate::store::Doc;

/// One assigned task as the list shows it.
struct TaskRow {
    id: String,
    title: String,
    venue: String,
    dates: String,
    online: bool,
    status: &'static str,
    /// A walk of it is open on this phone: the button continues it.
    open: bool,
}

#[component]
pub fn Home() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let data = ctx.data.read();
    let name = data
        .session
        .as_ref()
        .map(|s| s.user.display_name.clone())
        .unwrap_or_default();
    let drafts: Vec<(String, String, String, u32)> = data
        .drafts
        .iter()
        .map(|d| (d.id.clone(), d.title.clone(), d.venue.clone(), d.rev))
        .collect();
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
                AssignmentStatus::InProgress => lang.t("进行中", "Under way"),
                AssignmentStatus::Planned => lang.t("计划中", "Planned"),
                _ => lang.t("已结束", "Finished"),
            },
            open: data
                .drafts
                .iter()
                .any(|d| d.assignment_id == a.id && d.rev == 1),
        })
        .collect();
    let have_reference = data.reference.is_some();
    drop(data);

    rsx! {
        p { class: "hello", {lang.t("你好,", "Hello, ")} "{name}" }
        if !drafts.is_empty() {
            h2 { {lang.t("正在记录", "In progress")} }
            for (id, title, venue, rev) in drafts {
                button {
                    key: "{id}",
                    class: "card item",
                    "data-testid": "draft",
                    onclick: {
                        let id = id.clone();
                        move |_| {
                            let mut ctx = ctx;
                            ctx.go(Screen::Walk(id.clone()));
                        }
                    },
                    strong { "{title}" }
                    span { class: "muted", "{venue}" }
                    if rev > 1 {
                        span { class: "tag warn", {lang.t("修改后重新提交", "Correction")} }
                    }
                    span { class: "go", {lang.t("继续 ›", "Continue ›")} }
                }
            }
        }
        h2 { {lang.t("我的体验任务", "My tasks")} }
        if !have_reference {
            p { class: "hint", "data-testid": "no-reference",
                {lang.t("正在下载任务和模板…需要联网一次。", "Downloading tasks and templates… needs a network once.")}
            }
        } else if tasks.is_empty() {
            p { class: "hint", {lang.t("暂无指派给你的任务。", "No task is assigned to you.")} }
        }
        for TaskRow { id, title, venue, dates, online, status, open } in tasks {
            div { key: "{id}", class: "card item", "data-testid": "task",
                strong { "{title}" }
                span { class: "muted", "{venue}" }
                span { class: "muted small", "{dates} · {status}" }
                if online {
                    span { class: "tag", {lang.t("线上模拟", "Online simulation")} }
                }
                button {
                    class: "primary",
                    "data-testid": "start-walk",
                    onclick: {
                        let id = id.clone();
                        move |_| {
                            let id = id.clone();
                            spawn(async move {
                                let mut ctx = ctx;
                                let started = ctx
                                    .change(
                                        &[Doc::Drafts],
                                        |d| d.start_walk(&id, platform::now_ms(), platform::new_id),
                                    )
                                    .await;
                                if let Ok(draft) = started {
                                    ctx.go(Screen::Walk(draft));
                                }
                            });
                        }
                    },
                    if open {
                        {lang.t("继续记录", "Continue")}
                    } else {
                        {lang.t("开始体验", "Start")}
                    }
                }
            }
        }
    }
}
