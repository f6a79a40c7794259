//! The route table: every endpoint with its method, path and [`Access`], declared once in
//! [`declare`]. The same declaration registers the routes and lists them for the
//! endpoint × role test and the docs, so the three cannot drift apart.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, guard, web};
use flowwalk_shared::endpoint::{Endpoint as Declared, Method as DeclaredMethod};
use flowwalk_shared::endpoints as ep;

use crate::accounts::routes::{invites_api, login_api, users_api};
use crate::auth::Access;
use crate::auth::access::{
    ADMIN, ASSIGNMENT_READERS, MANAGERS, OBSERVERS, OFFICERS, PANEL, RECHECKERS, STAFF, check,
};
use crate::http::contract::{Answer, ServerBody, Takes};
use crate::http::health;
use crate::issues::routes::{issues_api, notifications_api, reports_api};
use crate::photos::routes as photos;
use crate::reference::routes::{
    categories_api, departments_api, scenarios_api, settings_api, venues_api,
};
use crate::surveys::routes::{campaigns_api, citizen_api, questionnaires_api};
use crate::walkthroughs::routes::{assignments_api, review_api, sync_api};

/// Those who record in the field (see `photos::photo_access::UPLOADERS`).
const PHOTO_UPLOADERS: Access = Access::Roles(crate::photos::photo_access::UPLOADERS);

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
    fn add<E, F, Args>(&mut self, _: E, access: Access, handler: F)
    where
        E: Declared,
        E::Body: ServerBody,
        F: Handler<Args, Output = Answer<E>>,
        Args: FromRequest + Takes<E> + 'static,
    {
        let method = match E::METHOD {
            DeclaredMethod::Get => Method::GET,
            DeclaredMethod::Post => Method::POST,
            DeclaredMethod::Put => Method::PUT,
            DeclaredMethod::Delete => Method::DELETE,
        };
        if let Some(cfg) = self.cfg.as_deref_mut() {
            let resource = web::resource(E::PATH)
                .name(E::NAME)
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
            name: E::NAME,
            method,
            path: E::PATH,
            access,
        });
    }

    /// Like [`Routes::add`], for a page citizens open on a phone over weak Wi-Fi: the answer
    /// is compressed when the browser accepts it.
    fn add_page<E, F, Args>(&mut self, endpoint: E, access: Access, handler: F)
    where
        E: Declared,
        E::Body: ServerBody,
        F: Handler<Args, Output = Answer<E>>,
        Args: FromRequest + Takes<E> + 'static,
    {
        self.compress = true;
        self.add(endpoint, access, handler);
        self.compress = false;
    }
}

/// Every endpoint of the API, in one place: its declaration (`flowwalk_shared::endpoints`),
/// who may call it, and its handler. The handler's argument list must end with the
/// declaration's `In<E>` and it must answer `Reply<E::Answer>`, or this does not compile.
fn declare(r: &mut Routes<'_>) {
    use Access::{Authenticated, Own, Public};

    r.add(ep::health::Live, Public, health::live);
    r.add(ep::health::Ready, Public, health::ready);
    r.add(ep::auth::Login, Public, login_api::login);
    r.add(ep::auth::Refresh, Public, login_api::refresh);
    r.add(ep::auth::Logout, Public, login_api::logout);
    r.add(ep::auth::Redeem, Public, login_api::redeem);
    r.add(ep::auth::Me, Own, login_api::me);
    r.add(ep::auth::ChangePassword, Own, login_api::change_password);
    r.add(ep::users::List, STAFF, users_api::list);
    r.add(ep::users::Create, ADMIN, users_api::create);
    r.add(ep::users::Update, ADMIN, users_api::update);
    r.add(ep::users::ResetPassword, ADMIN, users_api::reset_password);
    r.add(ep::invites::List, STAFF, invites_api::list);
    r.add(ep::invites::Create, STAFF, invites_api::create);
    r.add(ep::venues::List, Authenticated, venues_api::list);
    r.add(ep::venues::Get, Authenticated, venues_api::get);
    r.add(ep::venues::Create, STAFF, venues_api::create);
    r.add(ep::venues::Update, STAFF, venues_api::update);
    r.add(ep::departments::List, Authenticated, departments_api::list);
    r.add(ep::departments::Get, Authenticated, departments_api::get);
    r.add(ep::departments::Create, STAFF, departments_api::create);
    r.add(ep::departments::Update, STAFF, departments_api::update);
    r.add(ep::scenarios::List, Authenticated, scenarios_api::list);
    r.add(ep::scenarios::Get, Authenticated, scenarios_api::get);
    r.add(
        ep::scenarios::Versions,
        Authenticated,
        scenarios_api::versions,
    );
    r.add(ep::scenarios::Create, STAFF, scenarios_api::create);
    r.add(ep::scenarios::Update, STAFF, scenarios_api::update);
    r.add(ep::categories::List, Authenticated, categories_api::list);
    r.add(ep::categories::Create, STAFF, categories_api::create);
    r.add(ep::categories::Update, STAFF, categories_api::update);
    r.add(
        ep::assignments::List,
        ASSIGNMENT_READERS,
        assignments_api::list,
    );
    r.add(
        ep::assignments::Get,
        ASSIGNMENT_READERS,
        assignments_api::get,
    );
    r.add(ep::assignments::Create, STAFF, assignments_api::create);
    r.add(ep::photos::Put, PHOTO_UPLOADERS, photos::put);
    r.add(ep::photos::Meta, Authenticated, photos::meta);
    r.add(ep::photos::Display, Authenticated, photos::display);
    r.add(ep::photos::Thumb, Authenticated, photos::thumb);
    r.add(ep::photos::Original, STAFF, photos::original);
    r.add(ep::sync::Push, OBSERVERS, sync_api::push);
    r.add(ep::sync::Pull, ASSIGNMENT_READERS, sync_api::pull);
    r.add(ep::sync::Conflicts, STAFF, sync_api::conflicts);
    r.add(ep::walkthroughs::List, STAFF, review_api::list);
    r.add(ep::walkthroughs::Get, ASSIGNMENT_READERS, review_api::get);
    r.add(ep::walkthroughs::Accept, STAFF, review_api::accept);
    r.add(
        ep::walkthroughs::Return,
        STAFF,
        review_api::return_to_observer,
    );
    r.add(ep::assignments::Update, STAFF, assignments_api::update);
    r.add(ep::questionnaires::List, STAFF, questionnaires_api::list);
    r.add(ep::questionnaires::Get, STAFF, questionnaires_api::get);
    r.add(
        ep::questionnaires::Versions,
        STAFF,
        questionnaires_api::versions,
    );
    r.add(
        ep::questionnaires::Create,
        STAFF,
        questionnaires_api::create,
    );
    r.add(
        ep::questionnaires::Update,
        STAFF,
        questionnaires_api::update,
    );
    r.add(ep::campaigns::List, STAFF, campaigns_api::list);
    r.add(ep::campaigns::Get, STAFF, campaigns_api::get);
    r.add(ep::campaigns::Create, STAFF, campaigns_api::create);
    r.add(ep::campaigns::Update, STAFF, campaigns_api::update);
    r.add(ep::campaigns::Results, STAFF, campaigns_api::results);
    r.add(
        ep::campaigns::KeywordAnswers,
        STAFF,
        campaigns_api::keyword_answers,
    );
    r.add(ep::campaigns::Export, STAFF, campaigns_api::export);
    r.add(ep::campaigns::Publish, STAFF, campaigns_api::publish);
    r.add(ep::campaigns::Unpublish, STAFF, campaigns_api::unpublish);
    r.add(ep::campaigns::Import, STAFF, campaigns_api::import);
    r.add(ep::candidates::List, STAFF, campaigns_api::list_candidates);
    r.add(
        ep::candidates::Create,
        STAFF,
        campaigns_api::create_candidate,
    );
    r.add(
        ep::candidates::Issue,
        MANAGERS,
        campaigns_api::candidate_to_issue,
    );
    r.add_page(ep::survey::Form, Public, citizen_api::form_page);
    r.add_page(ep::survey::Submit, Public, citizen_api::submit);
    r.add_page(ep::survey::Thanks, Public, citizen_api::thanks);
    r.add_page(ep::survey::Qr, Public, citizen_api::qr);
    r.add_page(ep::survey::Poster, Public, citizen_api::poster);
    r.add_page(ep::survey::Results, Public, citizen_api::results);
    r.add(
        ep::walkthroughs::Feedback,
        ASSIGNMENT_READERS,
        review_api::feedback,
    );
    r.add(ep::issues::List, Authenticated, issues_api::list);
    r.add(ep::issues::Import, MANAGERS, issues_api::import_reviews);
    r.add(ep::issues::TriageBulk, MANAGERS, issues_api::triage_bulk);
    r.add(ep::issues::Get, Authenticated, issues_api::get);
    r.add(ep::issues::Triage, MANAGERS, issues_api::triage);
    r.add(ep::issues::Appeal, OBSERVERS, issues_api::appeal);
    r.add(ep::issues::Evidence, OFFICERS, issues_api::evidence);
    r.add(
        ep::issues::TransferRequest,
        OFFICERS,
        issues_api::transfer_request,
    );
    r.add(ep::issues::Transfer, MANAGERS, issues_api::transfer);
    r.add(ep::issues::Acceptance, MANAGERS, issues_api::acceptance);
    r.add(ep::issues::Panel, MANAGERS, issues_api::panel);
    r.add(ep::issues::Vote, PANEL, issues_api::vote);
    r.add(ep::issues::Recheck, RECHECKERS, issues_api::recheck);
    r.add(ep::reports::Get, STAFF, reports_api::get);
    r.add(ep::reports::Export, STAFF, reports_api::export);
    r.add(ep::reports::Dashboard, STAFF, reports_api::dashboard);
    r.add(
        ep::settings::Calendar,
        Authenticated,
        settings_api::get_calendar,
    );
    r.add(
        ep::settings::UpdateCalendar,
        ADMIN,
        settings_api::put_calendar,
    );
    r.add(
        ep::settings::PanelRule,
        Authenticated,
        settings_api::get_panel_rule,
    );
    r.add(
        ep::settings::UpdatePanelRule,
        ADMIN,
        settings_api::put_panel_rule,
    );
    r.add(
        ep::settings::CategoryRoutes,
        STAFF,
        settings_api::list_routes,
    );
    r.add(
        ep::settings::UpdateCategoryRoute,
        STAFF,
        settings_api::put_route,
    );
    r.add(
        ep::notifications::List,
        Authenticated,
        notifications_api::list,
    );
    r.add(
        ep::notifications::Read,
        Authenticated,
        notifications_api::mark_read,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every declared endpoint has its handler, once, and nothing else is registered.
    #[test]
    fn every_declared_endpoint_is_registered_once() {
        let mut registered: Vec<(&str, String, &str)> = endpoints()
            .iter()
            .map(|e| (e.name, e.method.to_string(), e.path))
            .collect();
        let mut declared: Vec<(&str, String, &str)> = flowwalk_shared::endpoints::all()
            .map(|e| (e.name, e.method.as_str().to_owned(), e.path))
            .collect();
        registered.sort();
        declared.sort();
        assert_eq!(registered, declared);
    }
}
