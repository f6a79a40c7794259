//! Accounts: logins and their sessions, users, invite codes for enrolment.

pub mod routes;
pub mod service;
pub mod store;
