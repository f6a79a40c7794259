//! The screens. Components render the state and dispatch changes to it; every change goes
//! through [`Ctx::change`], which applies it and then waits for on-device storage before
//! the caller confirms anything to the observer. The only I/O here is calling `store`,
//! `photo` and `platform`.

mod finding;
mod finish;
mod home;
mod login;
mod outbox;
mod walk;

use std::cell::OnceCell;
use std::rc::Rc;

use dioxus::prelude::*;

use crate::backoff;
use crate::i18n::Lang;
use crate::platform::{self, AppStorage};
use crate::store::{self, AppData, Doc, StoreError};

thread_local! {
    static STORAGE: OnceCell<Rc<AppStorage>> = const { OnceCell::new() };
}

/// The storage opened at start-up.
pub fn storage() -> Option<Rc<AppStorage>> {
    STORAGE.with(|s| s.get().cloned())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Home,
    Walk(String),
    Finding { draft: String },
    Finish(String),
    Outbox,
    Login,
}

/// What every screen reaches: the state, where we are, the message line, the sync flag.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub data: Signal<AppData>,
    pub screen: Signal<Screen>,
    /// A message for the observer: (is_error, text).
    pub toast: Signal<Option<(bool, String)>>,
    pub syncing: Signal<bool>,
    /// Ticks once a second while something is timed (display only; times come from
    /// stored timestamps).
    pub now: Signal<i64>,
    /// When the automatic sync may next try (after failures it backs off).
    next_auto_at: Signal<i64>,
    failures: Signal<u32>,
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.data.read().lang()
    }

    pub fn go(&mut self, screen: Screen) {
        self.screen.set(screen);
    }

    /// A confirmation; it goes away by itself after a few seconds (errors stay until
    /// tapped away).
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.toast.set(Some((false, text.clone())));
        let mut toast = self.toast;
        spawn(async move {
            platform::sleep_ms(4000).await;
            if toast.peek().as_ref().is_some_and(|(_, t)| *t == text) {
                toast.set(None);
            }
        });
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.toast.set(Some((true, text.into())));
    }

    /// Applies a change and waits until the touched documents are stored. On a storage
    /// failure the observer is told; the change stays in memory and is saved again with
    /// the next change.
    pub async fn change<T>(
        mut self,
        docs: &[Doc],
        f: impl FnOnce(&mut AppData) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let lang = self.lang();
        let out = f(&mut self.data.write());
        let out = match out {
            Ok(v) => v,
            Err(e) => {
                self.fail(e.message(lang));
                return Err(e);
            }
        };
        // Only the touched documents are serialised (notes save on every keystroke).
        let json = self.data.read().to_json(docs);
        let Some(storage) = storage() else {
            let e = StoreError::Storage(crate::storage::StorageError("not open".into()));
            self.fail(e.message(lang));
            return Err(e);
        };
        let written = match json {
            Ok(json) => store::write_docs(&*storage, json).await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let e = StoreError::Storage(e);
            self.fail(e.message(lang));
            return Err(e);
        }
        Ok(out)
    }

    /// Changes an open draft (given the time now) and saves it.
    pub fn edit_draft(
        self,
        id: String,
        f: impl FnOnce(&mut crate::recorder::Draft, i64) + 'static,
    ) {
        spawn(async move {
            let _ = self
                .change(&[Doc::Drafts], move |d| {
                    d.edit_draft(&id, |draft| f(draft, platform::now_ms()))
                })
                .await;
        });
    }

    /// Starts a sync round now, unless one is running.
    pub fn sync_now(mut self) {
        self.next_auto_at.set(i64::MIN);
        self.failures.set(0);
        spawn(async move {
            let _ = self
                .change(&[Doc::Outbox], |d| {
                    d.retry_now();
                    Ok(())
                })
                .await;
            self.round().await;
        });
    }

    async fn round(mut self) {
        if *self.syncing.peek() {
            return;
        }
        let Some(storage) = storage() else { return };
        let (session, outbox, device) = {
            let d = self.data.peek();
            let Some(session) = d.session.clone().filter(|s| !s.needs_login) else {
                return;
            };
            (session, d.outbox.clone(), d.settings.device_id.clone())
        };
        self.syncing.set(true);
        let now = platform::now_ms();
        // Progress shows on screen as it happens; it is saved with the round's result.
        let mut data = self.data;
        let mut show = |o: &crate::outbox::Outbox| data.write().outbox.merge_from(o);
        let round = store::sync_round(
            &*storage,
            &session,
            &outbox,
            &device,
            now,
            platform::jitter(),
            &mut show,
        )
        .await;
        let reached = round.report.reached_server && round.report.retry_later.is_empty();
        let _ = self
            .change(&[Doc::Outbox, Doc::Reference, Doc::Session], |d| {
                d.apply_round(round, platform::now_ms());
                Ok(())
            })
            .await;
        if reached {
            self.failures.set(0);
            // Nothing pending: look for review outcomes now and then.
            self.next_auto_at.set(platform::now_ms() + 60_000);
        } else {
            let n = *self.failures.peek();
            let wait = backoff::delay_ms(n, platform::jitter());
            self.failures.set(n.saturating_add(1));
            self.next_auto_at
                .set(platform::now_ms() + i64::try_from(wait).unwrap_or(i64::MAX / 2));
        }
        self.syncing.set(false);
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
    let loaded = use_resource(|| async {
        // Right after a reload the old page may still hold the lock for a moment.
        let mut sole = false;
        for _ in 0..5 {
            sole = platform::sole_window().await;
            if sole {
                break;
            }
            platform::sleep_ms(300).await;
        }
        if !sole {
            return Boot::SecondWindow;
        }
        let opened = async {
            let storage = platform::open_storage().await?;
            let data = AppData::load(&storage, platform::new_id).await?;
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
        None => rsx! {
            div { class: "splash", "正在打开… Loading…" }
        },
        Some(Boot::SecondWindow) => rsx! {
            div { class: "splash", "data-testid": "second-window",
                p { "走流程已在另一个标签页或窗口中打开,请在那里继续记录。" }
                p { "flowwalk is open in another tab or window; carry on there." }
            }
        },
        Some(Boot::NoStorage(e)) => rsx! {
            div { class: "splash error", "data-testid": "storage-error",
                p { "无法打开手机存储,记录将无法保存。请退出无痕模式或换用其他浏览器。" }
                p { "Cannot open on-device storage: {e}" }
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

#[component]
fn Main(initial: AppData) -> Element {
    let start = if initial.logged_in() {
        Screen::Home
    } else {
        Screen::Login
    };
    let ctx = use_context_provider(|| Ctx {
        data: Signal::new(initial),
        screen: Signal::new(start),
        toast: Signal::new(None),
        syncing: Signal::new(false),
        now: Signal::new(platform::now_ms()),
        next_auto_at: Signal::new(i64::MIN),
        failures: Signal::new(0),
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

    // Sync by itself: when something waits and the network is (back) up, with back-off.
    use_future(move || {
        let mut ctx = ctx;
        async move {
            let mut was_online = platform::online();
            loop {
                platform::sleep_ms(2000).await;
                let online = platform::online();
                if online && !was_online {
                    // The network came back: try at once.
                    ctx.next_auto_at.set(i64::MIN);
                    ctx.failures.set(0);
                }
                was_online = online;
                let due = {
                    let d = ctx.data.peek();
                    d.session.as_ref().is_some_and(|s| !s.needs_login)
                        && online
                        && platform::now_ms() >= *ctx.next_auto_at.peek()
                };
                if due {
                    ctx.round().await;
                }
            }
        }
    });

    let lang = ctx.lang();
    let screen = ctx.screen.read().clone();
    let toast = ctx.toast.read().clone();
    let needs_login = ctx
        .data
        .read()
        .session
        .as_ref()
        .is_some_and(|s| s.needs_login);
    let unsent = ctx
        .data
        .read()
        .outbox
        .entries
        .iter()
        .filter(|e| !matches!(e.state, crate::outbox::SendState::Sent))
        .count();
    let online = platform::online();
    let _ = ctx.now.read();

    rsx! {
        div { class: "app",
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
                        onclick: move |_| {
                            let mut ctx = ctx;
                            ctx.go(Screen::Outbox);
                        },
                        {lang.t("发件箱", "Outbox")}
                        if unsent > 0 {
                            span { class: "badge", "{unsent}" }
                        }
                    }
                }
                button {
                    class: "bar-btn",
                    "data-testid": "lang",
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
            if needs_login && screen != Screen::Login {
                div { class: "banner warn", "data-testid": "needs-login",
                    {lang.t("登录已过期,记录都在手机上。请重新登录以继续同步。", "Your login expired; everything is still on this phone. Log in again to sync.")}
                    button {
                        class: "link",
                        onclick: move |_| {
                            let mut ctx = ctx;
                            ctx.go(Screen::Login);
                        },
                        {lang.t("重新登录", "Log in")}
                    }
                }
            }
            if let Some((is_error, text)) = toast {
                div {
                    class: if is_error { "toast error" } else { "toast" },
                    "data-testid": "toast",
                    role: "status",
                    onclick: move |_| {
                        let mut ctx = ctx;
                        ctx.toast.set(None);
                    },
                    "{text}"
                }
            }
            main { class: "screen",
                match screen {
                    Screen::Login => rsx! { login::Login {} },
                    Screen::Home => rsx! { home::Home {} },
                    Screen::Walk(id) => rsx! { walk::Walk { id } },
                    Screen::Finding { draft } => rsx! { finding::FindingForm { draft } },
                    Screen::Finish(id) => rsx! { finish::Finish { id } },
                    Screen::Outbox => rsx! { outbox::OutboxScreen {} },
                }
            }
        }
    }
}
