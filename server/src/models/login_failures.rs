//! Failed logins, counted per account and per client address. Kept in the database so
//! that several servers behind a load balancer share one limit.

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

/// Records a failure and forgets this bucket's failures older than the window.
pub fn record(
    conn: &mut DbConnection,
    bucket: &str,
    at: NaiveDateTime,
    window_start: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        lf::table
            .filter(lf::bucket.eq(bucket))
            .filter(lf::at.le(window_start)),
    )
    .execute(conn)?;
    diesel::insert_into(lf::table)
        .values((
            lf::id.eq(super::new_id()),
            lf::bucket.eq(bucket),
            lf::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn clear(conn: &mut DbConnection, bucket: &str) -> QueryResult<()> {
    diesel::delete(lf::table.filter(lf::bucket.eq(bucket)))
        .execute(conn)
        .map(drop)
}
