//! The sync engine: when to sync ([`Schedule`]), and one round of token refresh, pull,
//! push and photo upload against a [`Transport`] ([`round`]) — or, for a department
//! officer, of sending evidence and fetching the department's open issues
//! ([`officer_once`]). No UI: the screens only ask the schedule whether a round is due and
//! show what the round reports.
//!
//! It never loses or duplicates a record: a record leaves the waiting state only when the
//! server answered `accepted` or `already_had` for it, and the server stores each
//! `(id, rev)` once however often it is sent — so after a lost answer, sending again is
//! always safe. Failures worth retrying back off; refusals are final and shown.

use flowwalk_shared::sync::{PROTOCOL_VERSION, PushRecord, PushRequest, RawJson, ReferenceData};
use flowwalk_shared::{ErrorCode, Role};

use crate::api::{ApiError, Transport};
use crate::backoff;
use crate::outbox::Outbox;
use crate::session::Session;

/// How often the automatic sync looks at the clock and the network.
pub const TICK_MS: u32 = 2_000;
/// With nothing failing, how often a round runs anyway (review outcomes come back).
pub const IDLE_POLL_MS: i64 = 60_000;
/// Access tokens are refreshed this long before they expire.
pub const REFRESH_MARGIN_MS: i64 = 60_000;

/// When the automatic sync runs a round: at once when asked (sync now, a submit, a login)
/// or when the network comes back; after a round that failed, backed off with jitter so a
/// hall full of phones regaining Wi-Fi does not hit the server in lockstep; otherwise now
/// and then to fetch review outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    next_at_ms: i64,
    failures: u32,
    was_online: bool,
}

/// Why a round is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Its time came (asked for, backed off, or polling).
    Scheduled,
    /// The network came back: records waiting out their own back-off go now too
    /// (`AppData::retry_now` before the round).
    NetworkBack,
}

impl Schedule {
    pub fn new(online: bool) -> Self {
        Schedule {
            next_at_ms: i64::MIN,
            failures: 0,
            was_online: online,
        }
    }

    /// Whether a round should start now, and why; `can_sync` is a session that needs no
    /// login.
    pub fn due(&mut self, now_ms: i64, online: bool, can_sync: bool) -> Option<Due> {
        let back = online && !self.was_online;
        if back {
            // The network came back: try at once, forgetting the back-off.
            self.asked();
        }
        self.was_online = online;
        if !(can_sync && online && now_ms >= self.next_at_ms) {
            return None;
        }
        Some(if back {
            Due::NetworkBack
        } else {
            Due::Scheduled
        })
    }

    /// The observer asked for a round: the next check runs one.
    pub fn asked(&mut self) {
        self.next_at_ms = i64::MIN;
        self.failures = 0;
    }

    /// A round ended with `report` at `now_ms`, leaving `outbox`; `jitter` in `[0, 1)`.
    /// All well, the next round is when the first waiting record is due again, at the
    /// latest [`IDLE_POLL_MS`] later; after a failure, backed off.
    pub fn finished(&mut self, report: &SyncReport, outbox: &Outbox, now_ms: i64, jitter: f64) {
        if report.reached_server && report.retry_later.is_empty()
            || report.needs_login
            || report.account.is_some()
        {
            self.failures = 0;
            let poll = now_ms.saturating_add(IDLE_POLL_MS);
            self.next_at_ms = outbox
                .next_attempt_at_ms()
                .map_or(poll, |at| at.clamp(now_ms, poll));
        } else {
            let wait = backoff::delay_ms(self.failures, jitter);
            self.failures = self.failures.saturating_add(1);
            self.next_at_ms = now_ms.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
        }
        if let Some(at) = report.not_before_ms {
            self.next_at_ms = self.next_at_ms.max(at);
        }
    }

    /// When the next round is due (device ms).
    pub fn next_at_ms(&self) -> i64 {
        self.next_at_ms
    }

    /// Rounds that failed in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// What a round produced, to merge into the state (`AppData::apply_round`).
#[derive(Debug)]
pub struct Round {
    pub outbox: Outbox,
    pub reference: Option<ReferenceData>,
    /// The session, when its tokens were refreshed or refused.
    pub session: Option<Session>,
    pub report: SyncReport,
}

/// One round: refresh the tokens through the transport if they are due, then pull, push
/// and upload. Works on copies; `progress` sees the round's copy of the outbox as answers
/// and photos go through (for the screen only).
#[allow(clippy::too_many_arguments)]
pub async fn round<T: Transport, P: PhotoSource>(
    transport: &T,
    photos: &P,
    session: &Session,
    outbox: &Outbox,
    device_id: &str,
    now_ms: i64,
    jitter: f64,
    progress: &mut impl FnMut(&Outbox),
) -> Round {
    let mut session = session.clone();
    let mut changed_session = false;
    let mut outbox = outbox.clone();
    if session
        .access_expires_at_ms
        .saturating_sub(REFRESH_MARGIN_MS)
        <= now_ms
    {
        match transport.refresh(&session.refresh_token).await {
            Ok(t) => {
                session = session.refreshed(t, now_ms);
                changed_session = true;
            }
            Err(e @ ApiError::Refused { .. })
                if e.is_unauthorized()
                    || e.account_refusal().is_some()
                    || matches!(e, ApiError::Refused { status: 400, .. }) =>
            {
                let mut report = SyncReport::default();
                if !report.session_refused(&e) {
                    report.needs_login = true;
                }
                report.mark(&mut session);
                return Round {
                    outbox,
                    reference: None,
                    session: Some(session),
                    report,
                };
            }
            // No answer (the refresh may or may not have reached the server): nothing is
            // touched, the round below fails the same way and the schedule retries.
            Err(e) => {
                let report = SyncReport {
                    retry_later: vec![format!("refresh: {}", e.describe())],
                    reached_server: !e.is_retryable(),
                    ..SyncReport::default()
                };
                return Round {
                    outbox,
                    reference: None,
                    session: None,
                    report,
                };
            }
        }
    }
    let report = if session.user.role == Role::DepartmentOfficer {
        officer_once(&mut outbox, transport, photos, now_ms, jitter, progress).await
    } else {
        sync_once_reporting(
            &mut outbox,
            transport,
            photos,
            device_id,
            now_ms,
            jitter,
            progress,
        )
        .await
    };
    if report.needs_login || report.account.is_some() {
        report.mark(&mut session);
        changed_session = true;
    }
    Round {
        outbox,
        reference: report.reference.clone(),
        session: changed_session.then_some(session),
        report,
    }
}

/// The most records sent in one push.
pub const BATCH: usize = 10;

/// Where the photo bytes live on the device (IndexedDB on the web, files natively).
#[allow(async_fn_in_trait)]
pub trait PhotoSource {
    async fn photo(&self, sha256: &str) -> Option<Vec<u8>>;
}

/// What one round did, for the screen and the logs.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Reference data, when the pull carried a new copy: store it for offline use.
    pub reference: Option<ReferenceData>,
    pub stored: usize,
    pub refused: usize,
    pub photos_uploaded: usize,
    /// Failures worth retrying, already scheduled.
    pub retry_later: Vec<String>,
    /// Whether the server answered at all.
    pub reached_server: bool,
    /// The server no longer accepts the session's token: log in again (nothing is lost;
    /// the round stopped before touching any record).
    pub needs_login: bool,
    /// The server refused the account itself (`account_disabled`: `needs_login` is set
    /// too; `password_change_required`): the round stopped before touching any record, and
    /// the session says so from now on.
    pub account: Option<ErrorCode>,
    /// The server asked not to come back before this time (device ms): a quota or a limit
    /// (`429`, `Retry-After`). The schedule waits at least this long.
    pub not_before_ms: Option<i64>,
}

impl SyncReport {
    /// Whether `e` refused the session rather than a record — its token (log in again) or
    /// the account itself (disabled, a new password first) — and notes which: the round
    /// stops there, every record kept as it is.
    fn session_refused(&mut self, e: &ApiError) -> bool {
        if let Some(code) = e.account_refusal() {
            self.account = Some(code);
            self.needs_login |= code == ErrorCode::AccountDisabled;
            true
        } else if e.is_unauthorized() {
            self.needs_login = true;
            true
        } else {
            false
        }
    }

    /// What the session knows after this round: log in again, disabled, a new password.
    fn mark(&self, session: &mut Session) {
        if self.needs_login {
            session.needs_login = true;
        }
        if let Some(code) = self.account {
            session.account_refused(code);
        }
    }

    /// Keeps the time the server asked us to wait for (`Retry-After`), if it asked;
    /// says whether it did.
    fn wait_if_asked(&mut self, e: &ApiError, now_ms: i64) -> bool {
        let asked = e.retry_after_ms();
        if let Some(ms) = asked {
            self.not_before_ms = Some(now_ms.saturating_add(ms));
        }
        asked.is_some()
    }
}

/// One round. `now_ms` is the device clock; `jitter` in `[0, 1)` spreads retries.
/// The caller persists `outbox` afterwards (and may after every step).
pub async fn sync_once<T: Transport, P: PhotoSource>(
    outbox: &mut Outbox,
    transport: &T,
    photos: &P,
    device_id: &str,
    now_ms: i64,
    jitter: f64,
) -> SyncReport {
    sync_once_reporting(
        outbox,
        transport,
        photos,
        device_id,
        now_ms,
        jitter,
        &mut |_| {},
    )
    .await
}

/// [`sync_once`], showing `progress` the outbox after each answer and each photo (on a
/// hall's Wi-Fi a photo can take a while; the screen shows how far it got).
pub async fn sync_once_reporting<T: Transport, P: PhotoSource>(
    outbox: &mut Outbox,
    transport: &T,
    photos: &P,
    device_id: &str,
    now_ms: i64,
    jitter: f64,
    progress: &mut impl FnMut(&Outbox),
) -> SyncReport {
    let mut report = SyncReport::default();

    match transport.pull(&outbox.cursor).await {
        Ok(pull) => {
            report.reached_server = true;
            for outcome in &pull.reviews {
                outbox.apply_review(outcome);
            }
            report.reference = pull.reference;
            outbox.cursor = pull.cursor;
        }
        Err(e) if report.session_refused(&e) => return report,
        Err(e) => report.retry_later.push(format!("pull: {}", e.describe())),
    }

    let due: Vec<(String, u32)> = outbox
        .due(now_ms)
        .iter()
        .map(|e| (e.record.id.clone(), e.record.rev))
        .collect();
    for chunk in due.chunks(BATCH) {
        let records: Vec<PushRecord> = chunk
            .iter()
            .filter_map(|(id, _)| outbox.get(id))
            // Writing a record as JSON cannot fail (plain fields, string keys).
            .filter_map(|e| {
                Some(PushRecord {
                    id: e.record.id.clone(),
                    rev: e.record.rev,
                    content_hash: e.record.content_hash(),
                    walkthrough: RawJson::new(&e.record).ok()?,
                })
            })
            .collect();
        let request = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device_id.to_owned(),
            device_time_ms: now_ms,
            records,
        };
        match transport.push(&request).await {
            Ok(answer) => {
                report.reached_server = true;
                for r in &answer.results {
                    outbox.apply_push_result(r);
                    if r.status.is_stored() {
                        report.stored += 1;
                    } else {
                        report.refused += 1;
                    }
                }
                progress(outbox);
            }
            Err(e) if report.session_refused(&e) => return report,
            Err(ApiError::Refused { body, .. }) => {
                report.reached_server = true;
                for (id, rev) in chunk {
                    outbox.refused(id, *rev, body.code, &body.message);
                    report.refused += 1;
                }
            }
            Err(e) => {
                let why = e.describe();
                report.wait_if_asked(&e, now_ms);
                for (id, rev) in chunk {
                    outbox.transient_failure(id, *rev, now_ms, jitter, &why);
                }
                report.retry_later.push(format!("push: {why}"));
                // No network: the photos would fail too.
                return report;
            }
        }
    }

    upload_photos(outbox, transport, photos, now_ms, &mut report, progress).await;
    report
}

/// Uploads the photos the server still lacks, one at a time; a photo no longer on the phone
/// or refused ends its record's uploads, any other problem ends the round.
async fn upload_photos<T: Transport, P: PhotoSource>(
    outbox: &mut Outbox,
    transport: &T,
    photos: &P,
    now_ms: i64,
    report: &mut SyncReport,
    progress: &mut impl FnMut(&Outbox),
) {
    for (id, rev, missing) in outbox.photo_uploads() {
        for sha in missing {
            let Some(bytes) = photos.photo(&sha).await else {
                outbox.refused(&id, rev, ErrorCode::NotFound, "照片已不在手机上,无法上传");
                report.refused += 1;
                break;
            };
            match transport.put_photo(&sha, bytes).await {
                Ok(()) => {
                    outbox.photo_uploaded(&id, rev, &sha);
                    report.photos_uploaded += 1;
                    progress(outbox);
                }
                Err(e) if report.session_refused(&e) => return,
                Err(ApiError::Refused { body, .. }) => {
                    outbox.refused(&id, rev, body.code, &body.message);
                    report.refused += 1;
                    break;
                }
                Err(e) => {
                    let why = e.describe();
                    if report.wait_if_asked(&e, now_ms) {
                        // A quota, not a refusal: the photo waits, and says why.
                        outbox.waiting_because(&id, rev, &why);
                    }
                    report.retry_later.push(format!("photo: {why}"));
                    return;
                }
            }
        }
    }
}

/// The most pages of open issues a round fetches (200 each).
pub const ISSUE_PAGES: usize = 10;

/// A department officer's round: each due round of evidence goes — its photos first, then
/// the evidence under its client id, so a retry after a lost answer is stored once — and
/// then the department's open issues are fetched for working offline.
pub async fn officer_once<T: Transport, P: PhotoSource>(
    outbox: &mut Outbox,
    transport: &T,
    photos: &P,
    now_ms: i64,
    jitter: f64,
    progress: &mut impl FnMut(&Outbox),
) -> SyncReport {
    let mut report = SyncReport::default();
    'evidence: for id in outbox.evidence_due(now_ms) {
        let Some(entry) = outbox.evidence(&id).cloned() else {
            continue;
        };
        for sha in &entry.missing_photos {
            let Some(bytes) = photos.photo(sha).await else {
                outbox.evidence_refused(&id, ErrorCode::NotFound, "照片已不在手机上,无法上传");
                report.refused += 1;
                continue 'evidence;
            };
            let answer = transport.put_photo(sha, bytes).await;
            match settle(answer, &mut report, outbox, &id, now_ms, jitter, "photo") {
                Next::Go => {
                    outbox.evidence_photo_uploaded(&id, sha);
                    report.photos_uploaded += 1;
                    progress(outbox);
                }
                Next::Skip => continue 'evidence,
                Next::Stop => return report,
            }
        }
        let answer = transport
            .submit_evidence(&entry.issue_id, &entry.request())
            .await;
        match settle(answer, &mut report, outbox, &id, now_ms, jitter, "evidence") {
            Next::Go => {
                outbox.evidence_stored(&id);
                report.stored += 1;
                progress(outbox);
            }
            Next::Skip => {}
            Next::Stop => return report,
        }
    }

    let mut issues = Vec::new();
    let mut cursor = String::new();
    for _ in 0..ISSUE_PAGES {
        match transport.open_issues(&cursor).await {
            Ok(page) => {
                report.reached_server = true;
                issues.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = next,
                    None => break,
                }
            }
            Err(e) if report.session_refused(&e) => return report,
            Err(e) => {
                report.retry_later.push(format!("issues: {}", e.describe()));
                return report;
            }
        }
    }
    outbox.issues = issues;
    report
}

/// What to do after one answer while sending evidence.
enum Next {
    /// It went through: carry on.
    Go,
    /// Refused (final, recorded on the entry): on to the next evidence.
    Skip,
    /// No answer worth going on without (a network, a login): the round ends.
    Stop,
}

/// Records one answer while sending evidence `id`: a refusal is final and shown; a
/// failure worth retrying waits (as long as the server asked, for a quota) and ends the
/// round, since without a network the rest would fail too; a refused token asks for a
/// login.
fn settle(
    answer: Result<(), ApiError>,
    report: &mut SyncReport,
    outbox: &mut Outbox,
    id: &str,
    now_ms: i64,
    jitter: f64,
    what: &str,
) -> Next {
    match answer {
        Ok(()) => {
            report.reached_server = true;
            Next::Go
        }
        Err(e) if report.session_refused(&e) => Next::Stop,
        Err(ApiError::Refused { body, .. }) => {
            report.reached_server = true;
            outbox.evidence_refused(id, body.code, &body.message);
            report.refused += 1;
            Next::Skip
        }
        Err(e) => {
            let why = e.describe();
            report.wait_if_asked(&e, now_ms);
            outbox.evidence_failed(id, now_ms, jitter, &why);
            report.retry_later.push(format!("{what}: {why}"));
            Next::Stop
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use flowwalk_shared::ErrorBody;
    use flowwalk_shared::api::assignments::WalkMode;
    use flowwalk_shared::api::auth::{Me, TokenResponse};
    use flowwalk_shared::api::issues::IssueSummary;
    use flowwalk_shared::sync::{
        PullResponse, PushResponse, PushResult, PushStatus, ReviewOutcome, ReviewStatus,
    };
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::{Finding, Severity, WalkthroughRecord};

    use super::*;
    use crate::outbox::{EvidenceState, OutboxError, SendState};
    use flowwalk_shared::api::issues::{EvidenceRequest, IssueSource, IssueState, Page};

    /// A server in memory: stores each (id, rev) once, can lose answers, refuse, or be
    /// unreachable.
    #[derive(Default)]
    struct FakeServer {
        stored: RefCell<HashMap<(String, u32), String>>,
        photos: RefCell<Vec<String>>,
        lose_next_answer: RefCell<bool>,
        offline: RefCell<bool>,
        refuse_photos: RefCell<bool>,
        /// Photos answered 429 photo_quota_exceeded with this Retry-After (ms).
        photo_quota_wait: RefCell<Option<i64>>,
        reviews: RefCell<Vec<ReviewOutcome>>,
        pushes: RefCell<usize>,
        /// The access token the server accepts, and the one this transport sends.
        valid_token: RefCell<String>,
        token: RefCell<String>,
        refresh: RefCell<Refresh>,
        refreshes: RefCell<Vec<String>>,
        /// Evidence stored: client id → issue id; and every evidence request received.
        evidence: RefCell<HashMap<String, String>>,
        evidence_posts: RefCell<usize>,
        /// The department's open issues the server lists.
        open: RefCell<Vec<IssueSummary>>,
        /// Every call (a refresh too) refused for the account itself with this code.
        refuse_account: RefCell<Option<ErrorCode>>,
    }

    /// How the fake answers a refresh.
    #[derive(Default, Clone, Copy)]
    enum Refresh {
        #[default]
        Grant,
        /// The server spends the token and makes new ones, but the answer is lost.
        LoseAnswer,
        /// The refresh token is revoked.
        Refuse,
    }

    fn unauthorized() -> ApiError {
        ApiError::Refused {
            status: 401,
            body: ErrorBody {
                code: ErrorCode::TokenExpired,
                message: "登录已过期".into(),
                field: None,
            },
        }
    }

    fn account_refused(code: ErrorCode) -> ApiError {
        ApiError::Refused {
            status: 403,
            body: ErrorBody {
                code,
                message: code.default_message_zh().into(),
                field: None,
            },
        }
    }

    impl FakeServer {
        fn authorized(&self) -> Result<(), ApiError> {
            if *self.offline.borrow() {
                return Err(ApiError::Network("offline".into()));
            }
            if let Some(code) = *self.refuse_account.borrow() {
                return Err(account_refused(code));
            }
            if *self.token.borrow() != *self.valid_token.borrow() {
                return Err(unauthorized());
            }
            Ok(())
        }
    }

    impl Transport for FakeServer {
        async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, ApiError> {
            if *self.offline.borrow() {
                return Err(ApiError::Network("offline".into()));
            }
            if let Some(code) = *self.refuse_account.borrow() {
                return Err(account_refused(code));
            }
            self.refreshes.borrow_mut().push(refresh_token.to_owned());
            let n = self.refreshes.borrow().len();
            let access = format!("access-{n}");
            match *self.refresh.borrow() {
                Refresh::Refuse => return Err(unauthorized()),
                Refresh::LoseAnswer => {
                    self.valid_token.replace(access);
                    return Err(ApiError::Network("connection reset".into()));
                }
                Refresh::Grant => {}
            }
            self.valid_token.replace(access.clone());
            self.token.replace(access.clone());
            Ok(TokenResponse {
                access_token: access,
                refresh_token: format!("refresh-{n}"),
                token_type: "Bearer".into(),
                expires_in: 900,
                refresh_expires_in: 86_400,
                user: me(),
            })
        }

        async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
            self.authorized()?;
            *self.pushes.borrow_mut() += 1;
            let results = request
                .records
                .iter()
                .map(|r| {
                    let key = (r.id.clone(), r.rev);
                    let mut stored = self.stored.borrow_mut();
                    let status = match stored.get(&key) {
                        Some(h) if *h == r.content_hash => PushStatus::AlreadyHad,
                        Some(_) => PushStatus::Conflict,
                        None => {
                            stored.insert(key, r.content_hash.clone());
                            PushStatus::Accepted
                        }
                    };
                    let missing = r
                        .walkthrough
                        .parse()
                        .expect("the engine sends records as JSON")
                        .photo_hashes()
                        .into_iter()
                        .filter(|h| !self.photos.borrow().contains(h))
                        .collect();
                    PushResult {
                        id: r.id.clone(),
                        rev: r.rev,
                        status,
                        code: None,
                        message: None,
                        field: None,
                        missing_photos: missing,
                    }
                })
                .collect();
            if std::mem::take(&mut *self.lose_next_answer.borrow_mut()) {
                return Err(ApiError::Network(
                    "connection reset after the server committed".into(),
                ));
            }
            Ok(PushResponse {
                server_time_ms: 0,
                results,
            })
        }

        async fn pull(&self, cursor: &str) -> Result<PullResponse, ApiError> {
            self.authorized()?;
            let reviews = if cursor == "1" {
                Vec::new()
            } else {
                self.reviews.borrow().clone()
            };
            Ok(PullResponse {
                cursor: "1".into(),
                server_time_ms: 0,
                reference: None,
                reviews,
            })
        }

        async fn put_photo(&self, sha256: &str, _bytes: Vec<u8>) -> Result<(), ApiError> {
            self.authorized()?;
            if let Some(ms) = *self.photo_quota_wait.borrow() {
                return Err(ApiError::Busy {
                    status: 429,
                    retry_after_ms: Some(ms),
                    body: Some(ErrorBody {
                        code: ErrorCode::PhotoQuotaExceeded,
                        message: "今日照片上传量已达上限,请明天再上传".into(),
                        field: None,
                    }),
                });
            }
            if *self.refuse_photos.borrow() {
                return Err(ApiError::Refused {
                    status: 413,
                    body: ErrorBody {
                        code: ErrorCode::PhotoTooLarge,
                        message: "照片文件过大".into(),
                        field: None,
                    },
                });
            }
            self.photos.borrow_mut().push(sha256.to_owned());
            Ok(())
        }

        async fn open_issues(&self, _cursor: &str) -> Result<Page<IssueSummary>, ApiError> {
            self.authorized()?;
            Ok(Page {
                items: self.open.borrow().clone(),
                next_cursor: None,
            })
        }

        async fn submit_evidence(
            &self,
            issue_id: &str,
            request: &EvidenceRequest,
        ) -> Result<(), ApiError> {
            self.authorized()?;
            *self.evidence_posts.borrow_mut() += 1;
            for sha in &request.photos {
                if !self.photos.borrow().contains(sha) {
                    return Err(ApiError::Refused {
                        status: 422,
                        body: ErrorBody {
                            code: ErrorCode::UnknownReference,
                            message: "照片尚未上传".into(),
                            field: None,
                        },
                    });
                }
            }
            let client_id = request.client_id.clone().unwrap_or_default();
            let known = self.evidence.borrow().contains_key(&client_id);
            if !known {
                if request.expected_version != 3 {
                    return Err(ApiError::Refused {
                        status: 409,
                        body: ErrorBody {
                            code: ErrorCode::VersionConflict,
                            message: "该问题已被他人更新".into(),
                            field: None,
                        },
                    });
                }
                self.evidence
                    .borrow_mut()
                    .insert(client_id, issue_id.to_owned());
                self.open.borrow_mut().retain(|i| i.id != issue_id);
            }
            if std::mem::take(&mut *self.lose_next_answer.borrow_mut()) {
                return Err(ApiError::Network("connection reset".into()));
            }
            Ok(())
        }
    }

    fn me() -> Me {
        Me {
            id: "me".into(),
            username: "u".into(),
            display_name: "U".into(),
            role: flowwalk_shared::Role::Experiencer,
            department_id: None,
            must_change_password: false,
        }
    }

    fn session(expires_at_ms: i64) -> Session {
        Session {
            base_url: "http://x".into(),
            user: me(),
            access_token: String::new(),
            access_expires_at_ms: expires_at_ms,
            refresh_token: "refresh-0".into(),
            needs_login: false,
            disabled: false,
        }
    }

    struct Photos;
    impl PhotoSource for Photos {
        async fn photo(&self, _sha: &str) -> Option<Vec<u8>> {
            Some(vec![1, 2, 3])
        }
    }

    fn record(id: &str, photos: Vec<String>) -> WalkthroughRecord {
        WalkthroughRecord {
            id: id.into(),
            rev: 1,
            assignment_id: "a".into(),
            scenario_version_id: "v".into(),
            device_id: "d".into(),
            mode: WalkMode::InPerson,
            started_at_ms: 0,
            ended_at_ms: 1,
            steps: vec![],
            findings: vec![Finding {
                id: "f".into(),
                step_id: None,
                category_id: "long_queue".into(),
                severity: Severity::Low,
                description: "x".into(),
                photos,
                location: None,
            }],
            commendations: vec![],
            satisfaction: Satisfaction::Satisfied,
            smoothness: Smoothness::Smooth,
            comment: String::new(),
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap()
    }

    const P1: &str = "00000000000000000000000000000000000000000000000000000000000000a1";

    /// An open issue of the officer's department, at version 3.
    fn open_issue(id: &str) -> IssueSummary {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
        IssueSummary {
            id: id.into(),
            source: IssueSource::Walkthrough,
            status: IssueState::FixNow,
            track: None,
            version: 3,
            title: "取号机故障".into(),
            severity: Severity::Medium,
            venue_id: "v".into(),
            venue_name: "政务服务中心".into(),
            department_id: "d".into(),
            department_name: "市场监管局".into(),
            category_id: None,
            category_name: None,
            scenario_id: None,
            scenario_name: None,
            step_name: String::new(),
            occurrence_count: 1,
            first_seen_at: t,
            last_seen_at: t,
            deadline: None,
            overdue: false,
            transfer_requested: false,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn an_officer_s_evidence_waits_offline_and_is_stored_once() {
        let server = FakeServer::default();
        server
            .open
            .replace(vec![open_issue("i1"), open_issue("i2")]);
        let mut outbox = Outbox::default();
        // Online once: the open issues come to the phone.
        block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            0,
            0.5,
            &mut |_| {},
        ));
        assert_eq!(outbox.issues.len(), 2);
        // Offline: written, with a photo, and submitted; a second tap changes nothing.
        server.offline.replace(true);
        let id = outbox.open_evidence("i1", "ev-1".into()).unwrap();
        assert_eq!(
            outbox.open_evidence("i1", "ev-other".into()).unwrap(),
            id,
            "one draft per issue"
        );
        outbox
            .edit_evidence(&id, |e| {
                e.note = "  已修好取号机  ".into();
                e.photos.push(P1.into());
            })
            .unwrap();
        outbox.submit_evidence(&id).unwrap();
        assert_eq!(
            outbox.submit_evidence(&id),
            Err(OutboxError::AlreadySubmitted)
        );
        assert_eq!(outbox.evidence.len(), 1);
        assert_eq!(outbox.evidence[0].note, "已修好取号机");
        let report = block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            1_000,
            0.5,
            &mut |_| {},
        ));
        assert!(!report.reached_server);
        assert_eq!(outbox.evidence[0].state, EvidenceState::Waiting);
        assert!(
            outbox.evidence[0].last_error.is_some(),
            "the phone says why"
        );
        assert_eq!(outbox.issues.len(), 2, "the offline list is kept");
        // Back online; the evidence is stored but the answer is lost.
        server.offline.replace(false);
        server.lose_next_answer.replace(true);
        let later = 10 * 60_000;
        block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            later,
            0.5,
            &mut |_| {},
        ));
        assert_eq!(
            outbox.evidence[0].state,
            EvidenceState::Waiting,
            "not answered"
        );
        assert_eq!(*server.photos.borrow(), vec![P1.to_owned()]);
        // The retry carries the same client id and the version first seen: stored once.
        let report = block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            2 * later,
            0.5,
            &mut |_| {},
        ));
        assert_eq!(report.stored, 1);
        assert_eq!(outbox.evidence[0].state, EvidenceState::Sent);
        assert_eq!(*server.evidence_posts.borrow(), 2);
        assert_eq!(server.evidence.borrow().len(), 1);
        assert_eq!(
            outbox
                .issues
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>(),
            vec!["i2"],
            "the list follows the server"
        );
        // Evidence the server refuses (the issue moved on) needs attention, never loops.
        outbox.issues[0].version = 2;
        let id = outbox.open_evidence("i2", "ev-2".into()).unwrap();
        outbox
            .edit_evidence(&id, |e| e.note = "已整改".into())
            .unwrap();
        outbox.submit_evidence(&id).unwrap();
        block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            3 * later,
            0.5,
            &mut |_| {},
        ));
        assert!(matches!(
            outbox.evidence(&id).unwrap().state,
            EvidenceState::NeedsAttention {
                code: ErrorCode::VersionConflict,
                ..
            }
        ));
        block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            4 * later,
            0.5,
            &mut |_| {},
        ));
        assert_eq!(*server.evidence_posts.borrow(), 3, "not sent again");
        // The officer takes it back, against the version the phone now knows, and it goes.
        outbox.issues = vec![open_issue("i2")];
        let again = outbox.redo_evidence(&id, "ev-3".into()).unwrap();
        assert!(
            outbox.evidence(&id).is_none(),
            "the refused one is replaced"
        );
        let redone = outbox.evidence(&again).unwrap();
        assert_eq!(
            (redone.expected_version, redone.note.as_str()),
            (3, "已整改")
        );
        assert_eq!(redone.state, EvidenceState::Draft);
        outbox.submit_evidence(&again).unwrap();
        let report = block(officer_once(
            &mut outbox,
            &server,
            &Photos,
            5 * later,
            0.5,
            &mut |_| {},
        ));
        assert_eq!(report.stored, 1);
        assert_eq!(outbox.evidence(&again).unwrap().state, EvidenceState::Sent);
    }

    #[test]
    fn evidence_the_server_would_refuse_is_refused_on_the_phone() {
        let mut outbox = Outbox {
            issues: vec![open_issue("i1")],
            ..Outbox::default()
        };
        assert_eq!(
            outbox.open_evidence("nope", "x".into()),
            Err(OutboxError::UnknownIssue)
        );
        let id = outbox.open_evidence("i1", "ev-1".into()).unwrap();
        let field = |o: &mut Outbox| match o.submit_evidence(&id) {
            Err(OutboxError::Invalid(e)) => e.field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(field(&mut outbox), "note", "a note is required");
        outbox
            .edit_evidence(&id, |e| e.note = "字".repeat(2001))
            .unwrap();
        assert_eq!(field(&mut outbox), "note", "2,000 characters at most");
        outbox
            .edit_evidence(&id, |e| {
                e.note = "字".repeat(2000);
                e.photos = (0..21).map(|i| format!("{i:064x}")).collect();
            })
            .unwrap();
        assert_eq!(field(&mut outbox), "photos", "20 photos at most");
        outbox
            .edit_evidence(&id, |e| {
                e.photos.truncate(20);
                e.note = "已整改\u{7}".into();
            })
            .unwrap();
        assert_eq!(field(&mut outbox), "note", "no control characters");
        outbox
            .edit_evidence(&id, |e| e.note = "已整改:\n更换取号机\t并张贴指引".into())
            .unwrap();
        assert_eq!(outbox.submit_evidence(&id), Ok(()));
        assert_eq!(outbox.evidence(&id).unwrap().state, EvidenceState::Waiting);
        // Refused evidence of an issue that left the list can only be removed.
        outbox.evidence_refused(&id, ErrorCode::InvalidState, "该问题已转办");
        outbox.issues.clear();
        assert_eq!(
            outbox.redo_evidence(&id, "x2".into()),
            Err(OutboxError::UnknownIssue)
        );
        assert_eq!(outbox.drop_refused_evidence(&id).len(), 20);
        assert!(outbox.evidence.is_empty());
    }

    #[test]
    fn a_lost_answer_is_retried_and_stored_once() {
        let server = FakeServer::default();
        let mut outbox = Outbox::default();
        outbox
            .submit(record("w1", vec!["p1".into(), "p2".into()]))
            .unwrap();
        *server.lose_next_answer.borrow_mut() = true;
        block(sync_once(&mut outbox, &server, &Photos, "d", 1_000, 0.5));
        assert_eq!(
            outbox.get("w1").unwrap().state,
            SendState::Waiting,
            "not acknowledged, still waiting"
        );
        assert!(outbox.get("w1").unwrap().last_error.is_some());
        // Too early: backed off.
        block(sync_once(&mut outbox, &server, &Photos, "d", 1_001, 0.5));
        assert_eq!(*server.pushes.borrow(), 1);
        // Later: sent again, the server already had it, photos go up.
        block(sync_once(
            &mut outbox,
            &server,
            &Photos,
            "d",
            1_000_000,
            0.5,
        ));
        assert_eq!(outbox.get("w1").unwrap().state, SendState::Sent);
        assert_eq!(server.stored.borrow().len(), 1);
        assert_eq!(server.photos.borrow().len(), 2);
    }

    #[test]
    fn offline_rounds_keep_everything_and_back_off() {
        let server = FakeServer::default();
        *server.offline.borrow_mut() = true;
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        let mut t = 0;
        for _ in 0..5 {
            let r = block(sync_once(&mut outbox, &server, &Photos, "d", t, 0.99));
            assert!(!r.reached_server);
            t = outbox.get("w1").unwrap().next_attempt_at_ms;
        }
        assert_eq!(outbox.get("w1").unwrap().attempts, 5);
        assert!(t >= 16_000, "back-off grows: {t}");
        *server.offline.borrow_mut() = false;
        block(sync_once(&mut outbox, &server, &Photos, "d", t, 0.5));
        assert_eq!(outbox.get("w1").unwrap().state, SendState::Sent);
    }

    #[test]
    fn a_photo_quota_waits_until_the_server_says_and_then_goes() {
        let server = FakeServer::default();
        *server.photo_quota_wait.borrow_mut() = Some(3_600_000);
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec!["p1".into()])).unwrap();
        let r = block(sync_once(&mut outbox, &server, &Photos, "d", 1_000, 0.5));
        // Not refused: the walkthrough waits for its photo and says why.
        assert_eq!(r.refused, 0);
        assert_eq!(r.not_before_ms, Some(3_601_000));
        let entry = outbox.get("w1").unwrap();
        assert_eq!(entry.state, SendState::UploadingPhotos);
        assert_eq!(
            entry.last_error.as_deref(),
            Some("今日照片上传量已达上限,请明天再上传,稍后自动重试")
        );
        // The schedule keeps away until the server's time, not the short back-off.
        let mut s = Schedule::new(true);
        s.finished(&r, &outbox, 1_000, 0.5);
        assert_eq!(s.next_at_ms(), 3_601_000);
        assert_eq!(s.due(3_600_999, true, true), None);
        assert_eq!(s.due(3_601_000, true, true), Some(Due::Scheduled));
        // The next day the photo goes and the walkthrough is sent.
        *server.photo_quota_wait.borrow_mut() = None;
        let r = block(sync_once(
            &mut outbox,
            &server,
            &Photos,
            "d",
            3_601_000,
            0.5,
        ));
        assert_eq!(r.photos_uploaded, 1);
        assert_eq!(outbox.get("w1").unwrap().state, SendState::Sent);
    }

    #[test]
    fn a_refused_photo_is_final_and_shown() {
        let server = FakeServer::default();
        *server.refuse_photos.borrow_mut() = true;
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec!["p1".into()])).unwrap();
        block(sync_once(&mut outbox, &server, &Photos, "d", 0, 0.5));
        match &outbox.get("w1").unwrap().state {
            SendState::NeedsAttention { code, message } => {
                assert_eq!(*code, ErrorCode::PhotoTooLarge);
                assert_eq!(message, "照片文件过大");
            }
            other => panic!("expected needs attention, got {other:?}"),
        }
        // It does not loop: another round uploads nothing.
        *server.refuse_photos.borrow_mut() = false;
        let r = block(sync_once(
            &mut outbox,
            &server,
            &Photos,
            "d",
            10_000_000,
            0.5,
        ));
        assert_eq!(r.photos_uploaded, 0);
    }

    #[test]
    fn progress_is_shown_after_the_answer_and_each_photo() {
        let server = FakeServer::default();
        let mut outbox = Outbox::default();
        outbox
            .submit(record("w1", vec!["p1".into(), "p2".into()]))
            .unwrap();
        let mut seen = Vec::new();
        block(sync_once_reporting(
            &mut outbox,
            &server,
            &Photos,
            "d",
            0,
            0.5,
            &mut |o: &Outbox| seen.push(o.get("w1").unwrap().missing_photos.len()),
        ));
        assert_eq!(seen, vec![2, 1, 0]);
        assert_eq!(outbox.get("w1").unwrap().state, SendState::Sent);
    }

    #[test]
    fn a_returned_walkthrough_comes_back_and_goes_again_as_the_next_revision() {
        let server = FakeServer::default();
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        block(sync_once(&mut outbox, &server, &Photos, "d", 0, 0.5));
        server.reviews.borrow_mut().push(ReviewOutcome {
            walkthrough_id: "w1".into(),
            rev: 1,
            status: ReviewStatus::Returned,
            comment: "请补充照片".into(),
            reviewed_at_ms: Some(5),
        });
        outbox.cursor = "0".into();
        block(sync_once(&mut outbox, &server, &Photos, "d", 0, 0.5));
        let review = outbox.get("w1").unwrap().review.clone().unwrap();
        assert_eq!(review.comment, "请补充照片");
        let mut corrected = outbox.get("w1").unwrap().record.clone();
        assert!(
            outbox.resubmit(corrected.clone()).is_err(),
            "same revision refused"
        );
        corrected.rev = 2;
        outbox.resubmit(corrected).unwrap();
        block(sync_once(&mut outbox, &server, &Photos, "d", 0, 0.5));
        assert_eq!(outbox.get("w1").unwrap().state, SendState::Sent);
        assert!(server.stored.borrow().contains_key(&("w1".to_string(), 2)));
    }

    #[test]
    fn the_outbox_survives_a_round_trip_through_storage() {
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec!["p".into()])).unwrap();
        outbox.transient_failure("w1", 1, 0, 0.5, "offline");
        let json = serde_json::to_string(&outbox).unwrap();
        let back: Outbox = serde_json::from_str(&json).unwrap();
        assert_eq!(back, outbox);
        assert!(
            outbox.submit(record("w1", vec![])).is_err(),
            "no duplicate submissions"
        );
    }

    fn run_round(server: &FakeServer, s: &Session, outbox: &Outbox, now: i64) -> Round {
        block(round(
            server,
            &Photos,
            s,
            outbox,
            "d",
            now,
            0.5,
            &mut |_| {},
        ))
    }

    #[test]
    fn an_expiring_token_is_refreshed_through_the_transport_before_the_round() {
        let server = FakeServer::default();
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        // The token expires within the margin: the round refreshes first, then sends with
        // the new access token (the server accepts only that one now).
        let r = run_round(&server, &session(1_030_000), &outbox, 1_000_000);
        assert!(r.report.reached_server);
        assert_eq!(*server.refreshes.borrow(), vec!["refresh-0".to_string()]);
        let s = r.session.expect("the refreshed session");
        assert_eq!(s.access_token, "access-1");
        assert_eq!(s.refresh_token, "refresh-1");
        assert_eq!(s.access_expires_at_ms, 1_000_000 + 900_000);
        assert!(!s.needs_login);
        assert_eq!(r.outbox.get("w1").unwrap().state, SendState::Sent);
        // A token far from expiry is not refreshed.
        let r = run_round(&server, &s, &r.outbox, 1_100_000);
        assert_eq!(server.refreshes.borrow().len(), 1);
        assert!(r.session.is_none());
    }

    #[test]
    fn a_lost_refresh_answer_does_not_end_the_login() {
        let server = FakeServer::default();
        server.refresh.replace(Refresh::LoseAnswer);
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        let r = run_round(&server, &session(0), &outbox, 1_000_000);
        assert!(
            !r.report.needs_login,
            "a lost answer is not a revoked login"
        );
        assert!(r.session.is_none(), "the session is kept as it was");
        assert_eq!(r.report.retry_later.len(), 1);
        assert_eq!(
            *server.pushes.borrow(),
            0,
            "nothing sent with a stale token"
        );
        assert_eq!(r.outbox.get("w1").unwrap().state, SendState::Waiting);
        let mut schedule = Schedule::new(true);
        schedule.finished(&r.report, &r.outbox, 1_000_000, 0.5);
        assert!(
            schedule.next_at_ms() > 1_000_000,
            "backed off, tried again later"
        );
        // Later the refresh goes through and the record with it.
        server.refresh.replace(Refresh::Grant);
        let r = run_round(&server, &session(0), &r.outbox, 1_010_000);
        assert_eq!(r.outbox.get("w1").unwrap().state, SendState::Sent);
    }

    #[test]
    fn a_refused_refresh_asks_for_a_login_and_touches_no_record() {
        let server = FakeServer::default();
        server.refresh.replace(Refresh::Refuse);
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        let r = run_round(&server, &session(0), &outbox, 1_000_000);
        assert!(r.report.needs_login);
        assert!(r.session.unwrap().needs_login);
        assert_eq!(r.outbox, outbox);
        let mut schedule = Schedule::new(true);
        schedule.finished(&r.report, &r.outbox, 1_000_000, 0.5);
        assert_eq!(
            schedule.due(1_000_001, true, false),
            None,
            "no round until logged in"
        );
    }

    #[test]
    fn a_disabled_account_keeps_every_record_and_marks_the_session() {
        let server = FakeServer::default();
        server
            .refuse_account
            .replace(Some(ErrorCode::AccountDisabled));
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec!["p1".into()])).unwrap();
        outbox.submit(record("w2", vec![])).unwrap();
        let mut schedule = Schedule::new(true);
        // Refused on the pull, with a fresh token; and on the refresh, with an old one.
        for expires in [10_000_000, 0] {
            let r = run_round(&server, &session(expires), &outbox, 1_000_000);
            assert_eq!(r.outbox, outbox, "nothing refused, nothing dropped");
            assert_eq!(r.outbox.get("w1").unwrap().state, SendState::Waiting);
            assert_eq!(r.report.refused, 0);
            assert_eq!(r.report.account, Some(ErrorCode::AccountDisabled));
            let s = r.session.expect("the session is marked");
            assert!(s.disabled && s.needs_login, "{s:?}");
            assert!(!s.can_sync());
            schedule.finished(&r.report, &r.outbox, 1_000_000, 0.5);
            assert_eq!(
                schedule.due(1_000_001, true, s.can_sync()),
                None,
                "no round with that session"
            );
        }
        assert_eq!(*server.pushes.borrow(), 0);
        // Re-enabled and logged in again: everything goes.
        server.refuse_account.replace(None);
        let r = run_round(&server, &session(10_000_000), &outbox, 1_100_000);
        assert_eq!(r.outbox.get("w2").unwrap().state, SendState::Sent);
    }

    #[test]
    fn a_password_to_replace_stops_the_sync_until_it_is_set() {
        let server = FakeServer::default();
        server
            .refuse_account
            .replace(Some(ErrorCode::PasswordChangeRequired));
        let mut outbox = Outbox::default();
        outbox.submit(record("w1", vec![])).unwrap();
        let r = run_round(&server, &session(10_000_000), &outbox, 1_000_000);
        assert_eq!(r.outbox, outbox);
        let s = r.session.expect("the session is marked");
        assert!(s.user.must_change_password && !s.needs_login && !s.disabled);
        assert!(!s.can_sync());
    }

    #[test]
    fn the_schedule_backs_off_after_failures_and_polls_when_all_is_well() {
        let empty = Outbox::default();
        let mut s = Schedule::new(true);
        assert_eq!(
            s.due(0, true, true),
            Some(Due::Scheduled),
            "the first check runs a round"
        );
        assert_eq!(s.due(0, false, true), None, "never offline");
        s.due(0, true, true);
        assert_eq!(
            s.due(0, true, false),
            None,
            "never without a usable session"
        );
        let failed = SyncReport {
            retry_later: vec!["push: offline".into()],
            ..SyncReport::default()
        };
        // jitter 1.0: the ceiling, written out: 2 s, 4 s, 8 s, 16 s.
        let mut waits = Vec::new();
        for _ in 0..4 {
            s.finished(&failed, &empty, 1_000, 1.0);
            waits.push(s.next_at_ms() - 1_000);
        }
        assert_eq!(waits, vec![2_000, 4_000, 8_000, 16_000]);
        assert_eq!(s.failures(), 4);
        assert_eq!(s.due(16_999, true, true), None);
        assert_eq!(s.due(17_000, true, true), Some(Due::Scheduled));
        // All well: the next round is a minute later, the back-off forgotten.
        let ok = SyncReport {
            reached_server: true,
            ..SyncReport::default()
        };
        s.finished(&ok, &empty, 20_000, 1.0);
        assert_eq!((s.next_at_ms(), s.failures()), (80_000, 0));
        // ...unless a record waits out its own back-off: then when it is due.
        let mut waiting = Outbox::default();
        waiting.submit(record("w1", vec![])).unwrap();
        waiting.transient_failure("w1", 1, 20_000, 1.0, "offline");
        s.finished(&ok, &waiting, 20_000, 1.0);
        assert_eq!(s.next_at_ms(), 22_000);
        // The observer taps "sync now": due at once.
        s.asked();
        assert_eq!(s.due(20_001, true, true), Some(Due::Scheduled));
    }

    #[test]
    fn the_network_coming_back_ends_the_back_off() {
        let mut s = Schedule::new(true);
        let failed = SyncReport {
            retry_later: vec!["push: offline".into()],
            ..SyncReport::default()
        };
        for _ in 0..8 {
            s.finished(&failed, &Outbox::default(), 0, 1.0);
        }
        assert_eq!(s.next_at_ms(), 256_000);
        assert_eq!(s.due(1_000, false, true), None);
        assert_eq!(
            s.due(1_000, true, true),
            Some(Due::NetworkBack),
            "back online: at once, records too"
        );
        assert_eq!(s.failures(), 0);
    }
}
