//! The audit trail's hash chain, pure: how an entry is hashed, and how a stored chain is
//! checked.
//!
//! Every event of every issue is one entry in one chain. An entry's hash is an HMAC-SHA256
//! (keyed by the server's audit key) over the previous entry's hash and the entry's own
//! fields in a fixed text form; so whoever edits, deletes or inserts rows without the key
//! cannot make the chain whole again. [`verify`] recomputes the chain and names every entry
//! that was changed, removed or inserted; with the issues' versions it also sees entries
//! cut from the end of an issue's trail.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `issue_version` of an administrative entry: it belongs to no issue's trail.
pub const ADMIN_VERSION: i32 = 0;

/// The hash the first entry carries as its predecessor.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as stored, its words as their wire names. An issue's step names the issue and
/// its version; an administrative change (an account, a setting: [`ADMIN_VERSION`]) names
/// what it changed in `issue_id`, with an empty `to_state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub issue_id: String,
    pub issue_version: i32,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<String>,
    pub actor: String,
    pub detail: String,
    pub at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed content: every field but `seq` and `hash`, one per line, in a fixed order.
/// (`seq` is left out so that the chain, not the numbering, carries the order; a gap in
/// the numbering is still reported.)
fn canonical(e: &Entry) -> String {
    // Fields are escaped so that no value can forge a line break between fields.
    let esc = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n");
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        esc(&e.prev_hash),
        esc(&e.issue_id),
        e.issue_version,
        e.action,
        e.from_state.as_deref().unwrap_or(""),
        e.to_state,
        esc(e.actor_id.as_deref().unwrap_or("")),
        e.actor,
        esc(&e.detail),
        e.at.format("%Y-%m-%dT%H:%M:%S%.6f"),
    )
}

/// The entry's hash given its `prev_hash` and fields.
pub fn hash(key: &[u8], e: &Entry) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(canonical(e).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What is wrong with the chain at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The entry's content no longer matches its hash.
    Changed { seq: i64, issue_id: String },
    /// Entries with these sequence numbers are gone.
    Removed { from_seq: i64, to_seq: i64 },
    /// The entry does not follow its predecessor: it was put in by hand.
    Inserted { seq: i64, issue_id: String },
    /// An issue's trail ends before its current version: its last entries are gone.
    TrailShort {
        issue_id: String,
        trail_version: i32,
        issue_version: i32,
    },
    /// An issue's trail is longer than its version, or skips/repeats a version.
    TrailBroken { issue_id: String, seq: i64 },
}

/// What an entry is about, for a person: an issue, or the `kind:id` an admin changed.
fn about(subject: &str) -> String {
    if subject.contains(':') {
        format!("admin change of {subject}")
    } else {
        format!("issue {subject}")
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Changed { seq, issue_id } => {
                write!(f, "entry {seq} ({}) was changed", about(issue_id))
            }
            Finding::Removed { from_seq, to_seq } if from_seq == to_seq => {
                write!(f, "entry {from_seq} was removed")
            }
            Finding::Removed { from_seq, to_seq } => {
                write!(f, "entries {from_seq}–{to_seq} were removed")
            }
            Finding::Inserted { seq, issue_id } => {
                write!(f, "entry {seq} ({}) was inserted", about(issue_id))
            }
            Finding::TrailShort {
                issue_id,
                trail_version,
                issue_version,
            } => write!(
                f,
                "issue {issue_id}: its trail ends at version {trail_version} but the issue is at \
                 version {issue_version} (entries removed from its end)"
            ),
            Finding::TrailBroken { issue_id, seq } => write!(
                f,
                "issue {issue_id}: entry {seq} does not continue its trail's versions"
            ),
        }
    }
}

/// Checks a chain given in sequence order, against the issues' current versions.
pub fn verify(
    key: &[u8],
    entries: &[Entry],
    issue_versions: &BTreeMap<String, i32>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // The hash the next genuine entry must point at, and the last sequence number seen.
    let mut expected_prev = GENESIS.to_owned();
    let mut last_seq: i64 = 0;
    let mut trail: BTreeMap<&str, i32> = BTreeMap::new();
    for e in entries {
        let consistent = hash(key, e) == e.hash;
        let gap = e.seq > last_seq + 1;
        if gap {
            out.push(Finding::Removed {
                from_seq: last_seq + 1,
                to_seq: e.seq - 1,
            });
        }
        last_seq = e.seq;
        let admin = e.issue_version == ADMIN_VERSION;
        let have = trail.get(e.issue_id.as_str()).copied().unwrap_or(0);
        let current = issue_versions.get(&e.issue_id).copied().unwrap_or(0);
        let continues = admin || (e.issue_version == have + 1 && e.issue_version <= current);
        let follows = e.prev_hash == expected_prev;
        // A genuine entry follows the last one, or (consistent) follows one that was removed.
        let in_chain = follows || (gap && consistent);
        if !in_chain || (!consistent && !continues) {
            // Not part of the chain: put in by hand (or its link was edited).
            out.push(Finding::Inserted {
                seq: e.seq,
                issue_id: e.issue_id.clone(),
            });
            continue;
        }
        if !consistent {
            out.push(Finding::Changed {
                seq: e.seq,
                issue_id: e.issue_id.clone(),
            });
        } else if !continues {
            out.push(Finding::TrailBroken {
                issue_id: e.issue_id.clone(),
                seq: e.seq,
            });
        }
        expected_prev = e.hash.clone();
        if !admin {
            trail.insert(e.issue_id.as_str(), have.max(e.issue_version));
        }
    }
    for (issue, &version) in issue_versions {
        let have = trail.get(issue.as_str()).copied().unwrap_or(0);
        if have < version {
            out.push(Finding::TrailShort {
                issue_id: issue.clone(),
                trail_version: have,
                issue_version: version,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::api::issues::{Actor, IssueAction, IssueState};

    const KEY: &[u8] = b"test-audit-key";

    fn chain(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        let at = NaiveDateTime::parse_from_str("2026-03-01 09:00:00", "%Y-%m-%d %H:%M:%S")
            .unwrap_or_default();
        for i in 0..n {
            let issue = if i % 2 == 0 { "a" } else { "b" };
            let version = i32::try_from(i / 2 + 1).unwrap_or(0);
            let mut e = Entry {
                seq: i64::try_from(i + 1).unwrap_or(0),
                issue_id: issue.into(),
                issue_version: version,
                action: IssueAction::FixNow.as_str().into(),
                from_state: Some(IssueState::New.as_str().into()),
                to_state: IssueState::FixNow.as_str().into(),
                actor_id: Some("m1".into()),
                actor: Actor::Manager.as_str().into(),
                detail: "{}".into(),
                at,
                prev_hash: out.last().map_or(GENESIS.to_owned(), |p| p.hash.clone()),
                hash: String::new(),
            };
            e.hash = hash(KEY, &e);
            out.push(e);
        }
        out
    }

    fn versions(entries: &[Entry]) -> BTreeMap<String, i32> {
        let mut v = BTreeMap::new();
        for e in entries {
            v.insert(e.issue_id.clone(), e.issue_version);
        }
        v
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(6);
        assert_eq!(verify(KEY, &c, &versions(&c)), vec![]);
        assert!(!verify(b"another key", &c, &versions(&c)).is_empty());
    }

    /// An administrative change between two issue steps: part of the chain, of no trail.
    fn with_admin_entry(c: &[Entry]) -> Vec<Entry> {
        let mut out: Vec<Entry> = c[..3].to_vec();
        let mut admin = Entry {
            seq: 4,
            issue_id: "account:u9".into(),
            issue_version: ADMIN_VERSION,
            action: "account_deactivated".into(),
            from_state: None,
            to_state: String::new(),
            actor_id: Some("admin1".into()),
            actor: Actor::Admin.as_str().into(),
            detail: "{\"active\":false}".into(),
            at: c[2].at,
            prev_hash: c[2].hash.clone(),
            hash: String::new(),
        };
        admin.hash = hash(KEY, &admin);
        out.push(admin);
        for e in &c[3..] {
            let mut e = e.clone();
            e.seq += 1;
            e.prev_hash = out.last().map(|p| p.hash.clone()).unwrap_or_default();
            e.hash = hash(KEY, &e);
            out.push(e);
        }
        out
    }

    #[test]
    fn an_admin_change_is_chained_and_an_edit_of_it_named() {
        let c = with_admin_entry(&chain(6));
        let v = versions(&chain(6));
        assert_eq!(verify(KEY, &c, &v), vec![]);
        let mut t = c.clone();
        t[3].detail = "{\"active\":true}".into();
        let found = verify(KEY, &t, &v);
        assert_eq!(
            found,
            vec![Finding::Changed {
                seq: 4,
                issue_id: "account:u9".into()
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "entry 4 (admin change of account:u9) was changed"
        );
        let mut t = c.clone();
        t.remove(3);
        assert!(verify(KEY, &t, &v).contains(&Finding::Removed {
            from_seq: 4,
            to_seq: 4
        }));
    }

    #[test]
    fn an_edit_is_named() {
        let c = chain(6);
        let v = versions(&c);
        let mut t = c.clone();
        t[2].detail = "{\"reason\":\"changed\"}".into();
        assert_eq!(
            verify(KEY, &t, &v),
            vec![Finding::Changed {
                seq: 3,
                issue_id: "a".into()
            }]
        );
    }

    #[test]
    fn a_removal_is_named() {
        let c = chain(6);
        let v = versions(&c);
        let mut t = c.clone();
        t.remove(2);
        let f = verify(KEY, &t, &v);
        assert!(f.contains(&Finding::Removed {
            from_seq: 3,
            to_seq: 3
        }));
        // The last entry of issue b removed: the chain ends early, the version tells.
        let mut t = c.clone();
        t.pop();
        assert_eq!(
            verify(KEY, &t, &v),
            vec![Finding::TrailShort {
                issue_id: "b".into(),
                trail_version: 2,
                issue_version: 3
            }]
        );
    }

    #[test]
    fn an_insertion_is_named() {
        let c = chain(4);
        let v = versions(&c);
        let mut t = c.clone();
        let mut forged = t[3].clone();
        forged.seq = 5;
        forged.detail = "{\"forged\":true}".into();
        // A forger without the key recomputes with a guessed one.
        forged.prev_hash = t[3].hash.clone();
        forged.hash = hash(b"guess", &forged);
        t.push(forged);
        let f = verify(KEY, &t, &v);
        assert_eq!(
            f,
            vec![Finding::Inserted {
                seq: 5,
                issue_id: "b".into()
            }]
        );
        // Inserted between two entries (renumbering the rest is impossible unseen).
        let mut t = c.clone();
        let mut forged = t[1].clone();
        forged.prev_hash = "f".repeat(64);
        forged.hash = hash(KEY, &forged);
        t.insert(2, forged);
        for (i, e) in t.iter_mut().enumerate() {
            e.seq = i64::try_from(i + 1).unwrap_or(0);
        }
        let f = verify(KEY, &t, &v);
        assert!(
            f.contains(&Finding::Inserted {
                seq: 3,
                issue_id: "b".into()
            }),
            "{f:?}"
        );
    }
}
