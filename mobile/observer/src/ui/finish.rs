//! Finishing a walk: what was good, overall satisfaction and smoothness, a last word, and
//! submit. Submit confirms only after the record is stored on the phone.

use dioxus::prelude::*;

use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
use flowwalk_shared::walkthrough::{Commendation, CommendationKind};

use flowwalk_shared::rules::Text;

use super::{Ctx, Screen, TextField};
use crate::i18n::Lang;
use crate::platform;
use crate::recorder::Draft;
use crate::store::Doc;

#[component]
pub fn Finish(id: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let busy = use_signal(|| false);
    let tried = use_signal(|| false);
    let Some(draft) = ctx.data.read().draft(&id).cloned() else {
        return rsx! {
            h1 { {lang.t("评价并提交", "Rate and submit")} }
            p { class: "hint", {lang.t("这次体验已提交。", "This walkthrough was submitted.")} }
        };
    };
    let walked = draft.steps.iter().filter(|s| s.visited()).count();
    let comment = draft.comment.clone();
    // The rules the server checks, applied now: the first one broken, with where.
    let now = platform::now_ms();
    let problem = {
        let data = ctx.data.read();
        match draft.to_record(&data.settings.device_id, now) {
            Ok(record) => data.check(&record).err(),
            Err(e) => Some(e),
        }
    }
    // Rules broken show at once; what is simply not done yet, after a first try.
    .filter(|p| {
        tried()
            || matches!(
                p,
                crate::recorder::DraftError::Invalid(_)
                    | crate::recorder::DraftError::UnsavedFinding
            )
    });

    rsx! {
        section { class: "card",
            h1 { {lang.t("评价并提交", "Rate and submit")} }
            p { class: "muted",
                "{draft.title} · "
                {lang.t("已记录环节 ", "Steps recorded: ")} "{walked}/{draft.steps.len()}"
                " · " {lang.t("问题 ", "Problems: ")} "{draft.findings.len()}"
            }
            p { class: "label", {lang.t("值得称赞(可多选)", "Worth praising (any)")} }
            {commendation_choices(ctx, lang, &id, &draft)}
            {overall_choices(ctx, lang, &id, &draft)}
            TextField {
                key: "{id}",
                label: lang.t("总体意见和建议(可选)", "Overall comments (optional)").to_owned(),
                name: "comment".to_owned(),
                rule: Text::Comment,
                initial: comment,
                on_input: {
                    let id = id.clone();
                    move |text: String| ctx.edit_draft(id.clone(), move |d, _| d.comment = text)
                },
            }
            if let Some(p) = &problem {
                p { class: "error", role: "alert", "data-testid": "submit-problem",
                    {p.message(lang.is_en())}
                    if let Some(f) = p.field() {
                        span { class: "muted small", " ({f})" }
                    }
                }
            }
            button {
                class: "primary big",
                "data-testid": "submit",
                disabled: busy(),
                onclick: {
                    let id = id.clone();
                    move |_| submit_walk(ctx, &id, busy, tried)
                },
                {lang.t("提交", "Submit")}
            }
            button {
                class: "secondary",
                "data-testid": "back-to-walk",
                onclick: ctx.go_to(Screen::Walk(id.clone())),
                {lang.t("返回继续记录", "Back to recording")}
            }
        }
    }
}

/// What was worth praising: any of the kinds, each toggled on the draft.
fn commendation_choices(ctx: Ctx, lang: Lang, id: &str, draft: &Draft) -> Element {
    let kinds = [
        CommendationKind::Attitude,
        CommendationKind::Efficiency,
        CommendationKind::Patience,
        CommendationKind::Other,
    ];
    rsx! {
        div { class: "choices",
            for k in kinds {
                {
                    let on = draft.commendations.iter().any(|c| c.kind == k);
                    rsx! {
                        button {
                            key: "{k:?}",
                            class: if on { "choice on" } else { "choice" },
                            onclick: {
                                let id = id.to_owned();
                                move |_| {
                                    ctx.edit_draft(id.clone(), move |d, _| {
                                            if d.commendations.iter().any(|c| c.kind == k) {
                                                d.commendations.retain(|c| c.kind != k);
                                            } else {
                                                d.commendations.push(Commendation {
                                                    id: platform::new_id(),
                                                    step_id: None,
                                                    kind: k,
                                                    note: String::new(),
                                                });
                                            }
                                        },
                                    )
                                }
                            },
                            {lang.label(k)}
                        }
                    }
                }
            }
        }
    }
}

/// A row of choices for one of the draft's answers: the chosen one is on; a tap sets it.
fn choice_row<T: Copy + PartialEq + std::fmt::Debug + 'static>(
    ctx: Ctx,
    id: &str,
    testid: &'static str,
    options: impl IntoIterator<Item = (T, &'static str)>,
    chosen: Option<T>,
    set: fn(&mut Draft, T),
) -> Element {
    rsx! {
        div { class: "choices",
            for (s, name) in options {
                button {
                    key: "{s:?}",
                    class: if chosen == Some(s) { "choice on" } else { "choice" },
                    "data-testid": testid,
                    onclick: {
                        let id = id.to_owned();
                        move |_| ctx.edit_draft(id.clone(), move |d, _| set(d, s))
                    },
                    {name}
                }
            }
        }
    }
}

/// Overall satisfaction and how smooth it was.
fn overall_choices(ctx: Ctx, lang: Lang, id: &str, draft: &Draft) -> Element {
    rsx! {
        p { class: "label", {lang.t("总体满意度", "Overall satisfaction")} }
        {choice_row(ctx, id, "satisfaction", Satisfaction::ALL.map(|s| (s, lang.label(s))), draft.satisfaction, |d, s| d.satisfaction = Some(s))}
        p { class: "label", {lang.t("办事顺畅度", "How smooth was it")} }
        {choice_row(ctx, id, "smoothness", Smoothness::ALL.map(|s| (s, lang.label(s))), draft.smoothness, |d, s| d.smoothness = Some(s))}
    }
}

/// Submits the walkthrough: it is confirmed once stored in the outbox on the phone.
fn submit_walk(ctx: Ctx, id: &str, mut busy: Signal<bool>, mut tried: Signal<bool>) {
    // One tap, one record.
    if *busy.peek() {
        return;
    }
    let id = id.to_owned();
    tried.set(true);
    busy.set(true);
    spawn(async move {
        let mut ctx = ctx;
        let done = ctx
            .change(&[Doc::Outbox, Doc::Drafts], |d| {
                d.submit(&id, platform::now_ms())
            })
            .await;
        busy.set(false);
        if done.is_ok() {
            // Never "will send when online" to a phone that is online and sending now.
            if platform::online() {
                ctx.say(
                    "已保存在手机上,正在发送",
                    "Saved on this phone; sending now",
                );
            } else {
                ctx.say(
                    "已保存在手机上,联网后自动发送",
                    "Saved on this phone; it is sent when online",
                );
            }
            ctx.go(Screen::Outbox);
            ctx.sync_now();
        }
    });
}
