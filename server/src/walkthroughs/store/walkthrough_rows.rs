//! Walkthrough revisions (immutable), conflicting versions, and each walkthrough's review
//! state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::sync::ReviewStatus;

use crate::db::DbConnection;
use crate::db::schema::{
    revision_photos, walkthrough_conflicts as wc, walkthrough_revisions as wr, walkthroughs as w,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wr)]
pub struct RevisionRow {
    pub walkthrough_id: String,
    pub rev: i32,
    pub content_hash: String,
    pub observer_id: String,
    pub device_id: String,
    pub assignment_id: String,
    pub scenario_version_id: String,
    pub body: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
    pub clock_offset_ms: i64,
    pub photo_count: i32,
    pub complete: bool,
    pub received_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = w)]
pub struct WalkthroughRow {
    pub id: String,
    pub observer_id: String,
    pub assignment_id: String,
    pub latest_rev: i32,
    pub status: ReviewStatus,
    pub review_comment: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wc)]
pub struct ConflictRow {
    pub walkthrough_id: String,
    pub rev: i32,
    pub content_hash: String,
    pub observer_id: String,
    pub device_id: String,
    pub body: String,
    pub received_at: NaiveDateTime,
}

/// Inserts a revision and its photo references. A second insert of the same
/// `(walkthrough_id, rev)` fails with a unique violation: the database decides.
pub fn insert_revision(
    conn: &mut DbConnection,
    row: &RevisionRow,
    photos: &[String],
) -> QueryResult<()> {
    diesel::insert_into(wr::table).values(row).execute(conn)?;
    if let DbConnection::Postgresql(pg) = conn {
        // One round trip for all photos.
        use diesel::sql_types::{Array, Integer, Text};
        if !photos.is_empty() {
            diesel::sql_query(
                "INSERT INTO revision_photos (walkthrough_id, rev, sha256) \
                 SELECT $1, $2, unnest($3::text[])",
            )
            .bind::<Text, _>(&row.walkthrough_id)
            .bind::<Integer, _>(row.rev)
            .bind::<Array<Text>, _>(photos)
            .execute(pg)?;
        }
        return Ok(());
    }
    // SQLite runs in-process: a statement per photo costs no round trip (and batch inserts
    // do not compile through the multi-backend connection).
    for sha in photos {
        diesel::insert_into(revision_photos::table)
            .values((
                revision_photos::walkthrough_id.eq(&row.walkthrough_id),
                revision_photos::rev.eq(row.rev),
                revision_photos::sha256.eq(sha),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn revision(conn: &mut DbConnection, id: &str, rev: i32) -> QueryResult<Option<RevisionRow>> {
    wr::table
        .find((id, rev))
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()
}

pub fn revision_photos(conn: &mut DbConnection, id: &str, rev: i32) -> QueryResult<Vec<String>> {
    revision_photos::table
        .filter(revision_photos::walkthrough_id.eq(id))
        .filter(revision_photos::rev.eq(rev))
        .order(revision_photos::sha256)
        .select(revision_photos::sha256)
        .load(conn)
}

pub fn mark_complete(
    conn: &mut DbConnection,
    id: &str,
    rev: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(wr::table.find((id, rev)).filter(wr::complete.eq(false)))
        .set((wr::complete.eq(true), wr::completed_at.eq(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Keeps another version of `(id, rev)`; storing the same version twice is a no-op.
pub fn keep_conflict(conn: &mut DbConnection, row: &ConflictRow) -> QueryResult<()> {
    super::insert_once(conn, |c| {
        diesel::insert_into(wc::table).values(row).execute(c)
    })
    .map(drop)
}

pub fn conflicts(conn: &mut DbConnection) -> QueryResult<Vec<ConflictRow>> {
    wc::table
        .order((wc::received_at.desc(), wc::walkthrough_id))
        .select(ConflictRow::as_select())
        .load(conn)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<WalkthroughRow>> {
    w::table
        .find(id)
        .select(WalkthroughRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &WalkthroughRow) -> QueryResult<()> {
    diesel::insert_into(w::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Moves a walkthrough to a new revision and status.
pub fn set_latest(
    conn: &mut DbConnection,
    id: &str,
    rev: i32,
    status: ReviewStatus,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(w::table.find(id))
        .set((
            w::latest_rev.eq(rev),
            w::status.eq(status),
            w::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Changes status only if it is still `from` (and the revision still `rev`); true if done.
pub fn transition(
    conn: &mut DbConnection,
    id: &str,
    rev: i32,
    from: ReviewStatus,
    to: ReviewStatus,
    comment: Option<(&str, &str)>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = w::table
        .find(id)
        .filter(w::latest_rev.eq(rev))
        .filter(w::status.eq(from));
    let n = match comment {
        Some((text, reviewer)) => diesel::update(target)
            .set((
                w::status.eq(to),
                w::review_comment.eq(text),
                w::reviewed_by.eq(reviewer),
                w::reviewed_at.eq(at),
                w::updated_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((w::status.eq(to), w::updated_at.eq(at)))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Walkthroughs in any of `statuses`, newest first.
pub fn list(
    conn: &mut DbConnection,
    statuses: &[ReviewStatus],
) -> QueryResult<Vec<WalkthroughRow>> {
    w::table
        .filter(w::status.eq_any(statuses))
        .order((w::updated_at.desc(), w::id))
        .select(WalkthroughRow::as_select())
        .load(conn)
}

/// Walkthroughs any revision of which refers to the photo.
pub fn referring_to_photo(conn: &mut DbConnection, sha: &str) -> QueryResult<Vec<WalkthroughRow>> {
    w::table
        .filter(
            w::id.eq_any(
                revision_photos::table
                    .filter(revision_photos::sha256.eq(sha.to_owned()))
                    .select(revision_photos::walkthrough_id),
            ),
        )
        .select(WalkthroughRow::as_select())
        .load(conn)
}

/// Whether any stored revision refers to the photo.
pub fn photo_referenced(conn: &mut DbConnection, sha: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        revision_photos::table.filter(revision_photos::sha256.eq(sha)),
    ))
    .get_result(conn)
}
