//! Test harness: starts the real server on port 0 with a fresh database — a SQLite file in
//! a temporary folder, or a new PostgreSQL database — and speaks HTTP to it.
//!
//! PostgreSQL is found at `FLOWWALK_TEST_PG_URL` (default the local `test` database as user
//! `postgres`); each test creates its own database there and drops it afterwards. When no
//! PostgreSQL answers, the PostgreSQL tests fail saying so: they are never skipped.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use flowwalk_server::db::Db;
use flowwalk_server::{Application, Settings};
use flowwalk_shared::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

pub use flowwalk_server;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body against each backend: `both!(name);` where
/// `async fn name(app: TestApp)` is in scope makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::TestApp::spawn($crate::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::TestApp::spawn($crate::Backend::Postgres).await).await
            }
        }
    )*};
}

pub fn pg_base_url() -> String {
    std::env::var("FLOWWALK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A test database's URL, without TLS unless the URL asks for it: the server is local, and
/// libpq's OpenSSL state torn down at process exit while pool threads still hold
/// connections can crash the test binary after every test passed.
fn local_pg_url(url: &str) -> String {
    if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// Drops the test's PostgreSQL database when the test ends.
struct PgDatabase {
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&local_pg_url(&pg_base_url())) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// The log lines (INFO and above, no colours) every server in this test process writes
/// from the first call on. For tests about what is logged, and at which level.
pub fn captured_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(logs.clone());
        tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .try_init()
            .expect("no other log subscriber in the test process");
        logs
    })
    .clone()
}

/// The captured log lines that contain `marker`.
pub fn log_lines_with(marker: &str) -> Vec<String> {
    let logs = captured_logs();
    let bytes = logs.lock().unwrap_or_else(|p| p.into_inner()).clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| l.contains(marker))
        .map(str::to_owned)
        .collect()
}

/// A benchmark's command-line value: a value that does not parse stops the run with a
/// message, never a silent default.
pub fn bench_arg<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value.parse().unwrap_or_else(|_| {
        eprintln!("{flag} takes a number, not {value:?}");
        std::process::exit(2);
    })
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A number unique within this test process, for unique names and codes.
pub fn unique() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub settings: Settings,
    pub db: Db,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with settings adjusted first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary folder");
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let base = pg_base_url();
                let mut conn = PgConnection::establish(&local_pg_url(&base)).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {base} ({e}). The PostgreSQL half of the \
                         suite needs it: start it, or run the README test command, which starts it."
                    )
                });
                let name = format!("flowwalk_test_{}", uuid::Uuid::now_v7().simple());
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("creating the test database");
                let url = match base.rsplit_once('/') {
                    Some((server, _)) => local_pg_url(&format!("{server}/{name}")),
                    None => panic!("FLOWWALK_TEST_PG_URL must end in /DATABASE"),
                };
                (url, Some(PgDatabase { name }))
            }
        };
        let mut settings = Settings {
            env: "test".into(),
            bind: "127.0.0.1:0".into(),
            database_url: Some(url),
            data_dir: dir.path().to_path_buf(),
            db_pool_size: 4,
            workers: 2,
            // No web app unless a test brings one, wherever the tests run from.
            web_dir: dir.path().join("no-web-app"),
            ..Settings::default()
        };
        adjust(&mut settings);
        let db =
            flowwalk_server::startup::prepare_database(&settings).expect("preparing the database");
        let app = Application::build_with(settings.clone(), db.clone()).expect("building the app");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::new(),
            backend,
            settings,
            db,
            _dir: dir,
            _pg: pg,
        }
    }

    /// Loads the demo data (accounts with `DEMO_PASSWORD`).
    pub fn load_demo(&self) {
        let mut conn = self.db.pool().get().expect("a connection");
        flowwalk_server::demo::load(
            &mut conn,
            &flowwalk_server::issues::service::AuditKey::from_settings(&self.settings),
        )
        .expect("loading demo data");
    }

    /// Creates an account directly in the database.
    pub fn create_user(
        &self,
        username: &str,
        password: &str,
        role: Role,
        department_id: Option<String>,
    ) -> String {
        let mut conn = self.db.pool().get().expect("a connection");
        let account = flowwalk_server::accounts::service::users::prepare(username, password, "")
            .expect("valid account");
        flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::accounts::service::users::insert(c, account, role, department_id)
        })
        .expect("creating a user")
        .id
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("the server answers")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    /// Logs in and returns the whole token answer.
    pub async fn login_full(&self, username: &str, password: &str) -> Value {
        let res = self
            .post(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {username}");
        res.json().await.expect("token JSON")
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        self.login_full(username, password).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// Logs in a demo account.
    pub async fn demo_login(&self, username: &str) -> String {
        self.login(username, flowwalk_server::demo::DEMO_PASSWORD)
            .await
    }
}

/// Reads the body as JSON, asserting the status first (showing the body if it differs).
pub async fn expect_json(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts an error answer: status, stable code and (if given) the field.
pub async fn expect_error(
    res: Response,
    status: StatusCode,
    code: &str,
    field: Option<&str>,
) -> Value {
    let body = expect_json(res, status).await;
    assert_eq!(body["code"], code, "error code; body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message; body: {body}"
    );
    if let Some(f) = field {
        assert_eq!(body["field"], f, "error field; body: {body}");
    }
    body
}

/// Field-data fixtures: walkthrough records and images, shared by the suite and the
/// benchmarks.
pub mod fixtures {
    use flowwalk_shared::api::assignments::Assignment;
    use flowwalk_shared::api::scenarios::Scenario;
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::{
        Commendation, CommendationKind, Finding, GeoPoint, Severity, StepOutcome, StepRecord,
        UnplannedKind, WalkthroughRecord,
    };

    /// A plausible walkthrough of `scenario` for `assignment`, recorded on a device whose
    /// clock reads `start_ms` at the start: one step per template step (each taking
    /// `minutes_per_step`, mostly waiting), an unplanned redirect, and one finding per
    /// photo group.
    pub fn walkthrough(
        assignment: &Assignment,
        scenario: &Scenario,
        device_id: &str,
        start_ms: i64,
        photo_groups: &[Vec<String>],
    ) -> WalkthroughRecord {
        let minute = 60_000;
        let mut t = start_ms;
        let mut steps = Vec::new();
        for (i, s) in scenario.steps.iter().enumerate() {
            let span = 10 * minute;
            steps.push(StepRecord {
                id: format!("s{}", i + 1),
                template_step_id: Some(s.id.clone()),
                unplanned: None,
                name: s.name.clone(),
                started_at_ms: t,
                ended_at_ms: t + span,
                waiting_ms: u64::try_from(7 * minute).unwrap_or(0),
                serving_ms: u64::try_from(3 * minute).unwrap_or(0),
                outcome: StepOutcome::Done,
                rating: Some(Satisfaction::Satisfied),
                note: String::new(),
            });
            t += span;
        }
        steps.push(StepRecord {
            id: "redirect".into(),
            template_step_id: None,
            unplanned: Some(UnplannedKind::RedirectedWindow),
            name: "被指引到 5 号窗口".into(),
            started_at_ms: t,
            ended_at_ms: t + 5 * minute,
            waiting_ms: u64::try_from(4 * minute).unwrap_or(0),
            serving_ms: u64::try_from(minute).unwrap_or(0),
            outcome: StepOutcome::Redirected,
            rating: Some(Satisfaction::Dissatisfied),
            note: "窗口让我去另一个窗口".into(),
        });
        t += 5 * minute;
        let findings = photo_groups
            .iter()
            .enumerate()
            .map(|(i, photos)| Finding {
                id: format!("f{}", i + 1),
                step_id: Some("s1".into()),
                category_id: ["long_queue", "unclear_signage", "too_many_materials"][i % 3].into(),
                severity: Severity::Medium,
                description: format!("问题 {}:取号后等候时间过长", i + 1),
                photos: photos.clone(),
                location: Some(GeoPoint {
                    lat: 31.7788,
                    lon: 119.9741,
                    accuracy_m: Some(12.5),
                }),
            })
            .collect();
        WalkthroughRecord {
            id: uuid::Uuid::now_v7().to_string(),
            rev: 1,
            assignment_id: assignment.id.clone(),
            scenario_version_id: scenario.version_id.clone(),
            device_id: device_id.into(),
            mode: assignment.mode,
            started_at_ms: start_ms,
            ended_at_ms: t,
            steps,
            findings,
            commendations: vec![Commendation {
                id: "c1".into(),
                step_id: Some("s1".into()),
                kind: CommendationKind::Patience,
                note: "窗口人员耐心解释".into(),
            }],
            satisfaction: Satisfaction::BasicallySatisfied,
            smoothness: Smoothness::Average,
            comment: "整体顺利,取号处指引不清".into(),
        }
    }

    /// A JPEG of `w`×`h` with some texture, different for each `seed`.
    pub fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let v = x
                .wrapping_mul(31)
                .wrapping_add(y.wrapping_mul(17))
                .wrapping_add(seed.wrapping_mul(97));
            image::Rgb([
                (v % 251) as u8,
                ((x ^ y) % 253) as u8,
                ((v / 7) % 255) as u8,
            ])
        });
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        if enc.encode_image(&img).is_err() {
            return Vec::new();
        }
        out
    }

    /// The GPS latitude written into [`with_exif`] segments, to look for in outputs.
    pub const GPS_MARKER: &[u8] = b"FLOWWALK-GPS-31.7788N";

    /// Inserts an EXIF APP1 segment (orientation and GPS tags, plus a marker text) right
    /// after the JPEG's SOI.
    pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        // TIFF, little endian: IFD0 with Orientation and a GPS IFD pointer; the GPS IFD
        // with a latitude reference and a processing-method text holding the marker.
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend_from_slice(&8u32.to_le_bytes());
        let ifd0_entries = 2u16;
        let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
        let gps_ifd_offset = 8 + ifd0_len;
        tiff.extend_from_slice(&ifd0_entries.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&gps_ifd_offset.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        let gps_entries = 2u16;
        let gps_len = 2 + 12 * u32::from(gps_entries) + 4;
        let text_offset = gps_ifd_offset + gps_len;
        tiff.extend_from_slice(&gps_entries.to_le_bytes());
        tiff.extend_from_slice(&0x0001u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&2u32.to_le_bytes());
        tiff.extend_from_slice(b"N\0\0\0");
        tiff.extend_from_slice(&0x001Bu16.to_le_bytes());
        tiff.extend_from_slice(&7u16.to_le_bytes());
        tiff.extend_from_slice(&u32::try_from(GPS_MARKER.len()).unwrap_or(0).to_le_bytes());
        tiff.extend_from_slice(&text_offset.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(GPS_MARKER);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = u16::try_from(app1.len() + 2).unwrap_or(u16::MAX);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// Whether a JPEG carries any metadata segment (APP1–APP15 or a comment).
    pub fn has_metadata_segments(jpeg: &[u8]) -> bool {
        let mut i = 2;
        while i + 4 <= jpeg.len() {
            if jpeg[i] != 0xFF {
                return true; // not a clean marker sequence: treat as suspicious
            }
            let marker = jpeg[i + 1];
            if marker == 0xDA {
                return false; // start of scan: headers are over
            }
            if (0xE1..=0xEF).contains(&marker) || marker == 0xFE {
                return true;
            }
            let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
            i += 2 + len;
        }
        false
    }
}

/// Issues in any state, made through the server's own service layer (the same calls the
/// routes make), for the suite and the access walk.
pub mod issue_fixtures {
    use chrono::NaiveDateTime;
    use flowwalk_server::auth::AuthUser;
    use flowwalk_server::error::AppError;
    use flowwalk_server::issues::service::workflow::{Command, act};
    use flowwalk_server::issues::service::{AuditKey, NewIssue, NewOccurrence, Recorded};
    use flowwalk_server::issues::store::issue_rows::IssueRow;
    use flowwalk_shared::api::issues::{
        Constituency, IssueSource, IssueState, PanelMemberInput, RoutedBy, TriageDecision,
    };
    use flowwalk_shared::walkthrough::Severity;

    use crate::{TestApp, unique};

    /// The demo's people as the workflow knows them, and where their issues live.
    pub struct Cast {
        pub key: AuditKey,
        pub venue: String,
        /// The demo officer's department (market regulation).
        pub department: String,
        /// Another department (tax), for transfers.
        pub other_department: String,
        pub manager: AuthUser,
        pub officer: AuthUser,
        /// The acceptance panel: service office, a tax window representative, a citizen.
        pub panel: Vec<(AuthUser, Constituency)>,
    }

    pub fn auth_user(app: &TestApp, username: &str) -> AuthUser {
        let mut conn = app.db.pool().get().expect("a connection");
        let u = flowwalk_server::accounts::store::user_rows::find_by_username(&mut conn, username)
            .expect("a query")
            .unwrap_or_else(|| panic!("no account {username}"));
        AuthUser {
            role: u.role,
            id: u.id,
            username: u.username,
            department_id: u.department_id,
        }
    }

    /// The cast of a database with the demo data loaded.
    pub fn cast(app: &TestApp) -> Cast {
        let mut conn = app.db.pool().get().expect("a connection");
        let venue = flowwalk_server::reference::store::venue_rows::find_by_code(
            &mut conn,
            "tianning-district-center",
        )
        .expect("a query")
        .expect("the demo venue")
        .id;
        let other_department =
            flowwalk_server::reference::store::department_rows::find_by_code(&mut conn, "tax")
                .expect("a query")
                .expect("the demo department")
                .id;
        drop(conn);
        let officer = auth_user(app, "officer");
        Cast {
            key: AuditKey::from_settings(&app.settings),
            venue,
            department: officer.department_id.clone().expect("a department"),
            other_department,
            manager: auth_user(app, "manager"),
            officer,
            panel: vec![
                (auth_user(app, "panel"), Constituency::ServiceOffice),
                (auth_user(app, "panel_window"), Constituency::WindowRep),
                (auth_user(app, "panel_citizen"), Constituency::CitizenPatrol),
            ],
        }
    }

    /// A new issue raised by `observer`, routed to the cast's department.
    pub fn new_issue(app: &TestApp, c: &Cast, observer: &AuthUser, at: NaiveDateTime) -> String {
        let n = unique();
        let new = NewIssue {
            source: IssueSource::Walkthrough,
            source_key: None,
            merge_key: Some(format!("test|{n}")),
            venue_id: c.venue.clone(),
            category_id: Some("long_queue".into()),
            scenario_id: None,
            step_name: "窗口受理".into(),
            department_id: c.department.clone(),
            routed_by: RoutedBy::Step,
            title: format!("排队时间太长 · 窗口受理 {n}"),
            description: "取号后等候超过一小时".into(),
            occurrence: NewOccurrence {
                source_ref: format!("test:{n}"),
                walkthrough_id: None,
                observer_id: Some(observer.id.clone()),
                severity: Severity::Medium,
                description: "取号后等候超过一小时".into(),
                photos: vec![],
                seen_at: at,
            },
        };
        let mut conn = app.db.pool().get().expect("a connection");
        match flowwalk_server::db::write_tx(&mut conn, |db| {
            flowwalk_server::issues::service::record(db, &c.key, &new, at)
        })
        .expect("recording an issue")
        {
            Recorded::Created(row) => row.id,
            other => panic!("expected a new issue, got {other:?}"),
        }
    }

    /// The issue's version and state.
    pub fn version(app: &TestApp, id: &str) -> (i32, IssueState) {
        let mut conn = app.db.pool().get().expect("a connection");
        let row = flowwalk_server::issues::store::issue_rows::get(&mut conn, id)
            .expect("a query")
            .expect("the issue");
        (row.version, row.status)
    }

    /// One command through the service layer, at the issue's current version.
    pub fn run(
        app: &TestApp,
        c: &Cast,
        who: &AuthUser,
        id: &str,
        cmd: Command,
        at: NaiveDateTime,
    ) -> Result<IssueRow, AppError> {
        let (v, _) = version(app, id);
        let mut conn = app.db.pool().get().expect("a connection");
        flowwalk_server::db::write_tx(&mut conn, |db| act(db, &c.key, who, id, v, cmd, at))
    }

    pub fn members(c: &Cast) -> Vec<PanelMemberInput> {
        c.panel
            .iter()
            .map(|(u, k)| PanelMemberInput {
                user_id: u.id.clone(),
                constituency: *k,
            })
            .collect()
    }

    pub fn triage(d: TriageDecision) -> Command {
        Command::Triage {
            decision: d,
            reason: "核实情况".into(),
            department_id: None,
            severity: None,
        }
    }

    pub fn evidence() -> Command {
        Command::SubmitEvidence {
            note: "已增设叫号屏并公示预计等候时间".into(),
            photos: vec![],
            client_id: None,
        }
    }

    /// An issue raised by `observer` and driven to `state`.
    pub fn issue_in(
        app: &TestApp,
        c: &Cast,
        state: IssueState,
        observer: &AuthUser,
        at: NaiveDateTime,
    ) -> String {
        let id = new_issue(app, c, observer, at);
        let m = &c.manager;
        let step = |who: &AuthUser, cmd: Command| {
            run(app, c, who, &id, cmd, at).unwrap_or_else(|e| panic!("driving to {state}: {e}"));
        };
        let accept = || Command::Acceptance {
            accept: true,
            reason: String::new(),
        };
        match state {
            IssueState::New => {}
            IssueState::Dismissed => step(m, triage(TriageDecision::Dismiss)),
            IssueState::Appealed => {
                step(m, triage(TriageDecision::Dismiss));
                step(
                    observer,
                    Command::Appeal {
                        note: "情况属实,有照片".into(),
                    },
                );
            }
            IssueState::Explained => step(m, triage(TriageDecision::Explain)),
            IssueState::FixNow => step(m, triage(TriageDecision::FixNow)),
            IssueState::FixNowReview => {
                step(m, triage(TriageDecision::FixNow));
                step(&c.officer, evidence());
            }
            IssueState::Ledger => {
                step(m, triage(TriageDecision::Ledger));
                step(
                    m,
                    Command::FormPanel {
                        members: members(c),
                    },
                );
            }
            IssueState::PanelReview => {
                step(m, triage(TriageDecision::Ledger));
                step(
                    m,
                    Command::FormPanel {
                        members: members(c),
                    },
                );
                step(&c.officer, evidence());
            }
            IssueState::SignedOff | IssueState::Closed | IssueState::Reopened => {
                step(m, triage(TriageDecision::FixNow));
                step(&c.officer, evidence());
                step(m, accept());
                if state == IssueState::Closed {
                    step(
                        observer,
                        Command::Recheck {
                            satisfied: true,
                            note: String::new(),
                        },
                    );
                }
                if state == IssueState::Reopened {
                    step(
                        observer,
                        Command::Recheck {
                            satisfied: false,
                            note: "仍需排队".into(),
                        },
                    );
                }
            }
        }
        assert_eq!(version(app, &id).1, state);
        id
    }
}
