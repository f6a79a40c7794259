//! Issue lists, one per role: a manager's whole list with filters, sort, search and bulk
//! triage; a department's issues by deadline; a panel member's issues awaiting the vote;
//! an observer's own findings and what became of them. The server scopes each list to the
//! caller; the screen only chooses filters.

use dioxus::prelude::*;
use flowwalk_shared::api::departments::Department;
use flowwalk_shared::api::issues::{
    BulkResult, BulkTriageRequest, IssueState, IssueSummary, Page, TriageDecision, VersionedId,
};
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::api::venues::Venue;

use super::{Desk, View, client};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ListKind {
    Manager,
    Officer,
    Panel,
    Observer,
}

pub fn state_name(lang: Lang, s: IssueState) -> &'static str {
    let en = match s {
        IssueState::New => "Awaiting triage",
        IssueState::Dismissed => "Dismissed",
        IssueState::Appealed => "Appealed",
        IssueState::Explained => "Explained",
        IssueState::FixNow => "Fix now",
        IssueState::FixNowReview => "Fix awaiting acceptance",
        IssueState::Ledger => "Ledger fix",
        IssueState::PanelReview => "Panel review",
        IssueState::SignedOff => "Signed off, re-check due",
        IssueState::Closed => "Closed",
        IssueState::Reopened => "Reopened",
    };
    lang.t(s.label_zh(), en)
}

pub fn decision_name(lang: Lang, d: TriageDecision) -> &'static str {
    match d {
        TriageDecision::Dismiss => lang.t("不予受理", "Dismiss"),
        TriageDecision::Explain => lang.t("解释说明", "Explain"),
        TriageDecision::FixNow => lang.t("即知即改(1个工作日)", "Fix now (1 working day)"),
        TriageDecision::Ledger => lang.t("建立台账(15个工作日)", "Ledger (15 working days)"),
    }
}

pub fn decision_from(s: &str) -> Option<TriageDecision> {
    match s {
        "dismiss" => Some(TriageDecision::Dismiss),
        "explain" => Some(TriageDecision::Explain),
        "fix_now" => Some(TriageDecision::FixNow),
        "ledger" => Some(TriageDecision::Ledger),
        _ => None,
    }
}

pub const DECISIONS: [(TriageDecision, &str); 4] = [
    (TriageDecision::FixNow, "fix_now"),
    (TriageDecision::Ledger, "ledger"),
    (TriageDecision::Explain, "explain"),
    (TriageDecision::Dismiss, "dismiss"),
];

/// Whether a manager may triage an issue in this state (new, appealed, reopened).
fn triageable(s: IssueState) -> bool {
    matches!(
        s,
        IssueState::New | IssueState::Appealed | IssueState::Reopened
    )
}

/// Issues per page of the list (the server's most).
const PAGE: usize = 200;

/// (id, name) pairs for a filter's options.
type Choices = Vec<(String, String)>;

#[component]
pub fn IssueList(kind: ListKind) -> Element {
    let desk = use_context::<Desk>();
    let lang = desk.lang();
    let mut status = use_signal(move || match kind {
        ListKind::Panel => "panel_review".to_owned(),
        _ => String::new(),
    });
    let mut sort = use_signal(move || match kind {
        ListKind::Officer => "deadline".to_owned(),
        _ => "created".to_owned(),
    });
    let mut overdue = use_signal(|| false);
    let mut q = use_signal(String::new);
    let mut search = use_signal(String::new);
    let mut department = use_signal(String::new);
    let mut venue = use_signal(String::new);
    let mut scenario = use_signal(String::new);
    let mut period = use_signal(String::new);
    let mut selected = use_signal(Vec::<(String, i32)>::new);

    // Pages after the first, fetched on request ("more"), and where the next one starts.
    let mut more = use_signal(Vec::<IssueSummary>::new);
    let mut next = use_signal(|| None::<String>);
    let mut loading_more = use_signal(|| false);
    let path = move |cursor: String| {
        format!(
            "/issues{}",
            client::query(&[
                ("status", status()),
                ("sort", sort()),
                (
                    "overdue",
                    if overdue() {
                        "true".into()
                    } else {
                        String::new()
                    }
                ),
                ("q", search()),
                ("department_id", department()),
                ("venue_id", venue()),
                ("scenario_id", scenario()),
                ("period", period()),
                ("limit", PAGE.to_string()),
                ("cursor", cursor),
            ])
        )
    };
    let list = use_resource(move || async move {
        let _ = desk.changes.read();
        let page = client::get::<Page<IssueSummary>>(desk, &path(String::new())).await;
        more.set(Vec::new());
        next.set(page.as_ref().ok().and_then(|p| p.next_cursor.clone()));
        page
    });
    let load_more = move |_| {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        if *loading_more.peek() {
            return;
        }
        loading_more.set(true);
        let path = path(cursor);
        spawn(async move {
            let mut d = desk;
            match client::get::<Page<IssueSummary>>(desk, &path).await {
                Ok(page) => {
                    more.write().extend(page.items);
                    next.set(page.next_cursor);
                }
                Err(e) => d.fail(e.describe()),
            }
            loading_more.set(false);
        });
    };
    let choices = use_resource(move || async move {
        if kind != ListKind::Manager {
            return (Vec::new(), Vec::new(), Vec::new());
        }
        let d = client::get::<Vec<Department>>(desk, "/departments").await;
        let v = client::get::<Vec<Venue>>(desk, "/venues").await;
        let s = client::get::<Vec<Scenario>>(desk, "/scenarios").await;
        (
            d.map(|d| d.into_iter().map(|d| (d.id, d.name)).collect())
                .unwrap_or_default(),
            v.map(|v| v.into_iter().map(|v| (v.id, v.name)).collect())
                .unwrap_or_default(),
            s.map(|s| s.into_iter().map(|s| (s.id, s.name)).collect())
                .unwrap_or_default(),
        )
    });
    let (departments, venues, scenarios): (Choices, Choices, Choices) =
        choices.read().clone().unwrap_or_default();

    let title = match kind {
        ListKind::Manager => lang.t("问题清单", "Issues"),
        ListKind::Officer => lang.t("本部门问题(按期限)", "Our department's issues, by deadline"),
        ListKind::Panel => lang.t("待我验收的问题", "Issues awaiting my vote"),
        ListKind::Observer => lang.t("我提出的问题", "Issues from my walkthroughs"),
    };
    let mut decision = use_signal(|| "fix_now".to_owned());
    let mut reason = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let bulk = move |_| {
        let mut d = desk;
        let Some(dec) = decision_from(&decision.peek()) else {
            return;
        };
        let chosen = selected.peek().clone();
        if chosen.is_empty() {
            return;
        }
        busy.set(true);
        spawn(async move {
            let req = BulkTriageRequest {
                issues: chosen
                    .into_iter()
                    .map(|(id, v)| VersionedId {
                        id,
                        expected_version: v,
                    })
                    .collect(),
                decision: dec,
                reason: reason.peek().trim().to_owned(),
            };
            match client::post::<_, Vec<BulkResult>>(desk, "/issues/triage", &req).await {
                Ok(results) => {
                    let ok = results.iter().filter(|r| r.code.is_none()).count();
                    let failed: Vec<String> =
                        results.iter().filter_map(|r| r.message.clone()).collect();
                    if failed.is_empty() {
                        d.say(format!("{} {ok}", lang.t("已研判:", "Triaged:")));
                    } else {
                        d.fail(format!(
                            "{} {ok};{} {}",
                            lang.t("已研判", "Triaged"),
                            lang.t("未成功:", "not done:"),
                            failed.join(";")
                        ));
                    }
                    selected.set(Vec::new());
                    reason.set(String::new());
                    d.changed();
                }
                Err(e) => d.fail(e.describe()),
            }
            busy.set(false);
        });
    };

    let rows = match &*list.read() {
        None => rsx! { p { class: "muted", {lang.t("正在加载…", "Loading…")} } },
        Some(Err(e)) => rsx! { p { class: "error", role: "alert", "{e.describe()}" } },
        Some(Ok(p)) if p.items.is_empty() => rsx! {
            p { class: "muted", "data-testid": "no-issues", {lang.t("没有符合条件的问题。", "No issues match.")} }
        },
        Some(Ok(p)) => {
            let mut items = p.items.clone();
            items.extend(more.read().iter().cloned());
            let has_more = next.read().is_some();
            rsx! {
                p { class: "muted small", "data-testid": "issue-count",
                    {format!("{} {}", items.len(), lang.t("条", "issues"))}
                    if has_more { {lang.t(",还有更多", "; more below")} }
                }
                ul { class: "list",
                    for i in items {
                        IssueRow {
                            key: "{i.id}",
                            selectable: kind == ListKind::Manager && triageable(i.status),
                            checked: selected.read().iter().any(|(id, _)| *id == i.id),
                            on_check: move |(id, v, on): (String, i32, bool)| {
                                let mut s = selected.write();
                                s.retain(|(x, _)| *x != id);
                                if on {
                                    s.push((id, v));
                                }
                            },
                            issue: i,
                        }
                    }
                }
                if has_more {
                    button {
                        class: "secondary",
                        "data-testid": "load-more",
                        disabled: loading_more(),
                        onclick: load_more,
                        if loading_more() {
                            {lang.t("正在加载…", "Loading…")}
                        } else {
                            {lang.t("加载更多", "Load more")}
                        }
                    }
                }
            }
        }
    };
    let n_selected = selected.read().len();

    rsx! {
        h1 { "{title}" }
        form {
            class: "filters",
            role: "search",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                search.set(q.peek().trim().to_owned());
            },
            label { {lang.t("状态", "Status")}
                select {
                    name: "status",
                    onchange: move |e| status.set(e.value()),
                    option { value: "", selected: status().is_empty(), {lang.t("全部", "All")} }
                    for s in IssueState::ALL.iter().copied() {
                        option { key: "{s}", value: "{s}", selected: status() == s.as_str(), {state_name(lang, s)} }
                    }
                }
            }
            if kind == ListKind::Manager {
                label { {lang.t("责任部门", "Department")}
                    select {
                        name: "department",
                        onchange: move |e| department.set(e.value()),
                        option { value: "", {lang.t("全部", "All")} }
                        for (id, name) in departments {
                            option { key: "{id}", value: "{id}", selected: department() == id, "{name}" }
                        }
                    }
                }
                label { {lang.t("场所", "Venue")}
                    select {
                        name: "venue",
                        onchange: move |e| venue.set(e.value()),
                        option { value: "", {lang.t("全部", "All")} }
                        for (id, name) in venues {
                            option { key: "{id}", value: "{id}", selected: venue() == id, "{name}" }
                        }
                    }
                }
                label { {lang.t("场景", "Scenario")}
                    select {
                        name: "scenario",
                        onchange: move |e| scenario.set(e.value()),
                        option { value: "", {lang.t("全部", "All")} }
                        for (id, name) in scenarios {
                            option { key: "{id}", value: "{id}", selected: scenario() == id, "{name}" }
                        }
                    }
                }
                label { {lang.t("期间(2026、2026-Q3、2026-07)", "Period (2026, 2026-Q3, 2026-07)")}
                    input {
                        name: "period",
                        value: "{period}",
                        onchange: move |e| period.set(e.value().trim().to_owned()),
                    }
                }
            }
            label { {lang.t("排序", "Sort")}
                select {
                    name: "sort",
                    onchange: move |e| sort.set(e.value()),
                    option { value: "created", selected: sort() == "created", {lang.t("最新创建", "Newest")} }
                    option { value: "updated", selected: sort() == "updated", {lang.t("最近更新", "Recently changed")} }
                    option { value: "deadline", selected: sort() == "deadline", {lang.t("期限最早", "Earliest deadline")} }
                }
            }
            label { class: "check",
                input {
                    r#type: "checkbox",
                    name: "overdue",
                    checked: overdue(),
                    onchange: move |e| overdue.set(e.checked()),
                }
                {lang.t("仅逾期", "Overdue only")}
            }
            label { {lang.t("搜索", "Search")}
                input {
                    name: "q",
                    r#type: "search",
                    value: "{q}",
                    oninput: move |e| q.set(e.value()),
                }
            }
            button { class: "primary", r#type: "submit", "data-testid": "search", {lang.t("查询", "Search")} }
        }
        if kind == ListKind::Manager && n_selected > 0 {
            div { class: "card bulk", "data-testid": "bulk",
                h2 { {format!("{} {n_selected} {}", lang.t("批量研判", "Triage"), lang.t("条", "issues"))} }
                label { {lang.t("研判结果", "Decision")}
                    select {
                        name: "bulk-decision",
                        onchange: move |e| decision.set(e.value()),
                        for (d, v) in DECISIONS {
                            option { key: "{v}", value: "{v}", selected: decision() == v, {decision_name(lang, d)} }
                        }
                    }
                }
                label { {lang.t("理由(不予受理、解释说明时必填)", "Reason (required to dismiss or explain)")}
                    textarea {
                        name: "bulk-reason",
                        value: "{reason}",
                        oninput: move |e| reason.set(e.value()),
                    }
                }
                button {
                    class: "primary",
                    "data-testid": "bulk-triage",
                    disabled: busy(),
                    onclick: bulk,
                    {lang.t("提交研判", "Triage them")}
                }
            }
        }
        {rows}
    }
}

#[component]
fn IssueRow(
    issue: IssueSummary,
    selectable: bool,
    checked: bool,
    on_check: EventHandler<(String, i32, bool)>,
) -> Element {
    let desk = use_context::<Desk>();
    let lang = desk.lang();
    let i = issue;
    let id = i.id.clone();
    let id2 = i.id.clone();
    let version = i.version;
    let deadline = i.deadline.map(|d| d.to_string()).unwrap_or_default();
    rsx! {
        li {
            class: "card item issue-row",
            "data-testid": "issue",
            "data-status": "{i.status}",
            "data-id": "{i.id}",
            div { class: "line",
                if selectable {
                    input {
                        r#type: "checkbox",
                        "data-testid": "issue-select",
                        "aria-label": format!("{} {}", lang.t("选择", "Select"), i.title),
                        checked,
                        onchange: move |e| on_check.call((id2.clone(), version, e.checked())),
                    }
                }
                button {
                    class: "link title",
                    "data-testid": "issue-open",
                    onclick: move |_| {
                        let mut d = desk;
                        d.go(View::Issue(id.clone()));
                    },
                    "{i.title}"
                }
            }
            div { class: "line small",
                span { class: "tag", {state_name(lang, i.status)} }
                if i.overdue {
                    span { class: "tag warn", "data-testid": "overdue", {lang.t("已逾期", "Overdue")} }
                }
                if i.transfer_requested {
                    span { class: "tag warn", {lang.t("申请转办", "Transfer asked")} }
                }
                span { "{i.department_name}" }
                span { class: "muted", "{i.venue_name}" }
                if let Some(s) = &i.scenario_name {
                    span { class: "muted", "{s} · {i.step_name}" }
                }
                if !deadline.is_empty() {
                    span { class: "strong", {format!("{} {deadline}", lang.t("期限", "Due"))} }
                }
                if i.occurrence_count > 1 {
                    span { class: "muted", {format!("{} {}", lang.t("发现次数", "Seen"), i.occurrence_count)} }
                }
            }
        }
    }
}
