//! The desk's screens: those of the three kinds of user who never walk a flow — managers,
//! department officers, acceptance-panel members — and of an observer following what
//! became of their findings; and an admin's accounts (`/desk/users`). A separate web
//! bundle (`flowwalk-desk`, served at `/desk/`), chosen by role after login, so the
//! observer's phone never downloads it.
//! Every screen reads the server; what a user may do to an issue is the server's answer
//! (`IssueDetail::actions`, the workflow table for this user and state), so a control the
//! rules forbid is never drawn, and the server refuses it anyway.

mod client;
mod form;
mod inbox;
mod issue;
mod issues;
mod login;
mod notifications;
mod password;
mod reports;
mod store;
mod users;

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::reports::NotificationQuery;
use flowwalk_shared::endpoints as ep;

use crate::filters::{InboxFilter, IssueFilter};
use crate::handoff;
use crate::i18n::Lang;

pub use store::{DeskStore, Step};

/// Every screen of the desk has its address under `/desk/` (the server answers every such
/// path with the desk's page): reload, Back and Forward, links and bookmarks work, and a
/// list's filters are in its query, so "back to the list" is the list as it was.
#[derive(Routable, Clone, Debug, PartialEq)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        /// The role's own list of work.
        #[route("/desk")]
        Home {},
        /// A manager's walkthroughs to review (`?status=submitted|accepted|returned|all`).
        #[route("/desk/inbox?:..filter")]
        Inbox { filter: InboxFilter },
        /// The role's issue list under its filters.
        #[route("/desk/issues?:..filter")]
        Issues { filter: IssueFilter },
        #[route("/desk/issues/:id")]
        Issue { id: String },
        #[route("/desk/walkthroughs/:id")]
        Walkthrough { id: String },
        /// Two walkthroughs of one service at one venue side by side.
        #[route("/desk/compare/:a/:b")]
        Compare { a: String, b: String },
        #[route("/desk/reports")]
        Reports {},
        #[route("/desk/planning")]
        Planning {},
        #[route("/desk/notifications")]
        Notifications {},
        /// An admin's accounts (where an admin lands), `?q=` what the search holds.
        #[route("/desk/users?:q")]
        Accounts { q: String },
        #[route("/desk/users/new")]
        NewAccount {},
        /// One account: edit, disable or enable, reset its password.
        #[route("/desk/users/:id")]
        Account { id: String },
        /// The user's own password.
        #[route("/desk/password")]
        Password {},
        /// Where a logged-out user lands; after login, the role's work.
        #[route("/desk/login")]
        Login {},
    #[end_layout]
    #[route("/:..rest")]
    Elsewhere { rest: Vec<String> },
}

/// Where a screen sends the desk user.
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

impl From<View> for Route {
    fn from(view: View) -> Route {
        match view {
            View::Work => Route::Home {},
            View::Issue(id) => Route::Issue { id },
            View::Walkthrough(id) => Route::Walkthrough { id },
            View::Compare(a, b) => Route::Compare { a, b },
            View::Notifications => Route::Notifications {},
        }
    }
}

#[component]
pub fn App() -> Element {
    let desk = DeskStore {
        session: use_signal(handoff::load),
        lang: use_signal(Lang::default),
        toast: use_signal(|| None),
        unread: use_signal(|| 0),
        changes: use_signal(|| 0),
        one_time: use_signal(|| None),
    };
    use_context_provider(|| desk);
    rsx! { Router::<Route> {} }
}

/// The frame of every screen: the bar, the toast, and the screen of the address (the
/// login form while nobody is logged in, at whatever address: after login it shows).
#[component]
fn Shell() -> Element {
    let desk = use_context::<DeskStore>();
    let route = use_route::<Route>();
    // The badge: unread notifications, now, after each change and every half minute.
    let _badge = client::use_fresh(desk, move || async move {
        let working = desk
            .session
            .read()
            .as_ref()
            .is_some_and(|s| !s.user.must_change_password);
        if !working {
            return;
        }
        let query = NotificationQuery {
            unread: Some(true),
            limit: Some(1),
            ..NotificationQuery::default()
        };
        if let Ok(page) = client::call(desk, ep::notifications::List, &(), &query, &()).await {
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

    // An error said on one screen is not carried to the next.
    use_effect(use_reactive!(|route| {
        let _ = route;
        let mut toast = desk.toast;
        if toast.peek().as_ref().is_some_and(|(error, _)| *error) {
            toast.set(None);
        }
    }));

    let lang = desk.lang();
    let session = desk.session.read().clone();
    let forced = session
        .as_ref()
        .is_some_and(|s| s.user.must_change_password);
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
                        "{s.user.display_name} · {lang.label(s.user.role)}"
                    }
                    if !forced {
                        {nav_buttons(desk, lang, unread)}
                    }
                    button {
                        class: "bar-btn",
                        "data-testid": "logout",
                        onclick: move |_| {
                            let mut d = desk;
                            handoff::clear();
                            d.session.set(None);
                            d.one_time.set(None);
                            d.toast.set(None);
                            navigator().push(Route::Home {});
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
                if session.is_none() {
                    login::Login {}
                } else if forced {
                    password::ChangePassword { forced: true }
                } else {
                    Outlet::<Route> {}
                }
            }
        }
    }
}

/// The bar's buttons of a logged-in user: notifications, own password.
fn nav_buttons(desk: DeskStore, lang: Lang, unread: i64) -> Element {
    rsx! {
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
            "data-testid": "nav-password",
            onclick: move |_| {
                navigator().push(Route::Password {});
            },
            {lang.t("修改密码", "Change password")}
        }
    }
}

/// The list kind of the logged-in role.
fn list_kind(role: Option<Role>) -> Option<issues::ListKind> {
    match role? {
        Role::Manager | Role::Admin => Some(issues::ListKind::Manager),
        Role::DepartmentOfficer => Some(issues::ListKind::Officer),
        Role::PanelMember => Some(issues::ListKind::Panel),
        Role::Inspector | Role::Experiencer => Some(issues::ListKind::Observer),
    }
}

/// The role's own list of work.
#[component]
fn Home() -> Element {
    let desk = use_context::<DeskStore>();
    if desk.is_admin() {
        return rsx! {
            Accounts { q: String::new() }
        };
    }
    match list_kind(desk.role()) {
        Some(issues::ListKind::Manager) => rsx! {
            Tabs { on: 0 }
            inbox::Inbox { filter: InboxFilter::default() }
        },
        Some(kind) => rsx! {
            issues::IssueList { kind, filter: issues::home_filter(kind) }
        },
        None => rsx! {},
    }
}

/// Logged in at the login address: the role's work.
#[component]
fn Login() -> Element {
    rsx! { Home {} }
}

#[component]
fn Inbox(filter: InboxFilter) -> Element {
    rsx! {
        Tabs { on: 0 }
        inbox::Inbox { filter }
    }
}

#[component]
fn Issues(filter: IssueFilter) -> Element {
    let desk = use_context::<DeskStore>();
    match list_kind(desk.role()) {
        Some(kind) => rsx! {
            if kind == issues::ListKind::Manager {
                Tabs { on: 1 }
            }
            issues::IssueList { kind, filter }
        },
        None => rsx! {},
    }
}

#[component]
fn Issue(id: String) -> Element {
    rsx! { issue::IssuePage { key: "{id}", id } }
}

#[component]
fn Walkthrough(id: String) -> Element {
    rsx! { inbox::Feedback { key: "{id}", id } }
}

#[component]
fn Compare(a: String, b: String) -> Element {
    rsx! { inbox::Compare { key: "{a}-{b}", a, b } }
}

#[component]
fn Reports() -> Element {
    rsx! {
        Tabs { on: 2 }
        reports::Reports {}
    }
}

#[component]
fn Planning() -> Element {
    rsx! {
        Tabs { on: 3 }
        reports::Planning {}
    }
}

#[component]
fn Notifications() -> Element {
    rsx! { notifications::Notifications {} }
}

#[component]
fn Accounts(q: String) -> Element {
    rsx! {
        Tabs { on: 4 }
        users::AccountList { q }
    }
}

#[component]
fn NewAccount() -> Element {
    rsx! { users::NewAccountForm {} }
}

#[component]
fn Account(id: String) -> Element {
    rsx! { users::AccountPage { key: "{id}", id } }
}

#[component]
fn Password() -> Element {
    rsx! { password::ChangePassword { forced: false } }
}

/// An address outside the desk's screens: the role's work.
#[component]
fn Elsewhere(rest: Vec<String>) -> Element {
    let _ = rest;
    rsx! { Home {} }
}

/// A manager's four screens (and an admin's accounts), each at its address.
#[component]
fn Tabs(on: u8) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut tabs = vec![
        (
            0u8,
            "tab-inbox",
            Route::Inbox {
                filter: InboxFilter::default(),
            },
            lang.t("待审核走流程", "Walkthroughs to review"),
        ),
        (
            1,
            "tab-issues",
            Route::Issues {
                filter: IssueFilter::default(),
            },
            lang.t("问题清单", "Issues"),
        ),
        (
            2,
            "tab-reports",
            Route::Reports {},
            lang.t("统计与报表", "Figures"),
        ),
        (
            3,
            "tab-planning",
            Route::Planning {},
            lang.t("计划与邀请", "Planning"),
        ),
    ];
    // An admin's own screen comes first.
    if desk.is_admin() {
        tabs.insert(
            0,
            (
                4,
                "tab-accounts",
                Route::Accounts { q: String::new() },
                lang.t("账号管理", "Accounts"),
            ),
        );
    }
    rsx! {
        div { class: "tabs", role: "tablist",
            for (n, testid, to, label) in tabs {
                button {
                    key: "{testid}",
                    class: if on == n { "tab on" } else { "tab" },
                    role: "tab",
                    "aria-selected": if on == n { "true" } else { "false" },
                    "data-testid": testid,
                    onclick: move |_| {
                        navigator().push(to.clone());
                    },
                    {label}
                }
            }
        }
    }
}
