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
    for ep in flowwalk_server::routes::endpoints() {
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
