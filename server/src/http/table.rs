//! The route table: every endpoint with its method, path and [`Access`], declared once in
//! [`declare`]. The same declaration registers the routes and lists them for the
//! endpoint × role test and the docs, so the three cannot drift apart.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, guard, web};
use flowwalk_shared::endpoint::{Endpoint as Declared, Method as DeclaredMethod};
use flowwalk_shared::endpoints as ep;

use crate::accounts::routes::{invites, login, users};
use crate::auth::Access;
use crate::auth::access::{
    ADMIN, ASSIGNMENT_READERS, MANAGERS, OBSERVERS, OFFICERS, PANEL, RECHECKERS, STAFF, check,
};
use crate::http::contract::{Answer, ServerBody, Takes};
use crate::http::health;
use crate::issues::routes::{issues, notifications, reports};
use crate::photos::routes as photos;
use crate::reference::routes::{categories, departments, scenarios, settings, venues};
use crate::surveys::routes::{campaigns, citizen, questionnaires};
use crate::walkthroughs::routes::{assignments, review, sync};

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
    use Access::{Authenticated, Public};

    r.add(ep::health::Live, Public, health::live);
    r.add(ep::health::Ready, Public, health::ready);
    r.add(ep::auth::Login, Public, login::login);
    r.add(ep::auth::Refresh, Public, login::refresh);
    r.add(ep::auth::Logout, Public, login::logout);
    r.add(ep::auth::Redeem, Public, login::redeem);
    r.add(ep::auth::Me, Authenticated, login::me);
    r.add(ep::users::List, STAFF, users::list);
    r.add(ep::users::Create, ADMIN, users::create);
    r.add(ep::invites::List, STAFF, invites::list);
    r.add(ep::invites::Create, STAFF, invites::create);
    r.add(ep::venues::List, Authenticated, venues::list);
    r.add(ep::venues::Get, Authenticated, venues::get);
    r.add(ep::venues::Create, STAFF, venues::create);
    r.add(ep::venues::Update, STAFF, venues::update);
    r.add(ep::departments::List, Authenticated, departments::list);
    r.add(ep::departments::Get, Authenticated, departments::get);
    r.add(ep::departments::Create, STAFF, departments::create);
    r.add(ep::departments::Update, STAFF, departments::update);
    r.add(ep::scenarios::List, Authenticated, scenarios::list);
    r.add(ep::scenarios::Get, Authenticated, scenarios::get);
    r.add(ep::scenarios::Versions, Authenticated, scenarios::versions);
    r.add(ep::scenarios::Create, STAFF, scenarios::create);
    r.add(ep::scenarios::Update, STAFF, scenarios::update);
    r.add(ep::categories::List, Authenticated, categories::list);
    r.add(ep::categories::Create, STAFF, categories::create);
    r.add(ep::categories::Update, STAFF, categories::update);
    r.add(ep::assignments::List, ASSIGNMENT_READERS, assignments::list);
    r.add(ep::assignments::Get, ASSIGNMENT_READERS, assignments::get);
    r.add(ep::assignments::Create, STAFF, assignments::create);
    r.add(ep::photos::Put, PHOTO_UPLOADERS, photos::put);
    r.add(ep::photos::Meta, Authenticated, photos::meta);
    r.add(ep::photos::Display, Authenticated, photos::display);
    r.add(ep::photos::Thumb, Authenticated, photos::thumb);
    r.add(ep::photos::Original, STAFF, photos::original);
    r.add(ep::sync::Push, OBSERVERS, sync::push);
    r.add(ep::sync::Pull, ASSIGNMENT_READERS, sync::pull);
    r.add(ep::sync::Conflicts, STAFF, sync::conflicts);
    r.add(ep::walkthroughs::List, STAFF, review::list);
    r.add(ep::walkthroughs::Get, ASSIGNMENT_READERS, review::get);
    r.add(ep::walkthroughs::Accept, STAFF, review::accept);
    r.add(ep::walkthroughs::Return, STAFF, review::return_to_observer);
    r.add(ep::assignments::Update, STAFF, assignments::update);
    r.add(ep::questionnaires::List, STAFF, questionnaires::list);
    r.add(ep::questionnaires::Get, STAFF, questionnaires::get);
    r.add(
        ep::questionnaires::Versions,
        STAFF,
        questionnaires::versions,
    );
    r.add(ep::questionnaires::Create, STAFF, questionnaires::create);
    r.add(ep::questionnaires::Update, STAFF, questionnaires::update);
    r.add(ep::campaigns::List, STAFF, campaigns::list);
    r.add(ep::campaigns::Get, STAFF, campaigns::get);
    r.add(ep::campaigns::Create, STAFF, campaigns::create);
    r.add(ep::campaigns::Update, STAFF, campaigns::update);
    r.add(ep::campaigns::Results, STAFF, campaigns::results);
    r.add(
        ep::campaigns::KeywordAnswers,
        STAFF,
        campaigns::keyword_answers,
    );
    r.add(ep::campaigns::Export, STAFF, campaigns::export);
    r.add(ep::campaigns::Publish, STAFF, campaigns::publish);
    r.add(ep::campaigns::Unpublish, STAFF, campaigns::unpublish);
    r.add(ep::campaigns::Import, STAFF, campaigns::import);
    r.add(ep::candidates::List, STAFF, campaigns::list_candidates);
    r.add(ep::candidates::Create, STAFF, campaigns::create_candidate);
    r.add(
        ep::candidates::Issue,
        MANAGERS,
        campaigns::candidate_to_issue,
    );
    r.add_page(ep::survey::Form, Public, citizen::form_page);
    r.add_page(ep::survey::Submit, Public, citizen::submit);
    r.add_page(ep::survey::Thanks, Public, citizen::thanks);
    r.add_page(ep::survey::Qr, Public, citizen::qr);
    r.add_page(ep::survey::Poster, Public, citizen::poster);
    r.add_page(ep::survey::Results, Public, citizen::results);
    r.add(
        ep::walkthroughs::Feedback,
        ASSIGNMENT_READERS,
        review::feedback,
    );
    r.add(ep::issues::List, Authenticated, issues::list);
    r.add(ep::issues::Import, MANAGERS, issues::import_reviews);
    r.add(ep::issues::TriageBulk, MANAGERS, issues::triage_bulk);
    r.add(ep::issues::Get, Authenticated, issues::get);
    r.add(ep::issues::Triage, MANAGERS, issues::triage);
    r.add(ep::issues::Appeal, OBSERVERS, issues::appeal);
    r.add(ep::issues::Evidence, OFFICERS, issues::evidence);
    r.add(
        ep::issues::TransferRequest,
        OFFICERS,
        issues::transfer_request,
    );
    r.add(ep::issues::Transfer, MANAGERS, issues::transfer);
    r.add(ep::issues::Acceptance, MANAGERS, issues::acceptance);
    r.add(ep::issues::Panel, MANAGERS, issues::panel);
    r.add(ep::issues::Vote, PANEL, issues::vote);
    r.add(ep::issues::Recheck, RECHECKERS, issues::recheck);
    r.add(ep::reports::Get, STAFF, reports::get);
    r.add(ep::reports::Export, STAFF, reports::export);
    r.add(ep::reports::Dashboard, STAFF, reports::dashboard);
    r.add(
        ep::settings::Calendar,
        Authenticated,
        settings::get_calendar,
    );
    r.add(ep::settings::UpdateCalendar, ADMIN, settings::put_calendar);
    r.add(
        ep::settings::PanelRule,
        Authenticated,
        settings::get_panel_rule,
    );
    r.add(
        ep::settings::UpdatePanelRule,
        ADMIN,
        settings::put_panel_rule,
    );
    r.add(ep::settings::CategoryRoutes, STAFF, settings::list_routes);
    r.add(
        ep::settings::UpdateCategoryRoute,
        STAFF,
        settings::put_route,
    );
    r.add(ep::notifications::List, Authenticated, notifications::list);
    r.add(
        ep::notifications::Read,
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
