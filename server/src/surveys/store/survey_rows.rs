//! Survey campaigns, their venues, the responses citizens give, the per-address submission
//! log, and the candidate issues drawn from answers.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use flowwalk_shared::api::surveys::{CandidateKind, CandidateStatus, ResponseSource};

use crate::db::DbConnection;
use crate::db::schema::{
    survey_campaign_venues as cv, survey_campaigns as sc, survey_candidates as cand,
    survey_hits as hits, survey_responses as sr, venues,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sc)]
pub struct CampaignRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub questionnaire_version_id: String,
    pub organizer: String,
    pub purpose: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub conclusion: String,
    pub published_results: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sr)]
pub struct ResponseRow {
    pub id: String,
    pub campaign_id: String,
    pub venue_id: String,
    pub questionnaire_version_id: String,
    pub source: ResponseSource,
    pub submission_token: Option<String>,
    /// The answers as JSON.
    pub answers: String,
    pub phone: Option<String>,
    pub submitted_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

impl ResponseRow {
    /// The stored answers; checked before they were written, so a failure is an error.
    pub fn answers(&self) -> QueryResult<flowwalk_shared::survey::Answers> {
        serde_json::from_str(&self.answers).map_err(|e| {
            diesel::result::Error::DeserializationError(format!("response {}: {e}", self.id).into())
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cand)]
pub struct CandidateRow {
    pub id: String,
    pub campaign_id: String,
    pub kind: CandidateKind,
    pub venue_id: Option<String>,
    pub question_id: String,
    pub choice_id: Option<String>,
    pub response_id: Option<String>,
    pub category_id: Option<String>,
    pub department_id: Option<String>,
    pub title: String,
    pub description: String,
    pub respondents: i32,
    pub base: i32,
    pub status: CandidateStatus,
    pub issue_id: Option<String>,
    pub dedup_key: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub handed_over_at: Option<NaiveDateTime>,
}

/// A venue of a campaign: id, code, name.
pub type VenueRef = (String, String, String);

pub fn insert_campaign(conn: &mut DbConnection, row: &CampaignRow) -> QueryResult<()> {
    diesel::insert_into(sc::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Replaces the campaign's title, period and texts (not its publication).
pub fn update_campaign(conn: &mut DbConnection, row: &CampaignRow) -> QueryResult<()> {
    let n = diesel::update(sc::table.find(&row.id))
        .set((
            sc::code.eq(&row.code),
            sc::title.eq(&row.title),
            sc::questionnaire_version_id.eq(&row.questionnaire_version_id),
            sc::organizer.eq(&row.organizer),
            sc::purpose.eq(&row.purpose),
            sc::starts_on.eq(row.starts_on),
            sc::ends_on.eq(row.ends_on),
            sc::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

pub fn set_venues(
    conn: &mut DbConnection,
    campaign_id: &str,
    venue_ids: &[String],
) -> QueryResult<()> {
    diesel::delete(cv::table.filter(cv::campaign_id.eq(campaign_id))).execute(conn)?;
    let rows: Vec<_> = venue_ids
        .iter()
        .map(|v| (cv::campaign_id.eq(campaign_id), cv::venue_id.eq(v)))
        .collect();
    // Batch inserts are written per backend (the multi-backend has no batch insert).
    match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(cv::table).values(&rows).execute(c),
        DbConnection::Sqlite(c) => diesel::insert_into(cv::table).values(&rows).execute(c),
    }
    .map(drop)
}

pub fn publish(
    conn: &mut DbConnection,
    id: &str,
    conclusion: Option<&str>,
    results: Option<&str>,
    by: Option<&str>,
    at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(sc::table.find(id))
        .set((
            sc::conclusion.eq(conclusion.unwrap_or("")),
            sc::published_results.eq(results),
            sc::published_by.eq(by),
            sc::published_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn get_campaign(conn: &mut DbConnection, id: &str) -> QueryResult<CampaignRow> {
    sc::table
        .find(id)
        .select(CampaignRow::as_select())
        .first(conn)
}

pub fn find_campaign_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> QueryResult<Option<CampaignRow>> {
    sc::table
        .filter(sc::code.eq(code))
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_campaigns(conn: &mut DbConnection) -> QueryResult<Vec<CampaignRow>> {
    sc::table
        .order((sc::starts_on.desc(), sc::code))
        .select(CampaignRow::as_select())
        .load(conn)
}

/// The campaign's venues (id, code, name), by code.
pub fn campaign_venues(conn: &mut DbConnection, campaign_id: &str) -> QueryResult<Vec<VenueRef>> {
    cv::table
        .inner_join(venues::table)
        .filter(cv::campaign_id.eq(campaign_id))
        .order(venues::code)
        .select((venues::id, venues::code, venues::name))
        .load(conn)
}

/// The venue with this code, if it belongs to the campaign.
pub fn campaign_venue_by_code(
    conn: &mut DbConnection,
    campaign_id: &str,
    venue_code: &str,
) -> QueryResult<Option<VenueRef>> {
    cv::table
        .inner_join(venues::table)
        .filter(cv::campaign_id.eq(campaign_id))
        .filter(venues::code.eq(venue_code))
        .select((venues::id, venues::code, venues::name))
        .first(conn)
        .optional()
}

/// Responses per venue of a campaign.
pub fn response_counts(
    conn: &mut DbConnection,
    campaign_id: &str,
) -> QueryResult<Vec<(String, i64)>> {
    sr::table
        .filter(sr::campaign_id.eq(campaign_id))
        .group_by(sr::venue_id)
        .select((sr::venue_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Inserts a response; `Ok(false)` when its submission token was already used (a double
/// submission of the same form).
pub fn insert_response(conn: &mut DbConnection, row: &ResponseRow) -> QueryResult<bool> {
    super::insert_once(conn, |c| {
        diesel::insert_into(sr::table).values(row).execute(c)
    })
}

/// Inserts many responses (an import) in chunks.
pub fn insert_responses(conn: &mut DbConnection, rows: &[ResponseRow]) -> QueryResult<()> {
    for chunk in rows.chunks(200) {
        match conn {
            DbConnection::Postgresql(c) => diesel::insert_into(sr::table).values(chunk).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into(sr::table).values(chunk).execute(c),
        }?;
    }
    Ok(())
}

/// A campaign's responses, optionally at one venue and within `[from, to)` (UTC), in the
/// order they were submitted.
pub fn responses(
    conn: &mut DbConnection,
    campaign_id: &str,
    venue_id: Option<&str>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
) -> QueryResult<Vec<ResponseRow>> {
    let mut q = sr::table
        .filter(sr::campaign_id.eq(campaign_id))
        .select(ResponseRow::as_select())
        .order((sr::submitted_at, sr::id))
        .into_boxed();
    if let Some(v) = venue_id {
        q = q.filter(sr::venue_id.eq(v.to_owned()));
    }
    if let Some(f) = from {
        q = q.filter(sr::submitted_at.ge(f));
    }
    if let Some(t) = to {
        q = q.filter(sr::submitted_at.lt(t));
    }
    q.load(conn)
}

pub fn get_response(conn: &mut DbConnection, id: &str) -> QueryResult<ResponseRow> {
    sr::table
        .find(id)
        .select(ResponseRow::as_select())
        .first(conn)
}

pub fn count_responses(conn: &mut DbConnection, campaign_id: &str) -> QueryResult<i64> {
    sr::table
        .filter(sr::campaign_id.eq(campaign_id))
        .count()
        .get_result(conn)
}

pub fn count_hits_since(
    conn: &mut DbConnection,
    bucket: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    hits::table
        .filter(hits::bucket.eq(bucket))
        .filter(hits::at.gt(since))
        .count()
        .get_result(conn)
}

/// Records an accepted submission from `bucket`, forgetting its hits older than the window.
pub fn record_hit(
    conn: &mut DbConnection,
    bucket: &str,
    at: NaiveDateTime,
    window_start: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        hits::table
            .filter(hits::bucket.eq(bucket))
            .filter(hits::at.le(window_start)),
    )
    .execute(conn)?;
    diesel::insert_into(hits::table)
        .values((
            hits::id.eq(super::new_id()),
            hits::bucket.eq(bucket),
            hits::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Inserts a candidate; `Ok(false)` when one with the same key exists already.
pub fn insert_candidate(conn: &mut DbConnection, row: &CandidateRow) -> QueryResult<bool> {
    super::insert_once(conn, |c| {
        diesel::insert_into(cand::table).values(row).execute(c)
    })
}

pub fn candidate_by_key(conn: &mut DbConnection, key: &str) -> QueryResult<CandidateRow> {
    cand::table
        .filter(cand::dedup_key.eq(key))
        .select(CandidateRow::as_select())
        .first(conn)
}

pub fn get_candidate(conn: &mut DbConnection, id: &str) -> QueryResult<CandidateRow> {
    cand::table
        .find(id)
        .select(CandidateRow::as_select())
        .first(conn)
}

pub fn candidates(conn: &mut DbConnection, campaign_id: &str) -> QueryResult<Vec<CandidateRow>> {
    cand::table
        .filter(cand::campaign_id.eq(campaign_id))
        .order((cand::created_at, cand::id))
        .select(CandidateRow::as_select())
        .load(conn)
}

/// Marks a waiting candidate as handed over; `false` if it was not waiting any more.
pub fn mark_handed_over(
    conn: &mut DbConnection,
    id: &str,
    issue_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        cand::table
            .find(id)
            .filter(cand::status.eq(CandidateStatus::Waiting)),
    )
    .set((
        cand::status.eq(CandidateStatus::HandedOver),
        cand::issue_id.eq(issue_id),
        cand::handed_over_at.eq(at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
