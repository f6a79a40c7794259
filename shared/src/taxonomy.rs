//! The default problem taxonomy and the rating scales (`docs/domain.md#problem-taxonomy`,
//! `#rating-scales`).
//!
//! The server seeds its editable category table from [`DEFAULT_CATEGORIES`]; the scales are
//! fixed by national practice (好差评) and therefore plain enums.

use crate::text_enum::text_enum;

text_enum! {
    /// The four groups a problem category belongs to.
    pub enum CategoryGroup {
        Process = "process" / "办事流程" / "Process",
        Staff = "staff" / "窗口服务人员" / "Service staff",
        Venue = "venue" / "服务场所" / "Premises",
        Information = "information" / "办事信息" / "Information",
    }
}

/// One default problem category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultCategory {
    pub id: &'static str,
    pub group: CategoryGroup,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

const fn cat(
    id: &'static str,
    group: CategoryGroup,
    name_zh: &'static str,
    name_en: &'static str,
) -> DefaultCategory {
    DefaultCategory {
        id,
        group,
        name_zh,
        name_en,
    }
}

use CategoryGroup::{Information, Process, Staff, Venue};

/// The taxonomy of `docs/domain.md#problem-taxonomy`, in its order; admins can edit the seeded copy.
pub const DEFAULT_CATEGORIES: &[DefaultCategory] = &[
    cat(
        "rigid_rules",
        Process,
        "执行文件过于刻板,可办的事办不成",
        "Rules applied too rigidly; doable things not done",
    ),
    cat(
        "too_many_materials",
        Process,
        "需要提交的材料过多",
        "Too many materials required",
    ),
    cat(
        "repeated_materials",
        Process,
        "需要重复提交材料",
        "Materials must be submitted repeatedly",
    ),
    cat(
        "too_many_apps",
        Process,
        "涉企APP太多,网上办事流程复杂",
        "Too many apps; online process too complex",
    ),
    cat(
        "not_one_stop",
        Process,
        "没有做到“一站式”,办一件事需跑多个部门",
        "Not one-stop; several departments for one matter",
    ),
    cat(
        "long_queue",
        Process,
        "排队时间太长",
        "Queueing takes too long",
    ),
    cat(
        "forced_online",
        Process,
        "窗口不受理,强制要求上网办理",
        "Window refuses; forced to apply online",
    ),
    cat(
        "process_not_public",
        Process,
        "办事流程未公开或过于复杂",
        "Process not published or too complex",
    ),
    cat(
        "no_time_limit",
        Process,
        "无办结时间要求,办理时间非常长",
        "No time limit; processing takes very long",
    ),
    cat("work_style", Staff, "工作作风", "Work style"),
    cat("attitude", Staff, "服务态度", "Service attitude"),
    cat("efficiency", Staff, "服务效率", "Service efficiency"),
    cat("expertise", Staff, "专业水平", "Professional expertise"),
    cat(
        "parking",
        Venue,
        "停车不方便或收费贵",
        "Parking inconvenient or expensive",
    ),
    cat("dirty", Venue, "环境脏乱", "Dirty or untidy environment"),
    cat("old_equipment", Venue, "设备老旧", "Old equipment"),
    cat(
        "low_digitalisation",
        Venue,
        "智能化水平较低",
        "Low level of digitalisation",
    ),
    cat(
        "unclear_signage",
        Venue,
        "标识指引不清晰",
        "Unclear signage",
    ),
    cat(
        "insufficient_facilities",
        Venue,
        "便民服务设备设施不充足",
        "Insufficient facilities (seats, rest areas)",
    ),
    cat(
        "special_groups",
        Venue,
        "特殊人群服务能力不足",
        "Poor service for the elderly and disabled",
    ),
    cat("privacy", Venue, "窗口缺乏私密性", "Windows lack privacy"),
    cat(
        "guide_inaccurate",
        Information,
        "办事指南不到位 / 不准确",
        "Service guide missing or inaccurate",
    ),
    cat(
        "info_hard_to_find",
        Information,
        "信息难以查找",
        "Information hard to find",
    ),
    cat(
        "opening_hours",
        Information,
        "服务时间不方便",
        "Inconvenient opening hours",
    ),
];

text_enum! {
    /// How satisfied someone is, best first (the 好差评 five levels).
    pub enum Satisfaction {
        VerySatisfied = "very_satisfied" / "非常满意" / "Very satisfied",
        Satisfied = "satisfied" / "满意" / "Satisfied",
        BasicallySatisfied = "basically_satisfied" / "基本满意" / "Fairly satisfied",
        Dissatisfied = "dissatisfied" / "不满意" / "Dissatisfied",
        VeryDissatisfied = "very_dissatisfied" / "非常不满意" / "Very dissatisfied",
    }
}

impl Satisfaction {
    /// 5 (very satisfied) down to 1, for averages in reports.
    pub fn score(self) -> u8 {
        match self {
            Satisfaction::VerySatisfied => 5,
            Satisfaction::Satisfied => 4,
            Satisfaction::BasicallySatisfied => 3,
            Satisfaction::Dissatisfied => 2,
            Satisfaction::VeryDissatisfied => 1,
        }
    }
}

text_enum! {
    /// How smoothly something went, best first; `NotApplicable` is 没办过不知道.
    pub enum Smoothness {
        VerySmooth = "very_smooth" / "非常顺利" / "Very smooth",
        Smooth = "smooth" / "顺利" / "Smooth",
        Average = "average" / "一般" / "Average",
        NotSmooth = "not_smooth" / "不太顺利" / "Not smooth",
        VeryRough = "very_rough" / "很坎坷" / "Very rough",
        NotApplicable = "not_applicable" / "没办过不知道" / "Don't know",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn default_taxonomy_has_unique_snake_case_ids_in_every_group() {
        let ids: HashSet<_> = DEFAULT_CATEGORIES.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), DEFAULT_CATEGORIES.len());
        assert_eq!(DEFAULT_CATEGORIES.len(), 24);
        for c in DEFAULT_CATEGORIES {
            assert!(
                c.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                c.id
            );
        }
        for g in CategoryGroup::ALL {
            assert!(DEFAULT_CATEGORIES.iter().any(|c| c.group == g));
        }
    }

    #[test]
    fn scales_are_ordered_best_first() {
        let scores: Vec<u8> = Satisfaction::ALL.iter().map(|s| s.score()).collect();
        assert_eq!(scores, vec![5, 4, 3, 2, 1]);
        assert_eq!(Smoothness::ALL.len(), 6);
    }
}
