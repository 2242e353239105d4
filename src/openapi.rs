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
    doc
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
    let mut found: Vec<&'static str> = Vec::new();
    for (template, methods) in table {
        let matches = template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s);
        if matches {
            for m in methods {
                if !found.contains(m) {
                    found.push(m);
                }
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
    }
}
