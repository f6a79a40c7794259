//! CSV import of venues and departments: all rows or none, every bad row reported.

use flowwalk_server::reference::service::reference_import::ImportError;
use flowwalk_tests::{TestApp, both, expect_json};
use reqwest::StatusCode;

async fn good_files_import_everything(app: TestApp) {
    let mut conn = app.db.pool().get().unwrap();
    let depts = "code,name,name_en\nhrss,人社局,HR and Social Security\ntax,税务局,Tax\n";
    assert_eq!(
        flowwalk_server::reference::service::reference_import::departments(
            &mut conn,
            depts.as_bytes()
        )
        .unwrap(),
        2
    );
    // Excel's byte-order mark, Chinese level names, a parent defined earlier in the file.
    let venues = "\u{feff}code,name,level,parent_code,address\n\
                  cz,常州市政务服务中心,city,,锦绣路2号\n\
                  tn,天宁区政务服务中心,区,cz,翰学路\n\
                  cs,茶山街道便民服务中心,街道,tn,\n";
    assert_eq!(
        flowwalk_server::reference::service::reference_import::venues(&mut conn, venues.as_bytes())
            .unwrap(),
        3
    );
    drop(conn);
    app.create_user(
        "admin1",
        "admin-password",
        flowwalk_shared::Role::Admin,
        None,
    );
    let t = app.login("admin1", "admin-password").await;
    let v = expect_json(app.get("/api/v1/venues", &t).await, StatusCode::OK).await;
    assert_eq!(v.as_array().unwrap().len(), 3);
}

async fn one_bad_row_imports_nothing_and_every_bad_row_is_named(app: TestApp) {
    let mut conn = app.db.pool().get().unwrap();
    flowwalk_server::reference::service::reference_import::departments(
        &mut conn,
        "code,name\nhrss,人社局\n".as_bytes(),
    )
    .unwrap();
    let depts = "code,name,name_en\n\
                 tax,税务局,Tax\n\
                 Bad Code,市场监管局,\n\
                 hrss,另一个人社,\n\
                 mr,,Market\n\
                 tax2,税务局,\n";
    let Err(ImportError::Rows(bad)) =
        flowwalk_server::reference::service::reference_import::departments(
            &mut conn,
            depts.as_bytes(),
        )
    else {
        panic!("bad rows must be reported");
    };
    let lines: Vec<u64> = bad.iter().map(|b| b.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{bad:?}");
    assert!(bad[0].reason.contains("code"), "{bad:?}");
    assert!(bad[1].reason.contains("hrss"), "{bad:?}");
    assert!(bad[2].reason.contains("name"), "{bad:?}");
    assert!(bad[3].reason.contains("税务局"), "{bad:?}");
    assert_eq!(
        flowwalk_server::reference::store::department_rows::list(&mut conn)
            .unwrap()
            .len(),
        1,
        "nothing imported"
    );

    let venues = "code,name,level,parent_code,address\n\
                  cz,常州市政务服务中心,city,,\n\
                  v1,某村便民服务站,village,cz,\n\
                  x1,某场所,planet,,\n\
                  x2,某街道,town,nowhere,\n\
                  \"unterminated,quote\n";
    let Err(ImportError::Rows(bad)) =
        flowwalk_server::reference::service::reference_import::venues(&mut conn, venues.as_bytes())
    else {
        panic!("bad rows must be reported");
    };
    assert!(bad.len() >= 3, "{bad:?}");
    assert_eq!(bad[0].line, 3, "{bad:?}");
    assert!(bad[0].reason.contains("parent"), "{bad:?}");
    assert_eq!(
        flowwalk_server::reference::store::venue_rows::list(&mut conn)
            .unwrap()
            .len(),
        0,
        "nothing imported"
    );
}

both!(
    good_files_import_everything,
    one_bad_row_imports_nothing_and_every_bad_row_is_named
);
