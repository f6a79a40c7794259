//! Login, refresh-token rotation, logout, invite redemption, and who-am-I. The rules live
//! in `auth::{limits, sessions, password}` and `invites`; these handlers only order them:
//! the attempt is counted first, the password hashed through the bounded hasher, the
//! answer written in one transaction.

use crate::http::contract::{Answer, In, Reply};
use actix_web::{HttpRequest, web};
use chrono::Duration;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::auth::{
    ChangePasswordRequest, LoginRequest, Me, RedeemInviteRequest, RefreshRequest, TokenResponse,
};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::auth as ep;

use crate::accounts::service::{invites, users as accounts};
use crate::auth::limits::{Limiter, client_addr};
use crate::auth::password::{self, Hasher};
use crate::auth::tokens::TokenKeys;
use crate::auth::{AuthUser, sessions};
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;

/// Log in with username and password.
#[utoipa::path(post, path = ep::Login::PATH, tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, description = "malformed body", body = ErrorBody),
    (status = 401, description = "invalid_credentials", body = ErrorBody),
    (status = 403, description = "account_disabled", body = ErrorBody),
    (status = 429, description = "too_many_attempts (with Retry-After)", body = ErrorBody),
    (status = 503, description = "every password-hashing slot busy; retry after Retry-After", body = ErrorBody),
))]
pub async fn login(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    hasher: web::Data<Hasher>,
    settings: web::Data<Settings>,
    call: In<ep::Login>,
) -> Answer<ep::Login> {
    let body = call.body;
    let limiter = Limiter::login(&settings, &body.username, &client_addr(&req, &settings));
    // A name no account can have (control characters, NUL bytes) is looked up nowhere.
    let username = flowwalk_shared::validate::username(&body.username).ok();
    // The attempt counts from here, before any hashing.
    let (attempt, user) = db
        .write(move |conn| {
            let attempt = limiter.begin(conn)?;
            let user = match username {
                Some(name) => accounts::find_by_username(conn, &name)?,
                None => None,
            };
            Ok((attempt, user))
        })
        .await?;
    // An unknown user costs the same as a wrong password.
    let hash = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let password_ok = match hasher.verify(hash, body.password).await {
        Ok(ok) => ok,
        Err(busy) => {
            db.write(move |conn| attempt.abandoned(conn)).await?;
            return Err(busy);
        }
    };
    let keys = keys.into_inner();
    // The outer Result rolls back; the inner one is an answer whose writes must commit.
    let outcome = db
        .write(move |conn| match user {
            Some(user) if password_ok => {
                attempt.succeeded(conn)?;
                if !user.active {
                    return Ok(Err(AppError::new(ErrorCode::AccountDisabled)));
                }
                sessions::issue(conn, &keys, &user).map(Ok)
            }
            _ => {
                attempt.failed();
                Ok(Err(AppError::new(ErrorCode::InvalidCredentials)))
            }
        })
        .await?;
    outcome.map(Reply::ok)
}

/// Exchange a refresh token for new tokens. Each refresh token works once; presented again
/// within the grace period (its answer was lost) it gets the same new pair; after that,
/// using it again revokes every token of that login.
#[utoipa::path(post, path = ep::Refresh::PATH, tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, description = "malformed body", body = ErrorBody),
    (status = 401, description = "refresh_token_invalid or refresh_token_reused", body = ErrorBody),
    (status = 403, description = "account_disabled", body = ErrorBody),
))]
pub async fn refresh(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
    call: In<ep::Refresh>,
) -> Answer<ep::Refresh> {
    let body = call.body;
    let keys = keys.into_inner();
    let grace = Duration::seconds(i64::from(settings.refresh_grace_seconds));
    let token = body.refresh_token.trim().to_owned();
    let outcome = db
        .write(move |conn| sessions::refresh(conn, &keys, &token, grace))
        .await?;
    outcome.map(Reply::ok)
}

/// Revoke the login the refresh token belongs to. Answers 204 whatever the token.
#[utoipa::path(post, path = ep::Logout::PATH, tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Logged out"),
    (status = 400, description = "malformed body", body = ErrorBody),
))]
pub async fn logout(db: web::Data<Db>, call: In<ep::Logout>) -> Answer<ep::Logout> {
    let body = call.body;
    let token = body.refresh_token.trim().to_owned();
    db.write(move |conn| sessions::logout(conn, &token)).await?;
    Ok(Reply::done())
}

/// Create an account from an invite code (once, before it expires) and log in.
#[utoipa::path(post, path = ep::Redeem::PATH, tag = "auth", request_body = RedeemInviteRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, description = "invite_invalid or invalid_value", body = ErrorBody),
    (status = 409, description = "duplicate username", body = ErrorBody),
    (status = 429, description = "too_many_attempts (with Retry-After)", body = ErrorBody),
    (status = 503, description = "every password-hashing slot busy; retry after Retry-After", body = ErrorBody),
))]
pub async fn redeem(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    hasher: web::Data<Hasher>,
    settings: web::Data<Settings>,
    call: In<ep::Redeem>,
) -> Answer<ep::Redeem> {
    let body = call.body;
    let code_hash = invites::code_hash(&body.code);
    let limiter = Limiter::redeem(&settings, &code_hash, &client_addr(&req, &settings));
    // Limited first: a caller over the limit costs no validation and no hashing.
    let (attempt, usable) = {
        let code_hash = code_hash.clone();
        db.write(move |conn| {
            let attempt = limiter.begin(conn)?;
            Ok((attempt, invites::usable(conn, &code_hash)?.is_some()))
        })
        .await?
    };
    if !usable {
        attempt.failed();
        return Err(AppError::new(ErrorCode::InviteInvalid).field("code"));
    }
    let checked = match accounts::check(
        &body.username,
        &body.password,
        body.display_name.as_deref().unwrap_or_default(),
    ) {
        Ok(c) => c,
        Err(e) => {
            // A typo in a new password is no guess at a code.
            db.write(move |conn| attempt.abandoned(conn)).await?;
            return Err(e);
        }
    };
    let password_hash = match hasher.hash(body.password).await {
        Ok(h) => h,
        Err(busy) => {
            db.write(move |conn| attempt.abandoned(conn)).await?;
            return Err(busy);
        }
    };
    let keys = keys.into_inner();
    let token = db
        .write(move |conn| {
            let user = invites::redeem(conn, &code_hash, checked.with_hash(password_hash))?;
            attempt.succeeded(conn)?;
            sessions::issue(conn, &keys, &user)
        })
        .await?;
    Ok(Reply::ok(token))
}

/// The logged-in account.
#[utoipa::path(get, path = ep::Me::PATH, tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = ErrorBody),
))]
pub async fn me(user: AuthUser, db: web::Data<Db>, _: In<ep::Me>) -> Answer<ep::Me> {
    let row = db.read(move |conn| accounts::get(conn, &user.id)).await?;
    Ok(Reply::ok(row.me()))
}

/// Change one's own password; the current one is asked again. Clears a reset's demand for
/// a new password; this login stays.
#[utoipa::path(post, path = ep::ChangePassword::PATH, tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 204, description = "Changed"),
    (status = 400, description = "old_password wrong, or the new one breaks the password rules (field named)", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 503, description = "every password-hashing slot busy; retry after Retry-After", body = ErrorBody),
))]
pub async fn change_password(
    user: AuthUser,
    db: web::Data<Db>,
    hasher: web::Data<Hasher>,
    call: In<ep::ChangePassword>,
) -> Answer<ep::ChangePassword> {
    let body = call.body;
    flowwalk_shared::validate::password("new_password", &user.username, &body.new_password)?;
    let id = user.id.clone();
    let row = db.read(move |conn| accounts::get(conn, &id)).await?;
    if !hasher.verify(row.password_hash, body.old_password).await? {
        return Err(AppError::invalid(
            "old_password",
            "当前密码不正确",
            "The current password is wrong",
        ));
    }
    let hash = hasher.hash(body.new_password).await?;
    db.write(move |conn| accounts::set_password(conn, &user.id, &hash, None))
        .await?;
    Ok(Reply::done())
}
