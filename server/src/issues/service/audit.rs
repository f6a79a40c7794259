//! Appending to the audit trail and verifying it against the database (the chain rules are
//! in `issue_rows::rules::audit_chain`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use flowwalk_shared::api::issues::{IssueAction, IssueState};

use crate::db::{DbConnection, lock_audit};
use crate::issues::rules::audit_chain::{Entry, Finding, GENESIS};
use crate::issues::rules::state_machine::Actor;
use crate::issues::store::issue_rows::{self as m, EventRow, IssueRow, NewEvent};

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
    lock_audit(conn)?;
    let prev = m::last_event(conn)?.map_or_else(|| GENESIS.to_owned(), |r| r.hash);
    let detail = e.detail.to_string();
    let mut entry = Entry {
        seq: 0,
        issue_id: e.issue_id.to_owned(),
        issue_version: e.version,
        action: e.action,
        from_state: e.from,
        to_state: e.to,
        actor_id: e.actor_id.map(str::to_owned),
        actor: e.actor,
        detail,
        at: e.at,
        prev_hash: prev,
        hash: String::new(),
    };
    entry.hash = crate::issues::rules::audit_chain::hash(&key.0, &entry);
    m::insert_event(
        conn,
        &NewEvent {
            issue_id: &entry.issue_id,
            issue_version: entry.issue_version,
            action: entry.action,
            from_state: entry.from_state,
            to_state: entry.to_state,
            actor_id: entry.actor_id.as_deref(),
            actor: entry.actor,
            detail: &entry.detail,
            at: entry.at,
            prev_hash: &entry.prev_hash,
            hash: &entry.hash,
        },
    )
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

fn entry(r: EventRow) -> Entry {
    Entry {
        seq: r.seq,
        issue_id: r.issue_id,
        issue_version: r.issue_version,
        action: r.action,
        from_state: r.from_state,
        to_state: r.to_state,
        actor_id: r.actor_id,
        actor: r.actor,
        detail: r.detail,
        at: r.at,
        prev_hash: r.prev_hash,
        hash: r.hash,
    }
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
        let page = m::events_after(conn, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        all.extend(page.into_iter().map(entry));
    }
    let findings = crate::issues::rules::audit_chain::verify(&key.0, &all, &versions);
    Ok(Report {
        entries: all.len(),
        issues: versions.len(),
        findings,
    })
}
