//! Candidate issues of source "questionnaire" (问卷): a citizen's free-text answer, or a
//! problem option chosen by many at one venue, that a manager wants handled like a
//! walkthrough's finding. They wait here until [`hand_over`] gives one to the issue
//! workflow, which then routes it, sets its deadline and tracks it to sign-off.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::issues::IssueSource;
use flowwalk_shared::api::surveys::{
    CandidateInput, CandidateIssue, CandidateKind, CandidateList, CandidateStatus, HandOverInput,
    HandOverResult, Question, QuestionKind,
};
use flowwalk_shared::survey::{self as limits, Answers, format_bp, share_bp};
use flowwalk_shared::walkthrough::Severity;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::service::{self as workflow_issues, AuditKey, Recorded};
use crate::reference::store::{category_rows, department_rows};
use crate::surveys::rules::results as survey_results;
use crate::surveys::store::survey_rows::{self, CampaignRow, CandidateRow, VenueRef};
use flowwalk_shared::validate;

/// The source every issue made from a candidate carries.
pub const SOURCE: IssueSource = IssueSource::Questionnaire;

fn issue(row: CandidateRow) -> Result<CandidateIssue, AppError> {
    Ok(CandidateIssue {
        kind: row.kind,
        status: row.status,
        source: SOURCE,
        respondents: u32::try_from(row.respondents).unwrap_or(0),
        base: u32::try_from(row.base).unwrap_or(0),
        id: row.id,
        campaign_id: row.campaign_id,
        venue_id: row.venue_id,
        question_id: row.question_id,
        choice_id: row.choice_id,
        response_id: row.response_id,
        category_id: row.category_id,
        department_id: row.department_id,
        title: row.title,
        description: row.description,
        issue_id: row.issue_id,
        created_by: row.created_by,
        created_at: row.created_at,
    })
}

/// The campaign's candidates, and the problem options chosen by many at one venue that are
/// not candidates yet.
pub fn list(conn: &mut DbConnection, c: &CampaignRow) -> Result<CandidateList, AppError> {
    let rows = survey_rows::candidates(conn, &c.id)?;
    let q = super::questionnaire(conn, c)?;
    let responses = survey_rows::responses(conn, &c.id, None, None, None)?;
    let answers = super::parse_answers(&responses)?;
    let mut by_venue: Vec<(String, Vec<&Answers>)> = Vec::new();
    for (r, a) in responses.iter().zip(&answers) {
        match by_venue.iter_mut().find(|(v, _)| *v == r.venue_id) {
            Some((_, list)) => list.push(a),
            None => by_venue.push((r.venue_id.clone(), vec![a])),
        }
    }
    let suggestions = survey_results::suggestions(&q.questions, &by_venue)
        .into_iter()
        .filter(|s| {
            !rows.iter().any(|r| {
                r.venue_id.as_deref() == Some(s.venue_id.as_str())
                    && r.question_id == s.question_id
                    && r.choice_id.as_deref() == Some(s.choice_id.as_str())
            })
        })
        .collect();
    Ok(CandidateList {
        candidates: rows.into_iter().map(issue).collect::<Result<_, _>>()?,
        suggestions,
    })
}

/// Creates a candidate, or returns the one already made from the same answer (or venue and
/// option): `(candidate, created)`.
pub fn create(
    conn: &mut DbConnection,
    c: &CampaignRow,
    input: &CandidateInput,
    by: &str,
) -> Result<(CandidateIssue, bool), AppError> {
    let q = super::questionnaire(conn, c)?;
    let (pos, question) = q
        .questions
        .iter()
        .enumerate()
        .find(|(_, x)| x.id == input.question_id)
        .ok_or_else(|| AppError::new(ErrorCode::UnknownReference).field("question_id"))?;
    let note = validate::optional_text("note", &input.note, limits::MAX_CONCLUSION_CHARS)?;
    if let Some(cat) = &input.category_id
        && !category_rows::list(conn)?.iter().any(|k| &k.id == cat)
    {
        return Err(AppError::new(ErrorCode::UnknownReference).field("category_id"));
    }
    if let Some(d) = &input.department_id
        && !department_rows::exists(conn, d)?
    {
        return Err(AppError::new(ErrorCode::UnknownReference).field("department_id"));
    }
    let venues = survey_rows::campaign_venues(conn, &c.id)?;
    let mut row = CandidateRow {
        id: crate::db::rows::new_id(),
        campaign_id: c.id.clone(),
        kind: input.kind,
        venue_id: None,
        question_id: question.id.clone(),
        choice_id: None,
        response_id: None,
        category_id: input.category_id.clone(),
        department_id: input.department_id.clone(),
        title: String::new(),
        description: String::new(),
        respondents: 0,
        base: 0,
        status: CandidateStatus::Waiting,
        issue_id: None,
        dedup_key: String::new(),
        created_by: Some(by.to_owned()),
        created_at: crate::db::rows::now(),
        handed_over_at: None,
    };
    let from = Basis {
        c,
        input,
        pos,
        question,
        note: &note,
        venues: &venues,
    };
    match input.kind {
        CandidateKind::FreeText => free_text(conn, &from, &mut row)?,
        CandidateKind::Option => option(conn, &from, &mut row)?,
    }
    if survey_rows::insert_candidate(conn, &row)? {
        Ok((issue(row)?, true))
    } else {
        Ok((
            issue(survey_rows::candidate_by_key(conn, &row.dedup_key)?)?,
            false,
        ))
    }
}

/// What a candidate is made from: the campaign, the manager's input, the question (and its
/// position), the manager's note, the campaign's venues.
struct Basis<'a> {
    c: &'a CampaignRow,
    input: &'a CandidateInput,
    pos: usize,
    question: &'a Question,
    note: &'a str,
    venues: &'a [VenueRef],
}

impl Basis<'_> {
    fn venue_name(&self, id: &str) -> Option<String> {
        self.venues
            .iter()
            .find(|(v, _, _)| v == id)
            .map(|(_, _, n)| n.clone())
    }
}

/// The manager's note, as the description's last line.
fn noted(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!("\n管理员备注:{note}")
    }
}

/// A candidate from one citizen's free-text answer.
fn free_text(
    conn: &mut DbConnection,
    from: &Basis,
    row: &mut CandidateRow,
) -> Result<(), AppError> {
    let rid = from
        .input
        .response_id
        .as_deref()
        .ok_or_else(|| AppError::new(ErrorCode::MissingField).field("response_id"))?;
    if from.question.kind != QuestionKind::Text {
        return Err(AppError::invalid(
            "question_id",
            "只有填空题的回答可以转为问题",
            "Only a free-text answer becomes a free-text candidate",
        ));
    }
    let response = survey_rows::get_response(conn, rid)
        .ok()
        .filter(|r| r.campaign_id == from.c.id)
        .ok_or_else(|| AppError::new(ErrorCode::UnknownReference).field("response_id"))?;
    let text = response
        .answers()?
        .get(&from.question.id)
        .and_then(|a| a.text().map(str::to_owned))
        .ok_or_else(|| {
            AppError::invalid(
                "response_id",
                "该答卷没有回答此题",
                "That response has no answer to this question",
            )
        })?;
    let place = from.venue_name(&response.venue_id).unwrap_or_default();
    let short: String = text.chars().take(30).collect();
    row.title = format!("问卷反映:{short}");
    row.description = format!(
        "{place}问卷第{}题“{}”的回答:{text}{}",
        from.pos + 1,
        from.question.title,
        noted(from.note)
    );
    row.dedup_key = format!("text:{}:{}", response.id, from.question.id);
    row.venue_id = Some(response.venue_id.clone());
    row.response_id = Some(response.id);
    row.respondents = 1;
    row.base = 1;
    Ok(())
}

/// A candidate from a problem option chosen at one venue.
fn option(conn: &mut DbConnection, from: &Basis, row: &mut CandidateRow) -> Result<(), AppError> {
    let vid = from
        .input
        .venue_id
        .as_deref()
        .ok_or_else(|| AppError::new(ErrorCode::MissingField).field("venue_id"))?;
    let place = from
        .venue_name(vid)
        .ok_or_else(|| AppError::new(ErrorCode::UnknownReference).field("venue_id"))?;
    let cid = from
        .input
        .choice_id
        .as_deref()
        .ok_or_else(|| AppError::new(ErrorCode::MissingField).field("choice_id"))?;
    let choice = from
        .question
        .choices
        .iter()
        .find(|x| x.id == cid)
        .filter(|x| !x.exclusive && !x.not_applicable)
        .filter(|_| {
            matches!(
                from.question.kind,
                QuestionKind::Single | QuestionKind::Multiple
            )
        })
        .ok_or_else(|| {
            AppError::invalid(
                "choice_id",
                "只有选择题中反映问题的选项可以转为问题",
                "Only a problem option of a choice question becomes a candidate",
            )
        })?;
    let responses = survey_rows::responses(conn, &from.c.id, Some(vid), None, None)?;
    let answers = super::parse_answers(&responses)?;
    let answered: Vec<&Answers> = answers
        .iter()
        .filter(|a| a.contains_key(&from.question.id))
        .collect();
    let n = answered
        .iter()
        .filter(|a| a[&from.question.id].choices().iter().any(|x| x == cid))
        .count();
    let (n, base) = (
        u32::try_from(n).unwrap_or(u32::MAX),
        u32::try_from(answered.len()).unwrap_or(u32::MAX),
    );
    if n == 0 {
        return Err(AppError::invalid(
            "choice_id",
            "该场所还没有人选择此项",
            "Nobody at this venue chose this option",
        ));
    }
    row.title = format!("问卷反映:{}({place})", choice.label);
    row.description = format!(
        "{place}问卷第{}题“{}”中,{base}位作答者有{n}位({}%)选择“{}”。{}",
        from.pos + 1,
        from.question.title,
        format_bp(share_bp(n, base)),
        choice.label,
        noted(from.note)
    );
    if row.category_id.is_none() {
        row.category_id = choice.category_id.clone();
    }
    row.dedup_key = format!("option:{}:{vid}:{}:{cid}", from.c.id, from.question.id);
    row.venue_id = Some(vid.to_owned());
    row.choice_id = Some(cid.to_owned());
    row.respondents = i32::try_from(n).unwrap_or(i32::MAX);
    row.base = i32::try_from(base).unwrap_or(i32::MAX);
    Ok(())
}

/// What the issue workflow receives for a candidate: everything a walkthrough's finding
/// would give it, with the source "questionnaire".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueDraft {
    pub candidate_id: String,
    pub source: IssueSource,
    pub campaign_id: String,
    pub venue_id: Option<String>,
    pub category_id: Option<String>,
    pub department_id: Option<String>,
    pub title: String,
    pub description: String,
}

/// Hands a waiting candidate to the issue workflow: `create_issue` makes the issue (with
/// the workflow's routing and deadlines) inside the same transaction and returns its id;
/// the candidate is then marked handed over with that id. A candidate already handed over
/// is refused (`invalid_state`), so no candidate becomes two issues. [`to_issue`] is the
/// one caller outside tests.
pub fn hand_over<F>(
    conn: &mut DbConnection,
    candidate_id: &str,
    create_issue: F,
) -> Result<String, AppError>
where
    F: FnOnce(&mut DbConnection, &IssueDraft) -> Result<String, AppError>,
{
    let row = survey_rows::get_candidate(conn, candidate_id)?;
    if row.status != CandidateStatus::Waiting {
        return Err(AppError::new(ErrorCode::InvalidState).message(
            "该候选问题已转入问题清单",
            "This candidate has already been handed over",
        ));
    }
    let draft = IssueDraft {
        candidate_id: row.id.clone(),
        source: SOURCE,
        campaign_id: row.campaign_id.clone(),
        venue_id: row.venue_id.clone(),
        category_id: row.category_id.clone(),
        department_id: row.department_id.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
    };
    let issue_id = create_issue(conn, &draft)?;
    if !survey_rows::mark_handed_over(conn, &row.id, &issue_id, crate::db::rows::now())? {
        return Err(AppError::new(ErrorCode::Conflict));
    }
    Ok(issue_id)
}

/// Makes a waiting candidate an issue of source 问卷, through the same `issues::service::record` as
/// walkthrough findings and the 好差评 import: the workflow routes it (to the department
/// given, else the candidate's, else its category's), sets its deadline and tracks it to
/// sign-off. The candidate's id is the issue's source key, so it is recorded once.
pub fn to_issue(
    conn: &mut DbConnection,
    key: &AuditKey,
    candidate_id: &str,
    input: &HandOverInput,
) -> Result<HandOverResult, AppError> {
    if let Some(d) = &input.department_id
        && !department_rows::exists(conn, d)?
    {
        return Err(AppError::new(ErrorCode::UnknownReference).field("department_id"));
    }
    let issue_id = hand_over(conn, candidate_id, |conn, draft| {
        let department = match (&input.department_id, &draft.department_id) {
            (Some(d), _) | (None, Some(d)) => d.clone(),
            (None, None) => draft
                .category_id
                .as_deref()
                .map(|c| crate::issues::store::issue_rows::category_route(conn, c))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    AppError::new(ErrorCode::MissingField)
                        .field("department_id")
                        .message(
                            "请指定责任部门:该候选问题没有部门,其类别也未指定部门",
                            "Name the responsible department: neither the candidate nor \
                             its category has one",
                        )
                })?,
        };
        let venue = draft.venue_id.as_deref().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "candidate {} has no venue",
                draft.candidate_id
            ))
        })?;
        let now = crate::db::rows::now();
        match workflow_issues::create_from_source(
            conn,
            key,
            draft.source,
            &draft.candidate_id,
            venue,
            &department,
            None,
            draft.category_id.clone(),
            &draft.title,
            &draft.description,
            Severity::Medium,
            now,
            now,
        )? {
            Recorded::Created(row) | Recorded::Merged(row) => Ok(row.id),
            Recorded::AlreadyRecorded(id) => Ok(id),
        }
    })?;
    Ok(HandOverResult {
        candidate_id: candidate_id.to_owned(),
        issue_id,
    })
}
