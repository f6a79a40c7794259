//! Results of a questionnaire over a set of responses: each option's count and share
//! (two decimals) over the question's base — those who were asked it and answered —, the
//! five-level scales grouped as satisfied / basically satisfied / dissatisfied with their
//! mean, the free text's keywords, and the problem options chosen by many at one venue.

use flowwalk_shared::api::surveys::{
    CandidateSuggestion, OptionResult, Question, QuestionKind, QuestionResult, ScaleSummary,
};
use flowwalk_shared::survey::{self as limits, Answers, format_bp, share_bp};

use super::keywords;
use super::questionnaire::{condition_zh, is_asked};

fn option(choice_id: &str, label: &str, count: u32, base: u32) -> OptionResult {
    let bp = share_bp(count, base);
    OptionResult {
        choice_id: choice_id.into(),
        label: label.into(),
        count,
        share_bp: bp,
        share: format_bp(bp),
        exclusive: false,
        not_applicable: false,
    }
}

/// The results of every question over `responses`.
pub fn compute(questions: &[Question], responses: &[&Answers]) -> Vec<QuestionResult> {
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| question(questions, i, q, responses))
        .collect()
}

fn question(
    questions: &[Question],
    index: usize,
    q: &Question,
    responses: &[&Answers],
) -> QuestionResult {
    let asked = responses.iter().filter(|a| is_asked(q, a)).count();
    let answered: Vec<&Answers> = responses
        .iter()
        .copied()
        .filter(|a| is_asked(q, a) && a.contains_key(&q.id))
        .collect();
    let base = count(answered.len());
    let chose = |id: &str| {
        count(
            answered
                .iter()
                .filter(|a| a[&q.id].choices().iter().any(|c| c == id))
                .count(),
        )
    };
    let options: Vec<OptionResult> = q
        .choices
        .iter()
        .map(|c| OptionResult {
            exclusive: c.exclusive,
            not_applicable: c.not_applicable,
            ..option(&c.id, &c.label, chose(&c.id), base)
        })
        .collect();
    let scale = (q.kind == QuestionKind::Scale).then(|| scale(&options));
    let keywords = if q.kind == QuestionKind::Text {
        keywords::top_keywords(
            answered.iter().filter_map(|a| a[&q.id].text()),
            limits::TOP_KEYWORDS,
        )
    } else {
        Vec::new()
    };
    QuestionResult {
        question_id: q.id.clone(),
        number: count(index + 1),
        title: q.title.clone(),
        kind: q.kind,
        asked: count(asked),
        base,
        condition: condition_zh(questions, q),
        options,
        scale,
        keywords,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The five levels (best first, score 5 down to 1) grouped 2 / 1 / 2, and the mean score.
fn scale(options: &[OptionResult]) -> ScaleSummary {
    let levels: Vec<&OptionResult> = options.iter().filter(|o| !o.not_applicable).collect();
    let at = |i: usize| levels.get(i).map_or(0, |o| o.count);
    let base: u32 = levels.iter().map(|o| o.count).sum();
    let score_sum: u64 = levels
        .iter()
        .enumerate()
        .map(|(i, o)| u64::from(o.count) * (5 - i.min(4)) as u64)
        .sum();
    // Hundredths, rounded half up.
    let mean_x100 = (base > 0).then(|| {
        let b = u64::from(base);
        u32::try_from((score_sum * 100 * 2 + b) / (2 * b)).unwrap_or(u32::MAX)
    });
    ScaleSummary {
        base,
        satisfied: option("satisfied", "满意(含非常满意)", at(0) + at(1), base),
        basically: option("basically", "基本满意", at(2), base),
        dissatisfied: option("dissatisfied", "不满意(含非常不满意)", at(3) + at(4), base),
        mean_x100,
        mean: mean_x100.map(|m| format!("{}.{:02}", m / 100, m % 100)),
    }
}

/// Problem options (those with a category) chosen at one venue by at least
/// [`limits::SUGGEST_MIN_RESPONDENTS`] respondents and [`limits::SUGGEST_MIN_SHARE_BP`] of
/// those who answered there. `by_venue` holds each venue's responses.
pub fn suggestions(
    questions: &[Question],
    by_venue: &[(String, Vec<&Answers>)],
) -> Vec<CandidateSuggestion> {
    let mut out = Vec::new();
    for (venue_id, responses) in by_venue {
        for q in questions {
            if !matches!(q.kind, QuestionKind::Single | QuestionKind::Multiple) {
                continue;
            }
            let answered: Vec<&&Answers> = responses
                .iter()
                .filter(|a| is_asked(q, a) && a.contains_key(&q.id))
                .collect();
            let base = count(answered.len());
            for c in q.choices.iter().filter(|c| c.category_id.is_some()) {
                let n = count(
                    answered
                        .iter()
                        .filter(|a| a[&q.id].choices().contains(&c.id))
                        .count(),
                );
                let bp = share_bp(n, base);
                if n >= limits::SUGGEST_MIN_RESPONDENTS && bp >= limits::SUGGEST_MIN_SHARE_BP {
                    out.push(CandidateSuggestion {
                        venue_id: venue_id.clone(),
                        question_id: q.id.clone(),
                        choice_id: c.id.clone(),
                        label: c.label.clone(),
                        category_id: c.category_id.clone(),
                        count: n,
                        base,
                        share: format_bp(bp),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.venue_id.cmp(&b.venue_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::rules::questionnaire::{
        RawAnswers, Unasked, check_answers, check_definition,
    };
    use flowwalk_shared::api::surveys::{Choice, ScalePreset, ShowIf};

    fn choice(id: &str, label: &str) -> Choice {
        Choice::new(id, label)
    }

    fn questions() -> Vec<Question> {
        let base = Question {
            id: String::new(),
            kind: QuestionKind::Single,
            title: String::new(),
            optional: false,
            choices: vec![],
            scale: None,
            not_applicable: false,
            show_if: None,
        };
        let qs = vec![
            Question {
                id: "online".into(),
                title: "您是否通过“不见面”的方式办理过业务?".into(),
                choices: vec![choice("yes", "是"), choice("no", "否")],
                ..base.clone()
            },
            Question {
                id: "smooth".into(),
                kind: QuestionKind::Scale,
                title: "您觉得线上办理的过程是否顺利?".into(),
                scale: Some(ScalePreset::Smoothness),
                not_applicable: true,
                show_if: Some(ShowIf {
                    question_id: "online".into(),
                    any_of: vec!["yes".into()],
                }),
                ..base.clone()
            },
            Question {
                id: "problems".into(),
                kind: QuestionKind::Multiple,
                title: "窗口服务存在哪些问题?".into(),
                choices: vec![
                    Choice {
                        category_id: Some("long_queue".into()),
                        ..choice("queue", "排队时间太长")
                    },
                    Choice {
                        category_id: Some("too_many_materials".into()),
                        ..choice("materials", "材料过多")
                    },
                    Choice {
                        exclusive: true,
                        ..choice("none", "以上均无")
                    },
                ],
                ..base.clone()
            },
            Question {
                id: "praise".into(),
                kind: QuestionKind::Text,
                title: "值得称赞的地方".into(),
                optional: true,
                ..base
            },
        ];
        check_definition(&qs, &["long_queue".into(), "too_many_materials".into()]).unwrap()
    }

    fn respond(qs: &[Question], pairs: &[(&str, &str)]) -> Answers {
        let mut raw = RawAnswers::new();
        for (k, v) in pairs {
            raw.entry((*k).into()).or_default().push((*v).into());
        }
        check_answers(qs, &raw, Unasked::Ignore).unwrap()
    }

    /// Seven respondents, computed by hand below.
    fn fixture(qs: &[Question]) -> Vec<Answers> {
        vec![
            respond(
                qs,
                &[
                    ("online", "yes"),
                    ("smooth", "very_smooth"),
                    ("problems", "none"),
                    ("praise", "服务态度好"),
                ],
            ),
            respond(
                qs,
                &[
                    ("online", "yes"),
                    ("smooth", "very_smooth"),
                    ("problems", "queue"),
                ],
            ),
            respond(
                qs,
                &[
                    ("online", "yes"),
                    ("smooth", "average"),
                    ("problems", "queue"),
                    ("problems", "materials"),
                ],
            ),
            respond(
                qs,
                &[
                    ("online", "yes"),
                    ("smooth", "very_rough"),
                    ("problems", "none"),
                ],
            ),
            respond(
                qs,
                &[
                    ("online", "yes"),
                    ("smooth", "na"),
                    ("problems", "none"),
                    ("praise", "很耐心"),
                ],
            ),
            // "No": the smoothness answer given anyway is dropped, as the form does.
            respond(
                qs,
                &[("online", "no"), ("smooth", "smooth"), ("problems", "none")],
            ),
            respond(
                qs,
                &[
                    ("online", "no"),
                    ("problems", "materials"),
                    ("praise", "耐心"),
                ],
            ),
        ]
    }

    #[test]
    fn shares_on_a_hand_computed_fixture() {
        let qs = questions();
        let answers = fixture(&qs);
        let refs: Vec<&Answers> = answers.iter().collect();
        let r = compute(&qs, &refs);
        let shares = |i: usize| -> Vec<(&str, u32, &str)> {
            r[i].options
                .iter()
                .map(|o| (o.choice_id.as_str(), o.count, o.share.as_str()))
                .collect()
        };
        // online: 5 of 7 yes = 71.43 %, 2 of 7 no = 28.57 %.
        assert_eq!((r[0].asked, r[0].base), (7, 7));
        assert_eq!(shares(0), [("yes", 5, "71.43"), ("no", 2, "28.57")]);
        // smooth: asked of the five "yes" only; the sixth respondent's answer does not count.
        // 2/5 = 40.00, 1/5 = 20.00 each, n/a 1/5 = 20.00.
        assert_eq!((r[1].asked, r[1].base), (5, 5));
        assert_eq!(r[1].condition.as_deref(), Some("第1题选择“是”"));
        assert_eq!(
            shares(1),
            [
                ("very_smooth", 2, "40.00"),
                ("smooth", 0, "0.00"),
                ("average", 1, "20.00"),
                ("not_smooth", 0, "0.00"),
                ("very_rough", 1, "20.00"),
                ("na", 1, "20.00"),
            ]
        );
        // Grouped over the 4 who chose a level: satisfied 2/4, basically 1/4, dissatisfied
        // 1/4; mean (5+5+3+1)/4 = 3.50.
        let s = r[1].scale.as_ref().unwrap();
        assert_eq!(s.base, 4);
        assert_eq!(
            (s.satisfied.count, s.satisfied.share.as_str()),
            (2, "50.00")
        );
        assert_eq!(
            (s.basically.count, s.basically.share.as_str()),
            (1, "25.00")
        );
        assert_eq!(
            (s.dissatisfied.count, s.dissatisfied.share.as_str()),
            (1, "25.00")
        );
        assert_eq!(s.mean.as_deref(), Some("3.50"));
        // problems (multiple; "none" exclusive): queue 2/7 = 28.57, materials 2/7, none
        // 4/7 = 57.14 — shares of respondents, so they add up to more than 100.
        assert_eq!(
            shares(2),
            [
                ("queue", 2, "28.57"),
                ("materials", 2, "28.57"),
                ("none", 4, "57.14")
            ]
        );
        assert!(r[2].options[2].exclusive);
        // praise (optional text): answered by 3 of 7; 耐心 twice, 服务态度 once.
        assert_eq!((r[3].asked, r[3].base), (7, 3));
        let kw: Vec<(&str, u32)> = r[3]
            .keywords
            .iter()
            .map(|k| (k.word.as_str(), k.answers))
            .collect();
        assert_eq!(kw, [("耐心", 2), ("服务态度", 1)]);
    }

    #[test]
    fn an_empty_base_gives_zero_shares_and_no_mean() {
        let qs = questions();
        let r = compute(&qs, &[]);
        assert_eq!(r[1].base, 0);
        assert!(r[1].options.iter().all(|o| o.share == "0.00"));
        assert_eq!(r[1].scale.as_ref().unwrap().mean, None);
    }

    #[test]
    fn problem_options_chosen_by_many_at_one_venue_are_suggested() {
        let qs = questions();
        let answers = fixture(&qs);
        let a: Vec<&Answers> = answers.iter().collect();
        // Venue A: the first four (queue 2 of 4: too few); venue B: all seven, repeated
        // (queue 4 of 14 = 28.57 %, materials 4 of 14).
        let mut b = a.clone();
        b.extend(a.iter().copied());
        let s = suggestions(&qs, &[("A".into(), a[..4].to_vec()), ("B".into(), b)]);
        let got: Vec<(&str, &str, u32, u32, &str)> = s
            .iter()
            .map(|s| {
                (
                    s.venue_id.as_str(),
                    s.choice_id.as_str(),
                    s.count,
                    s.base,
                    s.share.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("B", "queue", 4, 14, "28.57"),
                ("B", "materials", 4, 14, "28.57")
            ]
        );
    }
}
