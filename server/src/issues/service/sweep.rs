//! The overdue sweep: issues still with their department after the deadline are flagged
//! overdue (an audited transition) and escalated to managers; a deadline one working day
//! away reminds the department. Runs every few minutes in the server, and on demand.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::issues::{IssueAction, IssueState};
use flowwalk_shared::api::reports::NotificationKind;
use flowwalk_shared::time::china;

use super::audit::{self, AuditKey, Change};
use super::notify::{self, About};
use crate::db::DbConnection;
use crate::db::schema::issues;
use crate::error::AppError;
use crate::issues::rules::state_machine::{self as wf, Actor};
use crate::issues::store::issue_rows::IssueRow;
use crate::issues::store::notification_rows;
use crate::reference::service::settings;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub overdue: usize,
    pub reminded: usize,
}

/// Flags what is overdue at `now` and reminds what is due on the next working day.
pub fn sweep(
    conn: &mut DbConnection,
    key: &AuditKey,
    now: NaiveDateTime,
) -> Result<Swept, AppError> {
    let today = china::date_of(now);
    let turn: Vec<IssueState> = IssueState::ALL
        .into_iter()
        .filter(|s| wf::department_turn(*s))
        .collect();
    let late: Vec<IssueRow> = issues::table
        .filter(issues::status.eq_any(&turn))
        .filter(issues::overdue.eq(false))
        .filter(issues::deadline.lt(today))
        .select(IssueRow::as_select())
        .load(conn)?;
    let mut out = Swept::default();
    let managers = notify::managers(conn)?;
    for mut row in late {
        let state = row.status;
        let Ok(to) = wf::next(state, IssueAction::MarkOverdue, Actor::System) else {
            continue;
        };
        row.overdue = true;
        let change = Change {
            action: IssueAction::MarkOverdue,
            from: state,
            to,
            actor: Actor::System,
            actor_id: None,
            detail: serde_json::json!({
                "deadline": row.deadline.map(|d| d.to_string()),
                "today": today.to_string(),
            }),
            at: now,
        };
        if !audit::commit(conn, key, &mut row, change)? {
            continue;
        }
        let about = About {
            issue_id: Some(&row.id),
            ..About::default()
        };
        let deadline = row.deadline.map(|d| d.to_string()).unwrap_or_default();
        let mut to_users = managers.clone();
        to_users.extend(notify::officers_of(conn, &row.department_id)?);
        notify::send(
            conn,
            &to_users,
            NotificationKind::Overdue,
            &about,
            &format!("问题“{}”已超过整改期限({deadline})", row.title),
            now,
        )?;
        out.overdue += 1;
    }
    let (cal, _) = settings::calendar(conn)?;
    let tomorrow = cal.add_working_days(today, 1).date;
    let near: Vec<IssueRow> = issues::table
        .filter(issues::status.eq_any(&turn))
        .filter(issues::deadline.ge(today))
        .filter(issues::deadline.le(tomorrow))
        .select(IssueRow::as_select())
        .load(conn)?;
    for row in near {
        // Once per deadline: a reminder sent in the last few days counts.
        let since = now - chrono::Duration::days(4);
        if notification_rows::sent_since(conn, &row.id, NotificationKind::DeadlineNear, since)? {
            continue;
        }
        let officers = notify::officers_of(conn, &row.department_id)?;
        if officers.is_empty() {
            continue;
        }
        let deadline = row.deadline.map(|d| d.to_string()).unwrap_or_default();
        notify::send(
            conn,
            &officers,
            NotificationKind::DeadlineNear,
            &About {
                issue_id: Some(&row.id),
                ..About::default()
            },
            &format!(
                "问题“{}”将于 {deadline} 到期,请及时整改并提交佐证",
                row.title
            ),
            now,
        )?;
        out.reminded += 1;
    }
    Ok(out)
}
