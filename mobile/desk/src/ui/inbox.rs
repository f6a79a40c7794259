//! A manager's inbox of complete walkthroughs and each one as its feedback form: the
//! journey (one lane per step, waiting and serving as bars against the standard time,
//! unplanned steps and redirects marked), ratings, findings with photos, commendations,
//! and accept / return.

use dioxus::prelude::*;
use flowwalk_shared::api::walkthroughs::{
    AcceptRequest, ReturnRequest, WalkthroughDetail, WalkthroughQuery, WalkthroughSummary,
};
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints::{self as ep, IdPath};
use flowwalk_shared::sync::ReviewStatus;
use flowwalk_shared::walkthrough::WalkthroughRecord;

use super::issue::{back_to_list, loaded_page, loading_or_error, photos};
use super::notifications::china_time;
use super::{DeskStore, View, client};
use crate::api::{BodyOf, Call};
use crate::filters::InboxFilter;
use crate::i18n::{Lang, duration};

#[component]
pub fn Inbox(filter: InboxFilter) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let status = filter.status;
    // Loaded again when the address's filter changes (and after each change).
    let list = client::use_fresh(
        desk,
        use_reactive!(|(status,)| async move {
            let query = WalkthroughQuery {
                status,
                limit: Some(200),
                ..WalkthroughQuery::default()
            };
            client::call(desk, ep::walkthroughs::List, &(), &query, &()).await
        }),
    );
    let rows = match loading_or_error(lang, &list.read()) {
        Err(shown) => shown,
        Ok(p) if p.items.is_empty() => rsx! {
            p { class: "muted", "data-testid": "inbox-empty", {lang.t("没有待审核的走流程。", "Nothing to review.")} }
        },
        Ok(p) => {
            let items = p.items.clone();
            rsx! {
                ul { class: "list",
                    for w in items {
                        li { key: "{w.id}", class: "card item", "data-testid": "walkthrough", "data-id": "{w.id}", "data-status": "{w.status:?}",
                            div { class: "line",
                                button {
                                    class: "link title",
                                    "data-testid": "walkthrough-open",
                                    onclick: {
                                        let id = w.id.clone();
                                        move |_| {
                                            let mut d = desk;
                                            d.go(View::Walkthrough(id.clone()));
                                        }
                                    },
                                    "{w.scenario_name} · {w.venue_name}"
                                }
                            }
                            div { class: "line small",
                                span { class: "tag", {lang.label(w.status)} }
                                span { "{w.observer_name}" }
                                span { class: "muted", {china_time(w.started_at)} }
                                span { {format!("{} {}", lang.t("发现问题", "Findings"), w.finding_count)} }
                                span { {format!("{} {}", lang.t("照片", "Photos"), w.photo_count)} }
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        h1 { {lang.t("走流程审核", "Walkthroughs")} }
        div { class: "filters",
            label { {lang.t("状态", "Status")}
                select {
                    name: "walkthrough-status",
                    onchange: move |e| {
                        let filter = InboxFilter { status: ReviewStatus::parse(&e.value()) };
                        desk.show_inbox(filter);
                    },
                    for s in [ReviewStatus::Submitted, ReviewStatus::Accepted, ReviewStatus::Returned] {
                        option { value: s.as_str(), selected: status == Some(s), {lang.label(s)} }
                    }
                    option { value: "", selected: status.is_none(), {lang.t("全部", "All")} }
                }
            }
        }
        {rows}
    }
}

#[component]
pub fn Feedback(id: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let detail = client::use_by_id(desk, ep::walkthroughs::Get, id.clone());
    let comment = use_signal(String::new);
    let d = match loaded_page(lang, lang.t("走流程", "Walkthrough"), &detail.read()) {
        Ok(x) => x,
        Err(shown) => return shown,
    };
    let s = &d.summary;
    let r = &d.record;
    let rev = s.rev;
    let id_p = id.clone();
    rsx! {
        {back_to_list(desk, lang)}
        article { class: "feedback", "data-testid": "feedback",
            h1 { "{s.scenario_name} · {s.venue_name}" }
            p { class: "line",
                span { class: "tag", "data-testid": "walkthrough-status", {lang.label(s.status)} }
                span { "{s.observer_name}" }
                span { class: "muted", {china_time(s.started_at)} " – " {china_time(s.ended_at)} }
                button {
                    class: "link",
                    "data-testid": "print-feedback",
                    onclick: move |_| {
                        let path = IdPath::new(id_p.clone());
                        spawn(async move {
                            let mut dk = desk;
                            let page = client::call(desk, ep::walkthroughs::Feedback, &path, &NoQuery {}, &()).await;
                            if !page.is_ok_and(|p| client::open_html(&p)) {
                                dk.fail(lang.t("无法打开反馈表", "Cannot open the feedback form"));
                            }
                        });
                    },
                    {lang.t("打印反馈表", "Printable form")}
                }
            }
            section { class: "card",
                h2 { {lang.t("办事历程", "Journey")} }
                Journey { detail: d.clone() }
            }
            SamePlace { id: id.clone(), scenario_id: s.scenario_id.clone(), venue_id: s.venue_id.clone() }
            section { class: "card",
                h2 { {lang.t("评价", "Ratings")} }
                p { {lang.t("满意度:", "Satisfaction: ")} {lang.label(r.satisfaction)} " · " {lang.t("顺畅度:", "Smoothness: ")} {lang.label(r.smoothness)} }
                if !r.comment.is_empty() { p { "{r.comment}" } }
            }
            {findings_section(lang, r)}
            if s.status == ReviewStatus::Submitted {
                {review_actions(desk, lang, &id, rev, comment)}
            }
        }
    }
}

/// The findings of a walkthrough with their photos, and its commendations.
fn findings_section(lang: Lang, r: &WalkthroughRecord) -> Element {
    rsx! {
        section { class: "card",
            h2 { {format!("{}({})", lang.t("发现的问题", "Findings"), r.findings.len())} }
            for f in r.findings.iter() {
                div { key: "{f.id}", class: "occurrence", "data-testid": "finding",
                    p { strong { {lang.label(f.severity)} } " · {f.description}" }
                    {photos(lang.t("问题照片", "Finding photo"), &f.photos)}
                }
            }
            if !r.commendations.is_empty() {
                h2 { {lang.t("表扬", "Commendations")} }
                ul { class: "plain",
                    for c in r.commendations.iter() {
                        li { key: "{c.id}", {lang.label(c.kind)} " {c.note}" }
                    }
                }
            }
        }
    }
}

/// Accepting a submitted walkthrough, or returning it with what to correct.
fn review_actions(
    desk: DeskStore,
    lang: Lang,
    id: &str,
    rev: i32,
    mut comment: Signal<String>,
) -> Element {
    let id_a = id.to_owned();
    let id_r = id.to_owned();
    rsx! {
        section { class: "card actions",
            h2 { {lang.t("审核", "Review")} }
            label { {lang.t("意见(退回时必填:需要体验员更正什么)", "Comment (required to return: what the observer must correct)")}
                textarea { name: "review-comment", value: "{comment}", oninput: move |e| comment.set(e.value()) }
            }
            div { class: "buttons",
                button { class: "primary", "data-testid": "accept-walkthrough",
                    onclick: move |_| {
                        let body = AcceptRequest { rev, comment: comment.peek().trim().to_owned() };
                        send_review(desk, ep::walkthroughs::Accept, id_a.clone(), body, lang.t("已采纳,问题已进入问题清单", "Accepted; its findings are now issues"));
                    },
                    {lang.t("采纳", "Accept")}
                }
                button { class: "danger", "data-testid": "return-walkthrough",
                    onclick: move |_| {
                        let body = ReturnRequest { rev, comment: comment.peek().trim().to_owned() };
                        send_review(desk, ep::walkthroughs::Return, id_r.clone(), body, lang.t("已退回体验员", "Returned to the observer"));
                    },
                    {lang.t("退回更正", "Return for correction")}
                }
            }
        }
    }
}

/// Sends one review decision on walkthrough `id`, and says `done` once it is taken.
fn send_review<E>(desk: DeskStore, step: E, id: String, body: BodyOf<E>, done: &'static str)
where
    E: Call<Path = IdPath, Query = NoQuery> + 'static,
    BodyOf<E>: 'static,
{
    spawn(async move {
        let mut dk = desk;
        match client::call(desk, step, &IdPath::new(id), &NoQuery {}, &body).await {
            Ok(_) => {
                dk.say(done);
                dk.changed();
            }
            Err(e) => dk.fail(e.describe()),
        }
    });
}

/// A walkthrough's journey: one lane per step, waiting and serving as bars against the
/// standard time (the longest lane sets the scale), unplanned steps and redirects marked.
#[component]
pub fn Journey(
    detail: WalkthroughDetail,
    /// The time a full-width bar stands for; by default this journey's longest lane (two
    /// journeys set side by side share one scale).
    #[props(default)]
    scale_ms: Option<u64>,
) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let d = detail;
    let r = &d.record;
    let scale = scale_ms.unwrap_or_else(|| longest_lane(&d)).max(1) as f64;
    let pct = |ms: u64| format!("{:.1}%", ms as f64 * 100.0 / scale);
    rsx! {
                p { class: "small muted legend",
                    span { class: "swatch wait" } {lang.t("等候", "Waiting")} " "
                    span { class: "swatch serve" } {lang.t("办理", "Serving")} " "
                    span { class: "swatch std" } {lang.t("标准时长", "Standard time")}
                }
                ol { class: "journey", "data-testid": "journey",
                    for (t , step) in d.timing.steps.iter().zip(r.steps.iter()) {
                        li { key: "{t.step_id}", class: if t.over_run { "lane over" } else { "lane" },
                            div { class: "lane-name",
                                "{t.name}"
                                if let Some(k) = step.unplanned {
                                    span { class: "tag warn", {lang.label(k)} }
                                }
                                if step.outcome != flowwalk_shared::walkthrough::StepOutcome::Done {
                                    span { class: "tag warn", {lang.label(step.outcome)} }
                                }
                            }
                            div { class: "bars", role: "img",
                                "aria-label": format!("{} {},{} {}{}", lang.t("等候", "waiting"), duration(lang, t.waiting_ms), lang.t("办理", "serving"), duration(lang, t.serving_ms),
                                    t.standard_ms.map(|s| format!(",{} {}", lang.t("标准", "standard"), duration(lang, s))).unwrap_or_default()),
                                span { class: "bar wait", style: "width: {pct(t.waiting_ms)}" }
                                span { class: "bar serve", style: "width: {pct(t.serving_ms)}" }
                                if let Some(std) = t.standard_ms {
                                    span { class: "std", style: "left: {pct(std)}" }
                                }
                            }
                            div { class: "lane-figures small",
                                {duration(lang, t.waiting_ms + t.serving_ms)}
                                if let Some(std) = t.standard_ms {
                                    " / " {duration(lang, std)}
                                }
                                if t.over_run {
                                    strong { class: "error", {format!(" {} {}", lang.t("超时", "over by"), duration(lang, t.over_by_ms))} }
                                }
                            }
                        }
                    }
                }
                p { class: "small",
                    {format!("{} {}", lang.t("总用时", "Total"), duration(lang, d.timing.total_ms))}
                    if d.timing.promised_ms > 0 {
                        {format!(" / {} {}", lang.t("承诺时限", "promised"), duration(lang, d.timing.promised_ms))}
                    }
                }
    }
}

/// The longest step of a journey, waiting and serving or its standard time.
fn longest_lane(d: &WalkthroughDetail) -> u64 {
    d.timing
        .steps
        .iter()
        .map(|t| (t.waiting_ms + t.serving_ms).max(t.standard_ms.unwrap_or(0)))
        .max()
        .unwrap_or(1)
}

/// Other walkthroughs of the same scenario at the same venue, each one click from being set
/// beside this one (before and after the fixes).
#[component]
fn SamePlace(id: String, scenario_id: String, venue_id: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let list = use_resource(move || {
        let query = WalkthroughQuery {
            scenario_id: Some(scenario_id.clone()),
            venue_id: Some(venue_id.clone()),
            limit: Some(50),
            ..WalkthroughQuery::default()
        };
        async move { client::call(desk, ep::walkthroughs::List, &(), &query, &()).await }
    });
    let others: Vec<WalkthroughSummary> = match &*list.read() {
        Some(Ok(p)) => p.items.iter().filter(|w| w.id != id).cloned().collect(),
        _ => Vec::new(),
    };
    if others.is_empty() {
        return rsx! {};
    }
    rsx! {
        section { class: "card", "data-testid": "same-place",
            h2 { {lang.t("同一场所同一事项的其他体验", "Other walks of this service at this venue")} }
            ul { class: "plain",
                for w in others {
                    li { key: "{w.id}",
                        span { class: "muted", {china_time(w.started_at)} " · {w.observer_name} · " }
                        {format!("{} {}", lang.t("发现问题", "Findings"), w.finding_count)}
                        " "
                        button {
                            class: "link",
                            "data-testid": "compare-open",
                            onclick: {
                                let (a, b) = (id.clone(), w.id.clone());
                                move |_| {
                                    let mut d = desk;
                                    d.go(View::Compare(a.clone(), b.clone()));
                                }
                            },
                            {lang.t("整改前后并排对比 ›", "Side by side, before and after ›")}
                        }
                    }
                }
            }
        }
    }
}

/// Two walkthroughs of the same scenario at the same venue side by side, the earlier as
/// "before" and the later as "after", with the change in total time and in findings.
#[component]
pub fn Compare(a: String, b: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let both = use_resource(move || {
        let (a, b) = (a.clone(), b.clone());
        async move {
            let get = |id: String| client::get_by_id(desk, ep::walkthroughs::Get, id);
            let first: WalkthroughDetail = get(a).await?;
            let second: WalkthroughDetail = get(b).await?;
            Ok::<_, crate::api::ApiError>(
                if first.summary.started_at <= second.summary.started_at {
                    (first, second)
                } else {
                    (second, first)
                },
            )
        }
    });
    // Back to the list (not to the feedback form this was opened from).
    let back = move |_| {
        let mut d = desk;
        d.go(View::Work);
    };
    let (before, after) = match loaded_page(
        lang,
        lang.t("整改前后对比", "Before and after"),
        &both.read(),
    ) {
        Ok(x) => x,
        Err(shown) => return shown,
    };
    let (t0, t1) = (before.timing.total_ms, after.timing.total_ms);
    let change = if t1 <= t0 {
        format!(
            "{} {}",
            lang.t("总用时减少", "Total time down by"),
            duration(lang, t0 - t1)
        )
    } else {
        format!(
            "{} {}",
            lang.t("总用时增加", "Total time up by"),
            duration(lang, t1 - t0)
        )
    };
    let (f0, f1) = (before.record.findings.len(), after.record.findings.len());
    let scale = longest_lane(&before).max(longest_lane(&after));
    rsx! {
        button { class: "link back", onclick: back, {lang.t("← 返回列表", "← Back to the list")} }
        h1 { {lang.t("整改前后对比", "Before and after")} " · {after.summary.scenario_name} · {after.summary.venue_name}" }
        p { class: "line", "data-testid": "compare-change",
            strong { "{change}" }
            span { {format!("{} {f0} → {f1}", lang.t("发现问题", "Findings"))} }
        }
        div { class: "compare", "data-testid": "compare",
            for (label, d) in [(lang.t("整改前", "Before"), before), (lang.t("整改后", "After"), after)] {
                section { key: "{d.summary.id}", class: "card", "data-testid": "compare-side",
                    h2 { "{label} · " {china_time(d.summary.started_at)} }
                    p { class: "small muted", "{d.summary.observer_name} · "
                        {format!("{} {}", lang.t("总用时", "Total"), duration(lang, d.timing.total_ms))}
                    }
                    Journey { detail: d.clone(), scale_ms: scale }
                    ul { class: "plain small",
                        for f in d.record.findings.iter() {
                            li { key: "{f.id}", {lang.label(f.severity)} " · {f.description}" }
                        }
                    }
                }
            }
        }
    }
}
