//! Rules with no HTTP and no SQL in them: input validation, walkthrough completeness, the
//! issue workflow (state machine), working days, the panel's sign-off rule, the audit
//! trail's hash chain, report arithmetic; questionnaires, their answers and their results.

pub mod audit;
pub mod calendar;
pub mod keywords;
pub mod panel;
pub mod questionnaire;
pub mod reports;
pub mod survey_results;
pub mod validate;
pub mod walkthrough;
pub mod workflow;
