//! Issues, on both backends: the workflow table walked over HTTP for every state, action
//! and role against a table written out here by hand; panel rules; deadlines over
//! holidays; two transitions at once; tampering with the audit trail; the builder's
//! merging and routing; the 好差评 import; reports against hand-computed figures;
//! anonymity towards departments; paging with a fixed number of queries.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use flowwalk_server::auth::AuthUser;
use flowwalk_server::issues::rules::state_machine::Actor;
use flowwalk_server::issues::service::workflow::Command;
use flowwalk_server::issues::service::{AuditKey, NewIssue, NewOccurrence, Recorded};
use flowwalk_shared::Role;
use flowwalk_shared::api::issues::{
    Constituency, IssueAction, IssueSource, IssueState, PanelMemberInput, RoutedBy, TriageDecision,
};
use flowwalk_shared::walkthrough::Severity;
use flowwalk_tests::issue_fixtures::{
    Cast, auth_user, cast, evidence, issue_in as fixture_issue_in, members, run, triage, version,
};
use flowwalk_tests::{TestApp, both, expect_error, expect_json, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The expected workflow, written out by hand from the issue's text (not from the code).

/// `(state, action, actor, next state)`: everything allowed. Anything else is refused.
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("new", "dismiss", "manager", "dismissed"),
    ("new", "explain", "manager", "explained"),
    ("new", "fix_now", "manager", "fix_now"),
    ("new", "ledger", "manager", "ledger"),
    ("new", "transfer", "manager", "new"),
    ("new", "add_occurrence", "system", "new"),
    ("appealed", "dismiss", "manager", "dismissed"),
    ("appealed", "explain", "manager", "explained"),
    ("appealed", "fix_now", "manager", "fix_now"),
    ("appealed", "ledger", "manager", "ledger"),
    ("appealed", "transfer", "manager", "appealed"),
    ("appealed", "add_occurrence", "system", "appealed"),
    ("reopened", "dismiss", "manager", "dismissed"),
    ("reopened", "explain", "manager", "explained"),
    ("reopened", "fix_now", "manager", "fix_now"),
    ("reopened", "ledger", "manager", "ledger"),
    ("reopened", "transfer", "manager", "reopened"),
    ("reopened", "add_occurrence", "system", "reopened"),
    ("dismissed", "appeal", "observer", "appealed"),
    ("fix_now", "submit_evidence", "officer", "fix_now_review"),
    ("fix_now", "request_transfer", "officer", "fix_now"),
    ("fix_now", "transfer", "manager", "fix_now"),
    ("fix_now", "decline_transfer", "manager", "fix_now"),
    ("fix_now", "mark_overdue", "system", "fix_now"),
    ("fix_now", "add_occurrence", "system", "fix_now"),
    ("fix_now_review", "accept_evidence", "manager", "signed_off"),
    ("fix_now_review", "reject_evidence", "manager", "fix_now"),
    (
        "fix_now_review",
        "add_occurrence",
        "system",
        "fix_now_review",
    ),
    ("ledger", "submit_evidence", "officer", "panel_review"),
    ("ledger", "request_transfer", "officer", "ledger"),
    ("ledger", "transfer", "manager", "ledger"),
    ("ledger", "decline_transfer", "manager", "ledger"),
    ("ledger", "form_panel", "manager", "ledger"),
    ("ledger", "mark_overdue", "system", "ledger"),
    ("ledger", "add_occurrence", "system", "ledger"),
    ("panel_review", "form_panel", "manager", "panel_review"),
    ("panel_review", "approve", "panel", "panel_review"),
    ("panel_review", "reject", "panel", "ledger"),
    ("panel_review", "sign_off", "system", "signed_off"),
    ("panel_review", "add_occurrence", "system", "panel_review"),
    ("signed_off", "recheck_satisfied", "observer", "closed"),
    ("signed_off", "recheck_satisfied", "manager", "closed"),
    ("signed_off", "recheck_unsatisfied", "observer", "reopened"),
    ("signed_off", "recheck_unsatisfied", "manager", "reopened"),
    ("signed_off", "add_occurrence", "system", "signed_off"),
];

const STATES: [&str; 11] = [
    "new",
    "dismissed",
    "appealed",
    "explained",
    "fix_now",
    "fix_now_review",
    "ledger",
    "panel_review",
    "signed_off",
    "closed",
    "reopened",
];

fn expected(state: &str, action: &str, actor: &str) -> Option<&'static str> {
    EXPECTED
        .iter()
        .find(|(s, a, r, _)| *s == state && *a == action && *r == actor)
        .map(|e| e.3)
}

/// The pure table, every state × action × actor, against the hand-written one.
#[test]
fn workflow_table_matches_the_hand_written_one() {
    assert_eq!(IssueState::ALL.len(), STATES.len());
    let mut allowed = 0;
    for state in IssueState::ALL {
        for action in IssueAction::ALL {
            for actor in Actor::ALL {
                let got = flowwalk_server::issues::rules::state_machine::next(state, action, actor)
                    .ok()
                    .map(|s| s.as_str());
                let want = expected(state.as_str(), action.as_str(), actor.as_str());
                assert_eq!(got, want, "{state} {action} by {}", actor.as_str());
                allowed += usize::from(want.is_some());
            }
        }
    }
    assert_eq!(allowed, EXPECTED.len(), "every hand-written row was met");
}

// ---------------------------------------------------------------------------------------
// The demo's people (tests/lib.rs `issue_fixtures`), with their tokens.

struct World {
    cast: Cast,
    observer: AuthUser,
    tokens: HashMap<&'static str, String>,
}

impl std::ops::Deref for World {
    type Target = Cast;
    fn deref(&self) -> &Cast {
        &self.cast
    }
}

async fn world(app: &TestApp) -> World {
    app.load_demo();
    let mut tokens = HashMap::new();
    for (k, u) in [
        ("admin", "admin"),
        ("manager", "manager"),
        ("observer", "experiencer"),
        ("officer", "officer"),
        ("panel", "panel"),
        ("window", "panel_window"),
        ("citizen", "panel_citizen"),
    ] {
        tokens.insert(k, app.demo_login(u).await);
    }
    World {
        cast: cast(app),
        observer: auth_user(app, "experiencer"),
        tokens,
    }
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn issue_in(app: &TestApp, w: &World, state: IssueState, at: NaiveDateTime) -> String {
    fixture_issue_in(app, w, state, &w.observer, at)
}

/// The state a hand-written name stands for (the name must be one the server stores).
fn named(state: &str) -> IssueState {
    IssueState::parse(state).unwrap_or_else(|| panic!("{state} names no state"))
}

/// The HTTP request carrying `action`: path suffix, method and body.
fn request(action: &str, w: &World, v: i32) -> (&'static str, reqwest::Method, Value) {
    use reqwest::Method;
    let triage = |d: &str| json!({"expected_version": v, "decision": d, "reason": "核实"});
    match action {
        "dismiss" => ("triage", Method::POST, triage("dismiss")),
        "explain" => ("triage", Method::POST, triage("explain")),
        "fix_now" => ("triage", Method::POST, triage("fix_now")),
        "ledger" => ("triage", Method::POST, triage("ledger")),
        "appeal" => (
            "appeal",
            Method::POST,
            json!({"expected_version": v, "note": "我有照片为证"}),
        ),
        "submit_evidence" => (
            "evidence",
            Method::POST,
            json!({"expected_version": v, "note": "已整改"}),
        ),
        "request_transfer" => (
            "transfer-request",
            Method::POST,
            json!({"expected_version": v, "note": "不属于本部门职责"}),
        ),
        "transfer" => (
            "transfer",
            Method::POST,
            json!({"expected_version": v, "department_id": w.other_department}),
        ),
        "decline_transfer" => (
            "transfer",
            Method::POST,
            json!({"expected_version": v, "note": "属于本部门职责"}),
        ),
        "accept_evidence" => (
            "acceptance",
            Method::POST,
            json!({"expected_version": v, "accept": true}),
        ),
        "reject_evidence" => (
            "acceptance",
            Method::POST,
            json!({"expected_version": v, "accept": false, "reason": "照片看不出整改"}),
        ),
        "form_panel" => (
            "panel",
            Method::PUT,
            json!({"expected_version": v, "members": members(w).iter().map(|m| json!({"user_id": m.user_id, "constituency": m.constituency})).collect::<Vec<_>>()}),
        ),
        "approve" => (
            "votes",
            Method::POST,
            json!({"expected_version": v, "approve": true}),
        ),
        "reject" => (
            "votes",
            Method::POST,
            json!({"expected_version": v, "approve": false, "reason": "现场仍无叫号屏"}),
        ),
        "recheck_satisfied" => (
            "recheck",
            Method::POST,
            json!({"expected_version": v, "satisfied": true}),
        ),
        "recheck_unsatisfied" => (
            "recheck",
            Method::POST,
            json!({"expected_version": v, "satisfied": false, "note": "仍要排队"}),
        ),
        other => panic!("no request for {other}"),
    }
}

const HTTP_ACTIONS: [&str; 16] = [
    "dismiss",
    "explain",
    "fix_now",
    "ledger",
    "appeal",
    "submit_evidence",
    "request_transfer",
    "transfer",
    "decline_transfer",
    "accept_evidence",
    "reject_evidence",
    "form_panel",
    "approve",
    "reject",
    "recheck_satisfied",
    "recheck_unsatisfied",
];

const HTTP_ACTORS: [&str; 5] = ["admin", "manager", "observer", "officer", "panel"];

/// Every state × action × role over HTTP: allowed ones reach the hand-written next state,
/// refused ones change nothing.
async fn every_transition_over_http(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let mut allowed_seen = 0;
    for state in STATES {
        let fixed = issue_in(&app, &w, named(state), at);
        let (v0, _) = version(&app, &fixed);
        for action in HTTP_ACTIONS {
            for actor in HTTP_ACTORS {
                let token = &w.tokens[actor];
                match expected(state, action, actor) {
                    Some(next) => {
                        let id = issue_in(&app, &w, named(state), at);
                        if action == "decline_transfer" {
                            run(
                                &app,
                                &w,
                                &w.officer,
                                &id,
                                Command::RequestTransfer {
                                    note: "请转办".into(),
                                },
                                at,
                            )
                            .unwrap();
                        }
                        let (v, _) = version(&app, &id);
                        let (path, method, body) = request(action, &w, v);
                        let res = app
                            .request(
                                method,
                                &format!("/api/v1/issues/{id}/{path}"),
                                Some(token),
                                Some(&body),
                            )
                            .await;
                        let got = expect_json(res, StatusCode::OK).await;
                        assert_eq!(
                            got["summary"]["status"], next,
                            "{state} {action} by {actor}"
                        );
                        assert!(got["summary"]["version"].as_i64().unwrap() > i64::from(v));
                        allowed_seen += 1;
                    }
                    None => {
                        let (path, method, body) = request(action, &w, v0);
                        let res = app
                            .request(
                                method,
                                &format!("/api/v1/issues/{fixed}/{path}"),
                                Some(token),
                                Some(&body),
                            )
                            .await;
                        let status = res.status();
                        let text = res.text().await.unwrap_or_default();
                        assert!(
                            matches!(status.as_u16(), 403 | 404 | 409),
                            "{state} {action} by {actor} must be refused, got {status}: {text}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            version(&app, &fixed),
            (v0, named(state)),
            "refusals changed {state}"
        );
    }
    let http_rows = EXPECTED
        .iter()
        .filter(|(_, a, r, _)| HTTP_ACTIONS.contains(a) && HTTP_ACTORS.contains(r))
        .count();
    assert_eq!(allowed_seen, http_rows);
}

// ---------------------------------------------------------------------------------------

async fn panel_rules(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let manager = &w.tokens["manager"];
    // A missing constituency: a panel without a citizen cannot be formed.
    let id = issue_in(&app, &w, IssueState::New, at);
    run(
        &app,
        &w,
        &w.manager,
        &id,
        triage(TriageDecision::Ledger),
        at,
    )
    .unwrap();
    let (v, _) = version(&app, &id);
    let two: Vec<Value> = w.panel[..2]
        .iter()
        .map(|(u, c)| json!({"user_id": u.id, "constituency": c}))
        .collect();
    let res = app
        .put(
            &format!("/api/v1/issues/{id}/panel"),
            manager,
            &json!({"expected_version": v, "members": two}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "panel_incomplete",
        Some("members"),
    )
    .await;
    // A window representative of the responsible department cannot be the window vote.
    let own_window = app.create_user(
        "window_own",
        "panel-password",
        Role::PanelMember,
        Some(w.department.clone()),
    );
    let with_own: Vec<Value> = vec![
        json!({"user_id": w.panel[0].0.id, "constituency": "service_office"}),
        json!({"user_id": own_window, "constituency": "window_rep"}),
        json!({"user_id": w.panel[2].0.id, "constituency": "citizen_patrol"}),
    ];
    let res = app
        .put(
            &format!("/api/v1/issues/{id}/panel"),
            manager,
            &json!({"expected_version": v, "members": with_own}),
        )
        .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "panel_incomplete",
        Some("members"),
    )
    .await;
    // With the tax window added too, the panel forms; the own-department member is
    // conflicted and may not vote.
    let mut five = with_own.clone();
    five.push(json!({"user_id": w.panel[1].0.id, "constituency": "window_rep"}));
    let res = app
        .put(
            &format!("/api/v1/issues/{id}/panel"),
            manager,
            &json!({"expected_version": v, "members": five}),
        )
        .await;
    let d = expect_json(res, StatusCode::OK).await;
    let conflicted: Vec<&Value> = d["panel"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["conflicted"] == true)
        .collect();
    assert_eq!(conflicted.len(), 1);
    assert_eq!(conflicted[0]["user_id"], own_window.as_str());
    run(&app, &w, &w.officer, &id, evidence(), at).unwrap();
    let own_token = app.login("window_own", "panel-password").await;
    // The vote is offered only to whom the server would take it from.
    let offered = |d: &Value, who: &str| {
        let a = d["actions"].as_array().unwrap();
        let approve = a.iter().any(|x| x == "approve");
        assert_eq!(approve, a.iter().any(|x| x == "reject"), "{who}: {a:?}");
        approve
    };
    let page = async |token: &str| {
        expect_json(
            app.get(&format!("/api/v1/issues/{id}"), token).await,
            StatusCode::OK,
        )
        .await
    };
    assert!(!offered(&page(&own_token).await, "conflicted"));
    assert!(offered(&page(&w.tokens["panel"]).await, "member"));
    let vote = |approve: bool, reason: &str, v: i32| json!({"expected_version": v, "approve": approve, "reason": reason});
    let (v, _) = version(&app, &id);
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/votes"),
            Some(&own_token),
            &vote(true, "", v),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "conflict_of_interest", None).await;
    // A rejection, then an approval: the rejection sends it back; the approval comes too
    // late for that round; the next round needs everyone again.
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/votes"),
            Some(&w.tokens["citizen"]),
            &vote(false, "现场仍无叫号屏", v),
        )
        .await;
    let d = expect_json(res, StatusCode::OK).await;
    assert_eq!(d["summary"]["status"], "ledger");
    assert_eq!(d["resolution"], "现场仍无叫号屏");
    let (v, _) = version(&app, &id);
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/votes"),
            Some(&w.tokens["panel"]),
            &vote(true, "", v),
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "invalid_state", None).await;
    run(&app, &w, &w.officer, &id, evidence(), at).unwrap();
    for (who, last) in [("panel", false), ("window", false), ("citizen", true)] {
        let (v, _) = version(&app, &id);
        let res = app
            .post(
                &format!("/api/v1/issues/{id}/votes"),
                Some(&w.tokens[who]),
                &vote(true, "", v),
            )
            .await;
        let d = expect_json(res, StatusCode::OK).await;
        let want = if last { "signed_off" } else { "panel_review" };
        assert_eq!(d["summary"]["status"], want, "after {who}");
        if !last {
            assert!(!offered(&d, who), "{who} has voted on this round");
            assert!(offered(&page(&w.tokens["citizen"]).await, "citizen"));
        }
    }
    // Voting twice in a round is refused; the panel rule is configurable.
    let lenient = json!({"service_office": 1, "window_rep": 0, "citizen_patrol": 0});
    let res = app
        .put("/api/v1/panel-rule", &w.tokens["admin"], &lenient)
        .await;
    expect_json(res, StatusCode::OK).await;
    let id2 = issue_in(&app, &w, IssueState::New, at);
    run(
        &app,
        &w,
        &w.manager,
        &id2,
        triage(TriageDecision::Ledger),
        at,
    )
    .unwrap();
    run(
        &app,
        &w,
        &w.manager,
        &id2,
        Command::FormPanel {
            members: vec![PanelMemberInput {
                user_id: w.panel[0].0.id.clone(),
                constituency: Constituency::ServiceOffice,
            }],
        },
        at,
    )
    .unwrap();
    run(&app, &w, &w.officer, &id2, evidence(), at).unwrap();
    let (v, _) = version(&app, &id2);
    let res = app
        .post(
            &format!("/api/v1/issues/{id2}/votes"),
            Some(&w.tokens["panel"]),
            &vote(true, "", v),
        )
        .await;
    assert_eq!(
        expect_json(res, StatusCode::OK).await["summary"]["status"],
        "signed_off"
    );
}

async fn deadlines_count_working_days(app: TestApp) {
    let w = world(&app).await;
    let due = |id: &str| {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::issues::store::issue_rows::get(&mut conn, id)
            .unwrap()
            .unwrap()
            .deadline
            .map(|d| d.to_string())
    };
    // Friday 13 Feb 2026, 10:00 in China: Saturday 14 Feb is worked, then Spring Festival.
    let at = t("2026-02-13 02:00:00");
    let a = issue_in(&app, &w, IssueState::New, at);
    run(&app, &w, &w.manager, &a, triage(TriageDecision::FixNow), at).unwrap();
    assert_eq!(due(&a).as_deref(), Some("2026-02-14"));
    let b = issue_in(&app, &w, IssueState::New, at);
    run(&app, &w, &w.manager, &b, triage(TriageDecision::Ledger), at).unwrap();
    assert_eq!(due(&b).as_deref(), Some("2026-03-12"));
    // 23:30 on 30 Sep in China is already 1 Oct there: the holiday week runs to 7 Oct.
    let late = t("2026-09-30 15:30:00");
    let c = issue_in(&app, &w, IssueState::New, late);
    run(
        &app,
        &w,
        &w.manager,
        &c,
        triage(TriageDecision::FixNow),
        late,
    )
    .unwrap();
    assert_eq!(due(&c).as_deref(), Some("2026-10-08"));
    // A year the calendar lacks: weekends only, and managers are warned.
    let nye = t("2026-12-31 02:00:00");
    let d = issue_in(&app, &w, IssueState::New, nye);
    run(
        &app,
        &w,
        &w.manager,
        &d,
        triage(TriageDecision::FixNow),
        nye,
    )
    .unwrap();
    assert_eq!(due(&d).as_deref(), Some("2027-01-01"));
    let detail = expect_json(
        app.get(&format!("/api/v1/issues/{d}"), &w.tokens["manager"])
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        detail["calendar_warning"]
            .as_str()
            .unwrap()
            .contains("2027"),
        "{detail}"
    );
    // An admin adds 2027 (New Year's Day off): new deadlines follow it.
    let cal = expect_json(
        app.get("/api/v1/calendar", &w.tokens["manager"]).await,
        StatusCode::OK,
    )
    .await;
    let mut years = cal["years"].clone();
    years["2027"] = json!({"off": [["2027-01-01", "2027-01-03"]], "work": []});
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    for y in [this_year, this_year + 1] {
        if years.get(y.to_string()).is_none() {
            years[y.to_string()] = json!({"off": [], "work": []});
        }
    }
    let res = app
        .put(
            "/api/v1/calendar",
            &w.tokens["admin"],
            &json!({"years": years}),
        )
        .await;
    let view = expect_json(res, StatusCode::OK).await;
    assert_eq!(view["origin"], "edited");
    assert_eq!(view["missing_years"], json!([]));
    assert!(view["warning"].is_null());
    let e = issue_in(&app, &w, IssueState::New, nye);
    run(
        &app,
        &w,
        &w.manager,
        &e,
        triage(TriageDecision::FixNow),
        nye,
    )
    .unwrap();
    assert_eq!(due(&e).as_deref(), Some("2027-01-04"));
    // A bad calendar is refused and changes nothing.
    let res = app
        .put(
            "/api/v1/calendar",
            &w.tokens["admin"],
            &json!({"years": {"2026": {"work": ["2026-03-03"]}}}),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_value", Some("years")).await;
    let res = app
        .put(
            "/api/v1/calendar",
            &w.tokens["manager"],
            &json!({"years": {}}),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden", None).await;
}

async fn two_transitions_at_once(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let second = app.create_user("manager2", "manager-password", Role::Manager, None);
    let _ = second;
    let other = app.login("manager2", "manager-password").await;
    for round in 0..5 {
        let id = issue_in(&app, &w, IssueState::New, at);
        let (v, _) = version(&app, &id);
        let path = format!("/api/v1/issues/{id}/triage");
        let a = json!({"expected_version": v, "decision": "fix_now"});
        let b = json!({"expected_version": v, "decision": "dismiss", "reason": "误评"});
        let (ra, rb) = tokio::join!(
            app.post(&path, Some(&w.tokens["manager"]), &a),
            app.post(&path, Some(&other), &b)
        );
        let (sa, sb) = (ra.status(), rb.status());
        let (ba, bb): (Value, Value) = (ra.json().await.unwrap(), rb.json().await.unwrap());
        let ok = [sa, sb].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(
            ok, 1,
            "round {round}: exactly one wins: {sa} {ba} / {sb} {bb}"
        );
        let loser = if sa == StatusCode::OK { &bb } else { &ba };
        assert_eq!(loser["code"], "version_conflict", "round {round}: {loser}");
        let (v2, status) = version(&app, &id);
        assert_eq!(v2, v + 1, "one transition, one version");
        let winner = if sa == StatusCode::OK { &ba } else { &bb };
        assert_eq!(winner["summary"]["status"], status.as_str());
        let events = {
            let mut conn = app.db.pool().get().unwrap();
            flowwalk_server::issues::store::issue_rows::events(&mut conn, &id).unwrap()
        };
        assert_eq!(events.len(), usize::try_from(v2).unwrap());
    }
    // A stale version is refused even alone.
    let id = issue_in(&app, &w, IssueState::New, at);
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/triage"),
            Some(&w.tokens["manager"]),
            &json!({"expected_version": 0, "decision": "fix_now"}),
        )
        .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "version_conflict",
        Some("expected_version"),
    )
    .await;
}

fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.db.pool().get().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
}

fn verify(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.pool().get().unwrap();
    flowwalk_server::issues::service::audit::verify(
        &mut conn,
        &AuditKey::from_settings(&app.settings),
    )
    .unwrap()
    .findings
    .iter()
    .map(ToString::to_string)
    .collect()
}

fn audit_cli(app: &TestApp) -> anyhow::Result<()> {
    use clap::Parser;
    let config = app.settings.data_dir.join("audit.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {:?}\ndata_dir = {:?}\n",
            app.settings.database_url.clone().unwrap_or_default(),
            app.settings.data_dir.display().to_string()
        ),
    )?;
    let argv = [
        "flowwalk",
        "--config",
        config.to_str().unwrap_or_default(),
        "audit",
        "verify",
    ];
    flowwalk_server::cli::run(flowwalk_server::cli::Cli::try_parse_from(argv)?)
}

async fn tampering_is_detected(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let a = issue_in(&app, &w, IssueState::Closed, at);
    let b = issue_in(&app, &w, IssueState::PanelReview, at);
    let _c = issue_in(&app, &w, IssueState::Appealed, at);
    assert_eq!(verify(&app), Vec::<String>::new());
    audit_cli(&app).unwrap();
    let seq = |issue: &str, version: i32| -> i64 {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::issues::store::issue_rows::events(&mut conn, issue)
            .unwrap()
            .into_iter()
            .find(|e| e.issue_version == version)
            .unwrap()
            .seq
    };
    // Edit: the reason of a rejection rewritten.
    let edited = seq(&a, 3);
    exec(
        &app,
        &format!("UPDATE issue_events SET detail = '{{\"note\":\"改过\"}}' WHERE seq = {edited}"),
    );
    assert_eq!(
        verify(&app),
        vec![format!("entry {edited} (issue {a}) was changed")]
    );
    assert!(
        audit_cli(&app)
            .unwrap_err()
            .to_string()
            .contains("tampered")
    );
    // Delete: an entry in the middle of b's trail.
    let removed = seq(&b, 2);
    exec(
        &app,
        &format!("DELETE FROM issue_events WHERE seq = {removed}"),
    );
    let found = verify(&app);
    assert!(
        found.contains(&format!("entry {removed} was removed")),
        "{found:?}"
    );
    // Insert: a forged approval appended behind the server's back.
    exec(
        &app,
        &format!(
            "INSERT INTO issue_events (issue_id, issue_version, action, from_state, to_state, actor_id, actor, detail, at, prev_hash, hash) \
             SELECT issue_id, issue_version + 1, 'sign_off', 'panel_review', 'signed_off', NULL, 'system', '{{}}', at, hash, hash \
             FROM issue_events WHERE issue_id = '{b}' ORDER BY seq DESC LIMIT 1"
        ),
    );
    let found = verify(&app);
    assert!(
        found
            .iter()
            .any(|f| f.contains("was inserted") && f.contains(&b)),
        "{found:?}"
    );
    // Deleting the newest entry of an issue is seen through its version.
    let mut conn = app.db.pool().get().unwrap();
    let last = flowwalk_server::issues::store::issue_rows::events(&mut conn, &a)
        .unwrap()
        .pop()
        .unwrap();
    drop(conn);
    exec(
        &app,
        &format!("DELETE FROM issue_events WHERE seq = {}", last.seq),
    );
    let found = verify(&app);
    assert!(
        found
            .iter()
            .any(|f| f.contains(&a) && f.contains("ends at version")),
        "{found:?}"
    );
}

/// Evidence recorded on a phone carries the phone's id for it: a retry whose answer was
/// lost, or two deliveries at once, store it once; the id cannot be reused elsewhere.
async fn evidence_from_a_phone_is_stored_once(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let officer = &w.tokens["officer"];
    let evidence_count = |id: &str| {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::issues::store::issue_rows::evidence(&mut conn, id)
            .unwrap()
            .len()
    };
    let id = issue_in(&app, &w, IssueState::FixNow, at);
    let (v, _) = version(&app, &id);
    let path = format!("/api/v1/issues/{id}/evidence");
    let body = json!({"expected_version": v, "note": "已张贴指引", "client_id": "ev-phone-1"});
    let first = expect_json(app.post(&path, Some(officer), &body).await, StatusCode::OK).await;
    assert_eq!(first["summary"]["status"], "fix_now_review");
    assert_eq!(first["summary"]["version"], v + 1);
    // The answer was lost; the phone sends the same again, with the version it saw.
    let again = expect_json(app.post(&path, Some(officer), &body).await, StatusCode::OK).await;
    assert_eq!(again["summary"]["version"], v + 1, "nothing changed");
    assert_eq!(again["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(evidence_count(&id), 1);
    // Without an id the same retry is a stale version, as before.
    let res = app
        .post(
            &path,
            Some(officer),
            &json!({"expected_version": v, "note": "已张贴指引"}),
        )
        .await;
    assert_eq!(
        expect_json(res, StatusCode::CONFLICT).await["code"],
        "version_conflict"
    );
    // The same id on another issue is refused and changes nothing.
    let other = issue_in(&app, &w, IssueState::FixNow, at);
    let (ov, _) = version(&app, &other);
    let res = app
        .post(
            &format!("/api/v1/issues/{other}/evidence"),
            Some(officer),
            &json!({"expected_version": ov, "note": "已整改", "client_id": "ev-phone-1"}),
        )
        .await;
    let e = expect_json(res, StatusCode::CONFLICT).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("conflict"), Some("client_id"))
    );
    assert_eq!(version(&app, &other), (ov, IssueState::FixNow));
    // A malformed id is named.
    let res = app
        .post(
            &format!("/api/v1/issues/{other}/evidence"),
            Some(officer),
            &json!({"expected_version": ov, "note": "已整改", "client_id": "a b"}),
        )
        .await;
    let e = expect_json(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("invalid_value"), Some("client_id"))
    );
    // Two deliveries at once (a retry racing the first): both answered, stored once.
    for round in 0..4 {
        let id = issue_in(&app, &w, IssueState::FixNow, at);
        let (v, _) = version(&app, &id);
        let path = format!("/api/v1/issues/{id}/evidence");
        let body = json!({"expected_version": v, "note": "已整改", "client_id": format!("ev-race-{round}")});
        let (a, b) = tokio::join!(
            app.post(&path, Some(officer), &body),
            app.post(&path, Some(officer), &body)
        );
        let (sa, sb) = (a.status(), b.status());
        let (ba, bb) = (a.text().await.unwrap(), b.text().await.unwrap());
        assert_eq!(
            (sa, sb),
            (StatusCode::OK, StatusCode::OK),
            "round {round}: {ba} / {bb}"
        );
        assert_eq!(evidence_count(&id), 1, "round {round}");
        assert_eq!(version(&app, &id).0, v + 1, "round {round}");
    }
}

/// A department asks for a transfer once at a time: while a request waits, it is not offered
/// again and is refused; a manager is offered the decline only while one waits.
async fn a_transfer_is_asked_for_once_at_a_time(app: TestApp) {
    let w = world(&app).await;
    let id = issue_in(
        &app,
        &w,
        IssueState::FixNow,
        flowwalk_server::db::rows::now(),
    );
    let (officer, manager) = (&w.tokens["officer"], &w.tokens["manager"]);
    let actions = |d: &Value| -> Vec<String> {
        d["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    };
    let get = |token: &str| {
        let path = format!("/api/v1/issues/{id}");
        let token = token.to_owned();
        let app = &app;
        async move { expect_json(app.get(&path, &token).await, StatusCode::OK).await }
    };
    let before = get(officer).await;
    assert!(actions(&before).contains(&"request_transfer".to_owned()));
    assert!(!actions(&get(manager).await).contains(&"decline_transfer".to_owned()));
    let v = before["summary"]["version"].as_i64().unwrap();
    let path = format!("/api/v1/issues/{id}/transfer-request");
    let asked = expect_json(
        app.post(
            &path,
            Some(officer),
            &json!({"expected_version": v, "note": "应由税务局负责"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !actions(&asked).contains(&"request_transfer".to_owned()),
        "not offered again"
    );
    let res = app
        .post(
            &path,
            Some(officer),
            &json!({"expected_version": v + 1, "note": "再次申请"}),
        )
        .await;
    assert_eq!(
        expect_json(res, StatusCode::CONFLICT).await["code"],
        "invalid_state"
    );
    assert_eq!(
        version(&app, &id).0,
        i32::try_from(v + 1).unwrap(),
        "nothing changed"
    );
    let seen = get(manager).await;
    assert!(actions(&seen).contains(&"decline_transfer".to_owned()));
    let declined = expect_json(
        app.post(
            &format!("/api/v1/issues/{id}/transfer"),
            Some(manager),
            &json!({"expected_version": v + 1, "note": "仍由本部门整改"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!actions(&declined).contains(&"decline_transfer".to_owned()));
    assert!(
        actions(&get(officer).await).contains(&"request_transfer".to_owned()),
        "may ask again"
    );
}

both!(
    every_transition_over_http,
    a_transfer_is_asked_for_once_at_a_time,
    evidence_from_a_phone_is_stored_once,
    panel_rules,
    deadlines_count_working_days,
    two_transitions_at_once,
    tampering_is_detected,
);

// ---------------------------------------------------------------------------------------
// Builder, import, overdue, anonymity, reports, paging.

use flowwalk_shared::api::assignments::Assignment;
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PullResponse};
use flowwalk_shared::walkthrough::WalkthroughRecord;
use flowwalk_tests::fixtures;

async fn pull(app: &TestApp, token: &str) -> (Assignment, Scenario) {
    let body = expect_json(app.get("/api/v1/sync/pull", token).await, StatusCode::OK).await;
    let pull: PullResponse = serde_json::from_value(body).unwrap();
    let r = pull.reference.unwrap();
    let a = r.assignments[0].clone();
    let s = r
        .scenarios
        .iter()
        .find(|s| s.version_id == a.scenario_version_id)
        .unwrap()
        .clone();
    (a, s)
}

async fn push_and_accept(app: &TestApp, observer: &str, manager: &str, walk: &WalkthroughRecord) {
    let body = json!({"protocol": PROTOCOL_VERSION, "device_id": walk.device_id, "device_time_ms": chrono::Utc::now().timestamp_millis(),
        "records": [{"id": walk.id, "rev": walk.rev, "content_hash": walk.content_hash(), "walkthrough": walk}]});
    let r = expect_json(
        app.post("/api/v1/sync/push", Some(observer), &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["results"][0]["status"], "accepted", "{r}");
    let res = app
        .post(
            &format!("/api/v1/walkthroughs/{}/accept", walk.id),
            Some(manager),
            &json!({"rev": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

async fn issues_of(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = expect_json(
        app.get(&format!("/api/v1/issues?limit=200{query}"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

async fn accepting_builds_the_issue_list(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let exp = app.demo_login("experiencer").await;
    let (a, s) = pull(&app, &exp).await;
    let before = issues_of(&app, &manager, "&source=walkthrough").await.len();
    // The same finding twice at the same venue and step: one issue, two occurrences.
    let start = chrono::Utc::now().timestamp_millis() - 5 * 3_600_000;
    let w1 = fixtures::walkthrough(&a, &s, "phone-a", start, &[vec![]]);
    let mut w2 = fixtures::walkthrough(&a, &s, "phone-a", start + 3_600_000, &[vec![], vec![]]);
    w2.findings[0].severity = Severity::High;
    push_and_accept(&app, &exp, &manager, &w1).await;
    push_and_accept(&app, &exp, &manager, &w2).await;
    let all = issues_of(&app, &manager, "&source=walkthrough").await;
    assert_eq!(
        all.len(),
        before + 2,
        "long_queue merged, unclear_signage new"
    );
    let queue = all
        .iter()
        .find(|i| {
            i["category_id"] == "long_queue"
                && i["venue_id"] == a.venue_id.as_str()
                && i["occurrence_count"] == 2
        })
        .unwrap_or_else(|| panic!("a merged issue: {all:?}"));
    assert_eq!(queue["severity"], "high", "the graver severity wins");
    assert_eq!(queue["step_name"], s.steps[0].name.as_str());
    assert_eq!(
        queue["department_id"],
        s.steps[0].department_id.as_str(),
        "the step's department"
    );
    let d = expect_json(
        app.get(
            &format!("/api/v1/issues/{}", queue["id"].as_str().unwrap()),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let walks: Vec<&str> = d["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["walkthrough_id"].as_str().unwrap())
        .collect();
    assert_eq!(walks, vec![w1.id.as_str(), w2.id.as_str()]);
    assert_eq!(d["routed_by"], "step");
    assert_eq!(
        d["events"].as_array().unwrap().len(),
        2,
        "created, then another occurrence"
    );
    // A manager maps signage problems to the service office: the next one goes there.
    let office = expect_json(
        app.get("/api/v1/departments", &manager).await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .find(|d| d["code"] == "service_office")
    .unwrap()["id"]
        .clone();
    let res = app
        .put(
            "/api/v1/category-departments/unclear_signage",
            &manager,
            &json!({"department_id": office}),
        )
        .await;
    expect_json(res, StatusCode::OK).await;
    // Close the signage issue first so the next finding makes a new one.
    let sign = all
        .iter()
        .find(|i| i["category_id"] == "unclear_signage" && i["venue_id"] == a.venue_id.as_str())
        .unwrap();
    let res = app
        .post(&format!("/api/v1/issues/{}/triage", sign["id"].as_str().unwrap()), Some(&manager), &json!({"expected_version": sign["version"], "decision": "explain", "reason": "指引牌由场所统一设置"}))
        .await;
    expect_json(res, StatusCode::OK).await;
    let w3 = fixtures::walkthrough(&a, &s, "phone-a", start + 7_200_000, &[vec![], vec![]]);
    push_and_accept(&app, &exp, &manager, &w3).await;
    let after = issues_of(&app, &manager, "&category_id=unclear_signage&status=new").await;
    let routed = after
        .iter()
        .find(|i| i["venue_id"] == a.venue_id.as_str())
        .unwrap();
    assert_eq!(routed["department_id"], office);
    // The feedback form lists the findings and what became of them.
    let res = app
        .get(
            &format!("/api/v1/walkthroughs/{}/feedback", w1.id),
            &manager,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("体验反馈表") && html.contains(&s.name) && html.contains("排队时间太长"),
        "{html}"
    );
    assert!(
        html.contains("待研判"),
        "the finding's issue state is shown"
    );
    // The observer's own view lists what became of their issues.
    let mine = issues_of(&app, &exp, "").await;
    assert!(mine.iter().any(|i| i["id"] == queue["id"]));
    let other = app.demo_login("experiencer2").await;
    assert!(
        issues_of(&app, &other, "")
            .await
            .iter()
            .all(|i| i["id"] != queue["id"])
    );
    let res = app
        .get(
            &format!("/api/v1/issues/{}", queue["id"].as_str().unwrap()),
            &other,
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found", None).await;
}

fn csv_file(rows: &[[&str; 7]]) -> String {
    let mut out = "事项,场所,部门,渠道,日期,评价内容,评价等级\n".to_owned();
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}

async fn post_file(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/issues/import{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn review_import_is_all_or_nothing_and_idempotent(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let count = |app: &TestApp| {
        let mut conn = app.db.pool().get().unwrap();
        use diesel::prelude::*;
        flowwalk_server::db::schema::issues::table
            .filter(flowwalk_server::db::schema::issues::source.eq(IssueSource::Review))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap()
    };
    let good = [
        [
            "社保卡补办",
            "天宁区政务服务中心",
            "hrss",
            "窗口",
            "2026-11-02",
            "窗口让我跑了三趟",
            "不满意",
        ],
        [
            "开办企业",
            "天宁区政务服务中心",
            "常州市天宁区市场监督管理局",
            "掌上办",
            "2026/11/03 14:20",
            "网上提交后无人审核",
            "非常不满意",
        ],
        [
            "公积金提取",
            "天宁区政务服务中心",
            "housing_fund",
            "窗口",
            "2026-11-04",
            "很快办好",
            "满意",
        ],
    ];
    let mut bad = good.to_vec();
    bad.push([
        "社保卡补办",
        "不存在的大厅",
        "hrss",
        "窗口",
        "2026-11-05",
        "x",
        "不满意",
    ]);
    bad.push([
        "社保卡补办",
        "天宁区政务服务中心",
        "hrss",
        "飞鸽",
        "2026-11-05",
        "x",
        "不满意",
    ]);
    bad.push([
        "社保卡补办",
        "天宁区政务服务中心",
        "hrss",
        "窗口",
        "昨天",
        "x",
        "不满意",
    ]);
    let res = post_file(&app, &manager, "", "text/csv", csv_file(&bad).into_bytes()).await;
    let body = expect_json(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "import_rejected");
    let lines: Vec<i64> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![5, 6, 7]);
    assert!(
        body["rows"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("venue")
    );
    assert!(
        body["rows"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("channel")
    );
    assert!(body["rows"][2]["reason"].as_str().unwrap().contains("date"));
    assert_eq!(count(&app), 0, "nothing imported");
    let res = post_file(&app, &manager, "", "text/csv", csv_file(&good).into_bytes()).await;
    let r = expect_json(res, StatusCode::OK).await;
    assert_eq!(
        r,
        json!({"created": 2, "already_imported": 0, "not_bad_reviews": 1})
    );
    let res = post_file(&app, &manager, "", "text/csv", csv_file(&good).into_bytes()).await;
    let r = expect_json(res, StatusCode::OK).await;
    assert_eq!(
        r,
        json!({"created": 0, "already_imported": 2, "not_bad_reviews": 1})
    );
    assert_eq!(count(&app), 2);
    let imported = issues_of(&app, &manager, "&source=review").await;
    let severe = imported.iter().find(|i| i["severity"] == "high").unwrap();
    assert_eq!(severe["title"], "差评:开办企业");
    // "开办企业" is in two scenarios' names: it names none; "社保卡补办" names one.
    assert!(severe["scenario_name"].is_null(), "{severe}");
    let card = imported.iter().find(|i| i["severity"] == "medium").unwrap();
    assert_eq!(card["scenario_name"], "社保卡补办");
    // The same rows as XLSX: the same issues, nothing new.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in [
        "事项",
        "场所",
        "部门",
        "渠道",
        "日期",
        "评价内容",
        "评价等级",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    let new_row = [
        "医保参保登记",
        "天宁区政务服务中心",
        "medical_insurance",
        "自助终端",
        "2026-11-06",
        "自助机无法打印",
        "不满意",
    ];
    for (r, row) in good.iter().chain(std::iter::once(&new_row)).enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(u32::try_from(r + 1).unwrap(), u16::try_from(c).unwrap(), *v)
                .unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let res = post_file(
        &app,
        &manager,
        "?format=xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    )
    .await;
    let r = expect_json(res, StatusCode::OK).await;
    assert_eq!(
        r,
        json!({"created": 1, "already_imported": 2, "not_bad_reviews": 1})
    );
    // Not a spreadsheet at all.
    let res = post_file(
        &app,
        &manager,
        "?format=xlsx",
        "application/octet-stream",
        b"PK\x03\x04garbage".to_vec(),
    )
    .await;
    let body = expect_json(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["rows"][0]["line"], 1);
    // Imported issues take the same workflow.
    let officer_hrss = app.demo_login("officer_hrss").await;
    let id = imported.iter().find(|i| i["severity"] == "medium").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/triage"),
            Some(&manager),
            &json!({"expected_version": 1, "decision": "fix_now"}),
        )
        .await;
    expect_json(res, StatusCode::OK).await;
    let res = app
        .post(
            &format!("/api/v1/issues/{id}/evidence"),
            Some(&officer_hrss),
            &json!({"expected_version": 2, "note": "已向当事人致歉并优化流程"}),
        )
        .await;
    assert_eq!(
        expect_json(res, StatusCode::OK).await["summary"]["status"],
        "fix_now_review"
    );
}

async fn overdue_issues_are_flagged_and_escalated(app: TestApp) {
    let w = world(&app).await;
    let triaged = t("2026-03-02 02:00:00");
    let id = issue_in(&app, &w, IssueState::New, triaged);
    run(
        &app,
        &w,
        &w.manager,
        &id,
        triage(TriageDecision::FixNow),
        triaged,
    )
    .unwrap();
    let key = AuditKey::from_settings(&app.settings);
    let sweep = |now: NaiveDateTime| {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::issues::service::sweep::sweep(c, &key, now)
        })
        .unwrap()
    };
    // Due Tuesday 3 March: on the 3rd it is near, not late.
    let s = sweep(t("2026-03-03 01:00:00"));
    assert_eq!((s.overdue, s.reminded), (0, 1));
    let s = sweep(t("2026-03-04 01:00:00"));
    assert_eq!(s.overdue, 1);
    assert_eq!(sweep(t("2026-03-05 01:00:00")).overdue, 0, "flagged once");
    let d = expect_json(
        app.get(&format!("/api/v1/issues/{id}?"), &w.tokens["manager"])
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["summary"]["overdue"], true);
    assert_eq!(
        d["events"].as_array().unwrap().last().unwrap()["action"],
        "mark_overdue"
    );
    let overdue = issues_of(&app, &w.tokens["manager"], "&overdue=true").await;
    assert!(overdue.iter().any(|i| i["id"] == id.as_str()));
    for who in ["manager", "officer"] {
        let n = expect_json(
            app.get("/api/v1/notifications", &w.tokens[who]).await,
            StatusCode::OK,
        )
        .await;
        assert!(
            n["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "overdue" && x["issue_id"] == id.as_str()),
            "{who}: {n}"
        );
    }
    // The words of the assignment, as the officer reads them.
    let n = expect_json(
        app.get("/api/v1/notifications", &w.tokens["officer"]).await,
        StatusCode::OK,
    )
    .await;
    let assigned: Vec<&str> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "issue_assigned")
        .filter_map(|x| x["message"].as_str())
        .collect();
    assert!(!assigned.is_empty(), "{n}");
    for m in assigned {
        assert!(
            m.starts_with("新交办问题(即知即改):“") || m.starts_with("新交办问题(台账):“"),
            "{m}"
        );
    }
    let n = expect_json(
        app.get("/api/v1/notifications?unread=true", &w.tokens["officer"])
            .await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = n["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"issue_assigned") && kinds.contains(&"deadline_near"),
        "{kinds:?}"
    );
    let unread = n["unread"].as_i64().unwrap();
    let res = app
        .post(
            "/api/v1/notifications/read",
            Some(&w.tokens["officer"]),
            &json!({"ids": [n["items"][0]["id"]]}),
        )
        .await;
    assert_eq!(expect_json(res, StatusCode::OK).await["marked"], 1);
    let n = expect_json(
        app.get("/api/v1/notifications", &w.tokens["officer"]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(n["unread"].as_i64().unwrap(), unread - 1);
}

/// Everything a department officer can read, searched for the observer's identity.
async fn departments_never_learn_who_observed(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let admin = app.demo_login("admin").await;
    // A distinctive observer on an assignment at a venue.
    let observer_id = app.create_user("zhang_wei_obs", "observer-pass-1", Role::Experiencer, None);
    let res = app.post("/api/v1/users", Some(&admin), &json!({"username": "placeholder1", "password": "password-123", "role": "inspector", "display_name": "x"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    {
        let mut conn = app.db.pool().get().unwrap();
        diesel::sql_query(format!(
            "UPDATE users SET display_name = '张伟观察员' WHERE id = '{observer_id}'"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    let all = expect_json(app.get("/api/v1/assignments", &admin).await, StatusCode::OK).await;
    let mut a = all[0].clone();
    a["observer_ids"] = json!([observer_id]);
    let res = app.put(&format!("/api/v1/assignments/{}", a["id"].as_str().unwrap()), &admin, &json!({
        "scenario_id": a["scenario_id"], "venue_id": a["venue_id"], "observer_ids": a["observer_ids"],
        "starts_on": a["starts_on"], "ends_on": a["ends_on"], "mode": a["mode"], "status": a["status"], "note": a["note"]})).await;
    expect_json(res, StatusCode::OK).await;
    let obs = app.login("zhang_wei_obs", "observer-pass-1").await;
    let (asg, scen) = pull(&app, &obs).await;
    let photo = fixtures::jpeg(40, 30, 4242);
    let sha = flowwalk_shared::walkthrough::hex_sha256(&photo);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/photos/{sha}")))
        .bearer_auth(&obs)
        .body(photo)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let device = "device-zhang-0042";
    let walk = fixtures::walkthrough(
        &asg,
        &scen,
        device,
        chrono::Utc::now().timestamp_millis() - 3_600_000,
        &[vec![sha.clone()]],
    );
    push_and_accept(&app, &obs, &manager, &walk).await;
    let issue = issues_of(&app, &manager, "")
        .await
        .into_iter()
        .find(|i| {
            i["venue_id"] == asg.venue_id.as_str()
                && i["category_id"] == "long_queue"
                && i["scenario_id"] == asg.scenario_id.as_str()
        })
        .unwrap();
    let id = issue["id"].as_str().unwrap().to_owned();
    let dept = issue["department_id"].as_str().unwrap().to_owned();
    // An officer of that department; the issue goes through dismissal, appeal and a fix.
    app.create_user(
        "dept_officer_x",
        "officer-pass-1",
        Role::DepartmentOfficer,
        Some(dept),
    );
    let officer = app.login("dept_officer_x", "officer-pass-1").await;
    let step = |path: &str, token: &str, body: Value| {
        let (app, path, token) = (
            &app,
            format!("/api/v1/issues/{id}/{path}"),
            token.to_owned(),
        );
        async move { expect_json(app.post(&path, Some(&token), &body).await, StatusCode::OK).await }
    };
    step("triage", &manager, json!({"expected_version": issue["version"], "decision": "dismiss", "reason": "暂无法核实"})).await;
    let v = step("appeal", &obs, json!({"expected_version": issue["version"].as_i64().unwrap() + 1, "note": "我是张伟,有照片"})).await["summary"]["version"].clone();
    let v = step(
        "triage",
        &manager,
        json!({"expected_version": v, "decision": "fix_now"}),
    )
    .await["summary"]["version"]
        .clone();
    let v = step(
        "evidence",
        &officer,
        json!({"expected_version": v, "note": "已增设叫号屏", "photos": [sha]}),
    )
    .await["summary"]["version"]
        .clone();
    let v = step(
        "acceptance",
        &manager,
        json!({"expected_version": v, "accept": true}),
    )
    .await["summary"]["version"]
        .clone();
    step(
        "recheck",
        &obs,
        json!({"expected_version": v, "satisfied": true, "note": "满意"}),
    )
    .await;
    // What the officer can read.
    let mut bodies = Vec::new();
    for path in [
        format!("/api/v1/issues/{id}"),
        "/api/v1/issues?limit=200".to_owned(),
        "/api/v1/issues?sort=deadline".to_owned(),
        "/api/v1/notifications".to_owned(),
        format!("/api/v1/photos/{sha}"),
        "/api/v1/calendar".to_owned(),
    ] {
        let res = app.get(&path, &officer).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        bodies.push((path, res.text().await.unwrap()));
    }
    let detail: Value = serde_json::from_str(&bodies[0].1).unwrap();
    assert_eq!(
        detail["summary"]["status"], "closed",
        "the officer sees the whole trail"
    );
    assert!(
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "appeal" && e["actor"] == "observer")
    );
    for forbidden in [
        observer_id.as_str(),
        "zhang_wei_obs",
        "张伟观察员",
        device,
        walk.id.as_str(),
    ] {
        for (path, body) in &bodies {
            assert!(
                !body.contains(forbidden),
                "{path} reveals {forbidden:?}: {body}"
            );
        }
    }
    // The manager does see who it was.
    let m = app
        .get(&format!("/api/v1/issues/{id}"), &manager)
        .await
        .text()
        .await
        .unwrap();
    assert!(m.contains(&observer_id) && m.contains(walk.id.as_str()));
    // The display variant carries no metadata at all.
    let res = app
        .get(&format!("/api/v1/photos/{sha}/display"), &officer)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!fixtures::has_metadata_segments(
        &res.bytes().await.unwrap()
    ));
}

async fn reports_match_a_hand_computed_fixture(app: TestApp) {
    let w = world(&app).await;
    let (office, venues): (String, HashMap<String, String>) = {
        let mut conn = app.db.pool().get().unwrap();
        let v = flowwalk_server::reference::store::venue_rows::list(&mut conn)
            .unwrap()
            .into_iter()
            .map(|v| (v.code, v.id))
            .collect();
        (
            flowwalk_server::reference::store::department_rows::find_by_code(
                &mut conn,
                "service_office",
            )
            .unwrap()
            .unwrap()
            .id,
            v,
        )
    };
    // Q1 2026, all by hand:
    //   market regulation (the officer's): 4 issues at 茶山街道 (town)
    //     A fix-now, evidence on time, accepted, rechecked satisfied → closed
    //     B fix-now, evidence late (after the deadline), accepted, rechecked unsatisfied
    //     C dismissed
    //     D ledger, overdue, not fixed
    //   service office: 2 issues at 采菱社区 (village under 雕庄街道) and 1 at the district center
    //     E explained; F new (untriaged); G fix-now accepted on time, not rechecked
    let chashan = venues["chashan-street-center"].clone();
    let cailing = venues["cailing-community-station"].clone();
    let district = venues["tianning-district-center"].clone();
    let mk = |venue: &str, dept: &str, at: NaiveDateTime| {
        let n = unique();
        let mut conn = app.db.pool().get().unwrap();
        let new = NewIssue {
            source: IssueSource::Walkthrough,
            source_key: None,
            merge_key: Some(format!("report|{n}")),
            venue_id: venue.to_owned(),
            category_id: Some("long_queue".into()),
            scenario_id: None,
            step_name: String::new(),
            department_id: dept.to_owned(),
            routed_by: RoutedBy::Step,
            title: format!("问题 {n}"),
            description: "d".into(),
            occurrence: NewOccurrence {
                source_ref: format!("report:{n}"),
                walkthrough_id: None,
                observer_id: Some(w.observer.id.clone()),
                severity: Severity::Low,
                description: "d".into(),
                photos: vec![],
                seen_at: at,
            },
        };
        match flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::issues::service::record(c, &w.key, &new, at)
        })
        .unwrap()
        {
            Recorded::Created(r) => r.id,
            _ => panic!(),
        }
    };
    let office_officer = {
        app.create_user(
            "office_officer",
            "officer-pass-1",
            Role::DepartmentOfficer,
            Some(office.clone()),
        );
        auth_user(&app, "office_officer")
    };
    let d1 = t("2026-02-02 02:00:00"); // Monday 2 Feb, 10:00 China
    let ok = |r: Result<_, _>| {
        r.unwrap();
    };
    let m = &w.manager;
    let accept = || Command::Acceptance {
        accept: true,
        reason: String::new(),
    };
    let a = mk(&chashan, &w.department, d1);
    ok(run(&app, &w, m, &a, triage(TriageDecision::FixNow), d1));
    ok(run(
        &app,
        &w,
        &w.officer,
        &a,
        evidence(),
        t("2026-02-03 03:00:00"),
    ));
    ok(run(&app, &w, m, &a, accept(), t("2026-02-04 03:00:00")));
    ok(run(
        &app,
        &w,
        &w.observer,
        &a,
        Command::Recheck {
            satisfied: true,
            note: String::new(),
        },
        t("2026-02-05 03:00:00"),
    ));
    let b = mk(&chashan, &w.department, d1);
    ok(run(&app, &w, m, &b, triage(TriageDecision::FixNow), d1));
    ok(run(
        &app,
        &w,
        &w.officer,
        &b,
        evidence(),
        t("2026-02-06 03:00:00"),
    ));
    ok(run(&app, &w, m, &b, accept(), t("2026-02-06 05:00:00")));
    ok(run(
        &app,
        &w,
        &w.observer,
        &b,
        Command::Recheck {
            satisfied: false,
            note: "没变".into(),
        },
        t("2026-02-09 03:00:00"),
    ));
    let c = mk(&chashan, &w.department, d1);
    ok(run(&app, &w, m, &c, triage(TriageDecision::Dismiss), d1));
    let d = mk(&chashan, &w.department, d1);
    ok(run(&app, &w, m, &d, triage(TriageDecision::Ledger), d1));
    {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::db::write_tx(&mut conn, |c| {
            flowwalk_server::issues::service::sweep::sweep(c, &w.key, t("2026-03-20 03:00:00"))
        })
        .unwrap();
    }
    let e = mk(&cailing, &office, d1);
    ok(run(&app, &w, m, &e, triage(TriageDecision::Explain), d1));
    let _f = mk(&cailing, &office, d1);
    let g = mk(&district, &office, d1);
    ok(run(&app, &w, m, &g, triage(TriageDecision::FixNow), d1));
    ok(run(
        &app,
        &w,
        &office_officer,
        &g,
        evidence(),
        t("2026-02-02 08:00:00"),
    ));
    ok(run(&app, &w, m, &g, accept(), t("2026-02-03 08:00:00")));
    // An issue of April is outside Q1.
    let _later = mk(&district, &office, t("2026-04-02 02:00:00"));

    // Impact, by hand. G (signed off 3 Feb) is of 开办企业 at the district center; that
    // pair's walkthroughs took 100, 80 and 90 minutes before the fix (median 90) and 40 and
    // 60 after (median 50): 40 minutes cut. 开办企业's version 2 (from 10 Feb) asks for no
    // materials where version 1 asked for all of its own.
    let manager_token = w.tokens["manager"].clone();
    let scenarios = expect_json(
        app.get("/api/v1/scenarios", &manager_token).await,
        StatusCode::OK,
    )
    .await;
    let open = scenarios
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "open-business")
        .unwrap()
        .clone();
    let materials_v1: i64 = open["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["materials_count"].as_i64().unwrap())
        .sum();
    assert!(materials_v1 > 0);
    let steps: Vec<Value> = open["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| json!({"name": st["name"], "channel": st["channel"], "department_id": st["department_id"], "standard_minutes": st["standard_minutes"], "materials_count": 0}))
        .collect();
    let v2 = expect_json(
        app.put(
            &format!("/api/v1/scenarios/{}", open["id"].as_str().unwrap()),
            &manager_token,
            &json!({"code": "open-business", "name": open["name"], "steps": steps}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let sid = open["id"].as_str().unwrap().to_owned();
    let (v1_id, v2_id) = (
        open["version_id"].as_str().unwrap().to_owned(),
        v2["version_id"].as_str().unwrap().to_owned(),
    );
    {
        let mut conn = app.db.pool().get().unwrap();
        let mut sql = vec![
            format!("UPDATE issues SET scenario_id = '{sid}' WHERE id = '{g}'"),
            format!(
                "UPDATE scenario_versions SET created_at = '2025-12-01 00:00:00' WHERE id = '{v1_id}'"
            ),
            format!(
                "UPDATE scenario_versions SET created_at = '2026-02-10 00:00:00' WHERE id = '{v2_id}'"
            ),
        ];
        for (i, (day, minutes)) in [
            ("2026-01-10", 100),
            ("2026-01-12", 80),
            ("2026-01-20", 90),
            ("2026-02-20", 40),
            ("2026-03-02", 60),
        ]
        .iter()
        .enumerate()
        {
            sql.push(format!(
                "INSERT INTO walkthrough_facts (walkthrough_id, rev, venue_id, scenario_id, scenario_version_id, started_at, total_ms, promised_ms, finding_count, accepted_at) \
                 VALUES ('impact-{i}', 1, '{district}', '{sid}', '{v1_id}', '{day} 02:00:00', {}, 3600000, 1, '{day} 05:00:00')",
                minutes * 60_000
            ));
        }
        for q in sql {
            diesel::sql_query(q).execute(&mut *conn).unwrap();
        }
    }
    let manager = &w.tokens["manager"];
    let r = expect_json(
        app.get("/api/v1/reports?period=2026-Q1&group=department", manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let row = |r: &Value, key: &str| -> Value {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == key)
            .unwrap_or_else(|| panic!("{key} in {r}"))["figures"]
            .clone()
    };
    let mr = row(&r, &w.department);
    let f = |v: &Value, k: &str| v[k].as_i64().unwrap();
    assert_eq!(
        [
            f(&mr, "received"),
            f(&mr, "valid"),
            f(&mr, "to_fix"),
            f(&mr, "rectified"),
            f(&mr, "on_time"),
            f(&mr, "overdue"),
            f(&mr, "rechecked"),
            f(&mr, "satisfied"),
            f(&mr, "closed")
        ],
        [4, 3, 3, 2, 1, 1, 2, 1, 1]
    );
    assert_eq!(mr["rectification_rate"].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(mr["on_time_rate"].as_f64().unwrap(), 0.5);
    assert_eq!(mr["return_visit_rate"].as_f64().unwrap(), 1.0);
    assert_eq!(mr["satisfaction_rate"].as_f64().unwrap(), 0.5);
    let so = row(&r, &office);
    assert_eq!(
        [
            f(&so, "received"),
            f(&so, "valid"),
            f(&so, "to_fix"),
            f(&so, "rectified"),
            f(&so, "on_time"),
            f(&so, "overdue"),
            f(&so, "rechecked"),
            f(&so, "satisfied"),
            f(&so, "closed")
        ],
        [3, 2, 1, 1, 1, 0, 0, 0, 0]
    );
    assert!(so["return_visit_rate"].as_f64().unwrap() == 0.0 && so["satisfaction_rate"].is_null());
    assert_eq!(f(&r["total"], "received"), 7);
    assert_eq!(f(&r["total"], "rectified"), 3);
    assert_eq!(r["impact"]["problems_solved"], 1);
    assert_eq!(r["impact"]["findings"], 7);
    assert_eq!(r["impact"]["hours_cut"], 0.67, "{}", r["impact"]);
    assert_eq!(r["impact"]["pairs_compared"], 1);
    assert_eq!(r["impact"]["materials_cut"], materials_v1);
    // Per town/street: 茶山 4; 雕庄 (through 采菱社区) 2; the district center above towns 1.
    let r = expect_json(
        app.get("/api/v1/reports?period=2026-Q1&group=town", manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(f(&row(&r, &chashan), "received"), 4);
    assert_eq!(
        f(&row(&r, &venues["diaozhuang-street-center"]), "received"),
        2
    );
    let above: Vec<&Value> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["key"].is_null())
        .collect();
    assert_eq!(above.len(), 1);
    assert_eq!(above[0]["name"], "区级及以上场所");
    assert_eq!(f(&above[0]["figures"], "received"), 1);
    // The CSV and the circular carry the same figures.
    let res = app
        .get(
            "/api/v1/reports/export?period=2026-Q1&format=csv&group=department",
            manager,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let market = "常州市天宁区市场监督管理局,4,3,3,2,1,1,2,1,1,66.7%,50.0%,100.0%,50.0%";
    assert!(text.lines().any(|l| l == market), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("合计,7,5,4,3,2,1,2,1,1")),
        "{text}"
    );
    let res = app
        .get("/api/v1/reports/export?period=2026-Q1", manager)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["按部门", "按镇街", "整改成效"]);
    let dept = book.worksheet_range("按部门").unwrap();
    let found = dept
        .rows()
        .find(|r| r[0] == Data::String("常州市天宁区市场监督管理局".into()))
        .unwrap();
    assert_eq!(found[1], Data::Float(4.0));
    assert_eq!(found[4], Data::Float(2.0));
    let town = book.worksheet_range("按镇街").unwrap();
    assert!(
        town.rows().any(
            |r| r[0] == Data::String("茶山街道便民服务中心".into()) && r[1] == Data::Float(4.0)
        )
    );
    // Officers have no reports; a bad period is named.
    expect_error(
        app.get("/api/v1/reports?period=2026-Q1", &w.tokens["officer"])
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    )
    .await;
    expect_error(
        app.get("/api/v1/reports?period=2026-Q9", manager).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("period"),
    )
    .await;
    let dash = expect_json(
        app.get("/api/v1/dashboard?from=2026-01-01&to=2026-03-31", manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dash["by_category"][0]["key"], "long_queue");
    assert_eq!(dash["by_category"][0]["count"], 7);
    let months: Vec<&str> = dash["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, vec!["2026-02"]);
}

/// Counts the statements a connection runs.
struct Counter(Arc<AtomicUsize>);

impl diesel::connection::Instrumentation for Counter {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn lists_page_with_a_fixed_number_of_queries(app: TestApp) {
    let w = world(&app).await;
    let at = flowwalk_server::db::rows::now();
    let mut ids = Vec::new();
    for _ in 0..23 {
        ids.push(flowwalk_tests::issue_fixtures::new_issue(
            &app,
            &w,
            &w.observer,
            at,
        ));
    }
    let manager = &w.tokens["manager"];
    // Paging by 5 meets every issue exactly once, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let page = expect_json(
            app.get(&format!("/api/v1/issues?limit=5{q}"), manager)
                .await,
            StatusCode::OK,
        )
        .await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no issue twice");
    for id in &ids {
        assert!(seen.contains(id));
    }
    expect_error(
        app.get("/api/v1/issues?cursor=bogus", manager).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("cursor"),
    )
    .await;
    // The same number of statements for a page of 2 and a page of 20.
    let queries = |limit: i64| {
        let mut conn = app.db.pool().get().unwrap();
        let n = Arc::new(AtomicUsize::new(0));
        diesel::Connection::set_instrumentation(&mut *conn, Counter(n.clone()));
        let page = flowwalk_server::issues::service::list::page(
            &mut conn,
            &w.manager,
            &Default::default(),
            flowwalk_shared::api::issues::IssueSort::Created,
            None,
            limit,
        )
        .unwrap();
        assert_eq!(i64::try_from(page.items.len()).unwrap(), limit);
        diesel::Connection::set_instrumentation(
            &mut *conn,
            diesel::connection::get_default_instrumentation()
                .unwrap_or_else(|| Box::new(None::<Counter>)),
        );
        n.load(Ordering::SeqCst)
    };
    let (small, large) = (queries(2), queries(20));
    assert_eq!(small, large, "queries per page do not grow with the page");
    assert!(small <= 2, "{small} statements for one page");
    // The walkthrough review list too.
    let exp = app.demo_login("experiencer").await;
    let (a, s) = pull(&app, &exp).await;
    for i in 0..6 {
        let walk = fixtures::walkthrough(
            &a,
            &s,
            "phone-p",
            chrono::Utc::now().timestamp_millis() - 3_600_000 - i,
            &[],
        );
        let body = json!({"protocol": PROTOCOL_VERSION, "device_id": "phone-p", "device_time_ms": chrono::Utc::now().timestamp_millis(),
            "records": [{"id": walk.id, "rev": 1, "content_hash": walk.content_hash(), "walkthrough": walk}]});
        expect_json(
            app.post("/api/v1/sync/push", Some(&exp), &body).await,
            StatusCode::OK,
        )
        .await;
    }
    let review = |limit: i64| {
        let mut conn = app.db.pool().get().unwrap();
        let n = Arc::new(AtomicUsize::new(0));
        diesel::Connection::set_instrumentation(&mut *conn, Counter(n.clone()));
        let page = flowwalk_server::walkthroughs::service::review::list(
            &mut conn,
            None,
            Default::default(),
            None,
            limit,
        )
        .unwrap();
        assert_eq!(i64::try_from(page.items.len()).unwrap(), limit);
        n.load(Ordering::SeqCst)
    };
    assert_eq!(review(1), review(6));
    let first = expect_json(
        app.get("/api/v1/walkthroughs?limit=4", manager).await,
        StatusCode::OK,
    )
    .await;
    let next = first["next_cursor"].as_str().unwrap();
    let second = expect_json(
        app.get(
            &format!("/api/v1/walkthroughs?limit=4&cursor={next}"),
            manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut d = ids.clone();
    d.sort();
    d.dedup();
    assert_eq!(d.len(), ids.len());
    assert!(ids.len() >= 6);
    // One service at one venue (its walks before and after the fixes): exactly those.
    let all = expect_json(
        app.get("/api/v1/walkthroughs?limit=200", manager).await,
        StatusCode::OK,
    )
    .await;
    let all = all["items"].as_array().unwrap();
    let (sc, ve) = (
        all[0]["scenario_id"].as_str().unwrap(),
        all[0]["venue_id"].as_str().unwrap(),
    );
    let mut want: Vec<&str> = all
        .iter()
        .filter(|w| w["scenario_id"] == sc && w["venue_id"] == ve)
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    let same = expect_json(
        app.get(
            &format!("/api/v1/walkthroughs?scenario_id={sc}&venue_id={ve}&limit=200"),
            manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut got: Vec<&str> = same["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    assert!(got.len() < all.len(), "the filter narrows");
    let venue_only = expect_json(
        app.get(
            &format!("/api/v1/walkthroughs?venue_id={ve}&limit=200"),
            manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        venue_only["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["venue_id"] == ve)
    );
}

both!(
    accepting_builds_the_issue_list,
    review_import_is_all_or_nothing_and_idempotent,
    overdue_issues_are_flagged_and_escalated,
    departments_never_learn_who_observed,
    reports_match_a_hand_computed_fixture,
    lists_page_with_a_fixed_number_of_queries,
);

/// As a newcomer would after `./scripts/demo`: the demo has an issue in every state with
/// its trail, and its manager, officer and panel take the new one to closed over the API.
async fn demo_issue_goes_from_new_to_closed(app: TestApp) {
    app.load_demo();
    let manager = app.demo_login("manager").await;
    let all = issues_of(&app, &manager, "").await;
    let mut states: Vec<&str> = all.iter().map(|i| i["status"].as_str().unwrap()).collect();
    states.sort();
    states.dedup();
    for s in STATES {
        assert!(
            states.contains(&s),
            "the demo lacks a {s} issue: {states:?}"
        );
    }
    assert!(all.iter().any(|i| i["overdue"] == true), "an overdue one");
    let mut conn = app.db.pool().get().unwrap();
    let report = flowwalk_server::issues::service::audit::verify(
        &mut conn,
        &AuditKey::from_settings(&app.settings),
    )
    .unwrap();
    drop(conn);
    assert!(
        report.findings.is_empty() && report.entries > 30,
        "{}",
        report.entries
    );
    let new = all.iter().find(|i| i["status"] == "new").unwrap();
    let id = new["id"].as_str().unwrap().to_owned();
    let officer = app.demo_login("officer").await;
    assert_eq!(
        new["department_id"],
        cast(&app).department.as_str(),
        "the demo officer's"
    );
    let users = expect_json(app.get("/api/v1/users", &manager).await, StatusCode::OK).await;
    let id_of = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .clone()
    };
    let post = |path: &str, token: &str, body: Value| {
        let (app, path, token) = (
            &app,
            format!("/api/v1/issues/{id}/{path}"),
            token.to_owned(),
        );
        async move { expect_json(app.post(&path, Some(&token), &body).await, StatusCode::OK).await }
    };
    let v = |d: &Value| d["summary"]["version"].clone();
    let d = post(
        "triage",
        &manager,
        json!({"expected_version": new["version"], "decision": "ledger"}),
    )
    .await;
    let members = json!([
        {"user_id": id_of("panel"), "constituency": "service_office"},
        {"user_id": id_of("panel_window"), "constituency": "window_rep"},
        {"user_id": id_of("panel_citizen"), "constituency": "citizen_patrol"},
    ]);
    let res = app
        .put(
            &format!("/api/v1/issues/{id}/panel"),
            &manager,
            &json!({"expected_version": v(&d), "members": members}),
        )
        .await;
    let d = expect_json(res, StatusCode::OK).await;
    let mut d = post(
        "evidence",
        &officer,
        json!({"expected_version": v(&d), "note": "已增设叫号屏"}),
    )
    .await;
    for who in ["panel", "panel_window", "panel_citizen"] {
        let token = app.demo_login(who).await;
        d = post(
            "votes",
            &token,
            json!({"expected_version": v(&d), "approve": true}),
        )
        .await;
    }
    assert_eq!(d["summary"]["status"], "signed_off");
    let d = post(
        "recheck",
        &manager,
        json!({"expected_version": v(&d), "satisfied": true, "note": "电话回访,满意"}),
    )
    .await;
    assert_eq!(d["summary"]["status"], "closed");
    let actions: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[actions.len() - 8..],
        [
            "ledger",
            "form_panel",
            "submit_evidence",
            "approve",
            "approve",
            "approve",
            "sign_off",
            "recheck_satisfied"
        ]
    );
}

both!(demo_issue_goes_from_new_to_closed);
