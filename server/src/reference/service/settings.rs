//! The run-time settings of the workflow kept in the database: the working-day calendar
//! (China's official schedule until an admin edits it) and the panel's sign-off rule.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDateTime};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::admin::AdminAction;
use flowwalk_shared::api::calendar::{CalendarView, YearSchedule};
use flowwalk_shared::api::issues::{CategoryRoute, PanelRule};
use flowwalk_shared::time::china;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::issues::service::audit::{self, Acting};
use crate::issues::store::issue_rows;
use crate::reference::rules::calendar::{self, Calendar};
use crate::reference::store::{category_rows, config_rows, department_rows};

/// The calendar in force: the edited one, or the shipped default.
pub fn calendar(conn: &mut DbConnection) -> Result<(Calendar, bool), AppError> {
    match config_rows::get(conn, config_rows::CALENDAR)? {
        Some(json) => {
            let years: BTreeMap<String, YearSchedule> = serde_json::from_str(&json)
                .map_err(|e| AppError::internal(anyhow::anyhow!("stored calendar: {e}")))?;
            let cal = Calendar::from_years(years)
                .map_err(|e| AppError::internal(anyhow::anyhow!("stored calendar: {e}")))?;
            Ok((cal, true))
        }
        None => Ok((Calendar::default_cn(), false)),
    }
}

/// Checks and stores an edited calendar.
pub fn set_calendar(
    conn: &mut DbConnection,
    years: BTreeMap<String, YearSchedule>,
    by: &Acting<'_>,
    now: NaiveDateTime,
) -> Result<Calendar, AppError> {
    let cal = Calendar::from_years(years.clone())
        .map_err(|e| AppError::invalid("years", e.clone(), e))?;
    let json = serde_json::to_string(&years).map_err(|e| AppError::internal(e.into()))?;
    config_rows::set(conn, config_rows::CALENDAR, &json, by.actor_id, now)?;
    audit::record_admin(
        conn,
        by,
        "setting:calendar",
        AdminAction::CalendarEdited,
        serde_json::json!({ "years": years }),
    )?;
    Ok(cal)
}

/// The calendar as the API shows it, with the warning managers see when this year or the
/// next is missing.
pub fn calendar_view(cal: &Calendar, edited: bool, now: NaiveDateTime) -> CalendarView {
    let this = china::date_of(now).year();
    let missing: Vec<i32> = [this, this + 1]
        .into_iter()
        .filter(|y| !cal.has_year(*y))
        .collect();
    CalendarView {
        years: cal.years(),
        origin: if edited { "edited" } else { "default" }.into(),
        warning: calendar::missing_years_warning(&missing).map(|(zh, _)| zh),
        missing_years: missing,
    }
}

pub fn panel_rule(conn: &mut DbConnection) -> Result<PanelRule, AppError> {
    match config_rows::get(conn, config_rows::PANEL_RULE)? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored panel rule: {e}"))),
        None => Ok(PanelRule::default()),
    }
}

pub fn set_panel_rule(
    conn: &mut DbConnection,
    rule: &PanelRule,
    by: &Acting<'_>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if rule.service_office + rule.window_rep + rule.citizen_patrol == 0 {
        return Err(AppError::invalid(
            "service_office",
            "验收规则至少需要一个组成方的通过",
            "The rule must ask for at least one approval",
        ));
    }
    if [rule.service_office, rule.window_rep, rule.citizen_patrol]
        .iter()
        .any(|n| *n > 20)
    {
        return Err(AppError::invalid(
            "service_office",
            "每个组成方最多要求 20 票",
            "At most 20 approvals per constituency",
        ));
    }
    let json = serde_json::to_string(rule).map_err(|e| AppError::internal(e.into()))?;
    config_rows::set(conn, config_rows::PANEL_RULE, &json, by.actor_id, now)?;
    audit::record_admin(
        conn,
        by,
        "setting:panel_rule",
        AdminAction::PanelRuleEdited,
        serde_json::json!(rule),
    )?;
    Ok(())
}

/// Every category with the department its issues go to (none: the step's department).
pub fn category_routes(conn: &mut DbConnection) -> Result<Vec<CategoryRoute>, AppError> {
    let routes: std::collections::HashMap<String, String> =
        issue_rows::category_routes(conn)?.into_iter().collect();
    Ok(category_rows::list(conn)?
        .into_iter()
        .map(|c| CategoryRoute {
            department_id: routes.get(&c.id).cloned(),
            category_id: c.id,
        })
        .collect())
}

/// Routes a category's issues to a department (`None`: to the step's department), for
/// issues built from now on.
pub fn set_category_route(
    conn: &mut DbConnection,
    category: String,
    department: Option<String>,
    by: &Acting<'_>,
) -> Result<CategoryRoute, AppError> {
    category_rows::get(conn, &category)?;
    if let Some(d) = &department
        && !department_rows::exists(conn, d)?
    {
        return Err(AppError::new(ErrorCode::UnknownReference).field("department_id"));
    }
    issue_rows::set_category_route(
        conn,
        &category,
        department.as_deref(),
        by.actor_id,
        crate::db::rows::now(),
    )?;
    audit::record_admin(
        conn,
        by,
        &format!("category:{category}"),
        AdminAction::CategoryRouted,
        serde_json::json!({ "department_id": department }),
    )?;
    Ok(CategoryRoute {
        category_id: category,
        department_id: department,
    })
}
