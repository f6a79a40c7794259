//! The desk: the web app of managers, department officers and panel members (and of an
//! observer following what became of their findings), served at `/desk/` as a bundle of its
//! own. It depends on `flowwalk-client` for the API, the session and the platform, never on
//! the observer app. The screens (`ui`) are web only.

pub mod accounts;
pub mod filters;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use ui::App;

pub use flowwalk_client::{account, api, handoff, i18n, photo, platform, session};
pub use flowwalk_shared as shared;
