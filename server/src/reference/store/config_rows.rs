//! Settings edited at run time and kept in the database (the calendar, the panel rule).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::app_config as ac;

pub const CALENDAR: &str = "calendar";
pub const PANEL_RULE: &str = "panel_rule";

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    ac::table.find(key).select(ac::value).first(conn).optional()
}

pub fn set(
    conn: &mut DbConnection,
    key: &str,
    value: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let n = diesel::update(ac::table.find(key))
        .set((
            ac::value.eq(value),
            ac::updated_by.eq(by),
            ac::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(ac::table)
            .values((
                ac::key.eq(key),
                ac::value.eq(value),
                ac::updated_by.eq(by),
                ac::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
