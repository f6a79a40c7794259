//! Thin handlers: read the declared input, call the service, render the answer.

pub mod invites;
pub mod login;
pub mod users;
