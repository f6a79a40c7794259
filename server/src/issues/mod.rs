//! Issues (问题清单): the builder, the workflow, views, lists, the 好差评 import, reports and
//! exports, the overdue sweep and notifications.

pub mod routes;
pub mod rules;
pub mod service;
pub mod store;
