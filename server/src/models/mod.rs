//! Database rows and the queries on them. Functions return diesel's `QueryResult`; the
//! HTTP layer alone turns errors into answers.

pub mod assignments;
pub mod categories;
pub mod changes;
pub mod departments;
pub mod invites;
pub mod login_failures;
pub mod photos;
pub mod refresh_tokens;
pub mod scenarios;
pub mod users;
pub mod venues;
pub mod walkthroughs;

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// A new time-ordered id (UUIDv7), as text so both backends store it alike.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now in UTC, to the microsecond (what both backends keep), so values read back compare
/// equal to what was written.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}
