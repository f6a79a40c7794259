//! flowwalk server: receives what observers record, builds each walkthrough's issue list,
//! routes issues to departments and tracks fixes to the acceptance panel's sign-off.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod http;
pub mod issues;
pub mod maintenance;
pub mod photos;
pub mod reference;
pub mod startup;
pub mod surveys;
pub mod telemetry;
pub mod walkthroughs;
pub mod web;

pub use config::Settings;
pub use startup::Application;
