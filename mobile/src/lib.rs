//! The offline client for observers. This crate holds what the screens stand on and what
//! must never lose a tap: the outbox of recorded walkthroughs, the sync engine that sends
//! them exactly once and brings review outcomes back, and the HTTP client. None of it
//! imports a UI framework, so all of it is tested natively.

pub mod api;
pub mod backoff;
pub mod outbox;
pub mod sync;

pub use flowwalk_shared as shared;
