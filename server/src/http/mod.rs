//! HTTP plumbing shared by every capability: the route table (each declared endpoint with
//! the roles it allows), the server's side of the endpoint contract, request extractors,
//! the OpenAPI document and the health probes.

pub mod contract;
pub mod extract;
pub mod health;
pub mod openapi;
pub mod table;
