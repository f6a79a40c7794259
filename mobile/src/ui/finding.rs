//! Recording a problem (堵点) at a step: category from the taxonomy, severity, description,
//! photos from the camera (downscaled on the phone and stored before they are shown as
//! taken), and the location if the observer wants it.

use dioxus::html::FileData;
use dioxus::prelude::*;

use flowwalk_shared::taxonomy::CategoryGroup;
use flowwalk_shared::walkthrough::{Finding, GeoPoint, Severity};

use super::{Ctx, Screen, storage};
use crate::platform;
use crate::storage::Storage;
use crate::store::Doc;

const PHOTO_INPUT: &str = "finding-photo-input";

#[component]
pub fn FindingForm(draft: String) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let (steps, current) = ctx
        .data
        .read()
        .draft(&draft)
        .map(|d| {
            (
                d.steps
                    .iter()
                    .map(|s| (s.id.clone(), s.name.clone()))
                    .collect::<Vec<_>>(),
                d.steps.get(d.current).map(|s| s.id.clone()),
            )
        })
        .unwrap_or_default();
    let categories = ctx
        .data
        .read()
        .reference
        .as_ref()
        .map(|r| {
            r.categories
                .iter()
                .filter(|c| c.active)
                .cloned()
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut step_id = use_signal(|| current.clone());
    let mut category = use_signal(|| None::<String>);
    let mut severity = use_signal(|| Severity::Medium);
    let mut description = use_signal(String::new);
    // (sha256, preview URL)
    let mut photos = use_signal(Vec::<(String, String)>::new);
    let mut location = use_signal(|| None::<GeoPoint>);
    let mut locating = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut problem = use_signal(|| None::<String>);

    let on_photos = move |e: FormEvent| {
        busy.set(true);
        let files = e.files();
        spawn(async move {
            let lang = ctx.lang();
            for bytes_or_err in read_chosen_photos(lang, files).await {
                match bytes_or_err {
                    Ok((sha, bytes)) => {
                        let Some(store) = storage() else { break };
                        if let Err(e) = store.put_photo(&sha, &bytes).await {
                            problem.set(Some(format!(
                                "{}{e}",
                                lang.t("照片未能保存:", "Photo not saved: ")
                            )));
                            continue;
                        }
                        if !photos.peek().iter().any(|(h, _)| h == &sha) {
                            let url = preview_url(&bytes);
                            photos.write().push((sha, url));
                        }
                    }
                    Err(message) => problem.set(Some(message)),
                }
            }
            busy.set(false);
        });
    };

    let save = {
        let draft = draft.clone();
        move |_| {
            let lang = ctx.lang();
            let Some(category_id) = category.peek().clone() else {
                problem.set(Some(lang.t("请选择问题类别", "Choose a category").into()));
                return;
            };
            let text = description.peek().trim().to_owned();
            if text.is_empty() {
                problem.set(Some(
                    lang.t("请描述遇到的问题", "Describe the problem").into(),
                ));
                return;
            }
            let finding = Finding {
                id: platform::new_id(),
                step_id: step_id.peek().clone(),
                category_id,
                severity: *severity.peek(),
                description: text,
                photos: photos.peek().iter().map(|(h, _)| h.clone()).collect(),
                location: location.peek().clone(),
            };
            let draft = draft.clone();
            spawn(async move {
                let mut ctx = ctx;
                let saved = ctx
                    .change(&[Doc::Drafts], |d| {
                        d.edit_draft(&draft, |dr| dr.findings.push(finding))
                    })
                    .await;
                if saved.is_ok() {
                    for (_, url) in photos.peek().iter() {
                        revoke(url);
                    }
                    ctx.say(lang.t("问题已保存在手机上", "Problem saved on this phone"));
                    ctx.go(Screen::Walk(draft));
                }
            });
        }
    };

    rsx! {
        section { class: "card finding",
            h1 { {lang.t("记录问题", "Note a problem")} }
            label { {lang.t("发生在哪个环节", "At which step")}
                select {
                    onchange: move |e: FormEvent| {
                        let v = e.value();
                        step_id.set(if v.is_empty() { None } else { Some(v) });
                    },
                    option { value: "", selected: step_id().is_none(), {lang.t("整体/不确定", "Whole walk / not sure")} }
                    for (sid, name) in steps {
                        option { key: "{sid}", value: "{sid}", selected: step_id().as_deref() == Some(sid.as_str()), "{name}" }
                    }
                }
            }
            p { class: "label", {lang.t("问题类别", "Category")} }
            for group in CategoryGroup::ALL {
                details { key: "{group:?}", class: "group", open: true,
                    summary { {lang.group(group)} }
                    div { class: "choices",
                        for c in categories.iter().filter(|c| c.group == group) {
                            button {
                                key: "{c.id}",
                                class: if category().as_deref() == Some(c.id.as_str()) { "choice on" } else { "choice" },
                                "data-testid": "category",
                                onclick: {
                                    let id = c.id.clone();
                                    move |_| category.set(Some(id.clone()))
                                },
                                {if lang.is_en() { c.name_en.clone() } else { c.name_zh.clone() }}
                            }
                        }
                    }
                }
            }
            p { class: "label", {lang.t("严重程度", "Severity")} }
            div { class: "choices",
                for s in [Severity::Low, Severity::Medium, Severity::High] {
                    button {
                        key: "{s:?}",
                        class: if severity() == s { "choice on" } else { "choice" },
                        onclick: move |_| severity.set(s),
                        {lang.severity(s)}
                    }
                }
            }
            label { {lang.t("问题描述", "Description")}
                textarea {
                    name: "description",
                    rows: "4",
                    placeholder: lang.t("如:叫号屏不显示,等了20分钟没人叫", "e.g. the queue screen showed nothing for 20 minutes"),
                    value: "{description}",
                    oninput: move |e| description.set(e.value()),
                }
            }
            p { class: "label", {lang.t("照片", "Photos")} }
            div { class: "photos",
                for (sha, url) in photos() {
                    img { key: "{sha}", class: "thumb", src: "{url}", alt: "", "data-testid": "photo-thumb" }
                }
                label { class: "photo-add",
                    if busy() {
                        {lang.t("正在处理…", "Processing…")}
                    } else {
                        {lang.t("+ 拍照/选图", "+ Photo")}
                    }
                    input {
                        id: PHOTO_INPUT,
                        r#type: "file",
                        accept: "image/*",
                        "capture": "environment",
                        multiple: true,
                        "data-testid": "photo-input",
                        onchange: on_photos,
                    }
                }
            }
            label { class: "check",
                input {
                    r#type: "checkbox",
                    "data-testid": "attach-location",
                    // Ticked while the fix is sought; unticked again if there is none.
                    checked: location().is_some() || locating(),
                    onchange: move |e: FormEvent| {
                        if e.checked() {
                            locating.set(true);
                            spawn(async move {
                                let lang = ctx.lang();
                                match locate().await {
                                    Some(p) => location.set(Some(p)),
                                    None => problem.set(Some(lang.t("无法获取位置(可不填)", "Location unavailable (optional)").into())),
                                }
                                locating.set(false);
                            });
                        } else {
                            location.set(None);
                        }
                    },
                }
                {lang.t("附上当前位置", "Attach my location")}
                if locating() {
                    span { class: "muted small", {lang.t(" 正在定位…", " locating…")} }
                }
                if let Some(p) = location() {
                    span { class: "muted small", "data-testid": "location-fixed",
                        {format!(" ±{:.0} m", p.accuracy_m.unwrap_or(0.0))}
                    }
                }
            }
            if let Some(p) = problem() {
                p { class: "error", "data-testid": "finding-problem", "{p}" }
            }
            button {
                class: "primary big",
                "data-testid": "save-finding",
                disabled: busy(),
                onclick: save,
                {lang.t("保存问题", "Save problem")}
            }
            button {
                class: "secondary",
                onclick: {
                    let draft = draft.clone();
                    move |_| {
                        let mut ctx = ctx;
                        ctx.go(Screen::Walk(draft.clone()));
                    }
                },
                {lang.t("返回", "Back")}
            }
        }
    }
}

/// The photos chosen in the file input, each prepared (downscaled, hashed) or the reason
/// it could not be.
#[cfg(target_arch = "wasm32")]
async fn read_chosen_photos(
    lang: crate::i18n::Lang,
    _files: Vec<FileData>,
) -> Vec<Result<(String, Vec<u8>), String>> {
    use wasm_bindgen::JsCast;
    let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(PHOTO_INPUT))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(files) = input.files() {
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            out.push(
                crate::photo::prepare(&file)
                    .await
                    .map(|p| (p.sha256, p.bytes))
                    .map_err(|e| e.message(lang.is_en())),
            );
        }
    }
    // Let the same file be chosen again.
    input.set_value("");
    out
}

/// Natively the picked files are stored as they are (a desktop has no camera to downscale
/// for; the server makes the display sizes).
#[cfg(not(target_arch = "wasm32"))]
async fn read_chosen_photos(
    lang: crate::i18n::Lang,
    files: Vec<FileData>,
) -> Vec<Result<(String, Vec<u8>), String>> {
    let mut out = Vec::new();
    for f in files {
        out.push(match f.read_bytes().await {
            Ok(b) => Ok((flowwalk_shared::walkthrough::hex_sha256(&b), b.to_vec())),
            Err(e) => Err(format!(
                "{}{e}",
                lang.t("无法读取照片:", "Cannot read photo: ")
            )),
        });
    }
    out
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
fn revoke(url: &str) {
    crate::photo::revoke(url);
}

#[cfg(not(target_arch = "wasm32"))]
fn revoke(_url: &str) {}

#[cfg(target_arch = "wasm32")]
async fn locate() -> Option<GeoPoint> {
    crate::photo::locate(8000).await
}

#[cfg(not(target_arch = "wasm32"))]
async fn locate() -> Option<GeoPoint> {
    None
}
