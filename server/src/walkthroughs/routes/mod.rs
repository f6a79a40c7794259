//! Thin handlers: read the declared input, call the service, render the answer.

pub mod assignments_api;
pub mod review_api;
pub mod sync_api;
