//! Health, readiness, metrics, the OpenAPI document and docs page, demo logins.

use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;

async fn probes_metrics_and_request_ids(app: TestApp) {
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(expect_json(res, StatusCode::OK).await["status"], "ok");
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(expect_json(res, StatusCode::OK).await["status"], "ready");
    // An error, so the metrics have one to count.
    let res = app
        .client
        .get(app.url("/api/v1/venues"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("flowwalk_http_requests_total"), "{text}");
    assert!(text.contains("endpoint=\"/api/v1/venues\""), "{text}");
    assert!(text.contains("status=\"401\""), "{text}");
    assert!(text.contains("flowwalk_http_requests_duration_seconds_bucket"));
}

async fn openapi_documents_every_endpoint(app: TestApp) {
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for ep in flowwalk_server::http::table::endpoints() {
        let method = ep.method.as_str().to_ascii_lowercase();
        assert!(
            doc["paths"][ep.path][&method].is_object(),
            "{} {} ({}) is missing from the OpenAPI document",
            ep.method,
            ep.path,
            ep.name
        );
    }
    let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger"));
}

async fn every_demo_role_logs_in(app: TestApp) {
    app.load_demo();
    // Loading twice changes nothing.
    app.load_demo();
    for user in flowwalk_server::demo::data::USERS {
        let body = app
            .login_full(user.username, flowwalk_server::demo::DEMO_PASSWORD)
            .await;
        assert_eq!(body["user"]["role"], user.role);
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_u64().unwrap() > 0);
        let me = app
            .get("/api/v1/auth/me", body["access_token"].as_str().unwrap())
            .await;
        assert_eq!(
            expect_json(me, StatusCode::OK).await["username"],
            user.username
        );
    }
    let admin = app.demo_login("admin").await;
    let venues = expect_json(app.get("/api/v1/venues", &admin).await, StatusCode::OK).await;
    let names: Vec<&str> = venues
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"常州市政务服务中心"), "{names:?}");
    assert!(names.contains(&"天宁区政务服务中心"), "{names:?}");
    // Walkthroughs under review: one accepted, one returned with a comment, others waiting.
    let walks = expect_json(
        app.get("/api/v1/walkthroughs", &admin).await,
        StatusCode::OK,
    )
    .await;
    let statuses: Vec<&str> = walks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"accepted")
            && statuses.contains(&"returned")
            && statuses.contains(&"submitted"),
        "{statuses:?}"
    );
    let cats = expect_json(app.get("/api/v1/categories", &admin).await, StatusCode::OK).await;
    assert_eq!(
        cats.as_array().unwrap().len(),
        flowwalk_shared::taxonomy::DEFAULT_CATEGORIES.len()
    );
}

async fn unknown_paths_and_english(app: TestApp) {
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
    assert_eq!(body["message"], "未找到该资源");
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
    assert_eq!(body["message"], "Not found");
    let res = app
        .client
        .delete(app.url("/api/v1/venues"))
        .send()
        .await
        .unwrap();
    expect_error(
        res,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        None,
    )
    .await;
}

both!(
    probes_metrics_and_request_ids,
    openapi_documents_every_endpoint,
    every_demo_role_logs_in,
    unknown_paths_and_english
);

/// The observer app is served at `/` when its bundle is built: files with their types,
/// nothing cached without revalidation, the app shell for other pages, the API's JSON
/// errors kept under `/api/`, and no way out of the folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_is_served_at_the_root() {
    // The bundle's folder sits next to a file that must never be served.
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("secret.txt"), "SECRET-OUTSIDE-WEB-DIR").unwrap();
    let web = parent.path().join("dist");
    std::fs::create_dir(&web).unwrap();
    std::fs::write(web.join("index.html"), "<div id=main>走流程</div>").unwrap();
    std::fs::write(
        web.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(web.join("flowwalk_mobile_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(web.join("manifest.webmanifest"), "{}").unwrap();
    let dir = web.clone();
    let app = TestApp::spawn_with(flowwalk_tests::Backend::Sqlite, move |s| s.web_dir = dir).await;
    let get = |path: &str| app.client.get(app.url(path)).send();

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("走流程"));
    for (path, kind) in [
        ("/sw.js", "text/javascript"),
        ("/flowwalk_mobile_bg.wasm", "application/wasm"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], kind, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
    }
    // Any other page is the app shell; unknown API paths keep their JSON answer.
    let other = get("/outbox").await.unwrap();
    assert!(other.text().await.unwrap().contains("走流程"));
    expect_error(
        get("/api/v1/nope").await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    // Other methods keep the API's JSON errors.
    let res = app
        .client
        .delete(app.url("/api/v1/venues"))
        .send()
        .await
        .unwrap();
    expect_error(
        res,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        None,
    )
    .await;
    let res = app
        .client
        .post(app.url("/index.html"))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
    // The API and its docs are still where they were.
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/api/docs/").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/metrics").await.unwrap().status(), StatusCode::OK);
    // Nothing outside the folder. Sent as raw bytes: an HTTP client would tidy `..` away.
    assert!(
        raw_get(&app.base, "/sw.js")
            .await
            .contains("addEventListener")
    );
    for sneaky in [
        "/../secret.txt",
        "/dist/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%2fsecret.txt",
    ] {
        let answer = raw_get(&app.base, sneaky).await;
        assert!(answer.starts_with("HTTP/1.1 "), "{sneaky}: {answer}");
        assert!(
            !answer.contains("SECRET-OUTSIDE-WEB-DIR"),
            "{sneaky}: {answer}"
        );
    }
}

/// (path, Accept-Encoding, body, Content-Encoding, Content-Type, Cache-Control)
type Case<'a> = (
    &'a str,
    &'a str,
    &'a [u8],
    Option<&'a str>,
    &'a str,
    &'a str,
);

/// The bundle reaches the phone compressed: a browser that accepts brotli gets the `.br`
/// the build made, one that accepts only gzip the `.gz`, any other the file itself, each
/// marked so caches keep them apart. Files named by their content hash are cached for a
/// year, immutable; the page and the service worker are revalidated every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_is_sent_precompressed_and_cached_by_content() {
    let web = tempfile::tempdir().unwrap();
    let put = |name: &str, body: &[u8]| std::fs::write(web.path().join(name), body).unwrap();
    let wasm = "flowwalk_mobile_bg-0123456789ab.wasm";
    let js = "flowwalk_mobile-0123456789ab.js";
    put("index.html", b"<div id=main>page</div>");
    put("index.html.br", b"BR-PAGE");
    put("index.html.gz", b"GZ-PAGE");
    put("sw.js", b"// worker");
    put("sw.js.br", b"BR-WORKER");
    put(wasm, b"\0asm\x01\0\0\0 plain");
    put(&format!("{wasm}.br"), b"BR-WASM");
    put(&format!("{wasm}.gz"), b"GZ-WASM");
    put(js, b"export default 1;");
    put(&format!("{js}.gz"), b"GZ-JS");
    put("icon-192.png", b"\x89PNG");
    let dir = web.path().to_owned();
    let app = TestApp::spawn_with(flowwalk_tests::Backend::Sqlite, move |s| s.web_dir = dir).await;
    let get = |path: String, accept: &str| {
        let mut req = app.client.get(app.url(&path));
        if !accept.is_empty() {
            req = req.header("accept-encoding", accept);
        }
        req.send()
    };
    let wasm_path = format!("/{wasm}");
    let js_path = format!("/{js}");
    let cases: Vec<Case> = vec![
        (
            &wasm_path,
            "gzip, deflate, br, zstd",
            b"BR-WASM",
            Some("br"),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            &wasm_path,
            "gzip, deflate",
            b"GZ-WASM",
            Some("gzip"),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            &wasm_path,
            "br;q=0, gzip",
            b"GZ-WASM",
            Some("gzip"),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            &wasm_path,
            "",
            b"\0asm\x01\0\0\0 plain",
            None,
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            &js_path,
            "br, gzip",
            b"GZ-JS",
            Some("gzip"),
            "text/javascript",
            "public, max-age=31536000, immutable",
        ),
        (
            "/",
            "br",
            b"BR-PAGE",
            Some("br"),
            "text/html; charset=utf-8",
            "no-cache",
        ),
        (
            "/outbox",
            "gzip",
            b"GZ-PAGE",
            Some("gzip"),
            "text/html; charset=utf-8",
            "no-cache",
        ),
        (
            "/sw.js",
            "br",
            b"BR-WORKER",
            Some("br"),
            "text/javascript",
            "no-cache",
        ),
        (
            "/sw.js",
            "gzip",
            b"// worker",
            None,
            "text/javascript",
            "no-cache",
        ),
        (
            "/icon-192.png",
            "br, gzip",
            b"\x89PNG",
            None,
            "image/png",
            "no-cache",
        ),
    ];
    for (path, accept, body, encoding, kind, cache) in cases {
        let res = get(path.to_owned(), accept).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path} {accept}");
        let h = res.headers().clone();
        assert_eq!(
            h.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{path} {accept}"
        );
        assert_eq!(h["content-type"], kind, "{path} {accept}");
        assert_eq!(h["cache-control"], cache, "{path} {accept}");
        if path != "/icon-192.png" {
            assert_eq!(h["vary"], "accept-encoding", "{path} {accept}");
        }
        assert_eq!(&res.bytes().await.unwrap()[..], body, "{path} {accept}");
    }
}

/// A GET of `path` exactly as written, the whole answer as text.
async fn raw_get(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").to_owned();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

/// Without a built bundle, the front door leads to the API documentation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_web_app_the_root_leads_to_the_docs() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_owned();
    let app = TestApp::spawn_with(flowwalk_tests::Backend::Sqlite, move |s| s.web_dir = dir).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/api/docs/");
}
