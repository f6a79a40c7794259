//! Accounts as an admin runs them: deactivation cuts an account off at once and keeps its
//! records, reactivation lets it back in, the last admin stays; a reset gives a one-time
//! password that must be replaced before anything else; everyone changes their own password
//! under one policy; and the command line does the same.

use flowwalk_shared::Role;
use flowwalk_tests::{TestApp, both, expect_error, expect_json};
use reqwest::StatusCode;
use serde_json::json;

fn edit(display_name: &str, role: &str, active: bool) -> serde_json::Value {
    json!({"display_name": display_name, "role": role, "department_id": null, "active": active})
}

async fn a_deactivated_account_is_refused_at_once_and_keeps_its_records(app: TestApp) {
    app.load_demo();
    let admin = app.demo_login("admin").await;
    let observer = app.create_user("li.na", "walk-the-flow", Role::Experiencer, None);
    let tokens = app.login_full("li.na", "walk-the-flow").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    expect_json(
        app.get("/api/v1/assignments", &access).await,
        StatusCode::OK,
    )
    .await;

    let path = format!("/api/v1/users/{observer}");
    let off = expect_json(
        app.put(&path, &admin, &edit("李娜", "experiencer", false))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(off["active"], false);
    assert_eq!(off["display_name"], "李娜");

    // The access token still verifies, but the account behind it is read on every call.
    expect_error(
        app.get("/api/v1/assignments", &access).await,
        StatusCode::FORBIDDEN,
        "account_disabled",
        None,
    )
    .await;
    expect_error(
        app.get("/api/v1/auth/me", &access).await,
        StatusCode::FORBIDDEN,
        "account_disabled",
        None,
    )
    .await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert!(
        matches!(res.status().as_u16(), 401 | 403),
        "a deactivated account's refresh token is refused: {}",
        res.status()
    );
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "li.na", "password": "walk-the-flow"}),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "account_disabled", None).await;

    // Its records stay: the account is still listed, as disabled.
    let users = expect_json(app.get("/api/v1/users", &admin).await, StatusCode::OK).await;
    let listed = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == observer.as_str())
        .expect("still listed");
    assert_eq!(listed["active"], false);

    // Reactivated, it logs in again.
    expect_json(
        app.put(&path, &admin, &edit("李娜", "experiencer", true))
            .await,
        StatusCode::OK,
    )
    .await;
    let again = app.login("li.na", "walk-the-flow").await;
    expect_json(app.get("/api/v1/assignments", &again).await, StatusCode::OK).await;

    // Only admins edit accounts; a bad edit names its field and changes nothing.
    let manager = app.demo_login("manager").await;
    expect_error(
        app.put(&path, &manager, &edit("x", "experiencer", false))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    let res = app
        .put(
            &path,
            &admin,
            &json!({"display_name": "李娜", "role": "department_officer", "department_id": null, "active": true}),
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
        .put(&path, &admin, &edit("  ", "experiencer", true))
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("display_name"),
    )
    .await;
    expect_json(app.get("/api/v1/assignments", &again).await, StatusCode::OK).await;
    let res = app
        .put(
            "/api/v1/users/nobody",
            &admin,
            &edit("x", "experiencer", true),
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
}

async fn the_last_active_admin_stays(app: TestApp) {
    let admin_id = app.create_user("root.admin", "keep-me-admin", Role::Admin, None);
    let admin = app.login("root.admin", "keep-me-admin").await;
    let path = format!("/api/v1/users/{admin_id}");
    let res = app
        .put(&path, &admin, &edit("管理员", "admin", false))
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_admin", Some("active")).await;
    let res = app
        .put(&path, &admin, &edit("管理员", "manager", true))
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_admin", Some("role")).await;
    // Still an admin, still able to act.
    expect_json(app.get("/api/v1/users", &admin).await, StatusCode::OK).await;

    // With a second admin, the first may step down.
    app.create_user("second.admin", "second-admin-pw", Role::Admin, None);
    let off = expect_json(
        app.put(&path, &admin, &edit("管理员", "admin", false))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(off["active"], false);
}

async fn a_reset_password_must_be_replaced_before_anything_else(app: TestApp) {
    app.load_demo();
    let admin = app.demo_login("admin").await;
    let id = app.create_user("zhao.lei", "first-password", Role::Inspector, None);
    let old_session = app.login_full("zhao.lei", "first-password").await;

    let reset = expect_json(
        app.post(
            &format!("/api/v1/users/{id}/password"),
            Some(&admin),
            &json!(null),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let otp = reset["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(otp.chars().count(), 12, "{otp}");
    // The old password and the old login are gone.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "zhao.lei", "password": "first-password"}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": old_session["refresh_token"]}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "refresh_token_invalid", None).await;

    // The one-time password logs in, but only to set a new one.
    let t = app.login_full("zhao.lei", &otp).await;
    assert_eq!(t["user"]["must_change_password"], true);
    let token = t["access_token"].as_str().unwrap().to_owned();
    expect_error(
        app.get("/api/v1/assignments", &token).await,
        StatusCode::FORBIDDEN,
        "password_change_required",
        None,
    )
    .await;
    let me = expect_json(app.get("/api/v1/auth/me", &token).await, StatusCode::OK).await;
    assert_eq!(me["must_change_password"], true);

    // The policy, field by field; a refused change changes nothing.
    let change = |old: &str, new: &str| json!({"old_password": old, "new_password": new});
    for (body, field) in [
        (change(&otp, "short"), "new_password"),
        (change(&otp, "zhao.lei"), "new_password"),
        (change(&otp, "ZHAO.LEI"), "new_password"),
        (change(&otp, "flowwalk-demo"), "new_password"),
        (change("not-the-otp", "a-good-new-one"), "old_password"),
    ] {
        let res = app.post("/api/v1/auth/password", Some(&token), &body).await;
        expect_error(res, StatusCode::BAD_REQUEST, "invalid_value", Some(field)).await;
    }
    expect_error(
        app.get("/api/v1/assignments", &token).await,
        StatusCode::FORBIDDEN,
        "password_change_required",
        None,
    )
    .await;

    let res = app
        .post(
            "/api/v1/auth/password",
            Some(&token),
            &change(&otp, "a-good-new-one"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The same login goes on, now with everything open to it.
    expect_json(app.get("/api/v1/assignments", &token).await, StatusCode::OK).await;
    let me = expect_json(app.get("/api/v1/auth/me", &token).await, StatusCode::OK).await;
    assert_eq!(me["must_change_password"], false);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "zhao.lei", "password": otp}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
    app.login("zhao.lei", "a-good-new-one").await;

    // Everyone changes their own password the same way.
    let manager = app.demo_login("manager").await;
    let res = app
        .post(
            "/api/v1/auth/password",
            Some(&manager),
            &change("flowwalk-demo", "manager-own-pw"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login("manager", "manager-own-pw").await;

    // Creating an account applies the same policy.
    let res = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "wu.min", "password": "flowwalk-demo", "role": "inspector"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("password"),
    )
    .await;
}

async fn the_command_line_deactivates_and_resets(app: TestApp) {
    app.create_user("admin.one", "admin-one-pass", Role::Admin, None);
    app.create_user("sun.lina", "sun-lina-password", Role::Inspector, None);
    crate::cli::flowwalk(&app, &["user", "deactivate", "sun.lina"]).unwrap();
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "sun.lina", "password": "sun-lina-password"}),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "account_disabled", None).await;
    crate::cli::flowwalk(&app, &["user", "activate", "sun.lina"]).unwrap();
    app.login("sun.lina", "sun-lina-password").await;

    crate::cli::flowwalk(
        &app,
        &["user", "passwd", "sun.lina", "--password", "a-new-password"],
    )
    .unwrap();
    app.login("sun.lina", "a-new-password").await;
    let err = crate::cli::flowwalk(
        &app,
        &["user", "passwd", "sun.lina", "--password", "sun.lina"],
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("username"), "{err:#}");
    // Without a password: a one-time one, to be replaced at the next login.
    crate::cli::flowwalk(&app, &["user", "passwd", "sun.lina"]).unwrap();
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "sun.lina", "password": "a-new-password"}),
        )
        .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;

    // The last admin cannot be deactivated from the command line either; nobody unknown.
    let err = crate::cli::flowwalk(&app, &["user", "deactivate", "admin.one"]).unwrap_err();
    assert!(format!("{err:#}").contains("last"), "{err:#}");
    assert!(crate::cli::flowwalk(&app, &["user", "deactivate", "nobody"]).is_err());
    app.login("admin.one", "admin-one-pass").await;
}

async fn a_real_server_refuses_to_start_with_demo_passwords(app: TestApp) {
    crate::cli::flowwalk(&app, &["demo"]).unwrap();
    let err = crate::cli::flowwalk(&app, &["serve"]).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("demo password"), "{text}");
    assert!(text.contains("manager"), "the accounts are named: {text}");
    // Once every demo account has its own password or is deactivated, nothing is named.
    for name in [
        "admin",
        "manager",
        "inspector",
        "experiencer",
        "experiencer2",
        "officer",
        "officer_hrss",
        "panel",
        "panel_window",
    ] {
        crate::cli::flowwalk(
            &app,
            &["user", "passwd", name, "--password", "a-real-secret"],
        )
        .unwrap();
    }
    let err = crate::cli::flowwalk(&app, &["serve"]).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("panel_citizen"), "{text}");
    assert!(!text.contains("manager"), "{text}");
}

/// Every admin action is an entry of the issues' hash-chained audit trail: an account
/// created, edited, deactivated and reset, a category added and routed, the calendar and
/// the panel rule edited. `flowwalk audit verify` names the one edited behind the server's
/// back.
async fn admin_actions_are_in_the_audit_chain(app: TestApp) {
    app.load_demo();
    let admin = app.demo_login("admin").await;
    let manager = app.demo_login("manager").await;
    let res = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "qian.li", "password": "qian-li-pass", "role": "inspector"}),
        )
        .await;
    let id = expect_json(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{id}");
    expect_json(
        app.put(&path, &admin, &edit("钱丽", "inspector", false))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_json(
        app.post(&format!("{path}/password"), Some(&admin), &json!(null))
            .await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .post(
            "/api/v1/categories",
            Some(&admin),
            &json!({"id": "no_wifi", "group": "venue", "name_zh": "无线网络不可用", "name_en": "", "active": true}),
        )
        .await;
    expect_json(res, StatusCode::CREATED).await;
    let res = app
        .put(
            "/api/v1/category-departments/no_wifi",
            &manager,
            &json!({"department_id": null}),
        )
        .await;
    expect_json(res, StatusCode::OK).await;
    let rule = expect_json(app.get("/api/v1/panel-rule", &admin).await, StatusCode::OK).await;
    expect_json(
        app.put("/api/v1/panel-rule", &admin, &rule).await,
        StatusCode::OK,
    )
    .await;
    crate::cli::flowwalk(&app, &["user", "activate", "qian.li"]).unwrap();

    // Written out by hand: what the chain holds about them, in order.
    let rows: Vec<(String, String, Option<String>)> = {
        use diesel::prelude::*;
        use flowwalk_server::db::schema::issue_events as ie;
        let mut conn = app.db.pool().get().unwrap();
        ie::table
            .filter(ie::issue_version.eq(0))
            .order(ie::seq)
            .select((ie::issue_id, ie::action, ie::actor_id))
            .load(&mut *conn)
            .unwrap()
    };
    let admin_id = |r: &(String, String, Option<String>)| r.2.clone();
    let got: Vec<(String, String)> = rows
        .iter()
        .filter(|r| {
            r.0.starts_with("account:")
                || r.0.starts_with("category:no_wifi")
                || r.0.starts_with("setting:")
        })
        .map(|r| (r.0.clone(), r.1.clone()))
        .collect();
    let account = format!("account:{id}");
    assert_eq!(
        got.iter()
            .filter(|(s, _)| s.starts_with("account:") && s != &account)
            .count(),
        0,
        "the demo's accounts are loaded, not administered: {got:?}"
    );
    let want: Vec<(String, String)> = [
        (account.as_str(), "account_created"),
        (account.as_str(), "account_deactivated"),
        (account.as_str(), "password_reset"),
        ("category:no_wifi", "category_created"),
        ("category:no_wifi", "category_routed"),
        ("setting:panel_rule", "panel_rule_edited"),
        (account.as_str(), "account_activated"),
    ]
    .iter()
    .map(|(s, a)| ((*s).to_owned(), (*a).to_owned()))
    .collect();
    let tail: Vec<(String, String)> = got
        .iter()
        .filter(|(s, _)| !(s.starts_with("category:") && s != "category:no_wifi"))
        .cloned()
        .collect();
    assert_eq!(tail[tail.len() - want.len()..], want[..], "{got:?}");
    // The command line's change names nobody; the API's name the admin.
    assert_eq!(admin_id(rows.last().unwrap()), None);
    assert!(admin_id(&rows[rows.len() - 2]).is_some());

    crate::cli::flowwalk(&app, &["audit", "verify"]).unwrap();
    // The deactivation rewritten behind the server's back: named.
    {
        let mut conn = app.db.pool().get().unwrap();
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE issue_events SET detail = '{{}}' WHERE issue_id = '{account}' \
             AND action = 'account_deactivated'"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    let report = {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::issues::service::audit::verify(
            &mut conn,
            &flowwalk_server::issues::service::AuditKey::from_settings(&app.settings),
        )
        .unwrap()
    };
    let named: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(
        named[0].ends_with(&format!("(admin change of {account}) was changed")),
        "{named:?}"
    );
    let err = crate::cli::flowwalk(&app, &["audit", "verify"]).unwrap_err();
    assert!(format!("{err:#}").contains("tampered"), "{err:#}");
}

both!(
    admin_actions_are_in_the_audit_chain,
    a_deactivated_account_is_refused_at_once_and_keeps_its_records,
    the_last_active_admin_stays,
    a_reset_password_must_be_replaced_before_anything_else,
    the_command_line_deactivates_and_resets,
    a_real_server_refuses_to_start_with_demo_passwords,
);
