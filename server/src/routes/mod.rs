//! The route table: every endpoint with its method, path and [`Access`], declared once in
//! [`declare`]. The same declaration registers the routes and lists them for the
//! endpoint × role test and the docs, so the three cannot drift apart.

pub mod assignments;
pub mod auth;
pub mod categories;
pub mod departments;
pub mod health;
pub mod invites;
pub mod openapi;
pub mod scenarios;
pub mod users;
pub mod venues;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Responder, guard, web};

use crate::auth::Access;
use crate::auth::access::{ADMIN, ASSIGNMENT_READERS, STAFF, check};

/// One endpoint as declared.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `resource.action`, stable: tests key their fixtures on it.
    pub name: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Registers routes, or only records them.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    seen: Vec<Endpoint>,
}

impl Routes<'_> {
    fn add<F, Args>(
        &mut self,
        name: &'static str,
        method: Method,
        path: &'static str,
        access: Access,
        handler: F,
    ) where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.service(
                web::resource(path)
                    .name(name)
                    .guard(guard::Method(method.clone()))
                    .wrap(from_fn(move |req, next| check(access, req, next)))
                    .route(web::route().to(handler)),
            );
        }
        self.seen.push(Endpoint {
            name,
            method,
            path,
            access,
        });
    }
}

macro_rules! p {
    ($s:literal) => {
        concat!("/api/v1", $s)
    };
}

/// Every endpoint of the API, in one place.
fn declare(r: &mut Routes<'_>) {
    use Access::{Authenticated, Public};
    let (get, post, put) = (Method::GET, Method::POST, Method::PUT);

    r.add("health.live", get.clone(), "/healthz", Public, health::live);
    r.add(
        "health.ready",
        get.clone(),
        "/readyz",
        Public,
        health::ready,
    );

    r.add(
        "auth.login",
        post.clone(),
        p!("/auth/login"),
        Public,
        auth::login,
    );
    r.add(
        "auth.refresh",
        post.clone(),
        p!("/auth/refresh"),
        Public,
        auth::refresh,
    );
    r.add(
        "auth.logout",
        post.clone(),
        p!("/auth/logout"),
        Public,
        auth::logout,
    );
    r.add(
        "auth.redeem",
        post.clone(),
        p!("/auth/redeem"),
        Public,
        auth::redeem,
    );
    r.add(
        "auth.me",
        get.clone(),
        p!("/auth/me"),
        Authenticated,
        auth::me,
    );

    r.add("users.list", get.clone(), p!("/users"), STAFF, users::list);
    r.add(
        "users.create",
        post.clone(),
        p!("/users"),
        ADMIN,
        users::create,
    );

    r.add(
        "invites.list",
        get.clone(),
        p!("/invites"),
        STAFF,
        invites::list,
    );
    r.add(
        "invites.create",
        post.clone(),
        p!("/invites"),
        STAFF,
        invites::create,
    );

    r.add(
        "venues.list",
        get.clone(),
        p!("/venues"),
        Authenticated,
        venues::list,
    );
    r.add(
        "venues.get",
        get.clone(),
        p!("/venues/{id}"),
        Authenticated,
        venues::get,
    );
    r.add(
        "venues.create",
        post.clone(),
        p!("/venues"),
        STAFF,
        venues::create,
    );
    r.add(
        "venues.update",
        put.clone(),
        p!("/venues/{id}"),
        STAFF,
        venues::update,
    );

    r.add(
        "departments.list",
        get.clone(),
        p!("/departments"),
        Authenticated,
        departments::list,
    );
    r.add(
        "departments.get",
        get.clone(),
        p!("/departments/{id}"),
        Authenticated,
        departments::get,
    );
    r.add(
        "departments.create",
        post.clone(),
        p!("/departments"),
        STAFF,
        departments::create,
    );
    r.add(
        "departments.update",
        put.clone(),
        p!("/departments/{id}"),
        STAFF,
        departments::update,
    );

    r.add(
        "scenarios.list",
        get.clone(),
        p!("/scenarios"),
        Authenticated,
        scenarios::list,
    );
    r.add(
        "scenarios.get",
        get.clone(),
        p!("/scenarios/{id}"),
        Authenticated,
        scenarios::get,
    );
    r.add(
        "scenarios.versions",
        get.clone(),
        p!("/scenarios/{id}/versions"),
        Authenticated,
        scenarios::versions,
    );
    r.add(
        "scenarios.create",
        post.clone(),
        p!("/scenarios"),
        STAFF,
        scenarios::create,
    );
    r.add(
        "scenarios.update",
        put.clone(),
        p!("/scenarios/{id}"),
        STAFF,
        scenarios::update,
    );

    r.add(
        "categories.list",
        get.clone(),
        p!("/categories"),
        Authenticated,
        categories::list,
    );
    r.add(
        "categories.create",
        post.clone(),
        p!("/categories"),
        STAFF,
        categories::create,
    );
    r.add(
        "categories.update",
        put.clone(),
        p!("/categories/{id}"),
        STAFF,
        categories::update,
    );

    r.add(
        "assignments.list",
        get.clone(),
        p!("/assignments"),
        ASSIGNMENT_READERS,
        assignments::list,
    );
    r.add(
        "assignments.get",
        get,
        p!("/assignments/{id}"),
        ASSIGNMENT_READERS,
        assignments::get,
    );
    r.add(
        "assignments.create",
        post,
        p!("/assignments"),
        STAFF,
        assignments::create,
    );
    r.add(
        "assignments.update",
        put,
        p!("/assignments/{id}"),
        STAFF,
        assignments::update,
    );
}

/// Registers every endpoint on the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    declare(&mut Routes {
        cfg: Some(cfg),
        seen: Vec::new(),
    });
}

/// Every endpoint, as registered.
pub fn endpoints() -> Vec<Endpoint> {
    let mut r = Routes {
        cfg: None,
        seen: Vec::new(),
    };
    declare(&mut r);
    r.seen
}
