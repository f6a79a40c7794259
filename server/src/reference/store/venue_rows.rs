//! Venues and their hierarchy.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::venues::{Venue, VenueLevel};

use super::changes::{self, Kind};
use crate::db::DbConnection;
use crate::db::schema::venues;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = venues, treat_none_as_null = true)]
pub struct VenueRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: VenueLevel,
    pub parent_id: Option<String>,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<VenueRow> for Venue {
    fn from(r: VenueRow) -> Self {
        Venue {
            level: r.level,
            id: r.id,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            address: r.address,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<VenueRow>> {
    venues::table
        .order(venues::code)
        .select(VenueRow::as_select())
        .load(conn)
}

/// The venue, if there is one with this id.
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<VenueRow>> {
    get(conn, id).optional()
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<VenueRow> {
    venues::table
        .find(id)
        .select(VenueRow::as_select())
        .first(conn)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<VenueRow>> {
    venues::table
        .filter(venues::code.eq(code))
        .select(VenueRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &VenueRow) -> QueryResult<()> {
    diesel::insert_into(venues::table)
        .values(row)
        .execute(conn)?;
    changes::record(
        conn,
        changes::Change::new(Kind::Venue, &row.id, row.updated_at),
    )
}

/// Overwrites everything but id and created_at.
pub fn update(conn: &mut DbConnection, row: &VenueRow) -> QueryResult<VenueRow> {
    let n = diesel::update(venues::table.find(&row.id))
        .set((
            venues::code.eq(&row.code),
            venues::name.eq(&row.name),
            venues::level.eq(row.level),
            venues::parent_id.eq(&row.parent_id),
            venues::address.eq(&row.address),
            venues::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    changes::record(
        conn,
        changes::Change::new(Kind::Venue, &row.id, row.updated_at),
    )?;
    get(conn, &row.id)
}

/// Whether `ancestor` is `id` itself or above it in the hierarchy (to refuse cycles).
pub fn is_self_or_descendant(
    conn: &mut DbConnection,
    id: &str,
    ancestor: &str,
) -> QueryResult<bool> {
    let mut cursor = Some(id.to_owned());
    let mut hops = 0;
    while let Some(current) = cursor {
        if current == ancestor {
            return Ok(true);
        }
        hops += 1;
        if hops > 64 {
            return Ok(true);
        }
        cursor = venues::table
            .find(&current)
            .select(venues::parent_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
    }
    Ok(false)
}

pub fn has_children(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        venues::table.filter(venues::parent_id.eq(id)),
    ))
    .get_result(conn)
}
