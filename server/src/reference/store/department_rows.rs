//! Departments: the responsible units.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::departments::Department;

use super::changes::{self, Kind};
use crate::db::DbConnection;
use crate::db::schema::departments;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Department {
            id: r.id,
            code: r.code,
            name: r.name,
            name_en: r.name_en,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<DepartmentRow>> {
    departments::table
        .order(departments::code)
        .select(DepartmentRow::as_select())
        .load(conn)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<DepartmentRow> {
    departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .first(conn)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<DepartmentRow>> {
    departments::table
        .filter(departments::code.eq(code))
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(departments::table.find(id))).get_result(conn)
}

pub fn insert(conn: &mut DbConnection, row: &DepartmentRow) -> QueryResult<()> {
    diesel::insert_into(departments::table)
        .values(row)
        .execute(conn)?;
    changes::record(
        conn,
        changes::Change::new(Kind::Department, &row.id, row.updated_at),
    )
}

/// Updates code and names; `NotFound` when there is no such department.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
    name: &str,
    name_en: &str,
    at: NaiveDateTime,
) -> QueryResult<DepartmentRow> {
    let n = diesel::update(departments::table.find(id))
        .set((
            departments::code.eq(code),
            departments::name.eq(name),
            departments::name_en.eq(name_en),
            departments::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(diesel::result::Error::NotFound);
    }
    changes::record(conn, changes::Change::new(Kind::Department, id, at))?;
    get(conn, id)
}
