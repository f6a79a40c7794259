//! The offline client for observers (Dioxus); its screens arrive with the client issue.
//! For now it holds the contract it will speak: the shared crate.

pub use flowwalk_shared as shared;
