//! The default problem taxonomy and the rating scales, from `domain.md`.
//!
//! The server seeds its editable category table from [`DEFAULT_CATEGORIES`]; the scales are
//! fixed by national practice (好差评) and therefore plain enums.

use serde::{Deserialize, Serialize};

/// The four groups a problem category belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CategoryGroup {
    /// 办事流程
    Process,
    /// 窗口服务人员
    Staff,
    /// 服务场所
    Venue,
    /// 办事信息
    Information,
}

impl CategoryGroup {
    pub const ALL: [CategoryGroup; 4] = [
        CategoryGroup::Process,
        CategoryGroup::Staff,
        CategoryGroup::Venue,
        CategoryGroup::Information,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CategoryGroup::Process => "process",
            CategoryGroup::Staff => "staff",
            CategoryGroup::Venue => "venue",
            CategoryGroup::Information => "information",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CategoryGroup::Process => "办事流程",
            CategoryGroup::Staff => "窗口服务人员",
            CategoryGroup::Venue => "服务场所",
            CategoryGroup::Information => "办事信息",
        }
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

/// The taxonomy of `domain.md`, in its order; admins can edit the seeded copy.
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

/// Satisfaction on the national five-level 好差评 scale; also used to rate a single step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "非常满意",
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
            Satisfaction::VeryDissatisfied => "非常不满意",
        }
    }

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

/// How smoothly something went; `NotApplicable` is 没办过不知道.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Smoothness {
    VerySmooth,
    Smooth,
    Average,
    NotSmooth,
    VeryRough,
    NotApplicable,
}

impl Smoothness {
    pub const ALL: [Smoothness; 6] = [
        Smoothness::VerySmooth,
        Smoothness::Smooth,
        Smoothness::Average,
        Smoothness::NotSmooth,
        Smoothness::VeryRough,
        Smoothness::NotApplicable,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Smoothness::VerySmooth => "非常顺利",
            Smoothness::Smooth => "顺利",
            Smoothness::Average => "一般",
            Smoothness::NotSmooth => "不太顺利",
            Smoothness::VeryRough => "很坎坷",
            Smoothness::NotApplicable => "没办过不知道",
        }
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
