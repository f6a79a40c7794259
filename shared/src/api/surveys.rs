//! Citizen questionnaires (问卷), the campaigns that run them at venues, their results and
//! the candidate issues drawn from them.
//!
//! A questionnaire is versioned like a scenario: editing it writes the next version, and a
//! campaign (with every answer given in it) stays on the version it was started with.

use serde::{Deserialize, Serialize};

use crate::survey::Answers;
use crate::text_enum::text_enum;

text_enum! {
    /// What kind of answer a question takes.
    pub enum QuestionKind {
        /// One choice.
        Single = "single" / "单选" / "Single choice",
        /// Any number of choices; a choice marked `exclusive` ("以上均无") stands alone.
        Multiple = "multiple" / "多选" / "Multiple choice",
        /// Five levels, best first, and optionally one "not applicable" choice.
        Scale = "scale" / "量表" / "Scale",
        /// Free text.
        Text = "text" / "填空" / "Free text",
    }
}

text_enum! {
    /// The five-level scales of national practice; a scale question may name one instead of
    /// listing its choices.
    pub enum ScalePreset {
        /// 非常满意 · 满意 · 基本满意 · 不满意 · 非常不满意
        Satisfaction = "satisfaction" / "满意度" / "Satisfaction",
        /// 非常顺利 · 顺利 · 一般 · 不太顺利 · 很坎坷
        Smoothness = "smoothness" / "顺畅度" / "Smoothness",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable within the question: a-z, 0-9, `-`, `_`.
    pub id: String,
    pub label: String,
    /// Multiple choice only: "none of the above", never together with another choice.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// Scale only: "没办过不知道"; counted in the option shares, left out of the grouping
    /// and the mean.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_applicable: bool,
    /// A problem option: the problem category it stands for (a candidate issue chosen from
    /// it is routed by this category).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
}

impl Choice {
    /// A plain choice: neither exclusive nor "not applicable", standing for no category.
    pub fn new(id: &str, label: &str) -> Choice {
        Choice {
            id: id.into(),
            label: label.into(),
            exclusive: false,
            not_applicable: false,
            category_id: None,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Ask a question only of those whose answer to an earlier question includes one of
/// `any_of` (for example the online-process question only of those who did it online).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShowIf {
    pub question_id: String,
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable within the questionnaire: a-z, 0-9, `-`, `_` (also the import's column name).
    pub id: String,
    pub kind: QuestionKind,
    pub title: String,
    /// May be left unanswered (free text usually is).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// The choices; for a scale with a `scale` preset they may be left out and are filled in.
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScalePreset>,
    /// Scale presets only: add "没办过不知道".
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_applicable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireInput {
    /// a-z, 0-9, `-`, `_`.
    pub code: String,
    pub title: String,
    /// Shown above the questions.
    #[serde(default)]
    pub intro: String,
    /// Offer an optional phone number (stored only with the citizen's consent).
    #[serde(default)]
    pub ask_phone: bool,
    pub questions: Vec<Question>,
}

/// One version of a questionnaire.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Questionnaire {
    pub id: String,
    pub code: String,
    pub version_id: String,
    pub version: i32,
    pub is_current: bool,
    pub title: String,
    pub intro: String,
    pub ask_phone: bool,
    /// As stored: scale presets expanded into their choices.
    pub questions: Vec<Question>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// a-z, 0-9, `-`, `_`; part of the form's address (`/q/CODE/VENUE`).
    pub code: String,
    pub title: String,
    /// Runs the questionnaire's current version (pinned when the first answer arrives).
    pub questionnaire_id: String,
    /// Who publishes the results (e.g. 天宁区数据局).
    #[serde(default)]
    pub organizer: String,
    /// Why the survey is held; opens the published results.
    #[serde(default)]
    pub purpose: String,
    /// China dates (UTC+8), both included.
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub venue_ids: Vec<String>,
}

/// A venue of a campaign, with its public links (paths on this server).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignVenue {
    pub venue_id: String,
    pub code: String,
    pub name: String,
    pub form_path: String,
    pub qr_path: String,
    pub poster_path: String,
    pub responses: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publication {
    #[serde(with = "crate::time::utc")]
    pub published_at: chrono::NaiveDateTime,
    pub published_by: Option<String>,
    pub conclusion: String,
    pub results_path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    pub id: String,
    pub code: String,
    pub title: String,
    pub questionnaire_id: String,
    pub questionnaire_version_id: String,
    pub questionnaire_version: i32,
    pub organizer: String,
    pub purpose: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    /// Open for answers today (China time).
    pub open: bool,
    pub venues: Vec<CampaignVenue>,
    pub responses: u32,
    pub publication: Option<Publication>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
    #[serde(with = "crate::time::utc")]
    pub updated_at: chrono::NaiveDateTime,
}

/// Filters of the results, the export and the keyword answers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ResultsFilter {
    /// Only answers given at this venue.
    #[serde(default)]
    pub venue_id: Option<String>,
    /// Only answers given on or after this China date.
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    /// Only answers given on or before this China date.
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
}

/// One option's count and its share of the question's base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionResult {
    pub choice_id: String,
    pub label: String,
    pub count: u32,
    /// Basis points of the base (7104 = 71.04 %).
    pub share_bp: u32,
    /// The share in percent with two decimals ("71.04").
    pub share: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_applicable: bool,
}

/// A five-level scale as satisfied / basically satisfied / dissatisfied, and its mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleSummary {
    /// Those who chose a level ("not applicable" left out).
    pub base: u32,
    /// The two best levels (满意 incl. 非常满意 / 顺利 incl. 非常顺利).
    pub satisfied: OptionResult,
    /// The middle level (基本满意 / 一般).
    pub basically: OptionResult,
    /// The two worst levels.
    pub dissatisfied: OptionResult,
    /// Mean score, 5 = best, in hundredths (452 = 4.52); `None` for an empty base.
    pub mean_x100: Option<u32>,
    /// The mean with two decimals ("4.52").
    pub mean: Option<String>,
}

/// A keyword of the free-text answers, with how many answers mention it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeywordResult {
    pub word: String,
    pub answers: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionResult {
    pub question_id: String,
    /// 1-based position in the questionnaire.
    pub number: u32,
    pub title: String,
    pub kind: QuestionKind,
    /// Respondents it was asked of (its condition held).
    pub asked: u32,
    /// Respondents who answered it: the base every share of this question is taken over.
    pub base: u32,
    /// The condition, in words, when the question depends on an earlier answer.
    pub condition: Option<String>,
    pub options: Vec<OptionResult>,
    pub scale: Option<ScaleSummary>,
    /// Free text: the most mentioned keywords, most first.
    pub keywords: Vec<KeywordResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignResults {
    pub campaign_id: String,
    pub questionnaire_version_id: String,
    pub filter: ResultsFilter,
    /// Responses counted (those matching the filter).
    pub respondents: u32,
    pub questions: Vec<QuestionResult>,
}

/// The answers behind one keyword.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct KeywordQuery {
    pub question_id: String,
    pub keyword: String,
    #[serde(default)]
    pub venue_id: Option<String>,
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
}

impl KeywordQuery {
    /// The results filter this query carries.
    pub fn filter(&self) -> ResultsFilter {
        ResultsFilter {
            venue_id: self.venue_id.clone(),
            from: self.from,
            to: self.to,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextAnswer {
    pub response_id: String,
    pub venue_id: String,
    #[serde(with = "crate::time::utc")]
    pub submitted_at: chrono::NaiveDateTime,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// The short conclusion (总结分析) the manager writes.
    pub conclusion: String,
}

/// How many paper questionnaires an import added.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    pub imported: u32,
}

text_enum! {
    /// Where a response came from.
    pub enum ResponseSource {
        /// The citizen's form, from the venue's QR code.
        Web = "web" / "扫码填写" / "Online form",
        /// A paper (or earlier) questionnaire, imported.
        Paper = "paper" / "纸质问卷" / "Paper",
    }
}

/// One stored response, as the raw answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub id: String,
    pub venue_id: String,
    pub source: ResponseSource,
    #[serde(with = "crate::time::utc")]
    pub submitted_at: chrono::NaiveDateTime,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

text_enum! {
    /// What a candidate issue was drawn from.
    pub enum CandidateKind {
        /// One citizen's free-text answer.
        FreeText = "free_text" / "意见建议" / "Free-text answer",
        /// A problem option chosen by many at one venue.
        Option = "option" / "问题选项" / "Problem option",
    }
}

text_enum! {
    /// Where a candidate issue stands: waiting for the issue workflow, or handed to it.
    pub enum CandidateStatus {
        Waiting = "waiting" / "待转问题" / "Waiting",
        HandedOver = "handed_over" / "已转问题" / "Handed over",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    pub kind: CandidateKind,
    pub question_id: String,
    /// Free text: the response whose answer becomes the issue.
    #[serde(default)]
    pub response_id: Option<String>,
    /// Option: the venue and the problem option chosen there.
    #[serde(default)]
    pub venue_id: Option<String>,
    #[serde(default)]
    pub choice_id: Option<String>,
    /// Overrides the option's category (free text has none unless given).
    #[serde(default)]
    pub category_id: Option<String>,
    /// The responsible department, if the manager knows it already.
    #[serde(default)]
    pub department_id: Option<String>,
    /// The manager's note, added to the description.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateIssue {
    pub id: String,
    pub campaign_id: String,
    pub kind: CandidateKind,
    /// Always `questionnaire` (问卷): the source the issue will carry.
    pub source: crate::api::issues::IssueSource,
    pub venue_id: Option<String>,
    pub question_id: String,
    pub choice_id: Option<String>,
    pub response_id: Option<String>,
    pub category_id: Option<String>,
    pub department_id: Option<String>,
    pub title: String,
    pub description: String,
    /// Option: how many chose it at the venue, over how many were asked there.
    pub respondents: u32,
    pub base: u32,
    pub status: CandidateStatus,
    /// The issue it became, once handed over.
    pub issue_id: Option<String>,
    pub created_by: Option<String>,
    #[serde(with = "crate::time::utc")]
    pub created_at: chrono::NaiveDateTime,
}

/// Hands a waiting candidate to the issue workflow.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HandOverInput {
    /// The responsible department. Without it: the candidate's own, else the one its
    /// category is routed to; with none of these the hand-over is refused
    /// (`missing_field`, `department_id`).
    #[serde(default)]
    pub department_id: Option<String>,
}

/// The issue a candidate became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandOverResult {
    pub candidate_id: String,
    pub issue_id: String,
}

/// A problem option chosen by many at one venue, not yet a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateSuggestion {
    pub venue_id: String,
    pub question_id: String,
    pub choice_id: String,
    pub label: String,
    pub category_id: Option<String>,
    pub count: u32,
    pub base: u32,
    pub share: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateList {
    pub candidates: Vec<CandidateIssue>,
    pub suggestions: Vec<CandidateSuggestion>,
}

text_enum! {
    /// The file an export is written as.
    pub enum ExportFormat {
        Csv = "csv" / "CSV" / "CSV",
        Xlsx = "xlsx" / "Excel" / "Excel",
    }
}

text_enum! {
    /// What a CSV export holds.
    pub enum ExportPart {
        /// Each option's count, base and share; the scale groups and means; the keywords.
        Results = "results" / "统计结果" / "Results",
        /// One row per respondent.
        Responses = "responses" / "答卷明细" / "Responses",
    }
}

/// `format=xlsx` gives both parts as two sheets; `format=csv` the `part` asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    #[cfg_attr(feature = "openapi", param(inline))]
    pub format: ExportFormat,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub part: Option<ExportPart>,
    #[serde(default)]
    pub venue_id: Option<String>,
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
}

impl ExportQuery {
    /// The results filter this query carries.
    pub fn filter(&self) -> ResultsFilter {
        ResultsFilter {
            venue_id: self.venue_id.clone(),
            from: self.from,
            to: self.to,
        }
    }
}
