//! The rules of a questionnaire: what a valid one looks like, which questions a respondent
//! is asked (a question may depend on an earlier answer), and what a valid set of answers
//! is — the same check for the citizen's form, an imported paper questionnaire and the demo.

use std::collections::{BTreeMap, HashSet};

use flowwalk_shared::api::surveys::{Choice, Question, QuestionKind, ScalePreset};
use flowwalk_shared::survey::{self as limits, Answer, Answers};
use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};

use flowwalk_shared::rules::Invalid;
use flowwalk_shared::validate;

/// Raw values per question id, as a form or an import row gives them.
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// Why one question's answer cannot be taken, for the citizen (zh) and the logs (en).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub question_id: String,
    pub zh: String,
    pub en: String,
}

/// What to do with an answer to a question that was not asked (its condition did not hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unasked {
    /// Drop it: on the form with JavaScript off, such a question may still be on screen.
    Ignore,
    /// Refuse it: a paper row that answers it contradicts itself.
    Refuse,
}

/// The choices of a preset scale, best first: ids are stable words, labels the national
/// wording.
pub fn preset_choices(preset: ScalePreset, not_applicable: bool) -> Vec<Choice> {
    let levels: Vec<(&str, &str)> = match preset {
        ScalePreset::Satisfaction => {
            let ids = [
                "very_satisfied",
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
                "very_dissatisfied",
            ];
            ids.into_iter()
                .zip(Satisfaction::ALL.map(Satisfaction::label_zh))
                .collect()
        }
        ScalePreset::Smoothness => {
            let ids = [
                "very_smooth",
                "smooth",
                "average",
                "not_smooth",
                "very_rough",
            ];
            ids.into_iter()
                .zip(Smoothness::ALL.map(Smoothness::label_zh))
                .collect()
        }
    };
    let mut choices: Vec<Choice> = levels
        .into_iter()
        .map(|(id, label)| choice(id, label))
        .collect();
    if not_applicable {
        choices.push(Choice {
            not_applicable: true,
            ..choice("na", Smoothness::NotApplicable.label_zh())
        });
    }
    choices
}

fn choice(id: &str, label: &str) -> Choice {
    Choice::new(id, label)
}

fn bad(field: String, zh: String, en: String) -> Invalid {
    Invalid::new(flowwalk_shared::ErrorCode::InvalidValue, field, zh, en)
}

/// Checks a questionnaire's questions and returns them as stored (trimmed, scale presets
/// expanded). `category_ids` are the known problem categories.
pub fn check_definition(
    questions: &[Question],
    category_ids: &[String],
) -> Result<Vec<Question>, Invalid> {
    if questions.is_empty() || questions.len() > limits::MAX_QUESTIONS {
        return Err(bad(
            "questions".into(),
            format!("问题数量需为 1–{} 个", limits::MAX_QUESTIONS),
            format!("1–{} questions are needed", limits::MAX_QUESTIONS),
        ));
    }
    let mut out: Vec<Question> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let f = |name: &str| format!("questions[{i}].{name}");
        let id = validate::code(&f("id"), &q.id)?;
        if out.iter().any(|o| o.id == id) {
            return Err(bad(
                f("id"),
                format!("问题编号 {id} 重复"),
                format!("question id {id} appears twice"),
            ));
        }
        let title = validate::text(&f("title"), &q.title, limits::MAX_QUESTION_CHARS)?;
        let mut choices = q.choices.clone();
        match (q.kind, q.scale) {
            (QuestionKind::Scale, Some(preset)) if choices.is_empty() => {
                choices = preset_choices(preset, q.not_applicable);
            }
            (QuestionKind::Scale, _) => {}
            (_, Some(_)) => {
                return Err(bad(
                    f("scale"),
                    "只有量表题可以指定量表".into(),
                    "Only a scale question takes a scale preset".into(),
                ));
            }
            _ => {}
        }
        check_choices(i, q, &mut choices, category_ids)?;
        check_choice_count(i, q.kind, &choices)?;
        check_condition(i, q, &out)?;
        out.push(Question {
            id,
            kind: q.kind,
            title,
            optional: q.optional,
            choices,
            scale: q.scale,
            not_applicable: q.not_applicable,
            show_if: q.show_if.clone(),
        });
    }
    Ok(out)
}

/// Checks (and trims) question `i`'s choices.
fn check_choices(
    i: usize,
    q: &Question,
    choices: &mut [Choice],
    category_ids: &[String],
) -> Result<(), Invalid> {
    let mut seen = HashSet::new();
    for (j, c) in choices.iter_mut().enumerate() {
        let cf = |name: &str| format!("questions[{i}].choices[{j}].{name}");
        c.id = validate::code(&cf("id"), &c.id)?;
        if !seen.insert(c.id.clone()) {
            return Err(bad(
                cf("id"),
                format!("选项编号 {} 重复", c.id),
                format!("choice id {} appears twice", c.id),
            ));
        }
        c.label = validate::text(&cf("label"), &c.label, limits::MAX_CHOICE_CHARS)?;
        if c.exclusive && q.kind != QuestionKind::Multiple {
            return Err(bad(
                cf("exclusive"),
                "只有多选题可以有互斥选项".into(),
                "Only a multiple-choice question has exclusive choices".into(),
            ));
        }
        if c.not_applicable && q.kind != QuestionKind::Scale {
            return Err(bad(
                cf("not_applicable"),
                "只有量表题可以有“不适用”选项".into(),
                "Only a scale question has a not-applicable choice".into(),
            ));
        }
        if let Some(cat) = &c.category_id
            && !category_ids.iter().any(|k| k == cat)
        {
            return Err(Invalid::code(
                flowwalk_shared::ErrorCode::UnknownReference,
                cf("category_id"),
            ));
        }
    }
    Ok(())
}

/// The number of choices question `i` of `kind` needs.
fn check_choice_count(i: usize, kind: QuestionKind, choices: &[Choice]) -> Result<(), Invalid> {
    let f = |name: &str| format!("questions[{i}].{name}");
    match kind {
        QuestionKind::Text if !choices.is_empty() => {
            return Err(bad(
                f("choices"),
                "填空题没有选项".into(),
                "A text question has no choices".into(),
            ));
        }
        QuestionKind::Single | QuestionKind::Multiple
            if choices.len() < 2 || choices.len() > limits::MAX_CHOICES =>
        {
            return Err(bad(
                f("choices"),
                format!("选择题需要 2–{} 个选项", limits::MAX_CHOICES),
                format!("A choice question needs 2–{} choices", limits::MAX_CHOICES),
            ));
        }
        QuestionKind::Scale => {
            let levels = choices.iter().filter(|c| !c.not_applicable).count();
            let na = choices.len() - levels;
            if levels != 5 || na > 1 || choices.last().is_some_and(|c| !c.not_applicable) && na == 1
            {
                return Err(bad(
                    f("choices"),
                    "量表题需要 5 个等级(从好到差),最后可加一个“不适用”".into(),
                    "A scale needs 5 levels, best first, and at most one not-applicable choice last"
                        .into(),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Question `i`'s condition, if any, names an earlier choice question and its choices.
fn check_condition(i: usize, q: &Question, earlier: &[Question]) -> Result<(), Invalid> {
    let f = |name: &str| format!("questions[{i}].{name}");
    if let Some(cond) = &q.show_if {
        let Some(earlier) = earlier.iter().find(|o| o.id == cond.question_id) else {
            return Err(bad(
                f("show_if.question_id"),
                "条件只能引用前面的题目".into(),
                "A condition must name an earlier question".into(),
            ));
        };
        if earlier.kind == QuestionKind::Text
            || cond.any_of.is_empty()
            || cond
                .any_of
                .iter()
                .any(|a| !earlier.choices.iter().any(|c| &c.id == a))
        {
            return Err(bad(
                f("show_if.any_of"),
                "条件需列出前面那道选择题的选项".into(),
                "A condition lists choices of the earlier choice question".into(),
            ));
        }
    }
    Ok(())
}

/// Whether the question at `index` is asked of a respondent with these answers: it has no
/// condition, or the answer to the question it depends on includes one of its choices.
/// Answers hold only asked questions, so a chain of conditions follows by itself.
pub fn is_asked(question: &Question, answers: &Answers) -> bool {
    match &question.show_if {
        None => true,
        Some(cond) => answers
            .get(&cond.question_id)
            .is_some_and(|a| a.choices().iter().any(|c| cond.any_of.contains(c))),
    }
}

/// The condition in words, e.g. `第6题选择“是”`.
pub fn condition_zh(questions: &[Question], question: &Question) -> Option<String> {
    let cond = question.show_if.as_ref()?;
    let (pos, earlier) = questions
        .iter()
        .enumerate()
        .find(|(_, q)| q.id == cond.question_id)?;
    let labels: Vec<String> = cond
        .any_of
        .iter()
        .filter_map(|a| earlier.choices.iter().find(|c| &c.id == a))
        .map(|c| format!("“{}”", c.label))
        .collect();
    Some(format!("第{}题选择{}", pos + 1, labels.join("或")))
}

/// Removes what must not be stored from a citizen's text: control characters (except line
/// breaks and tabs) and the invisible direction overrides that can disguise text; `\r\n`
/// becomes `\n`; surrounding space is trimmed.
pub fn sanitize_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars()
        .filter(|&c| {
            let control = flowwalk_shared::text::is_forbidden(c);
            let invisible =
                matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
            !control && !invisible
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn problem(q: &Question, zh: String, en: String) -> Problem {
    Problem {
        question_id: q.id.clone(),
        zh,
        en,
    }
}

/// A text question's answer: one text, not too long.
fn text_answer(q: &Question, values: &[String]) -> Result<Answer, Problem> {
    if values.len() > 1 {
        return Err(problem(
            q,
            "此题只能填写一段文字".into(),
            format!("{} takes one text", q.id),
        ));
    }
    let text = &values[0];
    let n = text.chars().count();
    if n > limits::MAX_TEXT_ANSWER_CHARS {
        return Err(problem(
            q,
            format!(
                "请不要超过 {} 字(现为 {n} 字)",
                limits::MAX_TEXT_ANSWER_CHARS
            ),
            format!(
                "{} is longer than {} characters ({n})",
                q.id,
                limits::MAX_TEXT_ANSWER_CHARS
            ),
        ));
    }
    Ok(Answer::Text(text.clone()))
}

/// A choice or scale question's answer: known choices, one unless multiple, an exclusive
/// one alone; stored in the questionnaire's order.
fn choice_answer(q: &Question, values: &[String]) -> Result<Answer, Problem> {
    let mut chosen: Vec<&Choice> = Vec::new();
    let mut unknown = None;
    for v in values {
        match q.choices.iter().find(|c| &c.id == v) {
            Some(c) if !chosen.iter().any(|d| d.id == c.id) => chosen.push(c),
            Some(_) => {}
            None => unknown = Some(v.clone()),
        }
    }
    if let Some(v) = unknown {
        let shown: String = v.chars().take(20).collect();
        return Err(problem(
            q,
            "所选选项不存在,请重新选择".into(),
            format!("{} has no choice {shown:?}", q.id),
        ));
    }
    if q.kind != QuestionKind::Multiple && chosen.len() > 1 {
        return Err(problem(
            q,
            "此题只能选一项".into(),
            format!("{} takes one choice", q.id),
        ));
    }
    if chosen.len() > 1
        && let Some(ex) = chosen.iter().find(|c| c.exclusive)
    {
        return Err(problem(
            q,
            format!("“{}”不能与其他选项同时选择", ex.label),
            format!("{}: {:?} excludes every other choice", q.id, ex.id),
        ));
    }
    // Stored in the questionnaire's order, whatever order they came in.
    let ids = q
        .choices
        .iter()
        .filter(|c| chosen.iter().any(|d| d.id == c.id))
        .map(|c| c.id.clone())
        .collect();
    Ok(Answer::Choices(ids))
}

/// Checks raw answers against the questions and returns the answers to store, or every
/// problem found (one per question at most, in question order).
pub fn check_answers(
    questions: &[Question],
    raw: &RawAnswers,
    unasked: Unasked,
) -> Result<Answers, Vec<Problem>> {
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    for q in questions {
        let values: Vec<String> = raw
            .get(&q.id)
            .map(|v| {
                v.iter()
                    .map(|s| {
                        if q.kind == QuestionKind::Text {
                            sanitize_text(s)
                        } else {
                            s.trim().to_owned()
                        }
                    })
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !is_asked(q, &answers) {
            if unasked == Unasked::Refuse && !values.is_empty() {
                let cond = condition_zh(questions, q).unwrap_or_default();
                problems.push(problem(
                    q,
                    format!("此题仅在{cond}时回答"),
                    format!(
                        "{} is answered but was not asked (its condition does not hold)",
                        q.id
                    ),
                ));
            }
            continue;
        }
        if values.is_empty() {
            if !q.optional {
                problems.push(problem(
                    q,
                    "请回答此题".into(),
                    format!("{} is required", q.id),
                ));
            }
            continue;
        }
        let answer = if q.kind == QuestionKind::Text {
            text_answer(q, &values)
        } else {
            choice_answer(q, &values)
        };
        match answer {
            Ok(a) => {
                answers.insert(q.id.clone(), a);
            }
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::api::surveys::ShowIf;

    fn q(id: &str, kind: QuestionKind, choices: &[(&str, &str)]) -> Question {
        Question {
            id: id.into(),
            kind,
            title: format!("问题 {id}"),
            optional: false,
            choices: choices.iter().map(|(i, l)| choice(i, l)).collect(),
            scale: None,
            not_applicable: false,
            show_if: None,
        }
    }

    /// 1: done it online? 2: how smooth online (only for yes), 3: problems with an
    /// exclusive "none", 4: praise (optional text).
    fn questions() -> Vec<Question> {
        let mut online = q(
            "online",
            QuestionKind::Single,
            &[("yes", "是"), ("no", "否")],
        );
        online.title = "是否网上办过".into();
        let mut smooth = q("smooth", QuestionKind::Scale, &[]);
        smooth.scale = Some(ScalePreset::Smoothness);
        smooth.not_applicable = true;
        smooth.show_if = Some(ShowIf {
            question_id: "online".into(),
            any_of: vec!["yes".into()],
        });
        let mut problems = q(
            "problems",
            QuestionKind::Multiple,
            &[
                ("queue", "排队太长"),
                ("materials", "材料过多"),
                ("none", "以上均无"),
            ],
        );
        problems.choices[2].exclusive = true;
        let mut praise = q("praise", QuestionKind::Text, &[]);
        praise.optional = true;
        check_definition(&[online, smooth, problems, praise], &[]).unwrap()
    }

    fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
        let mut r = RawAnswers::new();
        for (k, v) in pairs {
            r.entry((*k).into()).or_default().push((*v).into());
        }
        r
    }

    fn ids(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.question_id.as_str()).collect()
    }

    #[test]
    fn a_preset_scale_is_expanded_best_first() {
        let qs = questions();
        let labels: Vec<&str> = qs[1].choices.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "非常顺利",
                "顺利",
                "一般",
                "不太顺利",
                "很坎坷",
                "没办过不知道"
            ]
        );
        assert!(qs[1].choices[5].not_applicable);
    }

    #[test]
    fn definitions_with_mistakes_are_refused() {
        let mut qs = questions();
        qs[1].show_if.as_mut().unwrap().question_id = "problems".into(); // a later question
        assert_eq!(
            check_definition(&qs, &[]).unwrap_err().field,
            "questions[1].show_if.question_id"
        );
        let mut qs = questions();
        qs[0].choices[0].exclusive = true; // exclusive on a single choice
        assert!(check_definition(&qs, &[]).is_err());
        let mut qs = questions();
        qs[2].choices[1].id = "queue".into();
        assert!(check_definition(&qs, &[]).is_err());
        let mut qs = questions();
        qs[1].choices.remove(0); // four levels
        assert!(check_definition(&qs, &[]).is_err());
        let mut qs = questions();
        qs[2].choices[0].category_id = Some("long_queue".into());
        assert!(check_definition(&qs, &[]).is_err());
        assert!(check_definition(&qs, &["long_queue".into()]).is_ok());
    }

    #[test]
    fn a_dependent_question_is_asked_only_when_its_condition_holds() {
        let qs = questions();
        let yes = check_answers(
            &qs,
            &raw(&[
                ("online", "yes"),
                ("smooth", "smooth"),
                ("problems", "queue"),
            ]),
            Unasked::Ignore,
        )
        .unwrap();
        assert_eq!(yes["smooth"], Answer::Choices(vec!["smooth".into()]));
        // Asked but unanswered: required.
        let err = check_answers(
            &qs,
            &raw(&[("online", "yes"), ("problems", "none")]),
            Unasked::Ignore,
        )
        .unwrap_err();
        assert_eq!(ids(&err), ["smooth"]);
        // Not asked: not required, and an answer given anyway is dropped (form) or refused
        // (import).
        let no = raw(&[("online", "no"), ("smooth", "smooth"), ("problems", "none")]);
        let kept = check_answers(&qs, &no, Unasked::Ignore).unwrap();
        assert!(!kept.contains_key("smooth"));
        let err = check_answers(&qs, &no, Unasked::Refuse).unwrap_err();
        assert_eq!(ids(&err), ["smooth"]);
        assert!(err[0].zh.contains("第1题选择“是”"), "{err:?}");
    }

    #[test]
    fn an_exclusive_choice_stands_alone() {
        let qs = questions();
        let err = check_answers(
            &qs,
            &raw(&[
                ("online", "no"),
                ("problems", "queue"),
                ("problems", "none"),
            ]),
            Unasked::Ignore,
        )
        .unwrap_err();
        assert_eq!(ids(&err), ["problems"]);
        assert_eq!(err[0].zh, "“以上均无”不能与其他选项同时选择");
        // Several ordinary choices are fine, stored in the questionnaire's order, once each.
        let ok = check_answers(
            &qs,
            &raw(&[
                ("online", "no"),
                ("problems", "materials"),
                ("problems", "queue"),
                ("problems", "queue"),
            ]),
            Unasked::Ignore,
        )
        .unwrap();
        assert_eq!(
            ok["problems"],
            Answer::Choices(vec!["queue".into(), "materials".into()])
        );
    }

    #[test]
    fn unknown_choices_several_singles_and_long_texts_are_problems() {
        let qs = questions();
        let err = check_answers(
            &qs,
            &raw(&[
                ("online", "yes"),
                ("online", "no"),
                ("problems", "bribes"),
                ("praise", &"好".repeat(501)),
            ]),
            Unasked::Ignore,
        )
        .unwrap_err();
        assert_eq!(ids(&err), ["online", "problems", "praise"]);
        assert!(err[2].zh.contains("501"), "{err:?}");
    }

    #[test]
    fn text_loses_control_characters_and_direction_overrides() {
        assert_eq!(
            sanitize_text(" 很\u{0}耐心\u{7}\r\n态度\u{202E}好\u{1b}[31m "),
            "很耐心\n态度好[31m"
        );
        let qs = questions();
        let a = check_answers(
            &qs,
            &raw(&[
                ("online", "no"),
                ("problems", "none"),
                ("praise", "\u{0}\u{1}"),
            ]),
            Unasked::Ignore,
        )
        .unwrap();
        assert!(
            !a.contains_key("praise"),
            "nothing but control characters is no answer"
        );
    }
}
