//! Issues and what hangs off them: occurrences, evidence, panel members, votes, the audit
//! trail's rows; the category → department mapping; per-walkthrough facts for reports.
//! Enumerated columns are read as their shared enums: an unknown stored state or source is
//! diesel's deserialization error, never a default.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use flowwalk_shared::api::issues::{
    Actor, Constituency, IssueAction, IssueSource, IssueState, RoutedBy, Track,
};
use flowwalk_shared::walkthrough::Severity;

use crate::db::DbConnection;
use crate::db::schema::{
    category_departments as cd, issue_events as ie, issue_evidence as ev, issue_occurrences as io,
    issue_panel_members as pm, issues, panel_votes as pv, walkthrough_facts as wf,
};
use crate::issues::rules::audit_chain::Entry;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = issues, treat_none_as_null = true)]
pub struct IssueRow {
    pub id: String,
    pub source: IssueSource,
    pub source_key: Option<String>,
    pub status: IssueState,
    pub track: Option<Track>,
    pub version: i32,
    pub merge_key: String,
    pub venue_id: String,
    pub town_id: Option<String>,
    pub category_id: Option<String>,
    pub scenario_id: Option<String>,
    pub step_name: String,
    pub department_id: String,
    pub routed_by: RoutedBy,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    pub observer_id: Option<String>,
    pub occurrence_count: i32,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
    /// The department's pending transfer request.
    pub transfer_note: Option<String>,
    pub resolution: String,
    pub triaged_at: Option<NaiveDateTime>,
    pub rectified_at: Option<NaiveDateTime>,
    pub on_time: Option<bool>,
    pub rechecked_at: Option<NaiveDateTime>,
    pub satisfied: Option<bool>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = io)]
pub struct OccurrenceRow {
    pub id: String,
    pub issue_id: String,
    pub source_ref: String,
    pub walkthrough_id: Option<String>,
    pub observer_id: Option<String>,
    pub severity: Severity,
    pub description: String,
    pub photos: String,
    pub seen_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ev)]
pub struct EvidenceRow {
    pub id: String,
    pub issue_id: String,
    pub round: i32,
    pub submitted_by: String,
    pub note: String,
    pub photos: String,
    pub created_at: NaiveDateTime,
    /// The phone's id for it (exactly-once); absent for evidence sent from a desk.
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pm)]
pub struct PanelMemberRow {
    pub issue_id: String,
    pub user_id: String,
    pub constituency: Constituency,
    pub added_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pv)]
pub struct VoteRow {
    pub issue_id: String,
    pub round: i32,
    pub user_id: String,
    pub approve: bool,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ie)]
pub struct EventRow {
    pub seq: i64,
    pub issue_id: String,
    pub issue_version: i32,
    pub action: IssueAction,
    pub from_state: Option<IssueState>,
    pub to_state: IssueState,
    pub actor_id: Option<String>,
    pub actor: Actor,
    pub detail: String,
    pub at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wf)]
pub struct FactRow {
    pub walkthrough_id: String,
    pub rev: i32,
    pub venue_id: String,
    pub scenario_id: String,
    pub scenario_version_id: String,
    pub started_at: NaiveDateTime,
    pub total_ms: i64,
    pub promised_ms: i64,
    pub finding_count: i32,
    pub accepted_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<IssueRow>> {
    issues::table
        .find(id)
        .select(IssueRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &IssueRow) -> QueryResult<()> {
    diesel::insert_into(issues::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Writes the row if its stored version is still `expected`; false when someone else
/// changed it first (the caller answers `version_conflict`).
pub fn update_if_version(
    conn: &mut DbConnection,
    row: &IssueRow,
    expected: i32,
) -> QueryResult<bool> {
    let n = diesel::update(
        issues::table
            .find(&row.id)
            .filter(issues::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

/// The open issue (if any) with this merge key. Several open ones cannot arise: creation
/// and merging run under the merge key's lock.
pub fn find_open_by_merge_key(
    conn: &mut DbConnection,
    key: &str,
    open_states: &[IssueState],
) -> QueryResult<Option<IssueRow>> {
    issues::table
        .filter(issues::merge_key.eq(key))
        .filter(issues::status.eq_any(open_states))
        .order(issues::created_at.asc())
        .select(IssueRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_source_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<IssueRow>> {
    issues::table
        .filter(issues::source_key.eq(key))
        .select(IssueRow::as_select())
        .first(conn)
        .optional()
}

/// Which of `keys` exist already (one query).
pub fn existing_source_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    // Bounded statements: SQLite limits bound parameters.
    for chunk in keys.chunks(500) {
        out.extend(
            issues::table
                .filter(issues::source_key.eq_any(chunk))
                .select(issues::source_key.assume_not_null())
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

pub fn insert_occurrence(conn: &mut DbConnection, row: &OccurrenceRow) -> QueryResult<()> {
    diesel::insert_into(io::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn occurrences(conn: &mut DbConnection, issue_id: &str) -> QueryResult<Vec<OccurrenceRow>> {
    io::table
        .filter(io::issue_id.eq(issue_id))
        .order((io::seen_at, io::id))
        .select(OccurrenceRow::as_select())
        .load(conn)
}

/// Occurrences coming from one walkthrough, with their issue (for its feedback form).
pub fn occurrences_of_walkthrough(
    conn: &mut DbConnection,
    walkthrough_id: &str,
) -> QueryResult<Vec<(OccurrenceRow, IssueRow)>> {
    io::table
        .inner_join(issues::table)
        .filter(io::walkthrough_id.eq(walkthrough_id))
        .order(io::source_ref)
        .select((OccurrenceRow::as_select(), IssueRow::as_select()))
        .load(conn)
}

/// Whether `user` observed any occurrence of the issue.
pub fn observed_by(conn: &mut DbConnection, issue_id: &str, user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        io::table
            .filter(io::issue_id.eq(issue_id))
            .filter(io::observer_id.eq(user)),
    ))
    .get_result(conn)
}

pub fn insert_evidence(conn: &mut DbConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(ev::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn evidence(conn: &mut DbConnection, issue_id: &str) -> QueryResult<Vec<EvidenceRow>> {
    ev::table
        .filter(ev::issue_id.eq(issue_id))
        .order(ev::round)
        .select(EvidenceRow::as_select())
        .load(conn)
}

pub fn evidence_by_client_id(
    conn: &mut DbConnection,
    client_id: &str,
) -> QueryResult<Option<EvidenceRow>> {
    ev::table
        .filter(ev::client_id.eq(client_id))
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()
}

pub fn panel(conn: &mut DbConnection, issue_id: &str) -> QueryResult<Vec<PanelMemberRow>> {
    pm::table
        .filter(pm::issue_id.eq(issue_id))
        .order((pm::constituency, pm::user_id))
        .select(PanelMemberRow::as_select())
        .load(conn)
}

/// Replaces the issue's panel.
pub fn set_panel(
    conn: &mut DbConnection,
    issue_id: &str,
    members: &[PanelMemberRow],
) -> QueryResult<()> {
    diesel::delete(pm::table.filter(pm::issue_id.eq(issue_id))).execute(conn)?;
    for m in members {
        diesel::insert_into(pm::table).values(m).execute(conn)?;
    }
    Ok(())
}

pub fn is_panel_member(conn: &mut DbConnection, issue_id: &str, user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        pm::table
            .filter(pm::issue_id.eq(issue_id))
            .filter(pm::user_id.eq(user)),
    ))
    .get_result(conn)
}

pub fn insert_vote(conn: &mut DbConnection, row: &VoteRow) -> QueryResult<()> {
    diesel::insert_into(pv::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn votes(conn: &mut DbConnection, issue_id: &str) -> QueryResult<Vec<VoteRow>> {
    pv::table
        .filter(pv::issue_id.eq(issue_id))
        .order((pv::round, pv::created_at))
        .select(VoteRow::as_select())
        .load(conn)
}

/// How many times `action` happened to the issue.
pub fn count_events(
    conn: &mut DbConnection,
    issue_id: &str,
    action: IssueAction,
) -> QueryResult<i64> {
    ie::table
        .filter(ie::issue_id.eq(issue_id))
        .filter(ie::action.eq(action))
        .count()
        .get_result(conn)
}

pub fn events(conn: &mut DbConnection, issue_id: &str) -> QueryResult<Vec<EventRow>> {
    ie::table
        .filter(ie::issue_id.eq(issue_id))
        .order(ie::seq)
        .select(EventRow::as_select())
        .load(conn)
}

/// The newest entry's hash (none: the chain is empty).
pub fn last_hash(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    ie::table
        .order(ie::seq.desc())
        .select(ie::hash)
        .first(conn)
        .optional()
}

/// Appends an entry to the chain (its `seq` is the table's next).
pub fn insert_entry(conn: &mut DbConnection, e: &Entry) -> QueryResult<()> {
    diesel::insert_into(ie::table)
        .values((
            ie::issue_id.eq(&e.issue_id),
            ie::issue_version.eq(e.issue_version),
            ie::action.eq(&e.action),
            ie::from_state.eq(e.from_state.as_deref()),
            ie::to_state.eq(&e.to_state),
            ie::actor_id.eq(e.actor_id.as_deref()),
            ie::actor.eq(&e.actor),
            ie::detail.eq(&e.detail),
            ie::at.eq(e.at),
            ie::prev_hash.eq(&e.prev_hash),
            ie::hash.eq(&e.hash),
        ))
        .execute(conn)
        .map(drop)
}

/// A slice of the chain in order, from `after` (exclusive), at most `limit` entries, as
/// stored (issue steps and administrative changes alike).
pub fn entries_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<Entry>> {
    let rows: Vec<_> = ie::table
        .filter(ie::seq.gt(after))
        .order(ie::seq)
        .limit(limit)
        .select((
            ie::seq,
            ie::issue_id,
            ie::issue_version,
            ie::action,
            ie::from_state,
            ie::to_state,
            ie::actor_id,
            ie::actor,
            ie::detail,
            ie::at,
            ie::prev_hash,
            ie::hash,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                seq,
                issue_id,
                issue_version,
                action,
                from_state,
                to_state,
                actor_id,
                actor,
                detail,
                at,
                prev_hash,
                hash,
            )| Entry {
                seq,
                issue_id,
                issue_version,
                action,
                from_state,
                to_state,
                actor_id,
                actor,
                detail,
                at,
                prev_hash,
                hash,
            },
        )
        .collect())
}

/// Every issue's id and current version.
pub fn versions(conn: &mut DbConnection) -> QueryResult<Vec<(String, i32)>> {
    issues::table
        .select((issues::id, issues::version))
        .load(conn)
}

/// Category → department mappings.
pub fn category_routes(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    cd::table
        .order(cd::category_id)
        .select((cd::category_id, cd::department_id))
        .load(conn)
}

pub fn category_route(conn: &mut DbConnection, category: &str) -> QueryResult<Option<String>> {
    cd::table
        .find(category)
        .select(cd::department_id)
        .first(conn)
        .optional()
}

/// Sets (or with `None` removes) a category's department.
pub fn set_category_route(
    conn: &mut DbConnection,
    category: &str,
    department: Option<&str>,
    by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(cd::table.find(category)).execute(conn)?;
    if let Some(d) = department {
        diesel::insert_into(cd::table)
            .values((
                cd::category_id.eq(category),
                cd::department_id.eq(d),
                cd::updated_by.eq(by),
                cd::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_fact(conn: &mut DbConnection, row: &FactRow) -> QueryResult<bool> {
    super::insert_once(conn, |c| {
        diesel::insert_into(wf::table).values(row).execute(c)
    })
}
