//! Citizen questionnaires: the limits the server enforces on questionnaires, campaigns and
//! the answers citizens send, kept here so that every client applies the same ones, and the
//! shape of one respondent's answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Questions in one questionnaire.
pub const MAX_QUESTIONS: usize = 60;
/// Choices of one question.
pub const MAX_CHOICES: usize = 30;
/// A questionnaire's or campaign's title.
pub const MAX_TITLE_CHARS: usize = 100;
/// A question's wording.
pub const MAX_QUESTION_CHARS: usize = 300;
/// A choice's label.
pub const MAX_CHOICE_CHARS: usize = 100;
/// The introduction shown above the questions, and a campaign's purpose paragraph.
pub const MAX_INTRO_CHARS: usize = 1000;
/// One free-text answer.
pub const MAX_TEXT_ANSWER_CHARS: usize = 500;
/// A phone number left (with consent) for a call back.
pub const MAX_PHONE_CHARS: usize = 20;
/// The conclusion a manager writes for the published results.
pub const MAX_CONCLUSION_CHARS: usize = 5000;
/// The largest form submission the citizen page accepts (urlencoded bytes). Big enough for
/// a 100 KB answer in Chinese (three times that, percent-encoded) to be answered with the
/// form and the problem marked; anything larger is refused unread.
pub const MAX_FORM_BYTES: usize = 512 * 1024;
/// Venues in one campaign.
pub const MAX_CAMPAIGN_VENUES: usize = 500;
/// Rows in one import of paper questionnaires.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// Keywords listed per free-text question.
pub const TOP_KEYWORDS: usize = 10;
/// A problem option is suggested as a candidate issue at a venue when at least this many
/// respondents there chose it …
pub const SUGGEST_MIN_RESPONDENTS: u32 = 3;
/// … and they are at least this share (basis points, 1000 = 10 %) of those asked there.
pub const SUGGEST_MIN_SHARE_BP: u32 = 1000;

/// One answer: the chosen choice ids (single choice and scales: exactly one), or a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    Choices(Vec<String>),
    Text(String),
}

/// One respondent's answers, by question id. Questions not asked (their condition did not
/// hold) or left empty are absent.
pub type Answers = BTreeMap<String, Answer>;

impl Answer {
    pub fn choices(&self) -> &[String] {
        match self {
            Answer::Choices(c) => c,
            Answer::Text(_) => &[],
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Answer::Text(t) => Some(t),
            Answer::Choices(_) => None,
        }
    }
}

/// Basis points (1/100 of a percent) of `count` over `base`, rounded half up; 0 for an
/// empty base.
pub fn share_bp(count: u32, base: u32) -> u32 {
    if base == 0 {
        return 0;
    }
    let (c, b) = (u64::from(count), u64::from(base));
    u32::try_from((c * 10_000 * 2 + b) / (2 * b)).unwrap_or(u32::MAX)
}

/// Basis points as a percentage with two decimals: 7104 → "71.04".
pub fn format_bp(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_to_two_decimals() {
        assert_eq!(format_bp(share_bp(1, 3)), "33.33");
        assert_eq!(format_bp(share_bp(2, 3)), "66.67");
        assert_eq!(format_bp(share_bp(1, 8)), "12.50");
        assert_eq!(format_bp(share_bp(130, 183)), "71.04");
        assert_eq!(format_bp(share_bp(0, 183)), "0.00");
        assert_eq!(format_bp(share_bp(5, 0)), "0.00");
        assert_eq!(format_bp(share_bp(7, 7)), "100.00");
    }

    #[test]
    fn answers_are_plain_json() {
        let a: Answers = serde_json::from_str(r#"{"q1":["a","b"],"q11":"很耐心"}"#).unwrap();
        assert_eq!(a["q1"].choices(), ["a", "b"]);
        assert_eq!(a["q11"].text(), Some("很耐心"));
    }
}
