//! The offline app for observers (and department officers on a phone). The library holds
//! what the screens stand on and what must never lose a tap: the recorder's timers, the app
//! state and its storage, the outbox of submitted walkthroughs, the sync engine that sends
//! them exactly once and brings review outcomes back. None of it imports the UI framework,
//! so all of it is tested natively; the Dioxus screens live in `ui` (feature `ui`). The
//! client, the platform and the photo pipeline come from `flowwalk-client`.

pub mod backoff;
pub mod docs;
pub mod outbox;
pub mod recorder;
pub mod store;
pub mod sync;
#[cfg(any(feature = "web", feature = "desktop", feature = "mobile"))]
pub mod ui;

pub use flowwalk_client::{account, api, handoff, i18n, photo, platform, session, storage};
pub use flowwalk_shared as shared;
