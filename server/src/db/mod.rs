//! One connection type for SQLite and PostgreSQL, its pool, migrations and transactions.
//!
//! The backend is chosen by the scheme of the database URL. Everything backend-specific
//! (connection set-up, migrations, write transactions) lives in this module; queries
//! elsewhere are written once for both.

pub mod schema;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

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
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
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
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        let result = f(conn);
        let DbConnection::Sqlite(c) = conn else {
            unreachable!("the variant cannot change inside the closure")
        };
        return match result {
            Ok(v) => match AnsiTransactionManager::commit_transaction(c) {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    Err(e.into())
                }
            },
            Err(e) => {
                AnsiTransactionManager::rollback_transaction(c)?;
                Err(e)
            }
        };
    }
    conn.transaction(f)
}

/// The handle request handlers use: runs blocking database work on actix's blocking
/// thread pool, never on the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Self {
        Db { pool }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Reads (or single-statement writes) outside an explicit transaction.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
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
        self.read(move |conn| write_tx(conn, f)).await
    }
}

/// Serialises writers of the `changes` log so that sequence numbers commit in order and a
/// pull can never step over a change that commits later. SQLite's writers are serialised
/// already; PostgreSQL takes a transaction-scoped advisory lock.
pub fn lock_changes(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Postgresql(c) => c.batch_execute("SELECT pg_advisory_xact_lock(7270002)"),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// Serialises a walkthrough's completeness check with the arrival of its photos, per photo
/// hash (in sorted order, so two transactions never wait on each other in a cycle).
pub fn lock_photos(conn: &mut DbConnection, hashes: &[String]) -> diesel::QueryResult<()> {
    let DbConnection::Postgresql(c) = conn else { return Ok(()) };
    let mut keys: Vec<i64> = hashes
        .iter()
        .map(|h| {
            let prefix = h.get(..15).unwrap_or("0");
            i64::from_str_radix(prefix, 16).unwrap_or(0)
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        // The key is a number computed here, never client text.
        c.batch_execute(&format!("SELECT pg_advisory_xact_lock(7270003, {})", key % 2_147_483_647))?;
    }
    Ok(())
}
