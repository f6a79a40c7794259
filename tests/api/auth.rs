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

    // r1 again: someone replayed a stolen token. The whole family dies, r2 included.
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
