//! Rules with no HTTP and no SQL in them: input validation now; walkthrough completeness,
//! the issue state machine and working days as they arrive.

pub mod validate;
pub mod walkthrough;
