//! In-app notifications: who is told what, when an issue or a walkthrough changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::reports::{Notification, NotificationKind, NotificationPage};

use crate::db::rows::new_id;
use crate::db::schema::users;
use crate::db::{DbConnection, cursor};
use crate::error::AppError;
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

/// A page of a user's notifications, newest first, after the cursor's `(created_at, id)`.
pub fn page(
    conn: &mut DbConnection,
    user: &str,
    unread_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<NotificationPage, AppError> {
    let mut rows = notification_rows::list(conn, user, unread_only, before, limit + 1)?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|r| cursor::encode(&[&cursor::time(r.created_at), &r.id]))
        })
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| Notification {
            kind: r.kind,
            id: r.id,
            issue_id: r.issue_id,
            walkthrough_id: r.walkthrough_id,
            assignment_id: r.assignment_id,
            message: r.message,
            created_at: r.created_at,
            read: r.read_at.is_some(),
        })
        .collect();
    Ok(NotificationPage {
        unread: notification_rows::unread_count(conn, user)?,
        items,
        next_cursor,
    })
}

/// Marks the given notifications of the user (none given: all) read; how many changed.
pub fn mark_read(conn: &mut DbConnection, user: &str, ids: &[String]) -> Result<usize, AppError> {
    Ok(notification_rows::mark_read(
        conn,
        user,
        ids,
        crate::db::rows::now(),
    )?)
}
