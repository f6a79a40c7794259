//! The app's whole state and the only ways it changes: what the screens dispatch lands here
//! as plain methods, each followed by a save of the documents it touched. No UI imports,
//! so the rules (nothing lost, nothing sent twice, corrections as the next revision) are
//! tested natively.
//!
//! Changes are applied to the in-memory state at once and saved right after; a sync round
//! works on a copy of the outbox and is merged back by `(id, rev)`, so a walkthrough
//! submitted while a round is on the network is never overwritten by the round's copy.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use flowwalk_shared::api::assignments::{Assignment, AssignmentStatus};
use flowwalk_shared::api::auth::{Me, TokenResponse};
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::sync::{ReferenceData, ReviewStatus};

use crate::api::{ApiError, HttpTransport};
use crate::i18n::Lang;
use crate::outbox::{Outbox, OutboxError, SendState};
use crate::recorder::{Draft, DraftError};
use crate::storage::{Storage, StorageError};
use crate::sync::{PhotoSource, SyncReport, sync_once_reporting};

/// A logged-in observer on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub base_url: String,
    pub user: Me,
    pub access_token: String,
    pub access_expires_at_ms: i64,
    pub refresh_token: String,
    /// The server refused the tokens: log in again before the next sync (nothing recorded
    /// is affected).
    #[serde(default)]
    pub needs_login: bool,
}

impl Session {
    pub fn from_tokens(base_url: &str, t: TokenResponse, now_ms: i64) -> Session {
        Session {
            base_url: base_url.trim_end_matches('/').to_owned(),
            user: t.user,
            access_token: t.access_token,
            access_expires_at_ms: now_ms.saturating_add(
                i64::try_from(t.expires_in)
                    .unwrap_or(0)
                    .saturating_mul(1000),
            ),
            refresh_token: t.refresh_token,
            needs_login: false,
        }
    }
}

/// How the last sync round went, for the outbox screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub at_ms: i64,
    pub reached_server: bool,
    pub problem: Option<String>,
}

/// The documents state is saved as; each change names the ones it touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Settings,
    Session,
    Reference,
    Drafts,
    Outbox,
}

impl Doc {
    pub const ALL: [Doc; 5] = [
        Doc::Settings,
        Doc::Session,
        Doc::Reference,
        Doc::Drafts,
        Doc::Outbox,
    ];

    fn key(self) -> &'static str {
        match self {
            Doc::Settings => "settings",
            Doc::Session => "session",
            Doc::Reference => "reference",
            Doc::Drafts => "drafts",
            Doc::Outbox => "outbox",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Made once per install; part of every record.
    pub device_id: String,
    pub lang: Lang,
    /// The server, when the app is not served by it (the desktop build).
    pub server: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppData {
    pub settings: Settings,
    pub session: Option<Session>,
    pub reference: Option<ReferenceData>,
    /// Walkthroughs being recorded (several may be open).
    pub drafts: Vec<Draft>,
    pub outbox: Outbox,
    pub sync: SyncStatus,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    Storage(StorageError),
    Draft(DraftError),
    Outbox(OutboxError),
    NotFound,
}

impl StoreError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::Storage(e) => format!(
                "{}{}",
                lang.t("手机存储失败,记录未保存:", "Could not save on this phone: "),
                e.0
            ),
            StoreError::Draft(e) => e.message(lang.is_en()).to_owned(),
            StoreError::Outbox(OutboxError::AlreadySubmitted) => lang
                .t(
                    "这次体验已经提交过了",
                    "This walkthrough was already submitted",
                )
                .into(),
            StoreError::Outbox(OutboxError::NotReturned) => lang
                .t(
                    "只有被退回的体验才能修改后重新提交",
                    "Only a returned walkthrough can be corrected",
                )
                .into(),
            StoreError::NotFound => lang.t("找不到这条记录", "Record not found").into(),
        }
    }
}

impl From<StorageError> for StoreError {
    fn from(e: StorageError) -> Self {
        StoreError::Storage(e)
    }
}

fn parse<T: DeserializeOwned + Default>(json: Option<String>) -> T {
    // A document this version cannot read is kept on disk untouched until overwritten; the
    // app starts from empty rather than refusing to start.
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

impl AppData {
    /// Reads every document; makes the device id on first run (and saves it at once).
    pub async fn load<S: Storage>(
        storage: &S,
        new_id: impl FnOnce() -> String,
    ) -> Result<AppData, StorageError> {
        let mut data = AppData {
            settings: parse(storage.load(Doc::Settings.key()).await?),
            session: parse(storage.load(Doc::Session.key()).await?),
            reference: parse(storage.load(Doc::Reference.key()).await?),
            drafts: parse(storage.load(Doc::Drafts.key()).await?),
            outbox: parse(storage.load(Doc::Outbox.key()).await?),
            sync: SyncStatus::default(),
        };
        if data.settings.device_id.is_empty() {
            data.settings.device_id = new_id();
            data.save(storage, &[Doc::Settings]).await?;
        }
        Ok(data)
    }

    /// Writes the named documents; returns once the storage holds them.
    pub async fn save<S: Storage>(&self, storage: &S, docs: &[Doc]) -> Result<(), StorageError> {
        write_docs(storage, self.to_json(docs)?).await
    }

    /// The named documents as JSON, ready for [`write_docs`]: a screen serialises while it
    /// holds the state and writes after letting go of it, without copying the whole state.
    pub fn to_json(&self, docs: &[Doc]) -> Result<Vec<(Doc, String)>, StorageError> {
        docs.iter()
            .map(|doc| {
                match doc {
                    Doc::Settings => serde_json::to_string(&self.settings),
                    Doc::Session => serde_json::to_string(&self.session),
                    Doc::Reference => serde_json::to_string(&self.reference),
                    Doc::Drafts => serde_json::to_string(&self.drafts),
                    Doc::Outbox => serde_json::to_string(&self.outbox),
                }
                .map(|json| (*doc, json))
                .map_err(|e| StorageError(e.to_string()))
            })
            .collect()
    }

    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// Logged in (the tokens may have expired; the next sync refreshes them).
    pub fn logged_in(&self) -> bool {
        self.session.is_some()
    }

    /// Assignments this observer can walk: those under way first, then planned ones, then
    /// finished ones; soonest first within each. Cancelled ones are not offered.
    pub fn my_assignments(&self) -> Vec<&Assignment> {
        let Some(r) = &self.reference else {
            return Vec::new();
        };
        let me = self.session.as_ref().map(|s| s.user.id.as_str());
        let mut out: Vec<&Assignment> = r
            .assignments
            .iter()
            .filter(|a| a.status != AssignmentStatus::Cancelled)
            .filter(|a| me.is_none_or(|me| a.observer_ids.iter().any(|o| o == me)))
            .collect();
        out.sort_by_key(|a| {
            let rank = match a.status {
                AssignmentStatus::InProgress => 0,
                AssignmentStatus::Planned => 1,
                AssignmentStatus::Done | AssignmentStatus::Cancelled => 2,
            };
            (rank, a.starts_on)
        });
        out
    }

    pub fn scenario(&self, version_id: &str) -> Option<&Scenario> {
        self.reference
            .as_ref()?
            .scenarios
            .iter()
            .find(|s| s.version_id == version_id)
    }

    pub fn venue_name(&self, venue_id: &str) -> String {
        self.reference
            .as_ref()
            .and_then(|r| r.venues.iter().find(|v| v.id == venue_id))
            .map(|v| v.name.clone())
            .unwrap_or_default()
    }

    pub fn draft(&self, id: &str) -> Option<&Draft> {
        self.drafts.iter().find(|d| d.id == id)
    }

    /// Starts a walk of an assignment, or continues the one already open for it (a second
    /// tap on "start" must not split one walk in two); returns the draft id.
    pub fn start_walk(
        &mut self,
        assignment_id: &str,
        now_ms: i64,
        new_id: impl FnMut() -> String,
    ) -> Result<String, StoreError> {
        let a = self
            .my_assignments()
            .into_iter()
            .find(|a| a.id == assignment_id)
            .ok_or(StoreError::NotFound)?
            .clone();
        if let Some(open) = self
            .drafts
            .iter()
            .find(|d| d.assignment_id == a.id && d.rev == 1)
        {
            return Ok(open.id.clone());
        }
        let scenario = self
            .scenario(&a.scenario_version_id)
            .ok_or(StoreError::NotFound)?;
        let draft = Draft::new(&a, scenario, &self.venue_name(&a.venue_id), now_ms, new_id);
        let id = draft.id.clone();
        self.drafts.push(draft);
        Ok(id)
    }

    /// Changes an open draft.
    pub fn edit_draft(&mut self, id: &str, f: impl FnOnce(&mut Draft)) -> Result<(), StoreError> {
        let draft = self
            .drafts
            .iter_mut()
            .find(|d| d.id == id)
            .ok_or(StoreError::NotFound)?;
        f(draft);
        Ok(())
    }

    /// Discards a draft that was started by mistake.
    pub fn discard_draft(&mut self, id: &str) {
        self.drafts.retain(|d| d.id != id);
    }

    /// Submits a draft: it becomes an immutable record in the outbox and leaves the drafts.
    /// A correction replaces its returned revision. Save `Drafts` and `Outbox` afterwards.
    pub fn submit(&mut self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        let draft = self.draft(id).ok_or(StoreError::NotFound)?;
        let record = draft
            .to_record(&self.settings.device_id, now_ms)
            .map_err(StoreError::Draft)?;
        if record.rev > 1 {
            self.outbox.resubmit(record).map_err(StoreError::Outbox)?;
        } else {
            self.outbox.submit(record).map_err(StoreError::Outbox)?;
        }
        self.drafts.retain(|d| d.id != id);
        Ok(())
    }

    /// Opens a returned walkthrough for correction (as a draft of the next revision).
    pub fn correct(&mut self, id: &str) -> Result<(), StoreError> {
        if self.draft(id).is_some() {
            return Ok(());
        }
        let entry = self.outbox.get(id).ok_or(StoreError::NotFound)?;
        let comment = match &entry.review {
            Some(r) if r.status == ReviewStatus::Returned => r.comment.clone(),
            _ => return Err(StoreError::Outbox(OutboxError::NotReturned)),
        };
        let record = entry.record.clone();
        let (title, venue) = self.titles(&record.assignment_id, &record.scenario_version_id);
        self.drafts
            .push(Draft::correcting(&record, &title, &venue, &comment));
        Ok(())
    }

    /// Scenario name and venue name for an assignment, as far as known.
    pub fn titles(&self, assignment_id: &str, version_id: &str) -> (String, String) {
        let title = self
            .scenario(version_id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let venue = self
            .reference
            .as_ref()
            .and_then(|r| r.assignments.iter().find(|a| a.id == assignment_id))
            .map(|a| self.venue_name(&a.venue_id))
            .unwrap_or_default();
        (title, venue)
    }

    /// Makes every waiting record due now (the "sync now" button).
    pub fn retry_now(&mut self) {
        for e in &mut self.outbox.entries {
            if e.state == SendState::Waiting {
                e.next_attempt_at_ms = i64::MIN;
            }
        }
    }

    /// Whether there is anything to send.
    pub fn has_unsent(&self) -> bool {
        self.outbox
            .entries
            .iter()
            .any(|e| matches!(e.state, SendState::Waiting | SendState::UploadingPhotos))
    }

    /// Takes a finished sync round back in.
    pub fn apply_round(&mut self, round: Round, now_ms: i64) {
        self.outbox.merge_from(&round.outbox);
        if let Some(reference) = round.reference {
            self.reference = Some(reference);
        }
        if let Some(session) = round.session {
            self.session = Some(session);
        }
        self.sync = SyncStatus {
            at_ms: now_ms,
            reached_server: round.report.reached_server,
            problem: if round.report.needs_login {
                Some("needs_login".into())
            } else {
                round.report.retry_later.first().cloned()
            },
        };
    }
}

/// Writes documents made by [`AppData::to_json`]; returns once the storage holds them.
pub async fn write_docs<S: Storage>(
    storage: &S,
    docs: Vec<(Doc, String)>,
) -> Result<(), StorageError> {
    for (doc, json) in docs {
        storage.save(doc.key(), &json).await?;
    }
    Ok(())
}

/// Photos for the sync engine, read from storage.
pub struct StoredPhotos<'a, S>(pub &'a S);

impl<S: Storage> PhotoSource for StoredPhotos<'_, S> {
    async fn photo(&self, sha256: &str) -> Option<Vec<u8>> {
        self.0.get_photo(sha256).await.ok().flatten()
    }
}

/// What a sync round produced, to merge into the state with [`AppData::apply_round`].
#[derive(Debug)]
pub struct Round {
    pub outbox: Outbox,
    pub reference: Option<ReferenceData>,
    /// The session, when its tokens were refreshed or refused.
    pub session: Option<Session>,
    pub report: SyncReport,
}

/// Access tokens are refreshed this long before they expire.
const REFRESH_MARGIN_MS: i64 = 60_000;

/// One round against the server: refresh the tokens if due, then pull, push and upload.
/// Works on copies; merge the result with [`AppData::apply_round`]. `progress` sees the
/// round's copy of the outbox as answers and photos go through (for the screen only).
pub async fn sync_round<S: Storage>(
    storage: &S,
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
    if session.access_expires_at_ms - REFRESH_MARGIN_MS <= now_ms {
        match HttpTransport::refresh(&session.base_url, &session.refresh_token).await {
            Ok(t) => {
                session = Session::from_tokens(&session.base_url, t, now_ms);
                changed_session = true;
            }
            Err(ApiError::Refused {
                status: 400..=401, ..
            }) => {
                session.needs_login = true;
                return Round {
                    outbox,
                    reference: None,
                    session: Some(session),
                    report: SyncReport {
                        needs_login: true,
                        ..SyncReport::default()
                    },
                };
            }
            // No network: the round below fails the same way and schedules a retry.
            Err(_) => {}
        }
    }
    let transport = HttpTransport::new(&session.base_url, &session.access_token);
    let report = sync_once_reporting(
        &mut outbox,
        &transport,
        &StoredPhotos(storage),
        device_id,
        now_ms,
        jitter,
        progress,
    )
    .await;
    if report.needs_login {
        session.needs_login = true;
        changed_session = true;
    }
    Round {
        outbox,
        reference: report.reference.clone(),
        session: changed_session.then_some(session),
        report,
    }
}

#[cfg(test)]
mod tests {
    use flowwalk_shared::api::assignments::WalkMode;
    use flowwalk_shared::api::scenarios::{Channel, Step};
    use flowwalk_shared::sync::{PushResult, PushStatus, ReviewOutcome};
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};

    use super::*;
    use crate::storage::MemoryStorage;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn ids(prefix: i64) -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id{prefix}-{n}")
        }
    }

    fn data() -> AppData {
        let step = Step {
            id: "t1".into(),
            position: 0,
            name: "取号".into(),
            channel: Channel::Window,
            department_id: "d".into(),
            standard_minutes: 5,
            fee_cents: 0,
            materials_count: 0,
        };
        let reference = ReferenceData {
            assignments: vec![Assignment {
                id: "a1".into(),
                scenario_id: "s".into(),
                scenario_version_id: "v1".into(),
                venue_id: "hall".into(),
                observer_ids: vec!["me".into()],
                starts_on: chrono::NaiveDate::default(),
                ends_on: chrono::NaiveDate::default(),
                mode: WalkMode::InPerson,
                status: AssignmentStatus::InProgress,
                note: String::new(),
                created_by: "m".into(),
                created_at: chrono::NaiveDateTime::default(),
                updated_at: chrono::NaiveDateTime::default(),
            }],
            scenarios: vec![Scenario {
                id: "s".into(),
                code: "c".into(),
                version_id: "v1".into(),
                version: 1,
                is_current: true,
                name: "社保卡补办".into(),
                description: String::new(),
                promised_minutes: 5,
                steps: vec![step],
                created_at: chrono::NaiveDateTime::default(),
            }],
            categories: vec![],
            venues: vec![],
            departments: vec![],
        };
        AppData {
            settings: Settings {
                device_id: "dev".into(),
                ..Settings::default()
            },
            session: Some(Session {
                base_url: "http://x".into(),
                user: Me {
                    id: "me".into(),
                    username: "u".into(),
                    display_name: "U".into(),
                    role: flowwalk_shared::Role::Experiencer,
                    department_id: None,
                },
                access_token: "t".into(),
                access_expires_at_ms: 0,
                refresh_token: "r".into(),
                needs_login: false,
            }),
            reference: Some(reference),
            ..AppData::default()
        }
    }

    fn walked(d: &mut AppData, now: i64) -> String {
        let id = d.start_walk("a1", now, ids(now)).unwrap();
        d.edit_draft(&id, |dr| {
            dr.wait_at(0, now);
            dr.satisfaction = Some(Satisfaction::Satisfied);
            dr.smoothness = Some(Smoothness::Smooth);
        })
        .unwrap();
        id
    }

    #[test]
    fn everything_survives_a_reload() {
        let storage = MemoryStorage::default();
        block(async {
            let mut d = data();
            let open = walked(&mut d, 1_000);
            d.save(&storage, &Doc::ALL).await.unwrap();
            let back = AppData::load(&storage, || unreachable!()).await.unwrap();
            assert_eq!(back.drafts, d.drafts);
            assert_eq!(back.session, d.session);
            assert_eq!(back.reference, d.reference);
            assert_eq!(back.settings.device_id, "dev");
            // The timer kept running while the app was gone.
            assert_eq!(
                back.draft(&open).unwrap().steps[0].elapsed(61_000).0,
                60_000
            );
        });
    }

    #[test]
    fn starting_an_assignment_twice_continues_the_open_walk() {
        let mut d = data();
        let first = d.start_walk("a1", 0, ids(0)).unwrap();
        let again = d.start_walk("a1", 5, ids(5)).unwrap();
        assert_eq!(first, again);
        assert_eq!(d.drafts.len(), 1);
        d.edit_draft(&first, |dr| {
            dr.wait_at(0, 0);
            dr.satisfaction = Some(Satisfaction::Satisfied);
            dr.smoothness = Some(Smoothness::Smooth);
        })
        .unwrap();
        d.submit(&first, 10).unwrap();
        // Once submitted, the next start is a new walk.
        assert_ne!(d.start_walk("a1", 20, ids(20)).unwrap(), first);
    }

    #[test]
    fn the_first_start_makes_and_keeps_a_device_id() {
        let storage = MemoryStorage::default();
        block(async {
            let d = AppData::load(&storage, || "device-1".into()).await.unwrap();
            assert_eq!(d.settings.device_id, "device-1");
            let d = AppData::load(&storage, || "device-2".into()).await.unwrap();
            assert_eq!(d.settings.device_id, "device-1");
        });
    }

    #[test]
    fn a_submit_during_a_sync_round_is_not_overwritten_by_the_round() {
        let mut d = data();
        let first = walked(&mut d, 0);
        d.submit(&first, 10).unwrap();
        // A round starts with a copy holding only the first walkthrough...
        let mut round_copy = d.outbox.clone();
        // ...meanwhile the observer submits a second one...
        let second = walked(&mut d, 20);
        d.submit(&second, 30).unwrap();
        // ...and the round comes back having stored the first.
        round_copy.apply_push_result(&PushResult {
            id: first.clone(),
            rev: 1,
            status: PushStatus::Accepted,
            code: None,
            message: None,
            field: None,
            missing_photos: vec![],
        });
        d.apply_round(
            Round {
                outbox: round_copy,
                reference: None,
                session: None,
                report: SyncReport::default(),
            },
            40,
        );
        assert_eq!(d.outbox.entries.len(), 2);
        assert_eq!(d.outbox.get(&first).unwrap().state, SendState::Sent);
        assert_eq!(d.outbox.get(&second).unwrap().state, SendState::Waiting);
    }

    #[test]
    fn a_returned_walkthrough_is_corrected_as_the_next_revision() {
        let mut d = data();
        let id = walked(&mut d, 0);
        d.submit(&id, 10).unwrap();
        assert!(d.drafts.is_empty());
        assert!(matches!(
            d.correct(&id),
            Err(StoreError::Outbox(OutboxError::NotReturned))
        ));
        d.outbox.apply_review(&ReviewOutcome {
            walkthrough_id: id.clone(),
            rev: 1,
            status: ReviewStatus::Returned,
            comment: "请补拍叫号机照片".into(),
            reviewed_at_ms: Some(20),
        });
        d.correct(&id).unwrap();
        let draft = d.draft(&id).unwrap();
        assert_eq!(draft.rev, 2);
        assert_eq!(draft.returned_comment.as_deref(), Some("请补拍叫号机照片"));
        d.edit_draft(&id, |dr| dr.comment = "已补充".into())
            .unwrap();
        d.submit(&id, 30).unwrap();
        let entry = d.outbox.get(&id).unwrap();
        assert_eq!(
            (entry.record.rev, entry.state.clone()),
            (2, SendState::Waiting)
        );
        assert_eq!(entry.record.comment, "已补充");
        // Submitting the same revision again is refused, not duplicated.
        assert_eq!(d.outbox.entries.len(), 1);
    }
}
