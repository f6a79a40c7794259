//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    assignments, auth, categories, departments, health, invites, issues, notifications, photos,
    reports, scenarios, settings, sync, users, venues, walkthroughs,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "flowwalk API",
        description = "走流程: walk government service flows as citizens do, record what happens, \
                       and follow every issue to a fix the citizen side accepts. Error answers are \
                       always `{\"code\",\"message\",\"field\"?}`; messages are zh-CN unless \
                       `Accept-Language: en` is sent."
    ),
    paths(
        health::live, health::ready,
        auth::login, auth::refresh, auth::logout, auth::redeem, auth::me,
        users::list, users::create,
        invites::list, invites::create,
        venues::list, venues::get, venues::create, venues::update,
        departments::list, departments::get, departments::create, departments::update,
        scenarios::list, scenarios::get, scenarios::versions, scenarios::create, scenarios::update,
        categories::list, categories::create, categories::update,
        assignments::list, assignments::get, assignments::create, assignments::update,
        sync::push, sync::pull, sync::conflicts,
        photos::put, photos::meta, photos::display, photos::thumb, photos::original,
        walkthroughs::list, walkthroughs::get, walkthroughs::accept, walkthroughs::return_to_observer,
        walkthroughs::feedback,
        issues::list, issues::get, issues::triage, issues::triage_bulk, issues::appeal,
        issues::evidence, issues::transfer_request, issues::transfer, issues::acceptance,
        issues::panel, issues::vote, issues::recheck, issues::import_reviews,
        reports::get, reports::export, reports::dashboard,
        settings::get_calendar, settings::put_calendar, settings::get_panel_rule,
        settings::put_panel_rule, settings::list_routes, settings::put_route,
        notifications::list, notifications::mark_read,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login, tokens, invites"),
        (name = "reference data", description = "Venues, departments, scenarios, categories"),
        (name = "assignments", description = "Who walks what, where and when"),
        (name = "sync", description = "Phones push walkthroughs and pull what they need offline"),
        (name = "photos", description = "Content-addressed photos and their variants"),
        (name = "review", description = "Managers accept or return complete walkthroughs"),
        (name = "issues", description = "Issue lists and the workflow from triage to the citizen's re-check"),
        (name = "reports", description = "Reports, the quarterly circular, the dashboard"),
        (name = "settings", description = "Working-day calendar, panel rule, category routing"),
        (name = "notifications", description = "In-app notifications"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
