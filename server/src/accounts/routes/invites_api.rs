//! Invite codes for volunteer enrollment: a manager issues one, a phone redeems it.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::ErrorBody;
use flowwalk_shared::api::auth::{CreateInviteRequest, Invite, InviteCreated};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::invites as ep;

use crate::accounts::service::invites;
use crate::auth::AuthUser;
use crate::db::Db;

/// Invites issued so far (codes are not shown again).
#[utoipa::path(get, path = ep::List::PATH, tag = "invites", security(("bearer" = [])), responses((status = 200, body = [Invite])))]
pub async fn list(db: web::Data<Db>, _: In<ep::List>) -> Answer<ep::List> {
    let list = db.read(invites::list).await?;
    Ok(Reply::ok(
        list.into_iter()
            .map(Invite::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

/// Issue a single-use invite code with a fixed role and scope.
#[utoipa::path(post, path = ep::Create::PATH, tag = "invites", security(("bearer" = [])), request_body = CreateInviteRequest, responses(
    (status = 201, body = InviteCreated),
    (status = 400, body = ErrorBody),
    (status = 403, description = "managers may not invite admins or managers", body = ErrorBody),
    (status = 422, description = "unknown department or assignment", body = ErrorBody),
))]
pub async fn create(user: AuthUser, db: web::Data<Db>, call: In<ep::Create>) -> Answer<ep::Create> {
    let body = call.body;
    invites::check(user.role, &body)?;
    let (code, row) = db
        .write(move |conn| invites::issue(conn, user.role, &user.id, &body))
        .await?;
    Ok(Reply::created(InviteCreated {
        code,
        invite: Invite::try_from(row)?,
    }))
}
