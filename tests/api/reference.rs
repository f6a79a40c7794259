//! Reference data: venues and their hierarchy, departments, versioned scenarios,
//! categories, assignments.

use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn staff(app: &TestApp) -> String {
    app.load_demo();
    app.demo_login("manager").await
}

async fn venue_hierarchy_is_enforced(app: TestApp) {
    let t = staff(&app).await;
    let post = |body: Value| {
        let t = t.clone();
        let app = &app;
        async move { app.post("/api/v1/venues", Some(&t), &body).await }
    };
    let city = expect_json(post(json!({"code": "wx-city", "name": "无锡市政务服务中心", "level": "city", "address": "无锡市"})).await, StatusCode::CREATED).await;
    let district = expect_json(post(json!({"code": "wx-d", "name": "梁溪区政务服务中心", "level": "district", "parent_id": city["id"]})).await, StatusCode::CREATED).await;
    // A village cannot hang directly under a district, nor a town under nothing.
    expect_error(post(json!({"code": "wx-v", "name": "某村便民服务站", "level": "village", "parent_id": district["id"]})).await, StatusCode::BAD_REQUEST, "invalid_value", Some("parent_id")).await;
    expect_error(
        post(json!({"code": "wx-t0", "name": "无上级街道", "level": "town"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("parent_id"),
    )
    .await;
    let town = expect_json(post(json!({"code": "wx-t", "name": "崇安寺街道便民服务中心", "level": "town", "parent_id": district["id"]})).await, StatusCode::CREATED).await;
    expect_json(post(json!({"code": "wx-v", "name": "某社区便民服务站", "level": "village", "parent_id": town["id"]})).await, StatusCode::CREATED).await;
    expect_error(
        post(json!({"code": "wx-x", "name": "x", "level": "town", "parent_id": "no-such-venue"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("parent_id"),
    )
    .await;
    // Duplicate name and code.
    expect_error(
        post(json!({"code": "wx-city2", "name": "无锡市政务服务中心", "level": "city"})).await,
        StatusCode::CONFLICT,
        "duplicate",
        Some("name"),
    )
    .await;
    expect_error(
        post(json!({"code": "wx-city", "name": "另一个", "level": "city"})).await,
        StatusCode::CONFLICT,
        "duplicate",
        Some("code"),
    )
    .await;
    // A district cannot become a village while it has children.
    let res = app.put(&format!("/api/v1/venues/{}", district["id"].as_str().unwrap()), &t, &json!({"code": "wx-d", "name": "梁溪区政务服务中心", "level": "specialised", "parent_id": city["id"]})).await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_value", Some("level")).await;
    // Update works and is visible.
    let res = app.put(&format!("/api/v1/venues/{}", town["id"].as_str().unwrap()), &t, &json!({"code": "wx-t", "name": "崇安寺街道便民服务中心", "level": "town", "parent_id": district["id"], "address": "中山路1号"})).await;
    assert_eq!(
        expect_json(res, StatusCode::OK).await["address"],
        "中山路1号"
    );
    let res = app
        .put(
            "/api/v1/venues/no-such-venue",
            &t,
            &json!({"code": "q", "name": "q", "level": "city"}),
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
}

async fn departments_crud(app: TestApp) {
    let t = staff(&app).await;
    let d = expect_json(
        app.post(
            "/api/v1/departments",
            Some(&t),
            &json!({"code": "archives2", "name": "市档案馆", "name_en": "City Archives"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = d["id"].as_str().unwrap();
    let got = expect_json(
        app.get(&format!("/api/v1/departments/{id}"), &t).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["name"], "市档案馆");
    let upd = expect_json(
        app.put(
            &format!("/api/v1/departments/{id}"),
            &t,
            &json!({"code": "archives2", "name": "常州市档案馆"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(upd["name"], "常州市档案馆");
    expect_error(
        app.post(
            "/api/v1/departments",
            Some(&t),
            &json!({"code": "other", "name": "常州市档案馆"}),
        )
        .await,
        StatusCode::CONFLICT,
        "duplicate",
        Some("name"),
    )
    .await;
    expect_error(
        app.get("/api/v1/departments/unknown", &t).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
}

async fn editing_a_scenario_makes_a_new_version(app: TestApp) {
    let t = staff(&app).await;
    let depts = expect_json(app.get("/api/v1/departments", &t).await, StatusCode::OK).await;
    let dept = depts[0]["id"].as_str().unwrap();
    let v1 = json!({"code": "card-replace", "name": "社保卡补办(测试)", "description": "1.0 标准", "steps": [
        {"name": "取号", "channel": "kiosk", "department_id": dept, "standard_minutes": 5},
        {"name": "窗口受理", "channel": "window", "department_id": dept, "standard_minutes": 30, "materials_count": 2},
        {"name": "领卡", "channel": "window", "department_id": dept, "standard_minutes": 10, "fee_cents": 0}
    ]});
    let s1 = expect_json(
        app.post("/api/v1/scenarios", Some(&t), &v1).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(s1["version"], 1);
    assert_eq!(s1["promised_minutes"], 45);
    assert_eq!(s1["steps"][1]["position"], 2);
    let id = s1["id"].as_str().unwrap();

    // An assignment made now pins version 1.
    let venues = expect_json(app.get("/api/v1/venues", &t).await, StatusCode::OK).await;
    let users = expect_json(app.get("/api/v1/users", &t).await, StatusCode::OK).await;
    let observer = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "experiencer")
        .unwrap()["id"]
        .clone();
    let a = expect_json(app.post("/api/v1/assignments", Some(&t), &json!({
        "scenario_id": id, "venue_id": venues[0]["id"], "observer_ids": [observer],
        "starts_on": "2026-12-01", "ends_on": "2026-12-03", "mode": "online_simulation", "note": "线上模拟办件"
    })).await, StatusCode::CREATED).await;
    assert_eq!(a["scenario_version_id"], s1["version_id"]);
    assert_eq!(a["status"], "planned");

    // 2.0: the kiosk step goes, the window step gets faster.
    let v2 = json!({"code": "card-replace", "name": "社保卡补办(测试)", "description": "2.0 标准:即时制卡", "steps": [
        {"name": "窗口受理并即时制卡", "channel": "window", "department_id": dept, "standard_minutes": 15, "materials_count": 1}
    ]});
    let s2 = expect_json(
        app.put(&format!("/api/v1/scenarios/{id}"), &t, &v2).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s2["version"], 2);
    assert_eq!(s2["id"], id);
    assert_ne!(s2["version_id"], s1["version_id"]);
    assert_eq!(s2["promised_minutes"], 15);

    // Version 1 is untouched, and still what the assignment points at.
    let old = expect_json(
        app.get(&format!("/api/v1/scenarios/{id}?version=1"), &t)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(old["steps"].as_array().unwrap().len(), 3);
    assert_eq!(old["is_current"], false);
    assert_eq!(old["version_id"], s1["version_id"]);
    let all = expect_json(
        app.get(&format!("/api/v1/scenarios/{id}/versions"), &t)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let a_now = expect_json(
        app.get(
            &format!("/api/v1/assignments/{}", a["id"].as_str().unwrap()),
            &t,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a_now["scenario_version_id"], s1["version_id"]);
    let cur = expect_json(
        app.get(&format!("/api/v1/scenarios/{id}"), &t).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cur["version"], 2);
    expect_error(
        app.get(&format!("/api/v1/scenarios/{id}?version=9"), &t)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    expect_error(
        app.get(&format!("/api/v1/scenarios/{id}?version=abc"), &t)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        None,
    )
    .await;
}

async fn assignments_check_their_references(app: TestApp) {
    let t = staff(&app).await;
    let scenarios = expect_json(app.get("/api/v1/scenarios", &t).await, StatusCode::OK).await;
    let venues = expect_json(app.get("/api/v1/venues", &t).await, StatusCode::OK).await;
    let users = expect_json(app.get("/api/v1/users", &t).await, StatusCode::OK).await;
    let by_role = |r: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["role"] == r)
            .unwrap()["id"]
            .clone()
    };
    let body = |observers: Value, start: &str, end: &str| {
        json!({
            "scenario_id": scenarios[0]["id"], "venue_id": venues[0]["id"], "observer_ids": observers,
            "starts_on": start, "ends_on": end, "mode": "in_person"
        })
    };
    let res = app
        .post(
            "/api/v1/assignments",
            Some(&t),
            &body(json!([by_role("panel_member")]), "2026-12-01", "2026-12-02"),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("observer_ids[0]"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/assignments",
            Some(&t),
            &body(
                json!([by_role("inspector"), "ghost"]),
                "2026-12-01",
                "2026-12-02",
            ),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("observer_ids[1]"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/assignments",
            Some(&t),
            &body(json!([by_role("inspector")]), "2026-12-05", "2026-12-02"),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("ends_on"),
    )
    .await;
    let res = app
        .post(
            "/api/v1/assignments",
            Some(&t),
            &body(json!([]), "2026-12-01", "2026-12-02"),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("observer_ids"),
    )
    .await;
    let mut b = body(json!([by_role("inspector")]), "2026-12-01", "2026-12-02");
    b["venue_id"] = json!("nowhere");
    expect_error(
        app.post("/api/v1/assignments", Some(&t), &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("venue_id"),
    )
    .await;
    let mut b = body(json!([by_role("inspector")]), "2026-12-01", "2026-12-02");
    b["scenario_id"] = json!("nothing");
    expect_error(
        app.post("/api/v1/assignments", Some(&t), &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("scenario_id"),
    )
    .await;
    // A good one, then a status change.
    let mut good = body(
        json!([by_role("inspector"), by_role("experiencer")]),
        "2026-12-01",
        "2026-12-02",
    );
    let a = expect_json(
        app.post("/api/v1/assignments", Some(&t), &good).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["observer_ids"].as_array().unwrap().len(), 2);
    good["status"] = json!("in_progress");
    let a2 = expect_json(
        app.put(
            &format!("/api/v1/assignments/{}", a["id"].as_str().unwrap()),
            &t,
            &good,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a2["status"], "in_progress");
    assert_eq!(a2["created_at"], a["created_at"]);
}

async fn categories_are_seeded_and_editable(app: TestApp) {
    let t = staff(&app).await;
    let cats = expect_json(app.get("/api/v1/categories", &t).await, StatusCode::OK).await;
    let long_queue = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "long_queue")
        .unwrap();
    assert_eq!(long_queue["group"], "process");
    assert_eq!(long_queue["name_zh"], "排队时间太长");
    let res = app
        .put(
            "/api/v1/categories/parking",
            &t,
            &json!({"id": "parking", "group": "venue", "name_zh": "停车难", "active": false}),
        )
        .await;
    let c = expect_json(res, StatusCode::OK).await;
    assert_eq!(c["active"], false);
    let res = app
        .put(
            "/api/v1/categories/parking",
            &t,
            &json!({"id": "parking2", "group": "venue", "name_zh": "停车难"}),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_value", Some("id")).await;
    let res = app.post("/api/v1/categories", Some(&t), &json!({"id": "no_wifi", "group": "venue", "name_zh": "大厅无线网络不稳定", "name_en": "Unreliable hall Wi-Fi"})).await;
    let c = expect_json(res, StatusCode::CREATED).await;
    assert_eq!(c["position"], cats.as_array().unwrap().len() + 1);
    let res = app
        .post(
            "/api/v1/categories",
            Some(&t),
            &json!({"id": "no_wifi", "group": "venue", "name_zh": "另一个"}),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "duplicate", Some("id")).await;
}

both!(
    venue_hierarchy_is_enforced,
    departments_crud,
    editing_a_scenario_makes_a_new_version,
    assignments_check_their_references,
    categories_are_seeded_and_editable,
);
