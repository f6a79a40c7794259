//! The app's whole state and the only ways it changes: what the screens dispatch lands here
//! as plain methods, each followed by a save of the documents it touched. No UI imports,
//! so the rules (nothing lost, nothing sent twice, corrections as the next revision, the
//! screen showing only what is stored) are tested natively.
//!
//! A change is applied to a working copy, written, and only then shown ([`Working`]): a
//! kill between a tap and its commit never leaves the observer believing something that is
//! not stored. A sync round works on a copy of the outbox and is merged back by
//! `(id, rev)`, so a walkthrough submitted while a round is on the network is never
//! overwritten by the round's copy.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;
use flowwalk_shared::api::assignments::{Assignment, AssignmentStatus};
use flowwalk_shared::api::scenarios::Scenario;
use flowwalk_shared::rules;
use flowwalk_shared::sync::{ReferenceData, ReviewStatus};

use crate::api::HttpTransport;
use crate::docs::{self, Read};
use crate::i18n::Lang;
use crate::outbox::{EvidenceState, Outbox, OutboxError, SendState};
use crate::recorder::{Draft, DraftError};
pub use crate::session::Session;
use crate::storage::{Storage, StorageError};
use crate::sync::PhotoSource;
pub use crate::sync::Round;

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

    /// The storage key.
    pub fn key(self) -> &'static str {
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
    /// Where the observer was, so a reload or a killed app opens there again.
    #[serde(default)]
    pub place: Place,
}

/// A screen worth coming back to after a reload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Place {
    #[default]
    Home,
    Walk {
        draft: String,
    },
    Finding {
        draft: String,
    },
    Finish {
        draft: String,
    },
    Outbox,
    /// A department officer's evidence being written.
    Evidence {
        evidence: String,
    },
}

/// A stored document this version could not read, kept aside under `key`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub doc: &'static str,
    pub key: String,
    pub reason: String,
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
    /// Documents found unreadable at start-up (kept aside, reported on screen).
    pub quarantined: Vec<Quarantined>,
    /// At start-up the stored documents were gone though this browser had kept them before
    /// (the browser dropped its database): whatever was not yet sent is lost, and the
    /// observer is told so.
    pub storage_lost: bool,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    Storage(StorageError),
    Draft(DraftError),
    Outbox(OutboxError),
    NotFound,
    /// The task's period is over (or it is done): no new walk of it.
    TaskClosed,
}

impl StoreError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::Storage(e) => format!(
                "{}{}",
                lang.t("手机存储失败,记录未保存:", "Could not save on this phone: "),
                e.0
            ),
            StoreError::Draft(e) => e.message(lang.is_en()),
            StoreError::Outbox(OutboxError::AlreadySubmitted) => lang
                .t(
                    "这次体验已经提交过了",
                    "This walkthrough was already submitted",
                )
                .into(),
            StoreError::Outbox(OutboxError::UnknownIssue) => lang
                .t(
                    "找不到这个问题,或它已不在本部门待整改",
                    "This issue is not on this phone or no longer open for your department",
                )
                .into(),
            StoreError::Outbox(OutboxError::Invalid(e)) => e.message(lang.is_en()).to_owned(),
            StoreError::Outbox(OutboxError::NotReturned) => lang
                .t(
                    "只有被退回或被服务器拒收的体验才能修改后重新提交",
                    "Only a returned or refused walkthrough can be corrected",
                )
                .into(),
            StoreError::NotFound => lang.t("找不到这条记录", "Record not found").into(),
            StoreError::TaskClosed => lang
                .t(
                    "该任务已结束,不能再开始新的体验",
                    "This task has ended; no new walk can start",
                )
                .into(),
        }
    }
}

impl From<StorageError> for StoreError {
    fn from(e: StorageError) -> Self {
        StoreError::Storage(e)
    }
}

/// Reads one document; one this version cannot read is copied to a free quarantine key
/// first (so nothing is lost when the app later saves over it) and reported.
async fn load_doc<S: Storage, T: serde::de::DeserializeOwned + Default>(
    storage: &S,
    doc: Doc,
    quarantined: &mut Vec<Quarantined>,
) -> Result<T, StorageError> {
    match docs::read(doc, storage.load(doc.key()).await?) {
        Read::Missing => Ok(T::default()),
        Read::Parsed(v) => Ok(v),
        Read::Unreadable { raw, reason } => {
            let mut n = 1;
            let key = loop {
                let key = docs::quarantine_key(doc, n);
                if storage.load(&key).await?.is_none() {
                    break key;
                }
                n += 1;
            };
            // If this fails the app does not start: saving over the original would lose it.
            storage.save(&key, &raw).await?;
            quarantined.push(Quarantined {
                doc: doc.key(),
                key,
                reason,
            });
            Ok(T::default())
        }
    }
}

impl AppData {
    /// The signed-in user's name as shown ("" when signed out).
    pub fn user_name(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.user.display_name.clone())
            .unwrap_or_default()
    }

    /// Reads every document (migrating older formats, keeping unreadable ones aside); makes
    /// the device id on first run (and saves it at once).
    pub async fn load<S: Storage>(
        storage: &S,
        new_id: impl FnOnce() -> String,
    ) -> Result<AppData, StorageError> {
        let mut q = Vec::new();
        let mut data = AppData {
            settings: load_doc(storage, Doc::Settings, &mut q).await?,
            session: load_doc(storage, Doc::Session, &mut q).await?,
            reference: load_doc(storage, Doc::Reference, &mut q).await?,
            drafts: load_doc(storage, Doc::Drafts, &mut q).await?,
            outbox: load_doc(storage, Doc::Outbox, &mut q).await?,
            sync: SyncStatus::default(),
            quarantined: Vec::new(),
            storage_lost: false,
        };
        data.quarantined = q;
        if data.settings.device_id.is_empty() {
            data.settings.device_id = new_id();
            data.save(storage, &[Doc::Settings]).await?;
        }
        Ok(data)
    }

    /// Compares the device id with the one the platform remembered from the last start
    /// (`platform::remembered_device`): another one means the stored documents were lost in
    /// between, and the observer must be told.
    pub fn check_remembered(&mut self, remembered: Option<&str>) {
        // (Settings this version could not read are reported as kept aside instead.)
        let settings_kept_aside = self.quarantined.iter().any(|q| q.doc == "settings");
        self.storage_lost =
            !settings_kept_aside && remembered.is_some_and(|r| r != self.settings.device_id);
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
                    Doc::Settings => docs::wrap(&self.settings),
                    Doc::Session => docs::wrap(&self.session),
                    Doc::Reference => docs::wrap(&self.reference),
                    Doc::Drafts => docs::wrap(&self.drafts),
                    Doc::Outbox => docs::wrap(&self.outbox),
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

    /// Whether a new walk of `a` may start on `today` (the phone's local date): not
    /// finished, not cancelled, and its period not over.
    pub fn task_open(a: &Assignment, today: NaiveDate) -> bool {
        matches!(
            a.status,
            AssignmentStatus::Planned | AssignmentStatus::InProgress
        ) && a.ends_on >= today
    }

    /// The walk of this assignment open on the phone (not a correction), if any.
    pub fn open_walk(&self, assignment_id: &str) -> Option<&Draft> {
        self.drafts
            .iter()
            .find(|d| d.assignment_id == assignment_id && d.rev == 1)
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
    /// tap on "start" must not split one walk in two); returns the draft id. A task whose
    /// period ended on `today` or before starts no new walk.
    pub fn start_walk(
        &mut self,
        assignment_id: &str,
        now_ms: i64,
        today: NaiveDate,
        new_id: impl FnMut() -> String,
    ) -> Result<String, StoreError> {
        let a = self
            .my_assignments()
            .into_iter()
            .find(|a| a.id == assignment_id)
            .ok_or(StoreError::NotFound)?
            .clone();
        if let Some(open) = self.open_walk(&a.id) {
            return Ok(open.id.clone());
        }
        if !Self::task_open(&a, today) {
            return Err(StoreError::TaskClosed);
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
    /// The record must pass the rules the server checks (the shared crate's), so the phone
    /// never queues what the server would refuse. A correction replaces its revision. A
    /// second tap (the draft already submitted as this revision) changes nothing. Save
    /// `Drafts` and `Outbox` afterwards.
    pub fn submit(&mut self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        let Some(draft) = self.draft(id) else {
            return match self.outbox.get(id) {
                Some(e) if e.state == SendState::Waiting || e.server_has => Ok(()),
                _ => Err(StoreError::NotFound),
            };
        };
        let record = draft
            .to_record(&self.settings.device_id, now_ms)
            .map_err(StoreError::Draft)?;
        self.check(&record).map_err(StoreError::Draft)?;
        if self.outbox.get(id).is_some() {
            self.outbox.resubmit(record).map_err(StoreError::Outbox)?;
        } else {
            self.outbox.submit(record).map_err(StoreError::Outbox)?;
        }
        self.drafts.retain(|d| d.id != id);
        Ok(())
    }

    /// The server's rules for a record, with the scenario's steps and the categories kept
    /// on the phone (when the phone lacks them, the record's own references stand).
    pub fn check(
        &self,
        record: &flowwalk_shared::walkthrough::WalkthroughRecord,
    ) -> Result<(), DraftError> {
        let template: Vec<String> = match self.scenario(&record.scenario_version_id) {
            Some(s) => s.steps.iter().map(|t| t.id.clone()).collect(),
            None => record
                .steps
                .iter()
                .filter_map(|s| s.template_step_id.clone())
                .collect(),
        };
        let categories: Vec<String> = match &self.reference {
            Some(r) if !r.categories.is_empty() => {
                r.categories.iter().map(|c| c.id.clone()).collect()
            }
            _ => record
                .findings
                .iter()
                .map(|f| f.category_id.clone())
                .collect(),
        };
        rules::check(record, &template, &categories).map_err(DraftError::Invalid)
    }

    /// Opens a sent walkthrough for correction: a returned one (as its next revision), or
    /// one the server refused (as the revision the server can still store, with the
    /// server's reason shown).
    pub fn correct(&mut self, id: &str) -> Result<(), StoreError> {
        if self.draft(id).is_some() {
            return Ok(());
        }
        let entry = self.outbox.get(id).ok_or(StoreError::NotFound)?;
        let rev = entry
            .next_rev()
            .ok_or(StoreError::Outbox(OutboxError::NotReturned))?;
        let comment = match (&entry.review, &entry.state) {
            (Some(r), _) if r.status == ReviewStatus::Returned => r.comment.clone(),
            (_, SendState::NeedsAttention { message, .. }) => message.clone(),
            _ => String::new(),
        };
        let record = entry.record.clone();
        let (title, venue) = self.titles(&record.assignment_id, &record.scenario_version_id);
        self.drafts
            .push(Draft::correcting(&record, rev, &title, &venue, &comment));
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
        for e in &mut self.outbox.evidence {
            if e.state == EvidenceState::Waiting {
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
            || self
                .outbox
                .evidence
                .iter()
                .any(|e| e.state == EvidenceState::Waiting)
    }

    /// Whether the server refused something on the phone that the observer (or officer)
    /// must act on: then the outbox is not "in sync", whatever was delivered.
    pub fn needs_attention(&self) -> bool {
        self.outbox
            .entries
            .iter()
            .any(|e| matches!(e.state, SendState::NeedsAttention { .. }))
            || self
                .outbox
                .evidence
                .iter()
                .any(|e| matches!(e.state, EvidenceState::NeedsAttention { .. }))
    }

    /// Whether a stored photo is referenced by anything on the phone (a draft, a finding
    /// in progress, a submitted walkthrough, evidence); an unreferenced one may go.
    pub fn photo_referenced(&self, sha: &str) -> bool {
        let sha = sha.to_owned();
        self.drafts.iter().any(|d| {
            d.findings.iter().any(|f| f.photos.contains(&sha))
                || d.finding.as_ref().is_some_and(|f| f.photos.contains(&sha))
        }) || self
            .outbox
            .entries
            .iter()
            .any(|e| e.record.photo_hashes().contains(&sha))
            || self.outbox.evidence.iter().any(|e| e.photos.contains(&sha))
    }

    /// Whether the logged-in user is a department officer (who sends evidence, not
    /// walkthroughs).
    pub fn is_officer(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.user.role == flowwalk_shared::Role::DepartmentOfficer)
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
            problem: if let Some(code) = round.report.account {
                Some(code.as_str().into())
            } else if round.report.needs_login {
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

/// One round of the sync engine against the server over HTTP, with photos from storage
/// (see [`crate::sync::round`]). Merge the result with [`AppData::apply_round`].
pub async fn sync_round<S: Storage>(
    storage: &S,
    session: &Session,
    outbox: &Outbox,
    device_id: &str,
    now_ms: i64,
    jitter: f64,
    progress: &mut impl FnMut(&Outbox),
) -> Round {
    let transport = HttpTransport::new(&session.base_url, &session.access_token);
    crate::sync::round(
        &transport,
        &StoredPhotos(storage),
        session,
        outbox,
        device_id,
        now_ms,
        jitter,
        progress,
    )
    .await
}

/// The documents a change touched, as they were right after it: what storage is asked to
/// hold, and what the screen shows once it does.
#[derive(Debug)]
pub struct Staged {
    seq: u64,
    json: Vec<(Doc, String)>,
    settings: Option<Settings>,
    session: Option<Option<Session>>,
    reference: Option<Option<ReferenceData>>,
    drafts: Option<Vec<Draft>>,
    /// The outbox and how the last sync round went (not stored; shown with the outbox).
    outbox: Option<(Outbox, SyncStatus)>,
}

impl Staged {
    /// The documents to write, in their envelopes.
    pub fn json(&self) -> Vec<(Doc, String)> {
        self.json.clone()
    }
}

/// The state including changes not yet stored. The screen shows the committed state (what
/// storage holds); a change is made here, written, and then settled into the committed
/// state — or, if the write failed, undone here, so the screen never shows it.
#[derive(Debug)]
pub struct Working {
    data: AppData,
    seq: u64,
    in_flight: u32,
    failed: bool,
}

impl Working {
    pub fn new(committed: &AppData) -> Self {
        Working {
            data: committed.clone(),
            seq: 0,
            in_flight: 0,
            failed: false,
        }
    }

    /// The state with every change made so far, stored or not (for the next change only).
    pub fn data(&self) -> &AppData {
        &self.data
    }

    /// Applies `f` to the working state and takes the touched documents to write. A change
    /// that is refused (`f` fails) leaves everything as it was.
    pub fn stage<T>(
        &mut self,
        docs: &[Doc],
        f: impl FnOnce(&mut AppData) -> Result<T, StoreError>,
    ) -> Result<(T, Staged), StoreError> {
        let before = self.data.snapshot(docs);
        let out = match f(&mut self.data) {
            Ok(out) => out,
            Err(e) => {
                self.data.restore(before);
                return Err(e);
            }
        };
        let json = match self.data.to_json(docs) {
            Ok(json) => json,
            Err(e) => {
                self.data.restore(before);
                return Err(StoreError::Storage(e));
            }
        };
        self.seq += 1;
        self.in_flight += 1;
        let mut staged = self.data.snapshot(docs);
        staged.seq = self.seq;
        staged.json = json;
        Ok((out, staged))
    }

    /// The write of `staged` ended: on success the committed state takes its documents; on
    /// failure the working state goes back to what is stored once no other write is out.
    pub fn settle(
        &mut self,
        committed: &mut AppData,
        staged: Staged,
        written: Result<(), StorageError>,
    ) -> Result<(), StoreError> {
        self.in_flight = self.in_flight.saturating_sub(1);
        let result = match written {
            Ok(()) => {
                committed.restore(staged);
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err(StoreError::Storage(e))
            }
        };
        if self.in_flight == 0 && self.failed {
            self.failed = false;
            self.data = committed.clone();
        }
        result
    }
}

impl AppData {
    fn snapshot(&self, docs: &[Doc]) -> Staged {
        let has = |d: Doc| docs.contains(&d);
        Staged {
            seq: 0,
            json: Vec::new(),
            settings: has(Doc::Settings).then(|| self.settings.clone()),
            session: has(Doc::Session).then(|| self.session.clone()),
            reference: has(Doc::Reference).then(|| self.reference.clone()),
            drafts: has(Doc::Drafts).then(|| self.drafts.clone()),
            outbox: has(Doc::Outbox).then(|| (self.outbox.clone(), self.sync.clone())),
        }
    }

    fn restore(&mut self, s: Staged) {
        if let Some(v) = s.settings {
            self.settings = v;
        }
        if let Some(v) = s.session {
            self.session = v;
        }
        if let Some(v) = s.reference {
            self.reference = v;
        }
        if let Some(v) = s.drafts {
            self.drafts = v;
        }
        if let Some((outbox, sync)) = s.outbox {
            self.outbox = outbox;
            self.sync = sync;
        }
    }
}

#[cfg(test)]
mod tests {
    use flowwalk_shared::ErrorCode;
    use flowwalk_shared::api::assignments::WalkMode;
    use flowwalk_shared::api::auth::Me;
    use flowwalk_shared::api::scenarios::{Channel, Step};
    use flowwalk_shared::sync::{PushResult, PushStatus, ReviewOutcome};
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::Severity;

    use super::*;
    use crate::recorder::Phase;
    use crate::storage::MemoryStorage;
    use crate::sync::SyncReport;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 10).unwrap()
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
                starts_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                ends_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
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
                    must_change_password: false,
                },
                access_token: "t".into(),
                access_expires_at_ms: 0,
                refresh_token: "r".into(),
                needs_login: false,
                disabled: false,
            }),
            reference: Some(reference),
            ..AppData::default()
        }
    }

    fn walked(d: &mut AppData, now: i64) -> String {
        let id = d.start_walk("a1", now, today(), ids(now)).unwrap();
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
    fn a_dropped_database_is_noticed_and_said_once() {
        block(async {
            let kept = MemoryStorage::default();
            let d = data();
            d.save(&kept, &Doc::ALL).await.unwrap();
            // The same documents as last time: nothing to say.
            let mut back = AppData::load(&kept, || unreachable!()).await.unwrap();
            back.check_remembered(Some("dev"));
            assert!(!back.storage_lost);
            // A first start ever: nothing remembered, nothing lost.
            let mut first = AppData::load(&MemoryStorage::default(), || "new".into())
                .await
                .unwrap();
            first.check_remembered(None);
            assert!(!first.storage_lost);
            // The browser remembers "dev" but the database came back empty: said.
            let mut emptied = AppData::load(&MemoryStorage::default(), || "new".into())
                .await
                .unwrap();
            emptied.check_remembered(Some("dev"));
            assert!(emptied.storage_lost);
            // Settings this version could not read are reported as kept aside instead.
            let odd = MemoryStorage::default();
            odd.save("settings", "{\"format\":99,\"data\":{}}")
                .await
                .unwrap();
            let mut aside = AppData::load(&odd, || "new".into()).await.unwrap();
            aside.check_remembered(Some("dev"));
            assert!(!aside.storage_lost);
            assert_eq!(aside.quarantined.len(), 1);
        });
    }

    #[test]
    fn starting_an_assignment_twice_continues_the_open_walk() {
        let mut d = data();
        let first = d.start_walk("a1", 0, today(), ids(0)).unwrap();
        let again = d.start_walk("a1", 5, today(), ids(5)).unwrap();
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
        assert_ne!(d.start_walk("a1", 20, today(), ids(20)).unwrap(), first);
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

    /// A storage whose writes can be made to fail (a full disk).
    #[derive(Default)]
    struct FullDisk {
        inner: MemoryStorage,
        full: std::cell::Cell<bool>,
    }

    impl Storage for FullDisk {
        async fn load(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.inner.load(key).await
        }
        async fn save(&self, key: &str, json: &str) -> Result<(), StorageError> {
            if self.full.get() {
                return Err(StorageError("QuotaExceededError".into()));
            }
            self.inner.save(key, json).await
        }
        async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StorageError> {
            if self.full.get() {
                return Err(StorageError("QuotaExceededError".into()));
            }
            self.inner.put_photo(sha256, bytes).await
        }
        async fn get_photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
            self.inner.get_photo(sha256).await
        }
        async fn delete_photo(&self, sha256: &str) -> Result<(), StorageError> {
            self.inner.delete_photo(sha256).await
        }
    }

    /// What a screen does: stage on the working copy, write, settle into what it shows.
    fn change<S: Storage>(
        storage: &S,
        shown: &mut AppData,
        working: &mut Working,
        docs: &[Doc],
        f: impl FnOnce(&mut AppData) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let ((), staged) = working.stage(docs, f)?;
        let written = block(write_docs(storage, staged.json()));
        working.settle(shown, staged, written)
    }

    #[test]
    fn the_screen_shows_a_change_only_once_it_is_stored() {
        let storage = MemoryStorage::default();
        let mut shown = data();
        let id = walked(&mut shown, 0);
        block(shown.save(&storage, &Doc::ALL)).unwrap();
        let mut working = Working::new(&shown);
        // The tap: staged, not yet written. What the screen shows has not moved.
        let ((), staged) = working
            .stage(&[Doc::Drafts], |d| {
                d.edit_draft(&id, |dr| dr.serve_at(0, 5_000))
            })
            .unwrap();
        assert!(matches!(
            shown.draft(&id).unwrap().steps[0].phase,
            Phase::Waiting { .. }
        ));
        assert!(matches!(
            working.data().draft(&id).unwrap().steps[0].phase,
            Phase::Serving { .. }
        ));
        // The commit: now it shows.
        let written = block(write_docs(&storage, staged.json()));
        working.settle(&mut shown, staged, written).unwrap();
        assert!(matches!(
            shown.draft(&id).unwrap().steps[0].phase,
            Phase::Serving { .. }
        ));
        let back = block(AppData::load(&storage, || unreachable!())).unwrap();
        assert_eq!(back.drafts, shown.drafts, "shown is what is stored");
    }

    #[test]
    fn a_failed_write_is_never_shown_and_is_undone() {
        let storage = FullDisk::default();
        let mut shown = data();
        let id = walked(&mut shown, 0);
        block(shown.save(&storage, &Doc::ALL)).unwrap();
        let mut working = Working::new(&shown);
        storage.full.set(true);
        let e = change(&storage, &mut shown, &mut working, &[Doc::Drafts], |d| {
            d.edit_draft(&id, |dr| dr.comment = "lost?".into())
        })
        .unwrap_err();
        assert!(matches!(e, StoreError::Storage(_)));
        assert_eq!(shown.draft(&id).unwrap().comment, "", "not shown");
        assert_eq!(working.data().draft(&id).unwrap().comment, "", "undone");
        // Space again: the next change is stored without the failed one.
        storage.full.set(false);
        change(&storage, &mut shown, &mut working, &[Doc::Drafts], |d| {
            d.edit_draft(&id, |dr| dr.satisfaction = Some(Satisfaction::Satisfied))
        })
        .unwrap();
        let back = block(AppData::load(&storage, || unreachable!())).unwrap();
        assert_eq!(back.draft(&id).unwrap().comment, "");
        assert_eq!(back.drafts, shown.drafts);
    }

    #[test]
    fn a_refused_change_leaves_the_working_state_as_it_was() {
        let shown = data();
        let mut working = Working::new(&shown);
        let r = working.stage(&[Doc::Drafts], |d| {
            d.start_walk("a1", 0, today(), ids(0))?;
            Err::<(), _>(StoreError::NotFound)
        });
        assert!(r.is_err());
        assert!(working.data().drafts.is_empty());
    }

    #[test]
    fn two_taps_on_save_finding_or_submit_make_one_record() {
        let mut d = data();
        let id = walked(&mut d, 0);
        d.edit_draft(&id, |dr| {
            let f = dr.open_finding("f1".into());
            dr.edit_finding(&f, |f| {
                f.category_id = Some("long_queue".into());
                f.description = "排队四十分钟".into();
            });
            dr.save_finding(&f).unwrap();
            dr.save_finding(&f).unwrap();
        })
        .unwrap();
        assert_eq!(d.draft(&id).unwrap().findings.len(), 1);
        d.submit(&id, 10).unwrap();
        d.submit(&id, 11).unwrap();
        assert_eq!(d.outbox.entries.len(), 1);
        assert_eq!(d.outbox.entries[0].record.findings.len(), 1);
    }

    #[test]
    fn a_finding_in_progress_and_the_place_survive_a_reload() {
        let storage = MemoryStorage::default();
        let mut d = data();
        let id = walked(&mut d, 0);
        let sha = flowwalk_shared::walkthrough::hex_sha256(b"jpeg");
        d.edit_draft(&id, |dr| {
            let f = dr.open_finding("f1".into());
            dr.edit_finding(&f, |f| {
                f.category_id = Some("long_queue".into());
                f.severity = Severity::High;
                f.description = "叫号屏".into();
                f.photos.push(sha.clone());
            });
        })
        .unwrap();
        d.settings.place = Place::Finding { draft: id.clone() };
        block(d.save(&storage, &Doc::ALL)).unwrap();
        let back = block(AppData::load(&storage, || unreachable!())).unwrap();
        assert_eq!(back.settings.place, Place::Finding { draft: id.clone() });
        let f = back.draft(&id).unwrap().finding.clone().unwrap();
        assert_eq!(
            (f.id.as_str(), f.category_id.as_deref(), f.severity),
            ("f1", Some("long_queue"), Severity::High)
        );
        assert_eq!(f.photos, vec![sha]);
        // Still open after the reload: opening the form again continues the same finding.
        let mut back = back;
        back.edit_draft(&id, |dr| assert_eq!(dr.open_finding("f2".into()), "f1"))
            .unwrap();
        // An unsaved finding is not silently dropped at submit.
        assert!(matches!(
            back.submit(&id, 50),
            Err(StoreError::Draft(DraftError::UnsavedFinding))
        ));
    }

    #[test]
    fn the_phone_refuses_what_the_server_would_refuse_and_names_the_field() {
        let mut d = data();
        let id = walked(&mut d, 0);
        d.edit_draft(&id, |dr| dr.steps[0].note = "字".repeat(4001))
            .unwrap();
        match d.submit(&id, 10) {
            Err(StoreError::Draft(DraftError::Invalid(e))) => {
                assert_eq!(e.field, "steps[0].note");
                assert_eq!(e.code, ErrorCode::InvalidValue);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(d.outbox.entries.is_empty(), "nothing queued");
        d.edit_draft(&id, |dr| dr.steps[0].note = "字".repeat(4000))
            .unwrap();
        d.submit(&id, 10).unwrap();
    }

    #[test]
    fn a_walkthrough_the_server_refused_is_corrected_and_sent_again() {
        let mut d = data();
        let id = walked(&mut d, 0);
        d.submit(&id, 10).unwrap();
        // The server refused it as invalid (a rule this phone did not know yet).
        d.outbox.apply_push_result(&PushResult {
            id: id.clone(),
            rev: 1,
            status: PushStatus::Rejected,
            code: Some(ErrorCode::InvalidValue),
            message: Some("内容过长".into()),
            field: Some("comment".into()),
            missing_photos: vec![],
        });
        d.correct(&id).unwrap();
        let draft = d.draft(&id).unwrap();
        // The server stored nothing: the correction goes as the revision it can store.
        assert_eq!(draft.rev, 1);
        assert_eq!(draft.returned_comment.as_deref(), Some("内容过长"));
        d.edit_draft(&id, |dr| dr.comment = "短".into()).unwrap();
        d.submit(&id, 20).unwrap();
        let e = d.outbox.get(&id).unwrap();
        assert_eq!((e.record.rev, e.state.clone()), (1, SendState::Waiting));
        assert_eq!(e.record.comment, "短");
        assert_eq!(d.outbox.entries.len(), 1);
        // A conflict or a record the server holds cannot be "corrected" this way.
        d.outbox.apply_push_result(&PushResult {
            id: id.clone(),
            rev: 1,
            status: PushStatus::Conflict,
            code: Some(ErrorCode::Conflict),
            message: None,
            field: None,
            missing_photos: vec![],
        });
        assert!(d.correct(&id).is_err());
    }

    #[test]
    fn a_task_whose_period_ended_starts_no_walk_but_an_open_one_continues() {
        let mut d = data();
        let after = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(matches!(
            d.start_walk("a1", 0, after, ids(0)),
            Err(StoreError::TaskClosed)
        ));
        assert!(d.drafts.is_empty());
        // The last day still counts.
        let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let open = d.start_walk("a1", 0, last, ids(0)).unwrap();
        assert_eq!(d.start_walk("a1", 1, after, ids(1)).unwrap(), open);
    }

    #[test]
    fn an_unreadable_document_is_kept_aside_and_reported_never_overwritten() {
        let storage = MemoryStorage::default();
        let mut d = data();
        walked(&mut d, 0);
        block(d.save(&storage, &Doc::ALL)).unwrap();
        let newer = r#"{"format":99,"data":{"entries":[]}}"#;
        block(storage.save("outbox", newer)).unwrap();
        let back = block(AppData::load(&storage, || unreachable!())).unwrap();
        assert_eq!(back.quarantined.len(), 1);
        let q = &back.quarantined[0];
        assert_eq!((q.doc, q.key.as_str()), ("outbox", "quarantine-outbox-1"));
        assert_eq!(
            block(storage.load("quarantine-outbox-1"))
                .unwrap()
                .as_deref(),
            Some(newer)
        );
        assert_eq!(back.drafts, d.drafts, "the other documents load");
        // A second start finds it again and keeps a second copy; the first is untouched.
        let again = block(AppData::load(&storage, || unreachable!())).unwrap();
        assert_eq!(again.quarantined[0].key, "quarantine-outbox-2");
        assert_eq!(
            block(storage.load("quarantine-outbox-1"))
                .unwrap()
                .as_deref(),
            Some(newer)
        );
    }

    #[test]
    fn a_settled_round_shows_how_it_went() {
        let storage = MemoryStorage::default();
        let mut shown = data();
        block(shown.save(&storage, &Doc::ALL)).unwrap();
        let mut working = Working::new(&shown);
        change(
            &storage,
            &mut shown,
            &mut working,
            &[Doc::Outbox, Doc::Reference, Doc::Session],
            |d| {
                let round = Round {
                    outbox: d.outbox.clone(),
                    reference: None,
                    session: None,
                    report: SyncReport {
                        reached_server: true,
                        ..SyncReport::default()
                    },
                };
                d.apply_round(round, 5);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            shown.sync,
            SyncStatus {
                at_ms: 5,
                reached_server: true,
                problem: None
            }
        );
    }
}
