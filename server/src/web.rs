//! The observer app's web bundle (the PWA built by `scripts/build-web`), served at `/` from
//! the same origin as the API, so the app needs no server address and no CORS; the desk's
//! bundle (managers, officers, panel members) is its `desk/` folder, served at `/desk/`.
//!
//! The build precompresses the text files (`.br`, `.gz` beside each); a browser that
//! accepts one gets it with `Content-Encoding`, so a phone on 3G downloads the wasm
//! compressed. Files whose names carry their content hash (`name-<hash>.ext`) never change
//! and are cached for a year, immutable; everything else — the page, the service worker,
//! the manifest — is revalidated before use, so a phone picks up a new build (offline,
//! the service worker serves its own copy).

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, guard, web};

/// Long-lived caching for files named by their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether `dir` holds a built bundle.
pub fn is_built(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}

/// Registers the bundle in `dir` at `/`. A path that is no file gets the app shell (the
/// app has one page), except under `/api/`, which keeps the API's JSON errors. Only reads:
/// any other method falls through to the API's JSON errors.
pub fn configure(cfg: &mut web::ServiceConfig, dir: PathBuf) {
    let dir = web::Data::new(dir);
    cfg.service(
        web::scope("")
            .guard(guard::Any(guard::Get()).or(guard::Head()))
            .app_data(dir)
            .default_service(web::to(serve)),
    );
}

/// The file a request path names inside the bundle, if the path is a plain one: segments
/// of letters, digits, `.`, `-` and `_` that do not start with a dot. Anything else (`..`,
/// escapes, backslashes) names no file, so nothing outside the folder can be reached.
fn bundle_file(path: &str) -> Option<PathBuf> {
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let plain = rel.split('/').all(|seg| {
        !seg.is_empty()
            && !seg.starts_with('.')
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    });
    plain.then(|| PathBuf::from(rel))
}

/// The page of the app a path belongs to: the desk's (its own bundle, under `/desk/`) or
/// the observer app's.
fn shell_of(path: &str) -> &'static str {
    if path == "/desk" || path.starts_with("/desk/") {
        "desk/index.html"
    } else {
        "index.html"
    }
}

/// Whether a file name carries a content hash: `name-<at least 12 hex digits>.ext`.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The encodings the request accepts, from `Accept-Encoding` (a `q=0` refuses).
fn accepts(req: &HttpRequest, coding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

async fn serve(req: HttpRequest, dir: web::Data<PathBuf>) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return match crate::startup::unmatched(req).await {
            Ok(res) => res,
            Err(e) => e.error_response(),
        };
    }
    let named = bundle_file(req.path())
        .map(|rel| dir.join(rel))
        .filter(|p| p.is_file());
    let file = named.unwrap_or_else(|| dir.join(shell_of(req.path())));
    match respond(&req, &file).await {
        Ok(res) => res,
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "cannot serve a bundle file");
            HttpResponse::NotFound().finish()
        }
    }
}

/// The file, precompressed when the browser takes that, with its caching rule.
async fn respond(req: &HttpRequest, file: &Path) -> std::io::Result<HttpResponse> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let kind = actix_files::file_extension_to_mime(
        file.extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default(),
    );
    let with = |ext: &str| {
        let mut p = file.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    let (br, gz) = (with(".br"), with(".gz"));
    let precompressed = br.is_file() || gz.is_file();
    let (path, coding) = if accepts(req, "br") && br.is_file() {
        (br, Some(ContentEncoding::Brotli))
    } else if accepts(req, "gzip") && gz.is_file() {
        (gz, Some(ContentEncoding::Gzip))
    } else {
        (file.to_owned(), None)
    };
    let mut named = NamedFile::open_async(&path)
        .await?
        .use_etag(true)
        .use_last_modified(true)
        .prefer_utf8(true)
        // Named after the compressed copy it would say "attachment": shown, not saved.
        .disable_content_disposition()
        .set_content_type(kind);
    if let Some(coding) = coding {
        named = named.set_content_encoding(coding);
    }
    let mut res = named.into_response(req);
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if is_hashed(&name) {
            IMMUTABLE
        } else {
            "no-cache"
        }),
    );
    if precompressed {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_name_files() {
        assert_eq!(bundle_file("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            bundle_file("/snippets/dioxus-web-1a2b/inline0.js"),
            Some(PathBuf::from("snippets/dioxus-web-1a2b/inline0.js"))
        );
        for bad in [
            "/../secret.txt",
            "/a/../../b",
            "/%2e%2e/x",
            "/..%2fx",
            "/a\\b",
            "/.hidden",
            "/a//b",
        ] {
            assert_eq!(bundle_file(bad), None, "{bad}");
        }
    }

    #[test]
    fn desk_paths_get_the_desk_page() {
        assert_eq!(shell_of("/desk/"), "desk/index.html");
        assert_eq!(shell_of("/desk"), "desk/index.html");
        assert_eq!(shell_of("/desk/issues/42"), "desk/index.html");
        assert_eq!(shell_of("/"), "index.html");
        assert_eq!(shell_of("/desktop"), "index.html");
        assert_eq!(shell_of("/walk/1"), "index.html");
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("flowwalk_mobile_bg-0123456789ab.wasm"));
        assert!(is_hashed("flowwalk_mobile-0123456789abcdef.js"));
        assert!(!is_hashed("flowwalk_mobile.js"));
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("icon-192.png"));
        assert!(!is_hashed("index.html"));
    }
}
