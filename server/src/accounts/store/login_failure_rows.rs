//! Attempts against the rate limits, per bucket (an account, an invite code, a client
//! address). Kept in the database so that several servers behind a load balancer share
//! one limit; rows older than the window are purged (see `auth::limits`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::login_failures as lf;

pub fn count_since(
    conn: &mut DbConnection,
    bucket: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    lf::table
        .filter(lf::bucket.eq(bucket))
        .filter(lf::at.gt(since))
        .count()
        .get_result(conn)
}

/// Records an attempt; returns its row id.
pub fn record(conn: &mut DbConnection, bucket: &str, at: NaiveDateTime) -> QueryResult<String> {
    let id = super::new_id();
    diesel::insert_into(lf::table)
        .values((lf::id.eq(&id), lf::bucket.eq(bucket), lf::at.eq(at)))
        .execute(conn)?;
    Ok(id)
}

/// Forgets every bucket's attempts at or before `before`.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(lf::table.filter(lf::at.le(before))).execute(conn)
}

pub fn remove(conn: &mut DbConnection, ids: &[String]) -> QueryResult<()> {
    diesel::delete(lf::table.filter(lf::id.eq_any(ids)))
        .execute(conn)
        .map(drop)
}

pub fn clear(conn: &mut DbConnection, bucket: &str) -> QueryResult<()> {
    diesel::delete(lf::table.filter(lf::bucket.eq(bucket)))
        .execute(conn)
        .map(drop)
}

/// How many rows there are (for tests and maintenance logs).
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    lf::table.count().get_result(conn)
}
