//! Login, refresh-token rotation and reuse detection, logout, rate limits, invites.

use flowwalk_shared::Role;
use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::json;

async fn refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    app.create_user("wangfang", "secret-pass-1", Role::Manager, None);
    let first = app.login_full("wangfang", "secret-pass-1").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();

    let second = expect_json(
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1}))
            .await,
        StatusCode::OK,
    )
    .await;
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "refresh tokens rotate");
    let me = app
        .get("/api/v1/auth/me", second["access_token"].as_str().unwrap())
        .await;
    assert_eq!(
        expect_json(me, StatusCode::OK).await["username"],
        "wangfang"
    );

    // r1 again, after the grace period for lost answers: someone replayed a stolen token.
    // The whole family dies, r2 included.
    age_spent_tokens(&app, 120);
    let res = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "refresh_token_reused", None).await;
    let res = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": r2}))
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "refresh_token_invalid", None).await;

    // Another login is a separate family and unaffected.
    let other = app.login_full("wangfang", "secret-pass-1").await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    expect_json(res, StatusCode::OK).await;

    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": "made-up"}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "refresh_token_invalid", None).await;
}

/// Moves the moment every spent refresh token was used `seconds` into the past.
fn age_spent_tokens(app: &TestApp, seconds: i64) {
    use diesel::prelude::*;
    use flowwalk_server::db::schema::refresh_tokens as rt;
    let mut conn = app.db.pool().get().unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(seconds);
    diesel::update(rt::table.filter(rt::used_at.is_not_null()))
        .set(rt::used_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
}

async fn logout_revokes(app: TestApp) {
    app.create_user("chenjing", "secret-pass-2", Role::Inspector, None);
    let t = app.login_full("chenjing", "secret-pass-2").await;
    let res = app
        .post(
            "/api/v1/auth/logout",
            None,
            &json!({"refresh_token": t["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": t["refresh_token"]}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "refresh_token_invalid", None).await;
}

async fn bad_tokens_are_refused(app: TestApp) {
    let res = app.get("/api/v1/auth/me", "not-a-jwt").await;
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_token", None).await;
    // A token signed with another secret (another deployment, or a forgery).
    let keys = flowwalk_server::auth::tokens::TokenKeys::new("another-secret", &[], 15, 30);
    let now = chrono::Utc::now().timestamp();
    let forged = keys
        .issue(&flowwalk_server::auth::tokens::Claims {
            sub: "x".into(),
            name: "x".into(),
            role: Role::Admin,
            dept: None,
            iat: now,
            exp: now + 60,
        })
        .unwrap();
    expect_error(
        app.get("/api/v1/users", &forged).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        None,
    )
    .await;
    let res = app
        .client
        .get(app.url("/api/v1/users"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
}

async fn logins_are_rate_limited_per_account(app: TestApp) {
    app.create_user("liuyang", "secret-pass-3", Role::Experiencer, None);
    let limit = app.settings.login_max_failures_per_account;
    for _ in 0..limit {
        let res = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": "liuyang", "password": "wrong-guess"}),
            )
            .await;
        expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
    }
    // Now even the right password is refused until the window passes.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "liuyang", "password": "secret-pass-3"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        None,
    )
    .await;
    // A name no account can have — a NUL byte, which PostgreSQL cannot store — is refused
    // as bad input like any text with a NUL (found by the fuzzer), never a 500.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "\u{0}bad\u{1}", "password": "whatever1"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("username"),
    )
    .await;
    // Unknown accounts fail the same way as wrong passwords.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "nobody", "password": "whatever1"}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
}

async fn logins_are_rate_limited_per_address(app: TestApp) {
    let limit = app.settings.login_max_failures_per_address;
    for i in 0..limit {
        let res = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": format!("guess{i}"), "password": "wrong-guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    app.create_user("sunli", "secret-pass-4", Role::Experiencer, None);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "sunli", "password": "secret-pass-4"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        None,
    )
    .await;
}

async fn invite_enrolls_a_volunteer_once(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let assignments = expect_json(
        app.get("/api/v1/assignments", &manager).await,
        StatusCode::OK,
    )
    .await;
    let assignment = assignments[0]["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "experiencer", "assignment_ids": [assignment], "valid_hours": 24}),
        )
        .await;
    let invite = expect_json(res, StatusCode::CREATED).await;
    let code = invite["code"].as_str().unwrap().to_owned();
    assert_eq!(invite["invite"]["role"], "experiencer");

    // Redeemed twice at the same moment: exactly one account.
    let body = |name: &str| json!({"code": code.to_lowercase(), "username": name, "password": "volunteer-pw", "display_name": "志愿者"});
    let (body_a, body_b) = (body("volunteer_a"), body("volunteer_b"));
    let (a, b) = tokio::join!(
        app.post("/api/v1/auth/redeem", None, &body_a),
        app.post("/api/v1/auth/redeem", None, &body_b),
    );
    let statuses = [a.status(), b.status()];
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    let winner = if a.status() == StatusCode::OK { a } else { b };
    let tokens = expect_json(winner, StatusCode::OK).await;
    assert_eq!(tokens["user"]["role"], "experiencer");
    let token = tokens["access_token"].as_str().unwrap();
    // The new volunteer sees exactly the assignment the invite named.
    let mine = expect_json(app.get("/api/v1/assignments", token).await, StatusCode::OK).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["id"], assignment.as_str());

    let res = app
        .post("/api/v1/auth/redeem", None, &body("volunteer_c"))
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
    let users = expect_json(app.get("/api/v1/users", &manager).await, StatusCode::OK).await;
    let volunteers = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["username"].as_str().unwrap().starts_with("volunteer_"))
        .count();
    assert_eq!(volunteers, 1);
}

async fn invite_scope_is_fixed_at_issue(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    // Managers cannot mint admins or other managers.
    for role in ["admin", "manager"] {
        let res = app
            .post("/api/v1/invites", Some(&manager), &json!({"role": role}))
            .await;
        expect_error(res, StatusCode::FORBIDDEN, "forbidden", Some("role")).await;
    }
    // A department officer's invite needs a real department.
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "department_officer"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "missing_field",
        Some("department_id"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "department_officer", "department_id": "nope"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("department_id"),
    )
    .await;
    let depts = expect_json(
        app.get("/api/v1/departments", &manager).await,
        StatusCode::OK,
    )
    .await;
    let dept = depts[0]["id"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "department_officer", "department_id": dept}),
        )
        .await;
    let code = expect_json(res, StatusCode::CREATED).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            "/api/v1/auth/redeem",
            None,
            &json!({"code": code, "username": "officer_new", "password": "officer-pw-1"}),
        )
        .await;
    let me = expect_json(res, StatusCode::OK).await;
    assert_eq!(me["user"]["role"], "department_officer");
    assert_eq!(me["user"]["department_id"], dept);
    // Expiry bounds.
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "experiencer", "valid_hours": 0}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("valid_hours"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/auth/redeem",
            None,
            &json!({"code": "WRONGCODE2", "username": "x_user", "password": "pw-long-enough"}),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
}

async fn expired_invites_are_refused(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let res = app
        .post(
            "/api/v1/invites",
            Some(&manager),
            &json!({"role": "experiencer", "valid_hours": 1}),
        )
        .await;
    let code = expect_json(res, StatusCode::CREATED).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Age the invite by two hours directly in the database.
    let mut conn = app.db.pool().get().unwrap();
    {
        use diesel::prelude::*;
        use flowwalk_server::db::schema::invites;
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
        diesel::update(invites::table)
            .set(invites::expires_at.eq(past))
            .execute(&mut *conn)
            .unwrap();
    }
    let res = app
        .post(
            "/api/v1/auth/redeem",
            None,
            &json!({"code": code, "username": "late_comer", "password": "pw-long-enough"}),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
}

/// The value of a Prometheus counter on `/metrics` (0 when absent).
async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn new_invite(app: &TestApp, manager: &str) -> String {
    let res = app
        .post(
            "/api/v1/invites",
            Some(manager),
            &json!({"role": "experiencer"}),
        )
        .await;
    expect_json(res, StatusCode::CREATED).await["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Bad codes from one place cannot shut enrolment for everyone, and a limited
/// caller costs no password hashing.
async fn redeem_limits_are_per_code_and_address(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let per_code = app.settings.login_max_failures_per_account;
    // More bad codes than one code's limit, from this address.
    for i in 0..=per_code {
        let res = app
            .post(
                "/api/v1/auth/redeem",
                None,
                &json!({"code": format!("BADCODE{i:03}"), "username": format!("walker_{i}"), "password": "walker-password"}),
            )
            .await;
        expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
    }
    // A volunteer with a real code still enrols.
    let good = new_invite(&app, &manager).await;
    let res = app
        .post(
            "/api/v1/auth/redeem",
            None,
            &json!({"code": good, "username": "volunteer_ok", "password": "walker-password"}),
        )
        .await;
    assert_eq!(
        expect_json(res, StatusCode::OK).await["user"]["username"],
        "volunteer_ok"
    );
    // One code guessed at over and over is limited on its own.
    for _ in 0..per_code {
        let res = app
            .post(
                "/api/v1/auth/redeem",
                None,
                &json!({"code": "SAMEWRONG1", "username": "walker_x", "password": "walker-password"}),
            )
            .await;
        expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
    }
    let res = app
        .post(
            "/api/v1/auth/redeem",
            None,
            &json!({"code": "samewrong1", "username": "walker_x", "password": "walker-password"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        None,
    )
    .await;
}

async fn a_limited_address_costs_no_hashing(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| s.login_max_failures_per_address = 3).await;
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let good = new_invite(&app, &manager).await;
    for i in 0..3 {
        let res = app
            .post(
                "/api/v1/auth/redeem",
                None,
                &json!({"code": format!("NOPE{i}"), "username": "walker_y", "password": "walker-password"}),
            )
            .await;
        expect_error(res, StatusCode::BAD_REQUEST, "invite_invalid", Some("code")).await;
    }
    let hashed = counter(&app, "flowwalk_password_hashes_total").await;
    // Over the limit: refused before anything is validated or hashed, even with a good code.
    for body in [
        json!({"code": good, "username": "walker_z", "password": "walker-password"}),
        json!({"code": good, "username": "walker_z", "password": "short"}),
    ] {
        let res = app.post("/api/v1/auth/redeem", None, &body).await;
        assert!(res.headers().contains_key("retry-after"));
        expect_error(
            res,
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            None,
        )
        .await;
    }
    assert_eq!(
        counter(&app, "flowwalk_password_hashes_total").await,
        hashed
    );
}

/// Behind a proxy that appends, the client's own X-Forwarded-For entries are not
/// the address; the entry the proxy added is.
async fn the_proxys_entry_is_the_client_address(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| {
        s.trust_proxy_headers = true;
        s.login_max_failures_per_address = 3;
        s.login_max_failures_per_account = 100;
    })
    .await;
    let login = |forwarded: String, user: String| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"username": user, "password": "wrong-guess"}))
            .send()
    };
    // Each guess claims another address on the left; the proxy saw 203.0.113.7.
    for i in 0..3 {
        let res = login(format!("198.51.100.{i}, 203.0.113.7"), format!("guess{i}"))
            .await
            .unwrap();
        expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
    }
    let res = login("198.51.100.99, 203.0.113.7".into(), "guess99".into())
        .await
        .unwrap();
    expect_error(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        None,
    )
    .await;
    // Another client behind the same proxy is not affected.
    let res = login("203.0.113.8".into(), "guess100".into())
        .await
        .unwrap();
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
}

fn failure_rows(app: &TestApp) -> i64 {
    let mut conn = app.db.pool().get().unwrap();
    flowwalk_server::accounts::store::login_failure_rows::count_all(&mut conn).unwrap()
}

fn age_failures(app: &TestApp, minutes: i64) {
    use diesel::prelude::*;
    use flowwalk_server::db::schema::login_failures as lf;
    let mut conn = app.db.pool().get().unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(minutes);
    diesel::update(lf::table)
        .set(lf::at.eq(past))
        .execute(&mut *conn)
        .unwrap();
}

/// A spray of random usernames leaves nothing behind once the window has passed.
async fn a_spray_of_usernames_leaves_nothing_after_the_window(app: TestApp) {
    for i in 0..12 {
        let res = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": format!("spray{i}"), "password": "wrong-guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        failure_rows(&app),
        24,
        "one row per account and one per address"
    );
    let window = i64::from(app.settings.login_window_minutes);
    age_failures(&app, window + 1);
    // The next attempt, of another name, purges every expired row.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "someone-else", "password": "wrong-guess"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(failure_rows(&app), 2);
    // And the maintenance round purges them with no attempt at all.
    age_failures(&app, window + 1);
    let store = flowwalk_server::photos::PhotoStore::from_settings(&app.settings).unwrap();
    let summary = flowwalk_server::maintenance::run_once(&app.db, &store, &app.settings)
        .await
        .unwrap();
    assert_eq!(summary.expired_attempts, 2);
    assert_eq!(failure_rows(&app), 0);
}

/// A refresh whose answer was lost is answered again with the same pair; reuse
/// after the grace period still revokes the login.
async fn a_lost_refresh_answer_keeps_the_login(app: TestApp) {
    app.create_user("zhaolei", "secret-pass-7", Role::Experiencer, None);
    let first = app.login_full("zhaolei", "secret-pass-7").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/refresh",
                None,
                &json!({"refresh_token": token}),
            )
            .await
        }
    };
    // The answer to this one is "lost".
    let lost = expect_json(refresh(r1.clone()).await, StatusCode::OK).await;
    // The phone retries with the same token, twice at once even: the same new pair.
    let (a, b) = tokio::join!(refresh(r1.clone()), refresh(r1.clone()));
    for again in [a, b] {
        let again = expect_json(again, StatusCode::OK).await;
        assert_eq!(again["refresh_token"], lost["refresh_token"]);
        assert_eq!(again["access_token"], lost["access_token"]);
    }
    let access = lost["access_token"].as_str().unwrap();
    expect_json(app.get("/api/v1/auth/me", access).await, StatusCode::OK).await;
    // The pair works on: its refresh token rotates as usual.
    let r2 = lost["refresh_token"].as_str().unwrap().to_owned();
    let next = expect_json(refresh(r2.clone()).await, StatusCode::OK).await;
    // Once the grace period is over, r1 again is reuse: the whole login is revoked.
    age_spent_tokens(&app, i64::from(app.settings.refresh_grace_seconds) + 1);
    expect_error(
        refresh(r1).await,
        StatusCode::UNAUTHORIZED,
        "refresh_token_reused",
        None,
    )
    .await;
    expect_error(
        refresh(next["refresh_token"].as_str().unwrap().to_owned()).await,
        StatusCode::UNAUTHORIZED,
        "refresh_token_invalid",
        None,
    )
    .await;
}

/// At most the configured number of password hashes run at once; the rest wait
/// briefly, then get 503 with Retry-After. Never a 500.
async fn password_hashing_is_bounded(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| {
        s.password_hash_concurrency = 1;
        s.password_hash_wait_ms = 1;
    })
    .await;
    let logins = (0..12).map(|i| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                &json!({"username": format!("nobody{i}"), "password": "wrong-guess"}),
            )
            .await
        }
    });
    let mut busy = 0;
    for res in futures_util::future::join_all(logins).await {
        match res.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(res.headers()["retry-after"], "2");
                expect_error(
                    res,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    None,
                )
                .await;
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        busy > 0,
        "with one slot and no wait, simultaneous logins are turned away"
    );
    assert_eq!(
        counter(&app, "flowwalk_password_hash_busy_total").await,
        f64::from(busy)
    );
    // A login that was turned away does not count against the limits.
    assert_eq!(failure_rows(&app), 2 * (12 - i64::from(busy)));
}

/// An attempt counts from the moment it starts, so a burst is cut at the limit
/// instead of being hashed first and counted afterwards.
async fn attempts_count_when_they_start(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = TestApp::spawn_with(backend, |s| {
        s.login_max_failures_per_address = 5;
        s.password_hash_concurrency = 1;
        s.password_hash_wait_ms = 30_000;
    })
    .await;
    let logins = (0..15).map(|i| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                &json!({"username": format!("burst{i}"), "password": "wrong-guess"}),
            )
            .await
        }
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(logins)
        .await
        .iter()
        .map(reqwest::Response::status)
        .collect();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((refused, limited), (5, 10), "{statuses:?}");
    assert_eq!(counter(&app, "flowwalk_password_hashes_total").await, 5.0);
}

both!(
    redeem_limits_are_per_code_and_address,
    a_limited_address_costs_no_hashing,
    the_proxys_entry_is_the_client_address,
    a_spray_of_usernames_leaves_nothing_after_the_window,
    a_lost_refresh_answer_keeps_the_login,
    password_hashing_is_bounded,
    attempts_count_when_they_start,
);

both!(
    refresh_rotates_and_reuse_revokes_the_family,
    logout_revokes,
    bad_tokens_are_refused,
    logins_are_rate_limited_per_account,
    logins_are_rate_limited_per_address,
    invite_enrolls_a_volunteer_once,
    invite_scope_is_fixed_at_issue,
    expired_invites_are_refused,
);
