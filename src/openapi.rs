//! The OpenAPI 3.1 document, collected from the registered handlers.

use std::sync::OnceLock;

use actix_web::App;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kaizen",
        description = "Continuous improvement for municipalities: improvement ideas through Plan-Do-Check-Act, \
anonymous learning-culture self-assessments and measured progress.\n\n\
Errors are `application/problem+json` (RFC 9457). Lists use keyset pagination (`limit`, `cursor`). \
Writes that can race carry the resource's `version` (or `If-Match`).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        routes::reports::Format,
        routes::reports::Delimiter,
        routes::reports::pipeline::PipelineTable,
        routes::reports::progress::ProgressTable,
        routes::assessments::Breakdown,
        crate::store::outbox::IdeaWebhook,
        crate::store::outbox::CommentWebhook,
        crate::store::outbox::RoundWebhook,
    )),
    tags(
        (name = "auth", description = "Login, token refresh, logout"),
        (name = "me", description = "The caller's own account"),
        (name = "organization", description = "The caller's organisation and its settings"),
        (name = "users", description = "User administration"),
        (name = "units", description = "Organisational units (a tree)"),
        (name = "ideas", description = "Improvement ideas through Plan-Do-Check-Act: submission, transitions with evidence, history, votes, comments"),
        (name = "questionnaires", description = "Self-assessment questionnaires: versions, import, publish, archive"),
        (name = "assessments", description = "Assessment rounds, anonymous answers and results"),
        (name = "dimensions", description = "Current dimensions, latest scores, weak dimensions"),
        (name = "reports", description = "Management reports: progress between assessment rounds, the PDCA pipeline, charts; JSON, CSV, SVG"),
        (name = "reassessment", description = "The reassessment schedule: interval, answering window, next due date; rounds opened on time or by hand"),
        (name = "webhooks", description = "Webhook subscriptions (Standard Webhooks signatures), their delivery log, and the notification outbox"),
        (name = "audit", description = "The audit trail of administrative acts, hash-chained per organisation"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
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

/// Builds the document from the same registrations the server uses.
pub fn document() -> OpenApiDoc {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(|cfg| routes::configure_api(cfg)))
        .configure(|cfg| routes::configure_ops(cfg))
        .split_for_parts();
    let mut doc = doc;
    routes::ideas::transitions::describe(&mut doc);
    common_errors(&mut doc);
    webhooks(&mut doc);
    state_rules(doc)
}

/// Adds the field rules of `openapi_rules` (written on the JSON form of the document).
fn state_rules(doc: OpenApiDoc) -> OpenApiDoc {
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    crate::openapi_rules::state(&mut value);
    serde_json::from_value(value).unwrap_or(doc)
}

/// The `webhooks` section: what the service posts to subscribed URLs, per event type.
/// Every request carries `webhook-id` (the outbox message id, the same in each attempt),
/// `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64
/// HMAC-SHA256>` over `{id}.{timestamp}.{body}`, several separated by spaces).
fn webhooks(doc: &mut OpenApiDoc) {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{ContentBuilder, PathsBuilder, Ref, ResponseBuilder};
    let events = [
        ("idea.submitted", "IdeaWebhook", "An idea was submitted"),
        (
            "idea.status_changed",
            "IdeaWebhook",
            "An idea moved to another stage (with the reason, when one was written)",
        ),
        ("comment.created", "CommentWebhook", "A comment was added to an idea"),
        ("round.opened", "RoundWebhook", "An assessment round opened"),
        ("round.closed", "RoundWebhook", "An assessment round closed"),
    ];
    let mut paths = PathsBuilder::new();
    for (event, schema, summary) in events {
        let operation = OperationBuilder::new()
            .operation_id(Some(event.replace('.', "_")))
            .tag("webhooks")
            .summary(Some(summary))
            .description(Some(
                "Signed as Standard Webhooks says: headers `webhook-id` (the same in every attempt; \
                 de-duplicate by it), `webhook-timestamp` (Unix seconds) and `webhook-signature` \
                 (`v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>` with the key of the `whsec_` \
                 secret; during a secret rotation one signature per secret, separated by spaces). \
                 Any 2xx answer is success; anything else is retried with exponential backoff.",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name(schema)))
                            .build(),
                    )
                    .build(),
            ))
            .response("2XX", ResponseBuilder::new().description("Received").build())
            .build();
        paths = paths.path(event, PathItem::new(HttpMethod::Post, operation));
    }
    doc.webhooks = Some(paths.build());
}

/// Adds the error answers every operation can give to each that does not describe them
/// itself: 400 (a malformed request), 401 and 403 (secured operations), 404 (an id in the
/// path), 413 and 415 (a request body), 422 (parameters or a body) and 503 (the database
/// out of reach), each as a problem document.
fn common_errors(doc: &mut OpenApiDoc) {
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, path: &str| {
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let has_body = op.request_body.is_some();
        let has_params = has_body || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let mut wanted = vec![("400", "Malformed request (syntax, query string, NUL characters)")];
        if secured {
            wanted.push(("401", "Not signed in, or the session has ended"));
            wanted.push(("403", "The caller's role may not do this"));
        }
        if path.contains('{') {
            wanted.push(("404", "No such resource in the caller's organisation"));
        }
        if has_body {
            wanted.push(("413", "The body is larger than KAIZEN_BODY_LIMIT"));
            wanted.push(("415", "The body is not of the documented media type"));
        }
        if has_params {
            wanted.push(("422", "A parameter or field is invalid; one error per field"));
        }
        let if_match = op.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p, utoipa::openapi::RefOr::T(p) if p.name == "If-Match"))
        });
        if if_match {
            wanted.push(("412", "If-Match names another version than the current one"));
        }
        wanted.push(("503", "The database cannot be reached right now; try again"));
        for (status, description) in wanted {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| problem(description));
        }
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add(op, path);
        }
    }
}

/// The document as served at `/openapi.json`: built on the first request and kept.
pub fn served_json() -> actix_web::web::Bytes {
    static SERVED: OnceLock<actix_web::web::Bytes> = OnceLock::new();
    SERVED
        .get_or_init(|| actix_web::web::Bytes::from(serde_json::to_vec(&document()).unwrap_or_default()))
        .clone()
}

/// The document as committed in `openapi/openapi.json`.
pub fn to_pretty_json(doc: &OpenApiDoc) -> String {
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// The methods the API offers at a concrete path, from the document (`{id}` matches any
/// one segment), for the `Allow` header of a 405 answer; `None` when no path matches.
pub fn allowed_methods(path: &str) -> Option<String> {
    static TABLE: OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        document()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                for (present, name) in [
                    (item.get.is_some(), "GET"),
                    (item.post.is_some(), "POST"),
                    (item.put.is_some(), "PUT"),
                    (item.patch.is_some(), "PATCH"),
                    (item.delete.is_some(), "DELETE"),
                ] {
                    if present {
                        methods.push(name);
                    }
                }
                (template.split('/').map(str::to_owned).collect(), methods)
            })
            .collect()
    });
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let is_variable = |t: &String| t.starts_with('{') && t.ends_with('}');
    // The most specific paths that match: `/users/import` is not `/users/{id}`.
    let matching: Vec<(usize, &Vec<&'static str>)> = table
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (is_variable(t) && !s.is_empty()) || t == s)
        })
        .map(|(template, methods)| (template.iter().filter(|t| !is_variable(t)).count(), methods))
        .collect();
    let best = matching.iter().map(|(literal, _)| *literal).max()?;
    let mut found: Vec<&'static str> = Vec::new();
    for (_, methods) in matching.iter().filter(|(literal, _)| *literal == best) {
        for m in methods.iter() {
            if !found.contains(m) {
                found.push(m);
            }
        }
    }
    (!found.is_empty()).then(|| found.join(", "))
}

#[cfg(test)]
mod tests {
    use super::allowed_methods;

    #[test]
    fn allowed_methods_come_from_the_document() {
        assert_eq!(allowed_methods("/api/v1/units").as_deref(), Some("GET, POST"));
        assert_eq!(
            allowed_methods("/api/v1/units/0190-abc").as_deref(),
            Some("GET, PATCH, DELETE")
        );
        assert_eq!(allowed_methods("/api/v1/nothing/here"), None);
        assert_eq!(allowed_methods("/api/v1/users/import").as_deref(), Some("POST"));
    }
}
