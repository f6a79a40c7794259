//! `/api/openapi.json` is a contract a generator can use. Every path parameter is
//! declared, timestamps carry their offset, a real OpenAPI validator accepts the document,
//! and schemathesis (pinned, installed by `scripts/test`) fuzzes the running server from
//! it with no schema error and no server error.

use std::process::Command;

use flowwalk_tests::{TestApp, both, expect_json};
use reqwest::StatusCode;
use serde_json::Value;

/// The folder with `openapi-spec-validator` and `schemathesis` (`scripts/test` sets it).
fn tools() -> std::path::PathBuf {
    std::env::var_os("FLOWWALK_TEST_OPENAPI_TOOLS")
        .map(Into::into)
        .unwrap_or_else(|| {
            panic!(
                "FLOWWALK_TEST_OPENAPI_TOOLS is not set: run ./scripts/test, which installs \
                 openapi-spec-validator and schemathesis"
            )
        })
}

/// Test cases per operation and phase: enough to find a 5xx, bounded for the 30-minute suite.
const EXAMPLES: &str = "8";

async fn document(app: &TestApp) -> Value {
    expect_json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

/// Runs a tool, failing the test with its output unless it succeeds.
fn run(what: &str, cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
}

async fn every_path_parameter_is_declared_and_times_carry_z(app: TestApp) {
    app.load_demo();
    let doc = document(&app).await;
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let wanted: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        for (method, op) in item.as_object().unwrap() {
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path" && p["required"] == true)
                        .filter_map(|p| p["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            for name in &wanted {
                assert!(
                    declared.contains(name),
                    "{method} {path} does not declare its path parameter {name}"
                );
            }
            if !wanted.is_empty() {
                checked.push(format!("{method} {path}"));
            }
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
        }
    }
    assert!(
        checked.len() >= 18,
        "operations with path parameters: {checked:?}"
    );
    // Limits are carried into the schemas.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["CreateInviteRequest"]["properties"]["valid_hours"]["maximum"],
        720
    );
    assert!(schemas["VenueInput"]["properties"]["code"]["pattern"].is_string());
    assert_eq!(
        schemas["VenueInput"]["properties"]["name"]["maxLength"],
        100
    );
    // Timestamps are RFC 3339 with their offset.
    let token = app.demo_login("manager").await;
    let venues = expect_json(app.get("/api/v1/venues", &token).await, StatusCode::OK).await;
    let created = venues[0]["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z'), "{created}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
}

async fn validators_and_a_fuzzer_accept_the_document(app: TestApp) {
    app.load_demo();
    let tools = tools();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&document(&app).await).unwrap()).unwrap();
    run(
        "openapi-spec-validator",
        Command::new(tools.join("openapi-spec-validator")).arg(&file),
    );
    // Staff reach most operations; an observer the ones only observers may call.
    for (user, only) in [
        ("manager", None),
        ("experiencer", Some("^/api/v1/(sync|photos)/")),
    ] {
        let token = app.demo_login(user).await;
        let mut cmd = Command::new(tools.join("schemathesis"));
        cmd.current_dir(work.path())
            .arg("run")
            .arg(app.url("/api/openapi.json"))
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--max-examples", EXAMPLES])
            // One worker: the fuzzer's own generator is not safe across threads.
            .args(["--workers", "1", "--seed", "20261202", "--no-color"])
            .args(["--generation-database", ":memory:"])
            .args(["--suppress-health-check", "all"])
            // Schema-valid input may still name records that do not exist or break a rule
            // across fields (an end before a start): those answers are right, not failures.
            .args(["--exclude-checks", "positive_data_acceptance"]);
        if let Some(regex) = only {
            cmd.args(["--include-path-regex", regex]);
        }
        run(&format!("schemathesis as {user}"), &mut cmd);
    }
}

both!(
    every_path_parameter_is_declared_and_times_carry_z,
    validators_and_a_fuzzer_accept_the_document,
);
