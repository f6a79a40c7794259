//! Questionnaires and their versions. A version is never changed once written: editing a
//! questionnaire adds the next version and moves `current_version` to it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use flowwalk_shared::api::surveys::{Question, Questionnaire};

use crate::db::DbConnection;
use crate::db::schema::{questionnaire_versions as qv, questionnaires as qn};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = qn)]
pub struct QuestionnaireRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub current_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = qv)]
pub struct VersionRow {
    pub id: String,
    pub questionnaire_id: String,
    pub version: i32,
    pub title: String,
    pub intro: String,
    pub ask_phone: bool,
    /// The questions as JSON.
    pub questions: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl VersionRow {
    /// The stored questions. They were checked before they were written, so a failure
    /// here means the database was changed by hand: an error, never a default.
    pub fn questions(&self) -> QueryResult<Vec<Question>> {
        serde_json::from_str(&self.questions).map_err(|e| {
            diesel::result::Error::DeserializationError(
                format!("questionnaire version {}: {e}", self.id).into(),
            )
        })
    }
}

fn assemble(q: &QuestionnaireRow, v: VersionRow) -> QueryResult<Questionnaire> {
    Ok(Questionnaire {
        id: q.id.clone(),
        code: q.code.clone(),
        questions: v.questions()?,
        version_id: v.id,
        version: v.version,
        is_current: v.version == q.current_version,
        title: v.title,
        intro: v.intro,
        ask_phone: v.ask_phone,
        created_at: v.created_at,
    })
}

pub fn insert(conn: &mut DbConnection, row: &QuestionnaireRow) -> QueryResult<()> {
    diesel::insert_into(qn::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_version(conn: &mut DbConnection, row: &VersionRow) -> QueryResult<()> {
    diesel::insert_into(qv::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn get_row(conn: &mut DbConnection, id: &str) -> QueryResult<QuestionnaireRow> {
    qn::table
        .find(id)
        .select(QuestionnaireRow::as_select())
        .first(conn)
}

/// Points the questionnaire at a new current version; `NotFound` if it is gone.
pub fn advance(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
    title: &str,
    version: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let n = diesel::update(qn::table.find(id))
        .set((
            qn::code.eq(code),
            qn::title.eq(title),
            qn::current_version.eq(version),
            qn::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

pub fn version_row(conn: &mut DbConnection, version_id: &str) -> QueryResult<VersionRow> {
    qv::table
        .find(version_id)
        .select(VersionRow::as_select())
        .first(conn)
}

/// One version (`None` = the current one).
pub fn get(conn: &mut DbConnection, id: &str, version: Option<i32>) -> QueryResult<Questionnaire> {
    let q = get_row(conn, id)?;
    let v = qv::table
        .filter(qv::questionnaire_id.eq(id))
        .filter(qv::version.eq(version.unwrap_or(q.current_version)))
        .select(VersionRow::as_select())
        .first(conn)?;
    assemble(&q, v)
}

/// The questionnaire at the version with this id.
pub fn get_by_version_id(conn: &mut DbConnection, version_id: &str) -> QueryResult<Questionnaire> {
    let v = version_row(conn, version_id)?;
    let q = get_row(conn, &v.questionnaire_id)?;
    assemble(&q, v)
}

/// Every questionnaire at its current version.
pub fn list_current(conn: &mut DbConnection) -> QueryResult<Vec<Questionnaire>> {
    let rows: Vec<(QuestionnaireRow, VersionRow)> = qn::table
        .inner_join(qv::table)
        .filter(qv::version.eq(qn::current_version))
        .order(qn::code)
        .select((QuestionnaireRow::as_select(), VersionRow::as_select()))
        .load(conn)?;
    rows.into_iter().map(|(q, v)| assemble(&q, v)).collect()
}

/// All versions, oldest first.
pub fn versions(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<Questionnaire>> {
    let q = get_row(conn, id)?;
    let rows = qv::table
        .filter(qv::questionnaire_id.eq(id))
        .order(qv::version)
        .select(VersionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|v| assemble(&q, v)).collect()
}
