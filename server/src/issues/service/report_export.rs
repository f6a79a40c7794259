//! Exports of reports: CSV (one table), and the quarterly circular (季度通报) as XLSX, ready
//! to send: one sheet with the per-department table, one with the per-town/street table,
//! and one with the period's totals and impact figures.

use flowwalk_shared::api::reports::{Impact, Report, ReportFigures};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::error::AppError;

/// Column headers of a report table after the name column.
const HEADERS: [&str; 13] = [
    "受理问题数",
    "有效问题数",
    "需整改数",
    "已整改数",
    "按期整改数",
    "逾期数",
    "已回访数",
    "满意数",
    "已办结数",
    "整改率",
    "按期率",
    "回访率",
    "满意率",
];

fn counts(f: &ReportFigures) -> [i64; 9] {
    [
        f.received,
        f.valid,
        f.to_fix,
        f.rectified,
        f.on_time,
        f.overdue,
        f.rechecked,
        f.satisfied,
        f.closed,
    ]
}

fn rates(f: &ReportFigures) -> [Option<f64>; 4] {
    [
        f.rectification_rate,
        f.on_time_rate,
        f.return_visit_rate,
        f.satisfaction_rate,
    ]
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The report as CSV (UTF-8 with a BOM, so Excel opens the Chinese right).
pub fn csv(report: &Report) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let mut head = vec![report.group.label_zh().to_owned()];
        head.extend(HEADERS.iter().map(|h| (*h).to_owned()));
        w.write_record(&head)
            .map_err(|e| AppError::internal(e.into()))?;
        let mut line = |name: &str, f: &ReportFigures| -> Result<(), AppError> {
            let mut rec = vec![name.to_owned()];
            rec.extend(counts(f).iter().map(i64::to_string));
            rec.extend(rates(f).iter().map(|r| percent(*r)));
            w.write_record(&rec)
                .map_err(|e| AppError::internal(e.into()))
        };
        for r in &report.rows {
            line(&r.name, &r.figures)?;
        }
        line("合计", &report.total)?;
        w.flush().map_err(|e| AppError::internal(e.into()))?;
    }
    Ok(out)
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::internal(anyhow::anyhow!("writing the XLSX: {e}"))
}

fn table(ws: &mut Worksheet, title: &str, report: &Report) -> Result<(), XlsxError> {
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
        .set_background_color("#DDEBF7");
    let cell = Format::new().set_border(FormatBorder::Thin);
    let pct = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0%");
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let bold_pct = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0%");
    ws.write_string_with_format(0, 0, title, &title_fmt)?;
    ws.write_string(
        1,
        0,
        format!("统计期间:{} 至 {}(按问题受理时间)", report.from, report.to),
    )?;
    ws.write_string_with_format(3, 0, report.group.label_zh(), &head)?;
    for (i, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(3, u16::try_from(i + 1).unwrap_or(0), *h, &head)?;
    }
    let mut row = 4u32;
    let write = |ws: &mut Worksheet, row: u32, name: &str, f: &ReportFigures, total: bool| {
        let (c, p) = if total {
            (&bold, &bold_pct)
        } else {
            (&cell, &pct)
        };
        ws.write_string_with_format(row, 0, name, c)?;
        for (i, n) in counts(f).iter().enumerate() {
            ws.write_number_with_format(row, u16::try_from(i + 1).unwrap_or(0), *n as f64, c)?;
        }
        for (i, r) in rates(f).iter().enumerate() {
            let col = u16::try_from(i + 10).unwrap_or(0);
            match r {
                Some(r) => ws.write_number_with_format(row, col, *r, p)?,
                None => ws.write_string_with_format(row, col, "—", c)?,
            };
        }
        Ok::<(), XlsxError>(())
    };
    for r in &report.rows {
        write(ws, row, &r.name, &r.figures, false)?;
        row += 1;
    }
    write(ws, row, "合计", &report.total, true)?;
    ws.set_column_width(0, 34)?;
    for c in 1..=13u16 {
        ws.set_column_width(c, 10)?;
    }
    ws.set_freeze_panes(4, 1)?;
    Ok(())
}

fn impact_sheet(
    ws: &mut Worksheet,
    label: &str,
    total: &ReportFigures,
    impact: &Impact,
) -> Result<(), XlsxError> {
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, format!("{label} 走流程问题整改成效"), &title_fmt)?;
    let lines: [(&str, String); 10] = [
        ("受理问题数", total.received.to_string()),
        ("有效问题数", total.valid.to_string()),
        ("已整改数", total.rectified.to_string()),
        ("整改率", percent(total.rectification_rate)),
        ("回访率", percent(total.return_visit_rate)),
        ("整改满意率", percent(total.satisfaction_rate)),
        ("压减办理时间(小时)", format!("{:.1}", impact.hours_cut)),
        ("精简材料(份)", impact.materials_cut.to_string()),
        (
            "解决问题(个,群众满意办结)",
            impact.problems_solved.to_string(),
        ),
        ("记录问题线索(条)", impact.findings.to_string()),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        let r = u32::try_from(i + 2).unwrap_or(0);
        ws.write_string_with_format(r, 0, *k, &bold)?;
        ws.write_string(r, 1, v)?;
    }
    ws.write_string(
        13,
        0,
        "压减时间:同一场所同一事项,整改验收前后走流程总用时中位数之差;精简材料:期初与期末事项版本所需材料之差。",
    )?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 16)?;
    Ok(())
}

/// The quarterly circular: per department, per town/street, and the impact.
pub fn circular(by_department: &Report, by_town: &Report) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let label = &by_department.period_label;
    {
        let ws = wb.add_worksheet();
        ws.set_name("按部门").map_err(xlsx_err)?;
        table(
            ws,
            &format!("{label} 走流程问题整改情况通报(按责任部门)"),
            by_department,
        )
        .map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("按镇街").map_err(xlsx_err)?;
        table(
            ws,
            &format!("{label} 走流程问题整改情况通报(按镇、街道)"),
            by_town,
        )
        .map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("整改成效").map_err(xlsx_err)?;
        impact_sheet(ws, label, &by_department.total, &by_department.impact).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
