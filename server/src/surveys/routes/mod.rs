//! Thin handlers: read the declared input, call the service, render the answer.

pub mod campaigns;
pub mod citizen;
pub mod pages;
pub mod questionnaires;
