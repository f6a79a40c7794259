//! The issue builder: accepting a walkthrough turns its findings into its issue list
//! (一体验一反馈一清单). A finding that matches an open issue (same venue, category and
//! scenario step) becomes another occurrence of it. Each issue is routed to the department
//! a manager mapped its category to, else the step's department.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use flowwalk_shared::api::issues::{IssueSource, RoutedBy};
use flowwalk_shared::api::scenarios::Step;
use flowwalk_shared::timing;
use flowwalk_shared::walkthrough::WalkthroughRecord;

use super::{AuditKey, NewIssue, NewOccurrence, Recorded, merge_key, record};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::store::issue_rows::{self as m, FactRow};
use crate::reference::store::{category_rows, scenario_rows};
use crate::walkthroughs::store::{assignment_rows, walkthrough_rows as wt};

/// What building did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Built {
    pub created: usize,
    pub merged: usize,
    pub already: usize,
}

/// Where a finding's issue goes, and why.
pub fn route(
    category_department: Option<&str>,
    step: Option<&Step>,
    preceding: Option<&Step>,
    fallback: Option<&Step>,
) -> Option<(String, RoutedBy)> {
    if let Some(d) = category_department {
        return Some((d.to_owned(), RoutedBy::Category));
    }
    if let Some(s) = step {
        return Some((s.department_id.clone(), RoutedBy::Step));
    }
    preceding
        .or(fallback)
        .map(|s| (s.department_id.clone(), RoutedBy::PrecedingStep))
}

/// Builds the issue list of an accepted walkthrough revision. Call in the accepting
/// transaction; running it again for the same revision changes nothing.
pub fn build(
    conn: &mut DbConnection,
    key: &AuditKey,
    walkthrough_id: &str,
    rev: i32,
    now: NaiveDateTime,
) -> Result<Built, AppError> {
    let r = wt::revision(conn, walkthrough_id, rev)?.ok_or_else(AppError::not_found)?;
    let walk: WalkthroughRecord = serde_json::from_str(&r.body).map_err(|e| {
        AppError::internal(anyhow::Error::new(e).context("a stored walkthrough no longer parses"))
    })?;
    let assignment = assignment_rows::get_row(conn, &r.assignment_id)?;
    let template = scenario_rows::steps_of_version(conn, &r.scenario_version_id)?;
    let routes: HashMap<String, String> = m::category_routes(conn)?.into_iter().collect();
    let category_names: HashMap<String, String> = category_rows::list(conn)?
        .into_iter()
        .map(|c| (c.id, c.name_zh))
        .collect();
    let t = timing::report(&walk, &template);
    m::insert_fact(
        conn,
        &FactRow {
            walkthrough_id: walkthrough_id.to_owned(),
            rev,
            venue_id: assignment.venue_id.clone(),
            scenario_id: assignment.scenario_id.clone(),
            scenario_version_id: r.scenario_version_id.clone(),
            started_at: r.started_at,
            total_ms: i64::try_from(t.total_ms).unwrap_or(i64::MAX),
            promised_ms: i64::try_from(t.promised_ms).unwrap_or(i64::MAX),
            finding_count: i32::try_from(walk.findings.len()).unwrap_or(i32::MAX),
            accepted_at: now,
        },
    )?;
    let mut built = Built::default();
    for f in &walk.findings {
        let step_pos = f
            .step_id
            .as_ref()
            .and_then(|id| walk.steps.iter().position(|s| &s.id == id));
        let template_of = |pos: usize| {
            walk.steps[pos]
                .template_step_id
                .as_ref()
                .and_then(|tid| template.iter().find(|t| &t.id == tid))
        };
        let step = step_pos.and_then(template_of);
        let preceding = step_pos.and_then(|p| (0..p).rev().find_map(template_of));
        let Some((department_id, routed_by)) = route(
            routes.get(&f.category_id).map(String::as_str),
            step,
            preceding,
            template.first(),
        ) else {
            return Err(AppError::internal(anyhow::anyhow!(
                "scenario version {} has no steps to route by",
                r.scenario_version_id
            )));
        };
        let step_name = match (step, step_pos) {
            (Some(s), _) => s.name.clone(),
            (None, Some(p)) => walk.steps[p].name.clone(),
            (None, None) => String::new(),
        };
        // Unplanned steps have free names: they merge on their category alone.
        let step_key = step.map_or("", |s| s.name.as_str());
        let category = category_names
            .get(&f.category_id)
            .cloned()
            .unwrap_or_else(|| f.category_id.clone());
        let title = if step_name.is_empty() {
            category
        } else {
            format!("{category} · {step_name}")
        };
        let seen_at = step_pos
            .map(|p| walk.steps[p].started_at_ms)
            .map_or(r.started_at, |ms| {
                device_time(ms, r.clock_offset_ms).unwrap_or(r.started_at)
            });
        let new = NewIssue {
            source: IssueSource::Walkthrough,
            source_key: None,
            merge_key: Some(merge_key(
                &assignment.venue_id,
                &f.category_id,
                &assignment.scenario_id,
                step_key,
            )),
            venue_id: assignment.venue_id.clone(),
            category_id: Some(f.category_id.clone()),
            scenario_id: Some(assignment.scenario_id.clone()),
            step_name,
            department_id,
            routed_by,
            title,
            description: f.description.clone(),
            occurrence: NewOccurrence {
                source_ref: format!("wt:{walkthrough_id}:{}", f.id),
                walkthrough_id: Some(walkthrough_id.to_owned()),
                observer_id: Some(r.observer_id.clone()),
                severity: f.severity,
                description: f.description.clone(),
                photos: f.photos.clone(),
                seen_at,
            },
        };
        match record(conn, key, &new, now)? {
            Recorded::Created(_) => built.created += 1,
            Recorded::Merged(_) => built.merged += 1,
            Recorded::AlreadyRecorded(_) => built.already += 1,
        }
    }
    Ok(built)
}

/// A device wall-clock reading shifted to server time.
fn device_time(ms: i64, offset_ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms.checked_add(offset_ms)?).map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowwalk_shared::api::scenarios::Channel;

    fn step(id: &str, dept: &str) -> Step {
        Step {
            id: id.into(),
            position: 1,
            name: id.into(),
            channel: Channel::Window,
            department_id: dept.into(),
            standard_minutes: 10,
            fee_cents: 0,
            materials_count: 0,
        }
    }

    #[test]
    fn the_mapping_wins_then_the_step_then_the_step_before() {
        let s = step("s", "hrss");
        let p = step("p", "tax");
        assert_eq!(
            route(Some("office"), Some(&s), None, None),
            Some(("office".into(), RoutedBy::Category))
        );
        assert_eq!(
            route(None, Some(&s), Some(&p), None),
            Some(("hrss".into(), RoutedBy::Step))
        );
        assert_eq!(
            route(None, None, Some(&p), Some(&s)),
            Some(("tax".into(), RoutedBy::PrecedingStep))
        );
        assert_eq!(route(None, None, None, None), None);
    }
}
