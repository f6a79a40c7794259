//! Citizen questionnaires end to end, on both backends: the form as a citizen's browser
//! meets it (a duplicate, a flood, hostile text, a robot), results computed by hand, the
//! keywords and the answers behind them, paper imports with bad rows, exports, the
//! published notice, candidate issues, and questionnaire versions.

use flowwalk_tests::{TestApp, both, expect_error, expect_json, unique};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// A client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    pairs: &[(&str, &str)],
    cookie: Option<&str>,
) -> Response {
    post_raw(app, path, form_body(pairs), cookie, &[]).await
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    body: String,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Response {
    let mut req = browser()
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = browser().get(app.url(path));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The small questionnaire of the hand-computed fixture (the domain's unit test uses the
/// same shape): a yes/no, a scale asked only after "yes", problems with an exclusive
/// "none", and optional praise.
fn questionnaire(code: &str) -> Value {
    json!({
        "code": code, "title": "办事体验问卷", "intro": "请根据实际情况填写。", "ask_phone": true,
        "questions": [
            {"id": "online", "kind": "single", "title": "您是否网上办过业务?",
             "choices": [{"id": "yes", "label": "是"}, {"id": "no", "label": "否"}]},
            {"id": "smooth", "kind": "scale", "title": "线上办理是否顺利?", "scale": "smoothness",
             "not_applicable": true, "show_if": {"question_id": "online", "any_of": ["yes"]}},
            {"id": "problems", "kind": "multiple", "title": "窗口服务存在哪些问题?", "choices": [
                {"id": "queue", "label": "排队时间太长", "category_id": "long_queue"},
                {"id": "materials", "label": "材料过多", "category_id": "too_many_materials"},
                {"id": "none", "label": "以上均无", "exclusive": true}]},
            {"id": "praise", "kind": "text", "title": "值得称赞的地方", "optional": true}
        ]
    })
}

struct Survey {
    token: String,
    id: String,
    code: String,
    /// (id, code) of the two venues.
    venues: Vec<(String, String)>,
}

impl Survey {
    fn form(&self, venue: usize) -> String {
        format!("/q/{}/{}", self.code, self.venues[venue].1)
    }
}

/// Two venues, a manager, the questionnaire and a campaign open today.
async fn setup(app: &TestApp) -> Survey {
    let n = unique();
    {
        let mut conn = app.db.pool().get().unwrap();
        let csv = format!(
            "code,name,level,parent_code,address\nhall-{n},某区政务服务中心{n},district,,\nstation-{n},某街道便民服务中心{n},town,hall-{n},\n"
        );
        flowwalk_server::reference::service::reference_import::venues(&mut conn, csv.as_bytes())
            .unwrap();
    }
    let user = format!("mgr{n}");
    app.create_user(
        &user,
        "manager-password",
        flowwalk_shared::Role::Manager,
        None,
    );
    let token = app.login(&user, "manager-password").await;
    let q = expect_json(
        app.post(
            "/api/v1/questionnaires",
            Some(&token),
            &questionnaire(&format!("q-{n}")),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let venues = expect_json(app.get("/api/v1/venues", &token).await, StatusCode::OK).await;
    let mut ids = Vec::new();
    for code in [format!("hall-{n}"), format!("station-{n}")] {
        let v = venues
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == code.as_str())
            .unwrap();
        ids.push((v["id"].as_str().unwrap().to_owned(), code));
    }
    let today = chrono::Utc::now().date_naive();
    let code = format!("c-{n}");
    let c = expect_json(
        app.post(
            "/api/v1/campaigns",
            Some(&token),
            &json!({
                "code": code, "title": "办事体验问卷调查", "questionnaire_id": q["id"],
                "organizer": "某区数据局", "purpose": "为了解群众办事体验",
                "starts_on": (today - chrono::Duration::days(2)).to_string(),
                "ends_on": (today + chrono::Duration::days(2)).to_string(),
                "venue_ids": [ids[0].0, ids[1].0]
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["venues"].as_array().unwrap().len(), 2);
    assert_eq!(c["open"], true);
    Survey {
        token,
        id: c["id"].as_str().unwrap().to_owned(),
        code,
        venues: ids,
    }
}

/// Submits and expects the thanks redirect; returns the cookie it set.
async fn answer(app: &TestApp, s: &Survey, venue: usize, pairs: &[(&str, &str)]) -> String {
    let res = post_form(app, &s.form(venue), pairs, None).await;
    let status = res.status();
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    let location = res
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_owned());
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location.unwrap(), format!("{}/thanks", s.form(venue)));
    cookie.expect("the answered cookie")
}

async fn results(app: &TestApp, s: &Survey, query: &str) -> Value {
    expect_json(
        app.get(
            &format!("/api/v1/campaigns/{}/results{query}", s.id),
            &s.token,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

fn shares(q: &Value) -> Vec<(String, u64, String)> {
    q["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["choice_id"].as_str().unwrap().to_owned(),
                o["count"].as_u64().unwrap(),
                o["share"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn owned(v: &[(&str, u64, &str)]) -> Vec<(String, u64, String)> {
    v.iter()
        .map(|(a, b, c)| ((*a).to_owned(), *b, (*c).to_owned()))
        .collect()
}

/// Seven respondents through the real form; the shares computed by hand.
async fn shares_on_a_hand_computed_fixture(app: TestApp) {
    let s = setup(&app).await;
    let fixture: [&[(&str, &str)]; 7] = [
        &[
            ("online", "yes"),
            ("smooth", "very_smooth"),
            ("problems", "none"),
            ("praise", "服务态度好"),
        ],
        &[
            ("online", "yes"),
            ("smooth", "very_smooth"),
            ("problems", "queue"),
        ],
        &[
            ("online", "yes"),
            ("smooth", "average"),
            ("problems", "queue"),
            ("problems", "materials"),
        ],
        &[
            ("online", "yes"),
            ("smooth", "very_rough"),
            ("problems", "none"),
        ],
        &[
            ("online", "yes"),
            ("smooth", "na"),
            ("problems", "none"),
            ("praise", "很耐心"),
        ],
        // "No", with the (JavaScript-off) dependent question answered anyway: not counted.
        &[("online", "no"), ("smooth", "smooth"), ("problems", "none")],
        &[
            ("online", "no"),
            ("problems", "materials"),
            ("praise", "耐心"),
        ],
    ];
    for (i, pairs) in fixture.iter().enumerate() {
        answer(&app, &s, usize::from(i >= 5), pairs).await;
    }
    let r = results(&app, &s, "").await;
    assert_eq!(r["respondents"], 7);
    let q = &r["questions"];
    // online: 5 of 7 = 71.43 %, 2 of 7 = 28.57 %.
    assert_eq!(
        (q[0]["asked"].as_u64(), q[0]["base"].as_u64()),
        (Some(7), Some(7))
    );
    assert_eq!(
        shares(&q[0]),
        owned(&[("yes", 5, "71.43"), ("no", 2, "28.57")])
    );
    // smooth: its base is the five who said yes.
    assert_eq!(
        (q[1]["asked"].as_u64(), q[1]["base"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(q[1]["condition"], "第1题选择“是”");
    assert_eq!(
        shares(&q[1]),
        owned(&[
            ("very_smooth", 2, "40.00"),
            ("smooth", 0, "0.00"),
            ("average", 1, "20.00"),
            ("not_smooth", 0, "0.00"),
            ("very_rough", 1, "20.00"),
            ("na", 1, "20.00"),
        ])
    );
    let scale = &q[1]["scale"];
    assert_eq!(scale["base"], 4);
    assert_eq!(scale["satisfied"]["share"], "50.00");
    assert_eq!(scale["basically"]["share"], "25.00");
    assert_eq!(scale["dissatisfied"]["share"], "25.00");
    assert_eq!(scale["mean"], "3.50");
    // problems: shares of respondents; "none" exclusive.
    assert_eq!(
        shares(&q[2]),
        owned(&[
            ("queue", 2, "28.57"),
            ("materials", 2, "28.57"),
            ("none", 4, "57.14")
        ])
    );
    assert_eq!(q[2]["options"][2]["exclusive"], true);
    // praise: optional, 3 of 7 answered.
    assert_eq!(
        (q[3]["asked"].as_u64(), q[3]["base"].as_u64()),
        (Some(7), Some(3))
    );
    assert_eq!(q[3]["keywords"][0], json!({"word": "耐心", "answers": 2}));

    // Per venue: the second venue had the last two (both "no"; the scale asked of none).
    let v = results(&app, &s, &format!("?venue_id={}", s.venues[1].0)).await;
    assert_eq!(v["respondents"], 2);
    assert_eq!(
        shares(&v["questions"][0]),
        owned(&[("yes", 0, "0.00"), ("no", 2, "100.00")])
    );
    assert_eq!(v["questions"][1]["base"], 0);
    // Per period: nothing from tomorrow on; everything up to today.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    assert_eq!(
        results(&app, &s, &format!("?from={tomorrow}")).await["respondents"],
        0
    );
    assert_eq!(
        results(&app, &s, &format!("?to={tomorrow}")).await["respondents"],
        7
    );
    // A venue outside the campaign, a reversed period: clear errors.
    let res = app
        .get(
            &format!("/api/v1/campaigns/{}/results?venue_id=nope", s.id),
            &s.token,
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("venue_id"),
    )
    .await;
}

/// Keywords from a fixture of free-text answers, and the answers behind one.
async fn keywords_and_the_answers_behind_them(app: TestApp) {
    let s = setup(&app).await;
    let texts = [
        "服务态度很好,工作人员很耐心",
        "效率高,服务态度好",
        "窗口人员耐心解答,效率高",
        "服务态度非常好!",
        "环境整洁",
    ];
    for t in texts {
        answer(
            &app,
            &s,
            0,
            &[("online", "no"), ("problems", "none"), ("praise", t)],
        )
        .await;
    }
    let r = results(&app, &s, "").await;
    let kw: Vec<(String, u64)> = r["questions"][3]["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["word"].as_str().unwrap().to_owned(),
                k["answers"].as_u64().unwrap(),
            )
        })
        .collect();
    // By hand: 服务态度 in answers 1, 2, 4; 效率高 in 2, 3; 耐心 in 1, 3; then 环境, 整洁.
    assert_eq!(
        kw[..5],
        [
            ("服务态度".to_owned(), 3),
            ("效率高".to_owned(), 2),
            ("耐心".to_owned(), 2),
            ("整洁".to_owned(), 1),
            ("环境".to_owned(), 1),
        ]
    );
    let behind = expect_json(
        app.get(
            &format!(
                "/api/v1/campaigns/{}/keyword-answers?question_id=praise&keyword={}",
                s.id,
                "%E8%80%90%E5%BF%83" // 耐心
            ),
            &s.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let got: Vec<&str> = behind
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(got, [texts[0], texts[2]]);
    let res = app
        .get(
            &format!(
                "/api/v1/campaigns/{}/keyword-answers?question_id=online&keyword=x",
                s.id
            ),
            &s.token,
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("question_id"),
    )
    .await;
}

/// The same form twice (a double tap) is one response; the browser that answered is told
/// so and cannot answer again.
async fn a_duplicate_submission_is_one_response(app: TestApp) {
    let s = setup(&app).await;
    let (status, html) = page(&app, &s.form(0), None).await;
    assert_eq!(status, StatusCode::OK);
    let token = html
        .split("name=\"_token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 32);
    let pairs = [
        ("_token", token.as_str()),
        ("online", "no"),
        ("problems", "none"),
    ];
    let cookie = answer(&app, &s, 0, &pairs).await;
    // The same form again from a browser without the cookie (it was lost): still one.
    answer(&app, &s, 0, &pairs).await;
    let r = results(&app, &s, "").await;
    assert_eq!(r["respondents"], 1);
    // The browser with the cookie: the form says it has answered, and a post is refused.
    let (status, html) = page(&app, &s.form(1), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("您已提交过本次问卷"), "{html}");
    assert!(
        !html.contains("<form"),
        "no form for a browser that answered"
    );
    let res = post_form(
        &app,
        &s.form(0),
        &[
            ("online", "yes"),
            ("smooth", "smooth"),
            ("problems", "none"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(results(&app, &s, "").await["respondents"], 1);
}

/// One address flooding the form is cut off at the limit; a forged X-Forwarded-For does
/// not help while proxy headers are not trusted.
async fn a_flood_from_one_address_is_cut_off(app: TestApp) {
    let s = setup(&app).await;
    let limit = app.settings.survey_max_per_address;
    assert_eq!(limit, 30, "the default");
    let mut accepted = 0;
    let mut refused = 0;
    for i in 0..limit + 5 {
        let forged = format!("10.0.{}.{}", i / 200, i % 200);
        let res = post_raw(
            &app,
            &s.form(0),
            form_body(&[("online", "no"), ("problems", "none")]),
            None,
            &[("x-forwarded-for", &forged)],
        )
        .await;
        match res.status() {
            StatusCode::SEE_OTHER => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let html = res.text().await.unwrap();
                assert!(html.contains("过于频繁"), "{html}");
                assert!(
                    html.contains("value=\"none\" checked"),
                    "answers kept: {html}"
                );
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((accepted, refused), (limit, 5));
    assert_eq!(results(&app, &s, "").await["respondents"], u64::from(limit));
}

/// Script tags, 100 KB answers, control characters, a robot: nothing reaches a page
/// unescaped, nothing too large is stored, nothing invisible survives.
async fn hostile_text_is_kept_harmless(app: TestApp) {
    let s = setup(&app).await;
    let xss = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>服务态度好";
    answer(
        &app,
        &s,
        0,
        &[("online", "no"), ("problems", "none"), ("praise", xss)],
    )
    .await;
    // Control characters and a direction override are dropped; line breaks stay.
    answer(
        &app,
        &s,
        0,
        &[
            ("online", "no"),
            ("problems", "none"),
            ("praise", "很\u{0}耐心\u{7}\r\n态度\u{202E}好\u{1b}"),
        ],
    )
    .await;
    // A bad submission comes back with the hostile text escaped in the form.
    let res = post_form(
        &app,
        &s.form(0),
        &[("online", "yes"), ("praise", xss)],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#34;&#62;&#60;img"),
        "{html}"
    );
    assert!(!html.contains("<img src=x"), "{html}");
    // A 100 KB answer: refused with the question marked, the text kept up to the limit.
    let long = "好".repeat(100 * 1024 / 3);
    let res = post_form(
        &app,
        &s.form(0),
        &[("online", "no"), ("problems", "none"), ("praise", &long)],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("请不要超过 500 字(现为 34133 字)"),
        "{}",
        &html[..2000.min(html.len())]
    );
    assert!(
        html.len() < 60_000,
        "the form comes back without the 100 KB: {}",
        html.len()
    );
    // More than the size limit: refused unread.
    let huge = format!("online=no&problems=none&praise={}", "a".repeat(600 * 1024));
    let res = post_raw(&app, &s.form(0), huge, None, &[]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A robot fills the hidden field: thanked, not stored.
    let res = post_form(
        &app,
        &s.form(0),
        &[
            ("online", "no"),
            ("problems", "none"),
            ("website", "http://spam"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers().get(SET_COOKIE).is_none());

    let r = results(&app, &s, "").await;
    assert_eq!(r["respondents"], 2, "only the two real answers");
    let answers = expect_json(
        app.get(
            &format!("/api/v1/campaigns/{}/keyword-answers?question_id=praise&keyword=%E6%80%81%E5%BA%A6", s.id),
            &s.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answers[0]["text"], "很耐心\n态度好");
    // Published, the hostile keyword and text are escaped on the public notice.
    expect_json(
        app.post(
            &format!("/api/v1/campaigns/{}/publish", s.id),
            Some(&s.token),
            &json!({"conclusion": "结论<script>alert(2)</script>"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (status, notice) = page(&app, &format!("/r/{}", s.code), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!notice.contains("<script>"), "{notice}");
    assert!(
        notice.contains("结论&#60;script&#62;alert(2)&#60;/script&#62;"),
        "{notice}"
    );
    // The CSV export defuses spreadsheet formulas.
    answer(
        &app,
        &s,
        1,
        &[
            ("online", "no"),
            ("problems", "none"),
            ("praise", "=HYPERLINK(\"http://evil\")"),
        ],
    )
    .await;
    let csv = app
        .get(
            &format!(
                "/api/v1/campaigns/{}/export?format=csv&part=responses",
                s.id
            ),
            &s.token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
}

/// A bad submission comes back as the form with every answer kept and each problem marked.
async fn bad_submissions_come_back_with_answers_kept(app: TestApp) {
    let s = setup(&app).await;
    let res = post_form(
        &app,
        &s.form(0),
        &[
            ("online", "yes"),
            ("problems", "queue"),
            ("problems", "none"),
            ("praise", "窗口人员很耐心"),
            ("phone", "13800138000"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("有 3 处需要修改"), "{html}");
    assert!(
        html.contains("请回答此题"),
        "the dependent question, asked after yes: {html}"
    );
    assert!(html.contains("“以上均无”不能与其他选项同时选择"), "{html}");
    assert!(
        html.contains("请勾选下方的同意说明"),
        "a phone without consent: {html}"
    );
    assert!(html.contains("value=\"yes\" checked"), "{html}");
    assert!(html.contains("value=\"queue\" checked") && html.contains("value=\"none\" checked"));
    assert!(html.contains(">窗口人员很耐心</textarea>"), "{html}");
    assert!(html.contains("value=\"13800138000\""), "{html}");
    assert_eq!(results(&app, &s, "").await["respondents"], 0);
    // With consent the phone is kept (and exported to managers only).
    answer(
        &app,
        &s,
        0,
        &[
            ("online", "no"),
            ("problems", "none"),
            ("phone", "13800138000"),
            ("consent", "yes"),
        ],
    )
    .await;
    let csv = app
        .get(
            &format!(
                "/api/v1/campaigns/{}/export?format=csv&part=responses",
                s.id
            ),
            &s.token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("13800138000"), "{csv}");
    // A closed or unknown campaign: a page that says so.
    let (status, html) = page(&app, &format!("/q/{}/nowhere", s.code), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("未找到该问卷"));
}

/// Paper questionnaires: one bad row imports nothing and every bad row is named; a good
/// CSV and a good XLSX import everything.
async fn paper_import_rejects_bad_rows_and_takes_good_files(app: TestApp) {
    let s = setup(&app).await;
    let (hall, station) = (&s.venues[0].1, &s.venues[1].1);
    let today = chrono::Utc::now().date_naive();
    let bad = format!(
        "venue,date,online,smooth,problems,praise\n\
         {hall},{today},是,顺利,以上均无,很好\n\
         {hall},{today},no,smooth,none,\n\
         {station},2020-02-30,yes,A,queue;materials,\n\
         nowhere,,yes,smooth,none,\n\
         {hall},,yes,smooth,queue;none,\n\
         {station},,maybe,,none,\n"
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/campaigns/{}/import", s.id)))
        .bearer_auth(&s.token)
        .header(CONTENT_TYPE, "text/csv")
        .body(bad)
        .send()
        .await
        .unwrap();
    let body = expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_rejected",
        Some("file"),
    )
    .await;
    let msg = body["message"].as_str().unwrap();
    // Line 3 answers the scale although it said no; 4 a bad date; 5 a venue not in the
    // campaign; 6 "none" with another; 7 an unknown choice.
    assert!(msg.starts_with("5 行有误,未导入任何数据。"), "{msg}");
    for (line, what) in [
        (3, "smooth"),
        (4, "2020-02-30"),
        (5, "nowhere"),
        (6, "problems"),
        (7, "online"),
    ] {
        let part = msg
            .split(&format!("第 {line} 行:"))
            .nth(1)
            .unwrap_or_else(|| panic!("line {line}: {msg}"));
        let part = part.split(";第").next().unwrap();
        assert!(part.contains(what), "line {line}: {part}");
    }
    assert!(!msg.contains("第 2 行"), "{msg}");
    assert_eq!(
        results(&app, &s, "").await["respondents"],
        0,
        "nothing imported"
    );

    let good = format!(
        "\u{feff}venue,date,online,smooth,problems,praise\n\
         {hall},{today},是,顺利,以上均无,服务态度好\n\
         {station},,no,,B,\n\
         {hall},,yes,A,queue;materials,\n"
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/campaigns/{}/import", s.id)))
        .bearer_auth(&s.token)
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_json(res, StatusCode::OK).await["imported"], 3);
    // An XLSX with letters for several choices.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["venue", "online", "problems", "praise"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, station.as_str()).unwrap();
    sheet.write_string(1, 1, "否").unwrap();
    sheet.write_string(1, 2, "AB").unwrap();
    sheet.write_string(1, 3, "效率高").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/campaigns/{}/import", s.id)))
        .bearer_auth(&s.token)
        .body(xlsx)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_json(res, StatusCode::OK).await["imported"], 1);
    let r = results(&app, &s, "").await;
    assert_eq!(r["respondents"], 4);
    assert_eq!(
        shares(&r["questions"][2]),
        owned(&[
            ("queue", 2, "50.00"),
            ("materials", 3, "75.00"),
            ("none", 1, "25.00")
        ])
    );
}

/// `flowwalk import survey FILE --campaign CODE`: the same checks from the command line.
async fn paper_import_from_the_command_line(app: TestApp) {
    use clap::Parser;
    let s = setup(&app).await;
    let dir = &app.settings.data_dir;
    let config = dir.join("flowwalk.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {:?}\ndata_dir = {:?}\n",
            app.settings.database_url.clone().unwrap_or_default(),
            dir.display().to_string()
        ),
    )
    .unwrap();
    let run = |file: &std::path::Path| {
        flowwalk_server::cli::run(
            flowwalk_server::cli::Cli::try_parse_from([
                "flowwalk",
                "--config",
                config.to_str().unwrap(),
                "import",
                "survey",
                file.to_str().unwrap(),
                "--campaign",
                &s.code,
            ])
            .unwrap(),
        )
    };
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "venue,online,problems\n{},no,none\n{},yes,none\n",
            s.venues[0].1, s.venues[1].1
        ),
    )
    .unwrap();
    let err = run(&bad).unwrap_err().to_string();
    assert_eq!(err, "1 bad row(s); nothing was imported");
    assert_eq!(results(&app, &s, "").await["respondents"], 0);
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        format!(
            "venue,online,smooth,problems\n{},no,,none\n{},yes,B,A\n",
            s.venues[0].1, s.venues[1].1
        ),
    )
    .unwrap();
    run(&good).unwrap();
    let r = results(&app, &s, "").await;
    assert_eq!(r["respondents"], 2);
    assert_eq!(
        shares(&r["questions"][1])[1],
        ("smooth".to_owned(), 1, "100.00".to_owned())
    );
}

/// Exports: the results as CSV with counts, bases and shares; both sheets as XLSX.
async fn results_export_as_csv_and_xlsx(app: TestApp) {
    let s = setup(&app).await;
    answer(
        &app,
        &s,
        0,
        &[
            ("online", "yes"),
            ("smooth", "smooth"),
            ("problems", "queue"),
        ],
    )
    .await;
    answer(&app, &s, 0, &[("online", "no"), ("problems", "none")]).await;
    answer(&app, &s, 1, &[("online", "no"), ("problems", "none")]).await;
    let res = app
        .get(
            &format!("/api/v1/campaigns/{}/export?format=csv", s.id),
            &s.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}题号,题目,选项,人数,基数,占比(%)\n"),
        "{csv}"
    );
    assert!(
        csv.contains("1,您是否网上办过业务?,是,1,3,33.33\n"),
        "{csv}"
    );
    assert!(
        csv.contains("1,您是否网上办过业务?,否,2,3,66.67\n"),
        "{csv}"
    );
    assert!(csv.contains("2,线上办理是否顺利?,顺利,1,1,100\n"), "{csv}");
    let res = app
        .get(
            &format!(
                "/api/v1/campaigns/{}/export?format=xlsx&venue_id={}",
                s.id, s.venues[0].0
            ),
            &s.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"{}-results.xlsx\"", s.code).as_str()
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"PK\x03\x04") && bytes.len() > 4000,
        "{}",
        bytes.len()
    );
    let res = app
        .get(
            &format!("/api/v1/campaigns/{}/export?format=pdf", s.id),
            &s.token,
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "invalid_query", None).await;
}

/// A free-text answer and a problem option chosen by many at one venue become candidate
/// issues (once each), and a candidate is handed to the issue workflow once.
/// At the hall: `queue` chosen `times` times, then one answer praising nothing and
/// asking for the ticket machine to be mended.
async fn queue_and_a_broken_ticket_machine(app: &TestApp, s: &Survey, times: usize) {
    for _ in 0..times {
        answer(app, s, 0, &[("online", "no"), ("problems", "queue")]).await;
    }
    answer(
        app,
        s,
        0,
        &[
            ("online", "no"),
            ("problems", "none"),
            ("praise", "取号机经常坏,希望尽快修理"),
        ],
    )
    .await;
}

async fn candidates_wait_for_the_issue_workflow(app: TestApp) {
    let s = setup(&app).await;
    queue_and_a_broken_ticket_machine(&app, &s, 3).await;
    let list = expect_json(
        app.get(&format!("/api/v1/campaigns/{}/candidates", s.id), &s.token)
            .await,
        StatusCode::OK,
    )
    .await;
    // queue: 3 of 4 at the hall = 75.00 %.
    assert_eq!(
        list["suggestions"],
        json!([{"venue_id": s.venues[0].0, "question_id": "problems", "choice_id": "queue", "label": "排队时间太长",
                "category_id": "long_queue", "count": 3, "base": 4, "share": "75.00"}])
    );
    let path = format!("/api/v1/campaigns/{}/candidates", s.id);
    let body = json!({"kind": "option", "question_id": "problems", "venue_id": s.venues[0].0, "choice_id": "queue"});
    let first = expect_json(
        app.post(&path, Some(&s.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["source"], "questionnaire");
    assert_eq!(first["category_id"], "long_queue");
    assert_eq!(
        (first["respondents"].as_u64(), first["base"].as_u64()),
        (Some(3), Some(4))
    );
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .contains("4位作答者有3位(75.00%)"),
        "{first}"
    );
    let again = expect_json(app.post(&path, Some(&s.token), &body).await, StatusCode::OK).await;
    assert_eq!(again["id"], first["id"], "the same candidate");
    // Free text: from the answer behind a keyword.
    let behind = expect_json(
        app.get(&format!("/api/v1/campaigns/{}/keyword-answers?question_id=praise&keyword=%E4%BF%AE%E7%90%86", s.id), &s.token).await,
        StatusCode::OK,
    )
    .await;
    let response_id = behind[0]["response_id"].clone();
    let text = expect_json(
        app.post(&path, Some(&s.token), &json!({"kind": "free_text", "question_id": "praise", "response_id": response_id, "category_id": "old_equipment"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        text["description"]
            .as_str()
            .unwrap()
            .contains("取号机经常坏"),
        "{text}"
    );
    assert_eq!(text["venue_id"], s.venues[0].0.as_str());
    // Wrong kinds of input are refused.
    let res = app
        .post(&path, Some(&s.token), &json!({"kind": "option", "question_id": "problems", "venue_id": s.venues[0].0, "choice_id": "none"}))
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("choice_id"),
    )
    .await;
    let res = app
        .post(
            &path,
            Some(&s.token),
            &json!({"kind": "free_text", "question_id": "problems", "response_id": response_id}),
        )
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("question_id"),
    )
    .await;
    let list = expect_json(app.get(&path, &s.token).await, StatusCode::OK).await;
    assert_eq!(list["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(
        list["suggestions"],
        json!([]),
        "the suggestion became a candidate"
    );

    // The hand-over the issue workflow will call: once only.
    let id = first["id"].as_str().unwrap().to_owned();
    let mut conn = app.db.pool().get().unwrap();
    let mut seen = None;
    let issue = flowwalk_server::db::write_tx(&mut conn, |c| {
        flowwalk_server::surveys::service::candidates::hand_over(c, &id, |_, draft| {
            seen = Some(draft.clone());
            Ok("issue-1".to_owned())
        })
    })
    .unwrap();
    assert_eq!(issue, "issue-1");
    let draft = seen.unwrap();
    assert_eq!(
        (draft.source.as_str(), draft.category_id.as_deref()),
        ("questionnaire", Some("long_queue"))
    );
    assert_eq!(draft.venue_id.as_deref(), Some(s.venues[0].0.as_str()));
    let err = flowwalk_server::db::write_tx(&mut conn, |c| {
        flowwalk_server::surveys::service::candidates::hand_over(c, &id, |_, _| {
            Ok("issue-2".to_owned())
        })
    })
    .unwrap_err();
    assert_eq!(err.code, flowwalk_shared::ErrorCode::InvalidState);
    drop(conn);
    let list = expect_json(app.get(&path, &s.token).await, StatusCode::OK).await;
    let handed = list["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (handed["status"].as_str(), handed["issue_id"].as_str()),
        (Some("handed_over"), Some("issue-1"))
    );
}

/// With the workflow in place (`docs/domain.md#candidate-issues`): a candidate becomes an issue of source 问卷, routed
/// like a finding (the department given, else the candidate's, else its category's), once.
async fn a_candidate_becomes_one_issue_in_the_workflow(app: TestApp) {
    let s = setup(&app).await;
    queue_and_a_broken_ticket_machine(&app, &s, 2).await;
    let path = format!("/api/v1/campaigns/{}/candidates", s.id);
    let option = expect_json(
        app.post(&path, Some(&s.token), &json!({"kind": "option", "question_id": "problems", "venue_id": s.venues[0].0, "choice_id": "queue"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let to_issue = |c: &Value| format!("/api/v1/candidates/{}/issue", c["id"].as_str().unwrap());
    // Neither the candidate nor its category (long_queue, not routed yet) names a department.
    expect_error(
        app.post(&to_issue(&option), Some(&s.token), &json!({}))
            .await,
        StatusCode::BAD_REQUEST,
        "missing_field",
        Some("department_id"),
    )
    .await;
    expect_error(
        app.post(
            &to_issue(&option),
            Some(&s.token),
            &json!({"department_id": "no-such-department"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_reference",
        Some("department_id"),
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/candidates/no-such-candidate/issue",
            Some(&s.token),
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
    .await;
    let dept = expect_json(
        app.post(
            "/api/v1/departments",
            Some(&s.token),
            &json!({"code": format!("queue-{}", unique()), "name": "大厅管理科"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let dept = dept["id"].as_str().unwrap().to_owned();
    expect_json(
        app.put(
            "/api/v1/category-departments/long_queue",
            &s.token,
            &json!({"department_id": dept}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Nothing was handed over by the refusals: the category's department takes it now.
    let done = expect_json(
        app.post(&to_issue(&option), Some(&s.token), &json!({}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let issue_id = done["issue_id"].as_str().unwrap().to_owned();
    assert_eq!(done["candidate_id"], option["id"]);
    let issue = expect_json(
        app.get(&format!("/api/v1/issues/{issue_id}"), &s.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let summary = &issue["summary"];
    assert_eq!(
        (
            summary["source"].as_str(),
            summary["status"].as_str(),
            summary["department_id"].as_str(),
            summary["venue_id"].as_str(),
            summary["category_id"].as_str(),
            issue["routed_by"].as_str(),
        ),
        (
            Some("questionnaire"),
            Some("new"),
            Some(dept.as_str()),
            Some(s.venues[0].0.as_str()),
            Some("long_queue"),
            Some("source"),
        ),
        "{issue}"
    );
    let n = s.venues[0].1.trim_start_matches("hall-");
    assert_eq!(
        summary["title"],
        format!("问卷反映:排队时间太长(某区政务服务中心{n})")
    );
    // Once only: a second hand-over is refused and makes no second issue.
    expect_error(
        app.post(&to_issue(&option), Some(&s.token), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "invalid_state",
        None,
    )
    .await;
    let listed = expect_json(
        app.get("/api/v1/issues?source=questionnaire", &s.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let ours: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["venue_id"] == s.venues[0].0.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{listed}");
    // A free-text answer, with the department named by the manager.
    let behind = expect_json(
        app.get(&format!("/api/v1/campaigns/{}/keyword-answers?question_id=praise&keyword=%E4%BF%AE%E7%90%86", s.id), &s.token).await,
        StatusCode::OK,
    )
    .await;
    let text = expect_json(
        app.post(&path, Some(&s.token), &json!({"kind": "free_text", "question_id": "praise", "response_id": behind[0]["response_id"]}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let done = expect_json(
        app.post(
            &to_issue(&text),
            Some(&s.token),
            &json!({"department_id": dept}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let issue = expect_json(
        app.get(
            &format!("/api/v1/issues/{}", done["issue_id"].as_str().unwrap()),
            &s.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        issue["description"]
            .as_str()
            .unwrap()
            .contains("取号机经常坏"),
        "{issue}"
    );
    let list = expect_json(app.get(&path, &s.token).await, StatusCode::OK).await;
    let statuses: Vec<(&str, &str)> = list["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap(),
                c["issue_id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("handed_over", issue_id.as_str()),
            ("handed_over", done["issue_id"].as_str().unwrap())
        ]
    );
}

/// Editing a questionnaire writes a new version; a campaign with answers keeps its own.
async fn a_campaign_keeps_the_version_it_was_answered_in(app: TestApp) {
    let s = setup(&app).await;
    answer(&app, &s, 0, &[("online", "no"), ("problems", "none")]).await;
    let c = expect_json(
        app.get(&format!("/api/v1/campaigns/{}", s.id), &s.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let qid = c["questionnaire_id"].as_str().unwrap().to_owned();
    let mut q2 = questionnaire(&format!("q2-{}", unique()));
    q2["questions"][0]["title"] = json!("您是否通过网上办过业务?(新版)");
    let v2 = expect_json(
        app.put(&format!("/api/v1/questionnaires/{qid}"), &s.token, &q2)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v2["version"], 2);
    let versions = expect_json(
        app.get(&format!("/api/v1/questionnaires/{qid}/versions"), &s.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    // The campaign is updated (a longer period) but stays on version 1.
    let mut body = json!({
        "code": s.code, "title": c["title"], "questionnaire_id": qid, "organizer": c["organizer"], "purpose": c["purpose"],
        "starts_on": c["starts_on"], "ends_on": (chrono::Utc::now() + chrono::Duration::days(30)).date_naive().to_string(),
        "venue_ids": [s.venues[0].0, s.venues[1].0]
    });
    let updated = expect_json(
        app.put(&format!("/api/v1/campaigns/{}", s.id), &s.token, &body)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["questionnaire_version"], 1);
    let (_, html) = page(&app, &s.form(1), None).await;
    assert!(
        html.contains("您是否网上办过业务?") && !html.contains("新版"),
        "the form shows version 1"
    );
    // It cannot move to another questionnaire now.
    let other = expect_json(
        app.post(
            "/api/v1/questionnaires",
            Some(&s.token),
            &questionnaire(&format!("q3-{}", unique())),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body["questionnaire_id"] = other["id"].clone();
    let res = app
        .put(&format!("/api/v1/campaigns/{}", s.id), &s.token, &body)
        .await;
    expect_error(
        res,
        StatusCode::CONFLICT,
        "invalid_state",
        Some("questionnaire_id"),
    )
    .await;
    // Bad definitions are refused with the field named.
    let mut bad = questionnaire(&format!("q4-{}", unique()));
    bad["questions"][1]["show_if"]["question_id"] = json!("praise");
    let res = app
        .post("/api/v1/questionnaires", Some(&s.token), &bad)
        .await;
    expect_error(
        res,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("questions[1].show_if.question_id"),
    )
    .await;
}

/// The demo: the district questionnaire's campaign takes an answer with its form link, and
/// its published notice reads like the district's.
async fn the_demo_campaign_answers_and_publishes(app: TestApp) {
    app.load_demo();
    let form = "/q/wopei-2026/tianning-district-center";
    let (status, html) = page(&app, form, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.len() < 50_000, "the form is {} bytes", html.len());
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(html.contains("您去过或知晓以下哪些政务服务场所?") && html.contains("以上均无"));
    assert!(
        html.contains("(第6题选择“是”时回答)"),
        "the dependent question says when"
    );
    let (status, notice) = page(&app, "/r/wopei-2026", None).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "结果反馈",
        "天宁区数据局于",
        "开展了问卷调查活动,共收回有效问卷366份,现将调查情况反馈如下:",
        "一、问卷调查结果:",
        "二、总结分析:",
        "占比",
        "提及最多关键词分别为服务态度",
    ] {
        assert!(notice.contains(part), "{part} in {notice}");
    }
    let res = post_form(
        &app,
        form,
        &[
            ("q1", "district"),
            ("q2", "social"),
            ("q3", "city_app"),
            ("q4", "smooth"),
            ("q5", "smooth"),
            ("q6", "no"),
            ("q8", "none"),
            ("q9", "none"),
            ("q10", "parking"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let admin = app.demo_login("manager").await;
    let list = expect_json(app.get("/api/v1/campaigns", &admin).await, StatusCode::OK).await;
    assert_eq!(list[0]["responses"], 367);
    let candidates = expect_json(
        app.get(
            &format!(
                "/api/v1/campaigns/{}/candidates",
                list[0]["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(candidates["candidates"][0]["category_id"], "long_queue");
    assert_eq!(candidates["candidates"][0]["status"], "waiting");
    // It names the service-management office, so a manager hands it over as it is.
    let done = expect_json(
        app.post(
            &format!(
                "/api/v1/candidates/{}/issue",
                candidates["candidates"][0]["id"].as_str().unwrap()
            ),
            Some(&admin),
            &json!({}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let issue = expect_json(
        app.get(
            &format!("/api/v1/issues/{}", done["issue_id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        issue["summary"]["department_name"],
        "常州市天宁区数据局（政务服务管理办公室）"
    );
    assert_eq!(issue["summary"]["source"], "questionnaire");
    let qr = browser()
        .get(app.url(&format!("{form}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.headers()[CONTENT_TYPE], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let (status, poster) = page(&app, &format!("{form}/poster"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        poster.contains("size:A4")
            && poster.contains("天宁区政务服务中心")
            && poster.contains("<svg"),
        "{poster}"
    );
}

both!(
    shares_on_a_hand_computed_fixture,
    keywords_and_the_answers_behind_them,
    a_duplicate_submission_is_one_response,
    a_flood_from_one_address_is_cut_off,
    hostile_text_is_kept_harmless,
    bad_submissions_come_back_with_answers_kept,
    paper_import_rejects_bad_rows_and_takes_good_files,
    paper_import_from_the_command_line,
    results_export_as_csv_and_xlsx,
    candidates_wait_for_the_issue_workflow,
    a_candidate_becomes_one_issue_in_the_workflow,
    a_campaign_keeps_the_version_it_was_answered_in,
    the_demo_campaign_answers_and_publishes,
);
