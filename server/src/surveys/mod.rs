//! Citizen questionnaires: questionnaires, campaigns, submissions, results, the paper
//! import, exports, candidate issues, QR codes and the citizen's pages.

pub mod routes;
pub mod rules;
pub mod service;
pub mod store;
