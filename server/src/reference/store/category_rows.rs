//! Problem categories, seeded from the default taxonomy.

use diesel::prelude::*;
use flowwalk_shared::api::categories::Category;
use flowwalk_shared::taxonomy::{CategoryGroup, DEFAULT_CATEGORIES};

use super::changes::{self, Kind};
use crate::db::DbConnection;
use crate::db::schema::problem_categories as pc;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pc)]
pub struct CategoryRow {
    pub id: String,
    pub grp: CategoryGroup,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
    pub position: i32,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Category {
            group: r.grp,
            id: r.id,
            name_zh: r.name_zh,
            name_en: r.name_en,
            active: r.active,
            position: r.position,
        }
    }
}

/// Inserts the taxonomy of `docs/domain.md#problem-taxonomy` into an empty table; returns how many it added.
pub fn seed_defaults(conn: &mut DbConnection) -> QueryResult<usize> {
    let existing: i64 = pc::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let rows: Vec<CategoryRow> = DEFAULT_CATEGORIES
        .iter()
        .zip(1..)
        .map(|(c, position)| CategoryRow {
            id: c.id.to_owned(),
            grp: c.group,
            name_zh: c.name_zh.to_owned(),
            name_en: c.name_en.to_owned(),
            active: true,
            position,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(pc::table).values(row).execute(conn)?;
    }
    Ok(rows.len())
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<CategoryRow>> {
    pc::table
        .order((pc::position, pc::id))
        .select(CategoryRow::as_select())
        .load(conn)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<CategoryRow> {
    pc::table
        .find(id)
        .select(CategoryRow::as_select())
        .first(conn)
}

pub fn next_position(conn: &mut DbConnection) -> QueryResult<i32> {
    let max: Option<i32> = pc::table
        .select(diesel::dsl::max(pc::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, row: &CategoryRow) -> QueryResult<()> {
    diesel::insert_into(pc::table).values(row).execute(conn)?;
    changes::record(
        conn,
        changes::Change::new(Kind::Category, &row.id, super::now()),
    )
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    group: &str,
    name_zh: &str,
    name_en: &str,
    active: bool,
) -> QueryResult<CategoryRow> {
    let n = diesel::update(pc::table.find(id))
        .set((
            pc::grp.eq(group),
            pc::name_zh.eq(name_zh),
            pc::name_en.eq(name_en),
            pc::active.eq(active),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    changes::record(conn, changes::Change::new(Kind::Category, id, super::now()))?;
    get(conn, id)
}
