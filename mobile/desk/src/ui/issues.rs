//! Issue lists, one per role: a manager's whole list with filters, sort, search and bulk
//! triage; a department's issues by deadline; a panel member's issues awaiting the vote;
//! an observer's own findings and what became of them. The server scopes each list to the
//! caller; the screen only chooses filters.

use dioxus::prelude::*;
use flowwalk_shared::api::issues::{
    BulkTriageRequest, IssueSort, IssueState, IssueSummary, Page, TriageDecision, VersionedId,
};
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints as ep;

use super::issue::loading_or_error;
use super::{DeskStore, View, client};
use crate::filters::IssueFilter;
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ListKind {
    Manager,
    Officer,
    Panel,
    Observer,
}

/// A triage decision as the forms offer it: the shared table's word and the deadline it sets.
pub fn decision_name(lang: Lang, d: TriageDecision) -> String {
    let deadline = match d {
        TriageDecision::FixNow => lang.t("(1个工作日)", " (1 working day)"),
        TriageDecision::Ledger => lang.t("(15个工作日)", " (15 working days)"),
        TriageDecision::Dismiss | TriageDecision::Explain => "",
    };
    format!("{}{deadline}", lang.label(d))
}

/// The decisions in the order the forms offer them.
pub const DECISIONS: [TriageDecision; 4] = [
    TriageDecision::FixNow,
    TriageDecision::Ledger,
    TriageDecision::Explain,
    TriageDecision::Dismiss,
];

/// Whether a manager may triage an issue in this state (new, appealed, reopened).
fn triageable(s: IssueState) -> bool {
    matches!(
        s,
        IssueState::New | IssueState::Appealed | IssueState::Reopened
    )
}

impl ListKind {
    /// The order of this list when the address names none.
    fn default_sort(self) -> IssueSort {
        match self {
            ListKind::Officer => IssueSort::Deadline,
            _ => IssueSort::Created,
        }
    }
}

/// (id, name) pairs for a filter's options.
type Choices = Vec<(String, String)>;

/// The manager's filter options: departments, venues and scenarios.
type ManagerChoices = (Choices, Choices, Choices);

/// The list a role starts from (its home screen).
pub fn home_filter(kind: ListKind) -> IssueFilter {
    IssueFilter {
        status: (kind == ListKind::Panel).then_some(IssueState::PanelReview),
        ..IssueFilter::default()
    }
}

/// One role's issue list under the filters of its address; a changed filter is a new
/// address (so Back, reload and bookmarks keep it).
#[component]
pub fn IssueList(kind: ListKind, filter: IssueFilter) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let sort = filter.sort.unwrap_or(kind.default_sort());
    let f0 = filter.clone();
    // Every filter change goes through here: the list at its new address.
    let refine = move |change: &dyn Fn(&mut IssueFilter)| {
        let mut f = f0.clone();
        change(&mut f);
        desk.show_issues(f);
    };
    let mut q = use_signal({
        let q = filter.q.clone();
        move || q
    });
    // The search box shows the address's search (after Back too).
    let searched = filter.q.clone();
    use_effect(use_reactive!(|(searched,)| q.set(searched)));
    let selected = use_signal(Vec::<(String, i32)>::new);

    // Pages after the first, fetched on request ("more"), and where the next one starts.
    let mut more = use_signal(Vec::<IssueSummary>::new);
    let mut next = use_signal(|| None::<String>);
    let mut loading_more = use_signal(|| false);
    let request = {
        let mut f = filter.clone();
        f.sort = Some(sort);
        move |cursor: Option<String>| f.query(cursor)
    };
    // Loaded again when the address's filters change (and after each change).
    let first_page = request(None);
    let list = client::use_fresh(
        desk,
        use_reactive!(|(first_page,)| async move {
            let page = client::call(desk, ep::issues::List, &(), &first_page, &()).await;
            more.set(Vec::new());
            next.set(page.as_ref().ok().and_then(|p| p.next_cursor.clone()));
            page
        }),
    );
    let load_more = move |_| {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        if *loading_more.peek() {
            return;
        }
        loading_more.set(true);
        let query = request(Some(cursor));
        spawn(async move {
            let mut d = desk;
            match client::call(desk, ep::issues::List, &(), &query, &()).await {
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
        let d = client::get(desk, ep::departments::List).await;
        let v = client::get(desk, ep::venues::List).await;
        let s = client::get(desk, ep::scenarios::List).await;
        (
            d.map(|d| d.into_iter().map(|d| (d.id, d.name)).collect())
                .unwrap_or_default(),
            v.map(|v| v.into_iter().map(|v| (v.id, v.name)).collect())
                .unwrap_or_default(),
            s.map(|s| s.into_iter().map(|s| (s.id, s.name)).collect())
                .unwrap_or_default(),
        )
    });
    let manager_choices: ManagerChoices = choices.read().clone().unwrap_or_default();

    let title = match kind {
        ListKind::Manager => lang.t("问题清单", "Issues"),
        ListKind::Officer => lang.t("本部门问题(按期限)", "Our department's issues, by deadline"),
        ListKind::Panel => lang.t("待我验收的问题", "Issues awaiting my vote"),
        ListKind::Observer => lang.t("我提出的问题", "Issues from my walkthroughs"),
    };
    let decision = use_signal(|| TriageDecision::FixNow);
    let reason = use_signal(String::new);
    let busy = use_signal(|| false);
    let bulk = move |_| bulk_triage(desk, lang, decision, reason, busy, selected);

    let rows = match loading_or_error(lang, &list.read()) {
        Err(shown) => shown,
        Ok(p) if p.items.is_empty() => rsx! {
            p { class: "muted", "data-testid": "no-issues", {lang.t("没有符合条件的问题。", "No issues match.")} }
        },
        Ok(p) => issue_rows(lang, kind, p, more, next, selected, loading_more, load_more),
    };
    let n_selected = selected.read().len();

    rsx! {
        h1 { "{title}" }
        {filters_form(lang, kind, &filter, sort, q, refine, manager_choices)}
        if kind == ListKind::Manager && n_selected > 0 {
            {bulk_card(lang, n_selected, decision, reason, busy, bulk)}
        }
        {rows}
    }
}

/// Triages the chosen issues at once with one decision and reason.
fn bulk_triage(
    desk: DeskStore,
    lang: Lang,
    decision: Signal<TriageDecision>,
    mut reason: Signal<String>,
    mut busy: Signal<bool>,
    mut selected: Signal<Vec<(String, i32)>>,
) {
    let mut d = desk;
    let dec = *decision.peek();
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
        match client::call(desk, ep::issues::TriageBulk, &(), &NoQuery {}, &req).await {
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
}

/// The rows of a loaded list, its count and the way to the next page.
#[allow(clippy::too_many_arguments)]
fn issue_rows(
    lang: Lang,
    kind: ListKind,
    p: &Page<IssueSummary>,
    more: Signal<Vec<IssueSummary>>,
    next: Signal<Option<String>>,
    mut selected: Signal<Vec<(String, i32)>>,
    loading_more: Signal<bool>,
    load_more: impl FnMut(MouseEvent) + 'static,
) -> Element {
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

/// The filters, sort and search of a list; each change is a new address.
fn filters_form(
    lang: Lang,
    kind: ListKind,
    filter: &IssueFilter,
    sort: IssueSort,
    mut q: Signal<String>,
    refine: impl Fn(&dyn Fn(&mut IssueFilter)) + Clone + 'static,
    manager_choices: ManagerChoices,
) -> Element {
    let states: Choices = IssueState::ALL
        .map(|s| (s.as_str().to_owned(), lang.label(s).to_owned()))
        .into();
    let sorts: Choices = [
        (IssueSort::Created, lang.t("最新创建", "Newest")),
        (IssueSort::Updated, lang.t("最近更新", "Recently changed")),
        (IssueSort::Deadline, lang.t("期限最早", "Earliest deadline")),
    ]
    .map(|(s, text)| (s.as_str().to_owned(), text.to_owned()))
    .into();
    rsx! {
        form {
            class: "filters",
            role: "search",
            onsubmit: {
                let refine = refine.clone();
                move |e: FormEvent| {
                    e.prevent_default();
                    let q = q.peek().trim().to_owned();
                    refine(&|f| f.q = q.clone());
                }
            },
            {pick_one(lang.t("状态", "Status"), "status", filter.status.map_or("", IssueState::as_str), Some(lang.t("全部", "All")), states, {
                let refine = refine.clone();
                move |v| refine(&|f| f.status = IssueState::parse(&v))
            })}
            if kind == ListKind::Manager {
                {manager_filters(lang, filter, refine.clone(), manager_choices)}
            }
            {pick_one(lang.t("排序", "Sort"), "sort", sort.as_str(), None, sorts, {
                let refine = refine.clone();
                move |v| refine(&|f| f.sort = IssueSort::parse(&v))
            })}
            label { class: "check",
                input {
                    r#type: "checkbox",
                    name: "overdue",
                    checked: filter.overdue,
                    onchange: {
                        let refine = refine.clone();
                        move |e: FormEvent| refine(&|f| f.overdue = e.checked())
                    },
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
    }
}

/// The manager's own filters: department, venue, scenario and period.
fn manager_filters(
    lang: Lang,
    filter: &IssueFilter,
    refine: impl Fn(&dyn Fn(&mut IssueFilter)) + Clone + 'static,
    (departments, venues, scenarios): ManagerChoices,
) -> Element {
    let all = Some(lang.t("全部", "All"));
    rsx! {
        {pick_one(lang.t("责任部门", "Department"), "department", &filter.department_id, all, departments, {
            let refine = refine.clone();
            move |v| refine(&|f| f.department_id = v.clone())
        })}
        {pick_one(lang.t("场所", "Venue"), "venue", &filter.venue_id, all, venues, {
            let refine = refine.clone();
            move |v| refine(&|f| f.venue_id = v.clone())
        })}
        {pick_one(lang.t("场景", "Scenario"), "scenario", &filter.scenario_id, all, scenarios, {
            let refine = refine.clone();
            move |v| refine(&|f| f.scenario_id = v.clone())
        })}
        label { {lang.t("期间(2026、2026-Q3、2026-07)", "Period (2026, 2026-Q3, 2026-07)")}
            input {
                name: "period",
                value: "{filter.period}",
                onchange: {
                    let refine = refine.clone();
                    move |e: FormEvent| refine(&|f| f.period = e.value().trim().to_owned())
                },
            }
        }
    }
}

/// One filter chosen from a list of (value, words): `all` (when offered) first, as "";
/// `set` gets the chosen value.
fn pick_one(
    label: &'static str,
    name: &'static str,
    chosen: &str,
    all: Option<&'static str>,
    choices: Choices,
    set: impl Fn(String) + 'static,
) -> Element {
    rsx! {
        label { {label}
            select {
                name: name,
                onchange: move |e: FormEvent| set(e.value()),
                if let Some(all) = all {
                    option { value: "", selected: chosen.is_empty(), {all} }
                }
                for (id, name) in choices {
                    option { key: "{id}", value: "{id}", selected: chosen == id, "{name}" }
                }
            }
        }
    }
}

/// One decision and reason for every chosen issue.
fn bulk_card(
    lang: Lang,
    n_selected: usize,
    mut decision: Signal<TriageDecision>,
    mut reason: Signal<String>,
    busy: Signal<bool>,
    bulk: impl FnMut(MouseEvent) + 'static,
) -> Element {
    rsx! {
        div { class: "card bulk", "data-testid": "bulk",
            h2 { {format!("{} {n_selected} {}", lang.t("批量研判", "Triage"), lang.t("条", "issues"))} }
            label { {lang.t("研判结果", "Decision")}
                select {
                    name: "bulk-decision",
                    onchange: move |e| {
                        if let Some(d) = TriageDecision::parse(&e.value()) {
                            decision.set(d);
                        }
                    },
                    for d in DECISIONS {
                        option { key: "{d}", value: d.as_str(), selected: decision() == d, {decision_name(lang, d)} }
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
}

#[component]
fn IssueRow(
    issue: IssueSummary,
    selectable: bool,
    checked: bool,
    on_check: EventHandler<(String, i32, bool)>,
) -> Element {
    let desk = use_context::<DeskStore>();
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
                span { class: "tag", {lang.label(i.status)} }
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
