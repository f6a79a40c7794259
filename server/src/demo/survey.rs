//! The demo's citizen questionnaire: the district's 我陪群众走流程 questionnaire (questions
//! as in `docs/domain.md#questions`), a campaign running today at five demo venues, a few hundred
//! synthetic responses drawn (deterministically) around the shares the district published,
//! and its published results notice.

use anyhow::anyhow;
use chrono::Duration;
use flowwalk_shared::api::surveys::{
    CampaignInput, CandidateInput, CandidateKind, Choice, Question, QuestionKind,
    QuestionnaireInput, ResponseSource, ScalePreset, ShowIf,
};
use flowwalk_shared::time::china;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::service::{departments, venues};
use crate::surveys::rules::questionnaire::{RawAnswers, Unasked, check_answers};
use crate::surveys::store::survey_rows::ResponseRow;

pub const CAMPAIGN_CODE: &str = "wopei-2026";
/// The venue whose form link `flowwalk demo` prints.
pub const FORM_VENUE: &str = "tianning-district-center";
const VENUES: [&str; 5] = [
    "tianning-district-center",
    "changzhou-city-center",
    "chashan-street-center",
    "hrss-center-zhongwu",
    "cailing-community-station",
];
const RESPONSES: usize = 366;

fn c(id: &str, label: &str) -> Choice {
    Choice::new(id, label)
}

fn problem(id: &str, label: &str, category: &str) -> Choice {
    Choice {
        category_id: Some(category.into()),
        ..c(id, label)
    }
}

fn none(label: &str) -> Choice {
    Choice {
        exclusive: true,
        ..c("none", label)
    }
}

fn q(id: &str, kind: QuestionKind, title: &str, choices: Vec<Choice>) -> Question {
    Question {
        id: id.into(),
        kind,
        title: title.into(),
        optional: false,
        choices,
        scale: None,
        not_applicable: false,
        show_if: None,
    }
}

fn smoothness(id: &str, title: &str, not_applicable: bool) -> Question {
    Question {
        scale: Some(ScalePreset::Smoothness),
        not_applicable,
        ..q(id, QuestionKind::Scale, title, vec![])
    }
}

/// The district questionnaire's first questions: where and what the respondent went for, and how it went.
fn first_questions() -> Vec<Question> {
    use QuestionKind::{Multiple, Single};
    vec![
        q(
            "q1",
            Multiple,
            "您去过或知晓以下哪些政务服务场所?",
            vec![
                c("city", "常州市政务服务中心"),
                c("district", "天宁区政务服务中心(翰学路)"),
                c("town", "镇、街道便民服务中心(天宁区)"),
                c("village", "村、社区便民服务站(天宁区)"),
                c("hrss", "人力资源和社会保障中心(中吴大道1287号)"),
                c("marriage", "民政局婚姻登记处(武青北路19号新丰大厦8楼)"),
            ],
        ),
        q(
            "q2",
            Multiple,
            "您办理过哪些类型的政务服务事项?",
            vec![
                c("social", "社保、医保业务"),
                c("tax", "税费业务"),
                c("business", "个体户、企业公司业务"),
                c("civil", "民政业务"),
                c("health", "卫健业务"),
                c("police", "公安(户籍、出入境、交管)业务"),
                c("archives", "档案业务"),
                c("real_estate", "不动产业务"),
                c("housing_fund", "公积金业务"),
                c("other", "其他"),
            ],
        ),
        q(
            "q3",
            Multiple,
            "您从哪些渠道获得办理地址、咨询电话、时间、材料、费用等信息?",
            vec![
                c("baidu", "百度"),
                c("xiaohongshu", "小红书"),
                c("city_app", "“我的常州”APP"),
                c("province_app", "“苏服办”APP"),
                c("wechat", "各类公众号"),
                c("acquaintance", "问熟人"),
            ],
        ),
        smoothness("q4", "您获取信息的过程是否顺利?", false),
        smoothness("q5", "您觉得窗口办理的过程是否顺利?", true),
        q(
            "q6",
            Single,
            "您是否通过“不见面”的方式办理过业务(APP、公众号、小程序、电脑网页端、自助设备等)?",
            vec![c("yes", "是"), c("no", "否")],
        ),
    ]
}

/// The district questionnaire's remaining questions.
fn later_questions() -> Vec<Question> {
    use QuestionKind::{Multiple, Text};
    vec![
        Question {
            show_if: Some(ShowIf {
                question_id: "q6".into(),
                any_of: vec!["yes".into()],
            }),
            ..smoothness("q7", "您觉得线上办理的过程是否顺利?", true)
        },
        q(
            "q8",
            Multiple,
            "您觉得窗口服务存在哪些问题需要改进?",
            vec![
                problem(
                    "rigid_rules",
                    "部分工作人员执行文件过于刻板,导致可办的事办不成",
                    "rigid_rules",
                ),
                problem(
                    "too_many_materials",
                    "需要提交的材料过多",
                    "too_many_materials",
                ),
                problem(
                    "too_many_apps",
                    "涉企APP太多,网上办事流程也很复杂",
                    "too_many_apps",
                ),
                problem(
                    "not_one_stop",
                    "没有做到“一站式”服务,办一件事需跑多个部门",
                    "not_one_stop",
                ),
                problem("long_queue", "政务大厅办事排队时间太长", "long_queue"),
                problem(
                    "repeated_materials",
                    "需要重复提交材料",
                    "repeated_materials",
                ),
                problem(
                    "forced_online",
                    "窗口不受理申请,强制要求上网办理",
                    "forced_online",
                ),
                problem(
                    "process_not_public",
                    "办事流程未公开或流程过于复杂",
                    "process_not_public",
                ),
                problem(
                    "no_time_limit",
                    "无办结时间要求的非常规事项,办理时间非常长",
                    "no_time_limit",
                ),
                none("以上均无"),
            ],
        ),
        q(
            "q9",
            Multiple,
            "您觉得窗口服务人员存在哪些问题需要改进?",
            vec![
                problem("work_style", "工作作风问题", "work_style"),
                problem("attitude", "服务态度问题", "attitude"),
                problem("efficiency", "服务效率问题", "efficiency"),
                none("不存在以上问题"),
            ],
        ),
        q(
            "q10",
            Multiple,
            "您觉得服务场所存在哪些问题需要改进?",
            vec![
                problem("parking", "停车不方便或收费贵", "parking"),
                problem("dirty", "环境脏乱", "dirty"),
                problem("old_equipment", "设备老旧", "old_equipment"),
                problem("low_digitalisation", "智能化水平较低", "low_digitalisation"),
                problem(
                    "unclear_signage",
                    "服务场所标识指引不清晰",
                    "unclear_signage",
                ),
                problem(
                    "insufficient_facilities",
                    "便民服务设备设施不充足",
                    "insufficient_facilities",
                ),
                problem("special_groups", "特殊人群服务能力不足", "special_groups"),
                none("不存在以上问题"),
            ],
        ),
        Question {
            optional: true,
            ..q("q11", Text, "您觉得服务过程中有哪些值得称赞的地方?", vec![])
        },
    ]
}

/// The district questionnaire, question by question.
pub fn district_questionnaire() -> QuestionnaireInput {
    QuestionnaireInput {
        code: "wopei-district".into(),
        title: "“我陪群众走流程”政务服务体验问卷".into(),
        intro: "为全面了解您办理政务服务的体验,请根据实际情况填写,约需3分钟。".into(),
        ask_phone: true,
        questions: [first_questions(), later_questions()].concat(),
    }
}

/// splitmix64: small, fast, and the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with `percent` per cent (basis points precision).
    fn chance(&mut self, percent: f64) -> bool {
        (self.next() % 10_000) < (percent * 100.0) as u64
    }

    /// An index drawn by weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = (self.next() % 1_000_000) as f64 / 1_000_000.0 * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const PRAISE: &[&str] = &[
    "服务态度很好,工作人员很耐心",
    "效率高,一次就办好了",
    "服务态度好,效率高",
    "服务态度非常好",
    "窗口人员耐心解答",
    "工作人员热情周到",
    "服务态度好,办事很快",
    "效率高,服务热情",
    "导办人员很耐心",
    "帮办代办服务很贴心",
    "服务态度热情,很耐心",
    "自助设备方便,不用排队",
];

/// Multiple choice: each option with its own chance; "none" alone with its chance first.
fn multiple(
    rng: &mut Rng,
    raw: &mut RawAnswers,
    id: &str,
    options: &[(&str, f64)],
    none_percent: Option<f64>,
) {
    let mut chosen: Vec<String> = Vec::new();
    if let Some(p) = none_percent
        && rng.chance(p)
    {
        chosen.push("none".into());
    } else {
        for (opt, p) in options {
            if rng.chance(*p) {
                chosen.push((*opt).into());
            }
        }
        if chosen.is_empty() {
            let weights: Vec<f64> = options.iter().map(|(_, p)| *p).collect();
            chosen.push(options[rng.pick(&weights)].0.into());
        }
    }
    raw.insert(id.into(), chosen);
}

fn level(rng: &mut Rng, weights: &[f64]) -> String {
    [
        "very_smooth",
        "smooth",
        "average",
        "not_smooth",
        "very_rough",
        "na",
    ][rng.pick(weights)]
    .into()
}

/// One synthetic respondent at the `venue`-th demo venue (the district centre, first, has
/// more complaints about queues).
fn respondent(rng: &mut Rng, venue: usize) -> RawAnswers {
    let mut raw = RawAnswers::new();
    multiple(
        rng,
        &mut raw,
        "q1",
        &[
            ("city", 71.04),
            ("district", 77.05),
            ("town", 44.26),
            ("village", 27.32),
            ("hrss", 33.33),
            ("marriage", 15.85),
        ],
        None,
    );
    multiple(
        rng,
        &mut raw,
        "q2",
        &[
            ("social", 71.58),
            ("tax", 40.98),
            ("business", 40.44),
            ("civil", 14.21),
            ("health", 10.93),
            ("police", 14.21),
            ("archives", 14.21),
            ("real_estate", 18.58),
            ("housing_fund", 25.68),
            ("other", 8.2),
        ],
        None,
    );
    multiple(
        rng,
        &mut raw,
        "q3",
        &[
            ("baidu", 32.24),
            ("xiaohongshu", 13.66),
            ("city_app", 67.21),
            ("province_app", 44.81),
            ("wechat", 21.31),
            ("acquaintance", 34.43),
        ],
        None,
    );
    raw.insert(
        "q4".into(),
        vec![level(rng, &[78.69, 14.75, 4.92, 1.64, 0.0])],
    );
    raw.insert(
        "q5".into(),
        vec![level(rng, &[76.0, 18.03, 2.73, 0.55, 0.0, 2.69])],
    );
    let online = rng.chance(73.22);
    raw.insert("q6".into(), vec![if online { "yes" } else { "no" }.into()]);
    if online {
        raw.insert(
            "q7".into(),
            vec![level(rng, &[79.1, 13.43, 3.73, 2.24, 0.75, 0.75])],
        );
    }
    let queue = if venue == 0 { 24.0 } else { 4.92 };
    multiple(
        rng,
        &mut raw,
        "q8",
        &[
            ("rigid_rules", 6.56),
            ("too_many_materials", 8.2),
            ("too_many_apps", 9.84),
            ("not_one_stop", 7.65),
            ("long_queue", queue),
            ("repeated_materials", 2.19),
            ("forced_online", 1.55),
            ("process_not_public", 2.19),
            ("no_time_limit", 0.55),
        ],
        Some(if venue == 0 { 62.0 } else { 73.77 }),
    );
    multiple(
        rng,
        &mut raw,
        "q9",
        &[
            ("work_style", 2.19),
            ("attitude", 2.19),
            ("efficiency", 5.46),
        ],
        Some(91.26),
    );
    multiple(
        rng,
        &mut raw,
        "q10",
        &[
            ("parking", 14.21),
            ("dirty", 0.3),
            ("old_equipment", 2.73),
            ("low_digitalisation", 2.73),
            ("unclear_signage", 2.73),
            ("insufficient_facilities", 2.19),
            ("special_groups", 2.19),
        ],
        Some(80.33),
    );
    if rng.chance(58.0) {
        let i = usize::try_from(rng.next() % PRAISE.len() as u64).unwrap_or(0);
        raw.insert("q11".into(), vec![PRAISE[i].into()]);
    }
    raw
}

const CONCLUSION: &str = "\
通过对调查结果的分析,得出以下结论:一是人社、医保、税务等服务事项为高频服务,面广量大,需要着重提升窗口承接能力和线上服务支撑;二是多数企业群众通过“我的常州”APP搜索办事指南,部分群众习惯使用百度搜索,需要提高各类渠道获取资讯的精准度;三是多数企业群众办事体验感较好,部分群众反映区政务服务中心排队时间较长、涉企APP太多、提交材料过多,已转入问题清单逐项整改。
下一步,我们将整合线上服务资源,提升线下服务效能,建立常态沟通机制,对照问题清单逐项验收,确保问题真解决、真到位。";

/// Loads the questionnaire, the campaign, its responses and the published results, inside
/// the demo's transaction; returns the number of responses.
pub fn load(conn: &mut DbConnection, admin_id: &str) -> Result<usize, AppError> {
    let qid = crate::surveys::service::setup::create_questionnaire(
        conn,
        &district_questionnaire(),
        Some(admin_id),
    )?;
    let mut venue_ids = Vec::new();
    for code in VENUES {
        let v = venues::find_by_code(conn, code)?
            .ok_or_else(|| AppError::internal(anyhow!("demo venue {code} is missing")))?;
        venue_ids.push(v.id);
    }
    let today = china::today();
    let campaign = crate::surveys::service::setup::create_campaign(
        conn,
        &CampaignInput {
            code: CAMPAIGN_CODE.into(),
            title: "“我陪群众走流程”政务服务体验问卷调查".into(),
            questionnaire_id: qid,
            organizer: "天宁区数据局".into(),
            purpose: "为全面了解“我陪群众走流程”政务服务体验感,增强企业和群众办事的便利度".into(),
            starts_on: today - Duration::days(20),
            ends_on: today + Duration::days(10),
            venue_ids: venue_ids.clone(),
        },
        admin_id,
    )?;
    let questionnaire = crate::surveys::service::questionnaire(conn, &campaign)?;
    let mut rng = Rng(0x5EED_2024_0506);
    let start = china::midnight_utc(campaign.starts_on) + Duration::hours(9);
    let now = crate::db::rows::now();
    let mut rows = Vec::with_capacity(RESPONSES);
    for i in 0..RESPONSES {
        // The busier venues first: the district centre and the city centre get most.
        let venue = [0, 0, 0, 1, 1, 2, 3, 4][usize::try_from(rng.next() % 8).unwrap_or(0)];
        let raw = respondent(&mut rng, venue);
        let answers =
            check_answers(&questionnaire.questions, &raw, Unasked::Refuse).map_err(|p| {
                AppError::internal(anyhow!("a demo response breaks the questionnaire: {p:?}"))
            })?;
        let day = i64::try_from(i * 20 / RESPONSES).unwrap_or(0);
        let minute = i64::try_from(rng.next() % 480).unwrap_or(0);
        rows.push(ResponseRow {
            id: crate::db::rows::new_id(),
            campaign_id: campaign.id.clone(),
            venue_id: venue_ids[venue].clone(),
            questionnaire_version_id: campaign.questionnaire_version_id.clone(),
            source: if i % 9 == 0 {
                ResponseSource::Paper
            } else {
                ResponseSource::Web
            },
            submission_token: None,
            answers: serde_json::to_string(&answers).map_err(|e| AppError::internal(e.into()))?,
            phone: None,
            submitted_at: (start + Duration::days(day) + Duration::minutes(minute)).min(now),
            received_at: now,
        });
    }
    crate::surveys::service::store_dated(conn, &rows)?;
    crate::surveys::service::publish(conn, &campaign, CONCLUSION, Some(admin_id))?;
    // The district centre's queues, chosen by many there, wait as a candidate issue for
    // the service-management office, which runs the centre's queueing.
    let office = departments::find_by_code(conn, "service_office")?.map(|d| d.id);
    crate::surveys::service::candidates::create(
        conn,
        &campaign,
        &CandidateInput {
            kind: CandidateKind::Option,
            question_id: "q8".into(),
            response_id: None,
            venue_id: Some(venue_ids[0].clone()),
            choice_id: Some("long_queue".into()),
            category_id: None,
            department_id: office,
            note: "区政务服务中心排队问题反映集中,建议纳入问题清单。".into(),
        },
        admin_id,
    )?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_district_questionnaire_is_valid_and_its_synthetic_answers_too() {
        let categories: Vec<String> = flowwalk_shared::taxonomy::DEFAULT_CATEGORIES
            .iter()
            .map(|c| c.id.to_owned())
            .collect();
        let qs = crate::surveys::rules::questionnaire::check_definition(
            &district_questionnaire().questions,
            &categories,
        )
        .unwrap();
        assert_eq!(qs.len(), 11);
        let mut rng = Rng(1);
        for i in 0..500 {
            let raw = respondent(&mut rng, i % 5);
            check_answers(&qs, &raw, Unasked::Refuse).unwrap();
        }
    }

    #[test]
    fn the_random_numbers_are_splitmix64_s() {
        // The published first output of splitmix64 seeded with 0.
        assert_eq!(Rng(0).next(), 0xE220_A839_7B1D_CDAF);
    }
}
