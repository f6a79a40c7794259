//! In-app notifications: one row per recipient, marked read by them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::reports::NotificationKind;

use crate::db::DbConnection;
use crate::db::schema::notifications as n;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = n)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub kind: NotificationKind,
    pub issue_id: Option<String>,
    pub walkthrough_id: Option<String>,
    pub assignment_id: Option<String>,
    pub message: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &NotificationRow) -> QueryResult<()> {
    diesel::insert_into(n::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The user's notifications, newest first, keyset-paged by `(created_at, id)`.
pub fn list(
    conn: &mut DbConnection,
    user: &str,
    unread_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    let mut q = n::table
        .filter(n::user_id.eq(user))
        .select(NotificationRow::as_select())
        .into_boxed();
    if unread_only {
        q = q.filter(n::read_at.is_null());
    }
    if let Some((at, id)) = before {
        q = q.filter(
            n::created_at
                .lt(at)
                .or(n::created_at.eq(at).and(n::id.lt(id))),
        );
    }
    q.order((n::created_at.desc(), n::id.desc()))
        .limit(limit)
        .load(conn)
}

pub fn unread_count(conn: &mut DbConnection, user: &str) -> QueryResult<i64> {
    n::table
        .filter(n::user_id.eq(user))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks the user's notifications read: the given ones, or all when `ids` is empty.
pub fn mark_read(
    conn: &mut DbConnection,
    user: &str,
    ids: &[String],
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let target = n::table
        .filter(n::user_id.eq(user))
        .filter(n::read_at.is_null());
    if ids.is_empty() {
        diesel::update(target).set(n::read_at.eq(at)).execute(conn)
    } else {
        diesel::update(target.filter(n::id.eq_any(ids)))
            .set(n::read_at.eq(at))
            .execute(conn)
    }
}

/// Whether a notification of `kind` about the issue went out since `since`.
pub fn sent_since(
    conn: &mut DbConnection,
    issue_id: &str,
    kind: NotificationKind,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        n::table
            .filter(n::issue_id.eq(issue_id))
            .filter(n::kind.eq(kind))
            .filter(n::created_at.ge(since)),
    ))
    .get_result(conn)
}
