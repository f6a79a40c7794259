//! Citizen questionnaire campaigns: a campaign as managers see it, storing a citizen's
//! submission within the abuse bounds (one per form token, a per-address rate limit), and
//! the results over any venue and period. The rules themselves are in
//! [`crate::surveys::rules::questionnaire`] and [`crate::surveys::rules::results`].

pub mod candidates;
pub mod paper_import;
pub mod qr;
pub mod results_export;
pub mod setup;
pub mod submission;

use chrono::{Duration, NaiveDate};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::surveys::{
    Campaign, CampaignResults, CampaignVenue, Publication, Questionnaire, ResultsFilter, TextAnswer,
};
use flowwalk_shared::survey::Answers;
use flowwalk_shared::time::china;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::surveys::rules::{keywords, results as survey_results};
use crate::surveys::store::questionnaire_rows;
use crate::surveys::store::survey_rows::{self, CampaignRow, ResponseRow};

pub fn form_path(campaign: &str, venue: &str) -> String {
    format!("/q/{campaign}/{venue}")
}

pub fn results_path(campaign: &str) -> String {
    format!("/r/{campaign}")
}

/// Whether a campaign takes answers on `today`.
pub fn is_open(c: &CampaignRow, today: NaiveDate) -> bool {
    c.starts_on <= today && today <= c.ends_on
}

/// A campaign with its venues, links, counts and publication.
pub fn view(conn: &mut DbConnection, c: &CampaignRow) -> Result<Campaign, AppError> {
    let version = questionnaire_rows::version_row(conn, &c.questionnaire_version_id)?;
    let counts = survey_rows::response_counts(conn, &c.id)?;
    let count_at = |venue: &str| {
        counts
            .iter()
            .find(|(v, _)| v == venue)
            .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    let venues = survey_rows::campaign_venues(conn, &c.id)?
        .into_iter()
        .map(|(id, code, name)| {
            let form = form_path(&c.code, &code);
            CampaignVenue {
                responses: count_at(&id),
                venue_id: id,
                qr_path: format!("{form}/qr.svg"),
                poster_path: format!("{form}/poster"),
                form_path: form,
                code,
                name,
            }
        })
        .collect();
    let total = counts.iter().map(|(_, n)| *n).sum::<i64>();
    Ok(Campaign {
        id: c.id.clone(),
        code: c.code.clone(),
        title: c.title.clone(),
        questionnaire_id: version.questionnaire_id,
        questionnaire_version_id: c.questionnaire_version_id.clone(),
        questionnaire_version: version.version,
        organizer: c.organizer.clone(),
        purpose: c.purpose.clone(),
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        open: is_open(c, china::today()),
        venues,
        responses: u32::try_from(total).unwrap_or(u32::MAX),
        publication: c.published_at.map(|at| Publication {
            published_at: at,
            published_by: c.published_by.clone(),
            conclusion: c.conclusion.clone(),
            results_path: results_path(&c.code),
        }),
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// The responses a filter selects; a venue outside the campaign is an error.
fn filtered(
    conn: &mut DbConnection,
    c: &CampaignRow,
    filter: &ResultsFilter,
) -> Result<Vec<ResponseRow>, AppError> {
    if let Some(v) = &filter.venue_id
        && !survey_rows::campaign_venues(conn, &c.id)?
            .iter()
            .any(|(id, _, _)| id == v)
    {
        return Err(AppError::invalid(
            "venue_id",
            "该场所不在本次问卷调查中",
            "The venue is not part of this campaign",
        ));
    }
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && f > t
    {
        return Err(AppError::invalid(
            "to",
            "结束日期不能早于开始日期",
            "`to` must not be before `from`",
        ));
    }
    Ok(survey_rows::responses(
        conn,
        &c.id,
        filter.venue_id.as_deref(),
        filter.from.map(china::midnight_utc),
        filter
            .to
            .map(|t| china::midnight_utc(t + Duration::days(1))),
    )?)
}

/// Parses stored answers; a row that cannot be read is an error, not skipped.
pub fn parse_answers(rows: &[ResponseRow]) -> Result<Vec<Answers>, AppError> {
    rows.iter()
        .map(|r| r.answers().map_err(AppError::from))
        .collect()
}

/// The campaign's questionnaire (the version it runs).
pub fn questionnaire(conn: &mut DbConnection, c: &CampaignRow) -> Result<Questionnaire, AppError> {
    Ok(questionnaire_rows::get_by_version_id(
        conn,
        &c.questionnaire_version_id,
    )?)
}

/// Results of a campaign over the responses the filter selects.
pub fn results(
    conn: &mut DbConnection,
    c: &CampaignRow,
    filter: &ResultsFilter,
) -> Result<CampaignResults, AppError> {
    let q = questionnaire(conn, c)?;
    let rows = filtered(conn, c, filter)?;
    let answers = parse_answers(&rows)?;
    let refs: Vec<&Answers> = answers.iter().collect();
    Ok(CampaignResults {
        campaign_id: c.id.clone(),
        questionnaire_version_id: q.version_id.clone(),
        filter: filter.clone(),
        respondents: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        questions: survey_results::compute(&q.questions, &refs),
    })
}

/// The free-text answers behind one keyword (those counted for it).
pub fn keyword_answers(
    conn: &mut DbConnection,
    c: &CampaignRow,
    question_id: &str,
    keyword: &str,
    filter: &ResultsFilter,
) -> Result<Vec<TextAnswer>, AppError> {
    let q = questionnaire(conn, c)?;
    if !q
        .questions
        .iter()
        .any(|x| x.id == question_id && x.kind == flowwalk_shared::api::surveys::QuestionKind::Text)
    {
        return Err(AppError::invalid(
            "question_id",
            "不是本问卷的填空题",
            "Not a free-text question of this questionnaire",
        ));
    }
    let keyword = keyword.trim().to_lowercase();
    let rows = filtered(conn, c, filter)?;
    let mut out = Vec::new();
    for r in &rows {
        let answers = r.answers()?;
        if let Some(text) = answers.get(question_id).and_then(|a| a.text())
            && keywords::mentions(text, &keyword)
        {
            out.push(TextAnswer {
                response_id: r.id.clone(),
                venue_id: r.venue_id.clone(),
                submitted_at: r.submitted_at,
                text: text.to_owned(),
            });
        }
    }
    Ok(out)
}

/// How many submissions one client address may make within a window.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub max: u32,
    pub window_minutes: u32,
}

/// The rate-limit bucket of a client address: a keyed hash, so the stored value does not
/// reveal the address (IPv4 is small enough to hash every address).
pub fn address_bucket(secret: &str, address: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"flowwalk survey address\0");
    h.update(secret.as_bytes());
    h.update(b"\0");
    h.update(address.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A citizen's submission, checked.
pub struct Submission {
    pub campaign_id: String,
    pub venue_id: String,
    pub questionnaire_version_id: String,
    pub token: Option<String>,
    pub answers: Answers,
    pub phone: Option<String>,
    pub bucket: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new response.
    New,
    /// The same form was submitted before (a double tap, a retry): nothing added.
    AlreadyHad,
    /// The address has submitted its share within the window: nothing added.
    RateLimited,
}

/// Whether the address may submit now (read-only: the form shows the problem before the
/// citizen's answers are even checked).
pub fn rate_limited(
    conn: &mut DbConnection,
    bucket: &str,
    limit: RateLimit,
) -> Result<bool, AppError> {
    let since = crate::db::rows::now() - Duration::minutes(i64::from(limit.window_minutes));
    Ok(survey_rows::count_hits_since(conn, bucket, since)? >= i64::from(limit.max))
}

/// Counts a submission against the address (a honeypot catch counts, too).
pub fn record_hit(conn: &mut DbConnection, bucket: &str, limit: RateLimit) -> Result<(), AppError> {
    let now = crate::db::rows::now();
    let since = now - Duration::minutes(i64::from(limit.window_minutes));
    db::lock_survey_bucket(conn, bucket)?;
    survey_rows::record_hit(conn, bucket, now, since)?;
    Ok(())
}

/// Stores a submission inside the caller's write transaction: the address's count and the
/// insert are serialised per address, so a flood cannot slip past the limit in parallel.
pub fn store(
    conn: &mut DbConnection,
    s: &Submission,
    limit: RateLimit,
) -> Result<Stored, AppError> {
    db::lock_survey_bucket(conn, &s.bucket)?;
    let now = crate::db::rows::now();
    let since = now - Duration::minutes(i64::from(limit.window_minutes));
    if survey_rows::count_hits_since(conn, &s.bucket, since)? >= i64::from(limit.max) {
        return Ok(Stored::RateLimited);
    }
    let answers = serde_json::to_string(&s.answers)
        .map_err(|e| AppError::internal(anyhow::Error::new(e).context("answers to JSON")))?;
    let row = ResponseRow {
        id: crate::db::rows::new_id(),
        campaign_id: s.campaign_id.clone(),
        venue_id: s.venue_id.clone(),
        questionnaire_version_id: s.questionnaire_version_id.clone(),
        source: flowwalk_shared::api::surveys::ResponseSource::Web,
        submission_token: s.token.clone(),
        answers,
        phone: s.phone.clone(),
        submitted_at: now,
        received_at: now,
    };
    if !survey_rows::insert_response(conn, &row)? {
        return Ok(Stored::AlreadyHad);
    }
    survey_rows::record_hit(conn, &s.bucket, now, since)?;
    Ok(Stored::New)
}

/// Publishes the campaign's results as they stand, with the manager's conclusion; the
/// public page shows this snapshot until the next publication.
pub fn publish(
    conn: &mut DbConnection,
    c: &CampaignRow,
    conclusion: &str,
    by: Option<&str>,
) -> Result<(), AppError> {
    let results = results(conn, c, &ResultsFilter::default())?;
    let json = serde_json::to_string(&results)
        .map_err(|e| AppError::internal(anyhow::Error::new(e).context("results to JSON")))?;
    survey_rows::publish(
        conn,
        &c.id,
        Some(conclusion),
        Some(&json),
        by,
        Some(crate::db::rows::now()),
    )?;
    Ok(())
}

/// Stores responses with the times they carry (a history loaded at once, as the demo's).
pub fn store_dated(conn: &mut DbConnection, rows: &[ResponseRow]) -> Result<(), AppError> {
    survey_rows::insert_responses(conn, rows)?;
    Ok(())
}

/// Takes the public results page down.
pub fn unpublish(conn: &mut DbConnection, c: &CampaignRow) -> Result<(), AppError> {
    survey_rows::publish(conn, &c.id, None, None, None, None)?;
    Ok(())
}

/// Every campaign as the API shows it.
pub fn campaigns(conn: &mut DbConnection) -> Result<Vec<Campaign>, AppError> {
    survey_rows::list_campaigns(conn)?
        .iter()
        .map(|c| view(conn, c))
        .collect()
}

/// Errors for a campaign that is not there (by id).
pub fn campaign(conn: &mut DbConnection, id: &str) -> Result<CampaignRow, AppError> {
    survey_rows::get_campaign(conn, id).map_err(|e| match e {
        diesel::result::Error::NotFound => AppError::new(ErrorCode::NotFound),
        other => other.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_buckets_are_keyed_and_stable() {
        let a = address_bucket("k1", "10.0.0.1");
        assert_eq!(a, address_bucket("k1", "10.0.0.1"));
        assert_ne!(a, address_bucket("k2", "10.0.0.1"));
        assert_ne!(a, address_bucket("k1", "10.0.0.2"));
        assert!(!a.contains("10.0.0.1"));
    }
}
