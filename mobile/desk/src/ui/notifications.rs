//! In-app notifications: the list, newest first; opening one marks it read and goes to
//! what it is about; one button marks them all read.

use dioxus::prelude::*;
use flowwalk_shared::api::reports::{MarkReadRequest, Notification, NotificationQuery};
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints as ep;

use super::issue::loading_or_error;
use super::{DeskStore, View, client};

/// `2026-07-01 14:05` in China time (the server stores UTC): the shared crate's one China
/// time.
pub fn china_time(at: chrono::NaiveDateTime) -> String {
    flowwalk_shared::time::china::minute_text(at)
}

async fn mark(desk: DeskStore, ids: Vec<String>) {
    let mut d = desk;
    let body = MarkReadRequest { ids };
    match client::call(desk, ep::notifications::Read, &(), &NoQuery {}, &body).await {
        Ok(_) => d.changed(),
        Err(e) => d.fail(e.describe()),
    }
}

#[component]
pub fn Notifications() -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let page = client::use_fresh(desk, move || async move {
        let query = NotificationQuery {
            limit: Some(100),
            ..NotificationQuery::default()
        };
        client::call(desk, ep::notifications::List, &(), &query, &()).await
    });

    let body = match loading_or_error(lang, &page.read()) {
        Err(shown) => shown,
        Ok(p) if p.items.is_empty() => {
            rsx! { p { class: "muted", "data-testid": "no-notifications", {lang.t("暂无通知。", "No notifications.")} } }
        }
        Ok(p) => {
            let items = p.items.clone();
            rsx! {
                ul { class: "list",
                    for n in items {
                        NotificationRow { key: "{n.id}", n }
                    }
                }
            }
        }
    };

    rsx! {
        div { class: "row-head",
            h1 { {lang.t("通知", "Notifications")} }
            button {
                class: "secondary narrow",
                "data-testid": "mark-all-read",
                onclick: move |_| {
                    spawn(mark(desk, Vec::new()));
                },
                {lang.t("全部标为已读", "Mark all read")}
            }
        }
        {body}
    }
}

#[component]
fn NotificationRow(n: Notification) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let id = n.id.clone();
    let issue = n.issue_id.clone();
    let walkthrough = n.walkthrough_id.clone();
    let read = n.read;
    rsx! {
        li {
            class: if read { "card item" } else { "card item unread" },
            "data-testid": "notification",
            "data-read": if read { "true" } else { "false" },
            "data-kind": "{n.kind.as_str()}",
            div { class: "line",
                span { class: if read { "tag" } else { "tag warn" }, {lang.label(n.kind)} }
                if !read {
                    span { class: "small strong", {lang.t("未读", "Unread")} }
                }
                span { class: "muted small", {china_time(n.created_at)} }
            }
            p { class: "msg", "{n.message}" }
            div { class: "line",
                if issue.is_some() || walkthrough.is_some() {
                    button {
                        class: "link",
                        "data-testid": "notification-open",
                        onclick: move |_| {
                            let mut d = desk;
                            let id = id.clone();
                            if !read {
                                spawn(mark(desk, vec![id]));
                            }
                            if let Some(i) = issue.clone() {
                                d.go(View::Issue(i));
                            } else if let Some(w) = walkthrough.clone() {
                                d.go(View::Walkthrough(w));
                            }
                        },
                        {lang.t("查看", "Open")}
                    }
                } else if !read {
                    button {
                        class: "link",
                        "data-testid": "notification-read",
                        onclick: move |_| {
                            spawn(mark(desk, vec![id.clone()]));
                        },
                        {lang.t("标为已读", "Mark read")}
                    }
                }
            }
        }
    }
}
