//! Recording a problem (堵点) at a step: photos from the camera first (downscaled on the
//! phone, stored, and only then shown as taken), then category, severity, description and
//! the location if the observer wants it. Every choice is stored with the draft as it is
//! made, so a reload or a killed app finds the finding as it was.

use std::collections::HashMap;

use dioxus::core::spawn_forever;
use dioxus::html::FileData;
use dioxus::prelude::*;

use flowwalk_shared::api::categories::Category;
use flowwalk_shared::rules::{MAX_PHOTOS_PER_FINDING, Text};
use flowwalk_shared::taxonomy::CategoryGroup;
use flowwalk_shared::walkthrough::{GeoPoint, Severity};

use super::{Ctx, Screen, TextField, storage};
use crate::i18n::Lang;
use crate::platform;
use crate::recorder::FindingDraft;
use crate::storage::{Storage, StorageError};
use crate::store::Doc;

const PHOTO_INPUT: &str = "finding-photo-input";

/// One change to the finding in progress.
type FindingChange = Box<dyn FnOnce(&mut FindingDraft)>;

/// What to tell the observer when a photo could not be stored on the phone.
fn not_stored(e: &StorageError) -> (String, String) {
    (
        format!(
            "照片没有保存:手机存储空间不足或存储出错。请清理手机空间,或少拍几张后再拍。({})",
            e.0
        ),
        format!(
            "The photo was not saved: the phone's storage is full or failed. Free some space or take fewer photos, then try again. ({})",
            e.0
        ),
    )
}

#[component]
pub fn FindingForm(draft: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    // Open (or continue) the finding in progress, stored with the draft.
    use_hook({
        let draft = draft.clone();
        move || {
            spawn(async move {
                let _ = ctx
                    .change(&[Doc::Drafts], move |d| {
                        d.edit_draft(&draft, |dr| {
                            dr.open_finding(platform::new_id());
                        })
                    })
                    .await;
            });
        }
    });
    let tried = use_signal(|| false);
    let saving = use_signal(|| false);
    let processing = use_signal(|| 0_u32);
    let locating = use_signal(|| false);
    // (zh, en) of the last photo or location problem.
    let problem = use_signal(|| None::<(String, String)>);
    // Preview URLs of stored photos, made from the stored bytes.
    let urls = use_signal(HashMap::<String, String>::new);

    let data = ctx.data.read();
    let Some(d) = data.draft(&draft) else {
        return rsx! {
            p { class: "hint", {lang.t("这次体验已提交或不存在。", "This walkthrough was submitted or does not exist.")} }
        };
    };
    let steps: Vec<(String, String)> = d
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let Some(finding) = d.finding.clone() else {
        return rsx! {
            h1 { {lang.t("记录问题", "Note a problem")} }
            p { class: "hint", {lang.t("正在打开…", "Opening…")} }
        };
    };
    let categories: Vec<_> = data
        .reference
        .as_ref()
        .map(|r| r.categories.iter().filter(|c| c.active).cloned().collect())
        .unwrap_or_default();
    drop(data);

    let fid = finding.id.clone();
    let edit = finding_editor(ctx, draft.clone(), fid.clone());

    let on_photos = {
        let draft = draft.clone();
        let fid = fid.clone();
        move |e: FormEvent| take_photos(ctx, &draft, &fid, e, problem, processing, urls)
    };

    let save = {
        let draft = draft.clone();
        let fid = fid.clone();
        move |_| save_finding(ctx, &draft, &fid, saving, tried, urls)
    };

    let category_error = tried() && finding.category_id.is_none();
    let busy = processing() > 0;

    rsx! {
        section { class: "card finding",
            h1 { {lang.t("记录问题", "Note a problem")} }
            p { class: "label", id: "photos-label", {lang.t("照片", "Photos")} " ({finding.photos.len()}/{MAX_PHOTOS_PER_FINDING})" }
            PhotoStrip {
                photos: finding.photos.clone(),
                urls,
                busy,
                max: MAX_PHOTOS_PER_FINDING,
                on_photos,
            }
            {photo_problem(lang, "finding-problem", problem())}
            {step_select(lang, &finding, steps, edit.clone())}
            p { class: "label", {lang.t("问题类别", "Category")} }
            {category_choices(lang, &finding, &categories, edit.clone())}
            if category_error {
                p { class: "error", "data-testid": "field-error", {lang.t("请选择问题类别", "Choose a category")} }
            }
            {severity_choices(lang, &finding, edit.clone())}
            TextField {
                key: "{fid}",
                label: lang.t("问题描述", "Description").to_owned(),
                name: "description".to_owned(),
                rule: Text::Description,
                initial: finding.description.clone(),
                show_required: tried(),
                placeholder: lang.t("如:叫号屏不显示,等了20分钟没人叫", "e.g. the queue screen showed nothing for 20 minutes").to_owned(),
                on_input: {
                    let edit = edit.clone();
                    move |text: String| edit(Box::new(move |f| f.description = text))
                },
            }
            {location_check(lang, &finding, locating, problem, edit.clone())}
            button {
                class: "primary big",
                "data-testid": "save-finding",
                disabled: busy,
                onclick: save,
                {lang.t("保存问题", "Save problem")}
            }
            {leave_buttons(ctx, lang, &draft)}
        }
    }
}

/// Applies one change to the finding in progress and stores it with the draft.
fn finding_editor(
    ctx: Ctx,
    draft: String,
    fid: String,
) -> impl Fn(FindingChange) + Clone + 'static {
    move |f: FindingChange| {
        let draft = draft.clone();
        let fid = fid.clone();
        spawn_forever(async move {
            let _ = ctx
                .change(&[Doc::Drafts], move |d| {
                    d.edit_draft(&draft, |dr| dr.edit_finding(&fid, f))
                })
                .await;
        });
    }
}

/// Saves the finding with its draft; rule errors show beside their fields.
fn save_finding(
    ctx: Ctx,
    draft: &str,
    fid: &str,
    saving: Signal<bool>,
    tried: Signal<bool>,
    urls: Signal<HashMap<String, String>>,
) {
    // One tap, one record: a second tap while saving does nothing, and saving the
    // same finding id again is a no-op in the store.
    let (draft, fid) = (draft.to_owned(), fid.to_owned());
    let back_to = draft.clone();
    save_once(
        ctx,
        (saving, tried, urls),
        &[Doc::Drafts],
        move |d| {
            let mut out = Ok(());
            d.edit_draft(&draft, |dr| out = dr.save_finding(&fid))?;
            out.map_err(crate::store::StoreError::Draft)
        },
        move |mut ctx| {
            ctx.say("问题已保存在手机上", "Problem saved on this phone");
            ctx.go(Screen::Walk(back_to));
        },
        // Rule errors show beside their field; storage errors as a message.
        |_, e| matches!(e, crate::store::StoreError::Draft(_)),
    );
}

/// A form's saving state: whether it is saving, whether saving was tried (its rules then
/// show), and its shown photos' addresses (freed once saved).
pub(super) type SaveSignals = (Signal<bool>, Signal<bool>, Signal<HashMap<String, String>>);

/// Saves a form once (a second tap while saving does nothing): `change` under `docs`;
/// once saved the photos' addresses are freed and `done` runs. An error `beside` owns
/// shows beside its field; any other is said as a message.
pub(super) fn save_once(
    ctx: Ctx,
    (mut saving, mut tried, urls): SaveSignals,
    docs: &'static [Doc],
    change: impl FnOnce(&mut crate::store::AppData) -> Result<(), crate::store::StoreError> + 'static,
    done: impl FnOnce(Ctx) + 'static,
    beside: impl Fn(Ctx, &crate::store::StoreError) -> bool + 'static,
) {
    if *saving.peek() {
        return;
    }
    tried.set(true);
    saving.set(true);
    spawn(async move {
        let mut ctx = ctx;
        let saved = ctx.quiet_change(docs, change).await;
        saving.set(false);
        match saved {
            Ok(()) => {
                for url in urls.peek().values() {
                    revoke(url);
                }
                done(ctx);
            }
            Err(e) if beside(ctx, &e) => {}
            Err(e) => ctx.fail(e.message(Lang::Zh), e.message(Lang::En)),
        }
    });
}

/// What went wrong with the chosen photos, if anything, in the user's language.
pub(super) fn photo_problem(
    lang: Lang,
    testid: &'static str,
    problem: Option<(String, String)>,
) -> Element {
    rsx! {
        if let Some((zh, en)) = problem {
            p { class: "error", role: "alert", "data-testid": testid,
                {if lang.is_en() { en } else { zh }}
            }
        }
    }
}

/// Stores the chosen photos one at a time; each shows as soon as it is stored.
fn take_photos(
    ctx: Ctx,
    draft: &str,
    fid: &str,
    e: FormEvent,
    problem: Signal<Option<(String, String)>>,
    processing: Signal<u32>,
    urls: Signal<HashMap<String, String>>,
) {
    let (draft, fid) = (draft.to_owned(), fid.to_owned());
    take_chosen_photos(
        ctx,
        e,
        (problem, processing, urls),
        &[Doc::Drafts],
        move |d, sha| {
            d.edit_draft(&draft, |dr| {
                dr.edit_finding(&fid, |f| {
                    if !f.photos.contains(&sha) {
                        f.photos.push(sha);
                    }
                })
            })
        },
    );
}

/// What a photo input shows while it works: the (zh, en) problem, how many photos are
/// being processed, and the shown photos' addresses.
pub(super) type PhotoSignals = (
    Signal<Option<(String, String)>>,
    Signal<u32>,
    Signal<HashMap<String, String>>,
);

/// Stores the chosen photos one at a time, each attached by `attach` (saving `docs`); each
/// shows as soon as it is stored. A file that is not a readable photo is skipped and named;
/// the first that cannot be stored (the phone's storage) stops the rest.
pub(super) fn take_chosen_photos<A>(
    ctx: Ctx,
    e: FormEvent,
    (mut problem, mut processing, mut urls): PhotoSignals,
    docs: &'static [Doc],
    attach: A,
) where
    A: Fn(&mut crate::store::AppData, String) -> Result<(), crate::store::StoreError>
        + Clone
        + 'static,
{
    let files = e.files();
    problem.set(None);
    spawn(async move {
        let mut skipped: Vec<(String, (String, String))> = Vec::new();
        let mut stopped = None;
        for chosen in chosen_photos(files) {
            let name = chosen_name(&chosen);
            processing += 1;
            let stored = store_chosen_photo(ctx, chosen, &mut urls, docs, attach.clone()).await;
            processing -= 1;
            match stored {
                Ok(()) => {}
                Err(PhotoFailure::Unreadable(why)) => skipped.push((name, why)),
                Err(PhotoFailure::Stop(p)) => {
                    stopped = Some(p);
                    break;
                }
            }
        }
        problem.set(photo_report(&skipped, stopped));
        clear_input();
    });
}

/// Why a chosen photo was not added.
pub(super) enum PhotoFailure {
    /// Not a photo the phone can read (zh, en): skipped, the others go on.
    Unreadable((String, String)),
    /// The photo could not be stored (zh, en): the rest wait.
    Stop((String, String)),
}

/// What to tell the observer after a choice: the files skipped by name, and why the rest
/// were stopped, if they were.
fn photo_report(
    skipped: &[(String, (String, String))],
    stopped: Option<(String, String)>,
) -> Option<(String, String)> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (name, (why_zh, why_en)) in skipped {
        zh.push(format!("已跳过 {name}:{why_zh}"));
        en.push(format!("Skipped {name}: {why_en}"));
    }
    if let Some((z, e)) = stopped {
        zh.push(z);
        en.push(e);
    }
    (!zh.is_empty()).then(|| (zh.join(";"), en.join("; ")))
}

#[cfg(target_arch = "wasm32")]
fn chosen_name(file: &Chosen) -> String {
    file.name()
}

#[cfg(not(target_arch = "wasm32"))]
fn chosen_name(file: &Chosen) -> String {
    file.name()
}

/// Which step the problem happened at.
fn step_select(
    lang: Lang,
    finding: &FindingDraft,
    steps: Vec<(String, String)>,
    edit: impl Fn(FindingChange) + Clone + 'static,
) -> Element {
    rsx! {
        label { {lang.t("发生在哪个环节", "At which step")}
            select {
                onchange: {
                    let edit = edit.clone();
                    move |e: FormEvent| {
                        let v = e.value();
                        edit(Box::new(move |f| f.step_id = if v.is_empty() { None } else { Some(v) }));
                    }
                },
                option { value: "", selected: finding.step_id.is_none(), {lang.t("整体/不确定", "Whole walk / not sure")} }
                for (sid, name) in steps {
                    option { key: "{sid}", value: "{sid}", selected: finding.step_id.as_deref() == Some(sid.as_str()), "{name}" }
                }
            }
        }
    }
}

/// The active categories by group; one is chosen.
fn category_choices(
    lang: Lang,
    finding: &FindingDraft,
    categories: &[Category],
    edit: impl Fn(FindingChange) + Clone + 'static,
) -> Element {
    rsx! {
        for group in CategoryGroup::ALL {
            details { key: "{group:?}", class: "group", open: true,
                summary { {lang.label(group)} }
                div { class: "choices",
                    for c in categories.iter().filter(|c| c.group == group) {
                        button {
                            key: "{c.id}",
                            class: if finding.category_id.as_deref() == Some(c.id.as_str()) { "choice on" } else { "choice" },
                            "aria-pressed": if finding.category_id.as_deref() == Some(c.id.as_str()) { "true" } else { "false" },
                            "data-testid": "category",
                            onclick: {
                                let id = c.id.clone();
                                let edit = edit.clone();
                                move |_| {
                                    let id = id.clone();
                                    edit(Box::new(move |f| f.category_id = Some(id)));
                                }
                            },
                            {if lang.is_en() { c.name_en.clone() } else { c.name_zh.clone() }}
                        }
                    }
                }
            }
        }
    }
}

/// How severe the problem is.
fn severity_choices(
    lang: Lang,
    finding: &FindingDraft,
    edit: impl Fn(FindingChange) + Clone + 'static,
) -> Element {
    rsx! {
        p { class: "label", {lang.t("严重程度", "Severity")} }
        div { class: "choices",
            for s in [Severity::Low, Severity::Medium, Severity::High] {
                button {
                    key: "{s:?}",
                    class: if finding.severity == s { "choice on" } else { "choice" },
                    "aria-pressed": if finding.severity == s { "true" } else { "false" },
                    onclick: {
                        let edit = edit.clone();
                        move |_| edit(Box::new(move |f| f.severity = s))
                    },
                    {lang.label(s)}
                }
            }
        }
    }
}

/// Attaching the current location (optional), with how precise it is.
fn location_check(
    lang: Lang,
    finding: &FindingDraft,
    mut locating: Signal<bool>,
    mut problem: Signal<Option<(String, String)>>,
    edit: impl Fn(FindingChange) + Clone + 'static,
) -> Element {
    rsx! {
        label { class: "check",
            input {
                r#type: "checkbox",
                "data-testid": "attach-location",
                // Ticked while the fix is sought; unticked again if there is none.
                checked: finding.location.is_some() || locating(),
                onchange: {
                    let edit = edit.clone();
                    move |e: FormEvent| {
                        let edit = edit.clone();
                        if e.checked() {
                            locating.set(true);
                            spawn(async move {
                                match locate().await {
                                    Some(p) => edit(Box::new(move |f| f.location = Some(p))),
                                    None => problem.set(Some(("无法获取位置(可不填)".into(), "Location unavailable (optional)".into()))),
                                }
                                locating.set(false);
                            });
                        } else {
                            edit(Box::new(|f| f.location = None));
                        }
                    }
                },
            }
            {lang.t("附上当前位置", "Attach my location")}
            if locating() {
                span { class: "muted small", {lang.t(" 正在定位…", " locating…")} }
            }
            if let Some(p) = &finding.location {
                span { class: "muted small", "data-testid": "location-fixed",
                    {format!(" ±{:.0} m", p.accuracy_m.unwrap_or(0.0))}
                }
            }
        }
    }
}

/// Back to the walk (keeping the finding) or discarding it.
fn leave_buttons(ctx: Ctx, lang: Lang, draft: &str) -> Element {
    rsx! {
        button {
            class: "secondary",
            onclick: ctx.go_to(Screen::Walk(draft.to_owned())),
            {lang.t("返回(保留未保存的问题)", "Back (keeps this problem)")}
        }
        button {
            class: "link",
            "data-testid": "discard-finding",
            onclick: {
                let (draft, back) = (draft.to_owned(), draft.to_owned());
                ctx.change_and_go(&[Doc::Drafts], move |d| d.edit_draft(&draft, |dr| dr.discard_finding()), move |()| Screen::Walk(back))
            },
            {lang.t("放弃这条问题", "Discard this problem")}
        }
    }
}

/// The photos of a finding or of evidence as they are stored on the phone (previews made
/// from the stored bytes, also after a reload), and the camera button: at most `max`.
#[component]
pub(super) fn PhotoStrip(
    photos: Vec<String>,
    urls: Signal<HashMap<String, String>>,
    busy: bool,
    max: usize,
    on_photos: EventHandler<FormEvent>,
) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    for sha in &photos {
        if !urls.peek().contains_key(sha) {
            let sha = sha.clone();
            urls.write().insert(sha.clone(), String::new());
            spawn(async move {
                if let Some(s) = storage()
                    && let Ok(Some(bytes)) = s.get_photo(&sha).await
                {
                    urls.write().insert(sha, preview_url(&bytes));
                }
            });
        }
    }
    let full = photos.len() >= max;
    rsx! {
        div { class: "photos",
            for sha in photos.iter() {
                img {
                    key: "{sha}",
                    class: "thumb",
                    src: urls.read().get(sha).cloned().unwrap_or_default(),
                    alt: lang.t("已保存的照片", "Stored photo"),
                    "data-testid": "photo-thumb",
                }
            }
            label { class: if full { "photo-add off" } else { "photo-add" },
                if busy {
                    {lang.t("正在处理…", "Processing…")}
                } else if full {
                    {format!("{}{max}{}", lang.t("已满 ", ""), lang.t(" 张", " photos"))}
                } else {
                    {lang.t("+ 拍照/选图", "+ Photo")}
                }
                input {
                    id: PHOTO_INPUT,
                    r#type: "file",
                    accept: "image/*",
                    "capture": "environment",
                    multiple: true,
                    disabled: full,
                    "aria-label": lang.t("拍照或选择照片", "Take or choose photos"),
                    "data-testid": "photo-input",
                    onchange: move |e| on_photos.call(e),
                }
            }
        }
    }
}

/// Stores one chosen photo on the phone, then attaches it (`attach`, saving `docs`); only
/// then does it show. A photo that could not be attached is not kept (unless something
/// else refers to it). Returns the (zh, en) problem when it could not be stored.
pub(super) async fn store_chosen_photo(
    ctx: Ctx,
    chosen: Chosen,
    urls: &mut Signal<HashMap<String, String>>,
    docs: &'static [Doc],
    attach: impl FnOnce(&mut crate::store::AppData, String) -> Result<(), crate::store::StoreError>,
) -> Result<(), PhotoFailure> {
    let Some(store) = storage() else {
        return Err(PhotoFailure::Stop(not_stored(&StorageError(
            "not open".into(),
        ))));
    };
    #[cfg(target_arch = "wasm32")]
    let timing = crate::photo::mark_start();
    let (sha, bytes) = prepare(chosen).await.map_err(PhotoFailure::Unreadable)?;
    store
        .put_photo(&sha, &bytes)
        .await
        .map_err(|e| PhotoFailure::Stop(not_stored(&e)))?;
    let s = sha.clone();
    let added = ctx.quiet_change(docs, move |d| attach(d, s)).await;
    match added {
        Ok(()) => {
            urls.write().insert(sha, preview_url(&bytes));
            #[cfg(target_arch = "wasm32")]
            crate::photo::mark_stored(timing);
            Ok(())
        }
        Err(e) => {
            if !ctx.data.peek().photo_referenced(&sha) {
                let _ = store.delete_photo(&sha).await;
            }
            Err(PhotoFailure::Stop(match e {
                crate::store::StoreError::Storage(e) => not_stored(&e),
                other => (other.message(Lang::Zh), other.message(Lang::En)),
            }))
        }
    }
}

/// One file the observer chose.
#[cfg(target_arch = "wasm32")]
pub(super) type Chosen = web_sys::File;
#[cfg(not(target_arch = "wasm32"))]
pub(super) type Chosen = FileData;

/// The files chosen in the file input, in order.
#[cfg(target_arch = "wasm32")]
pub(super) fn chosen_photos(_files: Vec<FileData>) -> Vec<Chosen> {
    use wasm_bindgen::JsCast;
    let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(PHOTO_INPUT))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let Some(files) = input.files() else {
        return Vec::new();
    };
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

#[cfg(not(target_arch = "wasm32"))]
pub(super) fn chosen_photos(files: Vec<FileData>) -> Vec<Chosen> {
    files
}

/// Lets the same file be chosen again.
pub(super) fn clear_input() {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(PHOTO_INPUT))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.set_value("");
        }
    }
}

/// Downscales, orients and hashes a chosen photo.
#[cfg(target_arch = "wasm32")]
async fn prepare(file: Chosen) -> Result<(String, Vec<u8>), (String, String)> {
    crate::photo::prepare(&file)
        .await
        .map(|p| (p.sha256, p.bytes))
        .map_err(|e| (e.message(false), e.message(true)))
}

/// Natively the picked files are stored as they are (a desktop has no camera to downscale
/// for; the server makes the display sizes).
#[cfg(not(target_arch = "wasm32"))]
async fn prepare(file: Chosen) -> Result<(String, Vec<u8>), (String, String)> {
    match file.read_bytes().await {
        Ok(b) => Ok((flowwalk_shared::walkthrough::hex_sha256(&b), b.to_vec())),
        Err(e) => Err((
            format!("无法读取照片:{e}"),
            format!("Cannot read photo: {e}"),
        )),
    }
}

#[cfg(target_arch = "wasm32")]
fn preview_url(bytes: &[u8]) -> String {
    crate::photo::object_url(bytes).unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn preview_url(_bytes: &[u8]) -> String {
    String::new()
}

#[cfg(target_arch = "wasm32")]
pub(super) fn revoke(url: &str) {
    crate::photo::revoke(url);
}

#[cfg(not(target_arch = "wasm32"))]
pub(super) fn revoke(_url: &str) {}

#[cfg(target_arch = "wasm32")]
async fn locate() -> Option<GeoPoint> {
    crate::photo::locate(8000).await
}

#[cfg(not(target_arch = "wasm32"))]
async fn locate() -> Option<GeoPoint> {
    None
}
