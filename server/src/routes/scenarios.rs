//! Scenarios with ordered steps. Editing one writes a new version; old versions, and
//! everything recorded against them, stay as they were.

use actix_web::{HttpResponse, web};
use flowwalk_shared::api::scenarios::{Scenario, ScenarioInput};
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::{Db, DbConnection};
use crate::domain::validate;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::scenarios::{self, ScenarioRow, StepRow, VersionRow};
use crate::models::{self, departments};

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
    if input.steps.len() > 100 {
        return Err(AppError::invalid(
            "steps",
            "步骤不能超过 100 个",
            "At most 100 steps",
        ));
    }
    let version_id = models::new_id();
    let mut steps = Vec::with_capacity(input.steps.len());
    for (i, s) in input.steps.iter().enumerate() {
        let field = |f: &str| format!("steps[{i}].{f}");
        if !departments::exists(conn, &s.department_id)? {
            return Err(AppError::new(ErrorCode::UnknownReference).field(field("department_id")));
        }
        if s.standard_minutes > 60 * 24 * 90 {
            return Err(AppError::invalid(
                field("standard_minutes"),
                "标准时长过长",
                "Standard time too long",
            ));
        }
        if s.materials_count > 1000 {
            return Err(AppError::invalid(
                field("materials_count"),
                "材料数量过多",
                "Too many materials",
            ));
        }
        steps.push(StepRow {
            id: models::new_id(),
            scenario_version_id: version_id.clone(),
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            name: validate::text(&field("name"), &s.name, 100)?,
            channel: s.channel.as_str().to_owned(),
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
        created_at: models::now(),
    };
    scenarios::insert_version(conn, &v, &steps)?;
    Ok((code, name))
}

/// Creates a scenario at version 1.
pub fn create_in(
    conn: &mut DbConnection,
    input: &ScenarioInput,
    author: Option<&str>,
) -> Result<String, AppError> {
    let id = models::new_id();
    let now = models::now();
    // The scenario row first (versions reference it), with the checked code and name.
    scenarios::insert_scenario(
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

#[utoipa::path(get, path = "/api/v1/scenarios", tag = "reference data", security(("bearer" = [])), responses(
    (status = 200, description = "Every scenario at its current version", body = [Scenario])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Scenario>>, AppError> {
    Ok(web::Json(
        db.read(|conn| Ok(scenarios::list_current(conn)?)).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A past version; default the current one.
    pub version: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}", tag = "reference data", security(("bearer" = [])), params(VersionQuery), responses(
    (status = 200, body = Scenario), (status = 404, body = ErrorBody)))]
pub async fn get(
    db: web::Data<Db>,
    id: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<web::Json<Scenario>, AppError> {
    let id = id.into_inner();
    let version = query.into_inner().version;
    Ok(web::Json(
        db.read(move |conn| Ok(scenarios::get(conn, &id, version)?))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/scenarios/{id}/versions", tag = "reference data", security(("bearer" = [])), responses(
    (status = 200, description = "All versions, oldest first", body = [Scenario]), (status = 404, body = ErrorBody)))]
pub async fn versions(
    db: web::Data<Db>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<Scenario>>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.read(move |conn| Ok(scenarios::versions(conn, &id)?))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/scenarios", tag = "reference data", security(("bearer" = [])), request_body = ScenarioInput, responses(
    (status = 201, body = Scenario), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<ScenarioInput>,
) -> Result<HttpResponse, AppError> {
    let scenario = db
        .write(move |conn| {
            let id = create_in(conn, &body, Some(&user.id))?;
            Ok(scenarios::get(conn, &id, None)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(scenario))
}

/// Edit a scenario: writes the next version and makes it current.
#[utoipa::path(put, path = "/api/v1/scenarios/{id}", tag = "reference data", security(("bearer" = [])), request_body = ScenarioInput, responses(
    (status = 200, description = "The new current version", body = Scenario), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<ScenarioInput>,
) -> Result<web::Json<Scenario>, AppError> {
    let id = id.into_inner();
    let scenario = db
        .write(move |conn| {
            let current = scenarios::get_row(conn, &id)?;
            let next = current.current_version + 1;
            let (code, name) = write_version(conn, &id, next, &body, Some(&user.id))?;
            scenarios::advance(conn, &id, &code, &name, next, models::now())?;
            Ok(scenarios::get(conn, &id, None)?)
        })
        .await?;
    Ok(web::Json(scenario))
}
