//! The rules a walkthrough revision must meet, in one place for both sides: the server
//! refuses a record that breaks one, and the phone applies the same rules as the observer
//! types and before it submits, so nothing the phone sends sits refused in its outbox.
//!
//! Lengths count characters (a Chinese character is one), never bytes. Timing rules here
//! are the ones the phone can know (order of times, durations, span); where the walk lies
//! in server time is the server's own check (`domain::walkthrough::normalise`).

use std::borrow::Cow;

use crate::ErrorCode;
use crate::walkthrough::{WalkthroughRecord, is_sha256_hex};

/// Record, device, step, finding and commendation ids: 1–64 of `A-Za-z0-9-_`.
pub const MAX_ID_LEN: usize = 64;
/// The highest revision number accepted.
pub const MAX_REV: u32 = 1000;
/// Steps, findings and commendations in one walkthrough, each.
pub const MAX_ITEMS: usize = 200;
/// Photos per finding.
pub const MAX_PHOTOS_PER_FINDING: usize = 20;
/// The longest a single step may plausibly take (waiting or serving).
pub const MAX_STEP_MS: u64 = 24 * 3_600_000;
/// The longest a whole walkthrough may span.
pub const MAX_WALK_MS: i64 = 7 * 24 * 3_600_000;
/// How far into the future (server time) a normalised end may lie: network latency.
pub const FUTURE_SLACK_MS: i64 = 5 * 60_000;
/// How old a walkthrough may be when it first arrives.
pub const MAX_AGE_MS: i64 = 400 * 24 * 3_600_000;

/// The free-text fields of a walkthrough (and of the evidence of a fix) and their limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// The overall comment.
    Comment,
    /// A step's name (unplanned steps are named by the observer).
    StepName,
    /// A step's note.
    StepNote,
    /// A finding's description.
    Description,
    /// A commendation's note.
    CommendationNote,
    /// What a department did to fix an issue (its evidence).
    EvidenceNote,
}

impl Text {
    /// The most characters the field may hold.
    pub const fn max_chars(self) -> usize {
        match self {
            Text::StepName => 100,
            Text::CommendationNote | Text::EvidenceNote => 2000,
            Text::Comment | Text::StepNote | Text::Description => 4000,
        }
    }

    /// Whether the field must hold something other than spaces.
    pub const fn required(self) -> bool {
        matches!(
            self,
            Text::StepName | Text::Description | Text::EvidenceNote
        )
    }

    /// Checks `value` for this field; `field` names it in the error (a JSON path).
    pub fn check(self, field: impl Into<String>, value: &str) -> Result<(), Invalid> {
        if self.required() && value.trim().is_empty() {
            let (zh, en) = match self {
                Text::StepName => ("环节名称不能为空", "Step name must not be empty"),
                Text::EvidenceNote => ("请写明整改情况", "Say what was done"),
                _ => ("问题描述不能为空", "Describe the finding"),
            };
            return Err(Invalid::new(ErrorCode::InvalidValue, field, zh, en));
        }
        let max = self.max_chars();
        let n = value.chars().count();
        if n > max {
            return Err(Invalid::new(
                ErrorCode::InvalidValue,
                field,
                format!("内容过长:最多 {max} 个字,现有 {n} 个"),
                format!("Text too long: at most {max} characters, now {n}"),
            ));
        }
        Ok(())
    }
}

/// A broken rule: the stable code, the field as a JSON path, and what to tell a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: ErrorCode,
    pub field: String,
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Invalid {
    pub fn new(
        code: ErrorCode,
        field: impl Into<String>,
        zh: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Self {
        Invalid {
            code,
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A rule whose code says it all (an unknown reference, an implausible clock).
    pub fn code(code: ErrorCode, field: impl Into<String>) -> Self {
        Invalid::new(
            code,
            field,
            code.default_message_zh(),
            code.default_message_en(),
        )
    }

    fn value(field: impl Into<String>, zh: &'static str, en: &'static str) -> Self {
        Invalid::new(ErrorCode::InvalidValue, field, zh, en)
    }

    fn timing(field: impl Into<String>, zh: &'static str, en: &'static str) -> Self {
        Invalid::new(ErrorCode::InvalidTiming, field, zh, en)
    }

    /// The message in the language asked for.
    pub fn message(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code.as_str(), self.field, self.en)
    }
}

/// Whether `s` is a valid id (see [`MAX_ID_LEN`]).
pub fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a revision's shape against the ids of its scenario version's steps and the known
/// category ids: ids, counts, lengths, references, and the timing the phone can know.
pub fn check(
    walk: &WalkthroughRecord,
    template_step_ids: &[impl AsRef<str>],
    category_ids: &[impl AsRef<str>],
) -> Result<(), Invalid> {
    if !id_ok(&walk.id) {
        return Err(Invalid::value("id", "记录编号无效", "Invalid record id"));
    }
    if walk.rev == 0 || walk.rev > MAX_REV {
        return Err(Invalid::value("rev", "版本号无效", "Invalid revision"));
    }
    if !id_ok(&walk.device_id) {
        return Err(Invalid::value(
            "device_id",
            "设备编号无效",
            "Invalid device id",
        ));
    }
    Text::Comment.check("comment", &walk.comment)?;
    if walk.steps.is_empty() {
        return Err(Invalid::value(
            "steps",
            "至少需要一个环节",
            "At least one step is needed",
        ));
    }
    for (field, n) in [
        ("steps", walk.steps.len()),
        ("findings", walk.findings.len()),
        ("commendations", walk.commendations.len()),
    ] {
        if n > MAX_ITEMS {
            return Err(Invalid::value(
                field,
                "环节、问题或表扬条目过多(每类最多 200 条)",
                "Too many steps, findings or commendations (at most 200 of each)",
            ));
        }
    }
    if walk.ended_at_ms < walk.started_at_ms {
        return Err(Invalid::timing(
            "ended_at_ms",
            "结束时间早于开始时间",
            "The walk ends before it starts",
        ));
    }
    if walk.ended_at_ms.saturating_sub(walk.started_at_ms) > MAX_WALK_MS {
        return Err(Invalid::timing(
            "ended_at_ms",
            "体验时长超过 7 天",
            "The walk spans more than 7 days",
        ));
    }
    let step_ids = check_steps(walk, template_step_ids)?;
    check_findings(walk, &step_ids, category_ids)?;
    check_commendations(walk, &step_ids)
}

/// The steps of [`check`]: ids, template references, texts and times; their ids.
fn check_steps<'a>(
    walk: &'a WalkthroughRecord,
    template_step_ids: &[impl AsRef<str>],
) -> Result<Vec<&'a str>, Invalid> {
    let mut step_ids = Vec::with_capacity(walk.steps.len());
    for (i, s) in walk.steps.iter().enumerate() {
        let f = |name: &str| format!("steps[{i}].{name}");
        if !id_ok(&s.id) || step_ids.contains(&s.id.as_str()) {
            return Err(Invalid::value(
                f("id"),
                "环节编号无效或重复",
                "Step id invalid or repeated",
            ));
        }
        step_ids.push(s.id.as_str());
        match (&s.template_step_id, &s.unplanned) {
            (Some(t), None) => {
                if !template_step_ids.iter().any(|ts| ts.as_ref() == t) {
                    return Err(Invalid::code(
                        ErrorCode::UnknownReference,
                        f("template_step_id"),
                    ));
                }
            }
            (None, Some(_)) => {}
            _ => {
                return Err(Invalid::value(
                    f("template_step_id"),
                    "环节须对应模板环节,或标明为计划外环节(二者取一)",
                    "A step follows a template step or is marked unplanned, exactly one",
                ));
            }
        }
        Text::StepName.check(f("name"), &s.name)?;
        Text::StepNote.check(f("note"), &s.note)?;
        if s.ended_at_ms < s.started_at_ms {
            return Err(Invalid::timing(
                f("ended_at_ms"),
                "环节结束时间早于开始时间",
                "The step ends before it starts",
            ));
        }
        if s.waiting_ms > MAX_STEP_MS {
            return Err(Invalid::timing(
                f("waiting_ms"),
                "等候时长超过 24 小时",
                "Waiting time over 24 hours",
            ));
        }
        if s.serving_ms > MAX_STEP_MS {
            return Err(Invalid::timing(
                f("serving_ms"),
                "办理时长超过 24 小时",
                "Serving time over 24 hours",
            ));
        }
    }
    Ok(step_ids)
}

/// The findings of [`check`]: ids, references, texts, photos and locations.
fn check_findings(
    walk: &WalkthroughRecord,
    step_ids: &[&str],
    category_ids: &[impl AsRef<str>],
) -> Result<(), Invalid> {
    let mut finding_ids = Vec::new();
    for (i, fd) in walk.findings.iter().enumerate() {
        let f = |name: &str| format!("findings[{i}].{name}");
        if !id_ok(&fd.id) || finding_ids.contains(&fd.id.as_str()) {
            return Err(Invalid::value(
                f("id"),
                "问题编号无效或重复",
                "Finding id invalid or repeated",
            ));
        }
        finding_ids.push(fd.id.as_str());
        if let Some(step) = &fd.step_id
            && !step_ids.contains(&step.as_str())
        {
            return Err(Invalid::code(ErrorCode::UnknownReference, f("step_id")));
        }
        if !category_ids.iter().any(|c| c.as_ref() == fd.category_id) {
            return Err(Invalid::code(ErrorCode::UnknownReference, f("category_id")));
        }
        Text::Description.check(f("description"), &fd.description)?;
        if fd.photos.len() > MAX_PHOTOS_PER_FINDING {
            return Err(Invalid::value(
                f("photos"),
                "每个问题最多 20 张照片",
                "At most 20 photos per finding",
            ));
        }
        for (j, p) in fd.photos.iter().enumerate() {
            if !is_sha256_hex(p) {
                return Err(Invalid::value(
                    format!("findings[{i}].photos[{j}]"),
                    "照片校验值无效",
                    "Invalid photo SHA-256",
                ));
            }
        }
        if let Some(loc) = &fd.location {
            let ok = loc.lat.is_finite()
                && loc.lon.is_finite()
                && (-90.0..=90.0).contains(&loc.lat)
                && (-180.0..=180.0).contains(&loc.lon)
                && loc.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0);
            if !ok {
                return Err(Invalid::value(
                    f("location"),
                    "位置坐标无效",
                    "Invalid location",
                ));
            }
        }
    }
    Ok(())
}

/// The commendations of [`check`]: ids, references and notes.
fn check_commendations(walk: &WalkthroughRecord, step_ids: &[&str]) -> Result<(), Invalid> {
    let mut commendation_ids = Vec::new();
    for (i, c) in walk.commendations.iter().enumerate() {
        let f = |name: &str| format!("commendations[{i}].{name}");
        if !id_ok(&c.id) || commendation_ids.contains(&c.id.as_str()) {
            return Err(Invalid::value(
                f("id"),
                "表扬编号无效或重复",
                "Commendation id invalid or repeated",
            ));
        }
        commendation_ids.push(c.id.as_str());
        if let Some(step) = &c.step_id
            && !step_ids.contains(&step.as_str())
        {
            return Err(Invalid::code(ErrorCode::UnknownReference, f("step_id")));
        }
        Text::CommendationNote.check(f("note"), &c.note)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        // Written out: 4000 Chinese characters are 12000 bytes and still fit.
        assert!(Text::Comment.check("comment", &"字".repeat(4000)).is_ok());
        let e = Text::Comment
            .check("comment", &"字".repeat(4001))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidValue);
        assert_eq!(e.field, "comment");
        assert_eq!(e.en, "Text too long: at most 4000 characters, now 4001");
        assert!(Text::StepName.check("n", &"a".repeat(100)).is_ok());
        assert!(Text::StepName.check("n", &"a".repeat(101)).is_err());
        assert!(
            Text::CommendationNote
                .check("n", &"a".repeat(2001))
                .is_err()
        );
        assert!(Text::Description.check("d", "  ").is_err());
        assert!(Text::StepNote.check("d", "").is_ok());
    }

    #[test]
    fn ids_are_short_and_plain() {
        assert!(id_ok("0191b2c3-aaaa_Z"));
        assert!(!id_ok(""));
        assert!(!id_ok("a/b"));
        assert!(!id_ok(&"a".repeat(65)));
    }
}
