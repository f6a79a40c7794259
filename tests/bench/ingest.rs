//! Ingest benchmark: N simulated devices push walkthroughs (20 steps, 3 findings, 2 photos
//! each) through the real HTTP API at once; then the same rows are inserted directly (no
//! HTTP, no validation) in the same run, as the baseline. Prints throughput, p50/p99
//! latency, lost and duplicated counts checked against the database, and the ratio.
//!
//! cargo run --release -p flowwalk-tests --bin bench-ingest -- [--devices 200] [--walks 5] [--pool 16] [--backend sqlite|postgres|both]

use std::time::{Duration, Instant};

use diesel::prelude::*;
use flowwalk_server::db::changes::{self, Kind};
use flowwalk_server::db::schema::{walkthrough_revisions as wr, walkthroughs as w};
use flowwalk_server::walkthroughs::store::walkthrough_rows::{
    self as wt, RevisionRow, WalkthroughRow,
};
use flowwalk_shared::Role;
use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PushResponse, PushStatus};
use flowwalk_shared::walkthrough::{WalkthroughRecord, hex_sha256};
use flowwalk_tests::fixtures::{jpeg, walkthrough};
use flowwalk_tests::{Backend, TestApp};
use serde_json::json;

struct Args {
    devices: usize,
    walks: usize,
    pool: u32,
    backends: Vec<Backend>,
}

fn args() -> Args {
    let mut a = Args {
        devices: 200,
        walks: 5,
        pool: 16,
        backends: vec![Backend::Sqlite, Backend::Postgres],
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--devices" => a.devices = flowwalk_tests::bench_arg("--devices", &value),
            "--walks" => a.walks = flowwalk_tests::bench_arg("--walks", &value),
            "--pool" => a.pool = flowwalk_tests::bench_arg("--pool", &value),
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
        "ingest benchmark: {} devices × {} walkthroughs (20 steps, 3 findings, 2 photos each)",
        a.devices, a.walks
    );
    let mut failed = false;
    for backend in a.backends.clone() {
        failed |= !run(backend, &a).await;
    }
    if failed {
        std::process::exit(1);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn run(backend: Backend, a: &Args) -> bool {
    let app = TestApp::spawn_with(backend, |s| {
        s.db_pool_size = a.pool;
        s.workers = 0;
        s.login_max_failures_per_address = 1_000_000;
    })
    .await;
    app.load_demo();
    let admin = app.demo_login("admin").await;
    // A scenario of 19 template steps (+1 unplanned redirect = 20 steps).
    let depts = app
        .get("/api/v1/departments", &admin)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap_or_default();
    let dept = depts[0]["id"].clone();
    let steps: Vec<_> = (1..=19)
        .map(|i| json!({"name": format!("环节{i}"), "channel": "window", "department_id": dept, "standard_minutes": 15}))
        .collect();
    let scenario: Scenario = app
        .post(
            "/api/v1/scenarios",
            Some(&admin),
            &json!({"code": "bench", "name": "压测事项", "steps": steps}),
        )
        .await
        .json()
        .await
        .expect("scenario");
    // The devices' accounts share one password hash (hashing 200 passwords is not the point).
    let hash = flowwalk_server::auth::password::hash("bench-password").expect("hash");
    let mut ids = Vec::new();
    {
        let mut conn = app.db.pool().get().expect("conn");
        for d in 0..a.devices {
            let id = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(flowwalk_server::db::schema::users::table)
                .values(&flowwalk_server::accounts::store::user_rows::UserRow {
                    id: id.clone(),
                    username: format!("device{d}"),
                    password_hash: hash.clone(),
                    display_name: format!("体验员{d}"),
                    role: Role::Experiencer,
                    department_id: None,
                    active: true,
                    created_at: flowwalk_server::db::rows::now(),
                    must_change_password: false,
                    demo_password: false,
                })
                .execute(&mut *conn)
                .expect("user");
            ids.push(id);
        }
    }
    let venues = app
        .get("/api/v1/venues", &admin)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap_or_default();
    let assignment: Assignment = app
        .post(
            "/api/v1/assignments",
            Some(&admin),
            &json!({"scenario_id": scenario.id, "venue_id": venues[0]["id"], "observer_ids": ids,
                    "starts_on": "2026-11-01", "ends_on": "2026-12-31", "mode": "in_person"}),
        )
        .await
        .json()
        .await
        .expect("assignment");
    // Each walkthrough's two photos, uploaded beforehand (not timed), so every walkthrough
    // completes on push.
    let photo_count = a.devices * a.walks * 2;
    let photos: Vec<Vec<u8>> = (0..photo_count)
        .map(|i| jpeg(48, 32, 5000 + i as u32))
        .collect();
    for p in &photos {
        let res = app
            .client
            .put(app.url(&format!("/api/v1/photos/{}", hex_sha256(p))))
            .bearer_auth(&admin)
            .body(p.clone())
            .send()
            .await
            .expect("photo");
        assert!(res.status().is_success(), "photo upload {}", res.status());
    }
    let hashes: Vec<String> = photos.iter().map(|p| hex_sha256(p)).collect();
    let mut tokens = Vec::new();
    for d in 0..a.devices {
        tokens.push(app.login(&format!("device{d}"), "bench-password").await);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let records: Vec<Vec<WalkthroughRecord>> = (0..a.devices)
        .map(|d| {
            (0..a.walks)
                .map(|k| {
                    let p1 = hashes[(d * a.walks + k) * 2].clone();
                    let p2 = hashes[(d * a.walks + k) * 2 + 1].clone();
                    walkthrough(
                        &assignment,
                        &scenario,
                        &format!("dev-{d}"),
                        now - 8 * 3_600_000,
                        &[vec![p1], vec![p2], vec![]],
                    )
                })
                .collect()
        })
        .collect();
    assert_eq!(records[0][0].steps.len(), 20);
    assert_eq!(records[0][0].findings.len(), 3);

    // Untimed warm-up, as a phone starts its day: every device pulls at once (this also
    // opens the server's pooled connections).
    let pulls = tokens.iter().map(|t| {
        app.client
            .get(app.url("/api/v1/sync/pull"))
            .bearer_auth(t)
            .send()
    });
    for res in futures_util::future::join_all(pulls).await {
        assert!(
            res.map(|r| r.status().is_success()).unwrap_or(false),
            "warm-up pull"
        );
    }

    // Request bodies are made before the clock starts: the generator shares the machine's
    // two cores with the server, and its own JSON work is not what is measured.
    let device_time = chrono::Utc::now().timestamp_millis();
    let bodies: Vec<Vec<Vec<u8>>> = records
        .iter()
        .enumerate()
        .map(|(d, mine)| {
            mine.iter()
                .map(|rec| {
                    serde_json::to_vec(&json!({"protocol": PROTOCOL_VERSION, "device_id": format!("dev-{d}"),
                        "device_time_ms": device_time,
                        "records": [{"id": rec.id, "rev": rec.rev, "content_hash": rec.content_hash(), "walkthrough": rec}]}))
                    .unwrap_or_default()
                })
                .collect()
        })
        .collect();

    // Timed: every device pushes its walkthroughs one after another, all devices at once.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, mine) in tokens.into_iter().zip(bodies) {
        let client = app.client.clone();
        let url = app.url("/api/v1/sync/push");
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut acked = 0usize;
            for body in mine {
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                if let Ok(res) = res
                    && let Ok(r) = res.json::<PushResponse>().await
                {
                    acked += r
                        .results
                        .iter()
                        .filter(|r| r.status == PushStatus::Accepted)
                        .count();
                }
                latencies.push(t.elapsed());
            }
            (latencies, acked)
        }));
    }
    let mut latencies = Vec::new();
    let mut acked = 0;
    for t in tasks {
        if let Ok((l, n)) = t.await {
            latencies.extend(l);
            acked += n;
        }
    }
    let http_secs = started.elapsed().as_secs_f64();
    latencies.sort();
    let expected = a.devices * a.walks;

    // Checked against the database: every record once, complete.
    let (stored, distinct, complete) = {
        let mut conn = app.db.pool().get().expect("conn");
        let ours = assignment.id.clone();
        let stored: i64 = wr::table
            .filter(wr::assignment_id.eq(&ours))
            .count()
            .get_result(&mut *conn)
            .unwrap_or(-1);
        let distinct: i64 = w::table
            .filter(w::assignment_id.eq(&ours))
            .count()
            .get_result(&mut *conn)
            .unwrap_or(-1);
        let complete: i64 = wr::table
            .filter(wr::assignment_id.eq(&ours))
            .filter(wr::complete.eq(true))
            .count()
            .get_result(&mut *conn)
            .unwrap_or(-1);
        (stored, distinct, complete)
    };
    let lost = expected as i64 - distinct;
    let duplicated = stored - distinct;

    // Baseline: the same rows written directly, one transaction per record, no HTTP.
    let direct_secs = {
        let pool = app.db.pool().clone();
        let rows: Vec<(RevisionRow, Vec<String>)> = records
            .iter()
            .flatten()
            .zip(ids.iter().cycle())
            .map(|(rec, observer)| {
                let mut r = rec.clone();
                r.id = uuid::Uuid::now_v7().to_string();
                let t = flowwalk_server::db::rows::now();
                (
                    RevisionRow {
                        walkthrough_id: r.id.clone(),
                        rev: 1,
                        content_hash: r.content_hash(),
                        observer_id: observer.clone(),
                        device_id: r.device_id.clone(),
                        assignment_id: r.assignment_id.clone(),
                        scenario_version_id: r.scenario_version_id.clone(),
                        body: serde_json::to_string(&r).unwrap_or_default(),
                        started_at: t,
                        ended_at: t,
                        clock_offset_ms: 0,
                        photo_count: 2,
                        complete: true,
                        received_at: t,
                        completed_at: Some(t),
                    },
                    r.photo_hashes(),
                )
            })
            .collect();
        // As many writers as the server has connections, through the same write gate.
        let writers = app.settings.db_pool_size as usize;
        let mut chunks: Vec<Vec<(RevisionRow, Vec<String>)>> =
            (0..writers).map(|_| Vec::new()).collect();
        for (i, row) in rows.into_iter().enumerate() {
            chunks[i % writers].push(row);
        }
        let t = Instant::now();
        let mut handles = Vec::new();
        for chunk in chunks {
            let pool = pool.clone();
            let gate = app.db.gate().clone();
            handles.push(tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().expect("conn");
                for (row, photos) in chunk {
                    gate.tx(&mut conn, |c| -> QueryResult<()> {
                        wt::insert_revision(c, &row, &photos)?;
                        wt::insert(
                            c,
                            &WalkthroughRow {
                                id: row.walkthrough_id.clone(),
                                observer_id: row.observer_id.clone(),
                                assignment_id: row.assignment_id.clone(),
                                latest_rev: 1,
                                status: flowwalk_shared::sync::ReviewStatus::Submitted,
                                review_comment: String::new(),
                                reviewed_by: None,
                                reviewed_at: None,
                                updated_at: row.received_at,
                            },
                        )?;
                        changes::record(
                            c,
                            changes::Change::new(
                                Kind::Review,
                                &row.walkthrough_id,
                                row.received_at,
                            )
                            .for_user(&row.observer_id),
                        )
                    })
                    .expect("direct insert");
                }
            }));
        }
        for h in handles {
            h.await.expect("direct inserts");
        }
        t.elapsed().as_secs_f64()
    };

    let http_rate = expected as f64 / http_secs;
    let direct_rate = expected as f64 / direct_secs;
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    println!();
    println!("== {backend:?}");
    println!(
        "  HTTP push:     {expected} walkthroughs in {http_secs:.2} s = {http_rate:.0} walkthroughs/s"
    );
    println!(
        "  latency:       p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(p50),
        ms(p99),
        ms(*latencies.last().unwrap_or(&Duration::ZERO))
    );
    println!(
        "  acknowledged:  {acked} accepted; database holds {distinct} walkthroughs, {stored} revisions, {complete} complete"
    );
    println!("  lost:          {lost}    duplicated: {duplicated}");
    println!(
        "  direct insert: {expected} in {direct_secs:.2} s = {direct_rate:.0} walkthroughs/s (same rows, no HTTP, {} writers)",
        app.settings.db_pool_size
    );
    println!("  ratio HTTP / direct: {:.2}", http_rate / direct_rate);
    let ok = lost == 0 && duplicated == 0 && acked == expected && complete as usize == expected;
    if !ok {
        println!("  FAILED: records lost, duplicated or not acknowledged");
    }
    ok
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
