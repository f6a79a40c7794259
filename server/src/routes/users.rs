//! Accounts: admins create them; staff list them (to pick observers).

use actix_web::{HttpResponse, web};
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::users::{CreateUserRequest, User};

use crate::auth::password::Hasher;
use crate::db::Db;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::models::users;
use crate::users as accounts;

/// All accounts (never their password hashes).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), responses((status = 200, body = [User])))]
pub async fn list(db: web::Data<Db>) -> Result<web::Json<Vec<User>>, AppError> {
    let rows = db.read(|conn| Ok(users::list(conn)?)).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, body = User),
    (status = 400, body = ErrorBody),
    (status = 409, description = "duplicate username", body = ErrorBody),
))]
pub async fn create(
    db: web::Data<Db>,
    hasher: web::Data<Hasher>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<HttpResponse, AppError> {
    let checked = accounts::check(
        &body.username,
        &body.password,
        body.display_name.as_deref().unwrap_or_default(),
    )?;
    let account = checked.with_hash(hasher.hash(body.password).await?);
    let row = db
        .write(move |conn| accounts::insert(conn, account, body.role, body.department_id))
        .await?;
    Ok(HttpResponse::Created().json(User::try_from(row)?))
}
