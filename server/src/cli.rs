//! The command line: serve, migrate, create users, load demo data, import reference data.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use flowwalk_shared::Role;

use crate::accounts::service::users;
use crate::config::Settings;
use crate::demo;
use crate::issues::service::AuditKey;
use crate::issues::service::audit::Acting;
use crate::reference::service::reference_import;
use crate::startup::{Application, prepare_database};

#[derive(Debug, Parser)]
#[command(
    name = "flowwalk",
    version,
    about = "走流程 — walk government service flows as citizens do"
)]
pub struct Cli {
    /// A TOML configuration file (default: ./flowwalk.toml if present).
    #[arg(long, global = true, env = "FLOWWALK_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrations run first).
    Serve {
        /// Load the demo data first (skipped if already loaded) and print the demo accounts.
        #[arg(long)]
        demo: bool,
        /// Serve even while an active account still has the printed demo password (which a
        /// server without `--demo` otherwise refuses).
        #[arg(long)]
        allow_demo_password: bool,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load demo venues, departments, scenarios, accounts and assignments.
    Demo,
    /// Import reference data from a CSV file, or paper questionnaires (CSV or XLSX) into a
    /// campaign; nothing is imported if any row is bad.
    Import {
        kind: ImportKind,
        file: PathBuf,
        /// The campaign's code (`survey` imports only).
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Remove orphan photos and expired rate-limit rows once (servers do it periodically).
    Maintenance,
    /// The issues' audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Flag overdue issues and remind near deadlines now (the server does it every 5 min).
    Sweep,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; name every entry changed, removed or inserted. Exits
    /// non-zero if anything is wrong.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Department code (department officers only).
        #[arg(long)]
        department: Option<String>,
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// Deactivate an account: its tokens and logins are refused from now on; its records
    /// stay.
    Deactivate { username: String },
    /// Let a deactivated account log in again.
    Activate { username: String },
    /// Set an account's password. Without `--password`: a one-time password is printed,
    /// which must be replaced at the next login.
    Passwd {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    Venues,
    Departments,
    /// Paper questionnaires into the campaign given by `--campaign`.
    Survey,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {s:?}; one of {}", all.join(", "))
    })
}

/// Where the server is reached, for printed links: the configured public address, else the
/// bind address (a wildcard bind printed as 127.0.0.1).
fn public_base(settings: &Settings) -> String {
    let configured = settings.public_url.trim().trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_owned();
    }
    let bind = settings.bind.replace("0.0.0.0", "127.0.0.1");
    format!("http://{bind}")
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            demo: with_demo,
            allow_demo_password,
        } => serve(settings, with_demo, allow_demo_password),
        Command::Migrate => migrate(&settings),
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    password,
                    role,
                    department,
                    display_name,
                },
        } => create_user(
            &settings,
            username,
            password,
            role,
            department,
            display_name,
        ),
        Command::User {
            command: UserCommand::Deactivate { username },
        } => set_active(&settings, &username, false),
        Command::User {
            command: UserCommand::Activate { username },
        } => set_active(&settings, &username, true),
        Command::User {
            command: UserCommand::Passwd { username, password },
        } => set_password(&settings, &username, password),
        Command::Demo => load_demo(&settings),
        Command::Audit {
            command: AuditCommand::Verify,
        } => verify_audit(&settings),
        Command::Sweep => sweep_now(&settings),
        Command::Maintenance => maintain(&settings),
        Command::Import {
            kind,
            file,
            campaign,
        } => import_file(&settings, kind, file, campaign),
    }
}

fn serve(settings: Settings, with_demo: bool, allow_demo_password: bool) -> anyhow::Result<()> {
    let db = prepare_database(&settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    if with_demo {
        demo::print(&demo::load(&mut conn, &AuditKey::from_settings(&settings))?);
    } else if !allow_demo_password {
        let demo_accounts =
            users::with_demo_password(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
        if !demo_accounts.is_empty() {
            bail!(
                "these active accounts still have the printed demo password: {}. Set their \
                 passwords (`flowwalk user passwd USERNAME`) or deactivate them \
                 (`flowwalk user deactivate USERNAME`); `serve --demo` or `serve \
                 --allow-demo-password` serves anyway",
                demo_accounts.join(", ")
            );
        }
    }
    drop(conn);
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build_with(settings.clone(), db)?;
        let host = settings
            .bind
            .rsplit_once(':')
            .map_or("127.0.0.1", |(h, _)| h)
            .to_owned();
        tracing::info!("flowwalk listening on http://{host}:{}", app.port());
        println!(
            "flowwalk: http://{host}:{}/  (API docs: /api/docs/)",
            app.port()
        );
        if with_demo {
            let host = if host == "0.0.0.0" {
                "127.0.0.1"
            } else {
                host.as_str()
            };
            let base = if settings.public_url.trim().is_empty() {
                format!("http://{host}:{}", app.port())
            } else {
                public_base(&settings)
            };
            demo::print_links(&base);
        }
        app.run_until_stopped().await.context("serving")
    })
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database();
    let pool = crate::db::pool(&url, 1)?;
    let mut conn = pool.get().context("connecting to the database")?;
    let ran = crate::db::migrate(&mut conn)?;
    crate::reference::service::categories::seed_defaults(&mut conn)
        .map_err(|e| anyhow::anyhow!("seeding problem categories: {e}"))?;
    println!(
        "{ran} migration(s) applied to the {:?} database",
        url.backend
    );
    Ok(())
}

fn create_user(
    settings: &Settings,
    username: String,
    password: String,
    role: Role,
    department: Option<String>,
    display_name: String,
) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let department_id = match department {
        Some(code) => {
            match crate::reference::service::departments::find_by_code(&mut conn, &code)
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Some(d) => Some(d.id),
                None => bail!("no department with code {code:?}"),
            }
        }
        None => None,
    };
    let account =
        users::prepare(&username, &password, &display_name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = AuditKey::from_settings(settings);
    let by = Acting::command_line(&key);
    let user = crate::db::write_tx(&mut conn, |c| {
        users::create(c, &by, account, role, department_id)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created {} ({}) with id {}",
        user.username, user.role, user.id
    );
    Ok(())
}

fn set_active(settings: &Settings, username: &str, active: bool) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let key = AuditKey::from_settings(settings);
    let by = Acting::command_line(&key);
    let user = crate::db::write_tx(&mut conn, |c| users::set_active(c, &by, username, active))
        .map_err(|e| anyhow::anyhow!("{username}: {e}"))?;
    let state = if user.active { "active" } else { "deactivated" };
    println!("{} is {state}", user.username);
    Ok(())
}

fn set_password(
    settings: &Settings,
    username: &str,
    password: Option<String>,
) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let user = users::find_by_username(&mut conn, username)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("no account {username:?}"))?;
    let one_time = password.is_none();
    let password = match password {
        Some(p) => {
            flowwalk_shared::validate::password("password", &user.username, &p)
                .map_err(|e| anyhow::anyhow!("{}", e.en))?;
            p
        }
        None => crate::auth::tokens::one_time_password(),
    };
    let hash = crate::auth::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = AuditKey::from_settings(settings);
    let by = Acting::command_line(&key);
    crate::db::write_tx(&mut conn, |c| {
        users::set_password(c, &user.id, &hash, one_time.then_some(&by))
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if one_time {
        println!(
            "one-time password for {}: {password}\n(it must be replaced at the next login)",
            user.username
        );
    } else {
        println!("password of {} set", user.username);
    }
    Ok(())
}

fn load_demo(settings: &Settings) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    demo::print(&demo::load(&mut conn, &AuditKey::from_settings(settings))?);
    demo::print_links(&public_base(settings));
    Ok(())
}

fn verify_audit(settings: &Settings) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let report =
        crate::issues::service::audit::verify(&mut conn, &AuditKey::from_settings(settings))
            .context("reading the audit trail")?;
    if report.findings.is_empty() {
        println!(
            "audit trail intact: {} entries over {} issues",
            report.entries, report.issues
        );
        return Ok(());
    }
    for f in &report.findings {
        println!("TAMPERED: {f}");
    }
    bail!(
        "the audit trail was tampered with: {} finding(s) over {} entries",
        report.findings.len(),
        report.entries
    )
}

fn sweep_now(settings: &Settings) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let key = AuditKey::from_settings(settings);
    let swept = crate::db::write_tx(&mut conn, |c| {
        crate::issues::service::sweep::sweep(c, &key, crate::db::rows::now())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{} issue(s) flagged overdue, {} reminded of a near deadline",
        swept.overdue, swept.reminded
    );
    Ok(())
}

fn maintain(settings: &Settings) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let store = crate::photos::PhotoStore::from_settings(settings)?;
    let summary = actix_web::rt::System::new()
        .block_on(crate::maintenance::run_once(&db, &store, settings))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{} orphan photo(s) removed, {} still referred to, {} skipped; {} expired rate-limit row(s) purged",
        summary.photos.removed,
        summary.photos.referenced,
        summary.photos.skipped,
        summary.expired_attempts
    );
    Ok(())
}

fn import_file(
    settings: &Settings,
    kind: ImportKind,
    file: std::path::PathBuf,
    campaign: Option<String>,
) -> anyhow::Result<()> {
    let db = prepare_database(settings)?;
    let mut conn = db.pool().get().context("connecting to the database")?;
    let text = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let result = match kind {
        ImportKind::Venues => reference_import::venues(&mut conn, &text),
        ImportKind::Departments => reference_import::departments(&mut conn, &text),
        ImportKind::Survey => {
            let Some(code) = campaign else {
                bail!("`import survey` needs --campaign CODE");
            };
            let Some(c) = crate::surveys::service::setup::find_campaign_by_code(&mut conn, &code)
                .map_err(|e| anyhow::anyhow!("{e}"))?
            else {
                bail!("no campaign with code {code:?}");
            };
            crate::db::write_tx(&mut conn, |conn| {
                crate::surveys::service::paper_import::responses(conn, &c, &text)
            })
        }
    };
    match result {
        Ok(n) => {
            println!("imported {n} row(s) from {}", file.display());
            Ok(())
        }
        Err(reference_import::ImportError::Rows(rows)) => {
            for r in &rows {
                eprintln!("{}:{}: {}", file.display(), r.line, r.reason);
            }
            bail!("{} bad row(s); nothing was imported", rows.len())
        }
        Err(reference_import::ImportError::Other(e)) => Err(e),
    }
}
