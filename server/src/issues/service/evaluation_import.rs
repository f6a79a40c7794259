//! Importing the bad reviews (差评) exported by the 好差评 evaluation system, as CSV or XLSX.
//!
//! Columns (a header row is required; Chinese or English names, any order): item 事项,
//! venue 场所, department 部门, channel 渠道, date 日期, text 评价内容, rating 评价等级.
//! Every row is checked first; a bad row is reported with its line and reason, and then
//! nothing is imported. Each good row rated 不满意 or 非常不满意 becomes an issue of source
//! 好差评 through the same `issues::service::record` as walkthrough findings; its content hash is its
//! key, so importing the same file again creates nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use flowwalk_shared::api::issues::{ImportResult, ImportRowError, IssueSource};
use flowwalk_shared::api::scenarios::Channel;
use flowwalk_shared::taxonomy::Satisfaction;
use flowwalk_shared::time::china;
use flowwalk_shared::walkthrough::{Severity, hex_sha256};

use super::{AuditKey, Recorded, create_from_source};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::department_rows::{self, DepartmentRow};
use crate::reference::store::scenario_rows;
use crate::reference::store::venue_rows::{self, VenueRow};

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Why nothing was imported.
#[derive(Debug)]
pub enum ImportFailure {
    Rows(Vec<ImportRowError>),
    Other(AppError),
}

impl From<AppError> for ImportFailure {
    fn from(e: AppError) -> Self {
        ImportFailure::Other(e)
    }
}

impl From<diesel::result::Error> for ImportFailure {
    fn from(e: diesel::result::Error) -> Self {
        ImportFailure::Other(e.into())
    }
}

/// The columns and the header names each may go by.
const COLUMNS: [(&str, &[&str]); 7] = [
    ("item", &["item", "事项", "事项名称", "办理事项"]),
    ("venue", &["venue", "场所", "服务场所", "办理地点", "大厅"]),
    (
        "department",
        &["department", "部门", "责任部门", "实施部门", "单位"],
    ),
    ("channel", &["channel", "渠道", "评价渠道"]),
    ("date", &["date", "日期", "评价日期", "评价时间", "时间"]),
    ("text", &["text", "评价内容", "内容", "差评内容", "意见"]),
    ("rating", &["rating", "评价等级", "评价", "满意度", "评分"]),
];

/// A cell as read: text, or a date/time from a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    When(NaiveDateTime),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_owned(),
            Cell::When(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

type Row = (u64, HashMap<&'static str, Cell>);

fn bad(line: u64, reason: impl Into<String>) -> ImportRowError {
    ImportRowError {
        line,
        reason: reason.into(),
    }
}

/// Maps header cells to columns; reports missing and unknown ones on line 1.
fn header(cells: &[String]) -> Result<Vec<Option<&'static str>>, ImportFailure> {
    let mapped: Vec<Option<&'static str>> = cells
        .iter()
        .map(|h| {
            let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
            COLUMNS
                .iter()
                .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == h))
                .map(|(c, _)| *c)
        })
        .collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !mapped.contains(&Some(c)))
        .collect();
    if !missing.is_empty() {
        return Err(ImportFailure::Rows(vec![bad(
            1,
            format!(
                "表头缺少列:{}(header lacks column(s): {})",
                missing.join(", "),
                missing.join(", ")
            ),
        )]));
    }
    Ok(mapped)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, ImportFailure> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .has_headers(true)
        .from_reader(bytes);
    let cols = match reader.headers() {
        Ok(h) => header(&h.iter().map(str::to_owned).collect::<Vec<_>>())?,
        Err(e) => {
            return Err(ImportFailure::Rows(vec![bad(
                1,
                format!("表头无法读取(unreadable header): {e}"),
            )]));
        }
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let mut row = HashMap::new();
                for (c, v) in cols.iter().zip(r.iter()) {
                    if let Some(c) = c {
                        row.insert(*c, Cell::Text(v.to_owned()));
                    }
                }
                rows.push((line, row));
            }
            Err(e) => errors.push(bad(
                e.position().map_or(0, |p| p.line()),
                format!("行无法读取(unreadable row): {e}"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ImportFailure::Rows(errors));
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, ImportFailure> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let not_xlsx = |e: String| {
        ImportFailure::Rows(vec![bad(
            1,
            format!("不是可读取的 XLSX 文件(not a readable XLSX file): {e}"),
        )])
    };
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| not_xlsx(e.to_string()))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(not_xlsx(e.to_string())),
        None => return Err(not_xlsx("no worksheet".into())),
    };
    let cell = |d: &Data| match d {
        Data::DateTime(t) => {
            let (y, mo, da, h, mi, s, _) = t.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))
                .and_then(|date| {
                    NaiveTime::from_hms_opt(u32::from(h), u32::from(mi), u32::from(s))
                        .map(|time| date.and_time(time))
                })
                .map_or_else(|| Cell::Text(String::new()), Cell::When)
        }
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Cell::Text(format!("{}", *f as i64))
        }
        other => Cell::Text(other.to_string()),
    };
    let mut it = range.rows();
    let Some(head) = it.next() else {
        return Err(not_xlsx("the sheet is empty".into()));
    };
    let cols = header(&head.iter().map(|d| d.to_string()).collect::<Vec<_>>())?;
    let mut rows = Vec::new();
    for (i, r) in it.enumerate() {
        if r.iter().all(|d| matches!(d, Data::Empty)) {
            continue;
        }
        let line = u64::try_from(i).unwrap_or(0) + 2;
        let mut row = HashMap::new();
        for (c, v) in cols.iter().zip(r.iter()) {
            if let Some(c) = c {
                row.insert(*c, cell(v));
            }
        }
        rows.push((line, row));
    }
    Ok(rows)
}

fn channel(s: &str) -> Option<Channel> {
    let l = s.trim().to_lowercase();
    Channel::parse(&l).or(match l.as_str() {
        "窗口" | "窗口办" | "大厅" | "现场" => Some(Channel::Window),
        "网上" | "网上办" | "网厅" | "掌上" | "掌上办" | "app" | "移动端" | "小程序" | "网页" => {
            Some(Channel::Online)
        }
        "自助" | "自助终端" | "自助机" => Some(Channel::Kiosk),
        "电话" | "热线" | "12345" => Some(Channel::Phone),
        _ => None,
    })
}

fn channel_zh(c: Channel) -> &'static str {
    match c {
        Channel::Window => "窗口",
        Channel::Online => "网上办",
        Channel::Kiosk => "自助终端",
        Channel::Phone => "12345热线",
    }
}

/// The rating: the five levels of the national scale, or 1–5 (5 = very satisfied).
fn rating(s: &str) -> Option<Satisfaction> {
    match s.trim() {
        "非常满意" | "5" => Some(Satisfaction::VerySatisfied),
        "满意" | "4" => Some(Satisfaction::Satisfied),
        "基本满意" | "3" => Some(Satisfaction::BasicallySatisfied),
        "不满意" | "2" => Some(Satisfaction::Dissatisfied),
        "非常不满意" | "1" => Some(Satisfaction::VeryDissatisfied),
        _ => None,
    }
}

fn date(c: &Cell) -> Option<NaiveDateTime> {
    match c {
        Cell::When(t) => Some(*t),
        Cell::Text(s) => {
            let s = s.trim();
            for f in [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M",
            ] {
                if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                    return Some(t);
                }
            }
            for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"] {
                if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                    return d.and_hms_opt(0, 0, 0);
                }
            }
            None
        }
    }
}

/// The scenario a 好差评 item names: by name or code, else the one scenario whose name
/// contains it (事项 names in the export are often shorter than the scenario's).
fn scenario_of(list: &[flowwalk_shared::api::scenarios::Scenario], item: &str) -> Option<String> {
    if let Some(s) = list.iter().find(|s| s.name == item || s.code == item) {
        return Some(s.id.clone());
    }
    let mut containing = list.iter().filter(|s| s.name.contains(item));
    match (containing.next(), containing.next()) {
        (Some(s), None) => Some(s.id.clone()),
        _ => None,
    }
}

/// A checked row, ready to record.
struct Good {
    key: String,
    venue_id: String,
    department_id: String,
    scenario_id: Option<String>,
    title: String,
    description: String,
    severity: Severity,
    /// UTC.
    seen_at: NaiveDateTime,
}

/// What the rows are checked against.
struct Refs {
    venues: Vec<VenueRow>,
    departments: Vec<DepartmentRow>,
    scenarios: Vec<flowwalk_shared::api::scenarios::Scenario>,
}

/// One row checked: the issue it makes, `None` for a review that is not bad, or why it is
/// refused.
fn checked(
    line: u64,
    row: &HashMap<&'static str, Cell>,
    refs: &Refs,
    now: NaiveDateTime,
) -> Result<Option<Good>, ImportRowError> {
    let get = |c: &str| row.get(c).map(Cell::text).unwrap_or_default();
    let (item, venue, dept, chan, text, rate) = (
        get("item"),
        get("venue"),
        get("department"),
        get("channel"),
        get("text"),
        get("rating"),
    );
    let Some(level) = rating(&rate) else {
        return Err(bad(
            line,
            format!("评价等级无法识别(unknown rating): {rate:?}"),
        ));
    };
    if !matches!(
        level,
        Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied
    ) {
        return Ok(None);
    }
    if item.is_empty() || item.chars().count() > 200 {
        return Err(bad(
            line,
            "事项为空或超过 200 字(item empty or over 200 characters)",
        ));
    }
    let Some(v) = refs
        .venues
        .iter()
        .find(|v| v.name == venue || v.code == venue)
    else {
        return Err(bad(line, format!("未知的场所(unknown venue): {venue:?}")));
    };
    let Some(d) = refs
        .departments
        .iter()
        .find(|d| d.name == dept || d.code == dept)
    else {
        return Err(bad(
            line,
            format!("未知的部门(unknown department): {dept:?}"),
        ));
    };
    let Some(ch) = channel(&chan) else {
        return Err(bad(line, format!("未知的渠道(unknown channel): {chan:?}")));
    };
    let Some(when) = row.get("date").and_then(date) else {
        return Err(bad(
            line,
            format!("日期无法识别(unreadable date): {:?}", get("date")),
        ));
    };
    // The export's times are China time.
    let seen_at = china::midnight_utc(when.date()) + (when - when.date().and_time(NaiveTime::MIN));
    if seen_at > now + chrono::Duration::days(1) {
        return Err(bad(line, format!("日期在将来(date in the future): {when}")));
    }
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(bad(
            line,
            "评价内容为空或超过 2000 字(text empty or over 2000 characters)",
        ));
    }
    if flowwalk_shared::text::has_control_chars(&text) {
        return Err(bad(
            line,
            "评价内容含控制字符(text contains control characters)",
        ));
    }
    let canonical = [
        item.as_str(),
        v.id.as_str(),
        d.id.as_str(),
        ch.as_str(),
        &when.format("%Y-%m-%dT%H:%M:%S").to_string(),
        text.as_str(),
        rate.as_str(),
    ]
    .join("\u{1f}");
    Ok(Some(Good {
        key: hex_sha256(canonical.as_bytes()),
        venue_id: v.id.clone(),
        department_id: d.id.clone(),
        scenario_id: scenario_of(&refs.scenarios, &item),
        title: format!("差评:{item}"),
        description: format!("【{}】{text}", channel_zh(ch)),
        severity: if level == Satisfaction::VeryDissatisfied {
            Severity::High
        } else {
            Severity::Medium
        },
        seen_at,
    }))
}

/// Imports the file: all rows, or none.
pub fn reviews(
    conn: &mut DbConnection,
    key: &AuditKey,
    bytes: &[u8],
    format: Format,
    now: NaiveDateTime,
) -> Result<ImportResult, ImportFailure> {
    let rows = match format {
        Format::Csv => read_csv(bytes)?,
        Format::Xlsx => read_xlsx(bytes)?,
    };
    if rows.is_empty() {
        return Err(ImportFailure::Rows(vec![bad(
            1,
            "表头之后没有数据行(no rows after the header)",
        )]));
    }
    let refs = Refs {
        venues: venue_rows::list(conn)?,
        departments: department_rows::list(conn)?,
        scenarios: scenario_rows::list_current(conn)?,
    };
    let mut errors = Vec::new();
    let mut good = Vec::new();
    let mut not_bad = 0u32;
    for (line, row) in &rows {
        match checked(*line, row, &refs, now) {
            Ok(Some(g)) => good.push(g),
            Ok(None) => not_bad += 1,
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportFailure::Rows(errors));
    }
    let mut result = ImportResult {
        created: 0,
        already_imported: 0,
        not_bad_reviews: not_bad,
    };
    for g in good {
        match create_from_source(
            conn,
            key,
            IssueSource::Review,
            &g.key,
            &g.venue_id,
            &g.department_id,
            g.scenario_id,
            None,
            &g.title,
            &g.description,
            g.severity,
            g.seen_at,
            now,
        )? {
            Recorded::Created(_) | Recorded::Merged(_) => result.created += 1,
            Recorded::AlreadyRecorded(_) => result.already_imported += 1,
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_channels_and_dates_are_understood() {
        assert_eq!(rating("非常不满意"), Some(Satisfaction::VeryDissatisfied));
        assert_eq!(rating("2"), Some(Satisfaction::Dissatisfied));
        assert_eq!(rating("差"), None);
        assert_eq!(channel("掌上办"), Some(Channel::Online));
        assert_eq!(channel("Window"), Some(Channel::Window));
        assert_eq!(channel("信件"), None);
        assert!(date(&Cell::Text("2026/03/02".into())).is_some());
        assert!(date(&Cell::Text("2026-03-02 14:05".into())).is_some());
        assert!(date(&Cell::Text("March 2".into())).is_none());
    }

    #[test]
    fn a_header_without_a_column_is_refused_on_line_one() {
        let Err(ImportFailure::Rows(rows)) = read_csv("事项,场所\nx,y\n".as_bytes()) else {
            panic!("a missing column must be reported");
        };
        assert_eq!(rows[0].line, 1);
        assert!(rows[0].reason.contains("department"), "{}", rows[0].reason);
    }
}
