//! The sync engine: one round of pull, push and photo upload against a [`Transport`].
//!
//! It never loses or duplicates a record: a record leaves the waiting state only when the
//! server answered `accepted` or `already_had` for it, and the server stores each
//! `(id, rev)` once however often it is sent — so after a lost answer, sending again is
//! always safe. Failures worth retrying back off; refusals are final and shown.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::sync::{PROTOCOL_VERSION, PushRecord, PushRequest, ReferenceData};

use crate::api::{ApiError, Transport};
use crate::outbox::Outbox;

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
        Err(e) if e.is_unauthorized() => {
            report.needs_login = true;
            return report;
        }
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
            .map(|e| PushRecord {
                id: e.record.id.clone(),
                rev: e.record.rev,
                content_hash: e.record.content_hash(),
                walkthrough: e.record.clone(),
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
            Err(e) if e.is_unauthorized() => {
                report.needs_login = true;
                return report;
            }
            Err(ApiError::Refused { body, .. }) => {
                report.reached_server = true;
                for (id, rev) in chunk {
                    outbox.refused(id, *rev, body.code, &body.message);
                    report.refused += 1;
                }
            }
            Err(e) => {
                let why = e.describe();
                for (id, rev) in chunk {
                    outbox.transient_failure(id, *rev, now_ms, jitter, &why);
                }
                report.retry_later.push(format!("push: {why}"));
                // No network: the photos would fail too.
                return report;
            }
        }
    }

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
                Err(e) if e.is_unauthorized() => {
                    report.needs_login = true;
                    return report;
                }
                Err(ApiError::Refused { body, .. }) => {
                    outbox.refused(&id, rev, body.code, &body.message);
                    report.refused += 1;
                    break;
                }
                Err(e) => {
                    report.retry_later.push(format!("photo: {}", e.describe()));
                    return report;
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use flowwalk_shared::ErrorBody;
    use flowwalk_shared::api::assignments::WalkMode;
    use flowwalk_shared::sync::{
        PullResponse, PushResponse, PushResult, PushStatus, ReviewOutcome, ReviewStatus,
    };
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::{Finding, Severity, WalkthroughRecord};

    use super::*;
    use crate::outbox::SendState;

    /// A server in memory: stores each (id, rev) once, can lose answers, refuse, or be
    /// unreachable.
    #[derive(Default)]
    struct FakeServer {
        stored: RefCell<HashMap<(String, u32), String>>,
        photos: RefCell<Vec<String>>,
        lose_next_answer: RefCell<bool>,
        offline: RefCell<bool>,
        refuse_photos: RefCell<bool>,
        reviews: RefCell<Vec<ReviewOutcome>>,
        pushes: RefCell<usize>,
    }

    impl Transport for FakeServer {
        async fn push(&self, request: &PushRequest) -> Result<PushResponse, ApiError> {
            if *self.offline.borrow() {
                return Err(ApiError::Network("offline".into()));
            }
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
            if *self.offline.borrow() {
                return Err(ApiError::Network("offline".into()));
            }
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
            if *self.offline.borrow() {
                return Err(ApiError::Network("offline".into()));
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
}
