//! The screens. Components render the state and dispatch changes to it; every change goes
//! through [`Ctx::change`], which makes it on the working copy, waits for on-device
//! storage, and only then shows it, so the screen never confirms what a kill could lose.
//! Work that must finish whatever the observer taps next — a write and its settling, a
//! sync round, a message's timer — runs in the app's root scope (`spawn_forever`), never
//! in the scope of a screen that may close meanwhile.
//! The only I/O here is calling `store`, `sync`, `photo` and `platform`. The observer's
//! screens keep their state in [`Ctx`] (provided by [`App`]); other apps over the same
//! library (the desk screens) bring their own.

mod finding;
mod finish;
mod home;
mod login;
mod officer;
mod outbox;
mod password;
mod walk;

use std::cell::OnceCell;
use std::rc::Rc;

use dioxus::core::spawn_forever;
use dioxus::prelude::*;

use crate::i18n::Lang;
use crate::platform::{self, AppStorage};
use crate::store::{self, AppData, Doc, Place, StoreError, Working};
use crate::sync::{self, Schedule};

thread_local! {
    static STORAGE: OnceCell<Rc<AppStorage>> = const { OnceCell::new() };
}

/// What the phone says of a disabled account (zh, en).
pub const DISABLED: (&str, &str) = (
    "账号已停用,请联系管理员。未发送的记录仍保存在本机。",
    "This account is disabled; contact the administrator. Records not yet sent are still kept on this phone.",
);

/// The storage opened at start-up.
pub fn storage() -> Option<Rc<AppStorage>> {
    STORAGE.with(|s| s.get().cloned())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Home,
    Walk(String),
    Finding {
        draft: String,
    },
    Finish(String),
    Outbox,
    Login,
    /// A department officer's evidence being written (its client id).
    Evidence(String),
}

impl Screen {
    fn place(&self) -> Place {
        match self {
            Screen::Walk(d) => Place::Walk { draft: d.clone() },
            Screen::Finding { draft } => Place::Finding {
                draft: draft.clone(),
            },
            Screen::Finish(d) => Place::Finish { draft: d.clone() },
            Screen::Outbox => Place::Outbox,
            Screen::Evidence(id) => Place::Evidence {
                evidence: id.clone(),
            },
            Screen::Home | Screen::Login => Place::Home,
        }
    }

    /// Where a stored place leads, if it still exists.
    fn from_place(place: &Place, data: &AppData) -> Screen {
        let open = |d: &String| data.draft(d).is_some();
        match place {
            Place::Walk { draft } if open(draft) => Screen::Walk(draft.clone()),
            Place::Finding { draft } if open(draft) => Screen::Finding {
                draft: draft.clone(),
            },
            Place::Finish { draft } if open(draft) => Screen::Finish(draft.clone()),
            Place::Outbox => Screen::Outbox,
            Place::Evidence { evidence } if data.outbox.evidence(evidence).is_some() => {
                Screen::Evidence(evidence.clone())
            }
            _ => Screen::Home,
        }
    }
}

/// A message for the observer in both languages (shown in the one chosen at the time).
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub error: bool,
    pub zh: String,
    pub en: String,
    id: u64,
}

/// What every screen reaches: the state, where we are, the message line, the sync flag.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The state as stored: what the screens show.
    pub data: Signal<AppData>,
    /// The state with the changes on their way to storage.
    working: CopyValue<Working>,
    pub screen: Signal<Screen>,
    pub toast: Signal<Option<Toast>>,
    pub syncing: Signal<bool>,
    /// Ticks once a second while something is timed (display only; times come from
    /// stored timestamps).
    pub now: Signal<i64>,
    /// When the automatic sync runs (the sync engine's policy).
    schedule: Signal<Schedule>,
    /// The password typed at a login that must replace it (memory only): the current
    /// password of the form that sets the new one.
    pub one_time: Signal<Option<String>>,
    toasts: CopyValue<u64>,
}

impl Ctx {
    /// What a tap that changes the data (`f`, saving `docs`) and then opens the screen `to`
    /// makes of its outcome does; a failed change is said as a message and stays here.
    pub fn change_and_go<T: 'static>(
        self,
        docs: &'static [Doc],
        f: impl FnOnce(&mut AppData) -> Result<T, StoreError> + Clone + 'static,
        to: impl FnOnce(T) -> Screen + Clone + 'static,
    ) -> impl FnMut(MouseEvent) + 'static {
        move |_| {
            let (f, to) = (f.clone(), to.clone());
            spawn(async move {
                let mut ctx = self;
                if let Ok(out) = ctx.change(docs, f).await {
                    ctx.go(to(out));
                }
            });
        }
    }

    /// What a tap that opens `screen` does.
    pub fn go_to(self, screen: Screen) -> impl FnMut(MouseEvent) + 'static {
        move |_| {
            let mut ctx = self;
            ctx.go(screen.clone());
        }
    }

    pub fn lang(&self) -> Lang {
        self.data.read().lang()
    }

    /// Shows another screen (from its top) and remembers it, so a reload comes back here.
    pub fn go(&mut self, screen: Screen) {
        let place = screen.place();
        self.screen.set(screen);
        platform::scroll_to_top();
        if self.data.peek().settings.place != place {
            let ctx = *self;
            spawn_forever(async move {
                let _ = ctx
                    .quiet_change(&[Doc::Settings], move |d| {
                        d.settings.place = place;
                        Ok(())
                    })
                    .await;
            });
        }
    }

    fn show(&mut self, error: bool, zh: String, en: String) -> u64 {
        let id = {
            let mut n = self.toasts.write();
            *n += 1;
            *n
        };
        self.toast.set(Some(Toast { error, zh, en, id }));
        id
    }

    /// A confirmation; it goes away by itself after a few seconds (errors stay until
    /// tapped away).
    pub fn say(&mut self, zh: &str, en: &str) {
        let id = self.show(false, zh.into(), en.into());
        let mut toast = self.toast;
        spawn_forever(async move {
            platform::sleep_ms(4000).await;
            if toast.peek().as_ref().is_some_and(|t| t.id == id) {
                toast.set(None);
            }
        });
    }

    /// A failure the observer must know about; stays until tapped away.
    pub fn fail(&mut self, zh: impl Into<String>, en: impl Into<String>) {
        self.show(true, zh.into(), en.into());
    }

    fn fail_store(&mut self, e: &StoreError) {
        self.fail(e.message(Lang::Zh), e.message(Lang::En));
    }

    /// Applies a change, waits until the touched documents are stored, and only then
    /// shows it. A change refused, or a write that failed, is told to the observer and
    /// shows nothing.
    pub async fn change<T>(
        self,
        docs: &[Doc],
        f: impl FnOnce(&mut AppData) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut ctx = self;
        let out = self.quiet_change(docs, f).await;
        if let Err(e) = &out {
            ctx.fail_store(e);
        }
        out
    }

    /// [`Ctx::change`] without telling the observer (the caller does).
    pub async fn quiet_change<T>(
        self,
        docs: &[Doc],
        f: impl FnOnce(&mut AppData) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut working = self.working;
        let mut data = self.data;
        let (out, staged) = working.write().stage(docs, f)?;
        let written = match storage() {
            Some(storage) => store::write_docs(&*storage, staged.json()).await,
            None => Err(crate::storage::StorageError("not open".into())),
        };
        working.write().settle(&mut data.write(), staged, written)?;
        Ok(out)
    }

    /// Edits step `index` of draft `id` (nothing when there is no such step).
    pub fn edit_step(
        self,
        id: String,
        index: usize,
        f: impl FnOnce(&mut crate::recorder::DraftStep, i64) + 'static,
    ) {
        self.edit_draft(id, move |d, now| {
            if let Some(s) = d.steps.get_mut(index) {
                f(s, now);
            }
        });
    }

    /// Changes an open draft (given the time now) and saves it.
    pub fn edit_draft(
        self,
        id: String,
        f: impl FnOnce(&mut crate::recorder::Draft, i64) + 'static,
    ) {
        spawn_forever(async move {
            let _ = self
                .change(&[Doc::Drafts], move |d| {
                    d.edit_draft(&id, |draft| f(draft, platform::now_ms()))
                })
                .await;
        });
    }

    /// Starts a sync round now, unless one is running.
    pub fn sync_now(self) {
        let mut schedule = self.schedule;
        schedule.write().asked();
        spawn_forever(async move {
            let _ = self
                .change(&[Doc::Outbox], |d| {
                    d.retry_now();
                    Ok(())
                })
                .await;
            self.round().await;
        });
    }

    async fn round(self) {
        let mut ctx = self;
        if *ctx.syncing.peek() {
            return;
        }
        let Some(storage) = storage() else { return };
        let (session, outbox, device) = {
            let d = ctx.data.peek();
            let Some(session) = d.session.clone().filter(|s| s.can_sync()) else {
                return;
            };
            (session, d.outbox.clone(), d.settings.device_id.clone())
        };
        ctx.syncing.set(true);
        // Progress shows on screen as it happens; it is saved with the round's result.
        let mut data = ctx.data;
        let mut show = |o: &crate::outbox::Outbox| data.write().outbox.merge_from(o);
        let round = store::sync_round(
            &*storage,
            &session,
            &outbox,
            &device,
            platform::now_ms(),
            platform::jitter(),
            &mut show,
        )
        .await;
        ctx.schedule.write().finished(
            &round.report,
            &round.outbox,
            platform::now_ms(),
            platform::jitter(),
        );
        let _ = ctx
            .change(&[Doc::Outbox, Doc::Reference, Doc::Session], |d| {
                d.apply_round(round, platform::now_ms());
                Ok(())
            })
            .await;
        ctx.syncing.set(false);
    }
}

/// Natively there is no index.html linking the stylesheet: it is built in.
#[cfg(not(target_arch = "wasm32"))]
const INLINE_CSS: &str = include_str!("../../web/style.css");
#[cfg(target_arch = "wasm32")]
const INLINE_CSS: &str = "";

/// How start-up ended.
#[derive(Clone)]
enum Boot {
    Ready(Box<AppData>),
    /// The app is already open in another tab or window of this browser.
    SecondWindow,
    /// On-device storage could not be opened (private mode on some phones).
    NoStorage(String),
}

/// Opens storage and loads the state, then shows the app.
#[component]
pub fn App() -> Element {
    let mut waiting = use_signal(|| false);
    let loaded = use_resource(move || async move {
        // Right after a reload the old page may still hold the lock for a moment; after
        // that, wait in line: when the other window closes, this one takes over.
        if !platform::sole_window().await {
            waiting.set(true);
            if !platform::wait_for_sole_window().await {
                return Boot::SecondWindow;
            }
            waiting.set(false);
        }
        let opened = async {
            let storage = platform::open_storage().await?;
            let mut data = AppData::load(&storage, platform::new_id).await?;
            data.check_remembered(platform::remembered_device().as_deref());
            // A loss is told until the observer has read it (a reload shows it again).
            if !data.storage_lost {
                platform::remember_device(&data.settings.device_id);
            }
            STORAGE.with(|s| {
                let _ = s.set(Rc::new(storage));
            });
            Ok::<_, crate::storage::StorageError>(data)
        };
        match opened.await {
            Ok(data) => Boot::Ready(Box::new(data)),
            Err(e) => Boot::NoStorage(e.0),
        }
    });
    let state = loaded.read().clone();
    let page = match state {
        None if waiting() => rsx! {
            div { class: "splash", "data-testid": "second-window",
                h1 { "走流程 flowwalk" }
                p { "走流程已在另一个标签页或窗口中打开,请在那里继续记录。关闭那个窗口后,这里会自动接着打开。" }
                p { lang: "en", "flowwalk is open in another tab or window; carry on there. When that one closes, this one takes over." }
            }
        },
        None => rsx! {
            div { class: "splash", "正在打开… Loading…" }
        },
        Some(Boot::SecondWindow) => rsx! {
            div { class: "splash", "data-testid": "second-window",
                h1 { "走流程 flowwalk" }
                p { "走流程已在另一个标签页或窗口中打开,请在那里继续记录。" }
                p { lang: "en", "flowwalk is open in another tab or window; carry on there." }
            }
        },
        Some(Boot::NoStorage(e)) => rsx! {
            div { class: "splash error", "data-testid": "storage-error",
                h1 { "走流程 flowwalk" }
                p { "无法打开手机存储,记录将无法保存。请退出无痕模式、清理手机空间或换用其他浏览器。" }
                p { lang: "en", "Cannot open on-device storage: {e}" }
            }
        },
        Some(Boot::Ready(data)) => rsx! {
            Main { initial: *data }
        },
    };
    rsx! {
        if !INLINE_CSS.is_empty() {
            style { {INLINE_CSS} }
        }
        {page}
    }
}

/// Syncs by itself, when the sync engine's schedule says so (network back, back-off).
async fn sync_loop(mut ctx: Ctx) {
    loop {
        platform::sleep_ms(sync::TICK_MS).await;
        let can_sync = ctx
            .data
            .peek()
            .session
            .as_ref()
            .is_some_and(|s| s.can_sync());
        let due = ctx
            .schedule
            .write()
            .due(platform::now_ms(), platform::online(), can_sync);
        if due == Some(sync::Due::NetworkBack) {
            let _ = ctx
                .quiet_change(&[Doc::Outbox], |d| {
                    d.retry_now();
                    Ok(())
                })
                .await;
        }
        if due.is_some() {
            ctx.round().await;
        }
    }
}

/// How many walkthroughs and evidence items are waiting to be sent.
fn unsent_count(d: &AppData) -> usize {
    let walks = d
        .outbox
        .entries
        .iter()
        .filter(|e| !matches!(e.state, crate::outbox::SendState::Sent))
        .count();
    let evidence = d
        .outbox
        .evidence
        .iter()
        .filter(|e| {
            !matches!(
                e.state,
                crate::outbox::EvidenceState::Sent | crate::outbox::EvidenceState::Draft
            )
        })
        .count();
    walks + evidence
}

/// The bar on top: home, the network, the outbox and the language switch.
fn top_bar(ctx: Ctx, lang: Lang, online: bool, unsent: usize) -> Element {
    rsx! {
        header { class: "bar",
            button {
                class: "bar-title",
                onclick: move |_| {
                    let mut ctx = ctx;
                    if ctx.data.peek().logged_in() {
                        ctx.go(Screen::Home);
                    }
                },
                {lang.t("走流程", "flowwalk")}
            }
            span {
                class: if online { "net on" } else { "net off" },
                "data-testid": "net",
                {if online { lang.t("在线", "Online") } else { lang.t("离线", "Offline") }}
            }
            if ctx.data.read().logged_in() {
                button {
                    class: "bar-btn",
                    "data-testid": "nav-outbox",
                    onclick: ctx.go_to(Screen::Outbox),
                    {lang.t("发件箱", "Outbox")}
                    if unsent > 0 {
                        span { class: "badge", "{unsent}" }
                    }
                }
            }
            button {
                class: "bar-btn",
                "data-testid": "lang",
                lang: if lang.is_en() { "zh-CN" } else { "en" },
                title: lang.t("Switch to English", "切换到中文"),
                onclick: move |_| {
                    spawn(async move {
                        let _ = ctx
                            .change(
                                &[Doc::Settings],
                                |d| {
                                    d.settings.lang = d.settings.lang.other();
                                    Ok(())
                                },
                            )
                            .await;
                    });
                },
                {lang.t("EN", "中文")}
            }
        }
    }
}

/// What the browser removed from the phone, told until the observer has read it.
fn storage_lost_banner(ctx: Ctx, lang: Lang) -> Element {
    rsx! {
        div { class: "banner warn", "data-testid": "storage-lost", role: "alert",
            {lang.t(
                "浏览器清除了此前保存在本机的记录(常因手机存储空间不足)。已送达服务器的记录不受影响;当时尚未发送的记录和照片已无法恢复,请重新登录并补录。",
                "The browser removed what this app had stored on the phone (usually when storage ran out). Records the server already had are safe; records and photos not yet sent then cannot be recovered. Log in again and record them anew.",
            )}
            button {
                class: "link",
                "data-testid": "storage-lost-ok",
                onclick: move |_| {
                    let mut data = ctx.data;
                    platform::remember_device(&data.peek().settings.device_id);
                    data.write().storage_lost = false;
                },
                {lang.t("知道了", "Understood")}
            }
        }
    }
}

#[component]
fn Main(initial: AppData) -> Element {
    let start = if initial.logged_in() {
        Screen::from_place(&initial.settings.place, &initial)
    } else {
        Screen::Login
    };
    let ctx = use_context_provider(|| Ctx {
        working: CopyValue::new(Working::new(&initial)),
        data: Signal::new(initial),
        screen: Signal::new(start),
        toast: Signal::new(None),
        syncing: Signal::new(false),
        now: Signal::new(platform::now_ms()),
        schedule: Signal::new(Schedule::new(platform::online())),
        one_time: Signal::new(None),
        toasts: CopyValue::new(0),
    });

    // The clock for timers on screen.
    use_future(move || {
        let mut now = ctx.now;
        async move {
            loop {
                platform::sleep_ms(1000).await;
                now.set(platform::now_ms());
            }
        }
    });

    // Sync by itself, when the sync engine's schedule says so (network back, back-off).
    use_future(move || sync_loop(ctx));

    let lang = ctx.lang();
    let screen = ctx.screen.read().clone();
    let toast = ctx.toast.read().clone();
    let quarantined = ctx.data.read().quarantined.clone();
    let storage_lost = ctx.data.read().storage_lost;
    let (needs_login, disabled, new_password) =
        ctx.data
            .read()
            .session
            .as_ref()
            .map_or((false, false, false), |s| {
                (
                    s.needs_login,
                    s.disabled,
                    s.user.must_change_password && !s.needs_login,
                )
            });
    let unsent = unsent_count(&ctx.data.read());
    let officer = ctx.data.read().is_officer();
    let online = platform::online();
    let _ = ctx.now.read();

    rsx! {
        div { class: "app", lang: if lang.is_en() { "en" } else { "zh-CN" },
            {top_bar(ctx, lang, online, unsent)}
            if disabled {
                div { class: "banner warn", "data-testid": "account-disabled", role: "alert",
                    {lang.t(DISABLED.0, DISABLED.1)}
                    if screen != Screen::Login {
                        button {
                            class: "link",
                            onclick: ctx.go_to(Screen::Login),
                            {lang.t("重新登录", "Log in")}
                        }
                    }
                }
            } else if needs_login && screen != Screen::Login {
                div { class: "banner warn", "data-testid": "needs-login",
                    {lang.t("登录已过期,记录都在手机上。请重新登录以继续同步。", "Your login expired; everything is still on this phone. Log in again to sync.")}
                    button {
                        class: "link",
                        onclick: ctx.go_to(Screen::Login),
                        {lang.t("重新登录", "Log in")}
                    }
                }
            }
            if storage_lost {
                {storage_lost_banner(ctx, lang)}
            }
            if !quarantined.is_empty() {
                div { class: "banner warn", "data-testid": "quarantined", role: "alert",
                    {lang.t("有数据无法被此版本读取,已原样另存,未被删除:", "Some stored data cannot be read by this version; it was kept aside, not deleted: ")}
                    for q in quarantined {
                        span { key: "{q.key}",
                            " "
                            code { "{q.key}" }
                            span { class: "small", " ({q.reason})" }
                        }
                    }
                }
            }
            if let Some(t) = toast {
                div {
                    class: if t.error { "toast error" } else { "toast" },
                    "data-testid": "toast",
                    role: if t.error { "alert" } else { "status" },
                    onclick: move |_| {
                        let mut ctx = ctx;
                        ctx.toast.set(None);
                    },
                    {if lang.is_en() { t.en.clone() } else { t.zh.clone() }}
                }
            }
            main { class: "screen",
                match screen {
                    Screen::Login => rsx! { login::Login {} },
                    _ if new_password => rsx! { password::NewPassword {} },
                    Screen::Home if officer => rsx! { officer::OfficerHome {} },
                    Screen::Home => rsx! { home::Home {} },
                    Screen::Evidence(id) => rsx! { officer::EvidenceForm { id } },
                    Screen::Walk(id) => rsx! { walk::Walk { id } },
                    Screen::Finding { draft } => rsx! { finding::FindingForm { draft } },
                    Screen::Finish(id) => rsx! { finish::Finish { id } },
                    Screen::Outbox => rsx! { outbox::OutboxScreen {} },
                }
            }
        }
    }
}

/// A free-text field with the shared crate's limit applied as the observer types: the
/// count and the rule's message show beside it, and go away once the text fits. It keeps
/// what is typed itself (each change is saved in the background), so a slow write never
/// puts older text back under the observer's fingers.
#[component]
pub fn TextField(
    label: String,
    name: String,
    rule: flowwalk_shared::rules::Text,
    initial: String,
    /// Whether an empty required field shows as an error (after a first try to save).
    #[props(default)]
    show_required: bool,
    #[props(default)] placeholder: String,
    #[props(default = 3)] rows: u32,
    on_input: EventHandler<String>,
) -> Element {
    let ctx = use_context::<Ctx>();
    let lang = ctx.lang();
    let mut text = use_signal(|| initial.clone());
    let max = rule.max_chars();
    let count = text.read().chars().count();
    let error = match rule.check(name.clone(), &text.read()) {
        Err(_) if rule.required() && text.read().trim().is_empty() && !show_required => None,
        Err(e) => Some(e.message(lang.is_en()).to_owned()),
        Ok(()) => None,
    };
    let id = format!("field-{name}");
    let invalid = if error.is_some() { "true" } else { "false" };
    rsx! {
        label { r#for: "{id}", "{label}" }
        textarea {
            id: "{id}",
            name: "{name}",
            rows: "{rows}",
            placeholder: "{placeholder}",
            "aria-invalid": invalid,
            value: "{text}",
            oninput: move |e: FormEvent| {
                let v = e.value();
                text.set(v.clone());
                on_input.call(v);
            },
        }
        if count * 10 >= max * 9 {
            p { class: if count > max { "counter error" } else { "counter muted small" }, "{count}/{max}" }
        }
        if let Some(e) = error {
            p { class: "error", role: "alert", "data-testid": "field-error", "{e}" }
        }
    }
}
