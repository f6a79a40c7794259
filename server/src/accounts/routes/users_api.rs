//! Accounts: admins create them; staff list them (to pick observers).

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::users::{CreateUserRequest, User};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::users as ep;

use crate::accounts::service::users as accounts;
use crate::auth::password::Hasher;
use crate::db::Db;

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
        .write(move |conn| accounts::insert(conn, account, body.role, body.department_id))
        .await?;
    Ok(Reply::created(User::from(row)))
}
