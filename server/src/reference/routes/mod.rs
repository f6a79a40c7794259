//! Thin handlers: read the declared input, call the service, render the answer.

pub mod categories_api;
pub mod departments_api;
pub mod scenarios_api;
pub mod settings_api;
pub mod venues_api;
