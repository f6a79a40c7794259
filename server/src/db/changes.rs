//! The change log phones pull from: every change gets the next sequence number.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::changes;
use crate::db::{DbConnection, lock_changes};

/// What changed (the shared `ChangeKind`); reference kinds make the next pull carry the
/// reference data again.
pub use flowwalk_shared::sync::ChangeKind as Kind;

/// Appends a change; call inside the transaction that made it.
pub fn record(
    conn: &mut DbConnection,
    kind: Kind,
    entity_id: &str,
    user_id: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    lock_changes(conn, if kind == Kind::Review { user_id } else { None })?;
    record_locked(conn, kind, entity_id, user_id, at)
}

/// [`record`] for a caller that already holds the change-log lock it needs (see
/// `db::lock_photos_then_user`).
pub fn record_locked(
    conn: &mut DbConnection,
    kind: Kind,
    entity_id: &str,
    user_id: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(changes::table)
        .values((
            changes::kind.eq(kind),
            changes::entity_id.eq(entity_id),
            changes::user_id.eq(user_id),
            changes::at.eq(at),
        ))
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
