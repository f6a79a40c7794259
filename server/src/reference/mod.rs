//! Reference data every walkthrough and issue points at: venues, departments, scenarios,
//! problem categories, the working-day calendar and the workflow's run-time settings.

pub mod routes;
pub mod rules;
pub mod service;
pub mod store;
