//! Roles and statuses read from the database are parsed strictly. A value the
//! server does not know (a hand-edited row, a newer server's value) is an error, logged —
//! never a quiet fallback, least of all to some role.

use flowwalk_shared::Role;
use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::json;

fn set(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let mut conn = app.db.pool().get().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
}

async fn unknown_stored_values_are_errors_not_defaults(app: TestApp) {
    app.load_demo();
    let admin = app.demo_login("admin").await;

    // An audit entry's actor and an issue state nobody defined.
    let manager = app.demo_login("manager").await;
    let issue: String = {
        use diesel::prelude::*;
        use flowwalk_server::db::schema::issues;
        let mut conn = app.db.pool().get().unwrap();
        issues::table
            .select(issues::id)
            .order(issues::id)
            .first(&mut *conn)
            .unwrap()
    };
    expect_json(
        app.get(&format!("/api/v1/issues/{issue}"), &manager).await,
        StatusCode::OK,
    )
    .await;
    set(
        &app,
        &format!("UPDATE issue_events SET actor = 'root' WHERE issue_id = '{issue}'"),
    );
    expect_error(
        app.get(&format!("/api/v1/issues/{issue}"), &manager).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
    expect_json(app.get("/api/v1/issues", &manager).await, StatusCode::OK).await;
    set(&app, "UPDATE issues SET status = 'archived'");
    expect_error(
        app.get("/api/v1/issues", &manager).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;

    app.create_user("odd_role", "secret-pass-8", Role::Inspector, None);
    set(
        &app,
        "UPDATE users SET role = 'root' WHERE username = 'odd_role'",
    );
    // No login with a role nobody defined: not as an experiencer, not as anything.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "odd_role", "password": "secret-pass-8"}),
        )
        .await;
    expect_error(res, StatusCode::INTERNAL_SERVER_ERROR, "internal", None).await;
    expect_error(
        app.get("/api/v1/users", &admin).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
    set(
        &app,
        "UPDATE users SET role = 'inspector' WHERE username = 'odd_role'",
    );
    expect_json(app.get("/api/v1/users", &admin).await, StatusCode::OK).await;

    // An assignment status and a review status nobody defined.
    set(&app, "UPDATE assignments SET status = 'paused'");
    expect_error(
        app.get("/api/v1/assignments", &admin).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
    set(&app, "UPDATE assignments SET status = 'planned'");
    expect_json(
        app.get("/api/v1/walkthroughs", &admin).await,
        StatusCode::OK,
    )
    .await;
    set(&app, "UPDATE walkthroughs SET status = 'archived'");
    let list = expect_json(
        app.get("/api/v1/walkthroughs", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "unknown statuses are not reviewable: {list}"
    );
    let ids: Vec<String> = {
        use diesel::prelude::*;
        use flowwalk_server::db::schema::walkthroughs;
        let mut conn = app.db.pool().get().unwrap();
        walkthroughs::table
            .select(walkthroughs::id)
            .load(&mut *conn)
            .unwrap()
    };
    assert!(!ids.is_empty(), "the demo has walkthroughs");
    expect_error(
        app.get(&format!("/api/v1/walkthroughs/{}", ids[0]), &admin)
            .await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
    // A venue level and a step channel.
    set(&app, "UPDATE venues SET level = 'province'");
    expect_error(
        app.get("/api/v1/venues", &admin).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
    set(&app, "UPDATE scenario_steps SET channel = 'fax'");
    expect_error(
        app.get("/api/v1/scenarios", &admin).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        None,
    )
    .await;
}

both!(unknown_stored_values_are_errors_not_defaults);
