//! Every endpoint × every role (and no token), checked against an access matrix written
//! out by hand below — never against the route table's own declarations, so a wrong
//! declaration fails here. Then own vs. other scope for observers.

use std::collections::HashMap;

use flowwalk_server::http::table::Endpoint;

use flowwalk_server::http::table::endpoints;
use flowwalk_shared::Role;
use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::issues::IssueState;
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::PROTOCOL_VERSION;
use flowwalk_shared::walkthrough::{WalkthroughRecord, hex_sha256};
use flowwalk_tests::fixtures::{self, jpeg};
use flowwalk_tests::{TestApp, both, expect_error, expect_json, issue_fixtures, unique};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Ids of demo records the requests point at, and a token per role.
struct Ctx {
    tokens: HashMap<Role, String>,
    ids: HashMap<&'static str, String>,
    assignment: Assignment,
    scenario: Scenario,
    cast: issue_fixtures::Cast,
}

const DEMO_USER_OF: [(Role, &str); 6] = [
    (Role::Admin, "admin"),
    (Role::Manager, "manager"),
    (Role::Inspector, "inspector"),
    (Role::Experiencer, "experiencer"),
    (Role::DepartmentOfficer, "officer"),
    (Role::PanelMember, "panel"),
];

async fn context(app: &TestApp) -> Ctx {
    app.load_demo();
    let mut tokens = HashMap::new();
    for (role, user) in DEMO_USER_OF {
        tokens.insert(role, app.demo_login(user).await);
    }
    let admin = tokens[&Role::Admin].clone();
    let first = |v: &Value| v[0]["id"].as_str().unwrap().to_owned();
    let mut ids = HashMap::new();
    ids.insert(
        "venue",
        first(&expect_json(app.get("/api/v1/venues", &admin).await, StatusCode::OK).await),
    );
    ids.insert(
        "department",
        first(&expect_json(app.get("/api/v1/departments", &admin).await, StatusCode::OK).await),
    );
    ids.insert(
        "scenario",
        first(&expect_json(app.get("/api/v1/scenarios", &admin).await, StatusCode::OK).await),
    );
    ids.insert(
        "category",
        first(&expect_json(app.get("/api/v1/categories", &admin).await, StatusCode::OK).await),
    );
    // An assignment the demo experiencer and inspector are both on, so observers are in scope.
    let all = expect_json(app.get("/api/v1/assignments", &admin).await, StatusCode::OK).await;
    let users = expect_json(app.get("/api/v1/users", &admin).await, StatusCode::OK).await;
    let id_of = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (exp, insp) = (id_of("experiencer"), id_of("inspector"));
    let shared = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            let obs = a["observer_ids"].as_array().unwrap();
            obs.iter().any(|o| o == exp.as_str()) && obs.iter().any(|o| o == insp.as_str())
        })
        .map(|a| a["id"].as_str().unwrap().to_owned());
    let shared = match shared {
        Some(id) => id,
        None => {
            // Put both on the first assignment.
            let mut a = all[0].clone();
            a["observer_ids"] = json!([exp, insp]);
            let body = assignment_body(&a);
            let res = app
                .put(
                    &format!("/api/v1/assignments/{}", a["id"].as_str().unwrap()),
                    &admin,
                    &body,
                )
                .await;
            expect_json(res, StatusCode::OK).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    ids.insert("observer", exp);
    let assignment: Assignment = serde_json::from_value(
        expect_json(
            app.get(&format!("/api/v1/assignments/{shared}"), &admin)
                .await,
            StatusCode::OK,
        )
        .await,
    )
    .unwrap();
    let scenario: Scenario = all_versions(app, &admin, &assignment.scenario_id)
        .await
        .into_iter()
        .find(|s| s.version_id == assignment.scenario_version_id)
        .unwrap();
    ids.insert("assignment", shared);
    // The demo questionnaire campaign.
    let campaigns = expect_json(app.get("/api/v1/campaigns", &admin).await, StatusCode::OK).await;
    ids.insert("campaign", first(&campaigns));
    ids.insert(
        "questionnaire",
        campaigns[0]["questionnaire_id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let hall = campaigns[0]["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "tianning-district-center")
        .unwrap()["venue_id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.insert("campaign_venue", hall);
    // An issue every role may read: raised by both observers, with the demo officer's
    // department, and the demo panel on it.
    let cast = issue_fixtures::cast(app);
    let now = flowwalk_server::db::rows::now();
    let inspector = issue_fixtures::auth_user(app, "inspector");
    let issue = issue_fixtures::issue_in(app, &cast, IssueState::Ledger, &inspector, now);
    {
        use flowwalk_server::issues::service::{NewIssue, NewOccurrence};
        let row = {
            let mut conn = app.db.pool().get().unwrap();
            flowwalk_server::issues::store::issue_rows::get(&mut conn, &issue)
                .unwrap()
                .unwrap()
        };
        let experiencer = issue_fixtures::auth_user(app, "experiencer");
        let again = NewIssue {
            source: flowwalk_shared::api::issues::IssueSource::Walkthrough,
            source_key: None,
            merge_key: Some(row.merge_key.clone()),
            venue_id: row.venue_id.clone(),
            category_id: row.category_id.clone(),
            scenario_id: None,
            step_name: row.step_name.clone(),
            department_id: row.department_id.clone(),
            routed_by: flowwalk_shared::api::issues::RoutedBy::Step,
            title: row.title.clone(),
            description: row.description.clone(),
            occurrence: NewOccurrence {
                source_ref: format!("access:{issue}"),
                walkthrough_id: None,
                observer_id: Some(experiencer.id.clone()),
                severity: flowwalk_shared::walkthrough::Severity::Low,
                description: "再次发现".into(),
                photos: vec![],
                seen_at: now,
            },
        };
        let mut conn = app.db.pool().get().unwrap();
        let done = flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::issues::service::record(c, &cast.key, &again, now)
        })
        .unwrap();
        assert!(
            matches!(done, flowwalk_server::issues::service::Recorded::Merged(_)),
            "{done:?}"
        );
    }
    ids.insert("issue", issue);
    let mut ctx = Ctx {
        cast,
        tokens,
        ids,
        assignment,
        scenario,
    };
    // A photo of each observer's own, in a complete walkthrough of theirs: each observer
    // reads their own; staff read either; nobody else sees a walkthrough, so no photo.
    for (role, key, seed) in [
        (Role::Experiencer, "photo_experiencer", 7),
        (Role::Inspector, "photo_inspector", 8),
    ] {
        let photo = jpeg(40, 30, seed);
        let start = chrono::Utc::now().timestamp_millis() - 3 * 3_600_000;
        let walk = fixtures::walkthrough(
            &ctx.assignment,
            &ctx.scenario,
            "phone-x",
            start,
            &[vec![hex_sha256(&photo)]],
        );
        let res = app
            .post(
                "/api/v1/sync/push",
                Some(&ctx.tokens[&role]),
                &push_body(&walk),
            )
            .await;
        let r = expect_json(res, StatusCode::OK).await;
        assert_eq!(r["results"][0]["status"], "accepted", "{r}");
        let res = app
            .client
            .put(app.url(&format!("/api/v1/photos/{}", hex_sha256(&photo))))
            .bearer_auth(&ctx.tokens[&role])
            .body(photo.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        ctx.ids.insert(key, hex_sha256(&photo));
    }
    ctx
}
async fn all_versions(app: &TestApp, token: &str, scenario_id: &str) -> Vec<Scenario> {
    let v = expect_json(
        app.get(&format!("/api/v1/scenarios/{scenario_id}/versions"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    serde_json::from_value(v).unwrap()
}

fn assignment_body(a: &Value) -> Value {
    json!({
        "scenario_id": a["scenario_id"], "venue_id": a["venue_id"], "observer_ids": a["observer_ids"],
        "starts_on": a["starts_on"], "ends_on": a["ends_on"], "mode": a["mode"], "status": a["status"], "note": a["note"],
    })
}

/// A request that succeeds for an allowed caller: path and body per endpoint. Fails the
/// test for an endpoint it does not know, so a new endpoint cannot skip this walk.
async fn request_for(
    app: &TestApp,
    ctx: &Ctx,
    ep: &Endpoint,
    role: Option<Role>,
) -> (String, Body) {
    let n = unique();
    let id = |k: &str| ctx.ids[k].clone();
    let path = |p: &str, k: &str| p.replace("{id}", &ctx.ids[k]);
    let manager = &ctx.tokens[&Role::Manager];
    match ep.name {
        "health.live" | "health.ready" | "auth.me" | "users.list" | "invites.list"
        | "venues.list" | "departments.list" | "scenarios.list" | "categories.list"
        | "assignments.list" => (ep.path.to_owned(), Body::None),
        "venues.get" => (path(ep.path, "venue"), Body::None),
        "departments.get" => (path(ep.path, "department"), Body::None),
        "scenarios.get" | "scenarios.versions" => (path(ep.path, "scenario"), Body::None),
        "assignments.get" => (path(ep.path, "assignment"), Body::None),
        "auth.login" => (
            ep.path.to_owned(),
            Body::Json(
                json!({"username": "manager", "password": flowwalk_server::demo::DEMO_PASSWORD}),
            ),
        ),
        "auth.refresh" | "auth.logout" => {
            let t = app
                .login_full("panel", flowwalk_server::demo::DEMO_PASSWORD)
                .await;
            (
                ep.path.to_owned(),
                Body::Json(json!({"refresh_token": t["refresh_token"]})),
            )
        }
        "auth.redeem" => {
            let res = app
                .post(
                    "/api/v1/invites",
                    Some(manager),
                    &json!({"role": "experiencer"}),
                )
                .await;
            let code = expect_json(res, StatusCode::CREATED).await["code"].clone();
            (
                ep.path.to_owned(),
                Body::Json(
                    json!({"code": code, "username": format!("walker{n}"), "password": "walker-password"}),
                ),
            )
        }
        "users.update" | "users.reset_password" => {
            // A throwaway account: a reset ends its logins, and the callers' must go on.
            let admin = &ctx.tokens[&Role::Admin];
            let res = app
                .post(
                    "/api/v1/users",
                    Some(admin),
                    &json!({"username": format!("spare{n}"), "password": "password-123", "role": "inspector"}),
                )
                .await;
            let spare = expect_json(res, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let body = if ep.name == "users.update" {
                Body::Json(
                    json!({"display_name": "备用", "role": "inspector", "department_id": null, "active": true}),
                )
            } else {
                Body::None
            };
            (ep.path.replace("{id}", &spare), body)
        }
        "auth.password" => (
            // Each caller changes its own password, once (nothing later logs in with it).
            ep.path.to_owned(),
            Body::Json(
                json!({"old_password": flowwalk_server::demo::DEMO_PASSWORD, "new_password": format!("changed-{n}")}),
            ),
        ),
        "users.create" => (
            ep.path.to_owned(),
            Body::Json(
                json!({"username": format!("user{n}"), "password": "password-123", "role": "inspector"}),
            ),
        ),
        "invites.create" => (
            ep.path.to_owned(),
            Body::Json(json!({"role": "experiencer", "assignment_ids": [id("assignment")]})),
        ),
        "venues.create" => (
            ep.path.to_owned(),
            Body::Json(
                json!({"code": format!("v{n}"), "name": format!("测试场所{n}"), "level": "specialised"}),
            ),
        ),
        "venues.update" => {
            let v = expect_json(
                app.get(&path("/api/v1/venues/{id}", "venue"), manager)
                    .await,
                StatusCode::OK,
            )
            .await;
            let body = json!({"code": v["code"], "name": v["name"], "level": v["level"], "parent_id": v["parent_id"], "address": format!("地址{n}")});
            (path(ep.path, "venue"), Body::Json(body))
        }
        "departments.create" => (
            ep.path.to_owned(),
            Body::Json(json!({"code": format!("d{n}"), "name": format!("测试部门{n}")})),
        ),
        "departments.update" => {
            let d = expect_json(
                app.get(&path("/api/v1/departments/{id}", "department"), manager)
                    .await,
                StatusCode::OK,
            )
            .await;
            (
                path(ep.path, "department"),
                Body::Json(
                    json!({"code": d["code"], "name": d["name"], "name_en": format!("Dept {n}")}),
                ),
            )
        }
        "scenarios.create" => (
            ep.path.to_owned(),
            Body::Json(scenario_body(
                &format!("s{n}"),
                &format!("测试事项{n}"),
                &id("department"),
            )),
        ),
        "scenarios.update" => {
            let s = expect_json(
                app.get(&path("/api/v1/scenarios/{id}", "scenario"), manager)
                    .await,
                StatusCode::OK,
            )
            .await;
            let body = scenario_body(
                s["code"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                &id("department"),
            );
            (path(ep.path, "scenario"), Body::Json(body))
        }
        "categories.create" => (
            ep.path.to_owned(),
            Body::Json(
                json!({"id": format!("cat_{n}"), "group": "venue", "name_zh": format!("测试分类{n}")}),
            ),
        ),
        "categories.update" => {
            let cid = id("category");
            (
                ep.path.replace("{id}", &cid),
                Body::Json(json!({"id": cid, "group": "process", "name_zh": format!("改名{n}")})),
            )
        }
        "assignments.create" => (
            ep.path.to_owned(),
            Body::Json(json!({
                "scenario_id": id("scenario"), "venue_id": id("venue"), "observer_ids": [id("observer")],
                "starts_on": "2026-12-01", "ends_on": "2026-12-05", "mode": "in_person"
            })),
        ),
        "assignments.update" => {
            let a = expect_json(
                app.get(&path("/api/v1/assignments/{id}", "assignment"), manager)
                    .await,
                StatusCode::OK,
            )
            .await;
            (path(ep.path, "assignment"), Body::Json(assignment_body(&a)))
        }
        "photos.put" => {
            let photo = jpeg(32, 24, u32::try_from(n).unwrap_or(0) + 10_000);
            (
                ep.path.replace("{sha256}", &hex_sha256(&photo)),
                Body::Raw(photo),
            )
        }
        "photos.meta" | "photos.display" | "photos.thumb" | "photos.original" => {
            let key = match role {
                Some(Role::Inspector) => "photo_inspector",
                _ => "photo_experiencer",
            };
            (ep.path.replace("{sha256}", &id(key)), Body::None)
        }
        "sync.pull" | "sync.conflicts" | "walkthroughs.list" => (ep.path.to_owned(), Body::None),
        "sync.push" => {
            let walk = submitted_walkthrough(app, ctx, role, false).await;
            (ep.path.to_owned(), Body::Json(push_body(&walk)))
        }
        "walkthroughs.get" => {
            let walk = submitted_walkthrough(app, ctx, role, true).await;
            (ep.path.replace("{id}", &walk.id), Body::None)
        }
        "walkthroughs.accept" | "walkthroughs.return" => {
            let walk = submitted_walkthrough(app, ctx, role, true).await;
            (
                ep.path.replace("{id}", &walk.id),
                Body::Json(json!({"rev": 1, "comment": "请补充照片"})),
            )
        }
        "questionnaires.list" | "campaigns.list" => (ep.path.to_owned(), Body::None),
        "questionnaires.get" | "questionnaires.versions" => {
            (path(ep.path, "questionnaire"), Body::None)
        }
        "questionnaires.create" | "questionnaires.update" => {
            let mut q = serde_json::to_value(
                flowwalk_server::demo::survey::district_questionnaire(),
            )
            .unwrap();
            if ep.name == "questionnaires.create" {
                q["code"] = json!(format!("q{n}"));
            }
            (path(ep.path, "questionnaire"), Body::Json(q))
        }
        "campaigns.get" | "campaigns.results" | "campaigns.unpublish" | "candidates.list" => {
            (path(ep.path, "campaign"), Body::None)
        }
        "campaigns.keyword_answers" => (
            format!(
                "{}?question_id=q11&keyword=%E6%9C%8D%E5%8A%A1%E6%80%81%E5%BA%A6",
                path(ep.path, "campaign")
            ),
            Body::None,
        ),
        "campaigns.export" => (
            format!("{}?format=xlsx", path(ep.path, "campaign")),
            Body::None,
        ),
        "campaigns.create" | "campaigns.update" => {
            let c = expect_json(
                app.get(&path("/api/v1/campaigns/{id}", "campaign"), manager)
                    .await,
                StatusCode::OK,
            )
            .await;
            let code = if ep.name == "campaigns.create" {
                json!(format!("c{n}"))
            } else {
                c["code"].clone()
            };
            let body = json!({
                "code": code, "title": c["title"], "questionnaire_id": c["questionnaire_id"],
                "organizer": c["organizer"], "purpose": c["purpose"], "starts_on": c["starts_on"],
                "ends_on": c["ends_on"], "venue_ids": [id("campaign_venue")]
            });
            (path(ep.path, "campaign"), Body::Json(body))
        }
        "campaigns.publish" => (
            path(ep.path, "campaign"),
            Body::Json(json!({"conclusion": format!("结论 {n}")})),
        ),
        "campaigns.import" => (
            path(ep.path, "campaign"),
            Body::Raw(
                "venue,q1,q2,q3,q4,q5,q6,q8,q9,q10
                 tianning-district-center,city,social,baidu,smooth,smooth,no,none,none,none
"
                    .as_bytes()
                    .to_vec(),
            ),
        ),
        "candidates.create" => (
            path(ep.path, "campaign"),
            Body::Json(json!({
                "kind": "option", "question_id": "q8", "venue_id": id("campaign_venue"),
                "choice_id": "long_queue"
            })),
        ),
        "candidates.issue" => {
            // A waiting candidate (made once, then the same one): only a manager's call
            // hands it over.
            let res = app
                .post(
                    &format!("/api/v1/campaigns/{}/candidates", id("campaign")),
                    Some(manager),
                    &json!({
                        "kind": "option", "question_id": "q8", "venue_id": id("campaign_venue"),
                        "choice_id": "too_many_apps", "department_id": id("department")
                    }),
                )
                .await;
            assert!(res.status().is_success(), "{}", res.status());
            let c: Value = res.json().await.unwrap();
            (
                ep.path.replace("{id}", c["id"].as_str().unwrap()),
                Body::Json(json!({})),
            )
        }
        "survey.form" | "survey.thanks" | "survey.qr" | "survey.poster" => (
            ep.path
                .replace("{campaign}", "wopei-2026")
                .replace("{venue}", "tianning-district-center"),
            Body::None,
        ),
        "survey.submit" => (
            ep.path
                .replace("{campaign}", "wopei-2026")
                .replace("{venue}", "tianning-district-center"),
            Body::Form(
                "q1=city&q2=tax&q3=baidu&q4=smooth&q5=na&q6=yes&q7=average&q8=none&q9=none&q10=parking"
                    .into(),
            ),
        ),
        "survey.results" => {
            let res = app
                .post(
                    &path("/api/v1/campaigns/{id}/publish", "campaign"),
                    Some(manager),
                    &json!({"conclusion": "结论"}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            (ep.path.replace("{campaign}", "wopei-2026"), Body::None)
        }
        "walkthroughs.feedback" => {
            let walk = submitted_walkthrough(app, ctx, role, true).await;
            (ep.path.replace("{id}", &walk.id), Body::None)
        }
        "issues.list"
        | "reports.get"
        | "reports.export"
        | "dashboard.get"
        | "calendar.get"
        | "panel_rule.get"
        | "category_departments.list"
        | "notifications.list" => (ep.path.to_owned(), Body::None),
        "issues.get" => (ep.path.replace("{id}", &ctx.ids["issue"]), Body::None),
        "issues.import" => {
            let csv = format!(
                "事项,场所,部门,渠道,日期,评价内容,评价等级\n社保卡补办,天宁区政务服务中心,hrss,窗口,2026-11-02,第{n}次跑腿,不满意\n"
            );
            (ep.path.to_owned(), Body::Raw(csv.into_bytes()))
        }
        "issues.triage_bulk" => {
            let id = fresh_issue(app, ctx, IssueState::New, role);
            (
                ep.path.to_owned(),
                Body::Json(
                    json!({"issues": [{"id": id, "expected_version": 1}], "decision": "fix_now"}),
                ),
            )
        }
        _ if ep.name.starts_with("issues.") => issue_action(app, ctx, ep, role),
        "calendar.update" => {
            let cal = expect_json(app.get("/api/v1/calendar", manager).await, StatusCode::OK).await;
            (
                ep.path.to_owned(),
                Body::Json(json!({"years": cal["years"]})),
            )
        }
        "panel_rule.update" => (
            ep.path.to_owned(),
            Body::Json(json!({"service_office": 1, "window_rep": 1, "citizen_patrol": 1})),
        ),
        "category_departments.update" => (
            ep.path.replace("{category_id}", "parking"),
            Body::Json(json!({"department_id": id("department")})),
        ),
        "notifications.read" => (ep.path.to_owned(), Body::Json(json!({"ids": []}))),
        other => panic!("no request fixture for endpoint {other}: add one to tests/api/access.rs"),
    }
}

/// Whose issue an observer acts on: their own (the inspector's or the experiencer's).
fn observer_for(app: &TestApp, role: Option<Role>) -> flowwalk_server::auth::AuthUser {
    match role {
        Some(Role::Inspector) => issue_fixtures::auth_user(app, "inspector"),
        _ => issue_fixtures::auth_user(app, "experiencer"),
    }
}

/// A fresh issue in `state`, raised by the observer `role` acts as (if an observer).
fn fresh_issue(app: &TestApp, ctx: &Ctx, state: IssueState, role: Option<Role>) -> String {
    let observer = observer_for(app, role);
    issue_fixtures::issue_in(
        app,
        &ctx.cast,
        state,
        &observer,
        flowwalk_server::db::rows::now(),
    )
}

/// A request for one workflow step, on a fresh issue in the state that step needs.
fn issue_action(app: &TestApp, ctx: &Ctx, ep: &Endpoint, role: Option<Role>) -> (String, Body) {
    let (state, body): (IssueState, Box<dyn Fn(i32) -> Value>) = match ep.name {
        "issues.triage" => (
            IssueState::New,
            Box::new(|v| json!({"expected_version": v, "decision": "ledger"})),
        ),
        "issues.appeal" => (
            IssueState::Dismissed,
            Box::new(|v| json!({"expected_version": v, "note": "有照片为证"})),
        ),
        "issues.evidence" => (
            IssueState::FixNow,
            Box::new(|v| json!({"expected_version": v, "note": "已整改"})),
        ),
        "issues.transfer_request" => (
            IssueState::FixNow,
            Box::new(|v| json!({"expected_version": v, "note": "不属本部门"})),
        ),
        "issues.transfer" => {
            let d = ctx.cast.other_department.clone();
            (
                IssueState::FixNow,
                Box::new(move |v| json!({"expected_version": v, "department_id": d})),
            )
        }
        "issues.acceptance" => (
            IssueState::FixNowReview,
            Box::new(|v| json!({"expected_version": v, "accept": true})),
        ),
        "issues.panel" => {
            let members: Vec<Value> = issue_fixtures::members(&ctx.cast)
                .iter()
                .map(|m| json!({"user_id": m.user_id, "constituency": m.constituency}))
                .collect();
            (
                IssueState::Ledger,
                Box::new(move |v| json!({"expected_version": v, "members": members})),
            )
        }
        "issues.vote" => (
            IssueState::PanelReview,
            Box::new(|v| json!({"expected_version": v, "approve": true})),
        ),
        "issues.recheck" => (
            IssueState::SignedOff,
            Box::new(|v| json!({"expected_version": v, "satisfied": true})),
        ),
        other => panic!("no request fixture for endpoint {other}: add one to tests/api/access.rs"),
    };
    let id = fresh_issue(app, ctx, state, role);
    let (v, _) = issue_fixtures::version(app, &id);
    (ep.path.replace("{id}", &id), Body::Json(body(v)))
}

fn scenario_body(code: &str, name: &str, dept: &str) -> Value {
    json!({"code": code, "name": name, "steps": [
        {"name": "取号", "channel": "kiosk", "department_id": dept, "standard_minutes": 5},
        {"name": "窗口受理", "channel": "window", "department_id": dept, "standard_minutes": 20, "fee_cents": 0, "materials_count": 3}
    ]})
}

/// A request body: none, JSON, raw bytes (photos, imports), or an HTML form.
enum Body {
    None,
    Json(Value),
    Raw(Vec<u8>),
    Form(String),
}

async fn send(
    app: &TestApp,
    ep: &Endpoint,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> reqwest::Response {
    let method = Method::from_bytes(ep.method.as_str().as_bytes()).unwrap();
    match body {
        Body::None => app.request(method, path, token, None).await,
        Body::Json(v) => app.request(method, path, token, Some(&v)).await,
        Body::Form(text) => {
            let mut req = app
                .client
                .request(method, app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(text);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.unwrap()
        }
        Body::Raw(bytes) => {
            let mut req = app.client.request(method, app.url(path)).body(bytes);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.unwrap()
        }
    }
}

/// A complete walkthrough on the shared assignment, pushed by `role` if that is an
/// observer (else by the demo experiencer). `push` false: only built, not sent.
async fn submitted_walkthrough(
    app: &TestApp,
    ctx: &Ctx,
    role: Option<Role>,
    push: bool,
) -> WalkthroughRecord {
    let by = match role {
        Some(r @ (Role::Inspector | Role::Experiencer)) => r,
        _ => Role::Experiencer,
    };
    let start = chrono::Utc::now().timestamp_millis() - 3 * 3_600_000;
    let walk = fixtures::walkthrough(&ctx.assignment, &ctx.scenario, "phone-x", start, &[]);
    if push {
        let res = app
            .post(
                "/api/v1/sync/push",
                Some(&ctx.tokens[&by]),
                &push_body(&walk),
            )
            .await;
        let r = expect_json(res, StatusCode::OK).await;
        assert_eq!(r["results"][0]["status"], "accepted", "{r}");
    }
    walk
}

fn push_body(walk: &WalkthroughRecord) -> Value {
    json!({"protocol": PROTOCOL_VERSION, "device_id": "phone-x", "device_time_ms": chrono::Utc::now().timestamp_millis(),
           "records": [{"id": walk.id, "rev": walk.rev, "content_hash": walk.content_hash(), "walkthrough": walk}]})
}

/// What a caller gets: success, 401, 403, or 404 (a resource outside what they may see,
/// answered as if it did not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Ok,
    Unauth,
    Forbid,
    Hidden,
}

use Got::{Forbid as F, Hidden as H, Ok as O, Unauth as U};

/// The expected answer of every endpoint, written out by hand: no token, then admin,
/// manager, inspector, experiencer, department officer, panel member.
const MATRIX: &[(&str, [Got; 7])] = &[
    ("health.live", [O, O, O, O, O, O, O]),
    ("health.ready", [O, O, O, O, O, O, O]),
    ("auth.login", [O, O, O, O, O, O, O]),
    ("auth.refresh", [O, O, O, O, O, O, O]),
    ("auth.logout", [O, O, O, O, O, O, O]),
    ("auth.redeem", [O, O, O, O, O, O, O]),
    ("auth.me", [U, O, O, O, O, O, O]),
    ("auth.password", [U, O, O, O, O, O, O]),
    ("users.list", [U, O, O, F, F, F, F]),
    ("users.create", [U, O, F, F, F, F, F]),
    ("users.update", [U, O, F, F, F, F, F]),
    ("users.reset_password", [U, O, F, F, F, F, F]),
    ("invites.list", [U, O, O, F, F, F, F]),
    ("invites.create", [U, O, O, F, F, F, F]),
    ("venues.list", [U, O, O, O, O, O, O]),
    ("venues.get", [U, O, O, O, O, O, O]),
    ("venues.create", [U, O, O, F, F, F, F]),
    ("venues.update", [U, O, O, F, F, F, F]),
    ("departments.list", [U, O, O, O, O, O, O]),
    ("departments.get", [U, O, O, O, O, O, O]),
    ("departments.create", [U, O, O, F, F, F, F]),
    ("departments.update", [U, O, O, F, F, F, F]),
    ("scenarios.list", [U, O, O, O, O, O, O]),
    ("scenarios.get", [U, O, O, O, O, O, O]),
    ("scenarios.versions", [U, O, O, O, O, O, O]),
    ("scenarios.create", [U, O, O, F, F, F, F]),
    ("scenarios.update", [U, O, O, F, F, F, F]),
    ("categories.list", [U, O, O, O, O, O, O]),
    ("categories.create", [U, O, O, F, F, F, F]),
    ("categories.update", [U, O, O, F, F, F, F]),
    ("assignments.list", [U, O, O, O, O, F, F]),
    ("assignments.get", [U, O, O, O, O, F, F]),
    ("assignments.create", [U, O, O, F, F, F, F]),
    ("assignments.update", [U, O, O, F, F, F, F]),
    ("photos.put", [U, F, F, O, O, O, F]),
    ("photos.meta", [U, O, O, O, O, H, H]),
    ("photos.display", [U, O, O, O, O, H, H]),
    ("photos.thumb", [U, O, O, O, O, H, H]),
    ("photos.original", [U, O, O, F, F, F, F]),
    ("sync.push", [U, F, F, O, O, F, F]),
    ("sync.pull", [U, O, O, O, O, F, F]),
    ("sync.conflicts", [U, O, O, F, F, F, F]),
    ("walkthroughs.list", [U, O, O, F, F, F, F]),
    ("walkthroughs.get", [U, O, O, O, O, F, F]),
    ("walkthroughs.accept", [U, O, O, F, F, F, F]),
    ("walkthroughs.return", [U, O, O, F, F, F, F]),
    ("walkthroughs.feedback", [U, O, O, O, O, F, F]),
    ("issues.list", [U, O, O, O, O, O, O]),
    ("issues.get", [U, O, O, O, O, O, O]),
    ("issues.import", [U, F, O, F, F, F, F]),
    ("issues.triage_bulk", [U, F, O, F, F, F, F]),
    ("issues.triage", [U, F, O, F, F, F, F]),
    ("issues.appeal", [U, F, F, O, O, F, F]),
    ("issues.evidence", [U, F, F, F, F, O, F]),
    ("issues.transfer_request", [U, F, F, F, F, O, F]),
    ("issues.transfer", [U, F, O, F, F, F, F]),
    ("issues.acceptance", [U, F, O, F, F, F, F]),
    ("issues.panel", [U, F, O, F, F, F, F]),
    ("issues.vote", [U, F, F, F, F, F, O]),
    ("issues.recheck", [U, F, O, O, O, F, F]),
    ("reports.get", [U, O, O, F, F, F, F]),
    ("reports.export", [U, O, O, F, F, F, F]),
    ("dashboard.get", [U, O, O, F, F, F, F]),
    ("calendar.get", [U, O, O, O, O, O, O]),
    ("calendar.update", [U, O, F, F, F, F, F]),
    ("panel_rule.get", [U, O, O, O, O, O, O]),
    ("panel_rule.update", [U, O, F, F, F, F, F]),
    ("category_departments.list", [U, O, O, F, F, F, F]),
    ("category_departments.update", [U, O, O, F, F, F, F]),
    ("notifications.list", [U, O, O, O, O, O, O]),
    ("notifications.read", [U, O, O, O, O, O, O]),
    ("questionnaires.list", [U, O, O, F, F, F, F]),
    ("questionnaires.get", [U, O, O, F, F, F, F]),
    ("questionnaires.versions", [U, O, O, F, F, F, F]),
    ("questionnaires.create", [U, O, O, F, F, F, F]),
    ("questionnaires.update", [U, O, O, F, F, F, F]),
    ("campaigns.list", [U, O, O, F, F, F, F]),
    ("campaigns.get", [U, O, O, F, F, F, F]),
    ("campaigns.create", [U, O, O, F, F, F, F]),
    ("campaigns.update", [U, O, O, F, F, F, F]),
    ("campaigns.results", [U, O, O, F, F, F, F]),
    ("campaigns.keyword_answers", [U, O, O, F, F, F, F]),
    ("campaigns.export", [U, O, O, F, F, F, F]),
    ("campaigns.publish", [U, O, O, F, F, F, F]),
    ("campaigns.unpublish", [U, O, O, F, F, F, F]),
    ("campaigns.import", [U, O, O, F, F, F, F]),
    ("candidates.list", [U, O, O, F, F, F, F]),
    ("candidates.create", [U, O, O, F, F, F, F]),
    ("candidates.issue", [U, F, O, F, F, F, F]),
    ("survey.form", [O, O, O, O, O, O, O]),
    ("survey.submit", [O, O, O, O, O, O, O]),
    ("survey.thanks", [O, O, O, O, O, O, O]),
    ("survey.qr", [O, O, O, O, O, O, O]),
    ("survey.poster", [O, O, O, O, O, O, O]),
    ("survey.results", [O, O, O, O, O, O, O]),
];

/// The callers of a matrix row, in its order.
const CALLERS: [Option<Role>; 7] = [
    None,
    Some(Role::Admin),
    Some(Role::Manager),
    Some(Role::Inspector),
    Some(Role::Experiencer),
    Some(Role::DepartmentOfficer),
    Some(Role::PanelMember),
];

async fn check(res: reqwest::Response, expected: Got, what: &str) {
    match expected {
        Got::Ok => {
            let status = res.status();
            let text = res.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "{what}: expected 2xx, got {status}: {text}"
            );
        }
        Got::Unauth => {
            expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
        }
        Got::Forbid => {
            expect_error(res, StatusCode::FORBIDDEN, "forbidden", None).await;
        }
        Got::Hidden => {
            expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
        }
    }
}

async fn every_endpoint_by_every_role(app: TestApp) {
    let ctx = context(&app).await;
    let eps = endpoints();
    // The matrix and the route table name the same endpoints: a new endpoint needs its
    // row, and a row cannot outlive its endpoint.
    let mut declared: Vec<&str> = eps.iter().map(|e| e.name).collect();
    let mut written: Vec<&str> = MATRIX.iter().map(|(name, _)| *name).collect();
    declared.sort_unstable();
    written.sort_unstable();
    assert_eq!(
        declared, written,
        "the access matrix lists exactly the endpoints"
    );
    for ep in &eps {
        let (_, row) = MATRIX.iter().find(|(name, _)| *name == ep.name).unwrap();
        for (caller, expected) in CALLERS.iter().zip(row) {
            let (path, body) = request_for(&app, &ctx, ep, *caller).await;
            let token = caller.map(|r| ctx.tokens[&r].as_str());
            let res = send(&app, ep, &path, token, body).await;
            let who = caller.map_or_else(|| "no token".to_owned(), |r| r.to_string());
            check(res, *expected, &format!("{} as {who}", ep.name)).await;
        }
    }
}

async fn observers_see_only_their_own(app: TestApp) {
    app.load_demo();
    let admin = app.demo_login("admin").await;
    let all = expect_json(app.get("/api/v1/assignments", &admin).await, StatusCode::OK).await;
    let users = expect_json(app.get("/api/v1/users", &admin).await, StatusCode::OK).await;
    for name in ["experiencer", "experiencer2", "inspector"] {
        let me = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .clone();
        let token = app.demo_login(name).await;
        let mine = expect_json(app.get("/api/v1/assignments", &token).await, StatusCode::OK).await;
        let mine = mine.as_array().unwrap();
        assert!(!mine.is_empty(), "{name} has demo assignments");
        assert!(
            mine.iter()
                .all(|a| a["observer_ids"].as_array().unwrap().contains(&me)),
            "{name} sees only own"
        );
        for a in all.as_array().unwrap() {
            let own = a["observer_ids"].as_array().unwrap().contains(&me);
            let res = app
                .get(
                    &format!("/api/v1/assignments/{}", a["id"].as_str().unwrap()),
                    &token,
                )
                .await;
            if own {
                assert_eq!(res.status(), StatusCode::OK, "{name} reads own");
            } else {
                expect_error(res, StatusCode::FORBIDDEN, "forbidden", None).await;
            }
        }
        let expected = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["observer_ids"].as_array().unwrap().contains(&me))
            .count();
        assert_eq!(mine.len(), expected, "{name} sees all own");
    }
}

both!(every_endpoint_by_every_role, observers_see_only_their_own);
