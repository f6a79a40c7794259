//! Walkthroughs: assignments, sync push and pull, completeness, the manager's review and
//! each walkthrough's feedback form.

pub mod routes;
pub mod rules;
pub mod service;
pub mod store;
