//! The most mentioned keywords of free-text answers: Chinese word segmentation (jieba) with
//! a few service-hall phrases added to its dictionary, a stop-word list, and a count of how
//! many answers mention each word (an answer that repeats a word counts once).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use flowwalk_shared::api::surveys::KeywordResult;
use jieba_rs::Jieba;

/// Phrases citizens use about service halls that the general dictionary splits apart.
const PHRASES: &[&str] = &[
    "服务态度",
    "效率高",
    "办事效率",
    "一站式",
    "一次办好",
    "热情周到",
    "耐心细致",
    "帮办代办",
    "不见面",
    "办事指南",
    "自助设备",
    "叫号",
];

/// Words that say nothing on their own: function words, intensifiers, and the generic
/// subjects of nearly every answer about a service hall.
const STOP_WORDS: &[&str] = &[
    "一个",
    "一些",
    "一下",
    "一直",
    "一次",
    "不错",
    "不是",
    "东西",
    "两个",
    "为了",
    "之后",
    "也是",
    "了解",
    "什么",
    "他们",
    "以及",
    "但是",
    "作为",
    "你们",
    "办事",
    "办理",
    "即可",
    "同时",
    "因为",
    "地方",
    "大厅",
    "大家",
    "她们",
    "如果",
    "对于",
    "已经",
    "希望",
    "并且",
    "开始",
    "很多",
    "总体",
    "总的来说",
    "感觉",
    "我们",
    "所以",
    "挺好",
    "政务",
    "政务服务",
    "整体",
    "方面",
    "时候",
    "是否",
    "暂无",
    "有点",
    "服务",
    "服务过程",
    "来说",
    "比较",
    "没有",
    "特别",
    "现在",
    "真的",
    "相关",
    "看到",
    "称赞",
    "窗口人员",
    "继续",
    "而且",
    "表扬",
    "觉得",
    "认为",
    "让人",
    "这个",
    "这样",
    "进行",
    "还是",
    "还有",
    "这里",
    "那个",
    "都是",
    "都很",
    "非常",
    "其他",
    "其它",
    "无意见",
    "点赞",
    "值得",
    "可以",
    "能够",
    "就是",
    "工作人员",
    "十分",
    "保持",
    "过程",
    "以上",
    "方便",
    "很好",
    "良好",
    "窗口",
    "人员",
    "问题",
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for p in PHRASES {
            j.add_word(p, Some(100_000), None);
        }
        j
    })
}

fn is_keyword(word: &str) -> bool {
    let n = word.chars().count();
    let cjk = word.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    let latin = word.chars().all(|c| c.is_ascii_alphanumeric()) && n >= 3;
    (2..=12).contains(&n)
        && (cjk || latin)
        && !word.chars().all(|c| c.is_ascii_digit())
        && !STOP_WORDS.contains(&word)
}

/// The distinct keywords of one answer.
pub fn words_of(text: &str) -> BTreeSet<String> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word.trim().to_lowercase())
        .filter(|w| is_keyword(w))
        .collect()
}

/// Whether an answer mentions `keyword` (as a word of its own, the way it was counted).
pub fn mentions(text: &str, keyword: &str) -> bool {
    words_of(text).contains(keyword)
}

/// The `top` most mentioned keywords: by the number of answers mentioning them, then by
/// the word (so equal counts list in a stable order).
pub fn top_keywords<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    top: usize,
) -> Vec<KeywordResult> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    for text in texts {
        for w in words_of(text) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut list: Vec<KeywordResult> = counts
        .into_iter()
        .map(|(word, answers)| KeywordResult { word, answers })
        .collect();
    list.sort_by(|a, b| b.answers.cmp(&a.answers).then_with(|| a.word.cmp(&b.word)));
    list.truncate(top);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Praise as citizens write it: the district notice found 服务态度、效率高、耐心.
    const FIXTURE: &[&str] = &[
        "服务态度很好,工作人员很耐心",
        "效率高,服务态度好",
        "窗口人员耐心解答,效率高",
        "服务态度非常好!",
        "办理速度快,一次办好",
        "工作人员很耐心,耐心,耐心",
        "环境整洁",
        "",
        "<script>alert(1)</script>服务态度好",
    ];

    #[test]
    fn the_fixture_yields_the_notice_s_keywords() {
        let top = top_keywords(FIXTURE.iter().copied(), 5);
        let got: Vec<(&str, u32)> = top.iter().map(|k| (k.word.as_str(), k.answers)).collect();
        // Counted by hand: 服务态度 in answers 1, 2, 4 and 9; 耐心 in 1, 3 and 6 (6 once);
        // 效率高 in 2 and 3; then one answer each, by word order.
        assert_eq!(
            got,
            [
                ("服务态度", 4),
                ("耐心", 3),
                ("效率高", 2),
                ("alert", 1),
                ("script", 1)
            ]
        );
    }

    #[test]
    fn stop_words_punctuation_and_single_characters_are_not_keywords() {
        let words = words_of("工作人员非常好,很方便!!的 12345");
        assert!(words.is_empty(), "{words:?}");
        assert!(mentions("窗口人员耐心解答", "耐心"));
        assert!(!mentions("窗口人员耐心解答", "态度"));
    }
}
