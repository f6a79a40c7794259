//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types.

use utoipa::openapi::content::Content;
use utoipa::openapi::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::accounts::routes::{invites_api, login_api, users_api};
use crate::http::health;
use crate::issues::routes::{issues_api, notifications_api, reports_api};
use crate::photos::routes as photos;
use crate::reference::routes::{
    categories_api, departments_api, scenarios_api, settings_api, venues_api,
};
use crate::surveys::routes::{campaigns_api, citizen_api, questionnaires_api};
use crate::walkthroughs::routes::{assignments_api, review_api, sync_api};

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
        login_api::login, login_api::refresh, login_api::logout, login_api::redeem, login_api::me,
        login_api::change_password,
        users_api::list, users_api::create, users_api::update, users_api::reset_password,
        invites_api::list, invites_api::create,
        venues_api::list, venues_api::get, venues_api::create, venues_api::update,
        departments_api::list, departments_api::get, departments_api::create, departments_api::update,
        scenarios_api::list, scenarios_api::get, scenarios_api::versions, scenarios_api::create, scenarios_api::update,
        categories_api::list, categories_api::create, categories_api::update,
        assignments_api::list, assignments_api::get, assignments_api::create, assignments_api::update,
        sync_api::push, sync_api::pull, sync_api::conflicts,
        photos::put, photos::meta, photos::display, photos::thumb, photos::original,
        review_api::list, review_api::get, review_api::accept, review_api::return_to_observer,
        questionnaires_api::list, questionnaires_api::get, questionnaires_api::versions, questionnaires_api::create, questionnaires_api::update,
        campaigns_api::list, campaigns_api::get, campaigns_api::create, campaigns_api::update, campaigns_api::results,
        campaigns_api::keyword_answers, campaigns_api::export, campaigns_api::publish, campaigns_api::unpublish, campaigns_api::import,
        campaigns_api::list_candidates, campaigns_api::create_candidate, campaigns_api::candidate_to_issue,
        citizen_api::form_page, citizen_api::submit, citizen_api::thanks, citizen_api::qr,
        citizen_api::poster, citizen_api::results,
        review_api::feedback,
        issues_api::list, issues_api::get, issues_api::triage, issues_api::triage_bulk, issues_api::appeal,
        issues_api::evidence, issues_api::transfer_request, issues_api::transfer, issues_api::acceptance,
        issues_api::panel, issues_api::vote, issues_api::recheck, issues_api::import_reviews,
        reports_api::get, reports_api::export, reports_api::dashboard,
        settings_api::get_calendar, settings_api::put_calendar, settings_api::get_panel_rule,
        settings_api::put_panel_rule, settings_api::list_routes, settings_api::put_route,
        notifications_api::list, notifications_api::mark_read,
    ),
    modifiers(&BearerAuth, &Complete),
    tags(
        (name = "auth", description = "Login, tokens, invites"),
        (name = "reference data", description = "Venues, departments, scenarios, categories"),
        (name = "assignments", description = "Who walks what, where and when"),
        (name = "sync", description = "Phones push walkthroughs and pull what they need offline"),
        (name = "photos", description = "Content-addressed photos and their variants"),
        (name = "review", description = "Managers accept or return complete walkthroughs"),
        (name = "citizen pages", description = "The public, server-rendered pages of a questionnaire campaign (HTML, no account)"),
        (name = "questionnaires", description = "Citizen questionnaires, campaigns at venues, results, candidate issues; the citizen's pages are /q/CAMPAIGN/VENUE (form, /thanks, /qr.svg, /poster) and /r/CAMPAIGN (published results)"),
        (name = "issues", description = "Issue lists and the workflow from triage to the citizen's re-check"),
        (name = "reports", description = "Reports, the quarterly circular, the dashboard"),
        (name = "settings", description = "Working-day calendar, panel rule, category routing"),
        (name = "notifications", description = "In-app notifications"),
    )
)]
pub struct ApiDoc;

/// What the annotations leave to the route table and the shared middleware, filled in
/// for every operation: its id is its endpoint's stable name (`venues_get`), unique as
/// generators need it; the error answers any request may meet are documented (401 and 403
/// from the access check, 400 from the address guard and the extractors, 413/415 from the
/// body), each with the one error body; and every response has a description (the HTTP reason phrase where
/// the annotation gives none).
struct Complete;

impl Modify for Complete {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let endpoints = super::table::endpoints();
        for (path, item) in &mut openapi.paths.paths {
            for (method, op) in [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ] {
                let Some(op) = op else { continue };
                let ep = endpoints
                    .iter()
                    .find(|e| e.path == path && e.method.as_str() == method);
                if let Some(ep) = ep {
                    op.operation_id = Some(ep.name.replace('.', "_"));
                    let access = ep.access;
                    if access != crate::auth::Access::Public {
                        add_error(op, 401, "unauthenticated, invalid_token or token_expired");
                    }
                    if matches!(access, crate::auth::Access::Roles(_)) {
                        add_error(op, 403, "forbidden: the caller's role may not do this");
                    }
                }
                let json_body = op.request_body.as_ref().is_some_and(
                    |b| matches!(b, RefOr::T(b) if b.content.contains_key("application/json")),
                );
                // Any address may be refused (a NUL in it), so every operation may answer 400.
                add_error(
                    op,
                    400,
                    if json_body {
                        "invalid_json, missing_field, unknown_field, invalid_type, invalid_value, \
                         invalid_path or invalid_query"
                    } else {
                        "invalid_path or invalid_query"
                    },
                );
                if json_body {
                    add_error(op, 413, "payload_too_large");
                    add_error(op, 415, "unsupported_media_type: send application/json");
                    add_error(
                        op,
                        409,
                        "duplicate: a record with the same code or name exists",
                    );
                    add_error(
                        op,
                        422,
                        "unknown_reference: a record the body names does not exist",
                    );
                }
                // A path naming a record may name one that does not exist (or that the
                // caller may not see: answered the same way).
                if path.starts_with("/api/") && path.contains('{') {
                    add_error(op, 404, "not_found");
                }
                for (status, response) in &mut op.responses.responses {
                    if let RefOr::T(r) = response
                        && r.description.is_empty()
                    {
                        r.description = reason(status);
                    }
                }
            }
        }
    }
}

fn reason(status: &str) -> String {
    status
        .parse::<u16>()
        .ok()
        .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

/// Documents an error answer with the error body, unless the status is documented already.
fn add_error(op: &mut utoipa::openapi::path::Operation, status: u16, description: &str) {
    let responses = &mut op.responses.responses;
    let key = status.to_string();
    if responses.contains_key(&key) {
        return;
    }
    let mut response = Response::new(description);
    response.content.insert(
        "application/json".to_owned(),
        RefOr::T(Content::new(Some(RefOr::Ref(Ref::from_schema_name(
            "ErrorBody",
        ))))),
    );
    responses.insert(key, RefOr::T(response));
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The document names enum values as they go over the wire, written out here for two
    /// that clients switch on.
    #[test]
    fn enum_schemas_list_the_wire_names() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let values = |schema: &str| -> Vec<String> {
            doc["components"]["schemas"][schema]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{schema} has an enum"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let codes = values("ErrorCode");
        assert!(codes.contains(&"unauthenticated".to_owned()), "{codes:?}");
        assert!(codes.contains(&"photo_quota_exceeded".to_owned()));
        assert_eq!(codes.len(), flowwalk_shared::ErrorCode::ALL.len());
        assert_eq!(
            values("IssueState")[..5],
            ["new", "dismissed", "appealed", "explained", "fix_now"]
        );
    }
}
