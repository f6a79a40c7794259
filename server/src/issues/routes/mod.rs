//! Thin handlers: read the declared input, call the service, render the answer.

pub mod issues;
pub mod notifications;
pub mod reports;
