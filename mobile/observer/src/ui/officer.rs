//! A department officer on a phone: the department's open issues by deadline (kept on the
//! phone, so they can be read offline), and the evidence of a fix — note and photos —
//! written and submitted with or without a network. Evidence goes through the same outbox
//! and photo path as an observer's walkthrough; each round carries the phone's id for it,
//! so it is stored once however often the network makes the phone send it.

use std::collections::HashMap;

use dioxus::core::spawn_forever;
use dioxus::prelude::*;

use flowwalk_shared::api::issues::MAX_EVIDENCE_PHOTOS;
use flowwalk_shared::rules::Text;

use super::finding::{PhotoStrip, photo_problem, save_once, take_chosen_photos};
use super::home::{desk_link, greeting};
use super::{Ctx, Screen, TextField, storage};
use crate::i18n::Lang;
use crate::outbox::{EvidenceState, Outbox, OutboxError};
use crate::platform;
use crate::storage::Storage;
use crate::store::{Doc, StoreError};

/// One open issue as the officer's list shows it.
struct Row {
    id: String,
    title: String,
    venue: String,
    step: String,
    state: &'static str,
    deadline: String,
    overdue: bool,
    /// Evidence of it on this phone: (client id, what became of it).
    evidence: Option<(String, EvidenceState)>,
}

#[component]
pub fn OfficerHome() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let data = ctx.data.read();
    let name = data.user_name();
    let fetched = data.sync.reached_server || !data.outbox.issues.is_empty();
    let rows: Vec<Row> = data
        .outbox
        .issues
        .iter()
        .map(|i| Row {
            id: i.id.clone(),
            title: i.title.clone(),
            venue: i.venue_name.clone(),
            step: i.step_name.clone(),
            // Fix now or ledger (the states open for evidence).
            state: lang.label(i.status),
            deadline: i.deadline.map(|d| d.to_string()).unwrap_or_default(),
            overdue: i.overdue,
            evidence: data
                .outbox
                .evidence
                .iter()
                .rev()
                .find(|e| e.issue_id == i.id)
                .map(|e| (e.client_id.clone(), e.state.clone())),
        })
        .collect();
    // Evidence on its way for issues that have left the list (sent, or refused).
    let sent: Vec<(String, String, EvidenceState)> = data
        .outbox
        .evidence
        .iter()
        .filter(|e| e.state != EvidenceState::Draft)
        .filter(|e| !rows.iter().any(|r| r.id == e.issue_id))
        .map(|e| (e.client_id.clone(), e.issue_title.clone(), e.state.clone()))
        .collect();
    drop(data);

    rsx! {
        {greeting(lang, lang.t("本部门待整改问题", "My department's issues"), &name)}
        if !fetched {
            p { class: "hint", "data-testid": "no-issues-yet",
                {lang.t("正在下载本部门的问题…需要联网一次。", "Downloading your department's issues… needs a network once.")}
            }
        } else if rows.is_empty() {
            p { class: "hint", "data-testid": "no-open-issues",
                {lang.t("本部门暂无待整改的问题。", "Your department has no issue awaiting a fix.")}
            }
        }
        for Row { id, title, venue, step, state, deadline, overdue, evidence } in rows {
            div { key: "{id}", class: "card item", "data-testid": "officer-issue", "data-id": "{id}",
                strong { "{title}" }
                span { class: "muted", "{venue}" if !step.is_empty() { " · {step}" } }
                span { class: "muted small",
                    "{state}"
                    if !deadline.is_empty() { " · " {lang.t("整改期限 ", "due ")} "{deadline}" }
                }
                if overdue {
                    span { class: "tag warn", {lang.t("已逾期", "Overdue")} }
                }
                {evidence_action(ctx, lang, &id, evidence)}
            }
        }
        if !sent.is_empty() {
            h2 { {lang.t("已提交的整改佐证", "Evidence submitted")} }
            {sent_evidence(ctx, lang, sent)}
        }
        {desk_link("officer-desk", lang.t("在工作台查看全部问题、申请转办(需联网)›", "All issues, transfer requests: the desk (online) ›"))}
    }
}

/// What the officer can do with an issue's evidence: start, continue, correct, or wait.
fn evidence_action(
    ctx: Ctx,
    lang: Lang,
    id: &str,
    evidence: Option<(String, EvidenceState)>,
) -> Element {
    rsx! {
        match evidence {
            Some((client_id, EvidenceState::Draft)) => rsx! {
                button {
                    class: "primary",
                    "data-testid": "continue-evidence",
                    onclick: ctx.go_to(Screen::Evidence(client_id.clone())),
                    {lang.t("继续填写整改佐证", "Continue the evidence")}
                }
            },
            Some((client_id, state @ EvidenceState::NeedsAttention { .. })) => rsx! {
                EvidenceTag { state }
                button {
                    class: "primary",
                    "data-testid": "redo-evidence",
                    onclick: move |_| {
                        let client_id = client_id.clone();
                        open_draft(ctx, move |o| o.redo_evidence(&client_id, platform::new_id()));
                    },
                    {lang.t("修改后重新提交", "Correct and send again")}
                }
            },
            Some((_, state)) if state != EvidenceState::Sent => rsx! {
                EvidenceTag { state }
            },
            _ => rsx! {
                button {
                    class: "primary",
                    "data-testid": "start-evidence",
                    onclick: {
                        let id = id.to_owned();
                        move |_| {
                            let id = id.clone();
                            open_draft(ctx, move |o| o.open_evidence(&id, platform::new_id()));
                        }
                    },
                    {lang.t("提交整改佐证", "Submit evidence")}
                }
            },
        }
    }
}

/// Evidence on its way for issues that have left the list; a refused one can be removed.
fn sent_evidence(ctx: Ctx, lang: Lang, sent: Vec<(String, String, EvidenceState)>) -> Element {
    rsx! {
        for (client_id, title, state) in sent {
            div { key: "{client_id}", class: "card item", "data-testid": "evidence-sent",
                strong { "{title}" }
                if matches!(state, EvidenceState::NeedsAttention { .. }) {
                    // Its issue is no longer the department's to fix: seen, it can go.
                    button {
                        class: "link",
                        "data-testid": "drop-evidence",
                        onclick: {
                            let client_id = client_id.clone();
                            move |_| {
                                let client_id = client_id.clone();
                                spawn(async move {
                                    let dropped = ctx
                                        .change(&[Doc::Outbox], |d| {
                                            Ok(d.outbox.drop_refused_evidence(&client_id))
                                        })
                                        .await;
                                    if let (Ok(photos), Some(store)) = (dropped, storage()) {
                                        for sha in photos {
                                            if !ctx.data.peek().photo_referenced(&sha) {
                                                let _ = store.delete_photo(&sha).await;
                                            }
                                        }
                                    }
                                });
                            }
                        },
                        {lang.t("移除", "Remove")}
                    }
                }
                EvidenceTag { state }
            }
        }
    }
}

/// Opens a round of evidence in the outbox — a new one, or a refused one taken back as it
/// was — and goes to its form once that is stored (a failed write is shown by `change`).
fn open_draft(ctx: Ctx, open: impl FnOnce(&mut Outbox) -> Result<String, OutboxError> + 'static) {
    spawn(async move {
        let mut ctx = ctx;
        let opened = ctx
            .change(&[Doc::Outbox], |d| {
                open(&mut d.outbox).map_err(StoreError::Outbox)
            })
            .await;
        if let Ok(draft) = opened {
            ctx.go(Screen::Evidence(draft));
        }
    });
}

/// Where a round of evidence stands, in words.
#[component]
fn EvidenceTag(state: EvidenceState) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    match state {
        EvidenceState::Draft => rsx! {
            span { class: "tag", {lang.t("填写中", "Being written")} }
        },
        EvidenceState::Waiting => rsx! {
            span { class: "tag warn", "data-testid": "evidence-waiting",
                {lang.t("已保存在手机上,联网后自动提交", "Saved on this phone; goes when online")}
            }
        },
        EvidenceState::Sent => rsx! {
            span { class: "tag live", "data-testid": "evidence-delivered",
                {lang.t("已提交,待验收", "Submitted; awaiting acceptance")}
            }
        },
        EvidenceState::NeedsAttention { message, .. } => rsx! {
            span { class: "tag warn", "data-testid": "evidence-refused", role: "alert",
                {lang.t("未被接收:", "Not accepted: ")} "{message}"
            }
        },
    }
}

/// The evidence of one fix: photos first (stored on the phone, then shown), then what was
/// done. Every change is kept with the draft, so a reload finds it as it was.
#[component]
pub fn EvidenceForm(id: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let tried = use_signal(|| false);
    let saving = use_signal(|| false);
    let processing = use_signal(|| 0_u32);
    let problem = use_signal(|| None::<(String, String)>);
    let urls = use_signal(HashMap::<String, String>::new);

    let data = ctx.data.read();
    let Some(entry) = data.outbox.evidence(&id).cloned() else {
        return rsx! {
            p { class: "hint", {lang.t("这份整改佐证已不存在。", "This evidence no longer exists.")} }
        };
    };
    drop(data);
    if entry.state != EvidenceState::Draft {
        return rsx! {
            h1 { "{entry.issue_title}" }
            EvidenceTag { state: entry.state }
        };
    }

    let on_photos = {
        let id = id.clone();
        move |e: FormEvent| take_evidence_photos(ctx, &id, e, problem, processing, urls)
    };

    let on_note = {
        let id = id.clone();
        move |v: String| {
            let id = id.clone();
            spawn_forever(async move {
                let _ = ctx
                    .change(&[Doc::Outbox], move |d| {
                        d.outbox
                            .edit_evidence(&id, |e| e.note = v)
                            .map_err(StoreError::Outbox)
                    })
                    .await;
            });
        }
    };

    let submit = {
        let id = id.clone();
        move |_| submit_evidence(ctx, &id, saving, tried, urls)
    };

    let discard = {
        let id = id.clone();
        move |_| discard_evidence(ctx, &id)
    };

    let busy = processing() > 0;
    let count = entry.photos.len();

    rsx! {
        section { class: "card finding", "data-testid": "evidence-form",
            h1 { {lang.t("整改佐证", "Evidence of the fix")} }
            p { class: "muted", "{entry.issue_title}" }
            p { class: "label", {lang.t("整改后照片", "Photos after the fix")} " ({count}/{MAX_EVIDENCE_PHOTOS})" }
            PhotoStrip {
                photos: entry.photos.clone(),
                urls,
                busy,
                max: MAX_EVIDENCE_PHOTOS,
                on_photos,
            }
            {photo_problem(lang, "evidence-problem", problem())}
            TextField {
                label: lang.t("整改情况", "What was done").to_owned(),
                name: "note",
                rule: Text::EvidenceNote,
                initial: entry.note.clone(),
                show_required: tried(),
                rows: 4,
                on_input: on_note,
            }
            button {
                class: "primary big",
                "data-testid": "submit-evidence",
                disabled: saving() || busy,
                onclick: submit,
                {lang.t("提交整改佐证", "Submit evidence")}
            }
            button { class: "link danger", "data-testid": "discard-evidence", onclick: discard,
                {lang.t("放弃这份佐证", "Discard this evidence")}
            }
        }
    }
}

/// Stores the chosen photos with the evidence one at a time; each shows once stored.
fn take_evidence_photos(
    ctx: Ctx,
    id: &str,
    e: FormEvent,
    problem: Signal<Option<(String, String)>>,
    processing: Signal<u32>,
    urls: Signal<HashMap<String, String>>,
) {
    let id = id.to_owned();
    take_chosen_photos(
        ctx,
        e,
        (problem, processing, urls),
        &[Doc::Outbox],
        move |d, sha| {
            d.outbox
                .edit_evidence(&id, |e| {
                    if !e.photos.contains(&sha) {
                        e.photos.push(sha);
                    }
                })
                .map_err(StoreError::Outbox)
        },
    );
}

/// Submits the evidence to the outbox; the note's own rule shows beside the field.
fn submit_evidence(
    ctx: Ctx,
    id: &str,
    saving: Signal<bool>,
    tried: Signal<bool>,
    urls: Signal<HashMap<String, String>>,
) {
    // One tap, one record: a second tap while saving does nothing, and the store
    // submits a draft only once.
    let id = id.to_owned();
    let of = id.clone();
    save_once(
        ctx,
        (saving, tried, urls),
        &[Doc::Outbox],
        move |d| d.outbox.submit_evidence(&id).map_err(StoreError::Outbox),
        |mut ctx| {
            ctx.say(
                "整改佐证已保存在手机上,联网后自动提交",
                "Evidence saved on this phone; it goes when online",
            );
            ctx.go(Screen::Home);
            ctx.sync_now();
        },
        // The note's length and emptiness show beside the field as it is typed;
        // any other rule is said here.
        move |ctx, e| {
            matches!(e, StoreError::Outbox(OutboxError::Invalid(e))
                if e.field == "note"
                    && Text::EvidenceNote
                        .check(
                            "note",
                            ctx.data
                                .peek()
                                .outbox
                                .evidence(&of)
                                .map_or("", |e| e.note.trim()),
                        )
                        .is_err())
        },
    );
}

/// Discards the evidence and the photos nothing else refers to.
fn discard_evidence(ctx: Ctx, id: &str) {
    let id = id.to_owned();
    spawn(async move {
        let mut ctx = ctx;
        let photos = ctx
            .data
            .peek()
            .outbox
            .evidence(&id)
            .map(|e| e.photos.clone())
            .unwrap_or_default();
        let done = ctx
            .change(&[Doc::Outbox], |d| {
                d.outbox.discard_evidence(&id);
                Ok(())
            })
            .await;
        if done.is_ok() {
            if let Some(store) = storage() {
                for sha in photos {
                    if !ctx.data.peek().photo_referenced(&sha) {
                        let _ = store.delete_photo(&sha).await;
                    }
                }
            }
            ctx.go(Screen::Home);
        }
    });
}
