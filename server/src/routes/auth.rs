//! Login, refresh-token rotation, logout, invite redemption, and who-am-I.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDateTime};
use flowwalk_shared::api::auth::{
    LoginRequest, Me, RedeemInviteRequest, RefreshRequest, TokenResponse,
};
use flowwalk_shared::{ErrorBody, ErrorCode, Role};

use crate::auth::tokens::{self, Claims, TokenKeys};
use crate::auth::{AuthUser, password};
use crate::config::Settings;
use crate::db::{Db, DbConnection};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::refresh_tokens::RefreshTokenRow;
use crate::models::users::UserRow;
use crate::models::{self, assignments, invites, login_failures, refresh_tokens, users};
use crate::users as accounts;

/// Issues an access token and a new refresh token in `family` (a new family at login).
fn issue(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user: &UserRow,
    family: Option<String>,
) -> Result<TokenResponse, AppError> {
    let now = models::now();
    let refresh = tokens::random_token();
    refresh_tokens::insert(
        conn,
        &RefreshTokenRow {
            id: models::new_id(),
            user_id: user.id.clone(),
            family_id: family.unwrap_or_else(models::new_id),
            token_hash: tokens::digest(&refresh),
            expires_at: now + Duration::seconds(keys.refresh_ttl_secs),
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )?;
    let iat = now.and_utc().timestamp();
    let access = keys.issue(&Claims {
        sub: user.id.clone(),
        name: user.username.clone(),
        role: user.role(),
        dept: user.department_id.clone(),
        iat,
        exp: iat + keys.access_ttl_secs,
    })?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: keys.access_ttl_secs.unsigned_abs(),
        refresh_token: refresh,
        refresh_expires_in: keys.refresh_ttl_secs.unsigned_abs(),
        user: user.me(),
    })
}

/// The caller's address, for rate limiting (logins and questionnaire submissions).
pub(crate) fn client_addr(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy && let Some(ip) = req.connection_info().realip_remote_addr() {
        return ip.to_owned();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

struct Limits {
    account: String,
    address: String,
    window_start: NaiveDateTime,
    max_account: i64,
    max_address: i64,
}

impl Limits {
    fn new(settings: &Settings, username: &str, addr: &str) -> Limits {
        Limits {
            account: format!("account:{}", username.to_lowercase()),
            address: format!("address:{addr}"),
            window_start: models::now()
                - Duration::minutes(i64::from(settings.login_window_minutes)),
            max_account: i64::from(settings.login_max_failures_per_account),
            max_address: i64::from(settings.login_max_failures_per_address),
        }
    }

    fn check(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        if login_failures::count_since(conn, &self.account, self.window_start)? >= self.max_account
            || login_failures::count_since(conn, &self.address, self.window_start)?
                >= self.max_address
        {
            return Err(AppError::new(ErrorCode::TooManyAttempts));
        }
        Ok(())
    }

    fn record(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        let now = models::now();
        login_failures::record(conn, &self.account, now, self.window_start)?;
        login_failures::record(conn, &self.address, now, self.window_start)?;
        Ok(())
    }
}

/// Log in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "invalid_credentials", body = ErrorBody),
    (status = 403, description = "account_disabled", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn login(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<web::Json<TokenResponse>, AppError> {
    let limits = Limits::new(
        &settings,
        body.username.trim(),
        &client_addr(&req, settings.trust_proxy_headers),
    );
    let username = body.username.trim().to_owned();
    let (limits, user) = db
        .read(move |conn| {
            limits.check(conn)?;
            Ok((limits, users::find_by_username(conn, &username)?))
        })
        .await?;
    // Verify off the async workers; an unknown user costs the same as a wrong password.
    let hash = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let password_ok = web::block(move || password::verify(&hash, &body.password))
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("verifying a password: {e}")))?;
    let keys = keys.into_inner();
    // The outer Result rolls back; the inner one is an answer whose writes must commit.
    let outcome = db
        .write(move |conn| match user {
            Some(user) if password_ok => {
                if !user.active {
                    return Ok(Err(AppError::new(ErrorCode::AccountDisabled)));
                }
                login_failures::clear(conn, &limits.account)?;
                issue(conn, &keys, &user, None).map(Ok)
            }
            _ => {
                limits.record(conn)?;
                Ok(Err(AppError::new(ErrorCode::InvalidCredentials)))
            }
        })
        .await?;
    outcome.map(web::Json)
}

/// Exchange a refresh token for new tokens. Each refresh token works once; using one again
/// revokes every token of that login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "refresh_token_invalid or refresh_token_reused", body = ErrorBody),
))]
pub async fn refresh(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, AppError> {
    let keys = keys.into_inner();
    let hash = tokens::digest(body.refresh_token.trim());
    // The outer Result rolls back; the inner one is an answer whose writes must commit.
    let outcome = db
        .write(move |conn| {
            let now = models::now();
            let invalid = || AppError::new(ErrorCode::RefreshTokenInvalid);
            let Some(row) = refresh_tokens::find(conn, &hash)? else {
                return Ok(Err(invalid()));
            };
            if row.revoked_at.is_some() || row.expires_at <= now {
                return Ok(Err(invalid()));
            }
            if !refresh_tokens::claim(conn, &hash, now)? {
                refresh_tokens::revoke_family(conn, &row.family_id, now)?;
                tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
                return Ok(Err(AppError::new(ErrorCode::RefreshTokenReused)));
            }
            let user = users::get(conn, &row.user_id)?;
            if !user.active {
                refresh_tokens::revoke_family(conn, &row.family_id, now)?;
                return Ok(Err(AppError::new(ErrorCode::AccountDisabled)));
            }
            issue(conn, &keys, &user, Some(row.family_id)).map(Ok)
        })
        .await?;
    outcome.map(web::Json)
}

/// Revoke the login the refresh token belongs to. Answers 204 whatever the token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Logged out"),
))]
pub async fn logout(
    db: web::Data<Db>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let hash = tokens::digest(body.refresh_token.trim());
    db.write(move |conn| {
        if let Some(row) = refresh_tokens::find(conn, &hash)? {
            refresh_tokens::revoke_family(conn, &row.family_id, models::now())?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create an account from an invite code (once, before it expires) and log in.
#[utoipa::path(post, path = "/api/v1/auth/redeem", tag = "auth", request_body = RedeemInviteRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, description = "invite_invalid or invalid_value", body = ErrorBody),
    (status = 409, description = "duplicate username", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn redeem(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
    ApiJson(body): ApiJson<RedeemInviteRequest>,
) -> Result<web::Json<TokenResponse>, AppError> {
    let code_hash = tokens::digest(&body.code.trim().to_ascii_uppercase());
    let limits = Limits::new(
        &settings,
        "",
        &client_addr(&req, settings.trust_proxy_headers),
    );
    let account = accounts::prepare_blocking(
        body.username,
        body.password,
        body.display_name.unwrap_or_default(),
    )
    .await?;
    let keys = keys.into_inner();
    let outcome = db
        .write(move |conn| {
            limits.check(conn)?;
            let now = models::now();
            let Some(invite) = invites::find_usable(conn, &code_hash, now)? else {
                limits.record(conn)?;
                return Ok(Err(AppError::new(ErrorCode::InviteInvalid).field("code")));
            };
            let role = Role::parse(&invite.role).unwrap_or(Role::Experiencer);
            let user = accounts::insert(conn, account, role, invite.department_id.clone())?;
            if invites::redeem(conn, &code_hash, &user.id, now)?.is_none() {
                // Someone redeemed it a moment ago: undo this account.
                return Err(AppError::new(ErrorCode::InviteInvalid).field("code"));
            }
            for assignment in invite.assignment_ids() {
                if assignments::get_row(conn, &assignment).is_ok() {
                    assignments::add_observer(conn, &assignment, &user.id)?;
                }
            }
            issue(conn, &keys, &user, None).map(Ok)
        })
        .await?;
    outcome.map(web::Json)
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = ErrorBody),
))]
pub async fn me(user: AuthUser, db: web::Data<Db>) -> Result<web::Json<Me>, AppError> {
    let row = db.read(move |conn| Ok(users::get(conn, &user.id)?)).await?;
    Ok(web::Json(row.me()))
}
