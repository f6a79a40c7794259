//! Report benchmark: seeds 100,000 issues with 1,000,000 findings (occurrences) and
//! 100,000 accepted walkthroughs' facts, spread over a year, departments, venues, towns,
//! scenarios and every state; then times every report, the quarterly circular export, the
//! dashboard and issue-list pages, on SQLite and on PostgreSQL. The baseline, measured in
//! the same run, is the cheapest look at all the data a report reads: one pass over the
//! issues adding up their findings.
//! Every figure must stay under one second.
//!
//! cargo run --release -p flowwalk-tests --bin bench-reports -- [--issues 100000] [--findings 10] [--backend sqlite|postgres|both]

use std::time::{Duration, Instant};

use diesel::prelude::*;
use flowwalk_server::auth::AuthUser;
use flowwalk_server::db::DbConnection;
use flowwalk_server::db::schema::{issue_occurrences, issues};
use flowwalk_server::issues::rules::report_periods::Period;
use flowwalk_server::issues::service::list::{self, Filter};
use flowwalk_server::issues::service::{report_export as export, reporting as reports};
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::{IssueSort, IssueState};
use flowwalk_shared::api::reports::ReportGroup;
use flowwalk_tests::{Backend, TestApp};

struct Args {
    issues: i64,
    findings_per_issue: i64,
    backends: Vec<Backend>,
}

fn args() -> Args {
    let mut a = Args {
        issues: 100_000,
        findings_per_issue: 10,
        backends: vec![Backend::Sqlite, Backend::Postgres],
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--issues" => a.issues = flowwalk_tests::bench_arg("--issues", &value),
            "--findings" => a.findings_per_issue = flowwalk_tests::bench_arg("--findings", &value),
            "--backend" => {
                a.backends = match value.as_str() {
                    "sqlite" => vec![Backend::Sqlite],
                    "postgres" => vec![Backend::Postgres],
                    _ => vec![Backend::Sqlite, Backend::Postgres],
                }
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    a
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    println!(
        "report benchmark: {} issues, {} findings, {} walkthrough facts",
        a.issues,
        a.issues * a.findings_per_issue,
        a.issues
    );
    let mut ok = true;
    for backend in a.backends.clone() {
        ok &= run(backend, &a).await;
    }
    if !ok {
        std::process::exit(1);
    }
}

/// Runs a statement, each backend in its own words.
fn exec(conn: &mut DbConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// The SQL that differs between the backends.
struct Dialect {
    /// `WITH RECURSIVE g(n)` over 1..=N, or generate_series.
    series: fn(i64) -> String,
    /// A timestamp `days` days and `secs` seconds after 2026-01-01 (expressions of `n`).
    at: fn(&str, &str) -> String,
    /// A date `days` after 2026-01-01.
    date: fn(&str) -> String,
    bool_true: &'static str,
}

const SQLITE: Dialect = Dialect {
    series: |n| {
        format!("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {n})")
    },
    at: |days, secs| {
        format!(
            "strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || ({days}) || ' days', '+' || ({secs}) || ' seconds')"
        )
    },
    date: |days| format!("date('2026-01-01', '+' || ({days}) || ' days')"),
    bool_true: "1",
};

const POSTGRES: Dialect = Dialect {
    series: |n| format!("WITH g(n) AS (SELECT generate_series(1, {n})::bigint)"),
    at: |days, secs| {
        format!(
            "(TIMESTAMP '2026-01-01' + ({days}) * INTERVAL '1 day' + ({secs}) * INTERVAL '1 second')"
        )
    },
    date: |days| format!("(DATE '2026-01-01' + ({days})::int)"),
    bool_true: "TRUE",
};

/// Seeds the volume with SQL that generates it in the database (fast on both backends).
fn seed(conn: &mut DbConnection, d: &Dialect, issues_n: i64, per_issue: i64) {
    // Numbered reference data to pick from by `n % count`.
    exec(
        conn,
        "CREATE TABLE bench_dept (k INTEGER PRIMARY KEY, id TEXT NOT NULL)",
    );
    exec(
        conn,
        "INSERT INTO bench_dept SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM departments",
    );
    exec(
        conn,
        "CREATE TABLE bench_venue (k INTEGER PRIMARY KEY, id TEXT NOT NULL, town TEXT)",
    );
    exec(
        conn,
        "INSERT INTO bench_venue SELECT ROW_NUMBER() OVER (ORDER BY v.id) - 1, v.id, \
         CASE WHEN v.level = 'town' THEN v.id WHEN v.level = 'village' THEN v.parent_id ELSE NULL END \
         FROM venues v",
    );
    exec(
        conn,
        "CREATE TABLE bench_scenario (k INTEGER PRIMARY KEY, id TEXT NOT NULL, version_id TEXT NOT NULL)",
    );
    exec(
        conn,
        "INSERT INTO bench_scenario SELECT ROW_NUMBER() OVER (ORDER BY s.id) - 1, s.id, v.id \
         FROM scenarios s JOIN scenario_versions v ON v.scenario_id = s.id AND v.version = s.current_version",
    );
    exec(
        conn,
        "CREATE TABLE bench_cat (k INTEGER PRIMARY KEY, id TEXT NOT NULL)",
    );
    exec(
        conn,
        "INSERT INTO bench_cat SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM problem_categories",
    );
    let count = |conn: &mut DbConnection, t: &str| -> i64 {
        #[derive(QueryableByName)]
        struct C {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            c: i64,
        }
        diesel::sql_query(format!("SELECT COUNT(*) AS c FROM {t}"))
            .get_result::<C>(conn)
            .map(|c| c.c)
            .unwrap_or(1)
    };
    let (nd, nv, ns, nc) = (
        count(conn, "bench_dept"),
        count(conn, "bench_venue"),
        count(conn, "bench_scenario"),
        count(conn, "bench_cat"),
    );
    let created = (d.at)("n % 360", "(n * 37) % 86400");
    let t = d.bool_true;
    // States by n % 10: new, dismissed, explained, fix_now, ledger, panel_review,
    // signed_off, closed, closed, reopened. Every 7th issue with a deadline ran over.
    let sql = format!(
        "INSERT INTO issues (id, source, source_key, status, track, version, merge_key, venue_id, town_id, \
         category_id, scenario_id, step_name, department_id, routed_by, severity, title, description, \
         observer_id, occurrence_count, first_seen_at, last_seen_at, deadline, overdue, \
         transfer_note, resolution, triaged_at, rectified_at, on_time, rechecked_at, satisfied, \
         created_at, updated_at) \
         {series} \
         SELECT 'bench-' || n, 'walkthrough', NULL, \
           CASE n % 10 WHEN 0 THEN 'new' WHEN 1 THEN 'dismissed' WHEN 2 THEN 'explained' WHEN 3 THEN 'fix_now' \
             WHEN 4 THEN 'ledger' WHEN 5 THEN 'panel_review' WHEN 6 THEN 'signed_off' WHEN 9 THEN 'reopened' ELSE 'closed' END, \
           CASE WHEN n % 10 IN (0, 1, 2) THEN NULL WHEN n % 10 IN (4, 5) THEN 'ledger' ELSE 'fix_now' END, \
           3, 'bench|' || n, bv.id, bv.town, bc.id, bs.id, '窗口受理', bd.id, 'step', 'medium', \
           '排队时间太长 · 窗口受理', '压测问题', NULL, {per}, {created}, {created}, \
           CASE WHEN n % 10 IN (0, 1, 2) THEN NULL ELSE {deadline} END, \
           n % 10 IN (3, 4) AND n % 7 = 0, NULL, '', \
           CASE WHEN n % 10 >= 3 THEN {created} ELSE NULL END, \
           CASE WHEN n % 10 >= 6 THEN {rectified} ELSE NULL END, \
           CASE WHEN n % 10 >= 6 THEN n % 4 <> 0 ELSE NULL END, \
           CASE WHEN n % 10 >= 7 THEN {rectified} ELSE NULL END, \
           CASE WHEN n % 10 IN (7, 8) THEN {t} WHEN n % 10 = 9 THEN n % 10 <> 9 ELSE NULL END, \
           {created}, {created} \
         FROM g JOIN bench_venue bv ON bv.k = n % {nv} JOIN bench_dept bd ON bd.k = n % {nd} \
           JOIN bench_scenario bs ON bs.k = n % {ns} JOIN bench_cat bc ON bc.k = n % {nc}",
        series = (d.series)(issues_n),
        per = per_issue,
        deadline = (d.date)("n % 360 + 15"),
        rectified = (d.at)("n % 360 + 3", "(n * 37) % 86400"),
    );
    exec(conn, &sql);
    let findings = issues_n * per_issue;
    let sql = format!(
        "INSERT INTO issue_occurrences (id, issue_id, source_ref, walkthrough_id, observer_id, severity, \
         description, photos, seen_at, created_at) \
         {series} \
         SELECT 'bench-o-' || n, 'bench-' || (n % {issues_n} + 1), 'bench:' || n, NULL, NULL, 'medium', \
           '取号后等候时间过长', '[]', {seen}, {seen} FROM g",
        series = (d.series)(findings),
        seen = (d.at)(&format!("(n % {issues_n} + 1) % 360"), "(n * 13) % 86400"),
    );
    exec(conn, &sql);
    let sql = format!(
        "INSERT INTO walkthrough_facts (walkthrough_id, rev, venue_id, scenario_id, scenario_version_id, \
         started_at, total_ms, promised_ms, finding_count, accepted_at) \
         {series} \
         SELECT 'bench-w-' || n, 1, bv.id, bs.id, bs.version_id, {at}, \
           3600000 + (n * 7919) % 7200000 - (n % 360) * 5000, 5400000, {per}, {at} \
         FROM g JOIN bench_venue bv ON bv.k = n % {nv} JOIN bench_scenario bs ON bs.k = n % {ns}",
        series = (d.series)(issues_n),
        at = (d.at)("n % 360", "(n * 53) % 86400"),
        per = per_issue,
    );
    exec(conn, &sql);
    exec(conn, "ANALYZE");
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(backend: Backend, a: &Args) -> bool {
    let app = TestApp::spawn(backend).await;
    app.load_demo();
    let pool = app.db.pool().clone();
    let mut conn = pool.get().expect("a connection");
    let dialect = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let (_, seeding) = timed(|| seed(&mut conn, dialect, a.issues, a.findings_per_issue));
    let issues_n: i64 = issues::table.count().get_result(&mut *conn).unwrap_or(0);
    let findings_n: i64 = issue_occurrences::table
        .count()
        .get_result(&mut *conn)
        .unwrap_or(0);
    println!();
    println!(
        "== {backend:?}: seeded {issues_n} issues, {findings_n} findings in {:.1} s",
        seeding.as_secs_f64()
    );
    let manager = AuthUser {
        id: "bench-manager".into(),
        username: "bench".into(),
        role: Role::Manager,
        department_id: None,
    };
    let year = Period::parse("2026").expect("period");
    let quarter = Period::parse("2026-Q3").expect("period");
    // Warm caches once (a server has run queries before), then take the best of three.
    let best = |conn: &mut DbConnection, f: &dyn Fn(&mut DbConnection) -> usize| {
        let _ = f(conn);
        (0..3)
            .map(|_| timed(|| f(conn)).1)
            .min()
            .unwrap_or_default()
    };
    // The baseline: one pass over every issue, adding up their findings.
    let baseline = best(&mut conn, &|c| {
        issues::table
            .select(diesel::dsl::sum(issues::occurrence_count))
            .first::<Option<i64>>(c)
            .map_or(0, |n| usize::try_from(n.unwrap_or(0)).unwrap_or(0))
    });
    println!(
        "  baseline (one pass over the issues): {:>7.1} ms",
        ms(baseline)
    );
    let mut ok = true;
    let mut line = |name: &str, d: Duration| {
        let pass = d < Duration::from_secs(1);
        ok &= pass;
        println!(
            "  {name:<36}{:>8.1} ms   ×{:>6.1} baseline   {}",
            ms(d),
            d.as_secs_f64() / baseline.as_secs_f64().max(1e-9),
            if pass { "< 1 s" } else { "OVER 1 s" }
        );
    };
    for (label, period) in [("year", &year), ("quarter", &quarter)] {
        for group in ReportGroup::ALL {
            let d = best(&mut conn, &|c| {
                reports::report(c, period, group).map_or(0, |r| r.rows.len())
            });
            line(&format!("report {label} by {}", group.as_str()), d);
        }
    }
    let d = best(&mut conn, &|c| {
        let (dept, town) = reports::circular(c, &year).expect("report");
        export::circular(&dept, &town).map_or(0, |b| b.len())
    });
    line("export: the circular (XLSX), year", d);
    let d = best(&mut conn, &|c| {
        export::csv(&reports::report(c, &year, ReportGroup::Venue).expect("report"))
            .map_or(0, |b| b.len())
    });
    line("export: CSV by venue, year", d);
    let from = year.from;
    let to = year.to;
    let d = best(&mut conn, &|c| {
        reports::dashboard(c, from, to).map_or(0, |r| r.monthly.len())
    });
    line("dashboard, year", d);
    let (f, t) = reports::bounds(&year);
    let d = best(&mut conn, &|c| {
        reports::impact(c, f, t).map_or(0, |i| usize::try_from(i.pairs_compared).unwrap_or(0))
    });
    line("impact figures alone, year", d);
    let d = best(&mut conn, &|c| {
        list::page(
            c,
            &manager,
            &Filter::default(),
            IssueSort::Created,
            None,
            50,
        )
        .map_or(0, |p| p.items.len())
    });
    line("issue list, first page of 50", d);
    let filtered = Filter {
        status: vec![IssueState::FixNow, IssueState::Ledger],
        overdue: Some(true),
        ..Filter::default()
    };
    let d = best(&mut conn, &|c| {
        list::page(c, &manager, &filtered, IssueSort::Deadline, None, 50)
            .map_or(0, |p| p.items.len())
    });
    line("issue list, overdue by deadline", d);
    // A page deep in the list: keyset paging costs the same on page 1 and page 500.
    let mut cursor = None;
    for _ in 0..20 {
        cursor = list::page(
            &mut conn,
            &manager,
            &Filter::default(),
            IssueSort::Created,
            cursor.as_deref(),
            200,
        )
        .expect("page")
        .next_cursor;
    }
    let d = best(&mut conn, &|c| {
        list::page(
            c,
            &manager,
            &Filter::default(),
            IssueSort::Created,
            cursor.as_deref(),
            50,
        )
        .map_or(0, |p| p.items.len())
    });
    line("issue list, page after 4,000 issues", d);
    let r = reports::report(&mut conn, &year, ReportGroup::Department).expect("report");
    println!(
        "  (the year's report: {} received, {} rectified, {:.0} hours cut over {} scenario×venue pairs, {} findings)",
        r.total.received,
        r.total.rectified,
        r.impact.hours_cut,
        r.impact.pairs_compared,
        r.impact.findings
    );
    ok
}
