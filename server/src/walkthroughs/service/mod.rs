//! Orchestration: transactions, store calls, audit.

pub mod assignments;
pub mod feedback;
pub mod review;
pub mod sync;
