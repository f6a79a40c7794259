//! Rules a submitted walkthrough revision must meet before it is stored, and the clock
//! normalisation: device wall-clock times are shifted by the offset measured at sync, so a
//! phone set to the wrong date still yields the right date; durations come from the
//! phone's monotonic clock and are only checked for plausibility.

use chrono::{DateTime, NaiveDateTime};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::scenarios::Step;
use flowwalk_shared::walkthrough::{WalkthroughRecord, is_sha256_hex};

use crate::error::AppError;

/// The longest a single step may plausibly take (waiting or serving).
pub const MAX_STEP_MS: u64 = 24 * 3_600_000;
/// The longest a whole walkthrough may span.
pub const MAX_WALK_MS: i64 = 7 * 24 * 3_600_000;
/// How far into the future (server time) a normalised end may lie: network latency.
pub const FUTURE_SLACK_MS: i64 = 5 * 60_000;
/// How old a walkthrough may be when it first arrives.
pub const MAX_AGE_MS: i64 = 400 * 24 * 3_600_000;

fn invalid(field: String, zh: &str, en: &str) -> AppError {
    AppError::invalid(field, zh.to_owned(), en.to_owned())
}

fn timing(field: String, zh: &str, en: &str) -> AppError {
    AppError::new(ErrorCode::InvalidTiming)
        .field(field)
        .message(zh.to_owned(), en.to_owned())
}

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn text(field: String, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(invalid(field, "内容过长", "Text too long"));
    }
    Ok(())
}

/// Checks the record's shape against its scenario version's steps and the known category
/// ids. Times are checked on the device's own clock here; see [`normalise`].
pub fn check(
    walk: &WalkthroughRecord,
    template: &[Step],
    category_ids: &[String],
) -> Result<(), AppError> {
    if !id_ok(&walk.id) {
        return Err(invalid("id".into(), "记录编号无效", "Invalid record id"));
    }
    if walk.rev == 0 || walk.rev > 1000 {
        return Err(invalid("rev".into(), "版本号无效", "Invalid revision"));
    }
    if !id_ok(&walk.device_id) {
        return Err(invalid(
            "device_id".into(),
            "设备编号无效",
            "Invalid device id",
        ));
    }
    text("comment".into(), &walk.comment, 4000)?;
    if walk.steps.is_empty() {
        return Err(invalid(
            "steps".into(),
            "至少需要一个环节",
            "At least one step is needed",
        ));
    }
    if walk.steps.len() > 200 || walk.findings.len() > 200 || walk.commendations.len() > 200 {
        return Err(invalid(
            "steps".into(),
            "环节、问题或表扬条目过多",
            "Too many steps, findings or commendations",
        ));
    }
    if walk.ended_at_ms < walk.started_at_ms {
        return Err(timing(
            "ended_at_ms".into(),
            "结束时间早于开始时间",
            "The walk ends before it starts",
        ));
    }
    if walk.ended_at_ms.saturating_sub(walk.started_at_ms) > MAX_WALK_MS {
        return Err(timing(
            "ended_at_ms".into(),
            "体验时长超过 7 天",
            "The walk spans more than 7 days",
        ));
    }
    let mut step_ids = Vec::with_capacity(walk.steps.len());
    for (i, s) in walk.steps.iter().enumerate() {
        let f = |name: &str| format!("steps[{i}].{name}");
        if !id_ok(&s.id) || step_ids.contains(&s.id.as_str()) {
            return Err(invalid(
                f("id"),
                "环节编号无效或重复",
                "Step id invalid or repeated",
            ));
        }
        step_ids.push(s.id.as_str());
        match (&s.template_step_id, &s.unplanned) {
            (Some(t), None) => {
                if !template.iter().any(|ts| &ts.id == t) {
                    return Err(
                        AppError::new(ErrorCode::UnknownReference).field(f("template_step_id"))
                    );
                }
            }
            (None, Some(_)) => {}
            _ => {
                return Err(invalid(
                    f("template_step_id"),
                    "环节须对应模板环节,或标明为计划外环节(二者取一)",
                    "A step follows a template step or is marked unplanned, exactly one",
                ));
            }
        }
        if s.name.trim().is_empty() {
            return Err(invalid(
                f("name"),
                "环节名称不能为空",
                "Step name must not be empty",
            ));
        }
        text(f("name"), &s.name, 100)?;
        text(f("note"), &s.note, 4000)?;
        if s.ended_at_ms < s.started_at_ms {
            return Err(timing(
                f("ended_at_ms"),
                "环节结束时间早于开始时间",
                "The step ends before it starts",
            ));
        }
        if s.waiting_ms > MAX_STEP_MS {
            return Err(timing(
                f("waiting_ms"),
                "等候时长超过 24 小时",
                "Waiting time over 24 hours",
            ));
        }
        if s.serving_ms > MAX_STEP_MS {
            return Err(timing(
                f("serving_ms"),
                "办理时长超过 24 小时",
                "Serving time over 24 hours",
            ));
        }
    }
    let mut finding_ids = Vec::new();
    for (i, fd) in walk.findings.iter().enumerate() {
        let f = |name: &str| format!("findings[{i}].{name}");
        if !id_ok(&fd.id) || finding_ids.contains(&fd.id.as_str()) {
            return Err(invalid(
                f("id"),
                "问题编号无效或重复",
                "Finding id invalid or repeated",
            ));
        }
        finding_ids.push(fd.id.as_str());
        if let Some(step) = &fd.step_id
            && !step_ids.contains(&step.as_str())
        {
            return Err(AppError::new(ErrorCode::UnknownReference).field(f("step_id")));
        }
        if !category_ids.contains(&fd.category_id) {
            return Err(AppError::new(ErrorCode::UnknownReference).field(f("category_id")));
        }
        if fd.description.trim().is_empty() {
            return Err(invalid(
                f("description"),
                "问题描述不能为空",
                "Describe the finding",
            ));
        }
        text(f("description"), &fd.description, 4000)?;
        if fd.photos.len() > 20 {
            return Err(invalid(
                f("photos"),
                "每个问题最多 20 张照片",
                "At most 20 photos per finding",
            ));
        }
        for (j, p) in fd.photos.iter().enumerate() {
            if !is_sha256_hex(p) {
                return Err(invalid(
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
                return Err(invalid(f("location"), "位置坐标无效", "Invalid location"));
            }
        }
    }
    for (i, c) in walk.commendations.iter().enumerate() {
        if let Some(step) = &c.step_id
            && !step_ids.contains(&step.as_str())
        {
            return Err(AppError::new(ErrorCode::UnknownReference)
                .field(format!("commendations[{i}].step_id")));
        }
        text(format!("commendations[{i}].note"), &c.note, 2000)?;
    }
    Ok(())
}

/// The walk's start and end in server time, given the device's clock offset
/// (`server_now_ms - device_time_ms` at sync). Impossible results are refused.
pub fn normalise(
    walk: &WalkthroughRecord,
    offset_ms: i64,
    server_now_ms: i64,
) -> Result<(NaiveDateTime, NaiveDateTime), AppError> {
    let implausible =
        |field: &str| AppError::new(ErrorCode::ClockImplausible).field(field.to_owned());
    let start = walk
        .started_at_ms
        .checked_add(offset_ms)
        .ok_or_else(|| implausible("started_at_ms"))?;
    let end = walk
        .ended_at_ms
        .checked_add(offset_ms)
        .ok_or_else(|| implausible("ended_at_ms"))?;
    if end > server_now_ms + FUTURE_SLACK_MS {
        return Err(implausible("ended_at_ms"));
    }
    if start < server_now_ms - MAX_AGE_MS {
        return Err(implausible("started_at_ms"));
    }
    let to_time = |ms: i64, field: &str| {
        DateTime::from_timestamp_millis(ms)
            .map(|t| t.naive_utc())
            .ok_or_else(|| implausible(field))
    };
    Ok((
        to_time(start, "started_at_ms")?,
        to_time(end, "ended_at_ms")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::api::assignments::WalkMode;
    use flowwalk_shared::api::scenarios::Channel;
    use flowwalk_shared::taxonomy::{Satisfaction, Smoothness};
    use flowwalk_shared::walkthrough::{Finding, Severity, StepOutcome, StepRecord};

    fn template() -> Vec<Step> {
        vec![Step {
            id: "t1".into(),
            position: 1,
            name: "受理".into(),
            channel: Channel::Window,
            department_id: "d".into(),
            standard_minutes: 20,
            fee_cents: 0,
            materials_count: 1,
        }]
    }

    fn walk() -> WalkthroughRecord {
        WalkthroughRecord {
            id: "w-1".into(),
            rev: 1,
            assignment_id: "a".into(),
            scenario_version_id: "v".into(),
            device_id: "dev-1".into(),
            mode: WalkMode::InPerson,
            started_at_ms: 1_000_000,
            ended_at_ms: 2_000_000,
            steps: vec![StepRecord {
                id: "s1".into(),
                template_step_id: Some("t1".into()),
                unplanned: None,
                name: "受理".into(),
                started_at_ms: 1_000_000,
                ended_at_ms: 1_900_000,
                waiting_ms: 600_000,
                serving_ms: 300_000,
                outcome: StepOutcome::Done,
                rating: Some(Satisfaction::Satisfied),
                note: String::new(),
            }],
            findings: vec![Finding {
                id: "f1".into(),
                step_id: Some("s1".into()),
                category_id: "long_queue".into(),
                severity: Severity::Medium,
                description: "排队40分钟".into(),
                photos: vec!["a".repeat(64)],
                location: None,
            }],
            commendations: vec![],
            satisfaction: Satisfaction::BasicallySatisfied,
            smoothness: Smoothness::Average,
            comment: String::new(),
        }
    }

    #[test]
    fn a_good_walk_passes_and_each_rule_names_its_field() {
        let cats = vec!["long_queue".to_string()];
        check(&walk(), &template(), &cats).unwrap();
        let mut w = walk();
        w.steps[0].ended_at_ms = 0;
        let e = check(&w, &template(), &cats).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidTiming, Some("steps[0].ended_at_ms"))
        );
        let mut w = walk();
        w.steps[0].template_step_id = Some("t9".into());
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().code,
            ErrorCode::UnknownReference
        );
        let mut w = walk();
        w.findings[0].category_id = "nope".into();
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().field.as_deref(),
            Some("findings[0].category_id")
        );
        let mut w = walk();
        w.findings[0].photos = vec!["xyz".into()];
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().field.as_deref(),
            Some("findings[0].photos[0]")
        );
        let mut w = walk();
        w.steps[0].waiting_ms = MAX_STEP_MS + 1;
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().code,
            ErrorCode::InvalidTiming
        );
    }

    #[test]
    fn extreme_timestamps_are_refused_not_overflowed() {
        let cats = vec!["long_queue".to_string()];
        let mut w = walk();
        w.started_at_ms = i64::MIN;
        w.ended_at_ms = i64::MAX;
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().code,
            ErrorCode::InvalidTiming
        );
        let mut w = walk();
        w.steps[0].started_at_ms = i64::MIN;
        w.steps[0].ended_at_ms = i64::MAX;
        check(&w, &template(), &cats).unwrap();
        let e = normalise(&w, i64::MAX, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::ClockImplausible);
    }

    #[test]
    fn a_phone_with_the_wrong_date_is_normalised() {
        // The phone thinks it is 1970; the server measured the offset at sync.
        let now = 1_800_000_000_000;
        let offset = now - 2_100_000;
        let (start, end) = normalise(&walk(), offset, now).unwrap();
        assert_eq!((end - start).num_milliseconds(), 1_000_000);
        assert_eq!(end.and_utc().timestamp_millis(), now - 100_000);
        // Without the offset the same record would be absurdly old.
        assert_eq!(
            normalise(&walk(), 0, now).unwrap_err().code,
            ErrorCode::ClockImplausible
        );
        // An end in the future (a clock that jumped between recording and sync).
        assert_eq!(
            normalise(&walk(), now, now).unwrap_err().code,
            ErrorCode::ClockImplausible
        );
    }
}
