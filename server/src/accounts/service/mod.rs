//! Orchestration: transactions, store calls, audit.

pub mod invites;
pub mod users;
