//! Thin handlers: read the declared input, call the service, render the answer.

pub mod categories;
pub mod departments;
pub mod scenarios;
pub mod settings;
pub mod venues;
