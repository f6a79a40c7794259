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

/// Drops the test's PostgreSQL database when the test ends.
struct PgDatabase {
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&pg_base_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
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
                let mut conn = PgConnection::establish(&base).unwrap_or_else(|e| {
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
                    Some((server, _)) => format!("{server}/{name}"),
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
        flowwalk_server::demo::load(&mut conn).expect("loading demo data");
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
        let account =
            flowwalk_server::users::prepare(username, password, "").expect("valid account");
        flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::users::insert(c, account, role, department_id)
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
