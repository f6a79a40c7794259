//! `flowwalk import venues|departments FILE.csv`: every row is checked first; any bad row is
//! reported with its line and reason, and then nothing at all is imported.
//!
//! Columns (a header line is required, in any order):
//! - venues: `code,name,level,parent_code,address` — level is `city`, `district`, `town`,
//!   `village`, `specialised` or its Chinese name; a parent is an existing venue or an
//!   earlier row;
//! - departments: `code,name,name_en`.

use std::collections::{HashMap, HashSet};

use flowwalk_shared::api::venues::{VenueInput, VenueLevel};

use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::reference::service::departments;
use crate::reference::store::department_rows;
use crate::reference::store::venue_rows;
use flowwalk_shared::api::departments::DepartmentInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<BadRow>),
    Other(anyhow::Error),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::Other(anyhow::anyhow!("{e}"))
    }
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Other(e.into())
    }
}

pub(crate) type Row = (u64, HashMap<String, String>);

/// Reads a CSV with a header: (line, column → value) per readable row, and the unreadable
/// lines. A bad header is reported at once, as nothing after it can be read.
pub(crate) fn read(text: &[u8], required: &[&str]) -> Result<(Vec<Row>, Vec<BadRow>), ImportError> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text); // Excel's BOM
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(ImportError::Rows(vec![BadRow {
                line: 1,
                reason: format!("unreadable header: {e}"),
            }]));
        }
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Rows(vec![BadRow {
            line: 1,
            reason: format!("header lacks column(s): {}", missing.join(", ")),
        }]));
    }
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                rows.push((
                    line,
                    headers
                        .iter()
                        .cloned()
                        .zip(r.iter().map(str::to_owned))
                        .collect(),
                ));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad.push(BadRow {
                    line,
                    reason: format!("unreadable row: {e}"),
                });
            }
        }
    }
    if rows.is_empty() && bad.is_empty() {
        bad.push(BadRow {
            line: 1,
            reason: "no rows after the header".into(),
        });
    }
    Ok((rows, bad))
}

/// All rows imported, or every bad row (in line order) and nothing imported.
pub(crate) fn finish(count: usize, mut bad: Vec<BadRow>) -> Result<usize, ImportError> {
    if bad.is_empty() {
        return Ok(count);
    }
    bad.sort_by_key(|b| b.line);
    Err(ImportError::Rows(bad))
}

fn col<'a>(row: &'a HashMap<String, String>, name: &str) -> &'a str {
    row.get(name).map_or("", String::as_str)
}

fn parse_level(s: &str) -> Option<VenueLevel> {
    VenueLevel::parse(&s.to_ascii_lowercase()).or(match s {
        "市" | "市级" | "市政务服务中心" => Some(VenueLevel::City),
        "区" | "县" | "区级" | "区政务服务中心" => Some(VenueLevel::District),
        "镇" | "街道" | "镇街" | "镇、街道便民服务中心" => Some(VenueLevel::Town),
        "村" | "社区" | "村社区" | "村、社区便民服务站" => Some(VenueLevel::Village),
        "专业" | "专业服务场所" => Some(VenueLevel::Specialised),
        _ => None,
    })
}

/// Imports venues; returns how many.
pub fn venues(conn: &mut DbConnection, text: &[u8]) -> Result<usize, ImportError> {
    let (rows, mut bad) = read(text, &["code", "name", "level"])?;
    write_tx(conn, |conn| {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut new_ids: HashMap<String, String> = HashMap::new();
        let mut count = 0;
        for (line, row) in &rows {
            let line = *line;
            let mut fail = |reason: String| bad.push(BadRow { line, reason });
            let (code, name) = (col(row, "code"), col(row, "name"));
            let Some(level) = parse_level(col(row, "level")) else {
                fail(format!("unknown level {:?}", col(row, "level")));
                continue;
            };
            if !codes.insert(code.to_owned()) {
                fail(format!("code {code:?} appears twice in the file"));
                continue;
            }
            if !names.insert(name.to_owned()) {
                fail(format!("name {name:?} appears twice in the file"));
                continue;
            }
            if venue_rows::find_by_code(conn, code)?.is_some() {
                fail(format!("a venue with code {code:?} already exists"));
                continue;
            }
            let parent_code = col(row, "parent_code");
            let parent_id = if parent_code.is_empty() {
                None
            } else if let Some(id) = new_ids.get(parent_code) {
                Some(id.clone())
            } else if let Some(p) = venue_rows::find_by_code(conn, parent_code)? {
                Some(p.id)
            } else {
                fail(format!(
                    "parent_code {parent_code:?} is neither an existing venue nor an earlier row"
                ));
                continue;
            };
            let input = VenueInput {
                code: code.into(),
                name: name.into(),
                level,
                parent_id,
                address: col(row, "address").into(),
            };
            match crate::reference::service::venues::checked_row(conn, None, &input) {
                Ok(v) => {
                    if let Err(e) = venue_rows::insert(conn, &v) {
                        // A failed statement ends a PostgreSQL transaction: stop here.
                        bad.push(BadRow {
                            line,
                            reason: describe(&e.into()),
                        });
                        break;
                    }
                    new_ids.insert(v.code.clone(), v.id);
                    count += 1;
                }
                Err(e) => fail(describe(&e)),
            }
        }
        finish(count, bad)
    })
}

/// Imports departments; returns how many.
pub fn departments(conn: &mut DbConnection, text: &[u8]) -> Result<usize, ImportError> {
    let (rows, mut bad) = read(text, &["code", "name"])?;
    write_tx(conn, |conn| {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let existing = department_rows::list(conn)?;
        let mut count = 0;
        for (line, row) in &rows {
            let line = *line;
            let mut fail = |reason: String| bad.push(BadRow { line, reason });
            let input = DepartmentInput {
                code: col(row, "code").into(),
                name: col(row, "name").into(),
                name_en: col(row, "name_en").into(),
            };
            let (code, name, _) = match departments::check(&input) {
                Ok(c) => c,
                Err(e) => {
                    fail(describe(&e));
                    continue;
                }
            };
            if !codes.insert(code.clone()) || existing.iter().any(|d| d.code == code) {
                fail(format!(
                    "code {code:?} is already taken (in the file or the database)"
                ));
                continue;
            }
            if !names.insert(name.clone()) || existing.iter().any(|d| d.name == name) {
                fail(format!(
                    "name {name:?} is already taken (in the file or the database)"
                ));
                continue;
            }
            if let Err(e) = departments::create(conn, &input) {
                bad.push(BadRow {
                    line,
                    reason: describe(&e),
                });
                break;
            }
            count += 1;
        }
        finish(count, bad)
    })
}

fn describe(e: &AppError) -> String {
    match &e.field {
        Some(f) => format!("{f}: {}", e.code_message()),
        None => e.code_message(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_level_names_are_understood() {
        assert_eq!(parse_level("village"), Some(VenueLevel::Village));
        assert_eq!(parse_level("街道"), Some(VenueLevel::Town));
        assert_eq!(parse_level("market"), None);
    }

    #[test]
    fn header_must_name_the_required_columns() {
        let Err(ImportError::Rows(bad)) = read(b"code,title\nx,y\n", &["code", "name"]).map(|_| ())
        else {
            panic!("a missing column must be reported");
        };
        assert_eq!(bad[0].line, 1);
        assert!(bad[0].reason.contains("name"));
    }
}
