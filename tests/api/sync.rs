//! Field data in: idempotent and concurrent pushes, conflicts, completeness, photos
//! (resumed uploads, hostile files, stripped metadata), clock skew, and the review round
//! trip back to the observer's phone.

use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PullResponse, PushResponse, PushStatus};
use flowwalk_shared::walkthrough::{WalkthroughRecord, hex_sha256};
use flowwalk_tests::fixtures::{self, GPS_MARKER, has_metadata_segments, jpeg, with_exif};
use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A logged-in demo observer with one of their assignments and its scenario version.
struct Observer {
    token: String,
    assignment: Assignment,
    scenario: Scenario,
}

async fn observer(app: &TestApp, username: &str) -> Observer {
    let token = app.demo_login(username).await;
    let body = expect_json(app.get("/api/v1/sync/pull", &token).await, StatusCode::OK).await;
    let pull: PullResponse = serde_json::from_value(body).unwrap();
    let reference = pull
        .reference
        .expect("the first pull carries reference data");
    let assignment = reference.assignments[0].clone();
    let scenario = reference
        .scenarios
        .iter()
        .find(|s| s.version_id == assignment.scenario_version_id)
        .expect("the pinned scenario version is in the reference data")
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

fn push_body(records: &[&WalkthroughRecord], device_time_ms: i64) -> Value {
    json!({
        "protocol": PROTOCOL_VERSION,
        "device_id": "phone-1",
        "device_time_ms": device_time_ms,
        "records": records.iter().map(|r| json!({
            "id": r.id, "rev": r.rev, "content_hash": r.content_hash(), "walkthrough": r
        })).collect::<Vec<_>>(),
    })
}

async fn push(
    app: &TestApp,
    token: &str,
    records: &[&WalkthroughRecord],
    device_time_ms: i64,
) -> PushResponse {
    let res = app
        .post(
            "/api/v1/sync/push",
            Some(token),
            &push_body(records, device_time_ms),
        )
        .await;
    serde_json::from_value(expect_json(res, StatusCode::OK).await).unwrap()
}

async fn put_photo(app: &TestApp, token: &str, bytes: &[u8]) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/photos/{}", hex_sha256(bytes))))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

/// Pushes a walkthrough whose findings list these photos, so that its observer may read
/// them (a photo is seen through the records that refer to it).
async fn refer_to(app: &TestApp, o: &Observer, photos: &[&[u8]]) -> WalkthroughRecord {
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[photos.iter().map(|p| hex_sha256(p)).collect()],
    );
    let r = push(app, &o.token, &[&walk], now_ms()).await;
    assert_eq!(
        r.results[0].status,
        PushStatus::Accepted,
        "{:?}",
        r.results[0]
    );
    walk
}

fn revisions_stored(app: &TestApp, id: &str) -> i64 {
    use diesel::prelude::*;
    use flowwalk_server::db::schema::walkthrough_revisions as wr;
    let mut conn = app.db.pool().get().unwrap();
    wr::table
        .filter(wr::walkthrough_id.eq(id))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

async fn repushing_is_idempotent(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let (p1, p2) = (jpeg(64, 48, 1), jpeg(64, 48, 2));
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[vec![hex_sha256(&p1), hex_sha256(&p2)]],
    );
    let first = push(&app, &o.token, &[&walk], now_ms()).await;
    assert_eq!(first.results[0].status, PushStatus::Accepted);
    let mut missing = first.results[0].missing_photos.clone();
    missing.sort();
    let mut expected = vec![hex_sha256(&p1), hex_sha256(&p2)];
    expected.sort();
    assert_eq!(missing, expected);
    for _ in 0..3 {
        let again = push(&app, &o.token, &[&walk], now_ms()).await;
        assert_eq!(again.results[0].status, PushStatus::AlreadyHad);
    }
    assert_eq!(revisions_stored(&app, &walk.id), 1);
}

async fn concurrent_identical_pushes_store_one(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    let body = push_body(&[&walk], now_ms());
    let pushes = (0..16).map(|_| app.post("/api/v1/sync/push", Some(&o.token), &body));
    let answers = futures_util::future::join_all(pushes).await;
    let mut accepted = 0;
    for res in answers {
        let r: PushResponse =
            serde_json::from_value(expect_json(res, StatusCode::OK).await).unwrap();
        match r.results[0].status {
            PushStatus::Accepted => accepted += 1,
            PushStatus::AlreadyHad => {}
            other => panic!("unexpected {other:?}: {:?}", r.results[0]),
        }
    }
    assert_eq!(accepted, 1, "exactly one push stores it");
    assert_eq!(revisions_stored(&app, &walk.id), 1);
}

async fn different_content_is_a_conflict_and_both_are_kept(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    assert_eq!(
        push(&app, &o.token, &[&walk], now_ms()).await.results[0].status,
        PushStatus::Accepted
    );
    let mut other = walk.clone();
    other.comment = "重装应用后同一编号的另一份记录".into();
    let r = push(&app, &o.token, &[&other], now_ms()).await;
    assert_eq!(r.results[0].status, PushStatus::Conflict);
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::Conflict)
    );
    let manager = app.demo_login("manager").await;
    let conflicts = expect_json(
        app.get("/api/v1/sync/conflicts", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
    assert_eq!(conflicts[0]["content_hash"], other.content_hash());
    assert_eq!(conflicts[0]["stored_content_hash"], walk.content_hash());
    assert_eq!(conflicts[0]["record"]["comment"], other.comment.as_str());
    // The stored version is untouched.
    let mine = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &o.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["record"]["comment"], walk.comment.as_str());
    // The same conflicting version again is not stored twice.
    push(&app, &o.token, &[&other], now_ms()).await;
    let conflicts = expect_json(
        app.get("/api/v1/sync/conflicts", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
}

async fn listed(app: &TestApp, token: String, id: String) -> bool {
    let list = expect_json(
        app.get("/api/v1/walkthroughs", &token).await,
        StatusCode::OK,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["id"] == id.as_str())
}

async fn only_complete_walkthroughs_reach_review(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let manager = app.demo_login("manager").await;
    let (p1, p2) = (jpeg(320, 240, 11), jpeg(320, 240, 12));
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[vec![hex_sha256(&p1)], vec![hex_sha256(&p2)]],
    );
    let r = push(&app, &o.token, &[&walk], now_ms()).await;
    assert_eq!(r.results[0].missing_photos.len(), 2);
    assert!(
        !listed(&app, manager.clone(), walk.id.clone()).await,
        "incomplete is invisible"
    );
    expect_error(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &manager)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/accept", walk.id),
            Some(&manager),
            &json!({"rev": 1}),
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
    // The observer sees their own, with what is missing.
    let mine = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &o.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["summary"]["status"], "incomplete");
    assert_eq!(mine["missing_photos"].as_array().unwrap().len(), 2);

    assert_eq!(
        put_photo(&app, &o.token, &p1).await.status(),
        StatusCode::CREATED
    );
    assert!(
        !listed(&app, manager.clone(), walk.id.clone()).await,
        "one photo still missing"
    );
    assert_eq!(
        put_photo(&app, &o.token, &p2).await.status(),
        StatusCode::CREATED
    );
    assert!(
        listed(&app, manager.clone(), walk.id.clone()).await,
        "complete once both arrived"
    );

    // Photos first, record second: complete at once.
    let p3 = jpeg(200, 100, 13);
    assert_eq!(
        put_photo(&app, &o.token, &p3).await.status(),
        StatusCode::CREATED
    );
    let walk2 = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 7_200_000,
        &[vec![hex_sha256(&p3)]],
    );
    let r = push(&app, &o.token, &[&walk2], now_ms()).await;
    assert_eq!(r.results[0].status, PushStatus::Accepted);
    assert!(r.results[0].missing_photos.is_empty());
    assert!(listed(&app, manager.clone(), walk2.id.clone()).await);

    // The manager's view lays the timing against the template.
    let detail = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let timing = &detail["timing"];
    let steps = timing["steps"].as_array().unwrap();
    assert_eq!(steps.len(), o.scenario.steps.len() + 1);
    assert_eq!(timing["promised_ms"], o.scenario.promised_minutes * 60_000);
    for (s, t) in steps.iter().zip(&o.scenario.steps) {
        assert_eq!(s["standard_ms"], i64::from(t.standard_minutes) * 60_000);
        assert_eq!(
            s["over_run"],
            10 * 60_000 > i64::from(t.standard_minutes) * 60_000
        );
    }
    assert_eq!(
        steps.last().unwrap()["standard_ms"],
        Value::Null,
        "the unplanned redirect has no standard"
    );
}

async fn photo_uploads_repeat_cheaply_and_refuse_hostile_files(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let photo = jpeg(800, 600, 21);
    let sha = hex_sha256(&photo);
    let fat = fat_photo(&photo);
    refer_to(&app, &o, &[&photo, &fat]).await;
    // An interrupted upload (half the bytes) is refused and stores nothing.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/photos/{sha}")))
        .bearer_auth(&o.token)
        .body(photo[..photo.len() / 2].to_vec())
        .send()
        .await
        .unwrap();
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "photo_hash_mismatch",
        Some("sha256"),
    )
    .await;
    expect_error(
        app.get(&format!("/api/v1/photos/{sha}"), &o.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    // Repeating it whole stores it; repeating again is answered at once.
    let first = expect_json(put_photo(&app, &o.token, &photo).await, StatusCode::CREATED).await;
    assert_eq!(
        (first["width"].as_i64(), first["height"].as_i64()),
        (Some(800), Some(600))
    );
    expect_json(put_photo(&app, &o.token, &photo).await, StatusCode::OK).await;
    expect_json(
        app.get(&format!("/api/v1/photos/{sha}"), &o.token).await,
        StatusCode::OK,
    )
    .await;

    // The same new photo uploaded twice at once (a retry racing the first try): both succeed.
    let twin = jpeg(300, 200, 22);
    let (a, b) = tokio::join!(
        put_photo(&app, &o.token, &twin),
        put_photo(&app, &o.token, &twin)
    );
    assert!(
        a.status().is_success() && b.status().is_success(),
        "{} {}",
        a.status(),
        b.status()
    );

    // Hostile files.
    let truncated = &photo[..photo.len() * 2 / 3];
    expect_error(
        put_photo(&app, &o.token, truncated).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_corrupt",
        None,
    )
    .await;
    expect_error(
        put_photo(&app, &o.token, b"this is a text file, not a photo").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_not_an_image",
        None,
    )
    .await;
    expect_error(
        put_photo(&app, &o.token, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_not_an_image",
        None,
    )
    .await;
    expect_error(
        put_photo(&app, &o.token, &png_bomb()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_too_many_pixels",
        None,
    )
    .await;
    // Huge metadata: several 60 KB segments before the image.
    let res = put_photo(&app, &o.token, &fat).await;
    expect_json(res, StatusCode::CREATED).await;
    let display = app
        .get(
            &format!("/api/v1/photos/{}/display", hex_sha256(&fat)),
            &o.token,
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!has_metadata_segments(&display));
    assert!(
        !display.windows(256).any(|w| w.iter().all(|&b| b == b'M')),
        "the metadata filler is gone"
    );
    // Bad names.
    let res = app
        .client
        .put(app.url("/api/v1/photos/not-a-hash"))
        .bearer_auth(&o.token)
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_path", Some("sha256")).await;
}

/// The photo with several 60 KB metadata segments before the image.
fn fat_photo(photo: &[u8]) -> Vec<u8> {
    let mut fat = photo[..2].to_vec();
    for marker in [0xE1u8, 0xED, 0xFE, 0xE2] {
        fat.extend_from_slice(&[0xFF, marker, 0xEA, 0x62]);
        fat.extend(std::iter::repeat_n(b'M', 0xEA62 - 2));
    }
    fat.extend_from_slice(&photo[2..]);
    fat
}

async fn oversized_photos_get_413(app: TestApp) {
    // A server with a small limit, so the test need not send megabytes.
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| s.max_photo_bytes = 50_000).await;
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let big = jpeg(1200, 900, 5);
    assert!(big.len() > 50_000);
    expect_error(
        put_photo(&app, &token, &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "photo_too_large",
        None,
    )
    .await;
}

/// A PNG that declares 100000×100000 pixels in a few dozen bytes.
fn png_bomb() -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (u32::try_from(data.len()).unwrap()).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn served_variants_carry_no_metadata(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    // A phone photo held sideways: stored landscape with Orientation=6 (rotate 90°).
    let photo = with_exif(&jpeg(2000, 1500, 31), 6);
    assert!(has_metadata_segments(&photo));
    let sha = hex_sha256(&photo);
    refer_to(&app, &o, &[&photo]).await;
    let info = expect_json(put_photo(&app, &o.token, &photo).await, StatusCode::CREATED).await;
    assert_eq!(
        (info["width"].as_i64(), info["height"].as_i64()),
        (Some(1500), Some(2000)),
        "orientation applied"
    );
    for (variant, long_edge) in [("display", 1600u32), ("thumb", 320)] {
        let res = app
            .get(&format!("/api/v1/photos/{sha}/{variant}"), &o.token)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let bytes = res.bytes().await.unwrap();
        assert!(
            !has_metadata_segments(&bytes),
            "{variant} has a metadata segment"
        );
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{variant} has EXIF"
        );
        assert!(
            !bytes.windows(GPS_MARKER.len()).any(|w| w == GPS_MARKER),
            "{variant} leaks GPS"
        );
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            img.height(),
            long_edge,
            "{variant} is portrait with the long edge at the limit"
        );
        assert!(img.width() < img.height());
    }
    // The original is evidence: staff only, byte-identical, each read logged.
    let res = app
        .get(&format!("/api/v1/photos/{sha}/original"), &o.token)
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", None).await;
    let manager = app.demo_login("manager").await;
    for _ in 0..2 {
        let res = app
            .get(&format!("/api/v1/photos/{sha}/original"), &manager)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), photo.as_slice());
    }
    let mut conn = app.db.pool().get().unwrap();
    assert_eq!(
        flowwalk_server::photos::store::reads_of(&mut conn, &sha).unwrap(),
        2
    );
}

async fn clock_skew_is_normalised_or_refused(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    // The phone believes it is 2001: every device time is ~25 years behind.
    let skew = 25 * 365 * 24 * 3_600_000i64;
    let real_start = now_ms() - 2 * 3_600_000;
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        real_start - skew,
        &[],
    );
    let r = push(&app, &o.token, &[&walk], now_ms() - skew).await;
    assert_eq!(
        r.results[0].status,
        PushStatus::Accepted,
        "{:?}",
        r.results[0]
    );
    let mine = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &o.token)
            .await,
        StatusCode::OK,
    )
    .await;
    // RFC 3339 with its offset.
    let started =
        chrono::DateTime::parse_from_rfc3339(mine["summary"]["started_at"].as_str().unwrap())
            .unwrap();
    let drift = (started.timestamp_millis() - real_start).abs();
    assert!(
        drift < 60_000,
        "normalised to the real date (off by {drift} ms)"
    );
    let offset = mine["clock_offset_ms"].as_i64().unwrap();
    assert!((offset - skew).abs() < 60_000);

    // Impossible: a step that ends before it starts.
    let mut bad = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    bad.steps[0].ended_at_ms = bad.steps[0].started_at_ms - 1000;
    let r = push(&app, &o.token, &[&bad], now_ms()).await;
    assert_eq!(r.results[0].status, PushStatus::Rejected);
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::InvalidTiming)
    );
    assert_eq!(r.results[0].field.as_deref(), Some("steps[0].ended_at_ms"));
    // Impossible: the walk ends a day after the phone's own "now".
    let future = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() + 24 * 3_600_000,
        &[],
    );
    let r = push(&app, &o.token, &[&future], now_ms()).await;
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::ClockImplausible)
    );
    assert_eq!(
        revisions_stored(&app, &bad.id) + revisions_stored(&app, &future.id),
        0
    );
}

async fn bad_records_are_rejected_per_record(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let good = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    let mut tampered = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    let mut body = push_body(&[&good, &tampered], now_ms());
    tampered.comment = "changed after hashing".into();
    body["records"][1]["walkthrough"] = serde_json::to_value(&tampered).unwrap();
    let r: PushResponse = serde_json::from_value(
        expect_json(
            app.post("/api/v1/sync/push", Some(&o.token), &body).await,
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!(r.results[0].status, PushStatus::Accepted);
    assert_eq!(r.results[1].status, PushStatus::Rejected);
    assert_eq!(
        r.results[1].code,
        Some(flowwalk_shared::ErrorCode::ContentHashMismatch)
    );
    // A malformed walkthrough is refused on its own, naming the field inside it.
    let mut broken = push_body(&[&good], now_ms());
    broken["records"][0]["walkthrough"]["steps"][0]["waiting_ms"] = json!("ten minutes");
    let r: PushResponse = serde_json::from_value(
        expect_json(
            app.post("/api/v1/sync/push", Some(&o.token), &broken).await,
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    assert_eq!(r.results[0].status, PushStatus::Rejected);
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::InvalidType)
    );
    assert_eq!(
        r.results[0].field.as_deref(),
        Some("walkthrough.steps[0].waiting_ms")
    );
    // Someone else's assignment.
    let other = observer(&app, "experiencer2").await;
    let theirs = fixtures::walkthrough(
        &other.assignment,
        &other.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    let r = push(&app, &o.token, &[&theirs], now_ms()).await;
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::Forbidden)
    );
    // A second revision nobody asked for.
    let mut rev2 = good.clone();
    rev2.rev = 2;
    let r = push(&app, &o.token, &[&rev2], now_ms()).await;
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::RevisionNotAllowed)
    );
    // Protocol version and role.
    let mut wrong = push_body(&[&good], now_ms());
    wrong["protocol"] = json!(99);
    expect_error(
        app.post("/api/v1/sync/push", Some(&o.token), &wrong).await,
        StatusCode::BAD_REQUEST,
        "unsupported_protocol",
        Some("protocol"),
    )
    .await;
    let manager = app.demo_login("manager").await;
    expect_error(
        app.post(
            "/api/v1/sync/push",
            Some(&manager),
            &push_body(&[&good], now_ms()),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    expect_error(
        app.get("/api/v1/sync/pull?cursor=abc", &o.token).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("cursor"),
    )
    .await;
}

async fn review_round_trip_reaches_the_phone(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let manager = app.demo_login("manager").await;
    let pull = |token: String, cursor: String| {
        let app = &app;
        async move {
            let v = expect_json(
                app.get(&format!("/api/v1/sync/pull?cursor={cursor}"), &token)
                    .await,
                StatusCode::OK,
            )
            .await;
            serde_json::from_value::<PullResponse>(v).unwrap()
        }
    };
    let start = pull(o.token.clone(), "0".into()).await;
    let quiet = pull(o.token.clone(), start.cursor.clone()).await;
    assert!(
        quiet.reference.is_none() && quiet.reviews.is_empty(),
        "nothing new since the cursor"
    );

    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    push(&app, &o.token, &[&walk], now_ms()).await;
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/return", walk.id),
            Some(&manager),
            &json!({"rev": 1, "comment": ""}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("comment"),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/return", walk.id),
            Some(&manager),
            &json!({"rev": 1, "comment": "第 2 步缺少排队照片,请补充"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Deciding twice is refused.
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/accept", walk.id),
            Some(&manager),
            &json!({"rev": 1}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "invalid_state", Some("rev")).await;

    let after = pull(o.token.clone(), start.cursor.clone()).await;
    let outcome = after
        .reviews
        .iter()
        .find(|r| r.walkthrough_id == walk.id)
        .expect("the return reaches the phone");
    assert_eq!(
        outcome.status,
        flowwalk_shared::sync::ReviewStatus::Returned
    );
    assert_eq!(outcome.comment, "第 2 步缺少排队照片,请补充");
    // Other observers do not see it.
    let other = app.demo_login("experiencer2").await;
    let theirs = pull(other, start.cursor.clone()).await;
    assert!(theirs.reviews.iter().all(|r| r.walkthrough_id != walk.id));

    // The corrected revision goes in as rev 2, and is accepted.
    let mut rev2 = walk.clone();
    rev2.rev = 2;
    rev2.comment = "已补充说明".into();
    assert_eq!(
        push(&app, &o.token, &[&rev2], now_ms()).await.results[0].status,
        PushStatus::Accepted
    );
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/accept", walk.id),
            Some(&manager),
            &json!({"rev": 1}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "invalid_state", Some("rev")).await;
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/accept", walk.id),
            Some(&manager),
            &json!({"rev": 2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let last = pull(o.token.clone(), after.cursor.clone()).await;
    let outcome = last
        .reviews
        .iter()
        .find(|r| r.walkthrough_id == walk.id)
        .unwrap();
    assert_eq!(
        (outcome.rev, outcome.status),
        (2, flowwalk_shared::sync::ReviewStatus::Accepted)
    );
    let list = expect_json(
        app.get("/api/v1/walkthroughs?status=accepted", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let ours: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["id"] == walk.id.as_str())
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["rev"], 2);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["status"] == "accepted")
    );

    // Reference data travels again when it changes.
    let venues = expect_json(app.get("/api/v1/venues", &manager).await, StatusCode::OK).await;
    let v = &venues[0];
    let res = app.put(&format!("/api/v1/venues/{}", v["id"].as_str().unwrap()), &manager, &json!({"code": v["code"], "name": v["name"], "level": v["level"], "parent_id": v["parent_id"], "address": "新地址 1 号"})).await;
    expect_json(res, StatusCode::OK).await;
    let changed = pull(o.token.clone(), last.cursor.clone()).await;
    let reference = changed
        .reference
        .expect("reference data after a venue edit");
    assert!(reference.venues.iter().any(|x| x.address == "新地址 1 号"));
    let me = expect_json(app.get("/api/v1/auth/me", &o.token).await, StatusCode::OK).await;
    let my_id = me["id"].as_str().unwrap().to_owned();
    assert!(!reference.assignments.is_empty());
    assert!(
        reference
            .assignments
            .iter()
            .all(|a| a.observer_ids.contains(&my_id)),
        "only own assignments"
    );
}

/// A correction must stay on its walkthrough's assignment; review shows the
/// assignment of the latest revision.
async fn a_correction_stays_on_its_assignment(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let manager = app.demo_login("manager").await;
    let body = expect_json(app.get("/api/v1/sync/pull", &o.token).await, StatusCode::OK).await;
    let reference = serde_json::from_value::<PullResponse>(body)
        .unwrap()
        .reference
        .unwrap();
    let other = reference
        .assignments
        .iter()
        .find(|a| a.id != o.assignment.id)
        .expect("the demo experiencer has a second assignment")
        .clone();
    let other_scenario = reference
        .scenarios
        .iter()
        .find(|s| s.version_id == other.scenario_version_id)
        .unwrap()
        .clone();
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    assert_eq!(
        push(&app, &o.token, &[&walk], now_ms()).await.results[0].status,
        PushStatus::Accepted
    );
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/return", walk.id),
            Some(&manager),
            &json!({"rev": 1, "comment": "请补充第 2 步的说明"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Revision 2 moved to another assignment (of the same observer): refused.
    let mut moved = fixtures::walkthrough(
        &other,
        &other_scenario,
        "phone-1",
        now_ms() - 2 * 3_600_000,
        &[],
    );
    moved.id = walk.id.clone();
    moved.rev = 2;
    let r = push(&app, &o.token, &[&moved], now_ms()).await;
    assert_eq!(r.results[0].status, PushStatus::Rejected);
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::RevisionNotAllowed)
    );
    assert_eq!(r.results[0].field.as_deref(), Some("assignment_id"));
    // Revision 2 on the same assignment is the correction.
    let mut fixed = walk.clone();
    fixed.rev = 2;
    fixed.comment = "已补充说明".into();
    assert_eq!(
        push(&app, &o.token, &[&fixed], now_ms()).await.results[0].status,
        PushStatus::Accepted
    );
    let detail = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["summary"]["rev"], 2);
    assert_eq!(detail["summary"]["assignment_id"], o.assignment.id.as_str());
    assert_eq!(detail["record"]["assignment_id"], o.assignment.id.as_str());
}

/// The task is reassigned between a push whose answer was lost and its retry;
/// the retry is still `already_had`, and the photos then complete the walkthrough.
async fn a_retry_after_reassignment_is_already_had(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let manager = app.demo_login("manager").await;
    let photo = jpeg(64, 48, 61);
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[vec![hex_sha256(&photo)]],
    );
    // The answer to this push is lost.
    push(&app, &o.token, &[&walk], now_ms()).await;
    // A manager gives the task to someone else.
    let users = expect_json(app.get("/api/v1/users", &manager).await, StatusCode::OK).await;
    let other = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "experiencer2")
        .unwrap()["id"]
        .clone();
    let a = &o.assignment;
    let res = app
        .put(
            &format!("/api/v1/assignments/{}", a.id),
            &manager,
            &json!({"scenario_id": a.scenario_id, "venue_id": a.venue_id, "observer_ids": [other],
                    "starts_on": a.starts_on, "ends_on": a.ends_on, "mode": a.mode, "status": a.status, "note": a.note}),
        )
        .await;
    expect_json(res, StatusCode::OK).await;
    // The identical retry.
    let r = push(&app, &o.token, &[&walk], now_ms()).await;
    assert_eq!(
        r.results[0].status,
        PushStatus::AlreadyHad,
        "{:?}",
        r.results[0]
    );
    assert_eq!(r.results[0].missing_photos, vec![hex_sha256(&photo)]);
    // So the phone sends its photo, and the walkthrough reaches review.
    assert_eq!(
        put_photo(&app, &o.token, &photo).await.status(),
        StatusCode::CREATED
    );
    assert!(listed(&app, manager.clone(), walk.id.clone()).await);
    // A new walkthrough on the task is refused, as it should be.
    let fresh = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3_600_000,
        &[],
    );
    let r = push(&app, &o.token, &[&fresh], now_ms()).await;
    assert_eq!(
        r.results[0].code,
        Some(flowwalk_shared::ErrorCode::Forbidden)
    );
}

/// A phone whose clock ran two days ahead pushes; the answer is lost; its clock is
/// corrected; the retry is `already_had`.
async fn a_retry_after_the_clock_is_corrected_is_already_had(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let ahead = 2 * 24 * 3_600_000;
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() + ahead - 3 * 3_600_000,
        &[],
    );
    let first = push(&app, &o.token, &[&walk], now_ms() + ahead).await;
    assert_eq!(first.results[0].status, PushStatus::Accepted);
    let r = push(&app, &o.token, &[&walk], now_ms()).await;
    assert_eq!(
        r.results[0].status,
        PushStatus::AlreadyHad,
        "{:?}",
        r.results[0]
    );
    assert_eq!(revisions_stored(&app, &walk.id), 1);
}

/// Only the revision's own key means "already had"; another unique key the
/// record runs into is a final `rejected` with a code — never a 5xx a phone retries forever.
async fn other_unique_keys_are_a_final_rejection(app: TestApp) {
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let walk = fixtures::walkthrough(
        &o.assignment,
        &o.scenario,
        "phone-1",
        now_ms() - 3 * 3_600_000,
        &[],
    );
    {
        // A walkthrough row with this id but no revision (a damaged database).
        use diesel::prelude::*;
        use flowwalk_server::db::schema::{users, walkthroughs as w};
        let mut conn = app.db.pool().get().unwrap();
        let observer_id: String = users::table
            .filter(users::username.eq("experiencer"))
            .select(users::id)
            .first(&mut *conn)
            .unwrap();
        diesel::insert_into(w::table)
            .values((
                w::id.eq(&walk.id),
                w::observer_id.eq(observer_id),
                w::assignment_id.eq(&o.assignment.id),
                w::latest_rev.eq(1),
                w::status.eq(flowwalk_shared::sync::ReviewStatus::Submitted),
                w::review_comment.eq(""),
                w::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    for _ in 0..2 {
        let r = push(&app, &o.token, &[&walk], now_ms()).await;
        assert_eq!(
            r.results[0].status,
            PushStatus::Rejected,
            "{:?}",
            r.results[0]
        );
        assert_eq!(
            r.results[0].code,
            Some(flowwalk_shared::ErrorCode::Duplicate)
        );
    }
    assert_eq!(revisions_stored(&app, &walk.id), 0);
}

both!(
    a_correction_stays_on_its_assignment,
    a_retry_after_reassignment_is_already_had,
    a_retry_after_the_clock_is_corrected_is_already_had,
    other_unique_keys_are_a_final_rejection,
);

both!(
    repushing_is_idempotent,
    concurrent_identical_pushes_store_one,
    different_content_is_a_conflict_and_both_are_kept,
    only_complete_walkthroughs_reach_review,
    photo_uploads_repeat_cheaply_and_refuse_hostile_files,
    oversized_photos_get_413,
    served_variants_carry_no_metadata,
    clock_skew_is_normalised_or_refused,
    bad_records_are_rejected_per_record,
    review_round_trip_reaches_the_phone,
);

/// The S3 photo store, against the S3-compatible server `scripts/test` starts.
async fn photos_work_on_s3_storage(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let s3 = std::env::var("FLOWWALK_TEST_S3_URL").unwrap_or_else(|_| {
        panic!("FLOWWALK_TEST_S3_URL is not set: run ./scripts/test, which starts an S3-compatible test server")
    });
    let bucket = format!("flowwalk-{}", uuid::Uuid::now_v7().simple());
    let res = reqwest::Client::new()
        .put(format!("{s3}/{bucket}"))
        .send()
        .await
        .expect("the S3 server answers");
    assert!(
        res.status().is_success(),
        "creating the bucket: {}",
        res.status()
    );
    let app = TestApp::spawn_with(backend, |s| {
        s.photo_store = "s3".into();
        s.s3_bucket = bucket.clone();
        s.s3_endpoint = s3.clone();
        s.s3_allow_http = true;
        s.s3_access_key_id = "testing".into();
        s.s3_secret_access_key = "testing".into();
    })
    .await;
    app.load_demo();
    let o = observer(&app, "experiencer").await;
    let token = o.token.clone();
    let photo = with_exif(&jpeg(900, 600, 41), 1);
    let sha = hex_sha256(&photo);
    refer_to(&app, &o, &[&photo]).await;
    expect_json(put_photo(&app, &token, &photo).await, StatusCode::CREATED).await;
    let thumb = app
        .get(&format!("/api/v1/photos/{sha}/thumb"), &token)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(image::load_from_memory(&thumb).unwrap().width(), 320);
    let manager = app.demo_login("manager").await;
    let original = app
        .get(&format!("/api/v1/photos/{sha}/original"), &manager)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(original.as_ref(), photo.as_slice());
    // Nothing went to the local folder.
    let local = app.settings.data_dir.join("photos");
    assert!(!local.exists() || std::fs::read_dir(&local).unwrap().next().is_none());
}

both!(photos_work_on_s3_storage);
