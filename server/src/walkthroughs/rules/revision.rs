//! Rules a submitted walkthrough revision must meet before it is stored (they live in the
//! shared crate, so the phone applies the very same ones), and the clock
//! normalisation: device wall-clock times are shifted by the offset measured at sync, so a
//! phone set to the wrong date still yields the right date; durations come from the
//! phone's monotonic clock and are only checked for plausibility.

use chrono::{DateTime, NaiveDateTime};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::scenarios::Step;
use flowwalk_shared::rules::{self, Invalid};
use flowwalk_shared::walkthrough::WalkthroughRecord;

pub use flowwalk_shared::rules::{FUTURE_SLACK_MS, MAX_AGE_MS, MAX_STEP_MS, MAX_WALK_MS};

/// Checks the record's shape against its scenario version's steps and the known category
/// ids: the shared crate's rules, the same the phone applies before it submits. Times are
/// checked on the device's own clock here; see [`normalise`].
pub fn check(
    walk: &WalkthroughRecord,
    template: &[Step],
    category_ids: &[String],
) -> Result<(), Invalid> {
    let template: Vec<&str> = template.iter().map(|s| s.id.as_str()).collect();
    rules::check(walk, &template, category_ids)
}

/// The walk's start and end in server time, given the device's clock offset
/// (`server_now_ms - device_time_ms` at sync). Impossible results are refused.
pub fn normalise(
    walk: &WalkthroughRecord,
    offset_ms: i64,
    server_now_ms: i64,
) -> Result<(NaiveDateTime, NaiveDateTime), Invalid> {
    let implausible = |field: &str| Invalid::code(ErrorCode::ClockImplausible, field);
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
            (e.code, e.field.as_str()),
            (ErrorCode::InvalidTiming, "steps[0].ended_at_ms")
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
            check(&w, &template(), &cats).unwrap_err().field,
            "findings[0].category_id"
        );
        let mut w = walk();
        w.findings[0].photos = vec!["xyz".into()];
        assert_eq!(
            check(&w, &template(), &cats).unwrap_err().field,
            "findings[0].photos[0]"
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
