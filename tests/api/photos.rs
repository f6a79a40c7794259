//! Photos follow the records they belong to: who may upload, who may see which photo (and
//! learn that it exists), daily quotas, and orphan photos removed after their time.

use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PullResponse, PushResponse, PushStatus};
use flowwalk_shared::walkthrough::{WalkthroughRecord, hex_sha256};
use flowwalk_tests::fixtures::{self, jpeg};
use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::json;

struct Observer {
    token: String,
    assignment: Assignment,
    scenario: Scenario,
}

async fn observer(app: &TestApp, username: &str) -> Observer {
    let token = app.demo_login(username).await;
    let body = expect_json(app.get("/api/v1/sync/pull", &token).await, StatusCode::OK).await;
    let reference = serde_json::from_value::<PullResponse>(body)
        .unwrap()
        .reference
        .unwrap();
    let assignment = reference.assignments[0].clone();
    let scenario = reference
        .scenarios
        .iter()
        .find(|s| s.version_id == assignment.scenario_version_id)
        .unwrap()
        .clone();
    Observer {
        token,
        assignment,
        scenario,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Pushes a walkthrough of `o` whose one finding lists these photos.
async fn walk_with(app: &TestApp, o: &Observer, photos: &[&[u8]]) -> WalkthroughRecord {
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[photos.iter().map(|p| hex_sha256(p)).collect()],
    );
    let res = app
        .post(
            "/api/v1/sync/push",
            Some(&o.token),
            &json!({"protocol": PROTOCOL_VERSION, "device_id": "phone-1", "device_time_ms": now_ms(),
                    "records": [{"id": walk.id, "rev": 1, "content_hash": walk.content_hash(), "walkthrough": walk}]}),
        )
        .await;
    let r: PushResponse = serde_json::from_value(expect_json(res, StatusCode::OK).await).unwrap();
    assert_eq!(r.results[0].status, PushStatus::Accepted);
    walk
}

async fn put(app: &TestApp, token: &str, sha: &str, bytes: &[u8]) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/photos/{sha}")))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> reqwest::Response {
    put(app, token, &hex_sha256(bytes), bytes).await
}

/// Meta, display and thumbnail all answer `status`.
async fn reads(app: &TestApp, token: &str, bytes: &[u8], status: StatusCode) {
    let sha = hex_sha256(bytes);
    for path in [
        format!("/api/v1/photos/{sha}"),
        format!("/api/v1/photos/{sha}/display"),
        format!("/api/v1/photos/{sha}/thumb"),
    ] {
        let res = app.get(&path, token).await;
        if status == StatusCode::NOT_FOUND {
            expect_error(res, status, "not_found", None).await;
        } else {
            assert_eq!(res.status(), status, "{path}");
        }
    }
}

/// Photos come from those who record: observers (findings) and department officers
/// (evidence of a fix). Managers, panel members and the admin only look.
async fn only_recorders_upload_photos(app: TestApp) {
    app.load_demo();
    for (i, user) in ["admin", "manager", "panel"].iter().enumerate() {
        let token = app.demo_login(user).await;
        let photo = jpeg(48, 32, 500 + u32::try_from(i).unwrap());
        expect_error(
            upload(&app, &token, &photo).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            None,
        )
        .await;
    }
    for (i, user) in ["inspector", "experiencer", "officer"].iter().enumerate() {
        let token = app.demo_login(user).await;
        let photo = jpeg(48, 32, 600 + u32::try_from(i).unwrap());
        assert_eq!(
            upload(&app, &token, &photo).await.status(),
            StatusCode::CREATED
        );
    }
}

async fn photos_are_seen_through_their_records(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let other = app.demo_login("experiencer2").await;
    let officer = app.demo_login("officer").await;
    let manager = app.demo_login("manager").await;
    let (p, q) = (jpeg(120, 80, 701), jpeg(120, 80, 702));
    // Two photos of one walkthrough: complete once both arrive.
    walk_with(&app, &o, &[&p, &q]).await;
    assert_eq!(
        upload(&app, &o.token, &p).await.status(),
        StatusCode::CREATED
    );
    // Incomplete: its observer sees the photo, staff do not yet.
    reads(&app, &o.token, &p, StatusCode::OK).await;
    reads(&app, &manager, &p, StatusCode::NOT_FOUND).await;
    assert_eq!(
        upload(&app, &o.token, &q).await.status(),
        StatusCode::CREATED
    );
    reads(&app, &manager, &p, StatusCode::OK).await;
    // Nobody else, whatever their role: as if the photo did not exist.
    reads(&app, &other, &p, StatusCode::NOT_FOUND).await;
    reads(&app, &officer, &p, StatusCode::NOT_FOUND).await;
    expect_error(
        app.get(
            &format!("/api/v1/photos/{}/original", hex_sha256(&p)),
            &officer,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    // Uploading does not tell either: without the bytes, no "already stored".
    let other_token = other.clone();
    expect_error(
        put(&app, &other_token, &hex_sha256(&p), b"not the photo").await,
        StatusCode::BAD_REQUEST,
        "photo_hash_mismatch",
        Some("sha256"),
    )
    .await;
    // With the bytes, it is stored already, and they may not read it still.
    assert_eq!(
        upload(&app, &other_token, &p).await.status(),
        StatusCode::OK
    );
    reads(&app, &other, &p, StatusCode::NOT_FOUND).await;
    // A photo no record refers to: nobody reads it, not even its uploader or staff.
    let orphan = jpeg(120, 80, 703);
    assert_eq!(
        upload(&app, &o.token, &orphan).await.status(),
        StatusCode::CREATED
    );
    reads(&app, &o.token, &orphan, StatusCode::NOT_FOUND).await;
    reads(&app, &manager, &orphan, StatusCode::NOT_FOUND).await;
    expect_error(
        app.get(
            &format!("/api/v1/photos/{}/original", hex_sha256(&orphan)),
            &manager,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    // Its uploader's retry is still answered at once.
    assert_eq!(
        upload(&app, &o.token, &orphan).await.status(),
        StatusCode::OK
    );
}

async fn daily_quotas_bound_uploads(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| s.photo_quota_bytes_per_day = 40_000).await;
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let mut sent = 0;
    let mut seed = 800;
    let refused = loop {
        let photo = jpeg(200, 150, seed);
        seed += 1;
        let res = upload(&app, &token, &photo).await;
        if res.status() == StatusCode::CREATED {
            sent += photo.len();
            assert!(sent <= 40_000, "uploaded past the quota");
            continue;
        }
        break (res, photo);
    };
    let (res, photo) = refused;
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=24 * 3600).contains(&wait),
        "until the next day: {wait}"
    );
    expect_error(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "photo_quota_exceeded",
        None,
    )
    .await;
    assert!(sent + photo.len() > 40_000);
    // Another account has its own quota.
    let other = app.demo_login("inspector").await;
    assert_eq!(
        upload(&app, &other, &photo).await.status(),
        StatusCode::CREATED
    );
    // A photo stored already costs nothing.
    assert_eq!(upload(&app, &token, &photo).await.status(), StatusCode::OK);
}

fn photo_row_exists(app: &TestApp, bytes: &[u8]) -> bool {
    let mut conn = app.db.pool().get().unwrap();
    flowwalk_server::photos::store::get(&mut conn, &hex_sha256(bytes))
        .unwrap()
        .is_some()
}

/// The files of a photo in the local store.
fn files_of(app: &TestApp, bytes: &[u8]) -> usize {
    let sha = hex_sha256(bytes);
    let dir = app
        .settings
        .data_dir
        .join("photos")
        .join(&sha[..2])
        .join(&sha);
    std::fs::read_dir(dir).map_or(0, Iterator::count)
}

fn age_photos(app: &TestApp, hours: i64) {
    use diesel::prelude::*;
    use flowwalk_server::db::schema::photos;
    let mut conn = app.db.pool().get().unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(hours);
    diesel::update(photos::table)
        .set(photos::created_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
}

async fn orphan_photos_are_removed_after_their_time(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let kept = jpeg(90, 60, 901);
    walk_with(&app, &o, &[&kept]).await;
    let orphan = jpeg(90, 60, 902);
    for p in [&kept, &orphan] {
        assert_eq!(
            upload(&app, &o.token, p).await.status(),
            StatusCode::CREATED
        );
        assert_eq!(files_of(&app, p), 3);
    }
    let store = flowwalk_server::photos::PhotoStore::from_settings(&app.settings).unwrap();
    let run = || flowwalk_server::maintenance::run_once(&app.db, &store, &app.settings);
    // Young orphans stay.
    assert_eq!(run().await.unwrap().photos.removed, 0);
    assert!(photo_row_exists(&app, &orphan));
    // Once old, several servers at once: the orphan goes exactly once, the other stays.
    age_photos(&app, i64::from(app.settings.photo_orphan_hours) + 1);
    let (a, b, c) = tokio::join!(run(), run(), run());
    let removed: usize = [a, b, c]
        .into_iter()
        .map(|r| r.unwrap().photos.removed)
        .sum();
    assert_eq!(removed, 1);
    assert!(!photo_row_exists(&app, &orphan));
    assert_eq!(files_of(&app, &orphan), 0);
    assert!(photo_row_exists(&app, &kept));
    assert_eq!(files_of(&app, &kept), 3);
    reads(&app, &o.token, &kept, StatusCode::OK).await;
    // Uploaded again, it is a new photo.
    assert_eq!(
        upload(&app, &o.token, &orphan).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(files_of(&app, &orphan), 3);
}

async fn servers_remove_orphans_by_themselves(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| {
        s.maintenance_interval_secs = 1;
        s.photo_orphan_hours = 1;
    })
    .await;
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let orphan = jpeg(90, 60, 903);
    assert_eq!(
        upload(&app, &token, &orphan).await.status(),
        StatusCode::CREATED
    );
    age_photos(&app, 2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while photo_row_exists(&app, &orphan) {
        assert!(
            std::time::Instant::now() < deadline,
            "the orphan is still there"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(files_of(&app, &orphan), 0);
}

/// A phone that loses its signal mid-upload is no error of the server's: its cut
/// body (a photo or a push) is logged below WARN.
async fn a_cut_upload_is_logged_below_warn(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    flowwalk_tests::captured_logs();
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let marker = format!("cut{}", uuid::Uuid::now_v7().simple());
    let addr = app.base.trim_start_matches("http://").to_owned();
    let sha = hex_sha256(marker.as_bytes());
    for (head, ctype) in [
        (
            format!("PUT /api/v1/photos/{sha}?{marker} HTTP/1.1"),
            "image/jpeg",
        ),
        (
            format!("POST /api/v1/sync/push?{marker} HTTP/1.1"),
            "application/json",
        ),
    ] {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "{head}\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: {ctype}\r\nContent-Length: 100000\r\n\r\n{}",
            "x".repeat(1000)
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        drop(stream);
    }
    // Both requests end, and say so at INFO.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let cut = flowwalk_tests::log_lines_with(&marker)
            .into_iter()
            .filter(|l| l.contains("cut short by the client"))
            .count();
        if cut >= 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no log line for the cut bodies"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let lines = flowwalk_tests::log_lines_with(&marker);
    assert!(
        lines
            .iter()
            .all(|l| !l.contains(" WARN ") && !l.contains(" ERROR ")),
        "{lines:#?}"
    );
}

async fn feedback_form(app: &TestApp, token: &str, walkthrough: &str) -> String {
    let res = app
        .get(
            &format!("/api/v1/walkthroughs/{walkthrough}/feedback"),
            token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn display_of(app: &TestApp, token: &str, bytes: &[u8]) -> Vec<u8> {
    let sha = hex_sha256(bytes);
    let res = app
        .get(&format!("/api/v1/photos/{sha}/display"), token)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
}

/// The pictures a page carries inline, decoded.
fn inlined(html: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    html.split("<img src=\"data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| {
            let b64 = &rest[..rest.find('"').unwrap()];
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        })
        .collect()
}

/// The printed feedback form (体验反馈表) shows the photos themselves: each one that has
/// arrived inline at display size, one still on the phone by its name.
async fn the_printed_form_shows_the_photos(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let (p, q) = (jpeg(120, 80, 711), jpeg(120, 80, 712));
    let walk = walk_with(&app, &o, &[&p, &q]).await;
    assert_eq!(
        upload(&app, &o.token, &p).await.status(),
        StatusCode::CREATED
    );
    let html = feedback_form(&app, &o.token, &walk.id).await;
    assert_eq!(
        inlined(&html),
        vec![display_of(&app, &o.token, &p).await],
        "{html}"
    );
    let q_name = &hex_sha256(&q)[..12];
    assert!(html.contains(&format!("照片 {q_name} 尚未上传")), "{html}");
    assert_eq!(
        upload(&app, &o.token, &q).await.status(),
        StatusCode::CREATED
    );
    let html = feedback_form(&app, &o.token, &walk.id).await;
    assert_eq!(
        inlined(&html),
        vec![
            display_of(&app, &o.token, &p).await,
            display_of(&app, &o.token, &q).await
        ]
    );
    assert!(!html.contains("尚未上传"), "{html}");
}

both!(
    the_printed_form_shows_the_photos,
    a_cut_upload_is_logged_below_warn,
    only_recorders_upload_photos,
    photos_are_seen_through_their_records,
    daily_quotas_bound_uploads,
    orphan_photos_are_removed_after_their_time,
    servers_remove_orphans_by_themselves,
);
