//! Accounts. A stored role nobody defined is a read error, never some other role.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::auth::Me;
use flowwalk_shared::api::users::User;

use crate::db::DbConnection;
use crate::db::schema::users;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn me(&self) -> Me {
        Me {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            department_id: self.department_id.clone(),
        }
    }
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            role: r.role,
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            department_id: r.department_id,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

pub fn insert(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<UserRow>> {
    users::table
        .order(users::username)
        .select(UserRow::as_select())
        .load(conn)
}

/// Roles of the given users, for checking that observers really are observers.
pub fn roles_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, Role)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::role))
        .load(conn)
}
