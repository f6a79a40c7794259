//! The phone's sync engine (`flowwalk-observer` over `flowwalk-client`, no UI) against the real server: a lost
//! answer, a retry, photos, and a manager's return travelling back to the phone.

use std::cell::Cell;
use std::collections::HashMap;

use flowwalk_client::api::{ApiError, HttpTransport, Transport};
use flowwalk_observer::outbox::{EvidenceState, Outbox, SendState};
use flowwalk_observer::sync::{PhotoSource, officer_once, sync_once};
use flowwalk_shared::api::issues::{EvidenceRequest, IssueSummary, Page};
use flowwalk_shared::sync::{PullResponse, PushRequest, PushResponse, ReviewStatus};
use flowwalk_shared::walkthrough::hex_sha256;
use flowwalk_tests::fixtures::{self, jpeg};
use flowwalk_tests::{TestApp, both, expect_json};
use reqwest::StatusCode;
use serde_json::json;

/// The real server, except that the first push's answer is lost after the server committed.
struct LosesFirstAnswer {
    inner: HttpTransport,
    lost: Cell<bool>,
    evidence_lost: Cell<bool>,
}

impl Transport for LosesFirstAnswer {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
        let answer = self.inner.push(request).await;
        if !self.lost.replace(true) {
            return Err(ApiError::Network("connection reset".into()));
        }
        answer
    }

    async fn pull(&self, cursor: &str) -> Result<PullResponse, ApiError> {
        self.inner.pull(cursor).await
    }

    async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        self.inner.put_photo(sha256, bytes).await
    }

    async fn refresh(
        &self,
        refresh_token: &str,
    ) -> Result<flowwalk_shared::api::auth::TokenResponse, ApiError> {
        self.inner.refresh(refresh_token).await
    }

    async fn open_issues(&self, cursor: &str) -> Result<Page<IssueSummary>, ApiError> {
        self.inner.open_issues(cursor).await
    }

    /// The first evidence's answer is lost too, after the server stored it.
    async fn submit_evidence(
        &self,
        issue_id: &str,
        request: &EvidenceRequest,
    ) -> Result<(), ApiError> {
        let answer = self.inner.submit_evidence(issue_id, request).await;
        if !self.evidence_lost.replace(true) {
            return Err(ApiError::Network("connection reset".into()));
        }
        answer
    }
}

struct Photos(HashMap<String, Vec<u8>>);

impl PhotoSource for Photos {
    async fn photo(&self, sha256: &str) -> Option<Vec<u8>> {
        self.0.get(sha256).cloned()
    }
}

async fn the_phone_engine_delivers_exactly_once(app: TestApp) {
    app.load_demo();
    let tokens = HttpTransport::login(
        &app.base,
        "experiencer",
        flowwalk_server::demo::DEMO_PASSWORD,
    )
    .await
    .expect("login");
    let transport = LosesFirstAnswer {
        inner: HttpTransport::new(&app.base, &tokens.access_token),
        lost: Cell::new(false),
        evidence_lost: Cell::new(false),
    };
    let mut outbox = Outbox::default();
    let now = || chrono::Utc::now().timestamp_millis();

    // First round: only a pull, which brings what is needed offline.
    let report = sync_once(
        &mut outbox,
        &transport,
        &Photos(HashMap::new()),
        "phone-1",
        now(),
        0.5,
    )
    .await;
    let reference = report.reference.expect("reference data on the first pull");
    let assignment = reference.assignments[0].clone();
    let scenario = reference
        .scenarios
        .iter()
        .find(|s| s.version_id == assignment.scenario_version_id)
        .unwrap()
        .clone();

    let (p1, p2) = (jpeg(640, 480, 71), jpeg(480, 640, 72));
    let photos = Photos(HashMap::from([
        (hex_sha256(&p1), p1.clone()),
        (hex_sha256(&p2), p2.clone()),
    ]));
    let walk = fixtures::walkthrough(
        &assignment,
        &scenario,
        "phone-1",
        now() - 3 * 3_600_000,
        &[vec![hex_sha256(&p1), hex_sha256(&p2)]],
    );
    outbox.submit(walk.clone()).unwrap();

    // The answer is lost: still waiting, to be retried.
    sync_once(&mut outbox, &transport, &photos, "phone-1", now(), 0.5).await;
    assert_eq!(outbox.get(&walk.id).unwrap().state, SendState::Waiting);
    // Past the back-off: the server already had it; the photos go up.
    sync_once(
        &mut outbox,
        &transport,
        &photos,
        "phone-1",
        now() + 3_600_000,
        0.5,
    )
    .await;
    assert_eq!(outbox.get(&walk.id).unwrap().state, SendState::Sent);

    // The server holds it once, complete, with both photos byte-identical.
    let manager = app.demo_login("manager").await;
    let list = expect_json(
        app.get("/api/v1/walkthroughs?status=submitted", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["id"] == walk.id.as_str())
            .count(),
        1
    );
    for p in [&p1, &p2] {
        let original = app
            .get(
                &format!("/api/v1/photos/{}/original", hex_sha256(p)),
                &manager,
            )
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(hex_sha256(&original), hex_sha256(p));
    }

    // The manager returns it; the next round brings the comment; the correction goes as rev 2.
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/return", walk.id),
            Some(&manager),
            &json!({"rev": 1, "comment": "请补充第一步的照片说明"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    sync_once(&mut outbox, &transport, &photos, "phone-1", now(), 0.5).await;
    let review = outbox
        .get(&walk.id)
        .unwrap()
        .review
        .clone()
        .expect("the review reached the phone");
    assert_eq!(
        (review.status, review.comment.as_str()),
        (ReviewStatus::Returned, "请补充第一步的照片说明")
    );
    let mut corrected = walk.clone();
    corrected.rev = 2;
    corrected.comment = "已补充说明".into();
    outbox.resubmit(corrected).unwrap();
    sync_once(&mut outbox, &transport, &photos, "phone-1", now(), 0.5).await;
    assert_eq!(outbox.get(&walk.id).unwrap().state, SendState::Sent);
    let detail = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{}", walk.id), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["summary"]["rev"], 2);
    assert_eq!(detail["record"]["comment"], "已补充说明");
}

both!(the_phone_engine_delivers_exactly_once);

/// A department officer's phone: the open issues come down while online; evidence with a
/// photo is written offline; when the network returns the photo and the evidence go, the
/// first answer is lost, and the retry is stored once.
async fn the_officer_s_phone_delivers_evidence_once(app: TestApp) {
    app.load_demo();
    let tokens = HttpTransport::login(&app.base, "officer", flowwalk_server::demo::DEMO_PASSWORD)
        .await
        .expect("login");
    let transport = LosesFirstAnswer {
        inner: HttpTransport::new(&app.base, &tokens.access_token),
        lost: Cell::new(false),
        evidence_lost: Cell::new(false),
    };
    let mut outbox = Outbox::default();
    let now = || chrono::Utc::now().timestamp_millis();
    let none = Photos(HashMap::new());
    let report = officer_once(&mut outbox, &transport, &none, now(), 0.5, &mut |_| {}).await;
    assert!(
        report.reached_server && report.retry_later.is_empty(),
        "{report:?}"
    );
    assert!(
        !outbox.issues.is_empty(),
        "the demo officer has open issues"
    );
    let deadlines: Vec<_> = outbox.issues.iter().map(|i| i.deadline).collect();
    assert!(
        deadlines.is_sorted(),
        "earliest deadline first: {deadlines:?}"
    );
    assert!(
        outbox
            .issues
            .iter()
            .all(|i| matches!(i.status.as_str(), "fix_now" | "ledger")),
        "only issues awaiting a fix"
    );
    let issue = outbox.issues[0].clone();

    let photo = jpeg(64, 48, 77);
    let sha = hex_sha256(&photo);
    let id = outbox
        .open_evidence(&issue.id, "phone-ev-1".into())
        .unwrap();
    outbox
        .edit_evidence(&id, |e| {
            e.note = "已更换取号机并张贴指引".into();
            e.photos.push(sha.clone());
        })
        .unwrap();
    outbox.submit_evidence(&id).unwrap();
    let photos = Photos(HashMap::from([(sha.clone(), photo)]));
    officer_once(&mut outbox, &transport, &photos, now(), 0.5, &mut |_| {}).await;
    assert_eq!(
        outbox.evidence[0].state,
        EvidenceState::Waiting,
        "answer lost"
    );
    let report = officer_once(
        &mut outbox,
        &transport,
        &photos,
        now() + 3_600_000,
        0.5,
        &mut |_| {},
    )
    .await;
    assert_eq!(report.stored, 1, "{report:?}");
    assert_eq!(outbox.evidence[0].state, EvidenceState::Sent);
    assert!(
        outbox.issues.iter().all(|i| i.id != issue.id),
        "the issue left the open list"
    );

    let manager = app.demo_login("manager").await;
    let detail = expect_json(
        app.get(&format!("/api/v1/issues/{}", issue.id), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let evidence = detail["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "stored once: {evidence:?}");
    assert_eq!(evidence[0]["note"], "已更换取号机并张贴指引");
    assert_eq!(evidence[0]["photos"], json!([sha]));
    assert_eq!(detail["summary"]["version"], issue.version + 1);
}

both!(the_officer_s_phone_delivers_evidence_once);

/// The app's state as the screens drive it, against the real server: log in, download the
/// reference data, record a walk with the recorder's timers, submit, and sync with an
/// access token that has expired meanwhile (a day offline) — the round refreshes it.
async fn the_app_state_records_and_delivers_after_a_day_offline(app: TestApp) {
    use flowwalk_client::storage::{FileStorage, Storage};
    use flowwalk_observer::store::{AppData, Doc, Session, sync_round};
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::{Finding, Severity};

    app.load_demo();
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::open(dir.path()).unwrap();
    let now = || chrono::Utc::now().timestamp_millis();
    let mut n = 0;
    let mut ids = move || {
        n += 1;
        format!("0190e9a0-0000-7000-8000-{n:012}")
    };
    let mut data = AppData::load(&storage, || "phone-app".into())
        .await
        .unwrap();
    let tokens = HttpTransport::login(
        &app.base,
        "experiencer",
        flowwalk_server::demo::DEMO_PASSWORD,
    )
    .await
    .unwrap();
    data.session = Some(Session::from_tokens(&app.base, tokens, now()));
    let session = data.session.clone().unwrap();
    let round = sync_round(
        &storage,
        &session,
        &data.outbox,
        "phone-app",
        now(),
        0.5,
        &mut |_| {},
    )
    .await;
    data.apply_round(round, now());
    assert!(
        data.reference.is_some(),
        "the first round downloads the reference data"
    );
    let assignment = data.my_assignments()[0].id.clone();
    let category = data.reference.as_ref().unwrap().categories[0].id.clone();

    // Recorded offline, an hour ago; the photo goes to storage first.
    let t0 = now() - 3_600_000;
    let photo = jpeg(800, 600, 9);
    let sha = hex_sha256(&photo);
    storage.put_photo(&sha, &photo).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let id = data.start_walk(&assignment, t0, today, &mut ids).unwrap();
    data.edit_draft(&id, |d| {
        d.wait_at(0, t0);
        d.serve_at(0, t0 + 600_000);
        d.finish_at(
            0,
            t0 + 900_000,
            flowwalk_shared::walkthrough::StepOutcome::Done,
        );
        d.findings.push(Finding {
            id: "0190e9a0-0000-7000-8000-ffffffffffff".into(),
            step_id: Some(d.steps[0].id.clone()),
            category_id: category.clone(),
            severity: Severity::High,
            description: "叫号屏不显示".into(),
            photos: vec![sha.clone()],
            location: None,
        });
        d.satisfaction = Some(Satisfaction::Dissatisfied);
        d.smoothness = Some(Smoothness::NotSmooth);
    })
    .unwrap();
    data.submit(&id, t0 + 1_000_000).unwrap();
    data.save(&storage, &Doc::ALL).await.unwrap();

    // The next day: the state comes back from storage, the access token has expired.
    let mut data = AppData::load(&storage, || unreachable!()).await.unwrap();
    let mut session = data.session.clone().unwrap();
    session.access_expires_at_ms = now() - 1;
    let round = sync_round(
        &storage,
        &session,
        &data.outbox,
        "phone-app",
        now(),
        0.5,
        &mut |_| {},
    )
    .await;
    assert!(round.session.is_some(), "the tokens were refreshed");
    data.apply_round(round, now());
    let entry = data.outbox.get(&id).unwrap();
    assert_eq!(entry.state, SendState::Sent, "{:?}", entry.last_error);
    assert_ne!(
        data.session.as_ref().unwrap().refresh_token,
        session.refresh_token
    );

    let manager = app.demo_login("manager").await;
    let detail = expect_json(
        app.get(&format!("/api/v1/walkthroughs/{id}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["record"]["steps"][0]["waiting_ms"], 600_000);
    assert_eq!(detail["record"]["steps"][0]["serving_ms"], 300_000);
    let original = app
        .get(&format!("/api/v1/photos/{sha}/original"), &manager)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(hex_sha256(&original), sha);

    // A revoked session: the round says so and touches no record.
    let mut gone = data.session.clone().unwrap();
    gone.access_expires_at_ms = 0;
    gone.refresh_token = "not-a-token".into();
    let round = sync_round(
        &storage,
        &gone,
        &data.outbox,
        "phone-app",
        now(),
        0.5,
        &mut |_| {},
    )
    .await;
    assert!(round.report.needs_login);
    data.apply_round(round, now());
    assert!(data.session.as_ref().unwrap().needs_login);
    assert_eq!(data.outbox.get(&id).unwrap().state, SendState::Sent);
}

both!(the_app_state_records_and_delivers_after_a_day_offline);

/// A photo over the account's daily quota is answered 429 with `Retry-After`: the phone's
/// client reads it as "come back then" (not a refusal that would strand the walkthrough).
async fn the_phone_reads_a_quota_as_later_not_refused(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| s.photo_quota_bytes_per_day = 1_000).await;
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let transport = HttpTransport::new(&app.base, &token);
    let photo = jpeg(200, 150, 4242);
    assert!(photo.len() > 1_000);
    match transport.put_photo(&hex_sha256(&photo), photo).await {
        Err(ApiError::Busy {
            status: 429,
            retry_after_ms: Some(ms),
            body: Some(body),
        }) => {
            assert!(
                (1_000..=24 * 3_600_000).contains(&ms),
                "until tomorrow: {ms}"
            );
            assert_eq!(body.code, flowwalk_shared::ErrorCode::PhotoQuotaExceeded);
        }
        other => panic!("expected a quota to mean later, got {other:?}"),
    }
}

both!(the_phone_reads_a_quota_as_later_not_refused);
