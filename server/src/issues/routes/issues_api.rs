//! Issues: lists, one issue's page, and one endpoint per workflow step. Each handler
//! extracts, calls `issues::service::workflow::act` (which consults the workflow table) and answers
//! with the issue as it now is.

use crate::http::contract::{Answer, In, Reply};
use actix_web::{HttpRequest, web};
use flowwalk_shared::api::issues::{
    AcceptanceRequest, BulkResult, BulkTriageRequest, EvidenceRequest, ImportQuery, ImportRejected,
    ImportResult, IssueDetail, IssueQuery, IssueSort, IssueSummary, NoteRequest, Page,
    PanelRequest, RecheckRequest, TransferRequest, TriageRequest, VoteRequest,
};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::issues as ep;
use flowwalk_shared::time::china;
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::{AppError, prefers_english};
use crate::issues::rules::report_periods::Period;
use crate::issues::service::evaluation_import::{Format, ImportFailure};
use crate::issues::service::list::{self, Filter};
use crate::issues::service::workflow::{self, Command};
use crate::issues::service::{AuditKey, view};
use flowwalk_shared::endpoint::Json;
use flowwalk_shared::endpoints::IdPath;

fn invalid_query(field: &str, zh: &str, en: &str) -> AppError {
    AppError::new(ErrorCode::InvalidQuery)
        .field(field)
        .message(zh.to_owned(), en.to_owned())
}

/// The list's filter from its query: every value checked, each refusal naming its parameter.
fn filter(query: &IssueQuery) -> Result<Filter, AppError> {
    let status = query
        .states()
        .map_err(|_| invalid_query("status", "未知的问题状态", "Unknown issue state"))?;
    let (from, to) = match &query.period {
        Some(p) => {
            let p = Period::parse(p).ok_or_else(|| {
                invalid_query(
                    "period",
                    "期间格式为 2026、2026-Q3 或 2026-07",
                    "A period is 2026, 2026-Q3 or 2026-07",
                )
            })?;
            (
                Some(china::midnight_utc(p.from)),
                Some(china::midnight_utc(p.to + chrono::Duration::days(1))),
            )
        }
        None => (None, None),
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(invalid_query("q", "搜索词过长", "Search text too long"));
    }
    Ok(Filter {
        status,
        source: query.source,
        department_id: query.department_id.clone(),
        venue_id: query.venue_id.clone(),
        town_id: query.town_id.clone(),
        scenario_id: query.scenario_id.clone(),
        category_id: query.category_id.clone(),
        overdue: query.overdue,
        from,
        to,
        q: q.map(str::to_owned),
    })
}

/// Issues the caller may see: everything for managers; a department's fixes for its
/// officers; a panel member's panels; an observer's own. Keyset-paged.
#[utoipa::path(get, path = ep::List::PATH, tag = "issues", security(("bearer" = [])), params(IssueQuery), responses(
    (status = 200, body = Page<IssueSummary>), (status = 400, body = ErrorBody)))]
pub async fn list(user: AuthUser, db: web::Data<Db>, call: In<ep::List>) -> Answer<ep::List> {
    let q = call.query;
    let filter = filter(&q)?;
    let sort = q.sort.unwrap_or(IssueSort::Created);
    let limit = q.limit.unwrap_or(list::DEFAULT_LIMIT);
    if !(1..=list::MAX_LIMIT).contains(&limit) {
        return Err(invalid_query(
            "limit",
            "limit 须在 1–200 之间",
            "limit must be 1–200",
        ));
    }
    Ok(Reply::ok(
        db.read(move |conn| list::page(conn, &user, &filter, sort, q.cursor.as_deref(), limit))
            .await?,
    ))
}

/// One issue with its occurrences, photos, evidence, panel, votes, deadline and audit
/// timeline. Department officers see no trace of who observed.
#[utoipa::path(get, path = ep::Get::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = IssueDetail), (status = 404, body = ErrorBody)))]
pub async fn get(user: AuthUser, db: web::Data<Db>, call: In<ep::Get>) -> Answer<ep::Get> {
    let id = call.path.id;
    Ok(Reply::ok(
        db.read(move |conn| view::get(conn, &user, &id)).await?,
    ))
}

/// Runs one command and answers with the issue.
async fn run(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    id: String,
    expected_version: i32,
    cmd: Command,
) -> Result<Reply<Json<IssueDetail>>, AppError> {
    let key = key.get_ref().clone();
    Ok(Reply::ok(
        db.write(move |conn| {
            let row = workflow::act(
                conn,
                &key,
                &user,
                &id,
                expected_version,
                cmd,
                crate::db::rows::now(),
            )?;
            view::detail(conn, &user, &row)
        })
        .await?,
    ))
}

/// Triage (研判): dismiss as invalid or explain (both with `reason`), fix now (deadline 1
/// working day) or put in the ledger (15 working days); optionally re-route.
#[utoipa::path(post, path = ep::Triage::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = TriageRequest, responses(
    (status = 200, body = IssueDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, description = "version_conflict or invalid_state", body = ErrorBody)))]
pub async fn triage(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Triage>,
) -> Answer<ep::Triage> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Triage {
        decision: b.decision,
        reason: b.reason,
        department_id: b.department_id,
        severity: b.severity,
    };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// The same triage for many issues; each succeeds or fails on its own.
#[utoipa::path(post, path = ep::TriageBulk::PATH, tag = "issues", security(("bearer" = [])), request_body = BulkTriageRequest, responses(
    (status = 200, body = [BulkResult]), (status = 400, body = ErrorBody)))]
pub async fn triage_bulk(
    req: HttpRequest,
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::TriageBulk>,
) -> Answer<ep::TriageBulk> {
    let b = call.body;
    if b.issues.is_empty() || b.issues.len() > 200 {
        return Err(AppError::invalid(
            "issues",
            "一次可处理 1–200 个问题",
            "1–200 issues at a time",
        ));
    }
    let english = prefers_english(req.headers());
    let mut out = Vec::with_capacity(b.issues.len());
    for item in b.issues {
        let cmd = Command::Triage {
            decision: b.decision,
            reason: b.reason.clone(),
            department_id: None,
            severity: None,
        };
        let (user, key, id) = (user.clone(), key.get_ref().clone(), item.id.clone());
        let result = db
            .write(move |conn| {
                workflow::act(
                    conn,
                    &key,
                    &user,
                    &id,
                    item.expected_version,
                    cmd,
                    crate::db::rows::now(),
                )
            })
            .await;
        out.push(match result {
            Ok(row) => BulkResult {
                id: item.id,
                version: Some(row.version),
                code: None,
                message: None,
            },
            Err(e) if e.code.http_status() < 500 => BulkResult {
                id: item.id,
                version: None,
                code: Some(e.code),
                message: Some(if english {
                    e.code_message()
                } else {
                    e.message_zh().to_owned()
                }),
            },
            Err(e) => return Err(e),
        });
    }
    Ok(Reply::ok(out))
}

/// The observer appeals a dismissal (once): back to triage.
#[utoipa::path(post, path = ep::Appeal::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = NoteRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, description = "appeal_used, version_conflict or invalid_state", body = ErrorBody)))]
pub async fn appeal(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Appeal>,
) -> Answer<ep::Appeal> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Appeal { note: b.note };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// The responsible department's officer submits evidence of the fix (text and photos
/// uploaded first through `PUT /api/v1/photos/{sha256}`).
#[utoipa::path(post, path = ep::Evidence::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = EvidenceRequest, responses(
    (status = 200, body = IssueDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn evidence(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Evidence>,
) -> Answer<ep::Evidence> {
    let id = call.path.id;
    let b = call.body;
    b.check_shape()?;
    let client_id = b.client_id.clone();
    let cmd = Command::SubmitEvidence {
        note: b.note,
        photos: b.photos,
        client_id: b.client_id,
    };
    match run(
        user.clone(),
        db.clone(),
        key,
        id.clone(),
        b.expected_version,
        cmd,
    )
    .await
    {
        // Two deliveries of the same evidence at once: the unique client id let one in;
        // the other is answered as the retry it is.
        Err(e) if client_id.is_some() => {
            let answer = db
                .read(move |conn| {
                    let cid = client_id.unwrap_or_default();
                    workflow::replayed_evidence(conn, &user, &id, &cid)
                })
                .await?;
            answer.map(Reply::ok).ok_or(e)
        }
        other => other,
    }
}

/// The department asks a manager to transfer the issue to another department.
#[utoipa::path(post, path = ep::TransferRequest::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = NoteRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, body = ErrorBody)))]
pub async fn transfer_request(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::TransferRequest>,
) -> Answer<ep::TransferRequest> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::RequestTransfer { note: b.note };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// A manager transfers the issue (`department_id`), or declines the department's request
/// (no `department_id`, a `note` saying why).
#[utoipa::path(post, path = ep::Transfer::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = TransferRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Transfer>,
) -> Answer<ep::Transfer> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Transfer {
        department_id: b.department_id,
        note: b.note,
    };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// A manager accepts or rejects a fix-now issue's evidence.
#[utoipa::path(post, path = ep::Acceptance::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = AcceptanceRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, body = ErrorBody)))]
pub async fn acceptance(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Acceptance>,
) -> Answer<ep::Acceptance> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Acceptance {
        accept: b.accept,
        reason: b.reason,
    };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// A manager forms (or re-forms) a ledger issue's acceptance panel (验收团).
#[utoipa::path(put, path = ep::Panel::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = PanelRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, body = ErrorBody), (status = 422, description = "panel_incomplete", body = ErrorBody)))]
pub async fn panel(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Panel>,
) -> Answer<ep::Panel> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::FormPanel { members: b.members };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// A panel member approves or rejects (with reasons) the current evidence. When every
/// constituency has approved and nothing is rejected, the issue is signed off.
#[utoipa::path(post, path = ep::Vote::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = VoteRequest, responses(
    (status = 200, body = IssueDetail), (status = 403, description = "forbidden or conflict_of_interest", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn vote(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Vote>,
) -> Answer<ep::Vote> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Vote {
        approve: b.approve,
        reason: b.reason,
    };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// The citizen re-check: the observer, or a manager recording a return visit, says whether
/// the citizen side is satisfied (closed) or not (reopened).
#[utoipa::path(post, path = ep::Recheck::PATH, tag = "issues", security(("bearer" = [])), params(IdPath), request_body = RecheckRequest, responses(
    (status = 200, body = IssueDetail), (status = 409, body = ErrorBody)))]
pub async fn recheck(
    user: AuthUser,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    call: In<ep::Recheck>,
) -> Answer<ep::Recheck> {
    let id = call.path.id;
    let b = call.body;
    let cmd = Command::Recheck {
        satisfied: b.satisfied,
        note: b.note,
    };
    run(user, db, key, id, b.expected_version, cmd).await
}

/// Import the bad reviews (差评) exported by the 好差评 system: the file is the body
/// (`text/csv` or the XLSX type). All rows or none; re-importing creates nothing new.
#[utoipa::path(post, path = ep::Import::PATH, tag = "issues", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = ImportResult), (status = 422, description = "import_rejected, with every bad row", body = ImportRejected)))]
pub async fn import_reviews(
    req: HttpRequest,
    db: web::Data<Db>,
    key: web::Data<AuditKey>,
    body: web::Bytes,
    call: In<ep::Import>,
) -> Answer<ep::Import> {
    let query = call.query;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match query.format.as_deref() {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => {
            return Err(invalid_query(
                "format",
                "格式须为 csv 或 xlsx",
                "format is csv or xlsx",
            ));
        }
        None if content_type.contains("spreadsheetml") || body.starts_with(b"PK") => Format::Xlsx,
        None => Format::Csv,
    };
    let key = key.get_ref().clone();
    let outcome = db
        .write(move |conn| {
            match crate::issues::service::evaluation_import::reviews(
                conn,
                &key,
                &body,
                format,
                crate::db::rows::now(),
            ) {
                Ok(r) => Ok(Ok(r)),
                // Bad rows: nothing written (the transaction rolls back on Err only, and
                // nothing was written before the rows were checked).
                Err(ImportFailure::Rows(rows)) => Ok(Err(rows)),
                Err(ImportFailure::Other(e)) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(r) => Ok(Reply::ok(r)),
        Err(rows) => Err(AppError::import_rejected(rows)),
    }
}
