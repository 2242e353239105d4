//! The committed OpenAPI document must match what the code generates.

use std::path::Path;

/// Fails when `openapi/openapi.json` differs from the generated document. Run with
/// `KAIZEN_UPDATE_OPENAPI=1` to rewrite the file after changing the API.
#[test]
fn committed_openapi_document_is_current() {
    let generated = kaizen::openapi::to_pretty_json(&kaizen::openapi::document());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    if std::env::var("KAIZEN_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `KAIZEN_UPDATE_OPENAPI=1 cargo test --test api openapi` and commit the file"
    );
}

#[test]
fn every_operation_is_documented_with_problem_errors() {
    let doc: serde_json::Value =
        serde_json::from_str(&kaizen::openapi::to_pretty_json(&kaizen::openapi::document())).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/auth/login"));
    assert!(paths.contains_key("/api/v1/users/{id}"));
    assert!(paths.contains_key("/healthz"));
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"].is_object(), "{method} {path} has no responses");
            assert!(op["tags"].is_array(), "{method} {path} has no tag");
            if path.starts_with("/api/v1/") && !path.starts_with("/api/v1/auth/") {
                assert!(
                    op["security"].is_array(),
                    "{method} {path} does not declare its security"
                );
                // The answers every operation can give are listed (schemathesis checks them).
                for status in ["400", "401", "403", "503"] {
                    assert!(op["responses"][status].is_object(), "{method} {path} lists no {status}");
                }
                if path.contains('{') {
                    assert!(op["responses"]["404"].is_object(), "{method} {path} lists no 404");
                }
                if op["requestBody"].is_object() {
                    for status in ["413", "415", "422"] {
                        assert!(op["responses"][status].is_object(), "{method} {path} lists no {status}");
                    }
                }
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    // Every schema a parameter refers to is in the document.
    let text = doc.to_string();
    for name in ["Format", "Delimiter", "PipelineTable", "ProgressTable", "Breakdown"] {
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is referred to but missing"
        );
    }
    let mut at = 0;
    while let Some(i) = text[at..].find("#/components/schemas/") {
        let start = at + i + "#/components/schemas/".len();
        let end = start + text[start..].find('"').unwrap();
        let name = &text[start..end];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is referred to but missing"
        );
        at = end;
    }
}
