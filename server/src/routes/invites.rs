//! Invite codes for volunteer enrollment: a manager issues one, a phone redeems it.

use actix_web::{HttpResponse, web};
use chrono::Duration;
use flowwalk_shared::api::auth::{CreateInviteRequest, Invite, InviteCreated};
use flowwalk_shared::{ErrorBody, ErrorCode, Role};

use crate::auth::{AuthUser, tokens};
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::invites::InviteRow;
use crate::models::{self, assignments, invites};
use crate::users::check_department;

/// Invites issued so far (codes are not shown again).
#[utoipa::path(get, path = "/api/v1/invites", tag = "invites", security(("bearer" = [])), responses((status = 200, body = [Invite])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<Invite>>, AppError> {
    let rows = db.read(|conn| Ok(invites::list(conn)?)).await?;
    Ok(web::Json(rows.into_iter().map(Invite::from).collect()))
}

/// Issue a single-use invite code with a fixed role and scope.
#[utoipa::path(post, path = "/api/v1/invites", tag = "invites", security(("bearer" = [])), request_body = CreateInviteRequest, responses(
    (status = 201, body = InviteCreated),
    (status = 400, body = ErrorBody),
    (status = 403, description = "managers may not invite admins or managers", body = ErrorBody),
    (status = 422, description = "unknown department or assignment", body = ErrorBody),
))]
pub async fn create(
    user: AuthUser,
    db: web::Data<Db>,
    ApiJson(body): ApiJson<CreateInviteRequest>,
) -> Result<HttpResponse, AppError> {
    // Invites enroll field and department staff; only an admin may mint another manager.
    if matches!(body.role, Role::Admin) || (body.role == Role::Manager && user.role != Role::Admin)
    {
        return Err(AppError::forbidden().field("role").message(
            "不能通过邀请码创建该角色的账号",
            "This role cannot be granted by invite",
        ));
    }
    let hours = body.valid_hours.unwrap_or(72);
    if !(1..=720).contains(&hours) {
        return Err(AppError::invalid(
            "valid_hours",
            "有效期需为 1–720 小时",
            "valid_hours must be 1–720",
        ));
    }
    if !body.assignment_ids.is_empty() && !body.role.is_observer() {
        return Err(AppError::invalid(
            "assignment_ids",
            "只有督查员和体验员可以加入任务",
            "Only observers join assignments",
        ));
    }
    let code = tokens::invite_code();
    let code_hash = tokens::digest(&code);
    let row = db
        .write(move |conn| {
            check_department(conn, body.role, body.department_id.as_deref())?;
            for (i, id) in body.assignment_ids.iter().enumerate() {
                if assignments::get_row(conn, id).is_err() {
                    return Err(AppError::new(ErrorCode::UnknownReference)
                        .field(format!("assignment_ids[{i}]")));
                }
            }
            let now = models::now();
            let row = InviteRow {
                id: models::new_id(),
                code_hash,
                role: body.role.as_str().to_owned(),
                department_id: body.department_id,
                assignment_ids: serde_json::to_string(&body.assignment_ids)
                    .unwrap_or_else(|_| "[]".into()),
                created_by: user.id,
                expires_at: now + Duration::hours(i64::from(hours)),
                used_at: None,
                used_by: None,
                created_at: now,
            };
            invites::insert(conn, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(InviteCreated {
        code,
        invite: Invite::from(row),
    }))
}
