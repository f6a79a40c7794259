//! In-app notifications: who is told what, when an issue or a walkthrough changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::reports::NotificationKind;

use crate::db::DbConnection;
use crate::db::rows::new_id;
use crate::db::schema::users;
use crate::issues::store::notification_rows::{self, NotificationRow};

/// What a notification points at.
#[derive(Debug, Clone, Default)]
pub struct About<'a> {
    pub issue_id: Option<&'a str>,
    pub walkthrough_id: Option<&'a str>,
    pub assignment_id: Option<&'a str>,
}

pub fn send(
    conn: &mut DbConnection,
    to: &[String],
    kind: NotificationKind,
    about: &About<'_>,
    message: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut seen = std::collections::HashSet::new();
    for user in to {
        if !seen.insert(user) {
            continue;
        }
        notification_rows::insert(
            conn,
            &NotificationRow {
                id: new_id(),
                user_id: user.clone(),
                kind,
                issue_id: about.issue_id.map(str::to_owned),
                walkthrough_id: about.walkthrough_id.map(str::to_owned),
                assignment_id: about.assignment_id.map(str::to_owned),
                message: message.to_owned(),
                created_at: now,
                read_at: None,
            },
        )?;
    }
    Ok(())
}

/// Active managers.
pub fn managers(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::role.eq(Role::Manager.as_str()))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)
}

/// Active officers of a department.
pub fn officers_of(conn: &mut DbConnection, department_id: &str) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::role.eq(Role::DepartmentOfficer.as_str()))
        .filter(users::department_id.eq(department_id))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)
}
