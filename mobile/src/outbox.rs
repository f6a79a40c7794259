//! The outbox: every walkthrough the observer submitted, with where it stands — waiting,
//! photos uploading, sent, or needing attention (and why). Pure state, serialisable as a
//! whole, so the storage layer can persist it after every change; the sync engine and the
//! screens only ever change it through these methods.

use serde::{Deserialize, Serialize};

use flowwalk_shared::ErrorCode;
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
}

/// Why the outbox refused a change the screen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxError {
    /// A walkthrough with this id is already in the outbox.
    AlreadySubmitted,
    /// Only a returned walkthrough can be corrected, as its next revision.
    NotReturned,
}

impl Outbox {
    /// Queues a submitted walkthrough (call after it is durable on the device).
    pub fn submit(&mut self, record: WalkthroughRecord) -> Result<(), OutboxError> {
        if self.entries.iter().any(|e| e.record.id == record.id) {
            return Err(OutboxError::AlreadySubmitted);
        }
        self.entries.push(OutboxEntry {
            missing_photos: record.photo_hashes(),
            record,
            state: SendState::Waiting,
            attempts: 0,
            next_attempt_at_ms: i64::MIN,
            last_error: None,
            review: None,
            server_has: false,
        });
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
        *entry = OutboxEntry {
            missing_photos: corrected.photo_hashes(),
            record: corrected,
            state: SendState::Waiting,
            attempts: 0,
            next_attempt_at_ms: i64::MIN,
            last_error: None,
            review: None,
            server_has: false,
        };
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

    /// When the first waiting entry may be pushed again, if any waits.
    pub fn next_attempt_at_ms(&self) -> Option<i64> {
        self.entries
            .iter()
            .filter(|e| e.state == SendState::Waiting)
            .map(|e| e.next_attempt_at_ms)
            .min()
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
    }

    /// Entries whose photos are still to upload, with the hashes.
    pub fn photo_uploads(&self) -> Vec<(String, u32, Vec<String>)> {
        self.entries
            .iter()
            .filter(|e| e.state == SendState::UploadingPhotos)
            .map(|e| (e.record.id.clone(), e.record.rev, e.missing_photos.clone()))
            .collect()
    }
}
