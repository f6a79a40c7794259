//! The outbox: every walkthrough the observer submitted, and every round of evidence a
//! department officer recorded, with where it stands — waiting, photos uploading, sent, or
//! needing attention (and why). Pure state, serialisable as a whole, so the storage layer
//! can persist it after every change; the sync engine and the screens only ever change it
//! through these methods.

use serde::{Deserialize, Serialize};

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::issues::{EvidenceRequest, IssueSummary};
use flowwalk_shared::sync::{PushResult, PushStatus, ReviewOutcome, ReviewStatus};
use flowwalk_shared::walkthrough::WalkthroughRecord;

use crate::backoff;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SendState {
    /// Recorded on the phone; the server has not confirmed it yet.
    Waiting,
    /// The server holds the record; these photos are still to upload.
    UploadingPhotos,
    /// The server holds the record and every photo.
    Sent,
    /// The server refused it; retrying unchanged will not help. Shown with the reason.
    NeedsAttention { code: ErrorCode, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub record: WalkthroughRecord,
    pub state: SendState,
    /// Failed attempts since the last success (for back-off).
    pub attempts: u32,
    /// Not before this time (device ms) will the engine try again on its own.
    pub next_attempt_at_ms: i64,
    /// Photos the server still lacks.
    pub missing_photos: Vec<String>,
    /// The last failure worth retrying, for the screen ("no network", "server busy").
    pub last_error: Option<String>,
    /// The manager's decision, once there is one.
    pub review: Option<ReviewOutcome>,
    /// The server acknowledged this revision (`accepted` or `already_had`): it holds it.
    #[serde(default)]
    pub server_has: bool,
}

impl OutboxEntry {
    /// A record queued to go now, with all its photos still to upload.
    fn waiting(record: WalkthroughRecord) -> Self {
        OutboxEntry {
            missing_photos: record.photo_hashes(),
            record,
            state: SendState::Waiting,
            attempts: 0,
            next_attempt_at_ms: i64::MIN,
            last_error: None,
            review: None,
            server_has: false,
        }
    }

    /// The revision a correction of this entry goes as, if it can be corrected: a
    /// returned walkthrough's next revision; for a record the server refused as invalid
    /// (so stored nothing), the same revision again with the corrected content.
    pub fn next_rev(&self) -> Option<u32> {
        if self
            .review
            .as_ref()
            .is_some_and(|r| r.status == ReviewStatus::Returned)
        {
            return Some(self.record.rev.saturating_add(1));
        }
        match &self.state {
            SendState::NeedsAttention { code, .. }
                if !self.server_has && *code != ErrorCode::Conflict =>
            {
                Some(self.record.rev)
            }
            _ => None,
        }
    }

    /// Whether the engine should try to push it now.
    pub fn due(&self, now_ms: i64) -> bool {
        self.state == SendState::Waiting && self.next_attempt_at_ms <= now_ms
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    pub entries: Vec<OutboxEntry>,
    /// The pull cursor; empty before the first pull.
    pub cursor: String,
    /// A department officer's evidence: being written, then on its way.
    pub evidence: Vec<EvidenceEntry>,
    /// A department officer's open issues as last fetched, for working offline.
    pub issues: Vec<IssueSummary>,
}

/// Where a round of evidence stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EvidenceState {
    /// Being written on the phone (kept through a reload).
    Draft,
    /// Submitted on the phone; photos, then the evidence, go when the network allows.
    Waiting,
    /// The server holds it.
    Sent,
    /// The server refused it (the issue moved on, a rule); shown with the reason.
    NeedsAttention { code: ErrorCode, message: String },
}

/// One round of evidence of a fix, made on the phone. Its `client_id` goes with it, so a
/// retry whose answer was lost is stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub client_id: String,
    pub issue_id: String,
    pub issue_title: String,
    /// The issue version the officer saw.
    pub expected_version: i32,
    pub note: String,
    pub photos: Vec<String>,
    pub state: EvidenceState,
    pub attempts: u32,
    pub next_attempt_at_ms: i64,
    /// Photos the server may still lack (all of them until each upload is answered).
    pub missing_photos: Vec<String>,
    pub last_error: Option<String>,
}

impl EvidenceEntry {
    /// The request it goes as.
    pub fn request(&self) -> EvidenceRequest {
        EvidenceRequest {
            expected_version: self.expected_version,
            note: self.note.clone(),
            photos: self.photos.clone(),
            client_id: Some(self.client_id.clone()),
        }
    }

    pub fn due(&self, now_ms: i64) -> bool {
        self.state == EvidenceState::Waiting && self.next_attempt_at_ms <= now_ms
    }
}

/// Why the outbox refused a change the screen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxError {
    /// A walkthrough (or evidence) with this id is already in the outbox.
    AlreadySubmitted,
    /// Evidence for an issue this phone does not hold, or no longer open.
    UnknownIssue,
    /// Evidence that breaks a rule the server would refuse it for.
    Invalid(flowwalk_shared::rules::Invalid),
    /// Only a returned walkthrough can be corrected, as its next revision.
    NotReturned,
}

impl Outbox {
    /// Queues a submitted walkthrough (call after it is durable on the device).
    pub fn submit(&mut self, record: WalkthroughRecord) -> Result<(), OutboxError> {
        if self.entries.iter().any(|e| e.record.id == record.id) {
            return Err(OutboxError::AlreadySubmitted);
        }
        self.entries.push(OutboxEntry::waiting(record));
        Ok(())
    }

    /// Replaces a sent walkthrough with its correction and queues it: a returned one as
    /// `rev + 1`; one the server refused (and so never stored) under the same revision,
    /// which the server can still store.
    pub fn resubmit(&mut self, corrected: WalkthroughRecord) -> Result<(), OutboxError> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.record.id == corrected.id)
            .ok_or(OutboxError::NotReturned)?;
        if entry.next_rev() != Some(corrected.rev) {
            return Err(OutboxError::NotReturned);
        }
        *entry = OutboxEntry::waiting(corrected);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&OutboxEntry> {
        self.entries.iter().find(|e| e.record.id == id)
    }

    fn entry_mut(&mut self, id: &str, rev: u32) -> Option<&mut OutboxEntry> {
        self.entries
            .iter_mut()
            .find(|e| e.record.id == id && e.record.rev == rev)
    }

    /// When the first waiting walkthrough or evidence may be sent again, if any waits.
    pub fn next_attempt_at_ms(&self) -> Option<i64> {
        let walks = self
            .entries
            .iter()
            .filter(|e| e.state == SendState::Waiting)
            .map(|e| e.next_attempt_at_ms);
        let evidence = self
            .evidence
            .iter()
            .filter(|e| e.state == EvidenceState::Waiting)
            .map(|e| e.next_attempt_at_ms);
        walks.chain(evidence).min()
    }

    /// Entries to push now.
    pub fn due(&self, now_ms: i64) -> Vec<&OutboxEntry> {
        self.entries.iter().filter(|e| e.due(now_ms)).collect()
    }

    /// Applies the server's answer for one record.
    pub fn apply_push_result(&mut self, r: &PushResult) {
        let Some(entry) = self.entry_mut(&r.id, r.rev) else {
            return;
        };
        entry.last_error = None;
        entry.attempts = 0;
        entry.state = match r.status {
            PushStatus::Accepted | PushStatus::AlreadyHad => {
                entry.server_has = true;
                entry.missing_photos = r.missing_photos.clone();
                if entry.missing_photos.is_empty() {
                    SendState::Sent
                } else {
                    SendState::UploadingPhotos
                }
            }
            PushStatus::Conflict | PushStatus::Rejected => SendState::NeedsAttention {
                code: r.code.unwrap_or(ErrorCode::Conflict),
                message: r.message.clone().unwrap_or_default(),
            },
        };
    }

    /// A failure worth retrying (no network, server busy): wait, then try again.
    pub fn transient_failure(&mut self, id: &str, rev: u32, now_ms: i64, jitter: f64, why: &str) {
        let Some(entry) = self.entry_mut(id, rev) else {
            return;
        };
        entry.next_attempt_at_ms = now_ms.saturating_add(
            i64::try_from(backoff::delay_ms(entry.attempts, jitter)).unwrap_or(i64::MAX),
        );
        entry.attempts = entry.attempts.saturating_add(1);
        entry.last_error = Some(why.to_owned());
    }

    /// The server asked to wait (a quota): nothing is wrong with the record; the reason is
    /// shown until it goes through.
    pub fn waiting_because(&mut self, id: &str, rev: u32, why: &str) {
        if let Some(entry) = self.entry_mut(id, rev) {
            entry.last_error = Some(why.to_owned());
        }
    }

    /// A refusal of the whole request (a 4xx): final until something changes.
    pub fn refused(&mut self, id: &str, rev: u32, code: ErrorCode, message: &str) {
        if let Some(entry) = self.entry_mut(id, rev) {
            entry.state = SendState::NeedsAttention {
                code,
                message: message.to_owned(),
            };
        }
    }

    /// One photo arrived on the server.
    pub fn photo_uploaded(&mut self, id: &str, rev: u32, sha: &str) {
        let Some(entry) = self.entry_mut(id, rev) else {
            return;
        };
        entry.missing_photos.retain(|h| h != sha);
        if entry.missing_photos.is_empty() && entry.state == SendState::UploadingPhotos {
            entry.state = SendState::Sent;
        }
    }

    /// The manager's decision, from a pull.
    pub fn apply_review(&mut self, outcome: &ReviewOutcome) {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .find(|e| e.record.id == outcome.walkthrough_id)
            && outcome.rev >= entry.record.rev
        {
            entry.review = Some(outcome.clone());
        }
    }

    /// Takes in what a sync round did to its copy: per `(id, rev)`, the round's view of the
    /// entry wins; entries added (or corrected) since the copy was taken stay as they are.
    pub fn merge_from(&mut self, round: &Outbox) {
        for entry in &mut self.entries {
            if let Some(theirs) = round
                .entries
                .iter()
                .find(|e| e.record.id == entry.record.id && e.record.rev == entry.record.rev)
            {
                *entry = theirs.clone();
            } else if let Some(review) = round
                .entries
                .iter()
                .find(|e| e.record.id == entry.record.id)
                .and_then(|e| e.review.as_ref())
                && review.rev >= entry.record.rev
            {
                entry.review = Some(review.clone());
            }
        }
        self.cursor = round.cursor.clone();
        self.merge_evidence_from(round);
    }

    /// Entries whose photos are still to upload, with the hashes.
    pub fn photo_uploads(&self) -> Vec<(String, u32, Vec<String>)> {
        self.entries
            .iter()
            .filter(|e| e.state == SendState::UploadingPhotos)
            .map(|e| (e.record.id.clone(), e.record.rev, e.missing_photos.clone()))
            .collect()
    }
    /// Opens the evidence form for an issue: the draft already open for it, or a new one
    /// under `client_id`. Returns the draft's id.
    pub fn open_evidence(
        &mut self,
        issue_id: &str,
        client_id: String,
    ) -> Result<String, OutboxError> {
        if let Some(e) = self
            .evidence
            .iter()
            .find(|e| e.issue_id == issue_id && e.state == EvidenceState::Draft)
        {
            return Ok(e.client_id.clone());
        }
        let issue = self
            .issues
            .iter()
            .find(|i| i.id == issue_id)
            .ok_or(OutboxError::UnknownIssue)?;
        self.evidence.push(EvidenceEntry {
            client_id: client_id.clone(),
            issue_id: issue.id.clone(),
            issue_title: issue.title.clone(),
            expected_version: issue.version,
            note: String::new(),
            photos: Vec::new(),
            state: EvidenceState::Draft,
            attempts: 0,
            next_attempt_at_ms: i64::MIN,
            missing_photos: Vec::new(),
            last_error: None,
        });
        Ok(client_id)
    }

    /// The evidence entry with this client id.
    pub fn evidence(&self, client_id: &str) -> Option<&EvidenceEntry> {
        self.evidence.iter().find(|e| e.client_id == client_id)
    }

    fn evidence_mut(&mut self, client_id: &str) -> Option<&mut EvidenceEntry> {
        self.evidence.iter_mut().find(|e| e.client_id == client_id)
    }

    /// Changes a draft of evidence (only a draft: what was submitted stays as it went).
    pub fn edit_evidence(
        &mut self,
        client_id: &str,
        f: impl FnOnce(&mut EvidenceEntry),
    ) -> Result<(), OutboxError> {
        match self.evidence_mut(client_id) {
            Some(e) if e.state == EvidenceState::Draft => {
                f(e);
                Ok(())
            }
            Some(_) => Err(OutboxError::AlreadySubmitted),
            None => Err(OutboxError::UnknownIssue),
        }
    }

    /// Submits a draft of evidence: checked by the server's own rules, then queued. A
    /// second tap finds it no longer a draft and changes nothing.
    pub fn submit_evidence(&mut self, client_id: &str) -> Result<(), OutboxError> {
        let entry = self
            .evidence_mut(client_id)
            .ok_or(OutboxError::UnknownIssue)?;
        if entry.state != EvidenceState::Draft {
            return Err(OutboxError::AlreadySubmitted);
        }
        entry
            .request()
            .check_shape()
            .map_err(OutboxError::Invalid)?;
        entry.note = entry.note.trim().to_owned();
        entry.missing_photos = entry.photos.clone();
        entry.state = EvidenceState::Waiting;
        Ok(())
    }

    /// Takes evidence the server refused back into a draft, to correct and send again: the
    /// same note and photos under a new id, against the issue's version as last fetched.
    /// Only while the issue is still open for the department. Returns the draft's id.
    pub fn redo_evidence(
        &mut self,
        client_id: &str,
        new_id: String,
    ) -> Result<String, OutboxError> {
        let refused = self
            .evidence(client_id)
            .filter(|e| matches!(e.state, EvidenceState::NeedsAttention { .. }))
            .cloned()
            .ok_or(OutboxError::NotReturned)?;
        let version = self
            .issues
            .iter()
            .find(|i| i.id == refused.issue_id)
            .map(|i| i.version)
            .ok_or(OutboxError::UnknownIssue)?;
        if let Some(draft) = self
            .evidence
            .iter()
            .find(|e| e.issue_id == refused.issue_id && e.state == EvidenceState::Draft)
        {
            return Ok(draft.client_id.clone());
        }
        self.evidence.retain(|e| e.client_id != client_id);
        self.evidence.push(EvidenceEntry {
            client_id: new_id.clone(),
            expected_version: version,
            state: EvidenceState::Draft,
            attempts: 0,
            next_attempt_at_ms: i64::MIN,
            missing_photos: Vec::new(),
            last_error: None,
            ..refused
        });
        Ok(new_id)
    }

    /// Removes evidence the server refused, once the officer has seen why (its issue is no
    /// longer theirs to fix). Returns its photos, for the caller to free.
    pub fn drop_refused_evidence(&mut self, client_id: &str) -> Vec<String> {
        let mut photos = Vec::new();
        self.evidence.retain(|e| {
            let refused =
                e.client_id == client_id && matches!(e.state, EvidenceState::NeedsAttention { .. });
            if refused {
                photos = e.photos.clone();
            }
            !refused
        });
        photos
    }

    /// Drops a draft of evidence (never one that was submitted).
    pub fn discard_evidence(&mut self, client_id: &str) {
        self.evidence
            .retain(|e| !(e.client_id == client_id && e.state == EvidenceState::Draft));
    }

    /// Evidence to send now.
    pub fn evidence_due(&self, now_ms: i64) -> Vec<String> {
        self.evidence
            .iter()
            .filter(|e| e.due(now_ms))
            .map(|e| e.client_id.clone())
            .collect()
    }

    /// One of the evidence's photos reached the server.
    pub fn evidence_photo_uploaded(&mut self, client_id: &str, sha: &str) {
        if let Some(e) = self.evidence_mut(client_id) {
            e.missing_photos.retain(|h| h != sha);
        }
    }

    /// The server stored the evidence (now, or earlier under the same client id).
    pub fn evidence_stored(&mut self, client_id: &str) {
        if let Some(e) = self.evidence_mut(client_id) {
            e.state = EvidenceState::Sent;
            e.missing_photos.clear();
            e.last_error = None;
            e.attempts = 0;
        }
    }

    /// The server refused the evidence: final until the officer acts.
    pub fn evidence_refused(&mut self, client_id: &str, code: ErrorCode, message: &str) {
        if let Some(e) = self.evidence_mut(client_id) {
            e.state = EvidenceState::NeedsAttention {
                code,
                message: message.to_owned(),
            };
            // The refusal is the news; an earlier "no network" is not.
            e.last_error = None;
        }
    }

    /// Sending failed in a way worth retrying: wait, then try again.
    pub fn evidence_failed(&mut self, client_id: &str, now_ms: i64, jitter: f64, why: &str) {
        if let Some(e) = self.evidence_mut(client_id) {
            e.next_attempt_at_ms = now_ms.saturating_add(
                i64::try_from(backoff::delay_ms(e.attempts, jitter)).unwrap_or(i64::MAX),
            );
            e.attempts = e.attempts.saturating_add(1);
            e.last_error = Some(why.to_owned());
        }
    }

    /// Takes a sync round's evidence back in: per client id the round's view wins for
    /// entries that were already queued when the round began; drafts and evidence queued
    /// since stay as they are.
    fn merge_evidence_from(&mut self, round: &Outbox) {
        for entry in &mut self.evidence {
            if entry.state == EvidenceState::Draft {
                continue;
            }
            if let Some(theirs) = round
                .evidence
                .iter()
                .find(|e| e.client_id == entry.client_id && e.state != EvidenceState::Draft)
            {
                *entry = theirs.clone();
            }
        }
        self.issues = round.issues.clone();
    }
}
