//! Orchestration: transactions, store calls, audit.

pub mod categories;
pub mod departments;
pub mod reference_import;
pub mod scenarios;
pub mod settings;
pub mod venues;
