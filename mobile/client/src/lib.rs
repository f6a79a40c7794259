//! What the observer app and the desk both stand on, so neither depends on the other: the
//! typed API client and its one session type, i18n, the platform (clock, storage, network,
//! where the server is), the photo pipeline and the hand-off between the two apps. No UI
//! framework here, so all of it is tested natively.

pub mod account;
pub mod api;
pub mod handoff;
pub mod i18n;
pub mod photo;
pub mod platform;
pub mod session;
pub mod storage;

pub use flowwalk_shared as shared;
