//! Bad input of every kind gets a 4xx with a stable code and the field, never a 500, and
//! changes nothing.

use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::json;

async fn raw(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn malformed_bodies_are_refused_with_a_code(app: TestApp) {
    app.load_demo();
    let t = app.demo_login("admin").await;
    let p = "/api/v1/departments";
    let json_ct = "application/json";
    expect_error(
        raw(&app, p, &t, json_ct, b"{\"code\":".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
        None,
    )
    .await;
    expect_error(
        raw(&app, p, &t, json_ct, b"".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
        None,
    )
    .await;
    expect_error(
        raw(&app, p, &t, json_ct, b"[1,2]".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "invalid_type",
        None,
    )
    .await;
    expect_error(
        raw(&app, p, &t, json_ct, br#"{"code":"x"}"#.to_vec()).await,
        StatusCode::BAD_REQUEST,
        "missing_field",
        Some("name"),
    )
    .await;
    expect_error(
        raw(
            &app,
            p,
            &t,
            json_ct,
            br#"{"code":"x","name":"n","colour":1}"#.to_vec(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        Some("colour"),
    )
    .await;
    // A NUL in an id PostgreSQL would be asked to look up (found by schemathesis as a 500).
    expect_error(
        raw(
            &app,
            "/api/v1/scenarios",
            &t,
            json_ct,
            br#"{"code":"nul","name":"n","steps":[{"name":"s","department_id":"d\u0000","channel":"window","standard_minutes":5}]}"#
                .to_vec(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("steps[0].department_id"),
    )
    .await;
    expect_error(
        raw(&app, p, &t, json_ct, br#"{"code":7,"name":"n"}"#.to_vec()).await,
        StatusCode::BAD_REQUEST,
        "invalid_type",
        Some("code"),
    )
    .await;
    expect_error(
        raw(
            &app,
            p,
            &t,
            "text/plain",
            br#"{"code":"x","name":"n"}"#.to_vec(),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
    )
    .await;
    expect_error(
        raw(&app, p, &t, json_ct, b"\xff\xfe".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
        None,
    )
    .await;
    // Invalid values.
    expect_error(
        app.post(p, Some(&t), &json!({"code": "Has Spaces", "name": "n"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("code"),
    )
    .await;
    expect_error(
        app.post(p, Some(&t), &json!({"code": "ok", "name": "   "}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("name"),
    )
    .await;
    expect_error(
        app.post(p, Some(&t), &json!({"code": "ok", "name": "x".repeat(500)}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("name"),
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/venues",
            Some(&t),
            &json!({"code": "ok", "name": "n", "level": "galaxy"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("level"),
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/users",
            Some(&t),
            &json!({"username": "abc", "password": "short", "role": "inspector"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("password"),
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/users",
            Some(&t),
            &json!({"username": "abcd", "password": "long-enough", "role": "king"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("role"),
    )
    .await;
    // Nested paths name the exact element.
    let depts = expect_json(app.get(p, &t).await, StatusCode::OK).await;
    let dept = depts[0]["id"].clone();
    let res = app
        .post(
            "/api/v1/scenarios",
            Some(&t),
            &json!({"code": "s", "name": "n", "steps": [
                {"name": "a", "channel": "window", "department_id": dept, "standard_minutes": 5},
                {"name": "b", "channel": "window", "department_id": dept, "standard_minutes": "ten"}
            ]}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_type",
        Some("steps[1].standard_minutes"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/scenarios",
            Some(&t),
            &json!({"code": "s", "name": "n", "steps": [
                {"name": "a", "channel": "window", "department_id": dept, "standard_minutes": -5}
            ]}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("steps[0].standard_minutes"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/scenarios",
            Some(&t),
            &json!({"code": "s", "name": "n", "steps": [
                {"name": "a", "channel": "fax", "department_id": dept, "standard_minutes": 5}
            ]}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("steps[0].channel"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/assignments",
            Some(&t),
            &json!({"scenario_id": "a", "venue_id": "b", "observer_ids": [],
        "starts_on": "2026-02-30", "ends_on": "2026-03-01", "mode": "in_person"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("starts_on"),
    )
    .await;
}

async fn oversized_bodies_are_refused(app: TestApp) {
    app.load_demo();
    let t = app.demo_login("admin").await;
    let big = format!(
        r#"{{"code":"big","name":"{}"}}"#,
        "x".repeat(app.settings.max_body_bytes + 10)
    );
    let res = raw(
        &app,
        "/api/v1/departments",
        &t,
        "application/json",
        big.into_bytes(),
    )
    .await;
    expect_error(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        None,
    )
    .await;
}

async fn a_failed_request_writes_nothing(app: TestApp) {
    app.load_demo();
    let t = app.demo_login("admin").await;
    let before = expect_json(app.get("/api/v1/scenarios", &t).await, StatusCode::OK).await;
    let depts = expect_json(app.get("/api/v1/departments", &t).await, StatusCode::OK).await;
    // The scenario row would be written before the bad third step is found.
    let res = app.post("/api/v1/scenarios", Some(&t), &json!({"code": "half", "name": "写一半", "steps": [
        {"name": "a", "channel": "window", "department_id": depts[0]["id"], "standard_minutes": 5},
        {"name": "b", "channel": "window", "department_id": depts[1]["id"], "standard_minutes": 5},
        {"name": "c", "channel": "window", "department_id": "no-such-department", "standard_minutes": 5}
    ]})).await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("steps[2].department_id"),
    )
    .await;
    let after = expect_json(app.get("/api/v1/scenarios", &t).await, StatusCode::OK).await;
    assert_eq!(before, after, "nothing half-written");
    // And the code is still free.
    let res = app.post("/api/v1/scenarios", Some(&t), &json!({"code": "half", "name": "写一半", "steps": [
        {"name": "a", "channel": "window", "department_id": depts[0]["id"], "standard_minutes": 5}
    ]})).await;
    expect_json(res, StatusCode::CREATED).await;
    // A bad edit leaves the current version as it was.
    let s = &before[0];
    let id = s["id"].as_str().unwrap();
    let res = app
        .put(
            &format!("/api/v1/scenarios/{id}"),
            &t,
            &json!({"code": s["code"], "name": s["name"], "steps": []}),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_value", Some("steps")).await;
    let same = expect_json(
        app.get(&format!("/api/v1/scenarios/{id}"), &t).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(&same, s);
    // Unknown ids.
    let res = app.put("/api/v1/scenarios/nope", &t, &json!({"code": "z", "name": "z", "steps": [
        {"name": "a", "channel": "window", "department_id": depts[0]["id"], "standard_minutes": 5}]})).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
    // Duplicate scenario name under another code.
    let res = app.post("/api/v1/scenarios", Some(&t), &json!({"code": "other-code", "name": s["name"], "steps": [
        {"name": "a", "channel": "window", "department_id": depts[0]["id"], "standard_minutes": 5}]})).await;
    expect_error(res, StatusCode::CONFLICT, "duplicate", Some("name")).await;
}

/// PostgreSQL cannot compare text holding a NUL: one in the address was a 500 there (and a
/// 200 on SQLite) before the server refused it at the door.
async fn a_nul_in_the_address_is_refused(app: TestApp) {
    app.load_demo();
    let t = app.demo_login("manager").await;
    for path in [
        "/api/v1/issues/%00",
        "/api/v1/walkthroughs/a%00",
        "/api/v1/scenarios/%00",
    ] {
        expect_error(
            app.get(path, &t).await,
            StatusCode::BAD_REQUEST,
            "invalid_path",
            None,
        )
        .await;
    }
    for (path, field) in [
        ("/api/v1/walkthroughs?scenario_id=%00", "scenario_id"),
        ("/api/v1/walkthroughs?venue_id=v%00", "venue_id"),
        ("/api/v1/issues?department_id=%00", "department_id"),
        ("/api/v1/issues?status=open&q=a%00b", "q"),
        ("/api/v1/notifications?cursor%00=1", "cursor"),
    ] {
        let res = app.get(path, &t).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        expect_error(res, StatusCode::BAD_REQUEST, "invalid_query", Some(field)).await;
    }
    // Said in English when asked, like every error.
    let res = app
        .client
        .get(app.url("/api/v1/issues?q=%00"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::BAD_REQUEST, "invalid_query", Some("q")).await;
    assert_eq!(
        body["message"],
        "The address may not contain a NUL character (U+0000)"
    );
    // The text "%00" (a percent sign and two zeros) is not a NUL: searched for, found nowhere.
    let res = app.get("/api/v1/issues?q=%2500", &t).await;
    assert_eq!(res.status(), StatusCode::OK);
}

both!(
    a_nul_in_the_address_is_refused,
    malformed_bodies_are_refused_with_a_code,
    oversized_bodies_are_refused,
    a_failed_request_writes_nothing
);
