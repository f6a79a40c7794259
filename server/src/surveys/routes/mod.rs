//! Thin handlers: read the declared input, call the service, render the answer.

pub mod campaigns_api;
pub mod citizen_api;
pub mod pages_api;
pub mod questionnaires_api;
