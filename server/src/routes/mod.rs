//! The route table: every endpoint with its method, path and [`Access`], declared once in
//! [`declare`]. The same declaration registers the routes and lists them for the
//! endpoint × role test and the docs, so the three cannot drift apart.

pub mod assignments;
pub mod auth;
pub mod campaigns;
pub mod categories;
pub mod departments;
pub mod health;
pub mod invites;
pub mod issues;
pub mod notifications;
pub mod openapi;
pub mod photos;
pub mod questionnaires;
pub mod reports;
pub mod scenarios;
pub mod settings;
pub mod survey_pages;
pub mod sync;
pub mod users;
pub mod venues;
pub mod walkthroughs;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Responder, guard, web};

use crate::auth::Access;
use crate::auth::access::{
    ADMIN, ASSIGNMENT_READERS, MANAGERS, OBSERVERS, OFFICERS, PANEL, RECHECKERS, STAFF, check,
};

/// Those who record in the field (see `photos::access::UPLOADERS`).
const PHOTO_UPLOADERS: Access = Access::Roles(crate::photos::access::UPLOADERS);

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
    /// Compress the next endpoint's answers (see [`Routes::add_page`]).
    compress: bool,
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
            let resource = web::resource(path)
                .name(name)
                .guard(guard::Method(method.clone()))
                .wrap(from_fn(move |req, next| check(access, req, next)))
                .route(web::route().to(handler));
            if self.compress {
                cfg.service(resource.wrap(actix_web::middleware::Compress::default()));
            } else {
                cfg.service(resource);
            }
        }
        self.seen.push(Endpoint {
            name,
            method,
            path,
            access,
        });
    }

    /// Like [`Routes::add`], for a page citizens open on a phone over weak Wi-Fi: the answer
    /// is compressed when the browser accepts it.
    fn add_page<F, Args>(
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
        self.compress = true;
        self.add(name, method, path, access, handler);
        self.compress = false;
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

    r.add("health.live", Method::GET, "/healthz", Public, health::live);
    r.add(
        "health.ready",
        Method::GET,
        "/readyz",
        Public,
        health::ready,
    );

    r.add(
        "auth.login",
        Method::POST,
        p!("/auth/login"),
        Public,
        auth::login,
    );
    r.add(
        "auth.refresh",
        Method::POST,
        p!("/auth/refresh"),
        Public,
        auth::refresh,
    );
    r.add(
        "auth.logout",
        Method::POST,
        p!("/auth/logout"),
        Public,
        auth::logout,
    );
    r.add(
        "auth.redeem",
        Method::POST,
        p!("/auth/redeem"),
        Public,
        auth::redeem,
    );
    r.add(
        "auth.me",
        Method::GET,
        p!("/auth/me"),
        Authenticated,
        auth::me,
    );

    r.add("users.list", Method::GET, p!("/users"), STAFF, users::list);
    r.add(
        "users.create",
        Method::POST,
        p!("/users"),
        ADMIN,
        users::create,
    );

    r.add(
        "invites.list",
        Method::GET,
        p!("/invites"),
        STAFF,
        invites::list,
    );
    r.add(
        "invites.create",
        Method::POST,
        p!("/invites"),
        STAFF,
        invites::create,
    );

    r.add(
        "venues.list",
        Method::GET,
        p!("/venues"),
        Authenticated,
        venues::list,
    );
    r.add(
        "venues.get",
        Method::GET,
        p!("/venues/{id}"),
        Authenticated,
        venues::get,
    );
    r.add(
        "venues.create",
        Method::POST,
        p!("/venues"),
        STAFF,
        venues::create,
    );
    r.add(
        "venues.update",
        Method::PUT,
        p!("/venues/{id}"),
        STAFF,
        venues::update,
    );

    r.add(
        "departments.list",
        Method::GET,
        p!("/departments"),
        Authenticated,
        departments::list,
    );
    r.add(
        "departments.get",
        Method::GET,
        p!("/departments/{id}"),
        Authenticated,
        departments::get,
    );
    r.add(
        "departments.create",
        Method::POST,
        p!("/departments"),
        STAFF,
        departments::create,
    );
    r.add(
        "departments.update",
        Method::PUT,
        p!("/departments/{id}"),
        STAFF,
        departments::update,
    );

    r.add(
        "scenarios.list",
        Method::GET,
        p!("/scenarios"),
        Authenticated,
        scenarios::list,
    );
    r.add(
        "scenarios.get",
        Method::GET,
        p!("/scenarios/{id}"),
        Authenticated,
        scenarios::get,
    );
    r.add(
        "scenarios.versions",
        Method::GET,
        p!("/scenarios/{id}/versions"),
        Authenticated,
        scenarios::versions,
    );
    r.add(
        "scenarios.create",
        Method::POST,
        p!("/scenarios"),
        STAFF,
        scenarios::create,
    );
    r.add(
        "scenarios.update",
        Method::PUT,
        p!("/scenarios/{id}"),
        STAFF,
        scenarios::update,
    );

    r.add(
        "categories.list",
        Method::GET,
        p!("/categories"),
        Authenticated,
        categories::list,
    );
    r.add(
        "categories.create",
        Method::POST,
        p!("/categories"),
        STAFF,
        categories::create,
    );
    r.add(
        "categories.update",
        Method::PUT,
        p!("/categories/{id}"),
        STAFF,
        categories::update,
    );

    r.add(
        "assignments.list",
        Method::GET,
        p!("/assignments"),
        ASSIGNMENT_READERS,
        assignments::list,
    );
    r.add(
        "assignments.get",
        Method::GET,
        p!("/assignments/{id}"),
        ASSIGNMENT_READERS,
        assignments::get,
    );
    r.add(
        "assignments.create",
        Method::POST,
        p!("/assignments"),
        STAFF,
        assignments::create,
    );
    r.add(
        "photos.put",
        Method::PUT,
        p!("/photos/{sha256}"),
        PHOTO_UPLOADERS,
        photos::put,
    );
    r.add(
        "photos.meta",
        Method::GET,
        p!("/photos/{sha256}"),
        Authenticated,
        photos::meta,
    );
    r.add(
        "photos.display",
        Method::GET,
        p!("/photos/{sha256}/display"),
        Authenticated,
        photos::display,
    );
    r.add(
        "photos.thumb",
        Method::GET,
        p!("/photos/{sha256}/thumb"),
        Authenticated,
        photos::thumb,
    );
    r.add(
        "photos.original",
        Method::GET,
        p!("/photos/{sha256}/original"),
        STAFF,
        photos::original,
    );

    r.add(
        "sync.push",
        Method::POST,
        p!("/sync/push"),
        OBSERVERS,
        sync::push,
    );
    r.add(
        "sync.pull",
        Method::GET,
        p!("/sync/pull"),
        ASSIGNMENT_READERS,
        sync::pull,
    );
    r.add(
        "sync.conflicts",
        Method::GET,
        p!("/sync/conflicts"),
        STAFF,
        sync::conflicts,
    );

    r.add(
        "walkthroughs.list",
        Method::GET,
        p!("/walkthroughs"),
        STAFF,
        walkthroughs::list,
    );
    r.add(
        "walkthroughs.get",
        Method::GET,
        p!("/walkthroughs/{id}"),
        ASSIGNMENT_READERS,
        walkthroughs::get,
    );
    r.add(
        "walkthroughs.accept",
        Method::POST,
        p!("/walkthroughs/{id}/accept"),
        STAFF,
        walkthroughs::accept,
    );
    r.add(
        "walkthroughs.return",
        Method::POST,
        p!("/walkthroughs/{id}/return"),
        STAFF,
        walkthroughs::return_to_observer,
    );

    r.add(
        "assignments.update",
        Method::PUT,
        p!("/assignments/{id}"),
        STAFF,
        assignments::update,
    );
    // Citizen questionnaires: managers build questionnaires and run campaigns …
    r.add(
        "questionnaires.list",
        Method::GET,
        p!("/questionnaires"),
        STAFF,
        questionnaires::list,
    );
    r.add(
        "questionnaires.get",
        Method::GET,
        p!("/questionnaires/{id}"),
        STAFF,
        questionnaires::get,
    );
    r.add(
        "questionnaires.versions",
        Method::GET,
        p!("/questionnaires/{id}/versions"),
        STAFF,
        questionnaires::versions,
    );
    r.add(
        "questionnaires.create",
        Method::POST,
        p!("/questionnaires"),
        STAFF,
        questionnaires::create,
    );
    r.add(
        "questionnaires.update",
        Method::PUT,
        p!("/questionnaires/{id}"),
        STAFF,
        questionnaires::update,
    );
    r.add(
        "campaigns.list",
        Method::GET,
        p!("/campaigns"),
        STAFF,
        campaigns::list,
    );
    r.add(
        "campaigns.get",
        Method::GET,
        p!("/campaigns/{id}"),
        STAFF,
        campaigns::get,
    );
    r.add(
        "campaigns.create",
        Method::POST,
        p!("/campaigns"),
        STAFF,
        campaigns::create,
    );
    r.add(
        "campaigns.update",
        Method::PUT,
        p!("/campaigns/{id}"),
        STAFF,
        campaigns::update,
    );
    r.add(
        "campaigns.results",
        Method::GET,
        p!("/campaigns/{id}/results"),
        STAFF,
        campaigns::results,
    );
    r.add(
        "campaigns.keyword_answers",
        Method::GET,
        p!("/campaigns/{id}/keyword-answers"),
        STAFF,
        campaigns::keyword_answers,
    );
    r.add(
        "campaigns.export",
        Method::GET,
        p!("/campaigns/{id}/export"),
        STAFF,
        campaigns::export,
    );
    r.add(
        "campaigns.publish",
        Method::POST,
        p!("/campaigns/{id}/publish"),
        STAFF,
        campaigns::publish,
    );
    r.add(
        "campaigns.unpublish",
        Method::POST,
        p!("/campaigns/{id}/unpublish"),
        STAFF,
        campaigns::unpublish,
    );
    r.add(
        "campaigns.import",
        Method::POST,
        p!("/campaigns/{id}/import"),
        STAFF,
        campaigns::import,
    );
    r.add(
        "candidates.list",
        Method::GET,
        p!("/campaigns/{id}/candidates"),
        STAFF,
        campaigns::list_candidates,
    );
    r.add(
        "candidates.create",
        Method::POST,
        p!("/campaigns/{id}/candidates"),
        STAFF,
        campaigns::create_candidate,
    );
    r.add(
        "candidates.issue",
        Method::POST,
        p!("/candidates/{id}/issue"),
        MANAGERS,
        campaigns::candidate_to_issue,
    );
    // … and citizens answer with no account, on server-rendered pages.
    r.add_page(
        "survey.form",
        Method::GET,
        "/q/{campaign}/{venue}",
        Public,
        survey_pages::form_page,
    );
    r.add_page(
        "survey.submit",
        Method::POST,
        "/q/{campaign}/{venue}",
        Public,
        survey_pages::submit,
    );
    r.add_page(
        "survey.thanks",
        Method::GET,
        "/q/{campaign}/{venue}/thanks",
        Public,
        survey_pages::thanks,
    );
    r.add_page(
        "survey.qr",
        Method::GET,
        "/q/{campaign}/{venue}/qr.svg",
        Public,
        survey_pages::qr,
    );
    r.add_page(
        "survey.poster",
        Method::GET,
        "/q/{campaign}/{venue}/poster",
        Public,
        survey_pages::poster,
    );
    r.add_page(
        "survey.results",
        Method::GET,
        "/r/{campaign}",
        Public,
        survey_pages::results,
    );

    r.add(
        "walkthroughs.feedback",
        Method::GET,
        p!("/walkthroughs/{id}/feedback"),
        ASSIGNMENT_READERS,
        walkthroughs::feedback,
    );

    // Issues: the list, one issue, and one endpoint per workflow step (the workflow table
    // in `domain::workflow` decides what each caller may do in each state).
    r.add(
        "issues.list",
        Method::GET,
        p!("/issues"),
        Authenticated,
        issues::list,
    );
    r.add(
        "issues.import",
        Method::POST,
        p!("/issues/import"),
        MANAGERS,
        issues::import_reviews,
    );
    r.add(
        "issues.triage_bulk",
        Method::POST,
        p!("/issues/triage"),
        MANAGERS,
        issues::triage_bulk,
    );
    r.add(
        "issues.get",
        Method::GET,
        p!("/issues/{id}"),
        Authenticated,
        issues::get,
    );
    r.add(
        "issues.triage",
        Method::POST,
        p!("/issues/{id}/triage"),
        MANAGERS,
        issues::triage,
    );
    r.add(
        "issues.appeal",
        Method::POST,
        p!("/issues/{id}/appeal"),
        OBSERVERS,
        issues::appeal,
    );
    r.add(
        "issues.evidence",
        Method::POST,
        p!("/issues/{id}/evidence"),
        OFFICERS,
        issues::evidence,
    );
    r.add(
        "issues.transfer_request",
        Method::POST,
        p!("/issues/{id}/transfer-request"),
        OFFICERS,
        issues::transfer_request,
    );
    r.add(
        "issues.transfer",
        Method::POST,
        p!("/issues/{id}/transfer"),
        MANAGERS,
        issues::transfer,
    );
    r.add(
        "issues.acceptance",
        Method::POST,
        p!("/issues/{id}/acceptance"),
        MANAGERS,
        issues::acceptance,
    );
    r.add(
        "issues.panel",
        Method::PUT,
        p!("/issues/{id}/panel"),
        MANAGERS,
        issues::panel,
    );
    r.add(
        "issues.vote",
        Method::POST,
        p!("/issues/{id}/votes"),
        PANEL,
        issues::vote,
    );
    r.add(
        "issues.recheck",
        Method::POST,
        p!("/issues/{id}/recheck"),
        RECHECKERS,
        issues::recheck,
    );

    r.add(
        "reports.get",
        Method::GET,
        p!("/reports"),
        STAFF,
        reports::get,
    );
    r.add(
        "reports.export",
        Method::GET,
        p!("/reports/export"),
        STAFF,
        reports::export,
    );
    r.add(
        "dashboard.get",
        Method::GET,
        p!("/dashboard"),
        STAFF,
        reports::dashboard,
    );

    r.add(
        "calendar.get",
        Method::GET,
        p!("/calendar"),
        Authenticated,
        settings::get_calendar,
    );
    r.add(
        "calendar.update",
        Method::PUT,
        p!("/calendar"),
        ADMIN,
        settings::put_calendar,
    );
    r.add(
        "panel_rule.get",
        Method::GET,
        p!("/panel-rule"),
        Authenticated,
        settings::get_panel_rule,
    );
    r.add(
        "panel_rule.update",
        Method::PUT,
        p!("/panel-rule"),
        ADMIN,
        settings::put_panel_rule,
    );
    r.add(
        "category_departments.list",
        Method::GET,
        p!("/category-departments"),
        STAFF,
        settings::list_routes,
    );
    r.add(
        "category_departments.update",
        Method::PUT,
        p!("/category-departments/{category_id}"),
        STAFF,
        settings::put_route,
    );

    r.add(
        "notifications.list",
        Method::GET,
        p!("/notifications"),
        Authenticated,
        notifications::list,
    );
    r.add(
        "notifications.read",
        Method::POST,
        p!("/notifications/read"),
        Authenticated,
        notifications::mark_read,
    );
}

/// Registers every endpoint on the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    declare(&mut Routes {
        cfg: Some(cfg),
        seen: Vec::new(),
        compress: false,
    });
}

/// Every endpoint, as registered.
pub fn endpoints() -> Vec<Endpoint> {
    let mut r = Routes {
        cfg: None,
        seen: Vec::new(),
        compress: false,
    };
    declare(&mut r);
    r.seen
}
