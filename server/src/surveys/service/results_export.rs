//! A campaign's results and responses as CSV (UTF-8 with a byte-order mark, so Excel reads
//! the Chinese) and as an XLSX workbook with both sheets. Text a citizen wrote that a
//! spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is written with a leading `'`.

use flowwalk_shared::api::surveys::{
    CampaignResults, ExportFormat, ExportPart, ExportQuery, Question, QuestionKind, ResponseSource,
};
use flowwalk_shared::time::china;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::venue_rows;
use crate::surveys::store::survey_rows;
use crate::surveys::store::survey_rows::ResponseRow;

/// A file to download: its bytes, their type and the name to save them under.
pub struct Download {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
}

/// A campaign's results (CSV), its responses (CSV) or both (XLSX), over the responses the
/// query's filter selects; the file is named after the campaign's code.
pub fn download(
    conn: &mut DbConnection,
    campaign_id: &str,
    q: &ExportQuery,
) -> Result<Download, AppError> {
    let c = super::campaign(conn, campaign_id)?;
    let filter = q.filter();
    let results = super::results(conn, &c, &filter)?;
    let questionnaire = super::questionnaire(conn, &c)?;
    let rows = super::filtered(conn, &c, &filter)?;
    let places = survey_rows::campaign_venues(conn, &c.id)?;
    let all_venues = venue_rows::list(conn)?;
    let venue_of = |id: &str| -> (String, String) {
        places
            .iter()
            .find(|(v, _, _)| v == id)
            .map(|(_, code, name)| (code.clone(), name.clone()))
            .or_else(|| {
                all_venues
                    .iter()
                    .find(|v| v.id == id)
                    .map(|v| (v.code.clone(), v.name.clone()))
            })
            .unwrap_or_default()
    };
    let responses = || {
        responses_table(
            &questionnaire.questions,
            questionnaire.ask_phone,
            &rows,
            &venue_of,
        )
    };
    let results = results_table(&results);
    let (body, content_type, ext) = match (q.format, q.part.unwrap_or(ExportPart::Results)) {
        (ExportFormat::Csv, ExportPart::Results) => {
            (csv(&results)?, "text/csv; charset=utf-8", "results.csv")
        }
        (ExportFormat::Csv, ExportPart::Responses) => (
            csv(&responses()?)?,
            "text/csv; charset=utf-8",
            "responses.csv",
        ),
        (ExportFormat::Xlsx, _) => (
            xlsx(&results, &responses()?)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "results.xlsx",
        ),
    };
    Ok(Download {
        body,
        content_type,
        file_name: format!("{}-{ext}", c.code),
    })
}

/// One table: a header and its rows, every cell text or a number.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: u32) -> Cell {
    Cell::Number(f64::from(v))
}

fn pct(bp: u32) -> Cell {
    Cell::Number(f64::from(bp) / 100.0)
}

/// The results: one row per option, the scale groups and mean, the keywords.
pub fn results_table(r: &CampaignResults) -> Table {
    let mut rows = Vec::new();
    for q in &r.questions {
        let head = |label: String| vec![n(q.number), t(q.title.clone()), t(label)];
        for o in &q.options {
            let mut row = head(o.label.clone());
            row.extend([n(o.count), n(q.base), pct(o.share_bp)]);
            rows.push(row);
        }
        if let Some(s) = &q.scale {
            for g in [&s.satisfied, &s.basically, &s.dissatisfied] {
                let mut row = head(format!("[归类] {}", g.label));
                row.extend([n(g.count), n(s.base), pct(g.share_bp)]);
                rows.push(row);
            }
            if let Some(m) = s.mean_x100 {
                let mut row = head("[平均分] 满分5分".into());
                row.extend([Cell::Number(f64::from(m) / 100.0), n(s.base), t("")]);
                rows.push(row);
            }
        }
        for k in &q.keywords {
            let mut row = head(format!("[关键词] {}", k.word));
            row.extend([
                n(k.answers),
                n(q.base),
                pct(flowwalk_shared::survey::share_bp(k.answers, q.base)),
            ]);
            rows.push(row);
        }
    }
    Table {
        header: ["题号", "题目", "选项", "人数", "基数", "占比(%)"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// The responses: one row per respondent, choices by label.
pub fn responses_table(
    questions: &[Question],
    ask_phone: bool,
    rows: &[ResponseRow],
    venue_of: &dyn Fn(&str) -> (String, String),
) -> Result<Table, AppError> {
    let mut header: Vec<String> = ["编号", "场所编码", "场所", "来源", "提交时间(北京时间)"]
        .map(String::from)
        .to_vec();
    header.extend(
        questions
            .iter()
            .enumerate()
            .map(|(i, q)| format!("{}. {}", i + 1, q.title)),
    );
    if ask_phone {
        header.push("联系电话(经同意)".into());
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let answers = r.answers()?;
        let (code, name) = venue_of(&r.venue_id);
        let mut row = vec![
            t(r.id.clone()),
            t(code),
            t(name),
            t(if r.source == ResponseSource::Paper {
                "纸质"
            } else {
                "扫码"
            }),
            t(china::minute_text(r.submitted_at)),
        ];
        for q in questions {
            let cell = match answers.get(&q.id) {
                None => String::new(),
                Some(a) if q.kind == QuestionKind::Text => a.text().unwrap_or_default().to_owned(),
                Some(a) => a
                    .choices()
                    .iter()
                    .map(|id| {
                        q.choices
                            .iter()
                            .find(|c| &c.id == id)
                            .map_or(id.as_str(), |c| c.label.as_str())
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            row.push(t(cell));
        }
        if ask_phone {
            row.push(t(r.phone.clone().unwrap_or_default()));
        }
        out.push(row);
    }
    Ok(Table { header, rows: out })
}

/// Text a spreadsheet must not run: a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// A table as CSV, with a byte-order mark.
pub fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::internal(anyhow::Error::new(e).context("writing CSV"));
    w.write_record(&table.header).map_err(fail)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => defuse(s),
            Cell::Number(v) => format_number(*v),
        }))
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("writing CSV: {e}")))
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Both tables as one workbook: 结果 and 答卷.
pub fn xlsx(results: &Table, responses: &Table) -> Result<Vec<u8>, AppError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        for (name, table) in [("结果", results), ("答卷", responses)] {
            let sheet = book.add_worksheet();
            sheet.set_name(name)?;
            for (c, h) in table.header.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                sheet.write_string_with_format(0, c, h, &bold)?;
                sheet.set_column_width(c, if c == 1 { 40 } else { 14 })?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, cell) in row.iter().enumerate() {
                    let c = u16::try_from(c).unwrap_or(u16::MAX);
                    match cell {
                        // Written as strings, never formulas, whatever they start with.
                        Cell::Text(s) => sheet.write_string(r, c, s)?,
                        Cell::Number(v) => sheet.write_number(r, c, *v)?,
                    };
                }
            }
            sheet.set_freeze_panes(1, 0)?;
        }
        book.save_to_buffer()
    };
    build().map_err(|e| AppError::internal(anyhow::Error::new(e).context("writing XLSX")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_defused_in_csv() {
        let table = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![
                vec![t("=HYPERLINK(\"http://x\")"), Cell::Number(71.04)],
                vec![t("很好"), Cell::Number(3.0)],
            ],
        };
        let out = String::from_utf8(csv(&table).unwrap()).unwrap();
        assert_eq!(
            out,
            "\u{feff}a,b\n\"'=HYPERLINK(\"\"http://x\"\")\",71.04\n很好,3\n"
        );
    }
}
