//! A manager's figures and files: the dashboard's counts and rates (issues by category and
//! by department, rectification and on-time rates month by month, each scenario's time
//! against its promise, the impact figures) as SVG charts drawn by `dioxus-charts`, each
//! with its table beside it for screen readers and exact numbers, and the report downloads (the
//! quarterly circular as XLSX, one table as CSV). Planning: assignments (listed, and new
//! ones checked by the same shared rule as the server's), and invite codes for volunteers.

use dioxus::prelude::*;
use flowwalk_shared::Role;
use flowwalk_shared::api::assignments::{AssignmentInput, AssignmentStatus, WalkMode};
use flowwalk_shared::api::auth::CreateInviteRequest;
use flowwalk_shared::api::reports::{CountByKey, Dashboard, DashboardQuery, ReportExportQuery};
use flowwalk_shared::api::users::User;
use flowwalk_shared::endpoint::NoQuery;
use flowwalk_shared::endpoints as ep;

use dioxus_charts::BarChart;

use super::issue::loading_or_error;
use super::{DeskStore, client};
use crate::i18n::Lang;

/// A chart's frame: the picture is described by its title (the table below it holds the
/// numbers), so a screen reader reads the table, not the drawing.
#[component]
fn Chart(label: String, testid: String, children: Element) -> Element {
    rsx! {
        figure { class: "chart", role: "img", "aria-label": "{label}", "data-testid": "{testid}",
            {children}
        }
    }
}

fn percent(v: f32) -> String {
    format!("{v:.0}%")
}

/// A tick or bar value: whole numbers as such, the ticks between them to one decimal.
fn whole(v: f32) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

#[component]
fn Counts(title: String, rows: Vec<CountByKey>, testid: String) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let max = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1) as f64;
    rsx! {
        section { class: "card", "data-testid": "{testid}",
            h2 { "{title}" }
            if !rows.is_empty() {
                Chart { label: title.clone(), testid: "{testid}-chart",
                    BarChart {
                        viewbox_height: 60 + 40 * rows.len().min(12) as i32,
                        padding_top: 20,
                        padding_left: 150,
                        padding_right: 40,
                        padding_bottom: 20,
                        horizontal_bars: true,
                        bar_width: "6%",
                        label_size: 140,
                        max_ticks: 5,
                        label_interpolation: whole as fn(f32) -> String,
                        lowest: 0.0,
                        series: vec![rows.iter().take(12).map(|r| r.count as f32).collect::<Vec<f32>>()],
                        labels: rows.iter().take(12).map(|r| r.name.chars().take(10).collect::<String>()).collect::<Vec<String>>(),
                    }
                }
            }
            table { class: "figures",
                thead { tr { th { scope: "col", {lang.t("名称", "Name")} } th { scope: "col", {lang.t("问题数", "Issues")} } th { scope: "col", span { class: "sr-only", {lang.t("比例", "Share")} } } } }
                tbody {
                    for r in rows {
                        tr { key: "{r.name}",
                            td { "{r.name}" }
                            td { class: "num", "{r.count}" }
                            td { class: "barcell", span { class: "bar serve", style: "width: {r.count as f64 * 100.0 / max:.1}%" } }
                        }
                    }
                }
            }
        }
    }
}

#[component]
pub fn Reports() -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let mut period = use_signal(String::new);
    let dashboard = client::use_fresh(desk, move || async move {
        let query = DashboardQuery::default();
        client::call(desk, ep::reports::Dashboard, &(), &query, &()).await
    });
    let get = move |format: &'static str| {
        let p = period.peek().trim().to_owned();
        spawn(async move {
            let mut d = desk;
            let query = ReportExportQuery {
                period: (!p.is_empty()).then(|| p.clone()),
                format: Some(format.to_owned()),
                group: None,
            };
            let name = format!(
                "flowwalk-report-{}.{format}",
                if p.is_empty() { "quarter" } else { &p }
            );
            let saved = match client::call(desk, ep::reports::Export, &(), &query, &()).await {
                Ok(file) => client::download(&file, &name),
                Err(e) => Err(e.describe()),
            };
            if let Err(e) = saved {
                d.fail(e);
            }
        });
    };
    let body = match loading_or_error(lang, &dashboard.read()) {
        Err(shown) => shown,
        Ok(d) => dashboard_figures(lang, d),
    };
    rsx! {
        h1 { {lang.t("统计与报表", "Figures and reports")} }
        section { class: "card",
            h2 { {lang.t("下载报表", "Download a report")} }
            label { {lang.t("期间(2026、2026-Q3、2026-07;空为本季度)", "Period (2026, 2026-Q3, 2026-07; empty: this quarter)")}
                input { name: "report-period", value: "{period}", oninput: move |e| period.set(e.value()) }
            }
            div { class: "buttons",
                button { class: "primary", "data-testid": "download-xlsx", onclick: move |_| get("xlsx"), {lang.t("季度通报 XLSX", "Circular (XLSX)")} }
                button { class: "secondary narrow", "data-testid": "download-csv", onclick: move |_| get("csv"), {lang.t("汇总表 CSV", "Table (CSV)")} }
            }
        }
        {body}
    }
}

/// The dashboard's figures: the counts, the impact and the two charts with their tables.
fn dashboard_figures(lang: Lang, d: &Dashboard) -> Element {
    rsx! {
        p { class: "muted", {format!("{} {} – {}", lang.t("统计期间", "Period"), d.from, d.to)} }
        div { class: "kpis",
            div { class: "card kpi", "data-testid": "kpi-overdue", strong { "{d.overdue_now}" } span { {lang.t("当前逾期问题", "Overdue now")} } }
            div { class: "card kpi", strong { "{d.walkthroughs_to_review}" } span { {lang.t("待审核走流程", "Walkthroughs to review")} } }
            div { class: "card kpi", strong { {format!("{:.1}", d.impact.hours_cut)} } span { {lang.t("节省办事时长(小时)", "Hours cut")} } }
            div { class: "card kpi", strong { "{d.impact.materials_cut}" } span { {lang.t("精简材料(件)", "Materials cut")} } }
            div { class: "card kpi", strong { "{d.impact.problems_solved}" } span { {lang.t("解决问题", "Problems solved")} } }
            div { class: "card kpi", strong { "{d.impact.findings}" } span { {lang.t("发现问题", "Findings")} } }
        }
        div { class: "compare",
            Counts { title: lang.t("问题类别", "Issues by category").to_owned(), rows: d.by_category.clone(), testid: "by-category" }
            Counts { title: lang.t("责任部门", "Issues by department").to_owned(), rows: d.by_department.clone(), testid: "by-department" }
        }
        {monthly_rates(lang, d)}
        {scenario_timing(lang, d)}
    }
}

/// Two series as bars side by side (left, right) per label: how a [`bar_section`] draws.
struct PairedBars {
    /// What the picture shows, for a screen reader.
    label: &'static str,
    testid: &'static str,
    bar_width: &'static str,
    /// The top of the scale (rates: 100); None: from the numbers.
    highest: Option<f32>,
    max_ticks: i32,
    ticks: fn(f32) -> String,
    left: Vec<f32>,
    right: Vec<f32>,
    labels: Vec<String>,
}

/// A dashboard section: its heading, the bar chart when there are numbers, and the table
/// that holds them.
fn bar_section(heading: &str, bars: PairedBars, table: Element) -> Element {
    let PairedBars {
        label,
        testid,
        bar_width,
        highest,
        max_ticks,
        ticks,
        left,
        right,
        labels,
    } = bars;
    rsx! {
        section { class: "card",
            h2 { {heading} }
            if !labels.is_empty() {
                Chart { label: label.to_owned(), testid: testid.to_owned(),
                    BarChart {
                        padding_top: 30,
                        padding_left: 60,
                        padding_right: 40,
                        padding_bottom: 40,
                        bar_width,
                        lowest: 0.0,
                        highest,
                        max_ticks,
                        label_interpolation: ticks,
                        series: vec![left, right],
                        labels,
                    }
                }
            }
            {table}
        }
    }
}

/// Rectification and on-time rates month by month: the chart and its table.
fn monthly_rates(lang: Lang, d: &Dashboard) -> Element {
    let percent_of = |r: Option<f64>| (r.unwrap_or(0.0) * 100.0) as f32;
    let bars = PairedBars {
        label: lang.t(
            "逐月整改率(左)与按期率(右)",
            "Rectification (left) and on-time (right) rates by month",
        ),
        testid: "monthly-chart",
        bar_width: "4%",
        highest: Some(100.0),
        max_ticks: 5,
        ticks: percent,
        left: d
            .monthly
            .iter()
            .map(|m| percent_of(m.figures.rectification_rate))
            .collect(),
        right: d
            .monthly
            .iter()
            .map(|m| percent_of(m.figures.on_time_rate))
            .collect(),
        labels: d.monthly.iter().map(|m| m.month.clone()).collect(),
    };
    let table = rsx! {
        table { class: "figures", "data-testid": "monthly",
            {column_heads(&[lang.t("月份", "Month"), lang.t("收到", "Received"), lang.t("整改率", "Rectified"), lang.t("按期率", "On time"), lang.t("回访率", "Re-checked"), lang.t("满意率", "Satisfied")])}
            tbody {
                for m in d.monthly.iter() {
                    tr { key: "{m.month}",
                        td { "{m.month}" }
                        td { class: "num", "{m.figures.received}" }
                        td { class: "num", {rate(m.figures.rectification_rate)} }
                        td { class: "num", {rate(m.figures.on_time_rate)} }
                        td { class: "num", {rate(m.figures.return_visit_rate)} }
                        td { class: "num", {rate(m.figures.satisfaction_rate)} }
                    }
                }
            }
        }
    };
    bar_section(
        lang.t(
            "逐月整改率与按期率",
            "Rectification and on-time rates by month",
        ),
        bars,
        table,
    )
}

/// A table's column headings.
fn column_heads(names: &[&str]) -> Element {
    rsx! {
        thead { tr {
            for name in names {
                th { key: "{name}", scope: "col", {*name} }
            }
        } }
    }
}

/// Each scenario's average time against its promise: the chart and its table.
fn scenario_timing(lang: Lang, d: &Dashboard) -> Element {
    let timing = &d.scenario_timing;
    let bars = PairedBars {
        label: lang.t(
            "各场景平均用时(左)与承诺时限(右)",
            "Each scenario's average time (left) and promised time (right)",
        ),
        testid: "scenario-chart",
        bar_width: "5%",
        highest: None,
        max_ticks: 8,
        ticks: whole,
        left: timing
            .iter()
            .map(|s| s.average_total_minutes as f32)
            .collect(),
        right: timing.iter().map(|s| s.promised_minutes as f32).collect(),
        labels: timing
            .iter()
            .map(|s| s.scenario_name.chars().take(8).collect())
            .collect(),
    };
    let table = rsx! {
        table { class: "figures", "data-testid": "scenario-timing",
            {column_heads(&[lang.t("场景", "Scenario"), lang.t("走流程次数", "Walkthroughs"), lang.t("平均用时", "Average"), lang.t("承诺时限", "Promised")])}
            tbody {
                for s in timing.iter() {
                    tr { key: "{s.scenario_id}", class: if s.average_total_minutes > s.promised_minutes && s.promised_minutes > 0.0 { "over" } else { "" },
                        td { "{s.scenario_name}" }
                        td { class: "num", "{s.walkthroughs}" }
                        td { class: "num", {format!("{:.0}", s.average_total_minutes)} }
                        td { class: "num", {format!("{:.0}", s.promised_minutes)} }
                    }
                }
            }
        }
    };
    bar_section(
        lang.t(
            "各场景平均用时与承诺时限(分钟)",
            "Scenario time against the promise (minutes)",
        ),
        bars,
        table,
    )
}

/// A checkbox's handler that keeps `id` in `list` exactly while the box is checked.
fn kept_while_checked(mut list: Signal<Vec<String>>, id: String) -> impl FnMut(FormEvent) {
    move |e: FormEvent| {
        let mut l = list.write();
        l.retain(|x| *x != id);
        if e.checked() {
            l.push(id.clone());
        }
    }
}

/// A new assignment: scenario, venue, observers, dates and mode. The shared rule the
/// server applies (`AssignmentInput::check_shape`) is checked before anything is sent;
/// the server's answer names any other problem.
#[component]
fn NewAssignment(venues: Vec<(String, String)>, scenarios: Vec<(String, String)>) -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let observers = use_resource(move || async move {
        client::get(desk, ep::users::List).await.map(|all| {
            all.into_iter()
                .filter(|u| u.active && u.role.is_observer())
                .collect::<Vec<User>>()
        })
    });
    let today = crate::platform::today();
    let mut scenario = use_signal(String::new);
    let mut venue = use_signal(String::new);
    let picked = use_signal(Vec::<String>::new);
    let mut starts = use_signal(move || today.to_string());
    let mut ends = use_signal(move || (today + chrono::Duration::days(14)).to_string());
    let mut online = use_signal(|| false);
    let problem = use_signal(|| None::<String>);
    let create = move |_| {
        create_assignment(
            desk, lang, scenario, venue, picked, starts, ends, online, problem,
        )
    };
    rsx! {
        section { class: "card", "data-testid": "new-assignment",
            h2 { {lang.t("新建任务", "New assignment")} }
            label { {lang.t("场景", "Scenario")}
                select { name: "assignment-scenario", onchange: move |e| scenario.set(e.value()),
                    option { value: "", selected: scenario().is_empty(), {lang.t("请选择", "Choose")} }
                    for (id, name) in scenarios {
                        option { key: "{id}", value: "{id}", selected: scenario() == id, "{name}" }
                    }
                }
            }
            label { {lang.t("场所", "Venue")}
                select { name: "assignment-venue", onchange: move |e| venue.set(e.value()),
                    option { value: "", selected: venue().is_empty(), {lang.t("请选择", "Choose")} }
                    for (id, name) in venues {
                        option { key: "{id}", value: "{id}", selected: venue() == id, "{name}" }
                    }
                }
            }
            fieldset { class: "plain",
                legend { {lang.t("体验员 / 督查员", "Observers")} }
                match &*observers.read() {
                    None => rsx! { p { class: "muted", {lang.t("正在加载…", "Loading…")} } },
                    Some(Err(e)) => rsx! { p { class: "error", role: "alert", "{e.describe()}" } },
                    Some(Ok(list)) => rsx! {
                        for u in list.clone() {
                            label { key: "{u.id}", class: "check",
                                input {
                                    r#type: "checkbox",
                                    "data-testid": "assignment-observer",
                                    checked: picked.read().contains(&u.id),
                                    onchange: kept_while_checked(picked, u.id.clone()),
                                }
                                " {u.display_name} ({u.username})"
                            }
                        }
                    },
                }
            }
            label { {lang.t("开始日期", "Starts on")}
                input { r#type: "date", name: "assignment-starts", value: "{starts}", oninput: move |e| starts.set(e.value()) }
            }
            label { {lang.t("结束日期", "Ends on")}
                input { r#type: "date", name: "assignment-ends", value: "{ends}", oninput: move |e| ends.set(e.value()) }
            }
            label { class: "check",
                input { r#type: "checkbox", name: "assignment-online", checked: online(), onchange: move |e: FormEvent| online.set(e.checked()) }
                {lang.t(" 网上模拟办理(不到现场)", " Online simulation (not in person)")}
            }
            if let Some(p) = problem() {
                p { class: "error", role: "alert", "data-testid": "assignment-problem", "{p}" }
            }
            button { class: "primary", "data-testid": "create-assignment", onclick: create, {lang.t("创建任务", "Create the assignment")} }
        }
    }
}

/// Checks the new assignment by the shared rule, then creates it at the server.
#[allow(clippy::too_many_arguments)]
fn create_assignment(
    mut desk: DeskStore,
    lang: Lang,
    scenario: Signal<String>,
    venue: Signal<String>,
    mut picked: Signal<Vec<String>>,
    starts: Signal<String>,
    ends: Signal<String>,
    online: Signal<bool>,
    mut problem: Signal<Option<String>>,
) {
    let date = |v: &str, zh: &str, en: &str| {
        v.trim()
            .parse::<chrono::NaiveDate>()
            .map_err(|_| lang.t(zh, en).to_owned())
    };
    let input = (|| {
        if scenario.peek().is_empty() || venue.peek().is_empty() {
            return Err(lang
                .t("请选择场景和场所", "Choose a scenario and a venue")
                .to_owned());
        }
        let input = AssignmentInput {
            scenario_id: scenario.peek().clone(),
            venue_id: venue.peek().clone(),
            observer_ids: picked.peek().clone(),
            starts_on: date(
                &starts.peek(),
                "开始日期格式应为 2026-12-01",
                "Start date: like 2026-12-01",
            )?,
            ends_on: date(
                &ends.peek(),
                "结束日期格式应为 2026-12-31",
                "End date: like 2026-12-31",
            )?,
            mode: if *online.peek() {
                WalkMode::OnlineSimulation
            } else {
                WalkMode::InPerson
            },
            status: AssignmentStatus::Planned,
            note: String::new(),
        };
        input
            .check_shape()
            .map_err(|e| e.message(lang.is_en()).to_owned())?;
        Ok(input)
    })();
    let input = match input {
        Ok(i) => i,
        Err(why) => {
            problem.set(Some(why));
            return;
        }
    };
    problem.set(None);
    spawn(async move {
        match client::call(desk, ep::assignments::Create, &(), &NoQuery {}, &input).await {
            Ok(_) => {
                picked.set(Vec::new());
                desk.say(lang.t("任务已创建", "Assignment created"));
                desk.changed();
            }
            Err(e) => problem.set(Some(e.describe())),
        }
    });
}

#[component]
pub fn Planning() -> Element {
    let desk = use_context::<DeskStore>();
    let lang = desk.lang();
    let data = client::use_fresh(desk, move || async move {
        let a = client::get(desk, ep::assignments::List).await;
        let v = client::get(desk, ep::venues::List)
            .await
            .unwrap_or_default();
        let s = client::get(desk, ep::scenarios::List)
            .await
            .unwrap_or_default();
        (a, v, s)
    });
    let chosen = use_signal(Vec::<String>::new);
    let mut hours = use_signal(|| "72".to_owned());
    let mut code = use_signal(|| None::<String>);
    let create = move |_| {
        let ids = chosen.peek().clone();
        let valid_hours = hours.peek().trim().parse::<u32>().ok();
        spawn(async move {
            let mut d = desk;
            let req = CreateInviteRequest {
                role: Role::Experiencer,
                department_id: None,
                assignment_ids: ids,
                valid_hours,
            };
            match client::call(desk, ep::invites::Create, &(), &NoQuery {}, &req).await {
                Ok(c) => code.set(Some(c.code)),
                Err(e) => d.fail(e.describe()),
            }
        });
    };
    let body = match &*data.read() {
        None => rsx! { p { class: "muted", {lang.t("正在加载…", "Loading…")} } },
        Some((Err(e), _, _)) => rsx! { p { class: "error", role: "alert", "{e.describe()}" } },
        Some((Ok(list), venues, scenarios)) => {
            let name = |id: &str, all: &[(String, String)]| {
                all.iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default()
            };
            let v: Vec<(String, String)> = venues
                .iter()
                .map(|v| (v.id.clone(), v.name.clone()))
                .collect();
            let s: Vec<(String, String)> = scenarios
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect();
            let rows: Vec<(String, String, String)> = list
                .iter()
                .map(|a| {
                    (
                        a.id.clone(),
                        format!("{} · {}", name(&a.scenario_id, &s), name(&a.venue_id, &v)),
                        format!(
                            "{} – {} · {} {}",
                            a.starts_on,
                            a.ends_on,
                            a.observer_ids.len(),
                            lang.t("名体验员", "observers")
                        ),
                    )
                })
                .collect();
            rsx! {
                NewAssignment { venues: v.clone(), scenarios: s.clone() }
                fieldset { class: "card",
                    legend { {lang.t("任务(选中的任务随邀请码分配给新体验员)", "Assignments (the ticked ones go to the volunteer with the code)")} }
                    ul { class: "plain", "data-testid": "assignments",
                        for (id, title, when) in rows {
                            li { key: "{id}",
                                label { class: "check",
                                    input {
                                        r#type: "checkbox",
                                        "data-testid": "assignment-pick",
                                        checked: chosen.read().contains(&id),
                                        onchange: kept_while_checked(chosen, id.clone()),
                                    }
                                    " {title} "
                                    span { class: "muted small", "{when}" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        h1 { {lang.t("计划与邀请", "Planning and invites")} }
        {body}
        section { class: "card",
            h2 { {lang.t("体验员邀请码", "Invite code for a volunteer")} }
            label { {lang.t("有效时长(小时,1–720)", "Valid for (hours, 1–720)")}
                input { name: "invite-hours", inputmode: "numeric", value: "{hours}", oninput: move |e| hours.set(e.value()) }
            }
            button { class: "primary", "data-testid": "create-invite", onclick: create, {lang.t("生成邀请码", "Create an invite code")} }
            if let Some(c) = code() {
                p { class: "banner", role: "status",
                    {lang.t("邀请码:", "Invite code: ")}
                    strong { class: "code", "data-testid": "invite-code", "{c}" }
                    {lang.t("(体验员在手机应用“邀请码注册”中输入)", " (the volunteer enters it under “Invite code” in the phone app)")}
                }
            }
        }
    }
}
