//! Setting a survey up: questionnaires written version by version (an edit writes the next
//! version; campaigns and answers keep theirs), and campaigns created and edited with their
//! venues. The API and the demo loader both go through here.

use std::collections::HashSet;

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::surveys::{CampaignInput, Questionnaire, QuestionnaireInput};
use flowwalk_shared::survey as limits;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::{category_rows, venue_rows};
use crate::surveys::rules::questionnaire;
use crate::surveys::store::questionnaire_rows::{self, QuestionnaireRow, VersionRow};
use crate::surveys::store::survey_rows::{self, CampaignRow};
use flowwalk_shared::validate;

/// The campaign with this code, if any.
pub fn find_campaign_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<CampaignRow>, AppError> {
    Ok(survey_rows::find_campaign_by_code(conn, code)?)
}

/// Checks the input and writes `version` of questionnaire `id`; returns (code, title).
pub fn write_version(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    input: &QuestionnaireInput,
    author: Option<&str>,
) -> Result<(String, String), AppError> {
    let code = validate::code("code", &input.code)?;
    let title = validate::text("title", &input.title, limits::MAX_TITLE_CHARS)?;
    let intro = validate::optional_text("intro", &input.intro, limits::MAX_INTRO_CHARS)?;
    let category_ids: Vec<String> = category_rows::list(conn)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let questions = questionnaire::check_definition(&input.questions, &category_ids)?;
    let json = serde_json::to_string(&questions)
        .map_err(|e| AppError::internal(anyhow::Error::new(e).context("questions to JSON")))?;
    questionnaire_rows::insert_version(
        conn,
        &VersionRow {
            id: crate::db::rows::new_id(),
            questionnaire_id: id.to_owned(),
            version,
            title: title.clone(),
            intro,
            ask_phone: input.ask_phone,
            questions: json,
            created_by: author.map(str::to_owned),
            created_at: crate::db::rows::now(),
        },
    )?;
    Ok((code, title))
}

/// Creates a questionnaire at version 1; returns its id.
pub fn create_questionnaire(
    conn: &mut DbConnection,
    input: &QuestionnaireInput,
    author: Option<&str>,
) -> Result<String, AppError> {
    let id = crate::db::rows::new_id();
    let now = crate::db::rows::now();
    questionnaire_rows::insert(
        conn,
        &QuestionnaireRow {
            id: id.clone(),
            code: validate::code("code", &input.code)?,
            title: validate::text("title", &input.title, limits::MAX_TITLE_CHARS)?,
            current_version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    write_version(conn, &id, 1, input, author)?;
    Ok(id)
}

/// Writes the next version of questionnaire `id` and makes it current.
pub fn update_questionnaire(
    conn: &mut DbConnection,
    id: &str,
    input: &QuestionnaireInput,
    author: Option<&str>,
) -> Result<(), AppError> {
    let current = questionnaire_rows::get_row(conn, id)?;
    let next = current.current_version + 1;
    let (code, title) = write_version(conn, id, next, input, author)?;
    questionnaire_rows::advance(conn, id, &code, &title, next, crate::db::rows::now())?;
    Ok(())
}

/// Checks the input; `existing` is the campaign being edited.
fn checked_row(
    conn: &mut DbConnection,
    existing: Option<&CampaignRow>,
    input: &CampaignInput,
    author: &str,
) -> Result<(CampaignRow, Vec<String>), AppError> {
    let code = validate::code("code", &input.code)?;
    let title = validate::text("title", &input.title, limits::MAX_TITLE_CHARS)?;
    let organizer = validate::optional_text("organizer", &input.organizer, 100)?;
    let purpose = validate::optional_text("purpose", &input.purpose, limits::MAX_INTRO_CHARS)?;
    if input.ends_on < input.starts_on {
        return Err(AppError::invalid(
            "ends_on",
            "结束日期不能早于开始日期",
            "ends_on must not be before starts_on",
        ));
    }
    if input.venue_ids.is_empty() || input.venue_ids.len() > limits::MAX_CAMPAIGN_VENUES {
        return Err(AppError::invalid(
            "venue_ids",
            format!("需选择 1–{} 个场所", limits::MAX_CAMPAIGN_VENUES),
            format!("1–{} venues are needed", limits::MAX_CAMPAIGN_VENUES),
        ));
    }
    let mut seen = HashSet::new();
    for (i, v) in input.venue_ids.iter().enumerate() {
        if !seen.insert(v) {
            return Err(AppError::invalid(
                format!("venue_ids[{i}]"),
                "场所重复",
                "A venue appears twice",
            ));
        }
        match venue_rows::get(conn, v) {
            Ok(_) => {}
            Err(diesel::result::Error::NotFound) => {
                return Err(
                    AppError::new(ErrorCode::UnknownReference).field(format!("venue_ids[{i}]"))
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    let current = match questionnaire_rows::get(conn, &input.questionnaire_id, None) {
        Ok(q) => q,
        Err(diesel::result::Error::NotFound) => {
            return Err(AppError::new(ErrorCode::UnknownReference).field("questionnaire_id"));
        }
        Err(e) => return Err(e.into()),
    };
    // A campaign stays on the version its first answer was given to.
    let version_id = match existing {
        Some(c) if survey_rows::count_responses(conn, &c.id)? > 0 => {
            let pinned = questionnaire_rows::version_row(conn, &c.questionnaire_version_id)?;
            if pinned.questionnaire_id != current.id {
                return Err(AppError::new(ErrorCode::InvalidState)
                    .field("questionnaire_id")
                    .message(
                        "已有答卷的问卷调查不能更换问卷",
                        "A campaign with answers cannot change its questionnaire",
                    ));
            }
            c.questionnaire_version_id.clone()
        }
        _ => current.version_id,
    };
    let now = crate::db::rows::now();
    Ok((
        CampaignRow {
            id: existing.map_or_else(crate::db::rows::new_id, |c| c.id.clone()),
            code,
            title,
            questionnaire_version_id: version_id,
            organizer,
            purpose,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            conclusion: String::new(),
            published_results: None,
            published_at: None,
            published_by: None,
            created_by: Some(author.to_owned()),
            created_at: existing.map_or(now, |c| c.created_at),
            updated_at: now,
        },
        input.venue_ids.clone(),
    ))
}

/// Creates a campaign; returns its row.
pub fn create_campaign(
    conn: &mut DbConnection,
    input: &CampaignInput,
    author: &str,
) -> Result<CampaignRow, AppError> {
    let (row, venue_ids) = checked_row(conn, None, input, author)?;
    survey_rows::insert_campaign(conn, &row)?;
    survey_rows::set_venues(conn, &row.id, &venue_ids)?;
    Ok(row)
}

/// Changes campaign `id` as `input` says; returns its row as it now is.
pub fn update_campaign(
    conn: &mut DbConnection,
    id: &str,
    input: &CampaignInput,
    author: &str,
) -> Result<CampaignRow, AppError> {
    let existing = super::campaign(conn, id)?;
    let (row, venue_ids) = checked_row(conn, Some(&existing), input, author)?;
    survey_rows::update_campaign(conn, &row)?;
    survey_rows::set_venues(conn, &row.id, &venue_ids)?;
    Ok(survey_rows::get_campaign(conn, &row.id)?)
}

/// Every questionnaire at its current version.
pub fn questionnaires(conn: &mut DbConnection) -> Result<Vec<Questionnaire>, AppError> {
    Ok(questionnaire_rows::list_current(conn)?)
}

/// A questionnaire at a version (none: the current one).
pub fn questionnaire(
    conn: &mut DbConnection,
    id: &str,
    version: Option<i32>,
) -> Result<Questionnaire, AppError> {
    Ok(questionnaire_rows::get(conn, id, version)?)
}

/// Every version of a questionnaire, oldest first.
pub fn questionnaire_versions(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<Questionnaire>, AppError> {
    Ok(questionnaire_rows::versions(conn, id)?)
}
