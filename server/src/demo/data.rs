//! Demo data for `flowwalk demo`, drawn from the public documents listed in
//! `docs/domain.md#sources` (天宁区 / 常州), so that a newcomer opens the system and sees real
//! venues, departments and scenarios, not "foo".
//!
//! Sources: the 天宁区数据局 questionnaire names the venues and their addresses (翰学路,
//! 中吴大道1287号, 武青北路19号新丰大厦8楼); the 南通 report gives the online-simulation
//! steps (办事指南、在线预约、材料预审、结果查询) and the "半天开办" target; fees and
//! materials follow common practice in 江苏 (e.g. 住宅不动产登记费 80 元/件, 社保卡补领不收费).
//! Other addresses come from public 常州 pages; unknown street numbers are left out rather
//! than invented. People are fictional. Pure data, no dependencies.

/// A responsible unit (整改责任单位) that staffs windows.
pub struct DemoDepartment {
    pub code: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
}

/// A service venue (政务服务场所); `level` is one of city, district, town, village,
/// specialised. Parents are listed before their children.
pub struct DemoVenue {
    pub code: &'static str,
    pub name: &'static str,
    pub level: &'static str,
    pub parent_code: Option<&'static str>,
    pub address: &'static str,
}

/// One step of a scenario's standard flow. `channel` is one of window, online, kiosk, phone;
/// `fee_cents` is in fen (分).
pub struct DemoStep {
    pub name: &'static str,
    pub channel: &'static str,
    pub department_code: &'static str,
    pub standard_minutes: u32,
    pub fee_cents: u32,
    pub materials_count: u32,
}

/// A scenario (事项 / 一件事) with its ordered standard steps.
pub struct DemoScenario {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub steps: &'static [DemoStep],
}

/// A login. `role` is one of admin, manager, inspector, experiencer, department_officer,
/// panel_member; department officers carry a department, and so may panel members (a
/// window representative's).
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub department_code: Option<&'static str>,
}

/// A planned walkthrough. `observers` are usernames; `starts_in_days` is relative to today;
/// `mode` is in_person or online_simulation; `status` is planned, in_progress, done or
/// cancelled.
pub struct DemoAssignment {
    pub scenario_code: &'static str,
    pub venue_code: &'static str,
    pub observers: &'static [&'static str],
    pub starts_in_days: i64,
    pub length_days: i64,
    pub mode: &'static str,
    pub status: &'static str,
    pub note: &'static str,
}

/// District-level bureaus where they exist; city-level (or vertically managed) units where
/// the service is run by the city (不动产, 公积金) or by a branch (税务, 公安).
pub const DEPARTMENTS: &[DemoDepartment] = &[
    DemoDepartment {
        code: "hrss",
        name: "常州市天宁区人力资源和社会保障局",
        name_en: "Tianning District Human Resources and Social Security Bureau",
    },
    DemoDepartment {
        code: "medical_insurance",
        name: "常州市天宁区医疗保障局",
        name_en: "Tianning District Healthcare Security Bureau",
    },
    DemoDepartment {
        code: "tax",
        name: "国家税务总局常州市天宁区税务局",
        name_en: "Tianning District Taxation Bureau, State Taxation Administration",
    },
    DemoDepartment {
        code: "market_regulation",
        name: "常州市天宁区市场监督管理局",
        name_en: "Tianning District Administration for Market Regulation",
    },
    DemoDepartment {
        code: "civil_affairs",
        name: "常州市天宁区民政局",
        name_en: "Tianning District Civil Affairs Bureau",
    },
    DemoDepartment {
        code: "health",
        name: "常州市天宁区卫生健康局",
        name_en: "Tianning District Health Commission",
    },
    DemoDepartment {
        code: "police",
        name: "常州市公安局天宁分局",
        name_en: "Tianning Branch, Changzhou Public Security Bureau",
    },
    DemoDepartment {
        code: "archives",
        name: "常州市天宁区档案馆",
        name_en: "Tianning District Archives",
    },
    DemoDepartment {
        code: "real_estate",
        name: "常州市不动产登记交易中心",
        name_en: "Changzhou Real Estate Registration and Trading Center",
    },
    DemoDepartment {
        code: "housing_fund",
        name: "常州市住房公积金管理中心",
        name_en: "Changzhou Housing Provident Fund Management Center",
    },
    DemoDepartment {
        code: "service_office",
        name: "常州市天宁区数据局（政务服务管理办公室）",
        name_en: "Tianning District Data Bureau (Government Services Management Office)",
    },
];

/// City → district → town/street → village/community, plus the two specialised venues the
/// questionnaire asks about. Parents come first.
pub const VENUES: &[DemoVenue] = &[
    DemoVenue {
        code: "changzhou-city-center",
        name: "常州市政务服务中心",
        level: "city",
        parent_code: None,
        address: "常州市新北区锦绣路2号",
    },
    DemoVenue {
        code: "tianning-district-center",
        name: "天宁区政务服务中心",
        level: "district",
        parent_code: Some("changzhou-city-center"),
        address: "常州市天宁区翰学路",
    },
    DemoVenue {
        code: "chashan-street-center",
        name: "茶山街道便民服务中心",
        level: "town",
        parent_code: Some("tianning-district-center"),
        address: "常州市天宁区龙游路4号",
    },
    DemoVenue {
        code: "diaozhuang-street-center",
        name: "雕庄街道便民服务中心",
        level: "town",
        parent_code: Some("tianning-district-center"),
        address: "常州市天宁区雕庄街道",
    },
    DemoVenue {
        code: "zhenglu-town-center",
        name: "郑陆镇便民服务中心",
        level: "town",
        parent_code: Some("tianning-district-center"),
        address: "常州市天宁区郑陆镇",
    },
    DemoVenue {
        code: "cailing-community-station",
        name: "雕庄街道采菱社区便民服务站",
        level: "village",
        parent_code: Some("diaozhuang-street-center"),
        address: "常州市天宁区雕庄街道采菱社区",
    },
    DemoVenue {
        code: "jiaoxi-village-station",
        name: "郑陆镇焦溪村便民服务站",
        level: "village",
        parent_code: Some("zhenglu-town-center"),
        address: "常州市天宁区郑陆镇焦溪村",
    },
    DemoVenue {
        code: "hrss-center-zhongwu",
        name: "人力资源和社会保障中心",
        level: "specialised",
        parent_code: Some("tianning-district-center"),
        address: "常州市中吴大道1287号",
    },
    DemoVenue {
        code: "tianning-marriage-registry",
        name: "天宁区民政局婚姻登记处",
        level: "specialised",
        parent_code: Some("tianning-district-center"),
        address: "常州市天宁区武青北路19号新丰大厦8楼",
    },
];

/// High-frequency scenarios. Minutes are the standard handling time of each step (not
/// waiting); taxes that depend on the price (契税, 个税) are not fixed fees and count as 0.
pub const SCENARIOS: &[DemoScenario] = &[
    DemoScenario {
        code: "open-business",
        name: "开办企业一件事（窗口办）",
        description: "新设有限责任公司，从名称申报到银行开户，在开办企业专区窗口办理，\
                      对照“半天开办”标准逐环节计时；刻章、发票、税务Ukey首套免费。",
        steps: &[
            DemoStep {
                name: "企业名称自主申报",
                channel: "online",
                department_code: "market_regulation",
                standard_minutes: 20,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "设立登记并领取营业执照",
                channel: "window",
                department_code: "market_regulation",
                standard_minutes: 40,
                fee_cents: 0,
                materials_count: 5,
            },
            DemoStep {
                name: "免费刻制首套公章",
                channel: "window",
                department_code: "police",
                standard_minutes: 40,
                fee_cents: 0,
                materials_count: 2,
            },
            DemoStep {
                name: "新办纳税人套餐：申领发票与税务Ukey",
                channel: "window",
                department_code: "tax",
                standard_minutes: 30,
                fee_cents: 0,
                materials_count: 2,
            },
            DemoStep {
                name: "单位社会保险登记",
                channel: "window",
                department_code: "hrss",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 1,
            },
            DemoStep {
                name: "单位住房公积金缴存登记",
                channel: "window",
                department_code: "housing_fund",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 2,
            },
            DemoStep {
                name: "开立银行基本存款账户（专区驻点银行）",
                channel: "window",
                department_code: "service_office",
                standard_minutes: 30,
                fee_cents: 0,
                materials_count: 3,
            },
        ],
    },
    DemoScenario {
        code: "open-business-online",
        name: "开办企业一件事（网上办）",
        description: "同一事项在江苏政务服务网常州旗舰店“企业开办全链通”上的线上模拟办件，\
                      检验办事指南、在线预约、材料预审、结果查询，不提交真实申请。",
        steps: &[
            DemoStep {
                name: "查询办事指南",
                channel: "online",
                department_code: "service_office",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "企业名称自主申报",
                channel: "online",
                department_code: "market_regulation",
                standard_minutes: 15,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "在线填报并上传材料（材料预审）",
                channel: "online",
                department_code: "market_regulation",
                standard_minutes: 40,
                fee_cents: 0,
                materials_count: 5,
            },
            DemoStep {
                name: "在线申领发票与税务Ukey",
                channel: "online",
                department_code: "tax",
                standard_minutes: 15,
                fee_cents: 0,
                materials_count: 1,
            },
            DemoStep {
                name: "在线预约刻章与银行开户",
                channel: "online",
                department_code: "service_office",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "确认社保与公积金登记信息",
                channel: "online",
                department_code: "hrss",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "结果查询并下载电子营业执照",
                channel: "online",
                department_code: "market_regulation",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
        ],
    },
    DemoScenario {
        code: "social-security-card-reissue",
        name: "社保卡补办",
        description: "社会保障卡丢失后先正式挂失，再凭居民身份证补领，即时制卡，不收费；\
                      属全区通办事项，镇（街道）也可办理。",
        steps: &[
            DemoStep {
                name: "拨打12333或在“我的常州”APP正式挂失",
                channel: "phone",
                department_code: "hrss",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "导服台取号并咨询",
                channel: "window",
                department_code: "service_office",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "自助终端刷身份证、人脸识别并申请补领",
                channel: "kiosk",
                department_code: "hrss",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 1,
            },
            DemoStep {
                name: "即时制卡",
                channel: "kiosk",
                department_code: "hrss",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "窗口领卡、设置密码并启用金融功能",
                channel: "window",
                department_code: "hrss",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 1,
            },
        ],
    },
    DemoScenario {
        code: "real-estate-transfer",
        name: "二手房不动产转移登记",
        description: "存量住房买卖，交易、缴税、登记“一窗受理、集成服务”，买卖双方到场；\
                      住宅登记费80元/件（含一本证书），契税、个税按成交价核定。",
        steps: &[
            DemoStep {
                name: "线上预约办理时段",
                channel: "online",
                department_code: "real_estate",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "综合窗口收件受理（交易与登记）",
                channel: "window",
                department_code: "real_estate",
                standard_minutes: 30,
                fee_cents: 0,
                materials_count: 6,
            },
            DemoStep {
                name: "税费核定并缴纳契税等税款",
                channel: "window",
                department_code: "tax",
                standard_minutes: 20,
                fee_cents: 0,
                materials_count: 2,
            },
            DemoStep {
                name: "缴纳不动产登记费",
                channel: "kiosk",
                department_code: "real_estate",
                standard_minutes: 5,
                fee_cents: 8000,
                materials_count: 0,
            },
            DemoStep {
                name: "水电气网联动过户申请",
                channel: "online",
                department_code: "service_office",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "自助取件柜领取不动产权证书",
                channel: "kiosk",
                department_code: "real_estate",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 1,
            },
        ],
    },
    DemoScenario {
        code: "housing-fund-withdrawal",
        name: "住房公积金提取（购买自住住房）",
        description: "职工购买自住住房后提取本人住房公积金，可在窗口或“我的常州”APP办理，\
                      符合条件的当场审核、资金转入本人银行卡。",
        steps: &[
            DemoStep {
                name: "查询提取条件与账户余额",
                channel: "online",
                department_code: "housing_fund",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "提交提取申请",
                channel: "window",
                department_code: "housing_fund",
                standard_minutes: 15,
                fee_cents: 0,
                materials_count: 3,
            },
            DemoStep {
                name: "审核并当场办结",
                channel: "window",
                department_code: "housing_fund",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "拨打12329查询到账结果",
                channel: "phone",
                department_code: "housing_fund",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
        ],
    },
    DemoScenario {
        code: "medical-insurance-enrolment",
        name: "城乡居民医保参保登记",
        description: "未参加职工医保的城乡居民在村（社区）便民服务站办理参保登记并缴纳\
                      年度个人缴费，检验“就近办”是否一次办结。",
        steps: &[
            DemoStep {
                name: "便民服务站咨询参保政策",
                channel: "window",
                department_code: "medical_insurance",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "提交参保登记信息",
                channel: "window",
                department_code: "medical_insurance",
                standard_minutes: 10,
                fee_cents: 0,
                materials_count: 1,
            },
            DemoStep {
                name: "缴纳年度个人缴费（税务征收）",
                channel: "online",
                department_code: "tax",
                standard_minutes: 10,
                fee_cents: 40000,
                materials_count: 0,
            },
            DemoStep {
                name: "查询参保状态",
                channel: "online",
                department_code: "medical_insurance",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
        ],
    },
    DemoScenario {
        code: "sole-proprietor-registration",
        name: "个体工商户设立登记",
        description: "在镇（街道）便民服务中心办理个体工商户设立，领取营业执照后完成\
                      新办纳税人信息确认。",
        steps: &[
            DemoStep {
                name: "名称申报并在线填报",
                channel: "online",
                department_code: "market_regulation",
                standard_minutes: 20,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "窗口提交设立材料",
                channel: "window",
                department_code: "market_regulation",
                standard_minutes: 20,
                fee_cents: 0,
                materials_count: 3,
            },
            DemoStep {
                name: "领取营业执照",
                channel: "window",
                department_code: "market_regulation",
                standard_minutes: 5,
                fee_cents: 0,
                materials_count: 0,
            },
            DemoStep {
                name: "新办纳税人信息确认与发票申领",
                channel: "window",
                department_code: "tax",
                standard_minutes: 20,
                fee_cents: 0,
                materials_count: 1,
            },
        ],
    },
];

/// One account per role; people are fictional.
pub const USERS: &[DemoUser] = &[
    // 系统管理员
    DemoUser {
        username: "admin",
        display_name: "赵磊",
        role: "admin",
        department_code: None,
    },
    // 区数据局（政务服务管理办公室）政务服务科
    DemoUser {
        username: "manager",
        display_name: "王芳",
        role: "manager",
        department_code: None,
    },
    // 督查人员
    DemoUser {
        username: "inspector",
        display_name: "陈静",
        role: "inspector",
        department_code: None,
    },
    // 政务服务体验员（志愿者，企业代表）
    DemoUser {
        username: "experiencer",
        display_name: "刘洋",
        role: "experiencer",
        department_code: None,
    },
    // 政务服务体验员（志愿者，社区居民）
    DemoUser {
        username: "experiencer2",
        display_name: "孙丽娟",
        role: "experiencer",
        department_code: None,
    },
    // 区市场监管局窗口负责人
    DemoUser {
        username: "officer",
        display_name: "周建国",
        role: "department_officer",
        department_code: Some("market_regulation"),
    },
    // 区人社局窗口负责人
    DemoUser {
        username: "officer_hrss",
        display_name: "吴敏",
        role: "department_officer",
        department_code: Some("hrss"),
    },
    // 验收团成员（市民巡访团）
    DemoUser {
        username: "panel",
        display_name: "郑秀英",
        role: "panel_member",
        department_code: None,
    },
    // The acceptance panel's other two constituencies: a window representative (of the tax
    // windows, so they may sign off other departments' fixes) and a citizen patrol member.
    DemoUser {
        username: "panel_window",
        display_name: "钱志强",
        role: "panel_member",
        department_code: Some("tax"),
    },
    DemoUser {
        username: "panel_citizen",
        display_name: "冯桂兰",
        role: "panel_member",
        department_code: None,
    },
];

/// Walkthroughs in every state; `experiencer` has three, `experiencer2` two of its own.
pub const ASSIGNMENTS: &[DemoAssignment] = &[
    DemoAssignment {
        scenario_code: "open-business",
        venue_code: "tianning-district-center",
        observers: &["inspector", "experiencer"],
        starts_in_days: -21,
        length_days: 1,
        mode: "in_person",
        status: "done",
        note: "暗访体验，不提前告知窗口；对照“半天开办”标准逐环节计时。",
    },
    DemoAssignment {
        scenario_code: "medical-insurance-enrolment",
        venue_code: "cailing-community-station",
        observers: &["inspector"],
        starts_in_days: -14,
        length_days: 1,
        mode: "in_person",
        status: "done",
        note: "体验调研：社区站能否一次办结，老年人有无帮办代办。",
    },
    DemoAssignment {
        scenario_code: "social-security-card-reissue",
        venue_code: "chashan-street-center",
        observers: &["experiencer"],
        starts_in_days: -1,
        length_days: 3,
        mode: "in_person",
        status: "in_progress",
        note: "随机体验：模拟社保卡丢失补办，重点看自助终端和全区通办。",
    },
    DemoAssignment {
        scenario_code: "housing-fund-withdrawal",
        venue_code: "changzhou-city-center",
        observers: &["experiencer2"],
        starts_in_days: -2,
        length_days: 4,
        mode: "online_simulation",
        status: "in_progress",
        note: "线上模拟办件：用“我的常州”APP提取，核对线上线下材料是否一致。",
    },
    DemoAssignment {
        scenario_code: "open-business-online",
        venue_code: "tianning-district-center",
        observers: &["experiencer"],
        starts_in_days: 3,
        length_days: 5,
        mode: "online_simulation",
        status: "planned",
        note: "线上模拟办件：检验办事指南、在线预约、材料预审、结果查询。",
    },
    DemoAssignment {
        scenario_code: "real-estate-transfer",
        venue_code: "changzhou-city-center",
        observers: &["inspector", "experiencer2"],
        starts_in_days: 6,
        length_days: 2,
        mode: "in_person",
        status: "planned",
        note: "陪同真实买卖双方走流程，分别记录等候用时与受理用时。",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: &[&str] = &["city", "district", "town", "village", "specialised"];
    const CHANNELS: &[&str] = &["window", "online", "kiosk", "phone"];
    const ROLES: &[&str] = &[
        "admin",
        "manager",
        "inspector",
        "experiencer",
        "department_officer",
        "panel_member",
    ];
    const OBSERVER_ROLES: &[&str] = &["inspector", "experiencer"];
    const MODES: &[&str] = &["in_person", "online_simulation"];
    const STATUSES: &[&str] = &["planned", "in_progress", "done", "cancelled"];

    fn assert_unique<'a>(what: &str, items: impl IntoIterator<Item = &'a str>) {
        let mut seen = std::collections::HashSet::new();
        for item in items {
            assert!(!item.is_empty(), "{what}: empty value");
            assert!(seen.insert(item), "{what}: duplicate {item:?}");
        }
    }

    fn is_code(code: &str, separators: &[char]) -> bool {
        !code.is_empty()
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || separators.contains(&c))
    }

    fn department_exists(code: &str) -> bool {
        DEPARTMENTS.iter().any(|d| d.code == code)
    }

    #[test]
    fn departments_are_unique_and_well_formed() {
        assert_unique("department code", DEPARTMENTS.iter().map(|d| d.code));
        assert_unique("department name", DEPARTMENTS.iter().map(|d| d.name));
        assert_unique("department name_en", DEPARTMENTS.iter().map(|d| d.name_en));
        for d in DEPARTMENTS {
            assert!(is_code(d.code, &['_']), "bad department code {:?}", d.code);
            assert!(d.name_en.is_ascii(), "name_en not ASCII: {:?}", d.name_en);
        }
        for code in [
            "hrss",
            "medical_insurance",
            "tax",
            "market_regulation",
            "civil_affairs",
            "health",
            "police",
            "archives",
            "real_estate",
            "housing_fund",
            "service_office",
        ] {
            assert!(department_exists(code), "missing department {code}");
        }
    }

    #[test]
    fn venues_form_a_hierarchy_with_parents_first() {
        assert_unique("venue code", VENUES.iter().map(|v| v.code));
        assert_unique("venue name", VENUES.iter().map(|v| v.name));
        for (i, v) in VENUES.iter().enumerate() {
            assert!(is_code(v.code, &['-', '_']), "bad venue code {:?}", v.code);
            assert!(
                LEVELS.contains(&v.level),
                "bad level {:?} for {}",
                v.level,
                v.code
            );
            assert!(
                v.address.starts_with("常州市"),
                "address outside 常州: {}",
                v.code
            );
            let parent = v.parent_code.map(|p| {
                VENUES[..i]
                    .iter()
                    .find(|earlier| earlier.code == p)
                    .unwrap_or_else(|| panic!("{}: parent {p} missing or listed later", v.code))
            });
            let expected_parent_level = match v.level {
                "city" => None,
                "district" => Some("city"),
                "town" => Some("district"),
                "village" => Some("town"),
                _ => parent.map(|p| p.level),
            };
            assert_eq!(parent.map(|p| p.level), expected_parent_level, "{}", v.code);
        }
        for level in LEVELS {
            assert!(VENUES.iter().any(|v| v.level == *level), "no {level} venue");
        }
    }

    #[test]
    fn scenarios_have_valid_steps() {
        assert_unique("scenario code", SCENARIOS.iter().map(|s| s.code));
        assert_unique("scenario name", SCENARIOS.iter().map(|s| s.name));
        for s in SCENARIOS {
            assert!(is_code(s.code, &['-']), "bad scenario code {:?}", s.code);
            assert!(!s.description.is_empty(), "{}: no description", s.code);
            assert!(!s.steps.is_empty(), "{}: no steps", s.code);
            assert_unique("step name", s.steps.iter().map(|step| step.name));
            for step in s.steps {
                assert!(
                    CHANNELS.contains(&step.channel),
                    "{}: {}",
                    s.code,
                    step.name
                );
                assert!(
                    department_exists(step.department_code),
                    "{}: {}",
                    s.code,
                    step.name
                );
                assert!(step.standard_minutes > 0, "{}: {}", s.code, step.name);
                assert!(step.materials_count <= 20, "{}: {}", s.code, step.name);
                assert!(step.fee_cents <= 10_000_000, "{}: {}", s.code, step.name);
            }
        }
        // 半天开办: the window steps of opening a business fit in half a working day.
        let open = SCENARIOS
            .iter()
            .find(|s| s.code == "open-business")
            .unwrap();
        let window_minutes: u32 = open
            .steps
            .iter()
            .filter(|step| step.channel == "window")
            .map(|step| step.standard_minutes)
            .sum();
        assert!(
            window_minutes <= 240,
            "open-business takes {window_minutes} min"
        );
        // At least one scenario can be walked entirely online.
        assert!(
            SCENARIOS
                .iter()
                .any(|s| s.steps.iter().all(|st| st.channel == "online"))
        );
    }

    #[test]
    fn users_have_valid_roles_and_departments() {
        assert_unique("username", USERS.iter().map(|u| u.username));
        for u in USERS {
            assert!(
                ROLES.contains(&u.role),
                "bad role {:?} for {}",
                u.role,
                u.username
            );
            assert!(
                !u.display_name.is_empty(),
                "{}: no display name",
                u.username
            );
            match u.department_code {
                Some(code) => {
                    assert!(
                        u.role == "department_officer" || u.role == "panel_member",
                        "{} has a department",
                        u.username
                    );
                    assert!(department_exists(code), "{}: unknown {code}", u.username);
                }
                None => {
                    assert_ne!(u.role, "department_officer", "{} lacks one", u.username);
                }
            }
        }
        for role in ROLES {
            assert!(
                USERS.iter().any(|u| u.role == *role),
                "no user with role {role}"
            );
        }
    }

    #[test]
    fn assignments_reference_existing_data() {
        for a in ASSIGNMENTS {
            let at = format!("{} @ {}", a.scenario_code, a.venue_code);
            assert!(
                SCENARIOS.iter().any(|s| s.code == a.scenario_code),
                "{at}: scenario"
            );
            assert!(VENUES.iter().any(|v| v.code == a.venue_code), "{at}: venue");
            assert!(MODES.contains(&a.mode), "{at}: mode {:?}", a.mode);
            assert!(STATUSES.contains(&a.status), "{at}: status {:?}", a.status);
            assert!(a.length_days >= 1, "{at}: length");
            assert!(a.starts_in_days.abs() <= 366, "{at}: start");
            assert!(!a.note.is_empty(), "{at}: note");
            assert!(!a.observers.is_empty(), "{at}: no observers");
            assert_unique("observer", a.observers.iter().copied());
            for name in a.observers {
                let user = USERS.iter().find(|u| u.username == *name);
                let user = user.unwrap_or_else(|| panic!("{at}: unknown observer {name}"));
                assert!(
                    OBSERVER_ROLES.contains(&user.role),
                    "{at}: {name} cannot observe"
                );
            }
        }
        let walks_of = |name: &str| {
            ASSIGNMENTS
                .iter()
                .filter(|a| a.observers.contains(&name))
                .map(|a| (a.scenario_code, a.venue_code))
                .collect::<Vec<_>>()
        };
        let first = walks_of("experiencer");
        assert!(
            first.len() >= 2,
            "experiencer needs at least two walkthroughs"
        );
        assert!(walks_of("experiencer2").iter().any(|w| !first.contains(w)));
    }
}
