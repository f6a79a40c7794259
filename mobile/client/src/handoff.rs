//! The observer app (at `/`) and the desk (at `/desk/`) are two web bundles on one origin,
//! so an observer's phone never downloads the desk's code. Whoever logs in on the wrong
//! one is handed to the other with the session, through the browser's localStorage (the
//! one store both bundles read); the desk keeps its session there too. It is the one
//! [`Session`] of both apps.

use crate::session::Session;

/// Where the desk's session is kept.
pub const KEY: &str = "flowwalk.desk.session";
/// Where the desk is served.
pub const DESK_PATH: &str = "/desk/";

#[cfg(target_arch = "wasm32")]
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Keeps the session for the desk; false when the browser refused (private mode, quota).
pub fn save(session: &Session) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let Ok(json) = serde_json::to_string(session) else {
            return false;
        };
        local().is_some_and(|s| s.set_item(KEY, &json).is_ok())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = session;
        false
    }
}

/// The kept session, if there is a readable one.
pub fn load() -> Option<Session> {
    #[cfg(target_arch = "wasm32")]
    {
        let json = local()?.get_item(KEY).ok()??;
        serde_json::from_str(&json).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Forgets the session (log out).
pub fn clear() {
    #[cfg(target_arch = "wasm32")]
    if let Some(s) = local() {
        let _ = s.remove_item(KEY);
    }
}

/// Opens another page of this origin (the other bundle).
pub fn open(path: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = path;
}
