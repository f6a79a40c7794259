//! Scenarios, their versions and steps. A version is never changed once written: editing
//! a scenario adds the next version and moves `current_version` to it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::scenarios::{Channel, Scenario, Step};

use super::changes::{self, Kind};
use crate::db::DbConnection;
use crate::db::schema::{scenario_steps as st, scenario_versions as sv, scenarios as sc};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sc)]
pub struct ScenarioRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub current_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sv)]
pub struct VersionRow {
    pub id: String,
    pub scenario_id: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = st)]
pub struct StepRow {
    pub id: String,
    pub scenario_version_id: String,
    pub position: i32,
    pub name: String,
    pub channel: Channel,
    pub department_id: String,
    pub standard_minutes: i32,
    pub fee_cents: i64,
    pub materials_count: i32,
}

impl From<StepRow> for Step {
    fn from(r: StepRow) -> Self {
        Step {
            channel: r.channel,
            id: r.id,
            position: r.position,
            name: r.name,
            department_id: r.department_id,
            standard_minutes: r.standard_minutes,
            fee_cents: r.fee_cents,
            materials_count: r.materials_count,
        }
    }
}

fn assemble(s: &ScenarioRow, v: VersionRow, steps: Vec<StepRow>) -> QueryResult<Scenario> {
    let steps: Vec<Step> = steps.into_iter().map(Step::from).collect();
    Ok(Scenario {
        id: s.id.clone(),
        code: s.code.clone(),
        version_id: v.id,
        version: v.version,
        is_current: v.version == s.current_version,
        name: v.name,
        description: v.description,
        promised_minutes: steps.iter().map(|st| i64::from(st.standard_minutes)).sum(),
        steps,
        created_at: v.created_at,
    })
}

pub fn insert_scenario(conn: &mut DbConnection, row: &ScenarioRow) -> QueryResult<()> {
    diesel::insert_into(sc::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Writes a version with its steps.
pub fn insert_version(
    conn: &mut DbConnection,
    v: &VersionRow,
    steps: &[StepRow],
) -> QueryResult<()> {
    diesel::insert_into(sv::table).values(v).execute(conn)?;
    for step in steps {
        diesel::insert_into(st::table).values(step).execute(conn)?;
    }
    changes::record(
        conn,
        changes::Change::new(Kind::Scenario, &v.scenario_id, v.created_at),
    )
}

pub fn get_row(conn: &mut DbConnection, id: &str) -> QueryResult<ScenarioRow> {
    sc::table
        .find(id)
        .select(ScenarioRow::as_select())
        .first(conn)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<ScenarioRow>> {
    sc::table
        .filter(sc::code.eq(code))
        .select(ScenarioRow::as_select())
        .first(conn)
        .optional()
}

/// Points the scenario at a new current version, renaming it; `NotFound` if it is gone.
pub fn advance(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
    name: &str,
    version: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let n = diesel::update(sc::table.find(id))
        .set((
            sc::code.eq(code),
            sc::name.eq(name),
            sc::current_version.eq(version),
            sc::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

/// One version of one scenario (`None` = the current one).
pub fn get(conn: &mut DbConnection, id: &str, version: Option<i32>) -> QueryResult<Scenario> {
    let s = get_row(conn, id)?;
    let v: VersionRow = sv::table
        .filter(sv::scenario_id.eq(id))
        .filter(sv::version.eq(version.unwrap_or(s.current_version)))
        .select(VersionRow::as_select())
        .first(conn)?;
    let steps = st::table
        .filter(st::scenario_version_id.eq(&v.id))
        .order(st::position)
        .select(StepRow::as_select())
        .load(conn)?;
    assemble(&s, v, steps)
}

/// Every scenario at its current version, with steps, in three queries.
pub fn list_current(conn: &mut DbConnection) -> QueryResult<Vec<Scenario>> {
    let scenarios: Vec<ScenarioRow> = sc::table
        .order(sc::code)
        .select(ScenarioRow::as_select())
        .load(conn)?;
    let versions: Vec<VersionRow> = sv::table
        .inner_join(sc::table)
        .filter(sv::version.eq(sc::current_version))
        .select(VersionRow::as_select())
        .load(conn)?;
    let version_ids: Vec<&str> = versions.iter().map(|v| v.id.as_str()).collect();
    let mut steps: HashMap<String, Vec<StepRow>> = HashMap::new();
    for step in st::table
        .filter(st::scenario_version_id.eq_any(&version_ids))
        .order((st::scenario_version_id, st::position))
        .select(StepRow::as_select())
        .load::<StepRow>(conn)?
    {
        steps
            .entry(step.scenario_version_id.clone())
            .or_default()
            .push(step);
    }
    let mut by_scenario: HashMap<String, VersionRow> = versions
        .into_iter()
        .map(|v| (v.scenario_id.clone(), v))
        .collect();
    scenarios
        .iter()
        .filter_map(|s| {
            let v = by_scenario.remove(&s.id)?;
            let st = steps.remove(&v.id).unwrap_or_default();
            Some(assemble(s, v, st))
        })
        .collect()
}

/// All versions of a scenario, oldest first, with their steps.
pub fn versions(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<Scenario>> {
    let s = get_row(conn, id)?;
    let numbers: Vec<i32> = sv::table
        .filter(sv::scenario_id.eq(id))
        .order(sv::version)
        .select(sv::version)
        .load(conn)?;
    numbers
        .into_iter()
        .map(|n| get(conn, &s.id, Some(n)))
        .collect()
}

/// The id of the scenario's current version.
pub fn current_version_id(conn: &mut DbConnection, scenario_id: &str) -> QueryResult<String> {
    sv::table
        .inner_join(sc::table)
        .filter(sc::id.eq(scenario_id))
        .filter(sv::version.eq(sc::current_version))
        .select(sv::id)
        .first(conn)
}

/// The steps of one scenario version, in order (empty if the version has none).
pub fn steps_of_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> QueryResult<Vec<flowwalk_shared::api::scenarios::Step>> {
    st::table
        .filter(st::scenario_version_id.eq(version_id))
        .order(st::position)
        .select(StepRow::as_select())
        .load::<StepRow>(conn)
        .map(|rows| rows.into_iter().map(Step::from).collect())
}

/// The scenario at the version with this id.
pub fn get_by_version_id(
    conn: &mut DbConnection,
    version_id: &str,
) -> QueryResult<Option<Scenario>> {
    let Some((scenario_id, version)) = sv::table
        .find(version_id)
        .select((sv::scenario_id, sv::version))
        .first::<(String, i32)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    get(conn, &scenario_id, Some(version)).map(Some)
}
