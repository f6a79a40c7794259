//! The outbox: every submitted walkthrough with its sync state and photo progress, the
//! manager's decision when there is one, a returned walkthrough's comment with the way to
//! correct it, a department officer's evidence on its way, and a button to sync now.

use dioxus::prelude::*;

use flowwalk_shared::sync::ReviewStatus;

use super::{Ctx, Screen};
use crate::i18n::Lang;
use crate::outbox::{EvidenceEntry, EvidenceState, OutboxEntry, SendState};

/// A walkthrough in the outbox: the entry, title, venue, photos, and photos sent.
type EntryRow = (OutboxEntry, String, String, usize, usize);
use crate::store::Doc;

#[component]
pub fn OutboxScreen() -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let syncing = *ctx.syncing.read();
    let _ = ctx.now.read();
    let online = crate::platform::online();
    let data = ctx.data.read();
    let status = data.sync.clone();
    // "In sync" only when it is true: online, the last round reached the server with no
    // problem, and nothing (record or photo) waits.
    // The server refused the account itself (disabled, a new password first).
    let account = status
        .problem
        .as_deref()
        .and_then(flowwalk_shared::ErrorCode::parse)
        .filter(|c| {
            matches!(
                c,
                flowwalk_shared::ErrorCode::AccountDisabled
                    | flowwalk_shared::ErrorCode::PasswordChangeRequired
            )
        });
    let unsent = data.has_unsent();
    let attention = data.needs_attention();
    let in_sync = online
        && status.at_ms > 0
        && status.reached_server
        && status.problem.is_none()
        && !unsent
        && !attention;
    let mut rows: Vec<EntryRow> = Vec::new();
    for e in data.outbox.entries.iter().rev() {
        let (title, venue) = data.titles(&e.record.assignment_id, &e.record.scenario_version_id);
        let total = e.record.photo_hashes().len();
        let sent_photos = match e.state {
            SendState::Waiting => 0,
            _ => total.saturating_sub(e.missing_photos.len()),
        };
        rows.push((e.clone(), title, venue, total, sent_photos));
    }
    let evidence: Vec<_> = data
        .outbox
        .evidence
        .iter()
        .rev()
        .filter(|e| e.state != EvidenceState::Draft)
        .cloned()
        .collect();
    drop(data);

    rsx! {
        section { class: "outbox",
            h1 { {lang.t("发件箱", "Outbox")} }
            div { class: "sync-line",
                button {
                    class: "primary",
                    "data-testid": "sync-now",
                    disabled: syncing,
                    onclick: move |_| ctx.sync_now(),
                    if syncing {
                        {lang.t("正在同步…", "Syncing…")}
                    } else {
                        {lang.t("立即同步", "Sync now")}
                    }
                }
                span { class: "muted small", "data-testid": "sync-status",
                    if status.problem.as_deref() == Some("needs_login") {
                        {lang.t("需要重新登录", "Log in again")}
                    } else if let Some(code) = account {
                        {lang.label(code)}
                    } else if !online {
                        {lang.t("离线:记录都在手机上,联网后自动发送", "Offline: everything is on this phone and is sent when online")}
                    } else if syncing {
                        {lang.t("正在同步…", "Syncing…")}
                    } else if in_sync {
                        {lang.t("已与服务器同步", "In sync with the server")}
                    } else if attention && !unsent && status.problem.is_none() {
                        {lang.t("有记录未被服务器接收,请按说明处理", "The server did not accept a record: see below")}
                    } else if status.problem.is_some() {
                        {lang.t("上次同步未完成,将自动重试", "Last sync did not finish; retrying by itself")}
                    } else if unsent {
                        {lang.t("有待发送的记录或照片", "Records or photos wait to be sent")}
                    } else {
                        {lang.t("尚未与服务器同步", "Not in touch with the server yet")}
                    }
                }
            }
            if !crate::platform::persisted()
                && (rows.iter().any(|(e, ..)| e.state != SendState::Sent)
                    || evidence.iter().any(|e| e.state != EvidenceState::Sent))
            {
                div { class: "banner warn", "data-testid": "storage-at-risk",
                    {lang.t(
                        "浏览器可能在空间不足时清理未安装网站的数据。请把本应用“添加到主屏幕”,并尽快联网发送。",
                        "The browser may clear data of sites that are not installed when space runs low. Add this app to the home screen and send soon.",
                    )}
                }
            }
            if rows.is_empty() && evidence.is_empty() {
                p { class: "hint", {lang.t("还没有提交的记录。", "Nothing submitted yet.")} }
            }
            {evidence_items(lang, evidence)}
            {entry_items(lang, rows)}
        }
    }
}

/// A department officer's evidence on its way, newest first.
fn evidence_items(lang: Lang, evidence: Vec<EvidenceEntry>) -> Element {
    rsx! {
        for e in evidence {
            div {
                key: "{e.client_id}",
                class: "card item",
                "data-testid": "outbox-evidence",
                "data-state": match e.state {
                    EvidenceState::Draft | EvidenceState::Waiting => "waiting",
                    EvidenceState::Sent => "sent",
                    EvidenceState::NeedsAttention { .. } => "attention",
                },
                strong { {lang.t("整改佐证:", "Evidence: ")} "{e.issue_title}" }
                span { class: "state",
                    {match &e.state {
                        EvidenceState::Draft | EvidenceState::Waiting => {
                            let total = e.photos.len();
                            let sent = total.saturating_sub(e.missing_photos.len());
                            format!(
                                "{}{sent}/{total}",
                                lang.t("等待发送(已存手机),照片 ", "Waiting to send (on phone), photos "),
                            )
                        }
                        EvidenceState::Sent => lang.t("已送达服务器", "Delivered").to_owned(),
                        EvidenceState::NeedsAttention { message, .. } => {
                            format!("{}{message}", lang.t("未被接收:", "Not accepted: "))
                        }
                    }}
                }
                if let Some(err) = &e.last_error {
                    span { class: "muted small", "{err}" }
                }
            }
        }
    }
}

/// The submitted walkthroughs, newest first, with their photos and review.
fn entry_items(lang: Lang, rows: Vec<EntryRow>) -> Element {
    rsx! {
        for (e, title, venue, total, sent_photos) in rows {
            div {
                key: "{e.record.id}",
                class: "card item",
                "data-testid": "outbox-entry",
                "data-state": match e.state {
                    SendState::Waiting => "waiting",
                    SendState::UploadingPhotos => "uploading",
                    SendState::Sent => "sent",
                    SendState::NeedsAttention { .. } => "attention",
                },
                strong { "{title}" }
                span { class: "muted", "{venue}" }
                if e.record.rev > 1 {
                    span { class: "muted small", {lang.t("第 ", "Revision ")} "{e.record.rev}" {lang.t(" 次提交", "")} }
                }
                span { class: "state", "data-testid": "send-state",
                    {match &e.state {
                        SendState::Waiting => lang.t("等待发送(已存手机)", "Waiting to send (on phone)").to_owned(),
                        SendState::UploadingPhotos => lang.t("正在上传照片", "Uploading photos").to_owned(),
                        SendState::Sent => lang.t("已送达服务器", "Delivered").to_owned(),
                        SendState::NeedsAttention { message, .. } => {
                            format!("{}{message}", lang.t("需要处理:", "Needs attention: "))
                        }
                    }}
                }
                if total > 0 {
                    div { class: "progress",
                        progress { max: "{total}", value: "{sent_photos}" }
                        span { class: "small", "data-testid": "photo-progress",
                            {lang.t("照片 ", "Photos ")} "{sent_photos}/{total}"
                        }
                    }
                }
                if let Some(err) = &e.last_error {
                    span { class: "muted small", "{err}" }
                }
                if e.review.is_none() && e.next_rev().is_some() {
                    Correct { id: e.record.id.clone() }
                }
                if let Some(review) = &e.review {
                    match review.status {
                        ReviewStatus::Accepted => rsx! {
                            span { class: "tag ok", "data-testid": "review-accepted", {lang.t("已通过审核", "Accepted")} }
                        },
                        ReviewStatus::Returned => rsx! {
                            div { class: "banner warn", "data-testid": "review-returned",
                                strong { {lang.t("被退回:", "Returned: ")} }
                                span { "data-testid": "review-comment", "{review.comment}" }
                            }
                            Correct { id: e.record.id.clone() }
                        },
                        _ => rsx! {
                            span { class: "tag", {lang.t("等待审核", "Awaiting review")} }
                        },
                    }
                }
            }
        }
    }
}

/// Opens a returned or refused walkthrough for correction.
#[component]
fn Correct(id: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    rsx! {
        button {
            class: "primary",
            "data-testid": "correct",
            onclick: move |_| {
                let id = id.clone();
                spawn(async move {
                    let mut ctx = ctx;
                    let opened = ctx.change(&[Doc::Drafts], |d| d.correct(&id)).await;
                    if opened.is_ok() {
                        ctx.go(Screen::Walk(id));
                    }
                });
            },
            {lang.t("修改后重新提交", "Correct and resend")}
        }
    }
}
