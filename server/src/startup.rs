//! Builds the application: database, migrations, routes, a bound listener. Binding here
//! (not in `run`) lets tests ask for port 0 and learn the port.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use flowwalk_shared::ErrorCode;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::error::{AppError, localize};
use crate::http::openapi::ApiDoc;
use crate::reference::store::category_rows;

/// Opens the database, runs pending migrations and seeds the default taxonomy.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database();
    let pool = db::pool(&url, settings.db_pool_size)?;
    let mut conn = pool
        .get()
        .with_context(|| format!("connecting to the {:?} database", url.backend))?;
    let ran = db::migrate(&mut conn)?;
    if ran > 0 {
        tracing::info!(ran, "database migrations applied");
    }
    let seeded = category_rows::seed_defaults(&mut conn).context("seeding problem categories")?;
    if seeded > 0 {
        tracing::info!(seeded, "default problem categories seeded");
    }
    Ok(Db::new(pool, url.backend))
}

pub struct Application {
    port: u16,
    server: Server,
    /// The periodic tasks (maintenance, when `maintenance_interval_secs` > 0; the deadline
    /// sweep), started with the server and stopped with it.
    background: Vec<Background>,
}

type Background = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = prepare_database(&settings)?;
        Self::build_with(settings, db)
    }

    /// With a database already prepared (the demo loader shares it).
    pub fn build_with(settings: Settings, db: Db) -> anyhow::Result<Application> {
        // Made now, not by the first login on an async worker.
        crate::auth::password::dummy_hash();
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener
            .local_addr()
            .context("reading the bound address")?
            .port();
        let photo_store = std::sync::Arc::new(crate::photos::PhotoStore::from_settings(&settings)?);
        let mut background: Vec<Background> = vec![Box::pin(deadline_sweep(
            db.clone(),
            crate::issues::service::AuditKey::from_settings(&settings),
        ))];
        if settings.maintenance_interval_secs > 0 {
            background.push(Box::pin(crate::maintenance::run_forever(
                db.clone(),
                photo_store.clone(),
                settings.clone(),
            )));
        }
        let server = run(listener, db, photo_store, settings)?;
        Ok(Application {
            port,
            server,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then finishes the requests in flight. The periodic
    /// tasks run beside it and stop with it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let tasks: Vec<_> = self.background.into_iter().map(tokio::spawn).collect();
        let served = self.server.await;
        for task in tasks {
            task.abort();
        }
        served
    }
}

/// Nothing matched: 405 if the path exists with another method, else 404.
pub(crate) async fn unmatched(
    req: actix_web::HttpRequest,
) -> Result<actix_web::HttpResponse, AppError> {
    static PATTERNS: std::sync::OnceLock<Vec<actix_web::dev::ResourceDef>> =
        std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        crate::http::table::endpoints()
            .iter()
            .map(|e| actix_web::dev::ResourceDef::new(e.path))
            .collect()
    });
    let endpoints = crate::http::table::endpoints();
    // A path written out in the table (`/issues/import`) is that endpoint's alone, even
    // where a pattern (`/issues/{id}`) would also match it: the API document says so too.
    let exact = endpoints.iter().any(|e| e.path == req.path());
    let allowed: Vec<&str> = endpoints
        .iter()
        .zip(patterns)
        .filter(|(e, p)| {
            if exact {
                e.path == req.path()
            } else {
                p.is_match(req.path())
            }
        })
        .map(|(e, _)| e.method.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if allowed.is_empty() {
        return Err(AppError::not_found());
    }
    // 405 names the methods the path has.
    let mut res =
        actix_web::ResponseError::error_response(&AppError::new(ErrorCode::MethodNotAllowed));
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
        res.headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    Ok(res)
}

fn run(
    listener: TcpListener,
    db: Db,
    photo_store: std::sync::Arc<crate::photos::PhotoStore>,
    settings: Settings,
) -> anyhow::Result<Server> {
    let keys = web::Data::new(TokenKeys::new(
        &settings.jwt_secret,
        &settings.jwt_previous_secrets,
        settings.access_token_minutes,
        settings.refresh_token_days,
    ));
    let hasher = web::Data::new(crate::auth::password::Hasher::new(
        settings.hash_slots(),
        std::time::Duration::from_millis(settings.password_hash_wait_ms),
    ));
    let metrics = crate::telemetry::metrics(hasher.clone().into_inner())?;
    let ref_cache = web::Data::new(crate::walkthroughs::service::sync::RefCache::default());
    let audit_key = web::Data::new(crate::issues::service::AuditKey::from_settings(&settings));
    let photo_store = web::Data::from(photo_store);
    let openapi = ApiDoc::openapi();
    let max_body = settings.max_body_bytes;
    let workers = settings.workers;
    let web_dir = settings.web_dir.clone();
    let web_built = crate::web::is_built(&web_dir);
    if web_built {
        tracing::info!(dir = %web_dir.display(), "serving the observer app at / and the desk at /desk/");
    } else {
        tracing::info!(
            dir = %web_dir.display(),
            "the observer app is not built (scripts/build-web); / leads to the API docs"
        );
    }
    let db = web::Data::new(db);
    let settings = web::Data::new(settings);
    let mut server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::http::extract::refuse_nul_in_address))
            .wrap(from_fn(localize))
            .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(id) = id.and_then(|id| id.parse().ok()) {
                        res.headers_mut().insert(
                            actix_web::http::header::HeaderName::from_static("x-request-id"),
                            id,
                        );
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::default())
            .wrap(metrics.clone())
            .app_data(db.clone())
            .app_data(keys.clone())
            .app_data(hasher.clone())
            .app_data(photo_store.clone())
            .app_data(ref_cache.clone())
            .app_data(audit_key.clone())
            .app_data(settings.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                AppError::new(ErrorCode::InvalidQuery)
                    .message(format!("查询参数无效:{e}"), format!("Invalid query: {e}"))
                    .into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| AppError::new(ErrorCode::InvalidPath).into()),
            )
            .configure(crate::http::table::configure)
            .service(
                SwaggerUi::new("/api/docs/{_:.*}")
                    .url("/api/openapi.json", openapi.clone())
                    .config(Config::default().validator_url("none")),
            )
            .configure(|cfg| {
                if web_built {
                    crate::web::configure(cfg, web_dir.clone());
                } else {
                    // No app to show: the front door leads to the API docs.
                    cfg.route(
                        "/",
                        web::get().to(|| async {
                            actix_web::HttpResponse::Found()
                                .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
                                .finish()
                        }),
                    );
                }
            })
            .default_service(web::to(unmatched))
    })
    .shutdown_timeout(30);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server
        .listen(listener)
        .context("starting the HTTP server")?
        .run())
}

/// Every five minutes (and once at start): flag overdue issues, remind near deadlines.
/// Several servers may sweep at once: each flag is a versioned update, made once.
async fn deadline_sweep(db: Db, key: crate::issues::service::AuditKey) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let key = key.clone();
        match db
            .write(move |conn| {
                crate::issues::service::sweep::sweep(conn, &key, crate::db::rows::now())
            })
            .await
        {
            Ok(s) if s.overdue + s.reminded > 0 => {
                tracing::info!(overdue = s.overdue, reminded = s.reminded, "deadline sweep");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
        }
    }
}
