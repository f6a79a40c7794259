//! The `flowwalk` command line, run in-process through its real entry point against the
//! test's database: migrate, user create, demo, import.

use clap::Parser;
use flowwalk_server::cli::{Cli, run};
use flowwalk_tests::{TestApp, both, expect_json};
use reqwest::StatusCode;

pub(crate) fn flowwalk(app: &TestApp, args: &[&str]) -> anyhow::Result<()> {
    let config = app.settings.data_dir.join("flowwalk.toml");
    let toml = format!(
        "database_url = {:?}\ndata_dir = {:?}\n",
        app.settings.database_url.clone().unwrap_or_default(),
        app.settings.data_dir.display().to_string()
    );
    std::fs::write(&config, toml)?;
    let mut argv = vec!["flowwalk", "--config", config.to_str().unwrap_or_default()];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?)
}

async fn command_line_manages_accounts_and_data(app: TestApp) {
    flowwalk(&app, &["migrate"]).unwrap();
    flowwalk(&app, &["demo"]).unwrap();
    flowwalk(&app, &["demo"]).unwrap(); // a second load changes nothing
    flowwalk(
        &app,
        &[
            "user",
            "create",
            "--username",
            "zhou",
            "--password",
            "officer-pass",
            "--role",
            "department_officer",
            "--department",
            "tax",
        ],
    )
    .unwrap();
    let t = app.login_full("zhou", "officer-pass").await;
    assert_eq!(t["user"]["role"], "department_officer");
    assert!(t["user"]["department_id"].is_string());
    // Bad arguments are refused with a reason, and create nothing.
    let err = flowwalk(
        &app,
        &[
            "user",
            "create",
            "--username",
            "x1x",
            "--password",
            "long-enough",
            "--role",
            "department_officer",
            "--department",
            "nope",
        ],
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("nope"), "{err:#}");
    assert!(
        flowwalk(
            &app,
            &[
                "user",
                "create",
                "--username",
                "y1y",
                "--password",
                "long-enough",
                "--role",
                "emperor"
            ]
        )
        .is_err()
    );

    let dir = &app.settings.data_dir;
    let good = dir.join("venues.csv");
    std::fs::write(&good, "code,name,level,parent_code,address\nhl-town,红梅街道便民服务中心,town,tianning-district-center,红梅路\n").unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "code,name,level,parent_code,address\nq1,某中心,city,,\nq2,某站,village,missing,\nq3,某站2,moon,,\n").unwrap();
    let err = flowwalk(&app, &["import", "venues", bad.to_str().unwrap()]).unwrap_err();
    assert!(
        format!("{err:#}").contains("2 bad row(s); nothing was imported"),
        "{err:#}"
    );

    let admin = app.demo_login("admin").await;
    let before = expect_json(app.get("/api/v1/venues", &admin).await, StatusCode::OK).await;
    assert!(
        !before.as_array().unwrap().iter().any(|v| v["code"] == "q1"),
        "nothing imported from the bad file"
    );
    flowwalk(&app, &["import", "venues", good.to_str().unwrap()]).unwrap();
    let after = expect_json(app.get("/api/v1/venues", &admin).await, StatusCode::OK).await;
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
}

/// `flowwalk maintenance` removes orphan photos past their time, as servers do.
async fn the_maintenance_command_removes_orphans(app: TestApp) {
    use flowwalk_shared::walkthrough::hex_sha256;
    app.load_demo();
    let token = app.demo_login("experiencer").await;
    let photo = flowwalk_tests::fixtures::jpeg(64, 48, 4242);
    let sha = hex_sha256(&photo);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/photos/{sha}")))
        .bearer_auth(&token)
        .body(photo)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let exists = |app: &TestApp| {
        let mut conn = app.db.pool().get().unwrap();
        flowwalk_server::photos::store::get(&mut conn, &sha)
            .unwrap()
            .is_some()
    };
    // Young: kept.
    std::thread::scope(|s| {
        s.spawn(|| flowwalk(&app, &["maintenance"]).unwrap());
    });
    assert!(exists(&app));
    {
        use diesel::prelude::*;
        use flowwalk_server::db::schema::photos;
        let mut conn = app.db.pool().get().unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(30);
        diesel::update(photos::table)
            .set(photos::created_at.eq(past))
            .execute(&mut *conn)
            .unwrap();
    }
    std::thread::scope(|s| {
        s.spawn(|| flowwalk(&app, &["maintenance"]).unwrap());
    });
    assert!(!exists(&app));
}

both!(
    command_line_manages_accounts_and_data,
    the_maintenance_command_removes_orphans
);
