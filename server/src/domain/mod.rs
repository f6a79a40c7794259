//! Rules with no HTTP and no SQL in them: input validation, walkthrough completeness, the
//! issue workflow (state machine), working days, the panel's sign-off rule, the audit
//! trail's hash chain, and report arithmetic.

pub mod audit;
pub mod calendar;
pub mod panel;
pub mod reports;
pub mod validate;
pub mod walkthrough;
pub mod workflow;
