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
    /// An admin reset the password: it must be replaced at the next login.
    pub must_change_password: bool,
    /// Still the printed demo password.
    pub demo_password: bool,
}

impl UserRow {
    pub fn me(&self) -> Me {
        Me {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            department_id: self.department_id.clone(),
            must_change_password: self.must_change_password,
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
            must_change_password: r.must_change_password,
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

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    get(conn, id).optional()
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

/// The fields an admin edits.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    display_name: &str,
    role: Role,
    department_id: Option<&str>,
    active: bool,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::role.eq(role),
            users::department_id.eq(department_id),
            users::active.eq(active),
        ))
        .execute(conn)?;
    get(conn, id)
}

/// Replaces the password hash; `must_change`: it is a one-time password.
pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
    must_change: bool,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
            users::demo_password.eq(false),
        ))
        .execute(conn)
        .map(drop)
}

/// How many active admins there are.
pub fn active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

/// The usernames of active accounts still holding the demo password.
pub fn with_demo_password(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::demo_password.eq(true))
        .filter(users::active.eq(true))
        .order(users::username)
        .select(users::username)
        .load(conn)
}

/// Roles of the given users, for checking that observers really are observers.
pub fn roles_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, Role)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::role))
        .load(conn)
}
