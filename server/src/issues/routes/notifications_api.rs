//! The caller's in-app notifications, newest first, and marking them read.

use crate::http::contract::{Answer, In, Reply};
use actix_web::web;
use flowwalk_shared::api::reports::NotificationQuery;
use flowwalk_shared::api::reports::{
    MarkReadRequest, MarkReadResponse, Notification, NotificationPage,
};
use flowwalk_shared::endpoint::Endpoint;
use flowwalk_shared::endpoints::notifications as ep;
use flowwalk_shared::{ErrorBody, ErrorCode};

use crate::auth::AuthUser;
use crate::db::{Db, cursor};
use crate::error::AppError;
use crate::issues::store::notification_rows;

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
        db.read(move |conn| {
            let mut rows = notification_rows::list(conn, &user.id, unread_only, before, limit + 1)?;
            let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            let next_cursor = more
                .then(|| {
                    rows.last()
                        .map(|r| cursor::encode(&[&cursor::time(r.created_at), &r.id]))
                })
                .flatten();
            let items = rows
                .into_iter()
                .map(|r| Notification {
                    kind: r.kind,
                    id: r.id,
                    issue_id: r.issue_id,
                    walkthrough_id: r.walkthrough_id,
                    assignment_id: r.assignment_id,
                    message: r.message,
                    created_at: r.created_at,
                    read: r.read_at.is_some(),
                })
                .collect();
            Ok(NotificationPage {
                unread: notification_rows::unread_count(conn, &user.id)?,
                items,
                next_cursor,
            })
        })
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
        .write(move |conn| {
            Ok(notification_rows::mark_read(
                conn,
                &user.id,
                &body.ids,
                crate::db::rows::now(),
            )?)
        })
        .await?;
    Ok(Reply::ok(MarkReadResponse {
        marked: i64::try_from(n).unwrap_or(i64::MAX),
    }))
}
