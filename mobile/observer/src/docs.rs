//! How the app's documents are written on the device: each in an envelope that names its
//! format, read through a migration from every older format. A document this version
//! cannot read — a bug, an older or newer app version, a torn write — is kept untouched
//! under a quarantine key and reported, never emptied or overwritten: the app starts
//! without it and says so.
//!
//! Formats:
//! - 1: the bare JSON of the builds before documents were versioned (no envelope).
//! - 2: `{"format": 2, "data": …}`; a draft carries its finding in progress (`finding`),
//!   an outbox entry whether the server holds its record (`server_has`).
//! - 3: the outbox carries a department officer's evidence (`evidence`) and open issues
//!   (`issues`). An older app finds the format newer and keeps the document aside rather
//!   than dropping the evidence when it next saves.
//!
//! A format change adds its number here, a step in [`migrate`], and a test that reads a
//! document written in the format before.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::store::Doc;

/// The format this version writes.
pub const FORMAT: u64 = 3;

/// A document in its envelope, ready to store.
pub fn wrap<T: Serialize>(data: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(&serde_json::json!({ "format": FORMAT, "data": data }))
}

/// What reading a stored document gave.
#[derive(Debug, PartialEq)]
pub enum Read<T> {
    /// Nothing stored under the key (a first start).
    Missing,
    Parsed(T),
    /// Stored, but not readable by this version; keep `raw` aside.
    Unreadable {
        raw: String,
        reason: String,
    },
}

/// Reads a stored document of kind `doc`, migrating it from an older format.
pub fn read<T: DeserializeOwned>(doc: Doc, raw: Option<String>) -> Read<T> {
    let Some(raw) = raw else {
        return Read::Missing;
    };
    match parse(doc, &raw) {
        Ok(v) => Read::Parsed(v),
        Err(reason) => Read::Unreadable { raw, reason },
    }
}

fn parse<T: DeserializeOwned>(doc: Doc, raw: &str) -> Result<T, String> {
    let value: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let (format, data) = match value {
        Value::Object(mut m) if m.len() == 2 && m.contains_key("format") => {
            let format = m
                .get("format")
                .and_then(Value::as_u64)
                .ok_or("the format is not a number")?;
            let data = m.remove("data").ok_or("no data in the envelope")?;
            (format, data)
        }
        bare => (1, bare),
    };
    if format > FORMAT {
        return Err(format!(
            "written by a newer version of the app (format {format}, this one reads up to {FORMAT})"
        ));
    }
    if format == 0 {
        return Err("format 0 does not exist".into());
    }
    let data = migrate(doc, format, data)?;
    serde_json::from_value(data).map_err(|e| format!("format {FORMAT}: {e}"))
}

/// Brings `data` from format `from` to [`FORMAT`], one step at a time.
pub fn migrate(doc: Doc, from: u64, mut data: Value) -> Result<Value, String> {
    let mut format = from;
    while format < FORMAT {
        data = match format {
            1 => v1_to_v2(doc, data)?,
            2 => v2_to_v3(doc, data)?,
            other => return Err(format!("no migration from format {other}")),
        };
        format += 1;
    }
    Ok(data)
}

/// Format 1 → 2: drafts gain `finding` (none in progress); outbox entries gain
/// `server_has`, true for those the server had acknowledged (photos uploading, sent).
fn v1_to_v2(doc: Doc, mut data: Value) -> Result<Value, String> {
    match doc {
        Doc::Drafts => {
            let drafts = data.as_array_mut().ok_or("drafts: not a list")?;
            for d in drafts {
                let d = d
                    .as_object_mut()
                    .ok_or("drafts: an entry is not an object")?;
                d.entry("finding").or_insert(Value::Null);
            }
        }
        Doc::Outbox => {
            let entries = data
                .get_mut("entries")
                .and_then(Value::as_array_mut)
                .ok_or("outbox: no entries")?;
            for e in entries {
                let e = e
                    .as_object_mut()
                    .ok_or("outbox: an entry is not an object")?;
                let acknowledged = matches!(
                    e.get("state")
                        .and_then(|s| s.get("state"))
                        .and_then(Value::as_str),
                    Some("uploading_photos" | "sent")
                );
                e.entry("server_has").or_insert(Value::Bool(acknowledged));
            }
        }
        Doc::Settings | Doc::Session | Doc::Reference => {}
    }
    Ok(data)
}

/// Format 2 → 3: the outbox gains no evidence and no open issues.
fn v2_to_v3(doc: Doc, mut data: Value) -> Result<Value, String> {
    if doc == Doc::Outbox {
        let outbox = data.as_object_mut().ok_or("outbox: not an object")?;
        outbox.entry("evidence").or_insert(Value::Array(Vec::new()));
        outbox.entry("issues").or_insert(Value::Array(Vec::new()));
    }
    Ok(data)
}

/// The key a document that could not be read is kept under.
pub fn quarantine_key(doc: Doc, at_ms: i64) -> String {
    format!("quarantine-{}-{}", doc.key(), at_ms.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{Outbox, SendState};
    use crate::recorder::Draft;
    use crate::session::Session;
    use crate::store::Settings;
    use flowwalk_shared::Role;
    use flowwalk_shared::api::auth::Me;

    /// A drafts document as the build before versioning wrote it (format 1), by hand.
    const DRAFTS_V1: &str = r#"[{"id":"w1","rev":1,"assignment_id":"a1","scenario_version_id":"v1","title":"社保卡补办","venue":"天宁区政务服务中心","mode":"in_person","started_at_ms":1000,"steps":[{"id":"s1","template_step_id":"t1","unplanned":null,"name":"取号","standard_minutes":5,"started_at_ms":1000,"ended_at_ms":null,"waiting_ms":0,"serving_ms":0,"phase":{"phase":"waiting","since_ms":1000},"outcome":null,"rating":null,"note":"排队的人很多"}],"current":0,"findings":[],"commendations":[],"satisfaction":null,"smoothness":null,"comment":"","returned_comment":null}]"#;

    /// An outbox document of format 1 with one sent entry and one waiting entry.
    fn outbox_v1() -> String {
        let record = r#"{"id":"ID","rev":1,"assignment_id":"a1","scenario_version_id":"v1","device_id":"d","mode":"in_person","started_at_ms":0,"ended_at_ms":1,"steps":[],"findings":[],"commendations":[],"satisfaction":"satisfied","smoothness":"smooth","comment":""}"#;
        let entry = |id: &str, state: &str| {
            format!(
                r#"{{"record":{},"state":{{"state":"{state}"}},"attempts":0,"next_attempt_at_ms":0,"missing_photos":[],"last_error":null,"review":null}}"#,
                record.replace("ID", id)
            )
        };
        format!(
            r#"{{"entries":[{},{}],"cursor":"7"}}"#,
            entry("w1", "sent"),
            entry("w2", "waiting")
        )
    }

    #[test]
    fn format_1_drafts_are_migrated_with_no_finding_in_progress() {
        let Read::Parsed(drafts) = read::<Vec<Draft>>(Doc::Drafts, Some(DRAFTS_V1.into())) else {
            panic!("format 1 drafts must be read");
        };
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].steps[0].note, "排队的人很多");
        assert_eq!(drafts[0].finding, None);
    }

    #[test]
    fn format_1_outbox_entries_learn_whether_the_server_has_them() {
        let Read::Parsed(outbox) = read::<Outbox>(Doc::Outbox, Some(outbox_v1())) else {
            panic!("format 1 outbox must be read");
        };
        assert_eq!(outbox.cursor, "7");
        assert_eq!(outbox.entries[0].state, SendState::Sent);
        assert!(outbox.entries[0].server_has);
        assert!(!outbox.entries[1].server_has);
    }

    #[test]
    fn format_2_outboxes_gain_no_evidence_and_keep_their_entries() {
        let v2 = format!(
            r#"{{"format":2,"data":{}}}"#,
            outbox_v1().replace(r#""review":null"#, r#""review":null,"server_has":true"#)
        );
        let Read::Parsed(outbox) = read::<Outbox>(Doc::Outbox, Some(v2)) else {
            panic!("format 2 outbox must be read");
        };
        assert_eq!(outbox.entries.len(), 2);
        assert!(outbox.entries[1].server_has);
        assert_eq!((outbox.evidence.len(), outbox.issues.len()), (0, 0));
        // Format 3 requires them: a document claiming 3 without is not silently emptied.
        assert!(matches!(
            read::<Outbox>(
                Doc::Outbox,
                Some(r#"{"format":3,"data":{"entries":[],"cursor":""}}"#.into())
            ),
            Read::Unreadable { .. }
        ));
    }

    /// A session document as phones stored it, by hand: format 3 in its envelope, and the
    /// bare format 1 of before `needs_login`.
    #[test]
    fn stored_sessions_still_read() {
        let user = r#"{"id":"u7","username":"wang","display_name":"王芳","role":"experiencer","department_id":null}"#;
        let v3 = format!(
            r#"{{"format":3,"data":{{"base_url":"https://fw.example.cn","user":{user},"access_token":"a","access_expires_at_ms":1700000000000,"refresh_token":"r","needs_login":false}}}}"#
        );
        let v1 = format!(
            r#"{{"base_url":"https://fw.example.cn","user":{user},"access_token":"a","access_expires_at_ms":1700000000000,"refresh_token":"r"}}"#
        );
        let expected = Session {
            base_url: "https://fw.example.cn".into(),
            user: Me {
                id: "u7".into(),
                username: "wang".into(),
                display_name: "王芳".into(),
                role: Role::Experiencer,
                department_id: None,
                must_change_password: false,
            },
            access_token: "a".into(),
            access_expires_at_ms: 1_700_000_000_000,
            refresh_token: "r".into(),
            needs_login: false,
            disabled: false,
        };
        for raw in [v3, v1] {
            assert_eq!(
                read::<Option<Session>>(Doc::Session, Some(raw)),
                Read::Parsed(Some(expected.clone()))
            );
        }
        let logged_out = r#"{"format":3,"data":null}"#.to_owned();
        assert_eq!(
            read::<Option<Session>>(Doc::Session, Some(logged_out)),
            Read::Parsed(None)
        );
    }

    #[test]
    fn what_this_version_writes_it_reads_back() {
        let settings = Settings {
            device_id: "dev".into(),
            ..Settings::default()
        };
        let raw = wrap(&settings).unwrap();
        assert!(raw.contains(r#""format":3"#), "{raw}");
        assert_eq!(read(Doc::Settings, Some(raw)), Read::Parsed(settings));
        assert_eq!(read::<Settings>(Doc::Settings, None), Read::Missing);
    }

    #[test]
    fn newer_torn_or_wrong_documents_are_unreadable_not_emptied() {
        let newer = r#"{"format":4,"data":{"device_id":"x"}}"#;
        match read::<Settings>(Doc::Settings, Some(newer.into())) {
            Read::Unreadable { raw, reason } => {
                assert_eq!(raw, newer, "kept byte for byte");
                assert!(reason.contains("newer"), "{reason}");
            }
            other => panic!("expected unreadable, got {other:?}"),
        }
        let torn = &DRAFTS_V1[..DRAFTS_V1.len() / 2];
        assert!(matches!(
            read::<Vec<Draft>>(Doc::Drafts, Some(torn.into())),
            Read::Unreadable { .. }
        ));
        assert!(matches!(
            read::<Vec<Draft>>(
                Doc::Drafts,
                Some(r#"{"format":2,"data":{"no":"list"}}"#.into())
            ),
            Read::Unreadable { .. }
        ));
    }
}
