//! Database rows and the queries on them. Functions return diesel's `QueryResult`; the
//! HTTP layer alone turns errors into answers.

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

/// A value of an enumerated column, parsed strictly. Only valid values are ever written;
/// an unknown one (a hand-edited row, a value from a newer server) is an error with a log
/// line, never a quiet fallback to some default.
pub fn parse_stored<T>(
    parsed: Option<T>,
    column: &'static str,
    value: &str,
) -> diesel::QueryResult<T> {
    parsed.ok_or_else(|| {
        tracing::error!(column, value, "unknown value stored in the database");
        diesel::result::Error::DeserializationError(
            format!("unknown {column} {value:?} stored in the database").into(),
        )
    })
}

/// Runs one insert whose row may already exist: `Ok(false)` when the unique key says it
/// does. The insert runs in a savepoint, so on PostgreSQL a duplicate does not abort the
/// surrounding transaction.
pub fn insert_once(
    conn: &mut crate::db::DbConnection,
    insert: impl FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<bool> {
    use diesel::Connection;
    use diesel::result::{DatabaseErrorKind, Error};
    match conn.transaction(insert) {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}
