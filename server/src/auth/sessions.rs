//! Logins and their refresh-token families: issuing a pair, rotating it, revoking it.
//!
//! A refresh token is spent by the request that reaches the server. On a weak signal its
//! answer is often lost and the phone sends the same token again; within the grace
//! period (`refresh_grace_seconds`, 60 s by default) that retry is answered with the very
//! same new pair, so the volunteer stays logged in. After the grace period, a spent token
//! presented again is reuse — a stolen copy — and revokes every token of that login.

use chrono::{Duration, NaiveDateTime};
use flowwalk_shared::ErrorCode;
use flowwalk_shared::api::auth::TokenResponse;

use super::tokens::{self, Claims, TokenKeys};
use crate::accounts::store::refresh_token_rows::{self, RefreshTokenRow};
use crate::accounts::store::user_rows::{self, UserRow};
use crate::db::DbConnection;
use crate::error::AppError;

/// A refresh answer: the outer `Result` rolls the transaction back, the inner one is an
/// answer whose writes must commit (a revoked family stays revoked).
pub type Answer = Result<TokenResponse, AppError>;

/// A new login: a new family with a random refresh token.
pub fn issue(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user: &UserRow,
) -> Result<TokenResponse, AppError> {
    let now = crate::db::rows::now();
    let refresh = tokens::random_token();
    store(
        conn,
        keys,
        user,
        &crate::db::rows::new_id(),
        crate::db::rows::new_id(),
        &refresh,
        now,
    )?;
    respond(keys, user, refresh, now, now)
}

/// Stores refresh token `token` as row `id` of `family`.
fn store(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    user: &UserRow,
    id: &str,
    family: String,
    token: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    refresh_token_rows::insert(
        conn,
        &RefreshTokenRow {
            id: id.to_owned(),
            user_id: user.id.clone(),
            family_id: family,
            token_hash: tokens::digest(token),
            expires_at: now + Duration::seconds(keys.refresh_ttl_secs),
            used_at: None,
            revoked_at: None,
            created_at: now,
            replaced_by: None,
        },
    )?;
    Ok(())
}

/// The answer for a pair issued at `issued_at`: the access token is signed over claims
/// fixed by that moment, so the same pair can be given again.
fn respond(
    keys: &TokenKeys,
    user: &UserRow,
    refresh: String,
    issued_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<TokenResponse, AppError> {
    let iat = issued_at.and_utc().timestamp();
    let exp = iat + keys.access_ttl_secs;
    let access = keys.issue(&Claims {
        sub: user.id.clone(),
        name: user.username.clone(),
        role: user.role,
        dept: user.department_id.clone(),
        iat,
        exp,
    })?;
    let refresh_exp = iat + keys.refresh_ttl_secs;
    let left = |until: i64| u64::try_from(until - now.and_utc().timestamp()).unwrap_or(0);
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: left(exp),
        refresh_token: refresh,
        refresh_expires_in: left(refresh_exp),
        user: user.me(),
    })
}

/// Trades `token` for the next pair of its family (see the module doc).
pub fn refresh(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    token: &str,
    grace: Duration,
) -> Result<Answer, AppError> {
    let now = crate::db::rows::now();
    let hash = tokens::digest(token);
    let invalid = || AppError::new(ErrorCode::RefreshTokenInvalid);
    let Some(row) = refresh_token_rows::find(conn, &hash)? else {
        return Ok(Err(invalid()));
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(Err(invalid()));
    }
    let candidates = keys.successors(token);
    let Some(next) = candidates.first() else {
        return Err(AppError::internal(anyhow::anyhow!("no refresh-token key")));
    };
    let next_id = crate::db::rows::new_id();
    if refresh_token_rows::claim(conn, &hash, &next_id, now)? {
        let user = user_rows::get(conn, &row.user_id)?;
        if !user.active {
            refresh_token_rows::revoke_family(conn, &row.family_id, now)?;
            return Ok(Err(AppError::new(ErrorCode::AccountDisabled)));
        }
        store(conn, keys, &user, &next_id, row.family_id, next, now)?;
        return respond(keys, &user, next.clone(), now, now).map(Ok);
    }
    // Spent already (by this very phone, whose answer was lost, or by a thief).
    let Some(row) = refresh_token_rows::find(conn, &hash)? else {
        return Ok(Err(invalid()));
    };
    if let Some(answer) = again(conn, keys, &row, &candidates, grace, now)? {
        tracing::info!(family = %row.family_id, "refresh token presented again within the grace period; same pair answered");
        return Ok(Ok(answer));
    }
    refresh_token_rows::revoke_family(conn, &row.family_id, now)?;
    tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
    Ok(Err(AppError::new(ErrorCode::RefreshTokenReused)))
}

/// The pair `row` was replaced by, if it was spent within `grace` and its successor is
/// still untouched.
fn again(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    row: &RefreshTokenRow,
    candidates: &[String],
    grace: Duration,
    now: NaiveDateTime,
) -> Result<Option<TokenResponse>, AppError> {
    let (Some(used_at), Some(next_id)) = (row.used_at, &row.replaced_by) else {
        return Ok(None);
    };
    if row.revoked_at.is_some() || now - used_at > grace {
        return Ok(None);
    }
    let Some(next) = refresh_token_rows::get(conn, next_id)? else {
        return Ok(None);
    };
    if next.used_at.is_some() || next.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(token) = candidates
        .iter()
        .find(|c| tokens::digest(c) == next.token_hash)
    else {
        return Ok(None);
    };
    let user = user_rows::get(conn, &row.user_id)?;
    if !user.active {
        return Ok(None);
    }
    respond(keys, &user, token.clone(), next.created_at, now).map(Some)
}

/// Revokes the login `token` belongs to, if any.
pub fn logout(conn: &mut DbConnection, token: &str) -> Result<(), AppError> {
    if let Some(row) = refresh_token_rows::find(conn, &tokens::digest(token))? {
        refresh_token_rows::revoke_family(conn, &row.family_id, crate::db::rows::now())?;
    }
    Ok(())
}
