//! The offline client for observers. The library holds what the screens stand on and what
//! must never lose a tap: the recorder's timers, the app state and its storage, the outbox
//! of submitted walkthroughs, the sync engine that sends them exactly once and brings
//! review outcomes back, and the HTTP client. None of it imports the UI framework, so all
//! of it is tested natively; the Dioxus screens live in `ui` (feature `ui`).

pub mod api;
pub mod backoff;
#[cfg(feature = "desk")]
pub mod desk;
pub mod docs;
#[cfg(any(feature = "web", feature = "desktop", feature = "mobile"))]
pub mod handoff;
pub mod i18n;
pub mod outbox;
pub mod photo;
#[cfg(any(feature = "web", feature = "desktop", feature = "mobile"))]
pub mod platform;
pub mod recorder;
pub mod storage;
pub mod store;
pub mod sync;
#[cfg(any(feature = "web", feature = "desktop", feature = "mobile"))]
pub mod ui;

pub use flowwalk_shared as shared;
