//! The desk's screens: those of the three kinds of user who never walk a flow — managers,
//! department officers, acceptance-panel members — and of an observer following what
//! became of their findings. A separate web bundle (`flowwalk-desk`, served at `/desk/`),
//! chosen by role after login, so the observer's phone never downloads it.
//! Every screen reads the server; what a user may do to an issue is the server's answer
//! (`IssueDetail::actions`, the workflow table for this user and state), so a control the
//! rules forbid is never drawn, and the server refuses it anyway.

mod client;
mod inbox;
mod issue;
mod issues;
mod login;
mod notifications;
mod reports;

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::reports::NotificationPage;

use crate::handoff::{self, DeskSession};
use crate::i18n::Lang;

/// Where the desk user is.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// The role's own list of work.
    Work,
    Issue(String),
    Walkthrough(String),
    /// Two walkthroughs of one service at one venue side by side (before and after).
    Compare(String, String),
    Notifications,
}

/// What every desk screen reaches.
#[derive(Clone, Copy)]
pub struct Desk {
    pub session: Signal<Option<DeskSession>>,
    pub view: Signal<View>,
    pub lang: Signal<Lang>,
    /// (is an error, text)
    pub toast: Signal<Option<(bool, String)>>,
    pub unread: Signal<i64>,
    /// Bumped after each change, so lists reload.
    pub changes: Signal<u64>,
}

impl Desk {
    pub fn lang(&self) -> Lang {
        *self.lang.read()
    }

    pub fn role(&self) -> Option<Role> {
        self.session.read().as_ref().map(|s| s.user.role)
    }

    pub fn go(&mut self, view: View) {
        self.view.set(view);
        crate::platform::scroll_to_top();
    }

    /// A confirmation; it goes away by itself after a few seconds (errors stay until
    /// tapped away).
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.toast.set(Some((false, text.clone())));
        let mut toast = self.toast;
        dioxus::core::spawn_forever(async move {
            crate::platform::sleep_ms(4000).await;
            if toast
                .peek()
                .as_ref()
                .is_some_and(|(e, t)| !*e && *t == text)
            {
                toast.set(None);
            }
        });
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.toast.set(Some((true, text.into())));
    }

    /// Something changed on the server: lists and the badge reload.
    pub fn changed(&mut self) {
        *self.changes.write() += 1;
    }
}

/// A role's name on screen.
pub fn role_name(lang: Lang, role: Role) -> &'static str {
    let en = match role {
        Role::Admin => "Administrator",
        Role::Manager => "Manager",
        Role::Inspector => "Inspector",
        Role::Experiencer => "Observer",
        Role::DepartmentOfficer => "Department officer",
        Role::PanelMember => "Acceptance panel",
    };
    lang.t(role.label_zh(), en)
}

#[component]
pub fn App() -> Element {
    let desk = Desk {
        session: use_signal(handoff::load),
        view: use_signal(|| View::Work),
        lang: use_signal(Lang::default),
        toast: use_signal(|| None),
        unread: use_signal(|| 0),
        changes: use_signal(|| 0),
    };
    use_context_provider(|| desk);

    // The badge: unread notifications, now, after each change and every half minute.
    let _badge = use_resource(move || async move {
        let _ = desk.changes.read();
        let _ = desk.view.read();
        if desk.session.read().is_none() {
            return;
        }
        if let Ok(page) =
            client::get::<NotificationPage>(desk, "/notifications?unread=true&limit=1").await
        {
            let mut unread = desk.unread;
            unread.set(page.unread);
        }
    });
    use_future(move || async move {
        loop {
            crate::platform::sleep_ms(30_000).await;
            let mut d = desk;
            if d.session.peek().is_some() {
                d.changed();
            }
        }
    });

    let lang = desk.lang();
    let session = desk.session.read().clone();
    let view = desk.view.read().clone();
    let toast = desk.toast.read().clone();
    let unread = *desk.unread.read();

    rsx! {
        div { class: "desk", lang: if lang.is_en() { "en" } else { "zh-CN" },
            header { class: "bar",
                button {
                    class: "bar-title",
                    onclick: move |_| {
                        let mut d = desk;
                        d.go(View::Work);
                    },
                    {lang.t("走流程 · 工作台", "flowwalk desk")}
                }
                if let Some(s) = &session {
                    span { class: "who", "data-testid": "who",
                        "{s.user.display_name} · {role_name(lang, s.user.role)}"
                    }
                    button {
                        class: "bar-btn",
                        "data-testid": "nav-notifications",
                        onclick: move |_| {
                            let mut d = desk;
                            d.go(View::Notifications);
                        },
                        {lang.t("通知", "Notifications")}
                        if unread > 0 {
                            span { class: "badge", "data-testid": "unread", "{unread}" }
                            span { class: "sr-only", {lang.t("条未读", " unread")} }
                        }
                    }
                    button {
                        class: "bar-btn",
                        "data-testid": "logout",
                        onclick: move |_| {
                            let mut d = desk;
                            handoff::clear();
                            d.session.set(None);
                            d.view.set(View::Work);
                            d.toast.set(None);
                        },
                        {lang.t("退出", "Log out")}
                    }
                }
                button {
                    class: "bar-btn",
                    "data-testid": "lang",
                    lang: if lang.is_en() { "zh-CN" } else { "en" },
                    onclick: move |_| {
                        let mut l = desk.lang;
                        let next = l.peek().other();
                        l.set(next);
                    },
                    {lang.t("EN", "中文")}
                }
            }
            if let Some((error, text)) = toast {
                div {
                    class: if error { "toast error" } else { "toast" },
                    "data-testid": "toast",
                    role: if error { "alert" } else { "status" },
                    onclick: move |_| {
                        let mut t = desk.toast;
                        t.set(None);
                    },
                    "{text}"
                }
            }
            main { class: "screen",
                match (session, view) {
                    (None, _) => rsx! { login::Login {} },
                    (Some(_), View::Work) => rsx! { Work {} },
                    (Some(_), View::Issue(id)) => rsx! { issue::IssuePage { key: "{id}", id } },
                    (Some(_), View::Walkthrough(id)) => rsx! { inbox::Feedback { key: "{id}", id } },
                    (Some(_), View::Compare(a, b)) => rsx! { inbox::Compare { key: "{a}-{b}", a, b } },
                    (Some(_), View::Notifications) => rsx! { notifications::Notifications {} },
                }
            }
        }
    }
}

/// The role's list of work.
#[component]
fn Work() -> Element {
    let desk = use_context::<Desk>();
    let lang = desk.lang();
    let mut tab = use_signal(|| 0u8);
    match desk.role() {
        Some(Role::Manager | Role::Admin) => rsx! {
            div { class: "tabs", role: "tablist",
                button {
                    class: if tab() == 0 { "tab on" } else { "tab" },
                    role: "tab",
                    "aria-selected": if tab() == 0 { "true" } else { "false" },
                    "data-testid": "tab-inbox",
                    onclick: move |_| tab.set(0),
                    {lang.t("待审核走流程", "Walkthroughs to review")}
                }
                button {
                    class: if tab() == 1 { "tab on" } else { "tab" },
                    role: "tab",
                    "aria-selected": if tab() == 1 { "true" } else { "false" },
                    "data-testid": "tab-issues",
                    onclick: move |_| tab.set(1),
                    {lang.t("问题清单", "Issues")}
                }
                button {
                    class: if tab() == 2 { "tab on" } else { "tab" },
                    role: "tab",
                    "aria-selected": if tab() == 2 { "true" } else { "false" },
                    "data-testid": "tab-reports",
                    onclick: move |_| tab.set(2),
                    {lang.t("统计与报表", "Figures")}
                }
                button {
                    class: if tab() == 3 { "tab on" } else { "tab" },
                    role: "tab",
                    "aria-selected": if tab() == 3 { "true" } else { "false" },
                    "data-testid": "tab-planning",
                    onclick: move |_| tab.set(3),
                    {lang.t("计划与邀请", "Planning")}
                }
            }
            match tab() {
                0 => rsx! { inbox::Inbox {} },
                1 => rsx! { issues::IssueList { kind: issues::ListKind::Manager } },
                2 => rsx! { reports::Reports {} },
                _ => rsx! { reports::Planning {} },
            }
        },
        Some(Role::DepartmentOfficer) => rsx! {
            issues::IssueList { kind: issues::ListKind::Officer }
        },
        Some(Role::PanelMember) => rsx! {
            issues::IssueList { kind: issues::ListKind::Panel }
        },
        Some(Role::Inspector | Role::Experiencer) => rsx! {
            issues::IssueList { kind: issues::ListKind::Observer }
        },
        None => rsx! {},
    }
}
