//! Thin handlers: read the declared input, call the service, render the answer.

pub mod assignments;
pub mod review;
pub mod sync;
