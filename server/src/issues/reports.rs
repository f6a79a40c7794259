//! Reports for a period — per department, venue, town/street or scenario — and the
//! managers' dashboard. Figures are computed by the database in one grouped query per
//! table (they stay under a second over 100,000 issues); names and impact figures add a
//! fixed handful of queries.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use flowwalk_shared::api::reports::{
    CountByKey, Dashboard, Impact, MonthFigures, Report, ReportFigures, ReportGroup, ReportRow,
    ScenarioTiming,
};

use super::china_midnight_utc;
use crate::db::DbConnection;
use crate::db::schema::{
    departments, issue_occurrences as io, issues, problem_categories, scenario_steps,
    scenario_versions, scenarios, venues, walkthrough_facts as wf, walkthroughs,
};
use crate::domain::reports::{Period, rate, time_cut};
use crate::error::AppError;

#[derive(Debug, QueryableByName)]
struct Agg {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    valid: i64,
    #[diesel(sql_type = BigInt)]
    to_fix: i64,
    #[diesel(sql_type = BigInt)]
    rectified: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = BigInt)]
    rechecked: i64,
    #[diesel(sql_type = BigInt)]
    satisfied: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
}

/// A column (or expression) to group by, chosen from a fixed list: never user text.
#[derive(Debug, Clone, Copy)]
enum By {
    Group(ReportGroup),
    Category,
    Status,
    Month,
}

fn group_expr(by: By, pg: bool) -> &'static str {
    match (by, pg) {
        (By::Group(ReportGroup::Department), _) => "department_id",
        (By::Group(ReportGroup::Venue), _) => "venue_id",
        (By::Group(ReportGroup::Town), _) => "town_id",
        (By::Group(ReportGroup::Scenario), _) => "scenario_id",
        (By::Category, _) => "category_id",
        (By::Status, _) => "status",
        (By::Month, true) => "to_char(created_at + interval '8 hours', 'YYYY-MM')",
        (By::Month, false) => "strftime('%Y-%m', created_at, '+8 hours')",
    }
}

/// The figures of issues created in `[from, to)` (UTC), grouped. One query.
fn aggregate(
    conn: &mut DbConnection,
    by: By,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Agg>, AppError> {
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let g = group_expr(by, pg);
    let (p1, p2) = if pg { ("$1", "$2") } else { ("?", "?") };
    let sql = format!(
        "SELECT {g} AS key, COUNT(*) AS received, \
         SUM(CASE WHEN track IS NOT NULL OR status = 'explained' THEN 1 ELSE 0 END) AS valid, \
         SUM(CASE WHEN track IS NOT NULL THEN 1 ELSE 0 END) AS to_fix, \
         SUM(CASE WHEN rectified_at IS NOT NULL THEN 1 ELSE 0 END) AS rectified, \
         SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN rechecked_at IS NOT NULL THEN 1 ELSE 0 END) AS rechecked, \
         SUM(CASE WHEN satisfied THEN 1 ELSE 0 END) AS satisfied, \
         SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed \
         FROM issues WHERE created_at >= {p1} AND created_at < {p2} GROUP BY {g}"
    );
    let q = diesel::sql_query(sql)
        .bind::<Timestamp, _>(from)
        .bind::<Timestamp, _>(to);
    Ok(match conn {
        DbConnection::Postgresql(c) => q.load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    })
}

fn figures(a: &Agg) -> ReportFigures {
    let mut f = ReportFigures {
        received: a.received,
        valid: a.valid,
        to_fix: a.to_fix,
        rectified: a.rectified,
        on_time: a.on_time,
        overdue: a.overdue,
        rechecked: a.rechecked,
        satisfied: a.satisfied,
        closed: a.closed,
        ..ReportFigures::default()
    };
    fill_rates(&mut f);
    f
}

fn fill_rates(f: &mut ReportFigures) {
    f.rectification_rate = rate(f.rectified, f.to_fix);
    f.on_time_rate = rate(f.on_time, f.rectified);
    f.return_visit_rate = rate(f.rechecked, f.rectified);
    f.satisfaction_rate = rate(f.satisfied, f.rechecked);
}

fn add(total: &mut ReportFigures, f: &ReportFigures) {
    total.received += f.received;
    total.valid += f.valid;
    total.to_fix += f.to_fix;
    total.rectified += f.rectified;
    total.on_time += f.on_time;
    total.overdue += f.overdue;
    total.rechecked += f.rechecked;
    total.satisfied += f.satisfied;
    total.closed += f.closed;
    fill_rates(total);
}

/// The UTC bounds `[from, to)` of a period of China dates.
pub fn bounds(p: &Period) -> (NaiveDateTime, NaiveDateTime) {
    (
        china_midnight_utc(p.from),
        china_midnight_utc(p.to + chrono::Duration::days(1)),
    )
}

fn names(conn: &mut DbConnection, group: ReportGroup) -> Result<HashMap<String, String>, AppError> {
    Ok(match group {
        ReportGroup::Department => departments::table
            .select((departments::id, departments::name))
            .load::<(String, String)>(conn)?,
        ReportGroup::Venue | ReportGroup::Town => venues::table
            .select((venues::id, venues::name))
            .load::<(String, String)>(conn)?,
        ReportGroup::Scenario => scenarios::table
            .select((scenarios::id, scenarios::name))
            .load::<(String, String)>(conn)?,
    }
    .into_iter()
    .collect())
}

fn none_name(group: ReportGroup) -> &'static str {
    match group {
        ReportGroup::Town => "区级及以上场所",
        ReportGroup::Scenario => "未关联事项",
        _ => "未指定",
    }
}

/// The report of `period` grouped by `group`.
pub fn report(
    conn: &mut DbConnection,
    period: &Period,
    group: ReportGroup,
) -> Result<Report, AppError> {
    let (from, to) = bounds(period);
    let names = names(conn, group)?;
    let mut rows: Vec<ReportRow> = aggregate(conn, By::Group(group), from, to)?
        .iter()
        .map(|a| ReportRow {
            name: a
                .key
                .as_ref()
                .and_then(|k| names.get(k).cloned())
                .unwrap_or_else(|| none_name(group).to_owned()),
            key: a.key.clone(),
            figures: figures(a),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.figures
            .received
            .cmp(&a.figures.received)
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut total = ReportFigures::default();
    for r in &rows {
        add(&mut total, &r.figures);
    }
    Ok(Report {
        period: period.key.clone(),
        period_label: period.label.clone(),
        from: period.from,
        to: period.to,
        group,
        rows,
        total,
        impact: impact(conn, from, to)?,
    })
}

/// What the fixes achieved in `[from, to)`.
pub fn impact(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Impact, AppError> {
    // Hours cut: scenario × venue pairs with fixes signed off in the period.
    let fixed: Vec<(Option<String>, String, Option<NaiveDateTime>)> = issues::table
        .filter(issues::rectified_at.ge(from))
        .filter(issues::rectified_at.lt(to))
        .filter(issues::scenario_id.is_not_null())
        .select((issues::scenario_id, issues::venue_id, issues::rectified_at))
        .load(conn)?;
    let mut windows: HashMap<(String, String), (NaiveDateTime, NaiveDateTime)> = HashMap::new();
    for (s, v, at) in fixed {
        let (Some(s), Some(at)) = (s, at) else {
            continue;
        };
        let w = windows.entry((s, v)).or_insert((at, at));
        w.0 = w.0.min(at);
        w.1 = w.1.max(at);
    }
    let mut hours_cut = 0.0;
    let mut pairs_compared = 0;
    if !windows.is_empty() {
        let wanted: HashSet<&String> = windows.keys().map(|(s, _)| s).collect();
        let wanted: Vec<&String> = wanted.into_iter().collect();
        let mut samples: HashMap<(String, String), (Vec<i64>, Vec<i64>)> = HashMap::new();
        for chunk in wanted.chunks(500) {
            let facts: Vec<(String, String, NaiveDateTime, i64)> = wf::table
                .filter(wf::scenario_id.eq_any(chunk))
                .filter(wf::started_at.lt(to))
                .select((wf::scenario_id, wf::venue_id, wf::started_at, wf::total_ms))
                .load(conn)?;
            for (s, v, at, ms) in facts {
                let k = (s, v);
                if let Some((first, last)) = windows.get(&k) {
                    let e = samples.entry(k).or_default();
                    if at < *first {
                        e.0.push(ms);
                    } else if at > *last {
                        e.1.push(ms);
                    }
                }
            }
        }
        for (_, (mut before, mut after)) in samples {
            if let Some(cut) = time_cut(&mut before, &mut after) {
                pairs_compared += 1;
                if cut > 0.0 {
                    hours_cut += cut / 3_600_000.0;
                }
            }
        }
    }
    // Materials cut: per scenario, the version in force at the start against the end.
    let versions: Vec<(String, String, i32, NaiveDateTime)> = scenario_versions::table
        .select((
            scenario_versions::id,
            scenario_versions::scenario_id,
            scenario_versions::version,
            scenario_versions::created_at,
        ))
        .load(conn)?;
    let mut materials: HashMap<String, i64> = HashMap::new();
    for (v, n) in scenario_steps::table
        .select((
            scenario_steps::scenario_version_id,
            scenario_steps::materials_count,
        ))
        .load::<(String, i32)>(conn)?
    {
        *materials.entry(v).or_default() += i64::from(n);
    }
    let mut by_scenario: HashMap<&str, Vec<&(String, String, i32, NaiveDateTime)>> = HashMap::new();
    for v in &versions {
        by_scenario.entry(v.1.as_str()).or_default().push(v);
    }
    let mut materials_cut = 0;
    for list in by_scenario.values_mut() {
        list.sort_by_key(|v| v.2);
        let at = |t: NaiveDateTime| list.iter().rev().find(|v| v.3 < t).copied();
        let start = at(from).or_else(|| list.first().copied());
        let end = at(to);
        if let (Some(s), Some(e)) = (start, end) {
            let cut = materials.get(&s.0).copied().unwrap_or(0)
                - materials.get(&e.0).copied().unwrap_or(0);
            if cut > 0 {
                materials_cut += cut;
            }
        }
    }
    let problems_solved: i64 = issues::table
        .filter(issues::status.eq("closed"))
        .filter(issues::rechecked_at.ge(from))
        .filter(issues::rechecked_at.lt(to))
        .count()
        .get_result(conn)?;
    let findings: i64 = io::table
        .filter(io::seen_at.ge(from))
        .filter(io::seen_at.lt(to))
        .count()
        .get_result(conn)?;
    Ok(Impact {
        hours_cut: (hours_cut * 100.0).round() / 100.0,
        pairs_compared,
        materials_cut,
        problems_solved,
        findings,
    })
}

fn counts(rows: Vec<Agg>, names: &HashMap<String, String>, none: &str) -> Vec<CountByKey> {
    let mut out: Vec<CountByKey> = rows
        .into_iter()
        .map(|a| CountByKey {
            name: a
                .key
                .as_ref()
                .and_then(|k| names.get(k).cloned())
                .unwrap_or_else(|| a.key.clone().unwrap_or_else(|| none.to_owned())),
            key: a.key,
            count: a.received,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The dashboard over `[from, to]` (China dates).
pub fn dashboard(
    conn: &mut DbConnection,
    from_day: NaiveDate,
    to_day: NaiveDate,
) -> Result<Dashboard, AppError> {
    let from = china_midnight_utc(from_day);
    let to = china_midnight_utc(to_day + chrono::Duration::days(1));
    let cat_names: HashMap<String, String> = problem_categories::table
        .select((problem_categories::id, problem_categories::name_zh))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let dept_names = names(conn, ReportGroup::Department)?;
    let status_names: HashMap<String, String> = flowwalk_shared::api::issues::IssueState::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
        .collect();
    let by_category = counts(
        aggregate(conn, By::Category, from, to)?,
        &cat_names,
        "未分类",
    );
    let by_department = counts(
        aggregate(conn, By::Group(ReportGroup::Department), from, to)?,
        &dept_names,
        "未指定",
    );
    let by_status = counts(aggregate(conn, By::Status, from, to)?, &status_names, "");
    let mut monthly: Vec<MonthFigures> = aggregate(conn, By::Month, from, to)?
        .iter()
        .map(|a| MonthFigures {
            month: a.key.clone().unwrap_or_default(),
            figures: figures(a),
        })
        .collect();
    monthly.sort_by(|a, b| a.month.cmp(&b.month));
    let facts: Vec<(String, i64, i64)> = wf::table
        .filter(wf::started_at.ge(from))
        .filter(wf::started_at.lt(to))
        .select((wf::scenario_id, wf::total_ms, wf::promised_ms))
        .load(conn)?;
    let scenario_names = names(conn, ReportGroup::Scenario)?;
    let mut per: HashMap<String, (i64, i64, i64)> = HashMap::new();
    for (s, total, promised) in facts {
        let e = per.entry(s).or_default();
        e.0 += 1;
        e.1 += total;
        e.2 += promised;
    }
    let mut scenario_timing: Vec<ScenarioTiming> = per
        .into_iter()
        .map(|(id, (n, total, promised))| ScenarioTiming {
            scenario_name: scenario_names.get(&id).cloned().unwrap_or_default(),
            scenario_id: id,
            walkthroughs: n,
            average_total_minutes: (total as f64 / n as f64 / 60_000.0 * 10.0).round() / 10.0,
            promised_minutes: (promised as f64 / n as f64 / 60_000.0 * 10.0).round() / 10.0,
        })
        .collect();
    scenario_timing.sort_by(|a, b| a.scenario_name.cmp(&b.scenario_name));
    let overdue_now: i64 = issues::table
        .filter(issues::overdue.eq(true))
        .filter(issues::status.eq_any(["fix_now", "ledger"]))
        .count()
        .get_result(conn)?;
    let walkthroughs_to_review: i64 = walkthroughs::table
        .filter(walkthroughs::status.eq("submitted"))
        .count()
        .get_result(conn)?;
    Ok(Dashboard {
        from: from_day,
        to: to_day,
        by_category,
        by_department,
        by_status,
        monthly,
        scenario_timing,
        impact: impact(conn, from, to)?,
        overdue_now,
        walkthroughs_to_review,
    })
}
