//! Thin handlers: read the declared input, call the service, render the answer.

pub mod issues_api;
pub mod notifications_api;
pub mod reports_api;
