//! Reports for a period — per department, venue, town/street or scenario — and the
//! managers' dashboard. Figures are computed by the database in one grouped query per
//! table (they stay under a second over 100,000 issues); names and impact figures add a
//! fixed handful of queries.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use flowwalk_shared::api::issues::IssueState;
use flowwalk_shared::api::reports::{
    CountByKey, Dashboard, Impact, MonthFigures, Report, ReportFigures, ReportGroup, ReportRow,
    ScenarioTiming,
};
use flowwalk_shared::sync::ReviewStatus;
use flowwalk_shared::time::china;

use crate::db::DbConnection;
use crate::db::schema::{
    departments, issue_occurrences as io, issues, problem_categories, scenario_steps,
    scenario_versions, scenarios, venues, walkthroughs,
};
use crate::error::AppError;
use crate::issues::rules::report_periods::{Period, rate};

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

#[derive(Debug, QueryableByName)]
struct Median {
    #[diesel(sql_type = Text)]
    scenario: String,
    #[diesel(sql_type = Text)]
    venue: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    side: i32,
    #[diesel(sql_type = diesel::sql_types::Double)]
    median_ms: f64,
}

/// A column (or expression) to group by, chosen from a fixed list: never user text.
#[derive(Debug, Clone, Copy)]
enum By {
    Group(ReportGroup),
    Month,
}

fn group_expr(by: By, pg: bool) -> &'static str {
    match (by, pg) {
        (By::Group(ReportGroup::Department), _) => "department_id",
        (By::Group(ReportGroup::Venue), _) => "venue_id",
        (By::Group(ReportGroup::Town), _) => "town_id",
        (By::Group(ReportGroup::Scenario), _) => "scenario_id",
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
    // SQLite would walk an index and fetch each row from the table; one pass over the
    // table is several times faster for report periods (PostgreSQL plans this itself).
    let hint = if pg { "" } else { "NOT INDEXED" };
    // States from the enum, never user text.
    let (explained, closed) = (IssueState::Explained.as_str(), IssueState::Closed.as_str());
    let sql = format!(
        "SELECT {g} AS key, COUNT(*) AS received, \
         SUM(CASE WHEN track IS NOT NULL OR status = '{explained}' THEN 1 ELSE 0 END) AS valid, \
         SUM(CASE WHEN track IS NOT NULL THEN 1 ELSE 0 END) AS to_fix, \
         SUM(CASE WHEN rectified_at IS NOT NULL THEN 1 ELSE 0 END) AS rectified, \
         SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN rechecked_at IS NOT NULL THEN 1 ELSE 0 END) AS rechecked, \
         SUM(CASE WHEN satisfied THEN 1 ELSE 0 END) AS satisfied, \
         SUM(CASE WHEN status = '{closed}' THEN 1 ELSE 0 END) AS closed \
         FROM issues {hint} WHERE created_at >= {p1} AND created_at < {p2} GROUP BY {g}"
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
        china::midnight_utc(p.from),
        china::midnight_utc(p.to + chrono::Duration::days(1)),
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

/// The rows and total of `period` grouped by `group`.
fn rows(
    conn: &mut DbConnection,
    period: &Period,
    group: ReportGroup,
) -> Result<(Vec<ReportRow>, ReportFigures), AppError> {
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
    Ok((rows, total))
}

fn assemble(
    period: &Period,
    group: ReportGroup,
    rows: Vec<ReportRow>,
    total: ReportFigures,
    impact: Impact,
) -> Report {
    Report {
        period: period.key.clone(),
        period_label: period.label.clone(),
        from: period.from,
        to: period.to,
        group,
        rows,
        total,
        impact,
    }
}

/// The report of `period` grouped by `group`.
pub fn report(
    conn: &mut DbConnection,
    period: &Period,
    group: ReportGroup,
) -> Result<Report, AppError> {
    let (rows, total) = rows(conn, period, group)?;
    let (from, to) = bounds(period);
    let impact = impact(conn, from, to)?;
    Ok(assemble(period, group, rows, total, impact))
}

/// The quarterly circular's two tables (per department, per town/street), sharing one
/// computation of the impact figures.
pub fn circular(conn: &mut DbConnection, period: &Period) -> Result<(Report, Report), AppError> {
    let (from, to) = bounds(period);
    let impact = impact(conn, from, to)?;
    let (d_rows, d_total) = rows(conn, period, ReportGroup::Department)?;
    let (t_rows, t_total) = rows(conn, period, ReportGroup::Town)?;
    Ok((
        assemble(
            period,
            ReportGroup::Department,
            d_rows,
            d_total,
            impact.clone(),
        ),
        assemble(period, ReportGroup::Town, t_rows, t_total, impact),
    ))
}

/// What the fixes achieved in `[from, to)`.
pub fn impact(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Impact, AppError> {
    // Hours cut: scenario × venue pairs with fixes signed off in the period; the medians
    // of their walkthroughs' totals before the first fix and after the last, computed by
    // the database (window functions on both backends), so only a row per side and pair
    // comes back.
    let pg = matches!(conn, DbConnection::Postgresql(_));
    // Numbered parameters (SQLite's `?2` like PostgreSQL's `$2`): the end is used twice.
    let (p1, p2) = if pg { ("$1", "$2") } else { ("?1", "?2") };
    let sql = format!(
        "WITH w AS (SELECT scenario_id, venue_id, MIN(rectified_at) AS first_fix, MAX(rectified_at) AS last_fix \
           FROM issues WHERE rectified_at >= {p1} AND rectified_at < {p2} AND scenario_id IS NOT NULL \
           GROUP BY scenario_id, venue_id), \
         s AS (SELECT f.scenario_id, f.venue_id, CASE WHEN f.started_at < w.first_fix THEN 0 ELSE 1 END AS side, f.total_ms \
           FROM walkthrough_facts f JOIN w ON w.scenario_id = f.scenario_id AND w.venue_id = f.venue_id \
           WHERE f.started_at < {p2} AND (f.started_at < w.first_fix OR f.started_at > w.last_fix)), \
         r AS (SELECT scenario_id, venue_id, side, total_ms, \
           ROW_NUMBER() OVER (PARTITION BY scenario_id, venue_id, side ORDER BY total_ms) AS rn, \
           COUNT(*) OVER (PARTITION BY scenario_id, venue_id, side) AS cnt FROM s) \
         SELECT scenario_id AS scenario, venue_id AS venue, side, AVG(CAST(total_ms AS DOUBLE PRECISION)) AS median_ms FROM r \
         WHERE rn = (cnt + 1) / 2 OR rn = (cnt + 2) / 2 GROUP BY scenario_id, venue_id, side"
    );
    let q = diesel::sql_query(sql)
        .bind::<Timestamp, _>(from)
        .bind::<Timestamp, _>(to);
    let medians: Vec<Median> = match conn {
        DbConnection::Postgresql(c) => q.load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    };
    let mut sides: HashMap<(String, String), (Option<f64>, Option<f64>)> = HashMap::new();
    for m in medians {
        let e = sides.entry((m.scenario, m.venue)).or_default();
        if m.side == 0 {
            e.0 = Some(m.median_ms);
        } else {
            e.1 = Some(m.median_ms);
        }
    }
    let mut hours_cut = 0.0;
    let mut pairs_compared = 0;
    for (before, after) in sides.into_values() {
        if let (Some(b), Some(a)) = (before, after) {
            pairs_compared += 1;
            if b > a {
                hours_cut += (b - a) / 3_600_000.0;
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
        .filter(issues::status.eq(IssueState::Closed))
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

fn counts(
    rows: HashMap<Option<String>, i64>,
    names: &HashMap<String, String>,
    none: &str,
) -> Vec<CountByKey> {
    let mut out: Vec<CountByKey> = rows
        .into_iter()
        .map(|(key, count)| CountByKey {
            name: key
                .as_ref()
                .and_then(|k| names.get(k).cloned())
                .unwrap_or_else(|| key.clone().unwrap_or_else(|| none.to_owned())),
            key,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    out
}

#[derive(Debug, QueryableByName)]
struct Counted {
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    #[diesel(sql_type = Text)]
    department: String,
    #[diesel(sql_type = Text)]
    status: IssueState,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Issues created in `[from, to)` counted by category, department and state at once.
fn grouped_counts(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Counted>, AppError> {
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let (p1, p2, hint) = if pg {
        ("$1", "$2", "")
    } else {
        ("?", "?", "NOT INDEXED")
    };
    let q = diesel::sql_query(format!(
        "SELECT category_id AS category, department_id AS department, status, COUNT(*) AS n \
         FROM issues {hint} WHERE created_at >= {p1} AND created_at < {p2} \
         GROUP BY category_id, department_id, status"
    ))
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(to);
    Ok(match conn {
        DbConnection::Postgresql(c) => q.load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    })
}

#[derive(Debug, QueryableByName)]
struct Timing {
    #[diesel(sql_type = Text)]
    scenario: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    total_ms: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    promised_ms: f64,
}

/// Per scenario: walkthroughs started in `[from, to)`, their average total and promise.
fn timings(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Timing>, AppError> {
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let (p1, p2) = if pg { ("$1", "$2") } else { ("?", "?") };
    let q = diesel::sql_query(format!(
        "SELECT scenario_id AS scenario, COUNT(*) AS n, \
         AVG(CAST(total_ms AS DOUBLE PRECISION)) AS total_ms, \
         AVG(CAST(promised_ms AS DOUBLE PRECISION)) AS promised_ms \
         FROM walkthrough_facts WHERE started_at >= {p1} AND started_at < {p2} \
         GROUP BY scenario_id"
    ))
    .bind::<Timestamp, _>(from)
    .bind::<Timestamp, _>(to);
    Ok(match conn {
        DbConnection::Postgresql(c) => q.load(c)?,
        DbConnection::Sqlite(c) => q.load(c)?,
    })
}

/// The dashboard over `[from, to]` (China dates).
pub fn dashboard(
    conn: &mut DbConnection,
    from_day: NaiveDate,
    to_day: NaiveDate,
) -> Result<Dashboard, AppError> {
    let from = china::midnight_utc(from_day);
    let to = china::midnight_utc(to_day + chrono::Duration::days(1));
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
    let mut by_category: HashMap<Option<String>, i64> = HashMap::new();
    let mut by_department: HashMap<Option<String>, i64> = HashMap::new();
    let mut by_status: HashMap<Option<String>, i64> = HashMap::new();
    for c in grouped_counts(conn, from, to)? {
        *by_category.entry(c.category).or_default() += c.n;
        *by_department.entry(Some(c.department)).or_default() += c.n;
        *by_status
            .entry(Some(c.status.as_str().to_owned()))
            .or_default() += c.n;
    }
    let by_category = counts(by_category, &cat_names, "未分类");
    let by_department = counts(by_department, &dept_names, "未指定");
    let by_status = counts(by_status, &status_names, "");
    let mut monthly: Vec<MonthFigures> = aggregate(conn, By::Month, from, to)?
        .iter()
        .map(|a| MonthFigures {
            month: a.key.clone().unwrap_or_default(),
            figures: figures(a),
        })
        .collect();
    monthly.sort_by(|a, b| a.month.cmp(&b.month));
    let scenario_names = names(conn, ReportGroup::Scenario)?;
    let mut scenario_timing: Vec<ScenarioTiming> = timings(conn, from, to)?
        .into_iter()
        .map(|t| ScenarioTiming {
            scenario_name: scenario_names.get(&t.scenario).cloned().unwrap_or_default(),
            scenario_id: t.scenario,
            walkthroughs: t.n,
            average_total_minutes: (t.total_ms / 60_000.0 * 10.0).round() / 10.0,
            promised_minutes: (t.promised_ms / 60_000.0 * 10.0).round() / 10.0,
        })
        .collect();
    scenario_timing.sort_by(|a, b| a.scenario_name.cmp(&b.scenario_name));
    let overdue_now: i64 = issues::table
        .filter(issues::overdue.eq(true))
        .filter(issues::status.eq_any([IssueState::FixNow, IssueState::Ledger]))
        .count()
        .get_result(conn)?;
    let walkthroughs_to_review: i64 = walkthroughs::table
        .filter(walkthroughs::status.eq(ReviewStatus::Submitted))
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
