//! The observer app's web bundle (the PWA built by `scripts/build-web`), served at `/` from
//! the same origin as the API, so the app needs no server address and no CORS. Every
//! answer is revalidated before use: file names are stable across builds and a phone must
//! pick up a new build (offline, the service worker serves its own copy).

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{ResponseError, guard, web};

/// Whether `dir` holds a built bundle.
pub fn is_built(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}

/// Registers the bundle in `dir` at `/`. A path that is no file gets the app shell (the
/// app has one page), except under `/api/`, which keeps the API's JSON errors.
pub fn configure(cfg: &mut web::ServiceConfig, dir: PathBuf) {
    let index = dir.join("index.html");
    let files = Files::new("/", &dir)
        .index_file("index.html")
        .use_etag(true)
        .use_last_modified(true)
        .prefer_utf8(true)
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                if req.path().starts_with("/api/") {
                    let res = match crate::startup::unmatched(req.clone()).await {
                        Ok(res) => res,
                        Err(e) => e.error_response(),
                    };
                    return Ok(ServiceResponse::new(req, res));
                }
                let res = NamedFile::open_async(&index).await?.into_response(&req);
                Ok(ServiceResponse::new(req, res))
            }
        }));
    // Only reads: any other method falls through to the API's JSON errors.
    cfg.service(
        web::scope("")
            .guard(guard::Any(guard::Get()).or(guard::Head()))
            .wrap(
                DefaultHeaders::new()
                    .add((header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))),
            )
            .service(files),
    );
}
