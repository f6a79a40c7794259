//! The recorder: the current step's waiting and serving timers, its outcome and the way to
//! note a problem, all within the first screen of a phone; then the step's rating and note,
//! the list of steps, unplanned steps, and the way to finishing.

use dioxus::prelude::*;

use flowwalk_shared::rules::Text;
use flowwalk_shared::taxonomy::Satisfaction;
use flowwalk_shared::walkthrough::{StepOutcome, UnplannedKind};

use super::{Ctx, Screen, TextField};
use crate::i18n::Lang;
use crate::i18n::duration;
use crate::platform;
use crate::recorder::{Draft, DraftStep, Phase};
use crate::store::Doc;

#[component]
pub fn Walk(id: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let now = *ctx.now.read();
    // The unplanned step being added: its id is made when the card opens, so two quick
    // taps add it once.
    let mut unplanned = use_signal(|| None::<String>);
    let unplanned_name = use_signal(String::new);
    let confirm_discard = use_signal(|| false);
    let Some(draft) = ctx.data.read().draft(&id).cloned() else {
        return rsx! {
            h1 { {lang.t("记录", "Recording")} }
            p { class: "hint", {lang.t("这次体验已提交或不存在。", "This walkthrough was submitted or does not exist.")} }
        };
    };
    let (total_wait, total_serve) = draft.totals(now);
    let current = draft.current.min(draft.steps.len().saturating_sub(1));
    let step = draft.steps.get(current).cloned();
    let finding_open = draft.finding.as_ref().is_some_and(|f| !f.is_empty());
    let name_error = {
        let typed = unplanned_name.read();
        if typed.trim().is_empty() {
            None
        } else {
            Text::StepName
                .check("name", &typed)
                .err()
                .map(|e| e.message(lang.is_en()).to_owned())
        }
    };

    rsx! {
        {walk_head(lang, &draft, total_wait, total_serve)}
        if let Some(step) = step.clone() {
            {current_step(ctx, lang, &id, current, draft.steps.len(), &step, now)}
        }
        button {
            class: "big accent",
            "data-testid": "add-finding",
            onclick: ctx.go_to(Screen::Finding { draft: id.clone() }),
            if finding_open {
                {lang.t("继续记录问题 / 拍照", "Continue the problem / photo")}
            } else {
                {lang.t("记录问题 / 拍照", "Note a problem / photo")}
            }
            if !draft.findings.is_empty() {
                span { class: "badge", "{draft.findings.len()}" }
            }
        }
        if let Some(step) = step {
            {rate_step(ctx, lang, &id, current, &step)}
        }
        {step_list(ctx, lang, &id, current, &draft.steps)}
        section { class: "actions",
            button {
                class: "secondary",
                "data-testid": "add-unplanned",
                onclick: move |_| {
                    if unplanned.peek().is_some() {
                        unplanned.set(None);
                    } else {
                        unplanned.set(Some(platform::new_id()));
                    }
                },
                {lang.t("+ 计划外环节(如被指引到其他窗口)", "+ Unplanned step (e.g. sent elsewhere)")}
            }
            if let Some(step_id) = unplanned() {
                {unplanned_card(ctx, lang, &id, step_id, unplanned, unplanned_name, name_error.clone())}
            }
            button {
                class: "primary big",
                "data-testid": "to-finish",
                onclick: ctx.go_to(Screen::Finish(id.clone())),
                {lang.t("结束体验,去评价提交", "Finish and rate")}
            }
            {discard_choice(ctx, lang, &id, confirm_discard, draft.rev)}
        }
    }
}

/// The walkthrough's title, venue, totals and the reviewer's comment when it came back.
fn walk_head(lang: Lang, draft: &Draft, total_wait: u64, total_serve: u64) -> Element {
    rsx! {
        section { class: "walk-head",
            h1 { "{draft.title}" }
            p { class: "muted small",
                "{draft.venue} · "
                {lang.t("等候合计 ", "Waiting ")} strong { {duration(lang, total_wait)} }
                " · "
                {lang.t("办理合计 ", "Served ")} strong { {duration(lang, total_serve)} }
            }
            if let Some(comment) = &draft.returned_comment {
                div { class: "banner warn", "data-testid": "returned-comment",
                    strong { {lang.t("退回意见:", "Returned: ")} }
                    "{comment}"
                }
            }
        }
    }
}

/// A big timing button, pressed while its clock runs; a tap runs `act` on step `current`.
fn timing_button(
    ctx: Ctx,
    id: &str,
    current: usize,
    on: bool,
    testid: &'static str,
    text: &str,
    act: fn(&mut Draft, usize, i64),
) -> Element {
    rsx! {
        button {
            class: if on { "big on" } else { "big" },
            "aria-pressed": if on { "true" } else { "false" },
            "data-testid": testid,
            onclick: {
                let id = id.to_owned();
                move |_| ctx.edit_draft(id.clone(), move |d, now| act(d, current, now))
            },
            {text}
        }
    }
}

/// The current step's card: its standard time, both timers, the controls and its outcome.
fn current_step(
    ctx: Ctx,
    lang: Lang,
    id: &str,
    current: usize,
    steps: usize,
    step: &DraftStep,
    now: i64,
) -> Element {
    let (waited, served) = step.elapsed(now);
    let running_wait = matches!(step.phase, Phase::Waiting { .. });
    let running_serve = matches!(step.phase, Phase::Serving { .. });
    let finished = step.phase == Phase::Finished;
    let standard = step.standard_minutes;
    let over = standard.is_some_and(|m| waited + served > u64::try_from(m).unwrap_or(0) * 60_000);
    rsx! {
        section { class: "card step", "data-testid": "current-step",
            h2 {
                span { class: "step-no", "{current + 1}/{steps} " }
                "{step.name}"
            }
            if let Some(m) = standard {
                p { class: if over { "standard over" } else { "standard" },
                    {lang.t("标准用时 ", "Standard ")} "{m}" {lang.t(" 分钟", " min")}
                    if over {
                        {lang.t(" · 已超时", " · over time")}
                    }
                }
            }
            div { class: "timers",
                div { class: if running_wait { "timer on" } else { "timer" },
                    span { class: "timer-label", {lang.t("等候", "Waiting")} }
                    strong { "data-testid": "wait-time", {duration(lang, waited)} }
                }
                div { class: if running_serve { "timer on" } else { "timer" },
                    span { class: "timer-label", {lang.t("办理", "Served")} }
                    strong { "data-testid": "serve-time", {duration(lang, served)} }
                }
            }
            div { class: "controls",
                {timing_button(ctx, id, current, running_wait, "btn-wait", lang.t("排队等候", "Waiting"), Draft::wait_at)}
                {timing_button(ctx, id, current, running_serve, "btn-serve", lang.t("开始办理", "Served"), Draft::serve_at)}
            }
            if running_wait || running_serve {
                button {
                    class: "secondary slim",
                    "data-testid": "btn-pause",
                    onclick: {
                        let id = id.to_owned();
                        move |_| {
                            ctx.edit_step(id.clone(), current, move |s, now| s.pause(now))
                        }
                    },
                    {lang.t("暂停计时", "Pause")}
                }
            }
            p { class: "label",
                if finished {
                    {lang.t("本环节结果(可更改)", "Outcome (can change)")}
                } else {
                    {lang.t("完成本环节:", "Finish this step:")}
                }
            }
            div { class: "choices outcomes",
                for o in [StepOutcome::Done, StepOutcome::Redirected, StepOutcome::Blocked, StepOutcome::Skipped] {
                    button {
                        key: "{o:?}",
                        class: if step.outcome == Some(o) { "choice on" } else { "choice" },
                        "aria-pressed": if step.outcome == Some(o) { "true" } else { "false" },
                        "data-testid": "outcome-{o:?}",
                        onclick: {
                            let id = id.to_owned();
                            move |_| ctx.edit_draft(id.clone(), move |d, now| d.finish_at(current, now, o))
                        },
                        {lang.label(o)}
                    }
                }
            }
        }
    }
}

/// The current step's rating and note.
fn rate_step(ctx: Ctx, lang: Lang, id: &str, current: usize, step: &DraftStep) -> Element {
    rsx! {
        section { class: "card",
            p { class: "label", {lang.t("本环节评价", "Rate this step")} }
            div { class: "choices rating",
                for r in Satisfaction::ALL {
                    button {
                        key: "{r:?}",
                        class: if step.rating == Some(r) { "choice on" } else { "choice" },
                        "aria-pressed": if step.rating == Some(r) { "true" } else { "false" },
                        onclick: {
                            let id = id.to_owned();
                            move |_| {
                                ctx.edit_step(id.clone(), current, move |s, _| s.rating = Some(r))
                            }
                        },
                        {lang.label(r)}
                    }
                }
            }
            TextField {
                key: "{step.id}",
                label: lang.t("本环节备注(可选)", "Note on this step (optional)").to_owned(),
                name: "note".to_owned(),
                rule: Text::StepNote,
                initial: step.note.clone(),
                on_input: {
                    let id = id.to_owned();
                    move |text: String| {
                        ctx.edit_step(id.clone(), current, move |s, _| s.note = text)
                    }
                },
            }
        }
    }
}

/// Every step of the walkthrough; a tap makes it the current one.
fn step_list(ctx: Ctx, lang: Lang, id: &str, current: usize, steps: &[DraftStep]) -> Element {
    rsx! {
        h2 { {lang.t("全部环节", "All steps")} }
        ol { class: "steps",
            for (i, s) in steps.iter().enumerate() {
                li { key: "{s.id}",
                    button {
                        class: if i == current { "step-row on" } else { "step-row" },
                        "aria-current": if i == current { "step" } else { "false" },
                        onclick: {
                            let id = id.to_owned();
                            move |_| ctx.edit_draft(id.clone(), move |d, _| d.current = i)
                        },
                        span { class: "dot", "aria-hidden": "true",
                            {match s.phase {
                                Phase::Waiting { .. } => "◷",
                                Phase::Serving { .. } => "▶",
                                Phase::Finished => "✓",
                                Phase::Idle if s.visited() => "Ⅱ",
                                Phase::Idle => "○",
                            }}
                        }
                        span { class: "name", "{s.name}" }
                        if s.unplanned.is_some() {
                            span { class: "tag warn", {lang.t("计划外", "Unplanned")} }
                        }
                    }
                }
            }
        }
    }
}

/// The card that adds an unplanned step: where the observer was sent, and of which kind.
fn unplanned_card(
    ctx: Ctx,
    lang: Lang,
    id: &str,
    step_id: String,
    mut unplanned: Signal<Option<String>>,
    mut unplanned_name: Signal<String>,
    name_error: Option<String>,
) -> Element {
    rsx! {
        div { class: "card",
            label { r#for: "unplanned-name", {lang.t("去了哪里?", "Where to?")} }
            input {
                id: "unplanned-name",
                placeholder: lang.t("如:3号窗口", "e.g. window 3"),
                value: "{unplanned_name}",
                oninput: move |e| unplanned_name.set(e.value()),
            }
            if let Some(e) = name_error.clone() {
                p { class: "error", "data-testid": "field-error", "{e}" }
            }
            for k in [UnplannedKind::RedirectedWindow, UnplannedKind::RedirectedDepartment, UnplannedKind::Other] {
                button {
                    key: "{k:?}",
                    class: "choice",
                    "data-testid": "unplanned-kind",
                    disabled: name_error.is_some(),
                    onclick: {
                        let id = id.to_owned();
                        let step_id = step_id.clone();
                        move |_| {
                            let typed = unplanned_name.peek().trim().to_owned();
                            let name = if typed.is_empty() {
                                lang.label(k).to_owned()
                            } else {
                                typed
                            };
                            let id = id.clone();
                            let step_id = step_id.clone();
                            spawn(async move {
                                let added = ctx
                                    .change(&[Doc::Drafts], move |d| {
                                        let mut out = Ok(());
                                        d.edit_draft(&id, |dr| {
                                            out = dr.add_unplanned(step_id, k, name, platform::now_ms());
                                        })?;
                                        out.map_err(crate::store::StoreError::Draft)
                                    })
                                    .await;
                                if added.is_ok() {
                                    unplanned_name.set(String::new());
                                    unplanned.set(None);
                                }
                            });
                        }
                    },
                    {lang.label(k)}
                }
            }
        }
    }
}

/// Discarding a walkthrough never saved elsewhere, behind a confirmation.
fn discard_choice(
    ctx: Ctx,
    lang: Lang,
    id: &str,
    mut confirm_discard: Signal<bool>,
    rev: u32,
) -> Element {
    rsx! {
        if confirm_discard() {
            div { class: "card danger",
                p { {lang.t("确定放弃这次记录?放弃后无法恢复。", "Discard this walkthrough? This cannot be undone.")} }
                button {
                    class: "danger",
                    onclick: {
                        let id = id.to_owned();
                        ctx.change_and_go(&[Doc::Drafts], move |d| { d.discard_draft(&id); Ok(()) }, |()| Screen::Home)
                    },
                    {lang.t("放弃", "Discard")}
                }
                button { class: "secondary", onclick: move |_| confirm_discard.set(false),
                    {lang.t("取消", "Cancel")}
                }
            }
        } else if rev == 1 {
            button { class: "link", onclick: move |_| confirm_discard.set(true),
                {lang.t("放弃这次记录", "Discard this walkthrough")}
            }
        }
    }
}
