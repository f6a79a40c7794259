//! The public pages of a questionnaire campaign, for citizens with no account: the form a
//! venue's QR code opens (server-rendered, no JavaScript, a few KB), the thanks page, the
//! QR code and A4 poster of each venue, and the published results notice.
//!
//! Abuse is bounded here: one response per browser per campaign (a cookie, and a token per
//! form that makes a double submission one response), a per-address rate limit (the same
//! client-address rule as the login limit), a hidden honeypot field, and a size limit read
//! before anything is parsed. Templates escape everything; the pages allow no script at all
//! (Content-Security-Policy).

use crate::http::contract::{Answer, In, Reply};
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use flowwalk_shared::api::surveys::CampaignResults;
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoint::File;
use flowwalk_shared::endpoints::SurveyPath;
use flowwalk_shared::endpoints::survey as ep;
use flowwalk_shared::survey as limits;
use flowwalk_shared::time::china;
use futures_util::StreamExt;

use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::surveys::routes::pages_api::{
    Entered, FormPage, FormSpec, MessagePage, NoticeSpec, PosterPage, ResultsPage, date_zh,
};
use crate::surveys::rules::questionnaire::Problem;
use crate::surveys::service::submission::{
    self, Context, Fields, Outcome, Posted, context, new_token,
};
use crate::surveys::store::survey_rows::CampaignRow;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every citizen page answers: a page, a redirect or an image.
type Page = Result<Reply<File>, AppError>;

fn html(status: StatusCode, page: &impl Template) -> Page {
    let body = page
        .render()
        .map_err(|e| AppError::internal(anyhow::Error::new(e).context("rendering a page")))?;
    Ok(Reply::file(
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
    ))
}

fn message(status: StatusCode, page: MessagePage) -> Page {
    html(status, &page)
}

fn not_found() -> Page {
    message(
        StatusCode::NOT_FOUND,
        MessagePage::new(
            "未找到该问卷",
            "",
            &["链接可能有误或已失效,请重新扫描场所张贴的二维码。"],
        ),
    )
}

fn cookie_name(campaign_code: &str) -> String {
    format!("fwq_{campaign_code}")
}

fn has_answered(req: &HttpRequest, c: &CampaignRow) -> bool {
    req.cookie(&cookie_name(&c.code)).is_some()
}

/// Remembers in the browser that it answered this campaign (for the campaign's duration
/// and a month after).
fn answered_cookie(c: &CampaignRow) -> Cookie<'static> {
    let days = (c.ends_on - china::today()).num_days().max(0) + 31;
    Cookie::build(cookie_name(&c.code), "1")
        .path(format!("/q/{}", c.code))
        .max_age(time::Duration::days(days))
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

fn closed_page(c: &CampaignRow, venue: &str, today: NaiveDate) -> MessagePage {
    let period = format!("{}至{}", date_zh(c.starts_on), date_zh(c.ends_on));
    let page = if today < c.starts_on {
        MessagePage::new(
            &c.title,
            venue,
            &[&format!("本次问卷调查尚未开始,调查时间为{period}。")],
        )
    } else {
        MessagePage::new(
            &c.title,
            venue,
            &[&format!(
                "本次问卷调查已结束(调查时间{period}),感谢您的关注。"
            )],
        )
    };
    with_results_link(page, c)
}

fn with_results_link(page: MessagePage, c: &CampaignRow) -> MessagePage {
    if c.published_at.is_some() {
        page.link(
            crate::surveys::service::results_path(&c.code),
            "查看调查结果",
        )
    } else {
        page
    }
}

fn already_page(c: &CampaignRow, venue: &str) -> MessagePage {
    with_results_link(
        MessagePage::new(
            &c.title,
            venue,
            &[
                "您已提交过本次问卷,感谢您的参与!",
                "每部手机(浏览器)限提交一次。",
            ],
        ),
        c,
    )
}

fn form(
    ctx: &Context,
    token: String,
    entered: &Entered,
    problems: &[Problem],
    phone_problem: Option<String>,
    top: Option<String>,
) -> FormPage {
    FormPage::build(
        FormSpec {
            title: &ctx.campaign.title,
            venue_name: &ctx.venue.2,
            intro: &ctx.questionnaire.intro,
            action: crate::surveys::service::form_path(&ctx.campaign.code, &ctx.venue.1),
            token,
            questions: &ctx.questionnaire.questions,
            ask_phone: ctx.questionnaire.ask_phone,
        },
        entered,
        problems,
        phone_problem,
        top,
    )
}

/// The citizen's form (HTML, no script).
#[utoipa::path(get, path = ep::Form::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code"), ("venue" = String, Path, description = "The venue's code")), responses((status = 200, description = "The form, or a page saying the campaign is closed or this browser has answered", content_type = "text/html"), (status = 404, description = "No such campaign or venue", content_type = "text/html")))]
pub async fn form_page(
    req: HttpRequest,
    db: web::Data<Db>,
    call: In<ep::Form>,
) -> Answer<ep::Form> {
    let SurveyPath { campaign, venue } = call.path;
    let Some(ctx) = context(&db, campaign, venue).await? else {
        return not_found();
    };
    let today = china::today();
    if !crate::surveys::service::is_open(&ctx.campaign, today) {
        return message(
            StatusCode::OK,
            closed_page(&ctx.campaign, &ctx.venue.2, today),
        );
    }
    if has_answered(&req, &ctx.campaign) {
        return message(StatusCode::OK, already_page(&ctx.campaign, &ctx.venue.2));
    }
    html(
        StatusCode::OK,
        &form(&ctx, new_token(), &Entered::default(), &[], None, None),
    )
}

/// Reads the body up to `max` bytes; `None` if it is larger.
async fn read_limited(mut payload: web::Payload, max: usize) -> Result<Option<Vec<u8>>, AppError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::new(flowwalk_shared::ErrorCode::InvalidValue).message(
                format!("无法读取提交内容:{e}"),
                format!("Could not read the form: {e}"),
            )
        })?;
        if body.len() + chunk.len() > max {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn see_thanks(ctx: &Context, set_cookie: bool) -> Reply<File> {
    let mut res = HttpResponse::SeeOther();
    res.insert_header((
        header::LOCATION,
        format!(
            "{}/thanks",
            crate::surveys::service::form_path(&ctx.campaign.code, &ctx.venue.1)
        ),
    ));
    if set_cookie {
        res.cookie(answered_cookie(&ctx.campaign));
    }
    Reply::file(res.finish())
}

const TOO_MANY: &str = "此网络提交问卷过于频繁,请稍后再提交。您填写的内容已保留。";

/// A citizen submits the form (`application/x-www-form-urlencoded`): checked on the
/// server; a bad one gets the form back with the answers kept and the problems marked.
#[utoipa::path(post, path = ep::Submit::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code"), ("venue" = String, Path, description = "The venue's code")), responses((status = 303, description = "Stored (or a double submission): on to the thanks page"), (status = 422, description = "The form again, answers kept, problems marked", content_type = "text/html"), (status = 409, description = "Closed, or this browser has answered", content_type = "text/html"), (status = 413, description = "Too large", content_type = "text/html"), (status = 429, description = "Too many from this address: the form again, answers kept", content_type = "text/html"), (status = 404, description = "No such campaign or venue", content_type = "text/html")))]
pub async fn submit(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    payload: web::Payload,
    call: In<ep::Submit>,
) -> Answer<ep::Submit> {
    let SurveyPath { campaign, venue } = call.path;
    let urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let posted = Posted {
        answered: req.cookie(&cookie_name(&campaign)).is_some(),
        campaign,
        venue,
        urlencoded,
        address: crate::auth::limits::client_addr(&req, &settings),
        body: read_limited(payload, limits::MAX_FORM_BYTES),
    };
    match submission::submit(&db, &settings, posted).await? {
        Outcome::NoSuchForm => not_found(),
        Outcome::Closed(ctx, today) => message(
            StatusCode::CONFLICT,
            closed_page(&ctx.campaign, &ctx.venue.2, today),
        ),
        Outcome::AlreadyAnswered(ctx) => message(
            StatusCode::CONFLICT,
            already_page(&ctx.campaign, &ctx.venue.2),
        ),
        Outcome::NotAForm(ctx) => message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            MessagePage::new(&ctx.campaign.title, &ctx.venue.2, &["请通过问卷页面提交。"]),
        ),
        Outcome::TooLarge(ctx) => message(
            StatusCode::PAYLOAD_TOO_LARGE,
            MessagePage::new(
                &ctx.campaign.title,
                &ctx.venue.2,
                &[&format!(
                    "提交的内容过多,未能接收。每道填空题请不要超过 {} 字。",
                    limits::MAX_TEXT_ANSWER_CHARS
                )],
            )
            .link(
                crate::surveys::service::form_path(&ctx.campaign.code, &ctx.venue.1),
                "返回问卷",
            ),
        ),
        Outcome::Thanks { ctx, remember } => Ok(see_thanks(&ctx, remember)),
        Outcome::Invalid {
            ctx,
            token,
            fields,
            problems,
            phone_problem,
        } => {
            let n = problems.len() + usize::from(phone_problem.is_some());
            let top = format!("有 {n} 处需要修改,已在下方用红框标出,其余内容已为您保留。");
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form(
                    &ctx,
                    token,
                    &entered(fields),
                    &problems,
                    phone_problem,
                    Some(top),
                ),
            )
        }
        Outcome::RateLimited { ctx, token, fields } => html(
            StatusCode::TOO_MANY_REQUESTS,
            &form(
                &ctx,
                token,
                &entered(fields),
                &[],
                None,
                Some(TOO_MANY.into()),
            ),
        ),
    }
}

/// What the citizen entered, to show again.
fn entered(f: Fields) -> Entered {
    Entered {
        raw: f.raw,
        phone: f.phone,
        consent: f.consent,
    }
}

/// After a submission.
#[utoipa::path(get, path = ep::Thanks::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code"), ("venue" = String, Path, description = "The venue's code")), responses((status = 200, content_type = "text/html"), (status = 404, description = "No such campaign or venue", content_type = "text/html")))]
pub async fn thanks(db: web::Data<Db>, call: In<ep::Thanks>) -> Answer<ep::Thanks> {
    let SurveyPath { campaign, venue } = call.path;
    let Some(ctx) = context(&db, campaign, venue).await? else {
        return not_found();
    };
    message(
        StatusCode::OK,
        with_results_link(
            MessagePage::new(
                "提交成功",
                &ctx.campaign.title,
                &[
                    "感谢您的参与!您的意见将用于改进政务服务。",
                    "调查结束后,结果将在此公布。",
                ],
            ),
            &ctx.campaign,
        ),
    )
}

/// Where citizens reach this server: the configured public address, else the address
/// this request came to (behind a trusted proxy, the one it forwarded).
fn public_base(req: &HttpRequest, settings: &Settings) -> String {
    let configured = settings.public_url.trim().trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_owned();
    }
    let info = req.connection_info();
    let (scheme, host) = if settings.trust_proxy_headers {
        (info.scheme().to_owned(), info.host().to_owned())
    } else {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_owned();
        ("http".to_owned(), host)
    };
    // A Host header is client text: only a plain host name or address with a port is used.
    let ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let scheme = if scheme == "https" { "https" } else { "http" };
    format!(
        "{scheme}://{}",
        if ok { host.as_str() } else { "127.0.0.1" }
    )
}

/// The venue's form link, and its QR code as SVG.
fn link_and_qr(
    req: &HttpRequest,
    settings: &Settings,
    ctx: &Context,
) -> Result<(String, String), AppError> {
    let url = format!(
        "{}{}",
        public_base(req, settings),
        crate::surveys::service::form_path(&ctx.campaign.code, &ctx.venue.1)
    );
    let svg = crate::surveys::service::qr::svg(&url)
        .map_err(|e| AppError::internal(anyhow::anyhow!("QR code of {url}: {e:?}")))?;
    Ok((url, svg))
}

/// The venue's QR code (SVG) of its form link.
#[utoipa::path(get, path = ep::Qr::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code"), ("venue" = String, Path, description = "The venue's code")), responses((status = 200, content_type = "image/svg+xml"), (status = 404, description = "No such campaign or venue", content_type = "text/html")))]
pub async fn qr(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    call: In<ep::Qr>,
) -> Answer<ep::Qr> {
    let SurveyPath { campaign, venue } = call.path;
    let Some(ctx) = context(&db, campaign, venue).await? else {
        return not_found();
    };
    let (_, svg) = link_and_qr(&req, &settings, &ctx)?;
    Ok(Reply::file(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .body(svg),
    ))
}

/// The venue's printable A4 poster: venue, campaign title, QR code.
#[utoipa::path(get, path = ep::Poster::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code"), ("venue" = String, Path, description = "The venue's code")), responses((status = 200, content_type = "text/html"), (status = 404, description = "No such campaign or venue", content_type = "text/html")))]
pub async fn poster(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    call: In<ep::Poster>,
) -> Answer<ep::Poster> {
    let SurveyPath { campaign, venue } = call.path;
    let Some(ctx) = context(&db, campaign, venue).await? else {
        return not_found();
    };
    let (url, svg) = link_and_qr(&req, &settings, &ctx)?;
    // Inline, without the XML declaration.
    let svg = svg
        .find("<svg")
        .map_or(svg.as_str(), |i| &svg[i..])
        .to_owned();
    html(
        StatusCode::OK,
        &PosterPage {
            title: ctx.campaign.title.clone(),
            organizer: ctx.campaign.organizer.clone(),
            venue_name: ctx.venue.2.clone(),
            period: format!(
                "{}至{}",
                date_zh(ctx.campaign.starts_on),
                date_zh(ctx.campaign.ends_on)
            ),
            url,
            qr_svg: svg,
        },
    )
}

/// The published results notice (结果反馈).
#[utoipa::path(get, path = ep::Results::PATH, tag = "citizen pages", params(("campaign" = String, Path, description = "The campaign's code")), responses((status = 200, content_type = "text/html"), (status = 404, description = "Not published", content_type = "text/html")))]
pub async fn results(db: web::Data<Db>, call: In<ep::Results>) -> Answer<ep::Results> {
    let Some(c) = submission::campaign(&db, call.path.campaign).await? else {
        return not_found();
    };
    let (Some(json), Some(at)) = (&c.published_results, c.published_at) else {
        return message(
            StatusCode::NOT_FOUND,
            MessagePage::new(&c.title, "", &["调查结果尚未发布,敬请关注。"]),
        );
    };
    let results: CampaignResults = serde_json::from_str(json).map_err(|e| {
        AppError::internal(anyhow::Error::new(e).context(format!("published results of {}", c.id)))
    })?;
    let page = ResultsPage::build(
        NoticeSpec {
            title: &c.title,
            organizer: &c.organizer,
            purpose: &c.purpose,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            published_on: china::date_of(at),
            conclusion: &c.conclusion,
        },
        &results,
    );
    let mut res = html(StatusCode::OK, &page)?;
    // A public notice may be cached briefly.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}
