//! Per-endpoint access control. Every route is registered with an [`Access`]; the check
//! runs before the handler, so a handler cannot forget it, and the route table doubles as
//! the list the endpoint × role test walks.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use flowwalk_shared::{ErrorCode, Role};

use super::tokens::TokenKeys;
use crate::db::Db;
use crate::error::AppError;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (login, health checks).
    Public,
    /// Any logged-in account.
    Authenticated,
    /// Any logged-in account, even one that must first replace a reset password: what
    /// that takes (who am I, change my password).
    Own,
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::Authenticated | Access::Own, Some(_)) => true,
            (Access::Roles(roles), Some(r)) => roles.contains(&r),
        }
    }
}

/// Admins and managers: plan, manage reference data.
pub const STAFF: Access = Access::Roles(&[Role::Admin, Role::Manager]);
/// Admins only: accounts.
pub const ADMIN: Access = Access::Roles(&[Role::Admin]);
/// Those who may look at assignments: staff and observers (observers see their own).
pub const ASSIGNMENT_READERS: Access = Access::Roles(&[
    Role::Admin,
    Role::Manager,
    Role::Inspector,
    Role::Experiencer,
]);

/// Managers only: the issue workflow's decisions (triage, transfer, acceptance, panels).
pub const MANAGERS: Access = Access::Roles(&[Role::Manager]);
/// Department officers: fix their department's issues.
pub const OFFICERS: Access = Access::Roles(&[Role::DepartmentOfficer]);
/// Acceptance-panel members: vote on the issues whose panel they sit on.
pub const PANEL: Access = Access::Roles(&[Role::PanelMember]);
/// Who confirms a fix with the citizen side: the observer, or a manager's return visit.
pub const RECHECKERS: Access = Access::Roles(&[Role::Manager, Role::Inspector, Role::Experiencer]);

/// Observers: those who walk service flows and push what they record.
pub const OBSERVERS: Access = Access::Roles(&[Role::Inspector, Role::Experiencer]);

/// The logged-in caller, as the access check verified them.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub department_id: Option<String>,
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<AuthUser>()
                .cloned()
                .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated)),
        )
    }
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Who the request's token names, if `access` lets them in. The account is read on every
/// call: one deactivated is refused at once, a changed role or department applies at once,
/// and one that must replace a reset password may do nothing else.
async fn authorize(access: Access, req: &ServiceRequest) -> Result<Option<AuthUser>, AppError> {
    if access == Access::Public {
        return Ok(None);
    }
    let keys = req
        .app_data::<web::Data<TokenKeys>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("token keys not configured")))?;
    let db = req
        .app_data::<web::Data<Db>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("database not configured")))?
        .clone();
    let token = bearer(req).ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    let claims = keys.verify(token)?;
    let account = db
        .read(move |conn| crate::accounts::service::users::standing(conn, &claims.sub))
        .await?;
    let Some(account) = account else {
        return Err(AppError::new(ErrorCode::InvalidToken));
    };
    if !account.active {
        return Err(AppError::new(ErrorCode::AccountDisabled));
    }
    if account.must_change_password && access != Access::Own {
        return Err(AppError::new(ErrorCode::PasswordChangeRequired));
    }
    let user = AuthUser {
        id: account.id,
        username: account.username,
        role: account.role,
        department_id: account.department_id,
    };
    if !access.allows(Some(user.role)) {
        return Err(AppError::forbidden());
    }
    Ok(Some(user))
}

/// The middleware body: 401 without a valid token, 403 for a role not allowed. Refusals
/// are answered here, as responses, so logging, metrics and localisation see them.
pub async fn check(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match authorize(access, &req).await {
        Ok(user) => {
            if let Some(user) = user {
                req.extensions_mut().insert(user);
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}
