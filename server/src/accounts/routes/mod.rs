//! Thin handlers: read the declared input, call the service, render the answer.

pub mod invites_api;
pub mod login_api;
pub mod users_api;
