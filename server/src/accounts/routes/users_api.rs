//! Accounts: admins create them; staff list them (to pick observers).

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::users::{CreateUserRequest, PasswordReset, UpdateUserRequest, User};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::IdPath;
use flowwalk_shared::endpoints::users as ep;

use crate::accounts::service::users as accounts;
use crate::auth::AuthUser;
use crate::auth::password::Hasher;
use crate::db::Db;
use crate::issues::service::AuditKey;
use crate::issues::service::audit::Acting;

/// All accounts (never their password hashes).
#[utoipa::path(get, path = ep::List::PATH, tag = "users", security(("bearer" = [])), responses((status = 200, body = [User])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let rows = db.read(accounts::list).await?;
    Ok(Reply::ok(rows.into_iter().map(User::from).collect()))
}

/// Create an account.
#[utoipa::path(post, path = ep::Create::PATH, tag = "users", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, body = User),
    (status = 400, body = ErrorBody),
    (status = 409, description = "duplicate username", body = ErrorBody),
))]
pub async fn create(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    hasher: web::Data<Hasher>,
    call: In<ep::Create>,
) -> Answer<ep::Create> {
    let body = call.body;
    let checked = accounts::check(
        &body.username,
        &body.password,
        body.display_name.as_deref().unwrap_or_default(),
    )?;
    let account = checked.with_hash(hasher.hash(body.password).await?);
    let row = db
        .write(move |conn| {
            let by = Acting::user(&key, &user);
            accounts::create(conn, &by, account, body.role, body.department_id)
        })
        .await?;
    Ok(Reply::created(User::from(row)))
}

/// Edit an account: display name, role, department, and `active`. Deactivating refuses
/// its tokens and logins from that moment (its records stay); reactivating lets it log in
/// again. The last active admin cannot be deactivated or lose the role.
#[utoipa::path(put, path = ep::Update::PATH, tag = "users", security(("bearer" = [])), params(IdPath), request_body = UpdateUserRequest, responses(
    (status = 200, body = User),
    (status = 400, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, description = "last_admin", body = ErrorBody),
    (status = 422, description = "unknown department", body = ErrorBody),
))]
pub async fn update(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    call: In<ep::Update>,
) -> Answer<ep::Update> {
    let (id, body) = (call.path.id, call.body);
    let row = db
        .write(move |conn| accounts::update(conn, &Acting::user(&key, &user), &id, &body))
        .await?;
    Ok(Reply::ok(User::from(row)))
}

/// Reset an account's password: a one-time password, shown once in the answer. The
/// account's logins end, and it must set a new password at its next login.
#[utoipa::path(post, path = ep::ResetPassword::PATH, tag = "users", security(("bearer" = [])), params(IdPath), responses(
    (status = 200, body = PasswordReset),
    (status = 404, body = ErrorBody),
    (status = 503, description = "every password-hashing slot busy; retry after Retry-After", body = ErrorBody),
))]
pub async fn reset_password(
    user: AuthUser,
    key: web::Data<AuditKey>,
    db: web::Data<Db>,
    hasher: web::Data<Hasher>,
    call: In<ep::ResetPassword>,
) -> Answer<ep::ResetPassword> {
    let id = call.path.id;
    let one_time_password = crate::auth::tokens::one_time_password();
    let hash = hasher.hash(one_time_password.clone()).await?;
    db.write(move |conn| {
        accounts::set_password(conn, &id, &hash, Some(&Acting::user(&key, &user)))
    })
    .await?;
    Ok(Reply::ok(PasswordReset { one_time_password }))
}
