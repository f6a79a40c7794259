//! The caller's in-app notifications, newest first, and marking them read.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::api::reports::NotificationQuery;
use flowwalk_shared::api::reports::{MarkReadRequest, MarkReadResponse, NotificationPage};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::notifications as ep;
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::{Db, cursor};
use crate::error::AppError;
use crate::issues::service::notify;

fn bad_cursor() -> AppError {
    AppError::new(ErrorCode::InvalidQuery).field("cursor")
}

#[utoipa::path(get, path = ep::List::PATH, tag = "notifications", security(("bearer" = [])), params(NotificationQuery), responses(
    (status = 200, body = NotificationPage), (status = 400, body = ErrorBody)))]
pub async fn list(user: AuthUser, db: web::Data<Db>, call: In<ep::List>) -> Answer<ep::List> {
    let q = call.query;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::new(ErrorCode::InvalidQuery).field("limit"));
    }
    let before = match &q.cursor {
        Some(c) => {
            let parts = cursor::decode(c, 2).ok_or_else(bad_cursor)?;
            let [at, id] = <[String; 2]>::try_from(parts).map_err(|_| bad_cursor())?;
            Some((cursor::parse_time(&at).ok_or_else(bad_cursor)?, id))
        }
        None => None,
    };
    let unread_only = q.unread.unwrap_or(false);
    Ok(Reply::ok(
        db.read(move |conn| notify::page(conn, &user.id, unread_only, before, limit))
            .await?,
    ))
}

/// Marks the given notifications (or, with no ids, all) of the caller read.
#[utoipa::path(post, path = ep::Read::PATH, tag = "notifications", security(("bearer" = [])), request_body = MarkReadRequest, responses(
    (status = 200, body = MarkReadResponse)))]
pub async fn mark_read(user: AuthUser, db: web::Data<Db>, call: In<ep::Read>) -> Answer<ep::Read> {
    let body = call.body;
    if body.ids.len() > 500 {
        return Err(AppError::invalid(
            "ids",
            "一次最多 500 条",
            "At most 500 at a time",
        ));
    }
    let n = db
        .write(move |conn| notify::mark_read(conn, &user.id, &body.ids))
        .await?;
    Ok(Reply::ok(MarkReadResponse {
        marked: i64::try_from(n).unwrap_or(i64::MAX),
    }))
}
