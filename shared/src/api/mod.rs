//! Request and response bodies of the HTTP API, one module per resource.
//!
//! Inputs reject unknown fields so that a typo in a client is an error, not silently
//! ignored data.

pub mod admin;
pub mod assignments;
pub mod auth;
pub mod calendar;
pub mod categories;
pub mod departments;
pub mod issues;
pub mod reports;
pub mod scenarios;
pub mod surveys;
pub mod users;
pub mod venues;
pub mod walkthroughs;

/// The prefix every versioned endpoint lives under.
pub const API_PREFIX: &str = "/api/v1";

/// The answer of the health probes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` (the process answers) or `ready` (the database answers too).
    pub status: String,
}
