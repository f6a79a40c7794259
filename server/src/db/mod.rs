//! One connection type for SQLite and PostgreSQL, its pool, migrations and transactions.
//!
//! The backend is chosen by the scheme of the database URL. Everything backend-specific
//! (connection set-up, migrations, write transactions) lives in this module; queries
//! elsewhere are written once for both.

pub mod changes;
pub mod cursor;
pub mod rows;
pub mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use sha2::Digest;

use crate::error::AppError;

/// A connection to either backend. PostgreSQL comes first: `establish` tries variants in
/// order and SQLite would accept any string.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed database URL: the backend and what its driver wants to be given.
#[derive(Debug, Clone)]
pub struct DbUrl {
    pub backend: Backend,
    pub target: String,
}

impl DbUrl {
    /// `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a
    /// bare path → SQLite file.
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return DbUrl {
                backend: Backend::Postgres,
                target: url.to_owned(),
            };
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        DbUrl {
            backend: Backend::Sqlite,
            target: path.to_owned(),
        }
    }
}

/// Opens connections of the configured backend and prepares each one.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let conn = match self.url.backend {
            Backend::Postgres => DbConnection::Postgresql(
                PgConnection::establish(&self.url.target).map_err(r2d2::Error::ConnectionError)?,
            ),
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(&self.url.target)
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the writer; the busy timeout makes writers
                // queue instead of failing; foreign keys are off in SQLite unless asked.
                // synchronous = FULL: a commit is on disk before it is acknowledged, so a
                // power cut cannot take back what a phone was told is stored (NORMAL would).
                // PostgreSQL's default synchronous_commit gives the same.
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(|e| {
                    r2d2::Error::ConnectionError(ConnectionError::BadConnection(e.to_string()))
                })?;
                DbConnection::Sqlite(c)
            }
        };
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection handed back mid-transaction (after a panic) must not be reused.
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// Builds the pool; for SQLite creates the file's folder first.
pub fn pool(url: &DbUrl, size: u32) -> anyhow::Result<Pool> {
    if url.backend == Backend::Sqlite
        && url.target != ":memory:"
        && let Some(dir) = Path::new(&url.target)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data folder {}", dir.display()))?;
    }
    r2d2::Pool::builder()
        .max_size(size)
        // Grow on demand: tests start hundreds of servers, production one.
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url: url.clone() })
        .with_context(|| format!("opening the {:?} database", url.backend))
}

/// Runs pending migrations of the connection's backend; returns how many ran.
/// On PostgreSQL an advisory lock keeps several servers starting at once from racing.
pub fn migrate(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let ran = match conn {
        DbConnection::Postgresql(c) => {
            c.batch_execute("SELECT pg_advisory_lock(7270001)")
                .context("locking migrations")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            c.batch_execute("SELECT pg_advisory_unlock(7270001)")
                .context("unlocking migrations")?;
            result
        }
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    ran.map_err(|e| anyhow::anyhow!("running migrations: {e}"))
}

/// Runs `f` in one write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so that
/// concurrent writers wait on the busy timeout instead of failing when a read lock cannot
/// be upgraded; on PostgreSQL it is an ordinary transaction.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if let DbConnection::Sqlite(_) = conn {
        begin_write(conn)?;
        return match f(conn) {
            Ok(v) => commit(conn).map(|()| v).map_err(E::from),
            Err(e) => {
                rollback(conn)?;
                Err(e)
            }
        };
    }
    conn.transaction(f)
}

/// Opens a write transaction by hand, for work that must hold it across an await (orphan
/// cleanup deletes a photo's files while its lock is held): `BEGIN IMMEDIATE` on SQLite,
/// `BEGIN` on PostgreSQL. End it with [`commit`] or [`rollback`]; a connection dropped
/// inside one is discarded by the pool, never reused.
pub fn begin_write(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

/// Commits a transaction opened with [`begin_write`] (rolled back if the commit fails).
pub fn commit(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    let result = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        DbConnection::Postgresql(c) => AnsiTransactionManager::commit_transaction(c),
    };
    if result.is_err() {
        let _ = rollback(conn);
    }
    result
}

/// Rolls back a transaction opened with [`begin_write`].
pub fn rollback(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConnection::Postgresql(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}

/// Serialises one process's write transactions on SQLite, which allows one writer at a
/// time anyway: waiting on a mutex costs microseconds, waiting in SQLite's busy handler
/// costs sleeps of milliseconds. PostgreSQL writers run in parallel (no gate).
#[derive(Clone, Default)]
pub struct WriteGate(Option<Arc<Mutex<()>>>);

impl WriteGate {
    pub fn for_backend(backend: Backend) -> WriteGate {
        WriteGate((backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))))
    }

    /// [`write_tx`], one at a time where the backend wants that.
    pub fn tx<T, E>(
        &self,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        // A poisoned gate only means another writer panicked; the database rolled back.
        let _turn = self
            .0
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()));
        write_tx(conn, f)
    }
}

/// The handle request handlers use: runs blocking database work on actix's blocking
/// thread pool, never on the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    gate: WriteGate,
    /// As many blocking tasks as connections: the rest wait here, asleep, instead of as
    /// threads contending for the pool.
    slots: Arc<tokio::sync::Semaphore>,
}

impl Db {
    pub fn new(pool: Pool, backend: Backend) -> Self {
        let slots = Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize));
        Db {
            pool,
            gate: WriteGate::for_backend(backend),
            slots,
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn gate(&self) -> &WriteGate {
        &self.gate
    }

    /// Reads (or single-statement writes) outside an explicit transaction.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _slot = self.slots.acquire().await.map_err(AppError::pool)?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(AppError::pool)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// One request's writes, all or nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let gate = self.gate.clone();
        self.read(move |conn| gate.tx(conn, f)).await
    }
}

/// Advisory-lock keys (PostgreSQL): the first of the two 32-bit halves names the purpose.
const LOCK_REFERENCE_CHANGES: i32 = 7_270_002;
const LOCK_USER_CHANGES: i32 = 7_270_004;
const LOCK_PHOTO: i32 = 7_270_003;
const LOCK_SURVEY_ADDRESS: i32 = 7_270_030;
const LOCK_RATE_LIMIT: i32 = 7_270_005;
const LOCK_AUDIT: i32 = 7_270_011;
const LOCK_ISSUE_MERGE: i32 = 7_270_012;

/// A stable 32-bit key for a text id.
fn lock_key(id: &str) -> i32 {
    let d = sha2::Sha256::digest(id.as_bytes());
    i32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Makes writers of the `changes` log commit their sequence numbers in order, as far as a
/// reader can tell: a change scoped to one user takes that user's lock, any other change
/// the reference-data lock; [`lock_for_pull`] waits on both, so a pull never steps over a
/// change that commits after it. SQLite's writers are serialised already.
pub fn lock_changes(conn: &mut DbConnection, user: Option<&str>) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    // The keys are numbers computed here, never client text.
    match user {
        Some(u) => c.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({LOCK_USER_CHANGES}, {})",
            lock_key(u)
        )),
        None => c.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({LOCK_REFERENCE_CHANGES}, 0)"
        )),
    }
}

/// Inside a pull's transaction: wait for in-flight changes that the pull could miss.
pub fn lock_for_pull(conn: &mut DbConnection, user: &str) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    c.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock_shared({LOCK_REFERENCE_CHANGES}, 0); \
         SELECT pg_advisory_xact_lock_shared({LOCK_USER_CHANGES}, {})",
        lock_key(user)
    ))
}

/// Serialises a walkthrough's completeness check with the arrival of its photos, per photo
/// hash (in sorted order, so two transactions never wait on each other in a cycle).
pub fn lock_photos(conn: &mut DbConnection, hashes: &[String]) -> diesel::QueryResult<()> {
    lock_photos_then_user(conn, hashes, None)
}

/// Takes the photo's lock if nobody holds it (PostgreSQL, until the transaction ends);
/// false if somebody does. On SQLite the write transaction is the lock: always true.
pub fn try_lock_photo(conn: &mut DbConnection, sha: &str) -> diesel::QueryResult<bool> {
    use diesel::RunQueryDsl;
    let DbConnection::Postgresql(c) = conn else {
        return Ok(true);
    };
    // The key is a number computed here, never client text.
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "pg_try_advisory_xact_lock({LOCK_PHOTO}, {})",
        lock_key(sha)
    )))
    .get_result(c)
}

/// A push's locks in one round trip: its photos (as [`lock_photos`]), then the observer's
/// change log (as [`lock_changes`]) — the order every writer takes them in.
pub fn lock_photos_then_user(
    conn: &mut DbConnection,
    hashes: &[String],
    user: Option<&str>,
) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    let mut keys: Vec<i32> = hashes.iter().map(|h| lock_key(h)).collect();
    keys.sort_unstable();
    keys.dedup();
    // The statements run in the (sorted) order given.
    let mut sql: String = keys
        .iter()
        .map(|key| format!("SELECT pg_advisory_xact_lock({LOCK_PHOTO}, {key});"))
        .collect();
    if let Some(u) = user {
        sql.push_str(&format!(
            "SELECT pg_advisory_xact_lock({LOCK_USER_CHANGES}, {});",
            lock_key(u)
        ));
    }
    if sql.is_empty() {
        return Ok(());
    }
    c.batch_execute(&sql)
}

/// Serialises one client address's survey submissions (the rate limit's count and insert).
/// SQLite's writers are serialised already.
pub fn lock_survey_bucket(conn: &mut DbConnection, bucket: &str) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    // The key is a number computed here, never client text.
    c.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({LOCK_SURVEY_ADDRESS}, {})",
        lock_key(bucket)
    ))
}

/// Serialises attempts on the same rate-limit buckets (PostgreSQL; SQLite's writers are
/// serialised already), so that a burst of simultaneous attempts is counted exactly.
pub fn lock_buckets(conn: &mut DbConnection, buckets: &[&str]) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    let mut keys: Vec<i32> = buckets.iter().map(|b| lock_key(b)).collect();
    keys.sort_unstable();
    keys.dedup();
    let sql: String = keys
        .iter()
        .map(|key| format!("SELECT pg_advisory_xact_lock({LOCK_RATE_LIMIT}, {key});"))
        .collect();
    if sql.is_empty() {
        return Ok(());
    }
    c.batch_execute(&sql)
}
/// Makes appends to the audit chain one at a time (each entry needs the hash of the one
/// before). SQLite's writers are serialised already.
pub fn lock_audit(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    c.batch_execute(&format!("SELECT pg_advisory_xact_lock({LOCK_AUDIT}, 0)"))
}

/// Serialises creating or merging into the issue of one merge key (venue, category,
/// scenario step), so two walkthroughs accepted at once cannot both create it.
pub fn lock_merge_key(conn: &mut DbConnection, key: &str) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(());
    };
    c.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({LOCK_ISSUE_MERGE}, {})",
        lock_key(key)
    ))
}
