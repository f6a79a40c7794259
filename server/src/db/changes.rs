//! The change log phones pull from: every change gets the next sequence number.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::changes;
use crate::db::{DbConnection, lock_changes};

/// What changed (the shared `ChangeKind`); reference kinds make the next pull carry the
/// reference data again.
pub use flowwalk_shared::sync::ChangeKind as Kind;

/// One change: what, which, by whom (a review is told to its observer only), when.
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = changes)]
pub struct Change<'a> {
    pub kind: Kind,
    pub entity_id: &'a str,
    pub user_id: Option<&'a str>,
    pub at: NaiveDateTime,
}

impl<'a> Change<'a> {
    pub fn new(kind: Kind, entity_id: &'a str, at: NaiveDateTime) -> Self {
        Change {
            kind,
            entity_id,
            user_id: None,
            at,
        }
    }

    /// The change concerns this user alone.
    pub fn for_user(self, user_id: &'a str) -> Self {
        Change {
            user_id: Some(user_id),
            ..self
        }
    }
}

/// Appends a change; call inside the transaction that made it.
pub fn record(conn: &mut DbConnection, change: Change<'_>) -> QueryResult<()> {
    let user = (change.kind == Kind::Review)
        .then_some(change.user_id)
        .flatten();
    lock_changes(conn, user)?;
    record_locked(conn, change)
}

/// [`record`] for a caller that already holds the change-log lock it needs (see
/// `db::lock_photos_then_user`).
pub fn record_locked(conn: &mut DbConnection, change: Change<'_>) -> QueryResult<()> {
    diesel::insert_into(changes::table)
        .values(change)
        .execute(conn)
        .map(drop)
}

/// The newest sequence number (0 when nothing changed yet).
pub fn latest(conn: &mut DbConnection) -> QueryResult<i64> {
    changes::table
        .select(diesel::dsl::max(changes::seq))
        .first::<Option<i64>>(conn)
        .map(|s| s.unwrap_or(0))
}

/// Whether reference data changed in `(after, upto]`.
pub fn reference_changed(conn: &mut DbConnection, after: i64, upto: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        changes::table
            .filter(changes::seq.gt(after))
            .filter(changes::seq.le(upto))
            .filter(changes::kind.ne(Kind::Review)),
    ))
    .get_result(conn)
}

/// Walkthroughs of `user` whose review state changed in `(after, upto]`.
pub fn reviews_for(
    conn: &mut DbConnection,
    user: &str,
    after: i64,
    upto: i64,
) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = changes::table
        .filter(changes::user_id.eq(user))
        .filter(changes::kind.eq(Kind::Review))
        .filter(changes::seq.gt(after))
        .filter(changes::seq.le(upto))
        .order(changes::seq)
        .select(changes::entity_id)
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}
