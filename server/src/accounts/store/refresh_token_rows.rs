//! Refresh tokens, stored only as hashes, in families: every rotation adds a token to its
//! login's family and links the spent one to its successor; presenting a spent one again
//! after the grace period revokes the whole family.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::refresh_tokens as rt;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rt)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The token that replaced this one when it was spent.
    pub replaced_by: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(rt::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    rt::table
        .filter(rt::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RefreshTokenRow>> {
    rt::table
        .find(id)
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a live token spent and replaced by `successor`, atomically: of two concurrent
/// refreshes with the same token exactly one gets `true`.
pub fn claim(
    conn: &mut DbConnection,
    token_hash: &str,
    successor: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        rt::table
            .filter(rt::token_hash.eq(token_hash))
            .filter(rt::used_at.is_null())
            .filter(rt::revoked_at.is_null())
            .filter(rt::expires_at.gt(at)),
    )
    .set((rt::used_at.eq(at), rt::replaced_by.eq(successor)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::family_id.eq(family_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(at))
    .execute(conn)
}

/// Ends every login of the user (a deactivated account, a password reset).
pub fn revoke_user(
    conn: &mut DbConnection,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::user_id.eq(user_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(at))
    .execute(conn)
}
