//! Rules with no HTTP and no SQL in them: input validation now; walkthrough completeness,
//! the issue state machine and working days as they arrive; questionnaires, their answers
//! and their results.

pub mod keywords;
pub mod questionnaire;
pub mod survey_results;
pub mod validate;
pub mod walkthrough;
