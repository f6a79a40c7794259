//! Assignments and their observers.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use flowwalk_shared::api::assignments::{Assignment, AssignmentStatus, WalkMode};

use super::changes::{self, Kind};
use crate::db::DbConnection;
use crate::db::schema::{assignment_observers as ao, assignments as a};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = a)]
pub struct AssignmentRow {
    pub id: String,
    pub scenario_id: String,
    pub scenario_version_id: String,
    pub venue_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mode: WalkMode,
    pub status: AssignmentStatus,
    pub note: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AssignmentRow {
    pub fn into_api(self, observer_ids: Vec<String>) -> Assignment {
        Assignment {
            mode: self.mode,
            status: self.status,
            id: self.id,
            scenario_id: self.scenario_id,
            scenario_version_id: self.scenario_version_id,
            venue_id: self.venue_id,
            observer_ids,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub fn insert(
    conn: &mut DbConnection,
    row: &AssignmentRow,
    observers: &[String],
) -> QueryResult<()> {
    diesel::insert_into(a::table).values(row).execute(conn)?;
    set_observers(conn, &row.id, observers)
}

/// Replaces the observers (and so records the assignment as changed).
pub fn set_observers(conn: &mut DbConnection, id: &str, observers: &[String]) -> QueryResult<()> {
    diesel::delete(ao::table.filter(ao::assignment_id.eq(id))).execute(conn)?;
    for user in observers {
        insert_observer(conn, id, user)?;
    }
    changes::record(
        conn,
        changes::Change::new(Kind::Assignment, id, super::now()),
    )
}

pub fn add_observer(conn: &mut DbConnection, id: &str, user_id: &str) -> QueryResult<()> {
    insert_observer(conn, id, user_id)?;
    changes::record(
        conn,
        changes::Change::new(Kind::Assignment, id, super::now()).for_user(user_id),
    )
}

fn insert_observer(conn: &mut DbConnection, id: &str, user_id: &str) -> QueryResult<()> {
    diesel::insert_into(ao::table)
        .values((ao::assignment_id.eq(id), ao::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// Overwrites everything but id, created_by and created_at.
pub fn update(conn: &mut DbConnection, row: &AssignmentRow) -> QueryResult<()> {
    let n = diesel::update(a::table.find(&row.id))
        .set((
            a::scenario_id.eq(&row.scenario_id),
            a::scenario_version_id.eq(&row.scenario_version_id),
            a::venue_id.eq(&row.venue_id),
            a::starts_on.eq(row.starts_on),
            a::ends_on.eq(row.ends_on),
            a::mode.eq(row.mode),
            a::status.eq(row.status),
            a::note.eq(&row.note),
            a::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

/// The assignment, if there is one with this id.
pub fn find_row(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AssignmentRow>> {
    get_row(conn, id).optional()
}

pub fn get_row(conn: &mut DbConnection, id: &str) -> QueryResult<AssignmentRow> {
    a::table
        .find(id)
        .select(AssignmentRow::as_select())
        .first(conn)
}

pub fn observers(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<String>> {
    ao::table
        .filter(ao::assignment_id.eq(id))
        .order(ao::user_id)
        .select(ao::user_id)
        .load(conn)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Assignment> {
    let row = get_row(conn, id)?;
    let obs = observers(conn, id)?;
    Ok(row.into_api(obs))
}

/// All assignments, or only those `observer` is on; newest window first.
pub fn list(conn: &mut DbConnection, observer: Option<&str>) -> QueryResult<Vec<Assignment>> {
    let mut query = a::table
        .select(AssignmentRow::as_select())
        .order((a::starts_on.desc(), a::id))
        .into_boxed();
    if let Some(user) = observer {
        query = query.filter(
            a::id.eq_any(
                ao::table
                    .filter(ao::user_id.eq(user.to_owned()))
                    .select(ao::assignment_id),
            ),
        );
    }
    let rows: Vec<AssignmentRow> = query.load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut obs: HashMap<String, Vec<String>> = HashMap::new();
    for (aid, uid) in ao::table
        .filter(ao::assignment_id.eq_any(&ids))
        .order((ao::assignment_id, ao::user_id))
        .select((ao::assignment_id, ao::user_id))
        .load::<(String, String)>(conn)?
    {
        obs.entry(aid).or_default().push(uid);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let o = obs.remove(&r.id).unwrap_or_default();
            r.into_api(o)
        })
        .collect())
}

pub fn is_observer(conn: &mut DbConnection, id: &str, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(ao::table.find((id, user_id)))).get_result(conn)
}
