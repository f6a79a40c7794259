//! Invite codes: single use, expiring, role and scope fixed when issued.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::auth::Invite;

use crate::db::DbConnection;
use crate::db::schema::invites;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub id: String,
    pub code_hash: String,
    pub role: Role,
    pub department_id: Option<String>,
    /// JSON array of assignment ids.
    pub assignment_ids: String,
    pub created_by: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub used_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl InviteRow {
    pub fn assignment_ids(&self) -> QueryResult<Vec<String>> {
        super::parse_stored(
            serde_json::from_str(&self.assignment_ids).ok(),
            "invites.assignment_ids",
            &self.assignment_ids,
        )
    }
}

impl TryFrom<InviteRow> for Invite {
    type Error = diesel::result::Error;

    fn try_from(r: InviteRow) -> QueryResult<Self> {
        Ok(Invite {
            assignment_ids: r.assignment_ids()?,
            role: r.role,
            id: r.id,
            department_id: r.department_id,
            created_by: r.created_by,
            expires_at: r.expires_at,
            used_at: r.used_at,
            used_by: r.used_by,
            created_at: r.created_at,
        })
    }
}

pub fn insert(conn: &mut DbConnection, row: &InviteRow) -> QueryResult<()> {
    diesel::insert_into(invites::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<InviteRow>> {
    invites::table
        .order(invites::created_at.desc())
        .select(InviteRow::as_select())
        .load(conn)
}

/// Takes an unused, unexpired invite for `user_id`, atomically: a code redeemed twice at
/// the same moment yields one account.
pub fn redeem(
    conn: &mut DbConnection,
    code_hash: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<InviteRow>> {
    let n = diesel::update(
        invites::table
            .filter(invites::code_hash.eq(code_hash))
            .filter(invites::used_at.is_null())
            .filter(invites::expires_at.gt(at)),
    )
    .set((invites::used_at.eq(at), invites::used_by.eq(user_id)))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    invites::table
        .filter(invites::code_hash.eq(code_hash))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()
}

/// An invite that can still be redeemed, if the code names one.
pub fn find_usable(
    conn: &mut DbConnection,
    code_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<InviteRow>> {
    invites::table
        .filter(invites::code_hash.eq(code_hash))
        .filter(invites::used_at.is_null())
        .filter(invites::expires_at.gt(at))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()
}
