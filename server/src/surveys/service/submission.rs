//! A citizen's submission of the form, from the posted body to its outcome: the campaign
//! and venue it is for, whether the campaign is open and this browser has answered, the
//! robot trap, the answers and the phone number checked, the per-address limit, and the
//! response stored once. The handler reads the request and renders the outcome.

use std::future::Future;

use flowwalk_shared::api::surveys::Questionnaire;
use flowwalk_shared::survey as limits;
use flowwalk_shared::time::china;

use super::{RateLimit, Stored, Submission};
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::surveys::rules::questionnaire::{
    Problem, RawAnswers, Unasked, check_answers, sanitize_text,
};
use crate::surveys::store::survey_rows::{self, CampaignRow, VenueRef};

/// What a page needs: the campaign, the venue, the questionnaire it runs.
pub struct Context {
    pub campaign: CampaignRow,
    pub venue: VenueRef,
    pub questionnaire: Questionnaire,
}

fn plausible_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64
}

/// The campaign and venue of a form link; `None` for a link that leads nowhere.
pub async fn context(
    db: &Db,
    campaign: String,
    venue: String,
) -> Result<Option<Context>, AppError> {
    if !plausible_code(&campaign) || !plausible_code(&venue) {
        return Ok(None);
    }
    db.read(move |conn| {
        let Some(c) = survey_rows::find_campaign_by_code(conn, &campaign)? else {
            return Ok(None);
        };
        let Some(v) = survey_rows::campaign_venue_by_code(conn, &c.id, &venue)? else {
            return Ok(None);
        };
        let q = super::questionnaire(conn, &c)?;
        Ok(Some(Context {
            campaign: c,
            venue: v,
            questionnaire: q,
        }))
    })
    .await
}

/// The published campaign of a results link, if the code could be one.
pub async fn campaign(db: &Db, code: String) -> Result<Option<CampaignRow>, AppError> {
    if !plausible_code(&code) {
        return Ok(None);
    }
    db.read(move |conn| Ok(survey_rows::find_campaign_by_code(conn, &code)?))
        .await
}

/// A fresh form token (hex), which makes a double submission one response.
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    // Without randomness the form still works; only double-submission merging is lost.
    if getrandom::fill(&mut b).is_err() {
        return String::new();
    }
    hex::encode(b)
}

/// A form's fields: the answers by question, and the form's own fields.
pub struct Fields {
    pub raw: RawAnswers,
    pub token: Option<String>,
    pub honeypot: bool,
    pub phone: String,
    pub consent: bool,
}

fn fields(body: &[u8], questions: &Questionnaire) -> Fields {
    let mut f = Fields {
        raw: RawAnswers::new(),
        token: None,
        honeypot: false,
        phone: String::new(),
        consent: false,
    };
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "_token" => {
                let t = v.trim();
                if t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
                    f.token = Some(t.to_ascii_lowercase());
                }
            }
            "website" => f.honeypot |= !v.trim().is_empty(),
            "phone" => f.phone = sanitize_text(&v),
            "consent" => f.consent = v == "yes",
            q if questions.questions.iter().any(|x| x.id == q) => {
                let list = f.raw.entry(q.to_owned()).or_default();
                // A checkbox list is bounded by its choices; more values are an attack.
                if list.len() < limits::MAX_CHOICES {
                    list.push(v.into_owned());
                }
            }
            _ => {}
        }
    }
    f
}

/// A phone number to keep, or the problem with it (`Ok(None)`: none given).
fn phone(f: &Fields) -> Result<Option<String>, String> {
    let p = f.phone.trim();
    if p.is_empty() {
        return Ok(None);
    }
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if p.chars().count() > limits::MAX_PHONE_CHARS
        || !p
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+'))
        || !(7..=15).contains(&digits)
    {
        return Err("请填写有效的电话号码(手机 11 位,或带区号的固定电话)".into());
    }
    if !f.consent {
        return Err("如需留下电话,请勾选下方的同意说明;不留电话也可以直接提交".into());
    }
    Ok(Some(p.to_owned()))
}

fn limit(settings: &Settings) -> RateLimit {
    RateLimit {
        max: settings.survey_max_per_address,
        window_minutes: settings.survey_window_minutes,
    }
}

/// The request as the handler read it. The body is read only once the earlier checks pass
/// (`Ok(None)`: larger than a form may be).
pub struct Posted<B> {
    pub campaign: String,
    pub venue: String,
    /// Whether this browser says it answered the campaign (its cookie).
    pub answered: bool,
    pub urlencoded: bool,
    pub address: String,
    pub body: B,
}

/// What became of a submission.
pub enum Outcome {
    /// No such campaign or venue.
    NoSuchForm,
    Closed(Context, chrono::NaiveDate),
    AlreadyAnswered(Context),
    /// Not sent as a form.
    NotAForm(Context),
    TooLarge(Context),
    /// Stored, a double submission, or a robot told "thank you": on to the thanks page;
    /// `remember` marks the browser as having answered.
    Thanks {
        ctx: Context,
        remember: bool,
    },
    /// The form again, answers kept, problems marked.
    Invalid {
        ctx: Context,
        token: String,
        fields: Fields,
        problems: Vec<Problem>,
        phone_problem: Option<String>,
    },
    /// Too many from this address: the form again, answers kept.
    RateLimited {
        ctx: Context,
        token: String,
        fields: Fields,
    },
}

/// Takes a citizen's submission through every check, in order, and stores it once.
pub async fn submit<B>(db: &Db, settings: &Settings, posted: Posted<B>) -> Result<Outcome, AppError>
where
    B: Future<Output = Result<Option<Vec<u8>>, AppError>>,
{
    let Some(ctx) = context(db, posted.campaign, posted.venue).await? else {
        return Ok(Outcome::NoSuchForm);
    };
    let today = china::today();
    if !super::is_open(&ctx.campaign, today) {
        return Ok(Outcome::Closed(ctx, today));
    }
    if posted.answered {
        return Ok(Outcome::AlreadyAnswered(ctx));
    }
    if !posted.urlencoded {
        return Ok(Outcome::NotAForm(ctx));
    }
    let Some(body) = posted.body.await? else {
        return Ok(Outcome::TooLarge(ctx));
    };
    let f = fields(&body, &ctx.questionnaire);
    let token = f.token.clone().unwrap_or_else(new_token);
    let bucket = super::address_bucket(&settings.jwt_secret, &posted.address);
    let limit = limit(settings);
    if f.honeypot {
        // A robot: it is told "thank you" and nothing is kept, but it counts.
        db.write(move |conn| super::record_hit(conn, &bucket, limit))
            .await?;
        return Ok(Outcome::Thanks {
            ctx,
            remember: false,
        });
    }
    let checked = check_answers(&ctx.questionnaire.questions, &f.raw, Unasked::Ignore);
    let phone = if ctx.questionnaire.ask_phone {
        phone(&f)
    } else {
        Ok(None)
    };
    let (answers, phone) = match (checked, phone) {
        (Ok(a), Ok(p)) => (a, p),
        (answers, phone) => {
            return Ok(Outcome::Invalid {
                ctx,
                token,
                fields: f,
                problems: answers.err().unwrap_or_default(),
                phone_problem: phone.err(),
            });
        }
    };
    let b = bucket.clone();
    if db
        .read(move |conn| super::rate_limited(conn, &b, limit))
        .await?
    {
        return Ok(Outcome::RateLimited {
            ctx,
            token,
            fields: f,
        });
    }
    let submission = Submission {
        campaign_id: ctx.campaign.id.clone(),
        venue_id: ctx.venue.0.clone(),
        questionnaire_version_id: ctx.campaign.questionnaire_version_id.clone(),
        token: f.token.clone(),
        answers,
        phone,
        bucket,
    };
    match db
        .write(move |conn| super::store(conn, &submission, limit))
        .await?
    {
        Stored::New | Stored::AlreadyHad => Ok(Outcome::Thanks {
            ctx,
            remember: true,
        }),
        Stored::RateLimited => Ok(Outcome::RateLimited {
            ctx,
            token,
            fields: f,
        }),
    }
}
