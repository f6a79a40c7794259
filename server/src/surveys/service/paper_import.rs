//! Paper (and earlier) questionnaires into a campaign: a CSV or XLSX file with one row per
//! respondent, checked row by row with the same rules as the citizen's form; any bad row is
//! reported with its line and reason, and then nothing at all is imported.
//!
//! Columns (a header row is required, in any order):
//! - `venue` — the venue's code or name; it must be one of the campaign's venues;
//! - `date` — optional, the day it was filled in (`YYYY-MM-DD`, China date; default today);
//! - one column per question, named by the question's id (`q1`, `q2`, …). A choice is
//!   written as its id, its label, or its letter (`A` = the first choice); several choices
//!   of a multiple-choice question are separated by `;` (or written as letters, `ABD`); an
//!   empty cell is no answer. A question the respondent was not asked (its condition does
//!   not hold) must be left empty.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use flowwalk_shared::api::surveys::{Question, QuestionKind, Questionnaire, ResponseSource};
use flowwalk_shared::survey as limits;
use flowwalk_shared::time::china;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::service::reference_import::{BadRow, ImportError, Row, finish, read};
use crate::surveys::rules::questionnaire::{RawAnswers, Unasked, check_answers};
use crate::surveys::store::survey_rows::{self, CampaignRow, ResponseRow};

/// Reads the rows of an XLSX file's first sheet: (line, column → value).
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, ImportError> {
    let unreadable = |e: String| {
        ImportError::Rows(vec![BadRow {
            line: 1,
            reason: format!("unreadable XLSX file: {e}"),
        }])
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("it has no sheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .ok_or_else(|| unreadable("the first sheet is empty".into()))?
        .iter()
        .map(|c| cell(c).trim().to_ascii_lowercase())
        .collect();
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    Ok(rows
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|(i, r)| {
            let line = first_row + 1 + u64::try_from(i).unwrap_or(0);
            let map = headers
                .iter()
                .cloned()
                .zip(r.iter().map(|c| cell(c).trim().to_owned()))
                .collect();
            (line, map)
        })
        .collect())
}

/// A cell as text: whole numbers without ".0", dates as `YYYY-MM-DD`.
fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            // Excel's serial day 0 is 1899-12-30 (its 1900 leap-year quirk included).
            let days = d.as_f64().floor();
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(Duration::days(days as i64)))
                .map_or_else(
                    || d.as_f64().to_string(),
                    |x| x.format("%Y-%m-%d").to_string(),
                )
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A cell's values for one question: choices mapped to their ids where they can be (an
/// unknown one is passed on, for the check to name), text as it is.
fn values(q: &Question, cell: &str) -> Vec<String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Vec::new();
    }
    if q.kind == QuestionKind::Text {
        return vec![cell.to_owned()];
    }
    let letter = |s: &str| -> Option<String> {
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        let i = (c as u32).checked_sub('A' as u32)?;
        q.choices
            .get(usize::try_from(i).ok()?)
            .map(|x| x.id.clone())
    };
    let map = |token: &str| -> String {
        let t = token.trim();
        q.choices
            .iter()
            .find(|x| x.id == t || x.label == t)
            .map(|x| x.id.clone())
            .or_else(|| letter(t))
            .unwrap_or_else(|| t.to_owned())
    };
    let tokens: Vec<&str> = cell
        .split([';', ';', '|', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    // "ABD": several letters at once.
    if q.kind == QuestionKind::Multiple
        && tokens.len() == 1
        && tokens[0].len() > 1
        && tokens[0].chars().all(|c| c.is_ascii_uppercase())
        && !q
            .choices
            .iter()
            .any(|x| x.id == tokens[0] || x.label == tokens[0])
    {
        return tokens[0].chars().map(|c| map(&c.to_string())).collect();
    }
    tokens.into_iter().map(map).collect()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// The header names the venue column, perhaps the date, and only questions of the
/// questionnaire.
fn check_header(first: &HashMap<String, String>, q: &Questionnaire) -> Result<(), ImportError> {
    let mut unknown: Vec<&str> = first
        .keys()
        .map(String::as_str)
        .filter(|k| {
            !k.is_empty()
                && *k != "venue"
                && *k != "date"
                && !q.questions.iter().any(|x| x.id == *k)
        })
        .collect();
    unknown.sort_unstable();
    let missing = !first.contains_key("venue");
    if missing || !unknown.is_empty() {
        let ids: Vec<&str> = q.questions.iter().map(|x| x.id.as_str()).collect();
        return Err(ImportError::Rows(vec![BadRow {
            line: 1,
            reason: format!(
                "{}the columns are venue, date (optional) and the question ids {}",
                if missing {
                    "the header lacks the column venue; ".to_owned()
                } else {
                    format!("unknown column(s) {}; ", unknown.join(", "))
                },
                ids.join(", ")
            ),
        }]));
    }
    Ok(())
}

/// Checks every row and, if all are good, adds them to the campaign (in the caller's
/// transaction); returns how many.
pub fn responses(
    conn: &mut DbConnection,
    campaign: &CampaignRow,
    bytes: &[u8],
) -> Result<usize, ImportError> {
    let is_xlsx = bytes.starts_with(b"PK\x03\x04");
    let (rows, mut bad) = if is_xlsx {
        (read_xlsx(bytes)?, Vec::new())
    } else {
        read(bytes, &["venue"])?
    };
    if rows.is_empty() && bad.is_empty() {
        bad.push(BadRow {
            line: 1,
            reason: "no rows after the header".into(),
        });
    }
    if rows.len() > limits::MAX_IMPORT_ROWS {
        return Err(ImportError::Rows(vec![BadRow {
            line: 1,
            reason: format!("more than {} rows; split the file", limits::MAX_IMPORT_ROWS),
        }]));
    }
    let q = super::questionnaire(conn, campaign)?;
    if let Some((_, first)) = rows.first() {
        check_header(first, &q)?;
    }
    let venues = survey_rows::campaign_venues(conn, &campaign.id)?;
    let today = china::today();
    let now = crate::db::rows::now();
    let mut out = Vec::with_capacity(rows.len());
    for (line, row) in &rows {
        let line = *line;
        let col = |name: &str| row.get(name).map_or("", String::as_str).trim();
        let venue = col("venue");
        let Some((venue_id, _, _)) = venues
            .iter()
            .find(|(_, code, name)| code == venue || name == venue)
        else {
            bad.push(BadRow {
                line,
                reason: format!("venue {venue:?} is not one of this campaign's venues"),
            });
            continue;
        };
        let day = match col("date") {
            "" => today,
            d => match parse_date(d) {
                Some(day) if day <= today => day,
                Some(_) => {
                    bad.push(BadRow {
                        line,
                        reason: format!("date {d} is in the future"),
                    });
                    continue;
                }
                None => {
                    bad.push(BadRow {
                        line,
                        reason: format!("date {d:?} is not a date (YYYY-MM-DD)"),
                    });
                    continue;
                }
            },
        };
        let raw: RawAnswers = q
            .questions
            .iter()
            .map(|x| (x.id.clone(), values(x, col(&x.id))))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let answers = match check_answers(&q.questions, &raw, Unasked::Refuse) {
            Ok(a) => a,
            Err(problems) => {
                let reasons: Vec<String> = problems.iter().map(|p| p.en.clone()).collect();
                bad.push(BadRow {
                    line,
                    reason: reasons.join("; "),
                });
                continue;
            }
        };
        let answers = serde_json::to_string(&answers)
            .map_err(|e| ImportError::Other(anyhow::Error::new(e).context("answers to JSON")))?;
        out.push(ResponseRow {
            id: crate::db::rows::new_id(),
            campaign_id: campaign.id.clone(),
            venue_id: venue_id.clone(),
            questionnaire_version_id: campaign.questionnaire_version_id.clone(),
            source: ResponseSource::Paper,
            submission_token: None,
            answers,
            phone: None,
            // Noon of the day, so the China date is the one written on the paper.
            submitted_at: china::midnight_utc(day) + Duration::hours(12),
            received_at: now,
        });
    }
    let count = finish(out.len(), bad)?;
    survey_rows::insert_responses(conn, &out).map_err(|e| ImportError::Other(e.into()))?;
    Ok(count)
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Rows(rows) => {
                let shown: Vec<String> = rows
                    .iter()
                    .take(50)
                    .map(|r| format!("第 {} 行:{}", r.line, r.reason))
                    .collect();
                let more = if rows.len() > 50 {
                    format!("(另有 {} 行)", rows.len() - 50)
                } else {
                    String::new()
                };
                let shown_en: Vec<String> = rows
                    .iter()
                    .take(50)
                    .map(|r| format!("line {}: {}", r.line, r.reason))
                    .collect();
                AppError::new(flowwalk_shared::ErrorCode::ImportRejected)
                    .field("file")
                    .message(
                        format!(
                            "{} 行有误,未导入任何数据。{}{more}",
                            rows.len(),
                            shown.join(";")
                        ),
                        format!(
                            "{} bad row(s); nothing was imported. {}",
                            rows.len(),
                            shown_en.join("; ")
                        ),
                    )
            }
            ImportError::Other(e) => AppError::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::api::surveys::Choice;

    fn multi() -> Question {
        let c = |id: &str, label: &str| Choice {
            id: id.into(),
            label: label.into(),
            exclusive: false,
            not_applicable: false,
            category_id: None,
        };
        Question {
            id: "q9".into(),
            kind: QuestionKind::Multiple,
            title: "窗口服务人员存在哪些问题".into(),
            optional: false,
            choices: vec![
                c("style", "工作作风问题"),
                c("attitude", "服务态度问题"),
                c("none", "不存在以上问题"),
            ],
            scale: None,
            not_applicable: false,
            show_if: None,
        }
    }

    #[test]
    fn choices_by_id_label_or_letter() {
        let q = multi();
        assert_eq!(values(&q, "style;服务态度问题"), ["style", "attitude"]);
        assert_eq!(values(&q, "AB"), ["style", "attitude"]);
        assert_eq!(values(&q, "C"), ["none"]);
        assert_eq!(values(&q, " A ; Z "), ["style", "Z"]);
        assert!(values(&q, "  ").is_empty());
    }
}
