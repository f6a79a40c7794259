//! Scenario rules shared by the API and the demo loader: every edit writes the next
//! version, and old versions — and everything recorded against them — stay as they were.

use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::scenarios::{Scenario, ScenarioInput};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::reference::store::department_rows;
use crate::reference::store::scenario_rows::{self, ScenarioRow, StepRow, VersionRow};
use flowwalk_shared::validate;

/// The longest standard time a step may promise (90 days), in minutes.
pub const MAX_STANDARD_MINUTES: u32 = 60 * 24 * 90;
/// The most materials a step may ask for.
pub const MAX_MATERIALS: u32 = 1000;
/// The most steps a scenario may have.
pub const MAX_STEPS: usize = 100;

/// Checks the input and writes `version` of scenario `scenario_id` with its steps.
pub fn write_version(
    conn: &mut DbConnection,
    scenario_id: &str,
    version: i32,
    input: &ScenarioInput,
    author: Option<&str>,
) -> Result<(String, String), AppError> {
    let code = validate::code("code", &input.code)?;
    let name = validate::text("name", &input.name, 100)?;
    let description = validate::optional_text("description", &input.description, 2000)?;
    if input.steps.is_empty() {
        return Err(AppError::invalid(
            "steps",
            "至少需要一个步骤",
            "At least one step is needed",
        ));
    }
    if input.steps.len() > MAX_STEPS {
        return Err(AppError::invalid(
            "steps",
            "步骤不能超过 100 个",
            "At most 100 steps",
        ));
    }
    let version_id = crate::db::rows::new_id();
    let mut steps = Vec::with_capacity(input.steps.len());
    for (i, s) in input.steps.iter().enumerate() {
        let field = |f: &str| format!("steps[{i}].{f}");
        if !department_rows::exists(conn, &s.department_id)? {
            return Err(AppError::new(ErrorCode::UnknownReference).field(field("department_id")));
        }
        if s.standard_minutes > MAX_STANDARD_MINUTES {
            return Err(AppError::invalid(
                field("standard_minutes"),
                "标准时长过长",
                "Standard time too long",
            ));
        }
        if s.materials_count > MAX_MATERIALS {
            return Err(AppError::invalid(
                field("materials_count"),
                "材料数量过多",
                "Too many materials",
            ));
        }
        steps.push(StepRow {
            id: crate::db::rows::new_id(),
            scenario_version_id: version_id.clone(),
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            name: validate::text(&field("name"), &s.name, 100)?,
            channel: s.channel,
            department_id: s.department_id.clone(),
            standard_minutes: i32::try_from(s.standard_minutes).unwrap_or(i32::MAX),
            fee_cents: i64::from(s.fee_cents),
            materials_count: i32::try_from(s.materials_count).unwrap_or(i32::MAX),
        });
    }
    let v = VersionRow {
        id: version_id,
        scenario_id: scenario_id.to_owned(),
        version,
        name: name.clone(),
        description,
        created_by: author.map(str::to_owned),
        created_at: crate::db::rows::now(),
    };
    scenario_rows::insert_version(conn, &v, &steps)?;
    Ok((code, name))
}

/// Creates a scenario at version 1.
pub fn create_in(
    conn: &mut DbConnection,
    input: &ScenarioInput,
    author: Option<&str>,
) -> Result<String, AppError> {
    let id = crate::db::rows::new_id();
    let now = crate::db::rows::now();
    // The scenario row first (versions reference it), with the checked code and name.
    scenario_rows::insert_scenario(
        conn,
        &ScenarioRow {
            id: id.clone(),
            code: validate::code("code", &input.code)?,
            name: validate::text("name", &input.name, 100)?,
            current_version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    write_version(conn, &id, 1, input, author)?;
    Ok(id)
}

/// Creates a scenario at version 1; returns it.
pub fn create(
    conn: &mut DbConnection,
    input: &ScenarioInput,
    author: Option<&str>,
) -> Result<Scenario, AppError> {
    let id = create_in(conn, input, author)?;
    Ok(scenario_rows::get(conn, &id, None)?)
}

/// Edits a scenario: writes the next version and makes it current; returns it.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: &ScenarioInput,
    author: Option<&str>,
) -> Result<Scenario, AppError> {
    let current = scenario_rows::get_row(conn, id)?;
    let next = current.current_version + 1;
    let (code, name) = write_version(conn, id, next, input, author)?;
    scenario_rows::advance(conn, id, &code, &name, next, crate::db::rows::now())?;
    Ok(scenario_rows::get(conn, id, None)?)
}

/// Every scenario at its current version.
pub fn list_current(conn: &mut DbConnection) -> Result<Vec<Scenario>, AppError> {
    Ok(scenario_rows::list_current(conn)?)
}

/// A scenario at a version (none: the current one).
pub fn get(conn: &mut DbConnection, id: &str, version: Option<i32>) -> Result<Scenario, AppError> {
    Ok(scenario_rows::get(conn, id, version)?)
}

/// Every version of a scenario, oldest first.
pub fn versions(conn: &mut DbConnection, id: &str) -> Result<Vec<Scenario>, AppError> {
    Ok(scenario_rows::versions(conn, id)?)
}

/// The steps of a scenario version, in order.
pub fn steps_of_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<flowwalk_shared::api::scenarios::Step>, AppError> {
    Ok(scenario_rows::steps_of_version(conn, version_id)?)
}

/// The scenario with this code, if any.
pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<ScenarioRow>, AppError> {
    Ok(scenario_rows::find_by_code(conn, code)?)
}
