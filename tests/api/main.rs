//! The integration suite: one binary (linking once is what costs on a 2-core machine),
//! every test run against SQLite and against PostgreSQL.

mod access;
mod accounts;
mod auth;
mod bad_input;
mod basics;
mod cli;
mod client;
mod import;
mod issues;
mod openapi;
mod photos;
mod reference;
mod strict;
mod surveys;
mod sync;
