//! flowwalk server: receives what observers record, builds each walkthrough's issue list,
//! routes issues to departments and tracks fixes to the acceptance panel's sign-off.

pub mod assignments;
pub mod auth;
pub mod cli;
pub mod config;
pub mod contract;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod import;
pub mod invites;
pub mod issues;
pub mod maintenance;
pub mod models;
pub mod photos;
pub mod review;
pub mod routes;
pub mod scenarios;
pub mod startup;
pub mod survey;
pub mod sync;
pub mod telemetry;
pub mod users;
pub mod venues;
pub mod web;

pub use config::Settings;
pub use startup::Application;
