//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    assignments, auth, campaigns, categories, departments, health, invites, photos, questionnaires,
    scenarios, survey_pages, sync, users, venues, walkthroughs,
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
        questionnaires::list, questionnaires::get, questionnaires::versions, questionnaires::create, questionnaires::update,
        campaigns::list, campaigns::get, campaigns::create, campaigns::update, campaigns::results,
        campaigns::keyword_answers, campaigns::export, campaigns::publish, campaigns::unpublish, campaigns::import,
        campaigns::list_candidates, campaigns::create_candidate,
        survey_pages::form_page, survey_pages::submit, survey_pages::thanks, survey_pages::qr,
        survey_pages::poster, survey_pages::results,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login, tokens, invites"),
        (name = "reference data", description = "Venues, departments, scenarios, categories"),
        (name = "assignments", description = "Who walks what, where and when"),
        (name = "sync", description = "Phones push walkthroughs and pull what they need offline"),
        (name = "photos", description = "Content-addressed photos and their variants"),
        (name = "review", description = "Managers accept or return complete walkthroughs"),
        (name = "citizen pages", description = "The public, server-rendered pages of a questionnaire campaign (HTML, no account)"),
        (name = "questionnaires", description = "Citizen questionnaires, campaigns at venues, results, candidate issues; the citizen's pages are /q/CAMPAIGN/VENUE (form, /thanks, /qr.svg, /poster) and /r/CAMPAIGN (published results)"),
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
