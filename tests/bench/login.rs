//! Login benchmark: what password hashing costs the server under a burst.
//!
//! The server runs in a child process of its own (this binary, `--serve`), so its memory
//! is measured alone: peak resident memory (VmHWM) for 300 simultaneous failed logins from
//! one address (the rate limit's case) and from 300 addresses (every one hashed), then the
//! rate of successful logins over HTTP against the same hashing done directly, without
//! HTTP, in the same run.
//!
//! cargo run --release -p flowwalk-tests --bin bench-login -- [--burst 300] [--logins 200]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use flowwalk_server::Settings;
use flowwalk_shared::Role;
use serde_json::json;

const PASSWORD: &str = "bench-password-1";
const ACCOUNTS: usize = 20;

struct Args {
    burst: usize,
    logins: usize,
}

fn args() -> Args {
    let mut a = Args {
        burst: 300,
        logins: 200,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--burst" => a.burst = flowwalk_tests::bench_arg("--burst", &value),
            "--logins" => a.logins = flowwalk_tests::bench_arg("--logins", &value),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    a
}

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        env: "test".into(),
        bind: "127.0.0.1:0".into(),
        database_url: Some(format!("sqlite://{}", dir.join("bench.db").display())),
        data_dir: dir.to_path_buf(),
        web_dir: dir.join("no-web-app"),
        // Each simulated client sends its address as a proxy would.
        trust_proxy_headers: true,
        login_max_failures_per_account: 1_000_000,
        ..Settings::default()
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--serve") {
        serve(std::path::Path::new(&argv[2]));
        return;
    }
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(bench(a));
}

/// The child: the real server on SQLite, its port printed on the first line.
fn serve(dir: &std::path::Path) {
    let settings = settings(dir);
    actix_web::rt::System::new().block_on(async move {
        let app = flowwalk_server::Application::build(settings).expect("building the server");
        println!("{}", app.port());
        let _ = app.run_until_stopped().await;
    });
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let exe = std::env::current_exe().expect("this binary");
        let mut child = Command::new(exe)
            .arg("--serve")
            .arg(dir)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("its port");
        Server {
            base: format!("http://127.0.0.1:{}", line.trim()),
            child,
        }
    }

    /// (resident now, peak resident) in MB, from /proc.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh database with the bench accounts.
fn prepare(dir: &std::path::Path) {
    let db = flowwalk_server::startup::prepare_database(&settings(dir)).expect("the database");
    let mut conn = db.pool().get().expect("a connection");
    for i in 0..ACCOUNTS {
        let account =
            flowwalk_server::accounts::service::users::prepare(&format!("bench{i}"), PASSWORD, "")
                .expect("an account");
        flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::accounts::service::users::insert(c, account, Role::Experiencer, None)
        })
        .expect("creating an account");
    }
}

/// `n` logins at once; the status counts.
async fn burst(
    client: &reqwest::Client,
    base: &str,
    n: usize,
    address: impl Fn(usize) -> String,
) -> Vec<(u16, usize)> {
    let requests = (0..n).map(|i| {
        client
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", address(i))
            .json(&json!({"username": format!("bench{}", i % ACCOUNTS), "password": "wrong-password"}))
            .send()
    });
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for res in futures_util::future::join_all(requests).await {
        let status = res.map_or(0, |r| r.status().as_u16());
        match counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, c)) => *c += 1,
            None => counts.push((status, 1)),
        }
    }
    counts.sort_unstable();
    counts
}

fn show(counts: &[(u16, usize)]) -> String {
    counts
        .iter()
        .map(|(s, c)| {
            format!(
                "{c}×{}",
                if *s == 0 {
                    "no answer".into()
                } else {
                    s.to_string()
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn bench(a: Args) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.burst)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("a client");
    println!(
        "login benchmark: server in its own process (SQLite), {} password-hashing slots",
        Settings::default().hash_slots()
    );

    for (label, one_address) in [("one address", true), ("300 addresses", false)] {
        let dir = tempfile::tempdir().expect("a folder");
        prepare(dir.path());
        let server = Server::start(dir.path());
        let (idle, _) = server.memory();
        let started = Instant::now();
        let counts = burst(&client, &server.base, a.burst, |i| {
            if one_address {
                "203.0.113.1".to_owned()
            } else {
                format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)
            }
        })
        .await;
        let took = started.elapsed();
        let (after, peak) = server.memory();
        println!(
            "{} simultaneous failed logins from {label}: {} in {:.2} s; resident {idle:.0} MB idle, \
             peak {peak:.0} MB, {after:.0} MB after",
            a.burst,
            show(&counts),
            took.as_secs_f64()
        );
        if peak > 200.0 {
            println!("  peak above the 200 MB aim");
        }
    }

    // The rate of successful logins over HTTP…
    let dir = tempfile::tempdir().expect("a folder");
    prepare(dir.path());
    let server = Server::start(dir.path());
    let started = Instant::now();
    let mut ok = 0usize;
    let mut other = Vec::new();
    let concurrency = 16;
    for chunk in (0..a.logins).collect::<Vec<_>>().chunks(concurrency) {
        let requests = chunk.iter().map(|i| {
            client
                .post(format!("{}/api/v1/auth/login", server.base))
                .header("x-forwarded-for", format!("10.9.{}.{}", i / 256, i % 256))
                .json(&json!({"username": format!("bench{}", i % ACCOUNTS), "password": PASSWORD}))
                .send()
        });
        for res in futures_util::future::join_all(requests).await {
            match res.map(|r| r.status().as_u16()) {
                Ok(200) => ok += 1,
                Ok(s) => other.push(s),
                Err(_) => other.push(0),
            }
        }
    }
    let http = started.elapsed();
    let (_, peak) = server.memory();
    drop(server);
    // …against the same hashing without HTTP: one verification per slot at a time.
    let hash = flowwalk_server::auth::password::hash(PASSWORD).expect("a hash");
    let slots = Settings::default().hash_slots();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..slots {
            let hash = &hash;
            let n = a.logins / slots + usize::from(t < a.logins % slots);
            s.spawn(move || {
                for _ in 0..n {
                    assert!(flowwalk_server::auth::password::verify(hash, PASSWORD));
                }
            });
        }
    });
    let direct = started.elapsed();
    let http_rate = ok as f64 / http.as_secs_f64();
    let direct_rate = a.logins as f64 / direct.as_secs_f64();
    println!(
        "{} logins, {concurrency} at a time: {ok} succeeded{} in {:.2} s = {http_rate:.1}/s over HTTP \
         (peak {peak:.0} MB); the same hashing without HTTP: {:.2} s = {direct_rate:.1}/s; \
         HTTP reaches {:.0}% of the bare hashing rate",
        a.logins,
        if other.is_empty() {
            String::new()
        } else {
            format!(" (others: {other:?})")
        },
        http.as_secs_f64(),
        direct.as_secs_f64(),
        100.0 * http_rate / direct_rate
    );
}
