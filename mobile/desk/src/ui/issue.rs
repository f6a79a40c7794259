//! One issue's page: what was found (occurrences with photos) beside what was done
//! (evidence with photos), the panel and its votes, the audit trail as a timeline, and the
//! forms of exactly the actions the server says this user may take now.

use std::rc::Rc;

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::{
    AcceptanceRequest, Constituency, EvidenceRequest, IssueAction, IssueDetail, NoteRequest,
    PanelMemberInput, PanelRequest, RecheckRequest, TransferRequest, TriageDecision, TriageRequest,
    VoteRequest,
};
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints::{self as ep, IdPath};

use super::issues::{DECISIONS, decision_name};
use super::notifications::china_time;
use super::{DeskStore, Step, client};
use crate::api::{ApiError, BodyOf};
use crate::i18n::Lang;

/// The "back to the list" link above a page.
pub(super) fn back_to_list(desk: DeskStore, lang: Lang) -> Element {
    rsx! {
        button {
            class: "link back",
            onclick: move |_| {
                let mut dk = desk;
                dk.back();
            },
            {lang.t("← 返回列表", "← Back to the list")}
        }
    }
}

/// A row of thumbnails, each labelled `label` and its number from 1.
pub(super) fn photos(label: &str, shas: &[String]) -> Element {
    rsx! {
        div { class: "photos",
            for (n, p) in shas.iter().enumerate() {
                Photo { key: "{p}", sha: p.clone(), label: format!("{label} {}", n + 1) }
            }
        }
    }
}

/// A list's data once loaded; until then what shows instead: "loading", or the error.
pub(super) fn loading_or_error<T>(
    lang: Lang,
    read: &Option<Result<T, ApiError>>,
) -> Result<&T, Element> {
    match read {
        None => Err(rsx! { p { class: "muted", {lang.t("正在加载…", "Loading…")} } }),
        Some(Err(e)) => Err(rsx! { p { class: "error", role: "alert", "{e.describe()}" } }),
        Some(Ok(x)) => Ok(x),
    }
}

/// A page's data once loaded; until then what shows instead: "loading", or the page's
/// `heading` over the error.
pub(super) fn loaded_page<T: Clone>(
    lang: Lang,
    heading: &str,
    read: &Option<Result<T, ApiError>>,
) -> Result<T, Element> {
    match read {
        None => Err(rsx! { p { class: "muted", {lang.t("正在加载…", "Loading…")} } }),
        Some(Err(e)) => {
            Err(rsx! { h1 { {heading} } p { class: "error", role: "alert", "{e.describe()}" } })
        }
        Some(Ok(x)) => Ok(x.clone()),
    }
}

/// A thumbnail of a stored photo (fetched with the session's token).
#[component]
pub fn Photo(sha: String, label: String) -> Element {
    let desk = use_context::<DeskStore>();
    let sha2 = sha.clone();
    let url = use_resource(move || {
        let sha = sha2.clone();
        async move {
            let bytes = client::thumb(desk, &sha).await?;
            crate::photo::object_url(&bytes)
        }
    });
    let src = url.read().clone().flatten();
    rsx! {
        if let Some(src) = src {
            img { class: "thumb", src: "{src}", alt: "{label}", "data-testid": "photo" }
        } else {
            span { class: "thumb empty", role: "img", "aria-label": "{label}" }
        }
    }
}

#[component]
pub fn IssuePage(id: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let detail = client::use_by_id(desk, ep::issues::Get, id.clone());
    let d = match loaded_page(lang, lang.t("问题", "Issue"), &detail.read()) {
        Ok(x) => x,
        Err(shown) => return shown,
    };
    let s = &d.summary;
    let deadline = s.deadline.map(|x| x.to_string());
    let last_round = d.evidence.iter().map(|e| e.round).max();
    rsx! {
        {back_to_list(desk, lang)}
        article { class: "issue", "data-testid": "issue-page", "data-status": "{s.status}", "data-id": "{s.id}",
            h1 { "{s.title}" }
            div { class: "line",
                span { class: "tag", "data-testid": "issue-status", {lang.label(s.status)} }
                if s.overdue {
                    span { class: "tag warn", {lang.t("已逾期", "Overdue")} }
                }
                span { {lang.label(s.severity)} }
                span { "{s.department_name}" }
                span { class: "muted", "{s.venue_name}" }
                if let Some(sc) = &s.scenario_name {
                    span { class: "muted", "{sc} · {s.step_name}" }
                }
                if let Some(dl) = deadline {
                    span { class: "strong", "data-testid": "deadline", {format!("{} {dl}", lang.t("整改期限", "Deadline"))} }
                }
            }
            if let Some(w) = &d.calendar_warning {
                p { class: "banner warn", "{w}" }
            }
            p { class: "description", "{d.description}" }
            if !d.resolution.is_empty() {
                p { class: "banner", strong { {lang.t("说明/意见:", "Note: ")} } "{d.resolution}" }
            }
            if !d.transfer_note.is_empty() {
                p { class: "banner warn", strong { {lang.t("转办申请:", "Transfer request: ")} } "{d.transfer_note}" }
            }
            Actions { detail: d.clone() }
            {before_after(lang, &d)}
            if !d.panel.is_empty() {
                section { class: "card",
                    h2 { {lang.t("验收团", "Acceptance panel")} }
                    ul { class: "plain",
                        for m in d.panel.iter() {
                            li { key: "{m.user_id}", "data-testid": "panel-member",
                                "{m.display_name} · " {lang.label(m.constituency)}
                                if m.conflicted { span { class: "muted", {lang.t("(回避,不投票)", " (conflicted: no vote)")} } }
                                for v in d.votes.iter().filter(|v| v.user_id == m.user_id && Some(v.round) >= last_round) {
                                    span { key: "{v.round}", class: if v.approve { "tag ok" } else { "tag warn" }, "data-testid": "vote",
                                        if v.approve { {lang.t("通过", "Approved")} } else { {lang.t("不通过", "Rejected")} }
                                    }
                                    if !v.reason.is_empty() { span { class: "small", " {v.reason}" } }
                                }
                            }
                        }
                    }
                }
            }
            section { class: "card",
                h2 { {lang.t("办理记录", "Audit trail")} }
                ol { class: "timeline", "data-testid": "timeline",
                    for e in d.events.iter() {
                        li { key: "{e.seq}",
                            span { class: "when small muted", {china_time(e.at)} }
                            " "
                            strong { {lang.label(e.action)} }
                            " → " {lang.label(e.to_state)}
                            span { class: "small muted", " ({e.actor})" }
                        }
                    }
                }
            }
        }
    }
}

/// What was found (before) beside the evidence of the fix (after), newest round first.
fn before_after(lang: Lang, d: &IssueDetail) -> Element {
    let last_round = d.evidence.iter().map(|e| e.round).max();
    rsx! {
        div { class: "compare",
            section { class: "card", "data-testid": "before",
                h2 { {lang.t("发现的问题(整改前)", "What was found (before)")} }
                for o in d.occurrences.iter() {
                    div { key: "{o.id}", class: "occurrence",
                        p { class: "small muted", {china_time(o.seen_at)} " · " {lang.label(o.severity)} }
                        p { "{o.description}" }
                        {photos(lang.t("问题照片", "Finding photo"), &o.photos)}
                    }
                }
            }
            section { class: "card", "data-testid": "after",
                h2 { {lang.t("整改佐证(整改后)", "Evidence of the fix (after)")} }
                if d.evidence.is_empty() {
                    p { class: "muted", {lang.t("尚未提交。", "None yet.")} }
                }
                for e in d.evidence.iter().rev() {
                    div { key: "{e.round}-{e.created_at}", class: if Some(e.round) == last_round { "evidence" } else { "evidence old" },
                        p { class: "small muted", {format!("{} {} · ", lang.t("第", "Round "), e.round)} {china_time(e.created_at)} }
                        p { "data-testid": "evidence-note", "{e.note}" }
                        {photos(lang.t("整改照片", "Evidence photo"), &e.photos)}
                    }
                }
            }
        }
    }
}

/// The forms of the actions this user may take now, nothing else.
#[component]
fn Actions(detail: IssueDetail) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let has = |a: IssueAction| detail.actions.contains(&a);
    let id = detail.summary.id.clone();
    let version = detail.summary.version;
    let triage: Vec<_> = DECISIONS
        .iter()
        .copied()
        .filter(|d| {
            has(match d {
                flowwalk_shared::api::issues::TriageDecision::Dismiss => IssueAction::Dismiss,
                flowwalk_shared::api::issues::TriageDecision::Explain => IssueAction::Explain,
                flowwalk_shared::api::issues::TriageDecision::FixNow => IssueAction::FixNow,
                flowwalk_shared::api::issues::TriageDecision::Ledger => IssueAction::Ledger,
            })
        })
        .collect();
    let any = !triage.is_empty()
        || [
            IssueAction::SubmitEvidence,
            IssueAction::RequestTransfer,
            IssueAction::Transfer,
            IssueAction::DeclineTransfer,
            IssueAction::AcceptEvidence,
            IssueAction::FormPanel,
            IssueAction::Approve,
            IssueAction::RecheckSatisfied,
            IssueAction::Appeal,
        ]
        .into_iter()
        .any(has);
    if !any {
        return rsx! {};
    }
    rsx! {
        section { class: "card actions", "data-testid": "actions",
            h2 { {lang.t("办理", "Act")} }
            if !triage.is_empty() {
                TriageForm { id: id.clone(), version, options: triage.clone() }
            }
            if has(IssueAction::SubmitEvidence) {
                EvidenceForm { id: id.clone(), version }
            }
            if has(IssueAction::AcceptEvidence) {
                AcceptanceForm { id: id.clone(), version }
            }
            if has(IssueAction::FormPanel) {
                PanelForm {
                    id: id.clone(),
                    version,
                    current: [Constituency::ServiceOffice, Constituency::WindowRep, Constituency::CitizenPatrol]
                        .map(|c| detail.panel.iter().find(|m| m.constituency == c).map(|m| m.user_id.clone()).unwrap_or_default()),
                }
            }
            if has(IssueAction::Approve) || has(IssueAction::Reject) {
                VoteForm { id: id.clone(), version }
            }
            if has(IssueAction::RecheckSatisfied) {
                RecheckForm { id: id.clone(), version }
            }
            if has(IssueAction::Transfer) || has(IssueAction::DeclineTransfer) {
                TransferForm { id: id.clone(), version, decline: has(IssueAction::DeclineTransfer) }
            }
            if has(IssueAction::RequestTransfer) {
                NoteForm {
                    id: id.clone(), version, endpoint: NoteStep::TransferRequest,
                    label: lang.t("申请转办:说明理由(应由哪个部门负责)", "Ask for a transfer: why, and which department should own it").to_owned(),
                    button: lang.t("申请转办", "Ask for a transfer").to_owned(),
                    testid: "request-transfer",
                }
            }
            if has(IssueAction::Appeal) {
                NoteForm {
                    id: id.clone(), version, endpoint: NoteStep::Appeal,
                    label: lang.t("申诉理由", "Why this should be looked at again").to_owned(),
                    button: lang.t("申诉", "Appeal").to_owned(),
                    testid: "appeal",
                }
            }
        }
    }
}

#[component]
fn TriageForm(id: String, version: i32, options: Vec<TriageDecision>) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let first = options.first().copied();
    let mut decision = use_signal(|| first);
    let mut reason = use_signal(String::new);
    let mut busy = use_signal(|| false);
    rsx! {
        form {
            class: "act",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                let Some(dec) = *decision.peek() else { return };
                let body = TriageRequest {
                    expected_version: version,
                    decision: dec,
                    reason: reason.peek().trim().to_owned(),
                    department_id: None,
                    severity: None,
                };
                let path = id.clone();
                busy.set(true);
                spawn(async move {
                    desk.act(ep::issues::Triage, path, body, "已研判", "Triaged").await;
                    busy.set(false);
                });
            },
            h3 { {lang.t("研判", "Triage")} }
            label { {lang.t("研判结果", "Decision")}
                select {
                    name: "decision",
                    onchange: move |e| decision.set(TriageDecision::parse(&e.value())),
                    for d in options.iter().copied() {
                        option { key: "{d}", value: d.as_str(), selected: decision() == Some(d), {decision_name(lang, d)} }
                    }
                }
            }
            label { {lang.t("理由(不予受理、解释说明时必填)", "Reason (required to dismiss or explain)")}
                textarea { name: "reason", value: "{reason}", oninput: move |e| reason.set(e.value()) }
            }
            button { class: "primary", r#type: "submit", "data-testid": "triage", disabled: busy(), {lang.t("提交研判", "Triage")} }
        }
    }
}

#[component]
fn EvidenceForm(id: String, version: i32) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut note = use_signal(String::new);
    let mut busy = use_signal(|| false);
    // This form's evidence has one id: a second submit after a lost answer is stored once.
    let client_id = use_signal(crate::platform::new_id);
    rsx! {
        form {
            class: "act",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                if *busy.peek() {
                    return;
                }
                let path = id.clone();
                busy.set(true);
                spawn(async move {
                    let mut d = desk;
                    let photos = match upload_chosen(desk).await {
                        Ok(p) => p,
                        Err(msg) => {
                            d.fail(msg);
                            busy.set(false);
                            return;
                        }
                    };
                    let body = EvidenceRequest {
                        expected_version: version,
                        note: note.peek().trim().to_owned(),
                        photos,
                        client_id: Some(client_id.peek().clone()),
                    };
                    if desk.act(ep::issues::Evidence, path, body, "整改佐证已提交", "Evidence submitted").await {
                        note.set(String::new());
                    }
                    busy.set(false);
                });
            },
            h3 { {lang.t("提交整改佐证", "Submit evidence of the fix")} }
            label { {lang.t("整改情况", "What was done")}
                textarea { name: "evidence-note", value: "{note}", oninput: move |e| note.set(e.value()) }
            }
            label { {lang.t("整改后照片", "Photos after the fix")}
                input { id: EVIDENCE_INPUT, r#type: "file", accept: "image/*", multiple: true, name: "evidence-photos" }
            }
            button { class: "primary", r#type: "submit", "data-testid": "submit-evidence", disabled: busy(),
                if busy() { {lang.t("正在提交…", "Submitting…")} } else { {lang.t("提交佐证", "Submit evidence")} }
            }
        }
    }
}

const EVIDENCE_INPUT: &str = "evidence-photos";

/// The chosen photos, prepared as the observer's are (downscaled, EXIF gone) and uploaded.
async fn upload_chosen(desk: DeskStore) -> Result<Vec<String>, String> {
    use wasm_bindgen::JsCast;
    let english = desk.lang().is_en();
    let files = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(EVIDENCE_INPUT))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.files());
    let Some(files) = files else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for f in (0..files.length()).filter_map(|i| files.get(i)) {
        let p = crate::photo::prepare(&f)
            .await
            .map_err(|e| e.message(english))?;
        client::put_photo(desk, &p.sha256, p.bytes)
            .await
            .map_err(|e| e.describe())?;
        out.push(p.sha256);
    }
    Ok(out)
}

/// One button of a two-way step: its test hook, its words and what shows once it went.
struct Choice {
    testid: &'static str,
    text: &'static str,
    done: (&'static str, &'static str),
}

/// A step decided by one of two buttons under a note (accept, vote, re-check): the button
/// picked and the note, trimmed, make the `body` sent to `step`.
#[allow(clippy::too_many_arguments)]
fn two_way_form<E: Step>(
    step: E,
    id: String,
    heading: &'static str,
    label: &'static str,
    name: &'static str,
    yes: Choice,
    no: Choice,
    body: impl Fn(bool, String) -> BodyOf<E> + 'static,
) -> Element
where
    BodyOf<E>: 'static,
{
    let desk = use_context::<DeskStore>();
    let mut note = use_signal(String::new);
    let pick = Rc::new(move |picked: bool| {
        let (zh, en) = if picked { yes.done } else { no.done };
        let request = body(picked, note.peek().trim().to_owned());
        desk.fire(step, id.clone(), request, zh, en);
    });
    let pick_no = pick.clone();
    rsx! {
        div { class: "act",
            h3 { {heading} }
            label { {label}
                textarea { name: name, value: "{note}", oninput: move |e| note.set(e.value()) }
            }
            div { class: "buttons",
                button { class: "primary", "data-testid": yes.testid,
                    onclick: move |_| pick(true),
                    {yes.text}
                }
                button { class: "danger", "data-testid": no.testid,
                    onclick: move |_| pick_no(false),
                    {no.text}
                }
            }
        }
    }
}

#[component]
fn AcceptanceForm(id: String, version: i32) -> Element {
    let lang = use_context::<DeskStore>().lang();
    two_way_form(
        ep::issues::Acceptance,
        id,
        lang.t("验收整改", "Accept the fix"),
        lang.t(
            "不通过理由(不通过时必填)",
            "What is still wrong (to reject)",
        ),
        "acceptance-reason",
        Choice {
            testid: "accept-evidence",
            text: lang.t("验收通过", "Accept"),
            done: ("验收通过", "Accepted"),
        },
        Choice {
            testid: "reject-evidence",
            text: lang.t("不通过,退回部门", "Reject, back to the department"),
            done: ("已退回部门", "Returned to the department"),
        },
        move |accept, reason| AcceptanceRequest {
            expected_version: version,
            accept,
            reason: if accept { String::new() } else { reason },
        },
    )
}

#[component]
fn VoteForm(id: String, version: i32) -> Element {
    let lang = use_context::<DeskStore>().lang();
    two_way_form(
        ep::issues::Vote,
        id,
        lang.t("验收投票", "Your vote"),
        lang.t("意见(不通过时必填)", "Comment (required to reject)"),
        "vote-reason",
        Choice {
            testid: "vote-approve",
            text: lang.t("通过", "Approve"),
            done: ("已投票:通过", "Voted: approve"),
        },
        Choice {
            testid: "vote-reject",
            text: lang.t("不通过", "Reject"),
            done: ("已投票:不通过", "Voted: reject"),
        },
        move |approve, reason| VoteRequest {
            expected_version: version,
            approve,
            reason,
        },
    )
}

#[component]
fn RecheckForm(id: String, version: i32) -> Element {
    let lang = use_context::<DeskStore>().lang();
    two_way_form(
        ep::issues::Recheck,
        id,
        lang.t(
            "回访:整改后是否满意?",
            "Re-check: are you satisfied with the fix?",
        ),
        lang.t("补充说明", "Note"),
        "recheck-note",
        Choice {
            testid: "recheck-satisfied",
            text: lang.t("满意", "Satisfied"),
            done: ("感谢回访", "Thank you"),
        },
        Choice {
            testid: "recheck-unsatisfied",
            text: lang.t("不满意", "Not satisfied"),
            done: ("已重新整改", "Reopened"),
        },
        move |satisfied, note| RecheckRequest {
            expected_version: version,
            satisfied,
            note,
        },
    )
}

/// The steps that carry only a note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoteStep {
    Appeal,
    TransferRequest,
}

#[component]
fn NoteForm(
    id: String,
    version: i32,
    endpoint: NoteStep,
    label: String,
    button: String,
    testid: &'static str,
) -> Element {
    let desk = use_context::<DeskStore>();
    let mut note = use_signal(String::new);
    rsx! {
        form {
            class: "act",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                let path = id.clone();
                let body = NoteRequest { expected_version: version, note: note.peek().trim().to_owned() };
                spawn(async move {
                    let sent = match endpoint {
                        NoteStep::Appeal => desk.act(ep::issues::Appeal, path, body, "已提交", "Sent").await,
                        NoteStep::TransferRequest => desk.act(ep::issues::TransferRequest, path, body, "已提交", "Sent").await,
                    };
                    if sent {
                        note.set(String::new());
                    }
                });
            },
            label { "{label}"
                textarea { name: "{testid}-note", value: "{note}", oninput: move |e| note.set(e.value()) }
            }
            button { class: "secondary", r#type: "submit", "data-testid": "{testid}", "{button}" }
        }
    }
}

#[component]
fn TransferForm(id: String, version: i32, decline: bool) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut department = use_signal(String::new);
    let mut note = use_signal(String::new);
    let departments = use_resource(move || async move {
        client::get(desk, ep::departments::List)
            .await
            .unwrap_or_default()
    });
    let list = departments.read().clone().unwrap_or_default();
    let id2 = id.clone();
    rsx! {
        div { class: "act",
            h3 { {lang.t("转办", "Transfer")} }
            label { {lang.t("转至部门", "To department")}
                select { name: "transfer-department", onchange: move |e| department.set(e.value()),
                    option { value: "", {lang.t("请选择", "Choose")} }
                    for d in list {
                        option { key: "{d.id}", value: "{d.id}", "{d.name}" }
                    }
                }
            }
            label { {lang.t("说明", "Note")}
                textarea { name: "transfer-note", value: "{note}", oninput: move |e| note.set(e.value()) }
            }
            div { class: "buttons",
                button { class: "primary", "data-testid": "transfer",
                    onclick: move |_| {
                        let dep = department.peek().clone();
                        if dep.is_empty() { return; }
                        let path = id.clone();
                        let note = note.peek().trim().to_owned();
                        desk.fire(ep::issues::Transfer, path, TransferRequest { expected_version: version, department_id: Some(dep), note }, "已转办", "Transferred");
                    },
                    {lang.t("转办", "Transfer")}
                }
                if decline {
                    button { class: "secondary", "data-testid": "decline-transfer",
                        onclick: move |_| {
                            let path = id2.clone();
                            let note = note.peek().trim().to_owned();
                            desk.fire(ep::issues::Transfer, path, TransferRequest { expected_version: version, department_id: None, note }, "已驳回转办申请", "Transfer request declined");
                        },
                        {lang.t("驳回转办申请", "Decline the request")}
                    }
                }
            }
        }
    }
}

#[component]
fn PanelForm(id: String, version: i32, current: [String; 3]) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let users = use_resource(move || async move {
        client::get(desk, ep::users::List)
            .await
            .map(|u| {
                u.into_iter()
                    .filter(|u| u.role == Role::PanelMember && u.active)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let panel = users.read().clone().unwrap_or_default();
    let formed = current.iter().any(|u| !u.is_empty());
    let mut chosen = use_signal(|| current.clone());
    let constituencies = [
        Constituency::ServiceOffice,
        Constituency::WindowRep,
        Constituency::CitizenPatrol,
    ];
    rsx! {
        form {
            class: "act",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                let picks = chosen.peek().clone();
                let members: Vec<PanelMemberInput> = constituencies
                    .iter()
                    .zip(picks.iter())
                    .filter(|(_, u)| !u.is_empty())
                    .map(|(c, u)| PanelMemberInput { user_id: u.clone(), constituency: *c })
                    .collect();
                let path = IdPath::new(id.clone());
                spawn(async move {
                    let mut d = desk;
                    match client::call(desk, ep::issues::Panel, &path, &NoQuery {}, &PanelRequest { expected_version: version, members }).await {
                        Ok(_) => {
                            d.say(lang.t("验收团已组建", "Panel formed"));
                            d.changed();
                        }
                        Err(e) => d.fail(e.describe()),
                    }
                });
            },
            h3 {
                if formed { {lang.t("调整验收团", "Change the acceptance panel")} } else { {lang.t("组建验收团", "Form the acceptance panel")} }
            }
            for (n, c) in constituencies.into_iter().enumerate() {
                label { key: "{c}", {lang.label(c)}
                    select {
                        name: "panel-{c}",
                        onchange: move |e| chosen.write()[n] = e.value(),
                        option { value: "", {lang.t("请选择", "Choose")} }
                        for u in panel.iter() {
                            option { key: "{u.id}", value: "{u.id}", selected: chosen.read()[n] == u.id, "{u.display_name} ({u.username})" }
                        }
                    }
                }
            }
            button { class: "primary", r#type: "submit", "data-testid": "form-panel", {lang.t("组建", "Form the panel")} }
        }
    }
}
