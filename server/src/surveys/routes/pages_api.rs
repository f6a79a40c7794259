//! The citizen's pages, rendered on the server from askama templates (which escape every
//! value): the form (with the answers kept and problems marked when a submission is
//! refused), the short message pages, the published results notice and the A4 poster.

use askama::Template;
use flowwalk_shared::api::surveys::{CampaignResults, Question, QuestionKind};
use flowwalk_shared::survey as limits;

use crate::surveys::rules::questionnaire::Problem;

use crate::surveys::rules::questionnaire::RawAnswers;

use crate::surveys::rules::questionnaire::condition_zh;

pub struct FormChoice {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

pub struct FormQuestion {
    pub id: String,
    pub number: usize,
    pub title: String,
    pub note: &'static str,
    pub input_type: &'static str,
    pub is_text: bool,
    pub choices: Vec<FormChoice>,
    pub text: String,
    pub condition: Option<String>,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "survey/form.html")]
pub struct FormPage {
    pub title: String,
    pub venue_name: String,
    pub intro: String,
    pub action: String,
    pub token: String,
    pub questions: Vec<FormQuestion>,
    pub ask_phone: bool,
    pub phone: String,
    pub consent: bool,
    pub phone_problem: Option<String>,
    pub top_problem: Option<String>,
    /// CSS rules (built here from validated ids only) that hide a dependent question
    /// until its condition is ticked, where the browser supports `:has()`; elsewhere the
    /// question stays visible with its condition written above it.
    pub conditional_css: String,
    pub max_text: usize,
    pub max_phone: usize,
}

/// What the citizen had entered, to show again.
#[derive(Default)]
pub struct Entered {
    pub raw: RawAnswers,
    pub phone: String,
    pub consent: bool,
}

pub struct FormSpec<'a> {
    pub title: &'a str,
    pub venue_name: &'a str,
    pub intro: &'a str,
    pub action: String,
    pub token: String,
    pub questions: &'a [Question],
    pub ask_phone: bool,
}

impl FormPage {
    pub fn build(
        spec: FormSpec<'_>,
        entered: &Entered,
        problems: &[Problem],
        phone_problem: Option<String>,
        top_problem: Option<String>,
    ) -> FormPage {
        let mut css = String::new();
        let questions = spec
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let values = entered.raw.get(&q.id);
                let has = |id: &str| values.is_some_and(|v| v.iter().any(|x| x == id));
                if let Some(cond) = &q.show_if {
                    // Ids are a-z, 0-9, '-' and '_' (checked when the questionnaire was
                    // saved), so they are safe inside quotes in CSS.
                    let on: Vec<String> = cond
                        .any_of
                        .iter()
                        .map(|c| {
                            format!(
                                "input[name=\"{}\"][value=\"{c}\"]:checked",
                                cond.question_id
                            )
                        })
                        .collect();
                    css.push_str(&format!(
                        "form:not(:has({})) #b_{}{{display:none}}\n",
                        on.join(","),
                        q.id
                    ));
                }
                FormQuestion {
                    id: q.id.clone(),
                    number: i + 1,
                    title: q.title.clone(),
                    note: match (q.kind, q.optional) {
                        (QuestionKind::Multiple, false) => "(多选)",
                        (QuestionKind::Multiple, true) => "(多选,选填)",
                        (_, true) => "(选填)",
                        _ => "",
                    },
                    input_type: if q.kind == QuestionKind::Multiple {
                        "checkbox"
                    } else {
                        "radio"
                    },
                    is_text: q.kind == QuestionKind::Text,
                    choices: q
                        .choices
                        .iter()
                        .map(|c| FormChoice {
                            id: c.id.clone(),
                            label: c.label.clone(),
                            checked: has(&c.id),
                        })
                        .collect(),
                    // Kept as typed, up to the longest allowed (the rest could not be sent).
                    text: values
                        .and_then(|v| v.first())
                        .map(|t| t.chars().take(limits::MAX_TEXT_ANSWER_CHARS).collect())
                        .unwrap_or_default(),
                    condition: condition_zh(spec.questions, q).map(|c| format!("({c}时回答)")),
                    problem: problems
                        .iter()
                        .find(|p| p.question_id == q.id)
                        .map(|p| p.zh.clone()),
                }
            })
            .collect();
        FormPage {
            title: spec.title.to_owned(),
            venue_name: spec.venue_name.to_owned(),
            intro: spec.intro.to_owned(),
            action: spec.action,
            token: spec.token,
            questions,
            ask_phone: spec.ask_phone,
            phone: entered
                .phone
                .chars()
                .take(limits::MAX_PHONE_CHARS)
                .collect(),
            consent: entered.consent,
            phone_problem,
            top_problem,
            conditional_css: css,
            max_text: limits::MAX_TEXT_ANSWER_CHARS,
            max_phone: limits::MAX_PHONE_CHARS,
        }
    }
}

#[derive(Template)]
#[template(path = "survey/message.html")]
pub struct MessagePage {
    pub heading: String,
    pub context: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

impl MessagePage {
    pub fn new(heading: &str, context: &str, paragraphs: &[&str]) -> MessagePage {
        MessagePage {
            heading: heading.into(),
            context: context.into(),
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            link: None,
        }
    }

    pub fn link(mut self, href: String, text: &str) -> MessagePage {
        self.link = Some((href, text.into()));
        self
    }
}

pub struct NoticeQuestion {
    pub number: u32,
    pub title: String,
    pub multiple: bool,
    pub is_text: bool,
    /// (label, share) per option.
    pub options: Vec<(String, String)>,
    pub scale: Option<String>,
    pub keywords: String,
    pub base: u32,
    pub condition: Option<String>,
}

#[derive(Template)]
#[template(path = "survey/results.html")]
pub struct ResultsPage {
    pub heading: String,
    pub organizer: String,
    pub published_on: String,
    pub opening: String,
    pub questions: Vec<NoticeQuestion>,
    pub conclusion: Vec<String>,
}

/// A China date as the notices write it: 2024年5月6日.
pub fn date_zh(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

pub struct NoticeSpec<'a> {
    pub title: &'a str,
    pub organizer: &'a str,
    pub purpose: &'a str,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub published_on: chrono::NaiveDate,
    pub conclusion: &'a str,
}

impl ResultsPage {
    /// The 结果反馈 notice: an opening sentence, each question's shares, the keywords of the
    /// free text, and the manager's conclusion.
    pub fn build(spec: NoticeSpec<'_>, results: &CampaignResults) -> ResultsPage {
        let who = if spec.organizer.is_empty() {
            String::new()
        } else {
            spec.organizer.to_owned()
        };
        let purpose = spec.purpose.trim().trim_end_matches(['。', ',', ',']);
        let opening = format!(
            "{}{}于{}至{}开展了问卷调查活动,共收回有效问卷{}份,现将调查情况反馈如下:",
            if purpose.is_empty() {
                String::new()
            } else {
                format!("{purpose},")
            },
            who,
            date_zh(spec.starts_on),
            date_zh(spec.ends_on),
            results.respondents
        );
        let questions = results
            .questions
            .iter()
            .map(|q| NoticeQuestion {
                number: q.number,
                title: q.title.clone(),
                multiple: q.kind == QuestionKind::Multiple,
                is_text: q.kind == QuestionKind::Text,
                options: q
                    .options
                    .iter()
                    .map(|o| (o.label.clone(), o.share.clone()))
                    .collect(),
                scale: q.scale.as_ref().map(|s| {
                    let mut line = format!(
                        "按满意度归类(不含“没办过不知道”,{}人):满意占比{}%,基本满意占比{}%,不满意占比{}%",
                        s.base, s.satisfied.share, s.basically.share, s.dissatisfied.share
                    );
                    if let Some(m) = &s.mean {
                        line.push_str(&format!(",平均{m}分(满分5分)"));
                    }
                    line
                }),
                keywords: q
                    .keywords
                    .iter()
                    .take(5)
                    .map(|k| k.word.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                base: q.base,
                condition: q.condition.clone(),
            })
            .collect();
        ResultsPage {
            heading: format!("{}结果反馈", spec.title),
            organizer: spec.organizer.to_owned(),
            published_on: date_zh(spec.published_on),
            opening,
            questions,
            conclusion: spec
                .conclusion
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "survey/poster.html")]
pub struct PosterPage {
    pub title: String,
    pub organizer: String,
    pub venue_name: String,
    pub period: String,
    pub url: String,
    /// Made by the qrcode crate from `url`; contains no text from anyone.
    pub qr_svg: String,
}
