//! Photos that have arrived, and the audit of reads of originals.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{photo_quota, photo_reads, photos, revision_photos};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
pub struct PhotoRow {
    pub sha256: String,
    pub bytes: i64,
    pub width: i32,
    pub height: i32,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, sha: &str) -> QueryResult<Option<PhotoRow>> {
    photos::table
        .find(sha)
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts the row; `false` if the photo was there already.
pub fn insert(conn: &mut DbConnection, row: &PhotoRow) -> QueryResult<bool> {
    crate::db::rows::insert_once(conn, |c| {
        diesel::insert_into(photos::table).values(row).execute(c)
    })
}

/// Which of `hashes` have not arrived.
pub fn missing(conn: &mut DbConnection, hashes: &[String]) -> QueryResult<Vec<String>> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let present: Vec<String> = photos::table
        .filter(photos::sha256.eq_any(hashes))
        .select(photos::sha256)
        .load(conn)?;
    Ok(hashes
        .iter()
        .filter(|h| !present.contains(h))
        .cloned()
        .collect())
}

/// Revisions that reference the photo.
pub fn referencing(conn: &mut DbConnection, sha: &str) -> QueryResult<Vec<(String, i32)>> {
    revision_photos::table
        .filter(revision_photos::sha256.eq(sha))
        .select((revision_photos::walkthrough_id, revision_photos::rev))
        .load(conn)
}

/// Photos stored before `before`, oldest first: candidates for orphan cleanup.
pub fn older_than(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<PhotoRow>> {
    photos::table
        .filter(photos::created_at.lt(before))
        .order((photos::created_at, photos::sha256))
        .limit(limit)
        .select(PhotoRow::as_select())
        .load(conn)
}

/// Removes the photo's row; true if there was one.
pub fn delete(conn: &mut DbConnection, sha: &str) -> QueryResult<bool> {
    Ok(diesel::delete(photos::table.find(sha)).execute(conn)? == 1)
}

/// Bytes of new photos `user` uploaded on `day`.
pub fn quota_used(conn: &mut DbConnection, user: &str, day: NaiveDate) -> QueryResult<i64> {
    photo_quota::table
        .find((user, day))
        .select(photo_quota::bytes)
        .first(conn)
        .optional()
        .map(Option::unwrap_or_default)
}

/// Adds `bytes` to `user`'s use of `day` unless that would pass `limit`; true if added.
/// Atomic: of concurrent uploads, those that fit within the limit together get `true`.
pub fn charge_quota(
    conn: &mut DbConnection,
    user: &str,
    day: NaiveDate,
    bytes: i64,
    limit: i64,
) -> QueryResult<bool> {
    crate::db::rows::insert_once(conn, |c| {
        diesel::insert_into(photo_quota::table)
            .values((
                photo_quota::user_id.eq(user),
                photo_quota::day.eq(day),
                photo_quota::bytes.eq(0),
                photo_quota::photos.eq(0),
            ))
            .execute(c)
    })?;
    let n = diesel::update(
        photo_quota::table
            .find((user, day))
            .filter(photo_quota::bytes.le(limit.saturating_sub(bytes))),
    )
    .set((
        photo_quota::bytes.eq(photo_quota::bytes + bytes),
        photo_quota::photos.eq(photo_quota::photos + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn log_read(
    conn: &mut DbConnection,
    sha: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(photo_reads::table)
        .values((
            photo_reads::id.eq(crate::db::rows::new_id()),
            photo_reads::sha256.eq(sha),
            photo_reads::user_id.eq(user_id),
            photo_reads::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn reads_of(conn: &mut DbConnection, sha: &str) -> QueryResult<i64> {
    photo_reads::table
        .filter(photo_reads::sha256.eq(sha))
        .count()
        .get_result(conn)
}
