//! Appending to the audit trail and verifying it against the database (the chain rules are
//! in `issue_rows::rules::audit_chain`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use flowwalk_shared::api::admin::AdminAction;
use flowwalk_shared::api::issues::{IssueAction, IssueState};

use crate::db::{DbConnection, lock_audit};
use crate::issues::rules::audit_chain::{ADMIN_VERSION, Entry, Finding, GENESIS};
use crate::issues::rules::state_machine::Actor;
use crate::issues::store::issue_rows::{self as m, IssueRow};

/// The key the chain is signed with (from the settings' `audit_key`).
#[derive(Clone)]
pub struct AuditKey(pub Vec<u8>);

impl AuditKey {
    pub fn from_settings(s: &crate::Settings) -> AuditKey {
        AuditKey(s.audit_key.as_bytes().to_vec())
    }
}

/// One event to record.
pub struct Event<'a> {
    pub issue_id: &'a str,
    /// The issue's version after the event.
    pub version: i32,
    pub action: IssueAction,
    pub from: Option<IssueState>,
    pub to: IssueState,
    pub actor: Actor,
    pub actor_id: Option<&'a str>,
    pub detail: serde_json::Value,
    pub at: NaiveDateTime,
}

/// Appends the event to the chain; call inside the transaction that made the change.
pub fn append(conn: &mut DbConnection, key: &AuditKey, e: &Event<'_>) -> diesel::QueryResult<()> {
    chain(
        conn,
        key,
        Entry {
            seq: 0,
            issue_id: e.issue_id.to_owned(),
            issue_version: e.version,
            action: e.action.as_str().to_owned(),
            from_state: e.from.map(|s| s.as_str().to_owned()),
            to_state: e.to.as_str().to_owned(),
            actor_id: e.actor_id.map(str::to_owned),
            actor: e.actor.as_str().to_owned(),
            detail: e.detail.to_string(),
            at: e.at,
            prev_hash: String::new(),
            hash: String::new(),
        },
    )
}

/// Who made an administrative change, and with which key it is signed.
pub struct Acting<'a> {
    pub key: &'a AuditKey,
    pub actor: Actor,
    /// None: the command line (whoever runs it on the server).
    pub actor_id: Option<&'a str>,
}

impl<'a> Acting<'a> {
    /// A logged-in user.
    pub fn user(key: &'a AuditKey, user: &'a crate::auth::AuthUser) -> Self {
        Acting {
            key,
            actor: Actor::of(user.role),
            actor_id: Some(&user.id),
        }
    }

    /// The command line on the server.
    pub fn command_line(key: &'a AuditKey) -> Self {
        Acting {
            key,
            actor: Actor::System,
            actor_id: None,
        }
    }
}

/// Appends an administrative change (an account, a setting) to the same chain as the
/// issues' steps; `subject` is `kind:id` of what changed. Call inside its transaction.
pub fn record_admin(
    conn: &mut DbConnection,
    by: &Acting<'_>,
    subject: &str,
    action: AdminAction,
    detail: serde_json::Value,
) -> diesel::QueryResult<()> {
    chain(
        conn,
        by.key,
        Entry {
            seq: 0,
            issue_id: subject.to_owned(),
            issue_version: ADMIN_VERSION,
            action: action.as_str().to_owned(),
            from_state: None,
            to_state: String::new(),
            actor_id: by.actor_id.map(str::to_owned),
            actor: by.actor.as_str().to_owned(),
            detail: detail.to_string(),
            at: crate::db::rows::now(),
            prev_hash: String::new(),
            hash: String::new(),
        },
    )
}

/// Links the entry to the newest one, signs it and stores it.
fn chain(conn: &mut DbConnection, key: &AuditKey, mut entry: Entry) -> diesel::QueryResult<()> {
    lock_audit(conn)?;
    entry.prev_hash = m::last_hash(conn)?.unwrap_or_else(|| GENESIS.to_owned());
    entry.hash = crate::issues::rules::audit_chain::hash(&key.0, &entry);
    m::insert_entry(conn, &entry)
}

/// One transition of an issue: what happened, by whom.
pub struct Change {
    pub action: IssueAction,
    pub from: IssueState,
    pub to: IssueState,
    pub actor: Actor,
    pub actor_id: Option<String>,
    pub detail: serde_json::Value,
    pub at: NaiveDateTime,
}

/// Writes `row` as its next version, in state `change.to`, and appends the change to the
/// audit chain — one step, checked and recorded together. `false` (nothing written) when
/// someone changed the issue since `row` was read.
pub fn commit(
    conn: &mut DbConnection,
    key: &AuditKey,
    row: &mut IssueRow,
    change: Change,
) -> diesel::QueryResult<bool> {
    let expected = row.version;
    row.status = change.to;
    row.version += 1;
    row.updated_at = change.at;
    if !m::update_if_version(conn, row, expected)? {
        return Ok(false);
    }
    append(
        conn,
        key,
        &Event {
            issue_id: &row.id,
            version: row.version,
            action: change.action,
            from: Some(change.from),
            to: change.to,
            actor: change.actor,
            actor_id: change.actor_id.as_deref(),
            detail: change.detail,
            at: change.at,
        },
    )?;
    Ok(true)
}

/// What `flowwalk audit verify` reports.
pub struct Report {
    pub entries: usize,
    pub issues: usize,
    pub findings: Vec<Finding>,
}

/// Recomputes the whole chain, reading it in pages, and compares every issue's trail with
/// the issue's version.
pub fn verify(conn: &mut DbConnection, key: &AuditKey) -> diesel::QueryResult<Report> {
    let versions: BTreeMap<String, i32> = m::versions(conn)?.into_iter().collect();
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = m::entries_after(conn, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        all.extend(page);
    }
    let findings = crate::issues::rules::audit_chain::verify(&key.0, &all, &versions);
    Ok(Report {
        entries: all.len(),
        issues: versions.len(),
        findings,
    })
}
