//! Health, readiness, metrics, request ids, offline API docs.

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(
    health_and_readiness,
    metrics_count_requests_per_route,
    request_ids_are_returned,
    swagger_ui_works_offline,
    every_documented_operation_is_routed
);

async fn health_and_readiness(app: &TestApp) {
    let r = app.send(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(r.expect(200)["status"], "ok");
    let r = app.send(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(r.expect(200)["status"], "ready");
}

async fn metrics_count_requests_per_route(app: &TestApp) {
    app.get("/api/v1/me", &app.admin.token).await.expect(200);
    let user = app.user("employee", None).await;
    app.get(&format!("/api/v1/users/{}", user.user_id), &app.admin.token)
        .await
        .expect(200);
    let r = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let text = r.text;
    assert!(
        text.lines().any(|l| l.starts_with("kaizen_http_requests_total{")
            && l.contains("route=\"/api/v1/me\"")
            && l.contains("status=\"200\"")),
        "{text}"
    );
    // Path parameters are collapsed into the pattern, not one series per id.
    assert!(text.contains("route=\"/api/v1/users/{id}\""), "{text}");
    assert!(!text.contains(&user.user_id));
    assert!(text.contains("kaizen_http_request_duration_seconds_bucket"));
    assert!(text.contains("kaizen_db_pool_connections{state=\"idle\"}"));
    assert!(text.contains("kaizen_db_pool_max_connections 8"));
}

async fn request_ids_are_returned(app: &TestApp) {
    let r = app.send(reqwest::Method::GET, "/healthz", None, None).await;
    let id = r.header("x-request-id").unwrap();
    assert_eq!(id.len(), 36);
    let r = app
        .client
        .get(app.url("/api/v1/nowhere"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-abc-123");
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id with spaces and {braces}")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "bad id with spaces and {braces}");
}

async fn swagger_ui_works_offline(app: &TestApp) {
    let r = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(r.status(), 308);
    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    // Every script and stylesheet the page names is served locally; none is fetched from the internet.
    assert!(
        !html.contains("https://"),
        "the UI must not load assets from the internet"
    );
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-initializer.js",
    ] {
        let r = app.client.get(app.url(&format!("/docs/{asset}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
        let body = r.text().await.unwrap();
        assert!(body.len() > 100, "{asset}");
        if asset == "swagger-initializer.js" {
            assert!(body.contains("/openapi.json"));
            // The online validator is off: nothing leaves the host.
            assert!(body.contains("\"validatorUrl\": \"none\""), "{body}");
        }
    }
    let doc = app.send(reqwest::Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.body["openapi"], "3.1.0");
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(doc.body, committed, "/openapi.json serves the committed document");
}

/// The server registers its handlers without collecting the document (the document is
/// built from the same list separately): every documented method and path must reach a
/// handler, which answers an anonymous request with anything but "no such route".
async fn every_documented_operation_is_routed(app: &TestApp) {
    let doc = app.send(reqwest::Method::GET, "/openapi.json", None, None).await;
    let paths = doc.body["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "0190a000-0000-7000-8000-000000000000"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app.send(m, &concrete, None, None).await;
            assert!(
                r.status != 404 && r.status != 405,
                "{method} {path} is documented but answers {}",
                r.status
            );
            if path.starts_with("/api/v1/") && !path.starts_with("/api/v1/auth/") {
                assert_eq!(r.status, 401, "{method} {path} answers an anonymous request");
            }
            checked += 1;
        }
    }
    assert!(checked >= 59, "only {checked} operations documented");
}
