//! The contract between the flowwalk phone client and the server.
//!
//! Everything both sides must agree on lives here — domain vocabulary, request and response
//! bodies, error codes — so that a change on one side fails to compile on the other. No
//! actix and no diesel: this crate compiles to wasm for the client.

pub mod api;
pub mod endpoint;
pub mod endpoints;
pub mod error;
pub mod role;
pub mod rules;
pub mod survey;
pub mod sync;
pub mod taxonomy;
pub mod text;
pub mod text_enum;
pub mod time;
pub mod timing;
pub mod validate;
pub mod walkthrough;

pub use error::{ErrorBody, ErrorCode};
pub use role::Role;
pub use text_enum::{Lang, TextEnum};
