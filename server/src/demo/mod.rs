//! `flowwalk demo`: loads the demo data of [`data`] so a newcomer sees something real.
//! Loading twice changes nothing: a database that already has the demo admin is left alone.

pub mod data;

use std::collections::HashMap;

use anyhow::anyhow;
use chrono::{Duration, Utc};
use flowwalk_shared::Role;
use flowwalk_shared::api::assignments::{AssignmentInput, AssignmentStatus, WalkMode};
use flowwalk_shared::api::scenarios::{Channel, ScenarioInput, StepInput};
use flowwalk_shared::api::venues::{VenueInput, VenueLevel};

use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::models::departments::DepartmentRow;
use crate::models::{self, assignments, departments, users, venues};
use crate::routes;

/// Every demo account has this password (it is printed; change it for anything real).
pub const DEMO_PASSWORD: &str = "flowwalk-demo";

pub struct DemoSummary {
    pub already_loaded: bool,
    pub accounts: Vec<(String, String, Role)>,
    pub venues: usize,
    pub departments: usize,
    pub scenarios: usize,
    pub assignments: usize,
}

/// Loads everything in one transaction.
pub fn load(conn: &mut DbConnection) -> anyhow::Result<DemoSummary> {
    let accounts: Vec<(String, String, Role)> = data::USERS
        .iter()
        .map(|u| {
            Ok((
                u.username.to_owned(),
                u.display_name.to_owned(),
                role(u.role)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut summary = DemoSummary {
        already_loaded: false,
        accounts,
        venues: data::VENUES.len(),
        departments: data::DEPARTMENTS.len(),
        scenarios: data::SCENARIOS.len(),
        assignments: data::ASSIGNMENTS.len(),
    };
    if users::find_by_username(conn, data::USERS[0].username)?.is_some() {
        summary.already_loaded = true;
        return Ok(summary);
    }
    // Hash before the transaction: argon2 is slow on purpose.
    let prepared: Vec<_> = data::USERS
        .iter()
        .map(|u| crate::users::prepare(u.username, DEMO_PASSWORD, u.display_name))
        .collect::<Result<_, AppError>>()
        .map_err(|e| anyhow!("{e}"))?;
    write_tx(conn, |conn| insert_all(conn, prepared))
        .map_err(|e| anyhow!("loading demo data: {e}"))?;
    Ok(summary)
}

fn role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s).ok_or_else(|| anyhow!("demo data names an unknown role {s:?}"))
}

fn insert_all(
    conn: &mut DbConnection,
    prepared: Vec<crate::users::NewAccount>,
) -> Result<(), AppError> {
    let now = models::now();
    let mut dept_ids = HashMap::new();
    for d in data::DEPARTMENTS {
        let id = models::new_id();
        departments::insert(
            conn,
            &DepartmentRow {
                id: id.clone(),
                code: d.code.into(),
                name: d.name.into(),
                name_en: d.name_en.into(),
                created_at: now,
                updated_at: now,
            },
        )?;
        dept_ids.insert(d.code, id);
    }
    let lookup = |map: &HashMap<&str, String>, code: &str| {
        map.get(code)
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow!("demo data: unknown code {code}")))
    };
    let mut venue_ids = HashMap::new();
    for v in data::VENUES {
        let input = VenueInput {
            code: v.code.into(),
            name: v.name.into(),
            level: VenueLevel::parse(v.level)
                .ok_or_else(|| AppError::internal(anyhow!("bad level {}", v.level)))?,
            parent_id: v.parent_code.map(|p| lookup(&venue_ids, p)).transpose()?,
            address: v.address.into(),
        };
        let row = routes::venues::checked_row(conn, None, &input)?;
        venues::insert(conn, &row)?;
        venue_ids.insert(v.code, row.id);
    }
    let mut user_ids = HashMap::new();
    for (u, account) in data::USERS.iter().zip(prepared) {
        let dept = u
            .department_code
            .map(|c| lookup(&dept_ids, c))
            .transpose()?;
        let r = role(u.role).map_err(AppError::internal)?;
        let row = crate::users::insert(conn, account, r, dept)?;
        user_ids.insert(u.username, row.id);
    }
    let admin = lookup(&user_ids, data::USERS[0].username)?;
    let mut scenario_ids = HashMap::new();
    for s in data::SCENARIOS {
        let steps = s
            .steps
            .iter()
            .map(|st| {
                Ok(StepInput {
                    name: st.name.into(),
                    channel: Channel::parse(st.channel)
                        .ok_or_else(|| AppError::internal(anyhow!("bad channel {}", st.channel)))?,
                    department_id: lookup(&dept_ids, st.department_code)?,
                    standard_minutes: st.standard_minutes,
                    fee_cents: st.fee_cents,
                    materials_count: st.materials_count,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let input = ScenarioInput {
            code: s.code.into(),
            name: s.name.into(),
            description: s.description.into(),
            steps,
        };
        let id = routes::scenarios::create_in(conn, &input, Some(&admin))?;
        scenario_ids.insert(s.code, id);
    }
    let today = Utc::now().date_naive();
    for a in data::ASSIGNMENTS {
        let starts_on = today + Duration::days(a.starts_in_days);
        let input = AssignmentInput {
            scenario_id: lookup(&scenario_ids, a.scenario_code)?,
            venue_id: lookup(&venue_ids, a.venue_code)?,
            observer_ids: a
                .observers
                .iter()
                .map(|o| lookup(&user_ids, o))
                .collect::<Result<_, _>>()?,
            starts_on,
            ends_on: starts_on + Duration::days(a.length_days.max(0)),
            mode: WalkMode::parse(a.mode)
                .ok_or_else(|| AppError::internal(anyhow!("bad mode {}", a.mode)))?,
            status: AssignmentStatus::parse(a.status)
                .ok_or_else(|| AppError::internal(anyhow!("bad status {}", a.status)))?,
            note: a.note.into(),
        };
        let (row, observers) = routes::assignments::checked_row(conn, None, &input, &admin)?;
        assignments::insert(conn, &row, &observers)?;
    }
    Ok(())
}

/// Prints what was loaded and how to log in.
pub fn print(s: &DemoSummary) {
    if s.already_loaded {
        println!("Demo data is already loaded.");
    } else {
        println!(
            "Loaded demo data: {} departments, {} venues, {} scenarios, {} assignments.",
            s.departments, s.venues, s.scenarios, s.assignments
        );
    }
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for (username, name, role) in &s.accounts {
        println!("  {username:<14} {role:<20} {name} ({})", role.label_zh());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_password_meets_the_password_rules() {
        crate::auth::password::check_strength(super::DEMO_PASSWORD).unwrap();
    }
}
