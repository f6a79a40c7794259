//! The app speaks zh-CN by default and English on request. Strings sit next to their use
//! as `lang.t("中文", "English")`; the labels of the shared enums come from their
//! `text_enum!` tables in the shared crate (`label(lang)`), the words the server and the
//! printed forms use too.

use serde::{Deserialize, Serialize};

use flowwalk_shared::taxonomy::{CategoryGroup, Satisfaction, Smoothness};
use flowwalk_shared::walkthrough::{CommendationKind, Severity, StepOutcome, UnplannedKind};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The same language for the shared tables' `label(lang)`.
    pub fn shared(self) -> flowwalk_shared::text_enum::Lang {
        match self {
            Lang::Zh => flowwalk_shared::text_enum::Lang::Zh,
            Lang::En => flowwalk_shared::text_enum::Lang::En,
        }
    }

    /// A shared enum's label in this language.
    pub fn label<T: flowwalk_shared::text_enum::TextEnum>(self, value: T) -> &'static str {
        value.label(self.shared())
    }

    pub fn satisfaction(self, s: Satisfaction) -> &'static str {
        let en = match s {
            Satisfaction::VerySatisfied => "Very satisfied",
            Satisfaction::Satisfied => "Satisfied",
            Satisfaction::BasicallySatisfied => "Fairly satisfied",
            Satisfaction::Dissatisfied => "Dissatisfied",
            Satisfaction::VeryDissatisfied => "Very dissatisfied",
        };
        self.t(s.label_zh(), en)
    }

    pub fn smoothness(self, s: Smoothness) -> &'static str {
        let en = match s {
            Smoothness::VerySmooth => "Very smooth",
            Smoothness::Smooth => "Smooth",
            Smoothness::Average => "Average",
            Smoothness::NotSmooth => "Not smooth",
            Smoothness::VeryRough => "Very rough",
            Smoothness::NotApplicable => "Don't know",
        };
        self.t(s.label_zh(), en)
    }

    pub fn outcome(self, o: StepOutcome) -> &'static str {
        match o {
            StepOutcome::Done => self.t("办结", "Done"),
            StepOutcome::Redirected => self.t("被转办", "Redirected"),
            StepOutcome::Blocked => self.t("受阻", "Blocked"),
            StepOutcome::Skipped => self.t("跳过", "Skipped"),
        }
    }

    /// The severity's label from the shared table (一般 / 较重 / 严重).
    pub fn severity(self, s: Severity) -> &'static str {
        s.label(self.shared())
    }

    pub fn unplanned(self, k: UnplannedKind) -> &'static str {
        match k {
            UnplannedKind::RedirectedWindow => self.t("被指引到其他窗口", "Sent to another window"),
            UnplannedKind::RedirectedDepartment => {
                self.t("被指引到其他部门", "Sent to another department")
            }
            UnplannedKind::Other => self.t("其他计划外环节", "Other unplanned step"),
        }
    }

    pub fn commendation(self, k: CommendationKind) -> &'static str {
        match k {
            CommendationKind::Attitude => self.t("服务态度好", "Friendly staff"),
            CommendationKind::Efficiency => self.t("办事效率高", "Quick service"),
            CommendationKind::Patience => self.t("耐心细致", "Patient and careful"),
            CommendationKind::Other => self.t("其他", "Other"),
        }
    }

    pub fn group(self, g: CategoryGroup) -> &'static str {
        let en = match g {
            CategoryGroup::Process => "Process",
            CategoryGroup::Staff => "Service staff",
            CategoryGroup::Venue => "Premises",
            CategoryGroup::Information => "Information",
        };
        self.t(g.label_zh(), en)
    }
}

/// "3分05秒" / "3 min 05 s" for a duration in ms; hours when long.
pub fn duration(lang: Lang, ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    match (lang, h) {
        (Lang::Zh, 0) => format!("{m}分{s:02}秒"),
        (Lang::Zh, _) => format!("{h}小时{m:02}分"),
        (Lang::En, 0) => format!("{m} min {s:02} s"),
        (Lang::En, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Lang::Zh, 185_000), "3分05秒");
        assert_eq!(duration(Lang::En, 185_000), "3 min 05 s");
        assert_eq!(duration(Lang::Zh, 3_900_000), "1小时05分");
        assert_eq!(Lang::default().t("是", "yes"), "是");
    }
}
