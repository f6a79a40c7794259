//! What differs between the browser and a native window: the clock, sleeping, randomness,
//! whether the network is up, where the server is and where data is kept. Everything else
//! is the same code on every platform.

use crate::storage::StorageError;

/// Device wall clock, ms since the Unix epoch.
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// The device's local date (a task's period is in local dates).
pub fn today() -> chrono::NaiveDate {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new_0();
        chrono::NaiveDate::from_ymd_opt(
            i32::try_from(d.get_full_year()).unwrap_or(1970),
            d.get_month() + 1,
            d.get_date(),
        )
        .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        chrono::Local::now().date_naive()
    }
}

/// Shows the page from its top (a new screen opens at its start, not where the last one
/// was scrolled to).
pub fn scroll_to_top() {
    #[cfg(target_arch = "wasm32")]
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// A number in `[0, 1)` to spread retries.
pub fn jitter() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        f64::from(uuid::Uuid::now_v7().as_u128() as u32) / f64::from(u32::MAX)
    }
}

/// A new time-ordered id (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Sleeps without blocking the UI.
pub async fn sleep_ms(ms: u32) {
    #[cfg(target_arch = "wasm32")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    i32::try_from(ms).unwrap_or(i32::MAX),
                );
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
    }
}

/// Whether the device believes it has a network (a hint: the server decides).
pub fn online() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        true
    }
}

/// The server's address: the origin the app was served from, or (natively) the
/// `FLOWWALK_SERVER` variable, default the local demo server.
pub fn default_server() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::env::var("FLOWWALK_SERVER").unwrap_or_else(|_| "http://127.0.0.1:8080".into())
    }
}

thread_local! {
    static PERSISTED: std::cell::Cell<bool> = const { std::cell::Cell::new(!cfg!(target_arch = "wasm32")) };
}

/// Whether the platform promised not to evict our storage (browsers may clear the data of
/// sites that are not installed when space runs low).
pub fn persisted() -> bool {
    PERSISTED.with(std::cell::Cell::get)
}

#[cfg(target_arch = "wasm32")]
const DEVICE_KEY: &str = "flowwalk-device";

/// The device id this browser last started with, kept outside IndexedDB (in localStorage):
/// when the stored documents come back with another one, the browser dropped the database
/// in between (storage pressure, a full disk) and the app says so. Natively: none.
pub fn remembered_device() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?
            .local_storage()
            .ok()??
            .get_item(DEVICE_KEY)
            .ok()?
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Remembers the device id for [`remembered_device`].
pub fn remember_device(id: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = s.set_item(DEVICE_KEY, id);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = id;
}

/// The storage of this platform.
#[cfg(target_arch = "wasm32")]
pub type AppStorage = crate::storage::IdbStorage;
#[cfg(not(target_arch = "wasm32"))]
pub type AppStorage = crate::storage::FileStorage;

/// Opens the storage of this platform: IndexedDB in the browser, a folder natively
/// (`FLOWWALK_CLIENT_DIR`, default `flowwalk-client` in the user's data folder or here).
pub async fn open_storage() -> Result<AppStorage, StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        // Ask the browser not to evict our data under storage pressure; refusal is
        // reported on the outbox screen (see `persisted`).
        if let Some(w) = web_sys::window()
            && let Ok(p) = w.navigator().storage().persist()
            && let Ok(granted) = wasm_bindgen_futures::JsFuture::from(p).await
        {
            PERSISTED.with(|c| c.set(granted.as_bool().unwrap_or(false)));
        }
        crate::storage::IdbStorage::open().await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let dir = std::env::var_os("FLOWWALK_CLIENT_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from("flowwalk-client"));
        crate::storage::FileStorage::open(&dir)
    }
}

/// Whether this is the only window of the app on this device. Two tabs would both save
/// the same documents and could overwrite each other's taps, so a second one waits. In the
/// browser this holds a Web Lock for the page's life; without Web Locks (old browsers) or
/// natively it answers true.
pub async fn sole_window() -> bool {
    lock(true).await
}

/// Waits until no other window of the app holds the lock, then holds it; false when the
/// wait cannot be made (the second window then stays idle and says so).
pub async fn wait_for_sole_window() -> bool {
    lock(false).await
}

async fn lock(if_available: bool) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        use js_sys::{Function, Object, Promise, Reflect};
        use wasm_bindgen::{JsCast, JsValue};
        let Some(window) = web_sys::window() else {
            return true;
        };
        let navigator: JsValue = window.navigator().into();
        let Ok(locks) = Reflect::get(&navigator, &"locks".into()) else {
            return true;
        };
        let Some(request) = Reflect::get(&locks, &"request".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return true;
        };
        let options = Object::new();
        if if_available {
            let _ = Reflect::set(&options, &"ifAvailable".into(), &true.into());
        }
        let mut answer = None;
        let got = Promise::new(&mut |resolve, _| answer = Some(resolve));
        let Some(answer) = answer else { return true };
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |lock: JsValue| {
            let held = !lock.is_null();
            let _ = answer.call1(&JsValue::NULL, &held.into());
            // Holding the lock until the page goes: a promise that never settles.
            Promise::new(&mut |_, _| {})
        });
        if request
            .call3(&locks, &"flowwalk-app".into(), &options, &callback)
            .is_err()
        {
            return true;
        }
        wasm_bindgen_futures::JsFuture::from(got)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = if_available;
        true
    }
}
