//! Settings: built-in defaults, then an optional TOML file, then `FLOWWALK_*` variables.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::db::DbUrl;

/// The development secret; refused when `env = "production"`.
pub const DEV_JWT_SECRET: &str = "flowwalk-development-secret-do-not-use-in-production";

/// The development audit key; refused when `env = "production"`.
pub const DEV_AUDIT_KEY: &str = "flowwalk-development-audit-key-do-not-use-in-production";

/// The settings `FLOWWALK_*` variables may set (others, such as test settings, are ignored).
const ENV_KEYS: [&str; 35] = [
    "env",
    "bind",
    "database_url",
    "data_dir",
    "jwt_secret",
    "jwt_previous_secrets",
    "access_token_minutes",
    "refresh_token_days",
    "max_body_bytes",
    "db_pool_size",
    "login_max_failures_per_account",
    "login_max_failures_per_address",
    "login_window_minutes",
    "trust_proxy_headers",
    "trusted_proxy_hops",
    "refresh_grace_seconds",
    "password_hash_concurrency",
    "password_hash_wait_ms",
    "workers",
    "max_photo_bytes",
    "photo_store",
    "s3_bucket",
    "s3_endpoint",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_allow_http",
    "web_dir",
    "public_url",
    "survey_max_per_address",
    "survey_window_minutes",
    "photo_orphan_hours",
    "photo_quota_bytes_per_day",
    "maintenance_interval_secs",
    "audit_key",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `development` or `production`.
    pub env: String,
    /// Address to listen on; port 0 picks a free one.
    pub bind: String,
    /// `sqlite://PATH` or `postgres://…`; default: `DATA_DIR/flowwalk.db`.
    pub database_url: Option<String>,
    /// Where the SQLite file (and, later, local photos) live.
    pub data_dir: PathBuf,
    /// Signs access tokens.
    pub jwt_secret: String,
    /// Earlier secrets whose tokens are still accepted while keys rotate.
    pub jwt_previous_secrets: Vec<String>,
    pub access_token_minutes: u32,
    pub refresh_token_days: u32,
    /// Largest JSON body accepted, in bytes.
    pub max_body_bytes: usize,
    pub db_pool_size: u32,
    /// Failed logins allowed per account, and per client address, within the window.
    pub login_max_failures_per_account: u32,
    pub login_max_failures_per_address: u32,
    pub login_window_minutes: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    /// How many proxies of yours stand in front: the client address is the entry this
    /// many places from the right of `X-Forwarded-For` (1: the one your proxy appended).
    pub trusted_proxy_hops: u32,
    /// A refresh token presented again this soon after its first use (its answer was
    /// lost) is answered with the same new pair instead of counting as reuse.
    pub refresh_grace_seconds: u32,
    /// Password hashes (argon2, 19 MiB each) computed at once; 0 = one per core.
    pub password_hash_concurrency: usize,
    /// How long a login waits for a free hashing slot before it is answered 503.
    pub password_hash_wait_ms: u64,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: usize,
    /// `local` (a folder under the data folder) or `s3`.
    pub photo_store: String,
    pub s3_bucket: String,
    /// An S3-compatible endpoint (MinIO, Ceph, …); empty for AWS itself.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub s3_allow_http: bool,
    /// The observer app's web bundle (`scripts/build-web`), served at `/`.
    pub web_dir: PathBuf,
    /// The address citizens reach this server at (`https://zwfw.example.gov.cn`), for the
    /// QR codes and printed links; empty: the address the request came to.
    pub public_url: String,
    /// Questionnaire submissions one client address may make within the window (a hall's
    /// Wi-Fi puts many citizens behind one address: keep it generous).
    pub survey_max_per_address: u32,
    pub survey_window_minutes: u32,
    /// Photos no record refers to are removed once they are this old.
    pub photo_orphan_hours: u32,
    /// Bytes of new photos one account may upload per day (China Standard Time); 0 = no limit.
    pub photo_quota_bytes_per_day: u64,
    /// How often each server runs maintenance (orphan photos, expired rate-limit rows);
    /// 0 = never (run `flowwalk maintenance` from cron instead).
    pub maintenance_interval_secs: u64,
    /// Keys the audit trail's hash chain (HMAC): without it, rows changed behind the
    /// server's back cannot be made to verify. Keep it apart from the database.
    pub audit_key: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            env: "development".into(),
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("./data"),
            jwt_secret: DEV_JWT_SECRET.into(),
            jwt_previous_secrets: Vec::new(),
            access_token_minutes: 15,
            refresh_token_days: 30,
            max_body_bytes: 4 * 1024 * 1024,
            db_pool_size: 16,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 30,
            login_window_minutes: 15,
            trust_proxy_headers: false,
            trusted_proxy_hops: 1,
            refresh_grace_seconds: 60,
            password_hash_concurrency: 0,
            password_hash_wait_ms: 2000,
            workers: 0,
            max_photo_bytes: 20 * 1024 * 1024,
            photo_store: "local".into(),
            s3_bucket: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_allow_http: false,
            web_dir: PathBuf::from("mobile/dist"),
            public_url: String::new(),
            survey_max_per_address: 30,
            survey_window_minutes: 10,
            photo_orphan_hours: 72,
            photo_quota_bytes_per_day: 1024 * 1024 * 1024,
            maintenance_interval_secs: 3600,
            audit_key: DEV_AUDIT_KEY.into(),
        }
    }
}

impl Settings {
    /// Defaults → `file` (if given, or `flowwalk.toml` if present) → `FLOWWALK_*`.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("reading the configuration file {}", path.display())
                })?;
                fig = fig.merge(Toml::string(&text));
            }
            None if Path::new("flowwalk.toml").exists() => {
                fig = fig.merge(Toml::file("flowwalk.toml"));
            }
            None => {}
        }
        let settings: Settings = fig
            .merge(Env::prefixed("FLOWWALK_").only(&ENV_KEYS))
            .extract()
            .context("reading the configuration")?;
        settings.check()?;
        Ok(settings)
    }

    /// Refuses settings that are unsafe or nonsensical, saying why.
    pub fn check(&self) -> anyhow::Result<()> {
        match self.env.as_str() {
            "development" | "test" => {}
            "production" => {
                if self.jwt_secret.trim().is_empty() || self.jwt_secret == DEV_JWT_SECRET {
                    bail!(
                        "FLOWWALK_ENV=production but FLOWWALK_JWT_SECRET is missing or the \
                         development default: anyone could forge logins. Set it to a random \
                         string of at least 32 characters (e.g. `openssl rand -hex 32`)."
                    );
                }
                if self.audit_key.len() < 32 || self.audit_key == DEV_AUDIT_KEY {
                    bail!(
                        "FLOWWALK_ENV=production but FLOWWALK_AUDIT_KEY is missing, short or the \
                         development default: the audit trail could be rewritten by anyone with \
                         database access. Set it to a random string of at least 32 characters."
                    );
                }
                if self.jwt_secret.len() < 32 {
                    bail!(
                        "FLOWWALK_JWT_SECRET is shorter than 32 characters; in production use a \
                         random string of at least 32 characters."
                    );
                }
            }
            other => bail!("FLOWWALK_ENV must be development, test or production, not {other:?}"),
        }
        if self.jwt_secret.is_empty() {
            bail!("FLOWWALK_JWT_SECRET must not be empty");
        }
        if self.access_token_minutes == 0 || self.refresh_token_days == 0 {
            bail!("token lifetimes must be at least 1");
        }
        if self.photo_store == "s3" && self.s3_bucket.is_empty() {
            bail!("FLOWWALK_PHOTO_STORE=s3 needs FLOWWALK_S3_BUCKET");
        }
        if self.survey_max_per_address == 0 || self.survey_window_minutes == 0 {
            bail!(
                "FLOWWALK_SURVEY_MAX_PER_ADDRESS and FLOWWALK_SURVEY_WINDOW_MINUTES must be at least 1"
            );
        }
        if self.trust_proxy_headers && self.trusted_proxy_hops == 0 {
            bail!("FLOWWALK_TRUSTED_PROXY_HOPS must be at least 1 when proxy headers are trusted");
        }
        if self.photo_orphan_hours == 0 {
            bail!("FLOWWALK_PHOTO_ORPHAN_HOURS must be at least 1");
        }
        if self.db_pool_size == 0 {
            bail!("FLOWWALK_DB_POOL_SIZE must be at least 1");
        }
        Ok(())
    }

    /// Password hashes computed at once: the setting, or one per core.
    pub fn hash_slots(&self) -> usize {
        match self.password_hash_concurrency {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        }
    }

    /// The database to use: the configured URL, or the SQLite file in the data folder.
    pub fn database(&self) -> DbUrl {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => DbUrl::parse(url.trim()),
            _ => DbUrl::parse(&self.data_dir.join("flowwalk.db").to_string_lossy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_the_default_secret() {
        let s = Settings {
            env: "production".into(),
            ..Settings::default()
        };
        let err = s.check().unwrap_err().to_string();
        assert!(err.contains("FLOWWALK_JWT_SECRET"), "{err}");
        let no_audit_key = Settings {
            jwt_secret: "x".repeat(40),
            ..s.clone()
        };
        let err = no_audit_key.check().unwrap_err().to_string();
        assert!(err.contains("FLOWWALK_AUDIT_KEY"), "{err}");
        let ok = Settings {
            jwt_secret: "x".repeat(40),
            audit_key: "y".repeat(40),
            ..s
        };
        ok.check().unwrap();
    }

    #[test]
    fn default_database_is_sqlite_in_the_data_folder() {
        let url = Settings::default().database();
        assert_eq!(url.backend, crate::db::Backend::Sqlite);
        assert!(url.target.ends_with("flowwalk.db"));
        let pg = Settings {
            database_url: Some("postgres://u@h/db".into()),
            ..Settings::default()
        };
        assert_eq!(pg.database().backend, crate::db::Backend::Postgres);
    }
}
