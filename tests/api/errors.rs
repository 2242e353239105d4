//! Every error class answers with a problem document and the right status.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(
    malformed_json_is_400,
    wrong_content_type_is_415,
    oversized_body_is_413,
    unknown_route_is_404_and_wrong_method_405,
    validation_is_422_with_fields,
    forbidden_and_unauthorized,
    hostile_input_never_causes_5xx,
    problems_speak_the_callers_language,
);

/// Every message of a problem document comes in German or English, chosen as the rest of
/// the API chooses: `?lang=`, `Accept-Language`, the organisation's default.
async fn problems_speak_the_callers_language(app: &TestApp) {
    let send =
        |method: reqwest::Method, path: &str, token: Option<&str>, lang: &str, body: Option<serde_json::Value>| {
            let mut req = app
                .client
                .request(method, app.url(path))
                .header("accept-language", lang);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            async move { TestApp::read(req.send().await.unwrap()).await }
        };
    // A wrong password, in German.
    let r = send(
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        "de-DE,de;q=0.9",
        Some(json!({"email": "admin@test.local", "password": "falsch-falsch-1", "organization": app.org_slug})),
    )
    .await;
    r.expect(401);
    assert_eq!(r.body["title"], "Anmeldung erforderlich");
    assert_eq!(r.body["detail"], "E-Mail-Adresse oder Passwort ist falsch.");
    assert_eq!(r.header("content-language").as_deref(), Some("de"));
    // Field messages with values, in German; the same request with ?lang=en in English.
    let unit = app.create_unit("Bürgeramt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let mut body = crate::ideas::idea_body(&unit, &"x".repeat(300));
    body["dimensions"] = json!(["gibt_es_nicht"]);
    let r = send(
        reqwest::Method::POST,
        "/api/v1/ideas",
        Some(&employee.token),
        "de",
        Some(body.clone()),
    )
    .await;
    r.expect(422);
    assert_eq!(r.body["title"], "Eingaben nicht gültig");
    assert_eq!(r.body["detail"], "2 Felder sind nicht gültig");
    let messages: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"darf höchstens 200 Zeichen lang sein"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("ist keine Dimension des aktuellen Fragebogens")),
        "{messages:?}"
    );
    let r = send(
        reqwest::Method::POST,
        "/api/v1/ideas?lang=en",
        Some(&employee.token),
        "de",
        Some(body),
    )
    .await;
    assert_eq!(r.body["detail"], "2 fields are invalid");
    assert_eq!(r.header("content-language").as_deref(), Some("en"));
    // No language named: the organisation's default (German), after a switch English.
    let r = send(reqwest::Method::GET, "/api/v1/users", Some(&employee.token), "", None).await;
    r.expect(403);
    assert_eq!(r.body["detail"], "Dafür ist die Rolle lead oder höher nötig.");
    let org = app.get("/api/v1/organization", &app.admin.token).await;
    let version = org.expect(200)["version"].clone();
    app.patch(
        "/api/v1/organization",
        &app.admin.token,
        json!({"version": version, "default_locale": "en"}),
    )
    .await
    .expect(200);
    let r = send(reqwest::Method::GET, "/api/v1/users", Some(&employee.token), "", None).await;
    assert_eq!(r.body["detail"], "this needs the role lead or higher");
    // Errors before any handler (an unknown route) follow the same rule.
    let r = send(reqwest::Method::GET, "/api/v1/nirgends", None, "de", None).await;
    r.expect(404);
    assert_eq!(r.body["title"], "Nicht gefunden");
}

async fn malformed_json_is_400(app: &TestApp) {
    for body in ["{\"name\": ", "not json", "", "[1,2", "{\"name\": \"a\"} trailing"] {
        let r = app
            .client
            .post(app.url("/api/v1/units"))
            .bearer_auth(&app.admin.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let r = TestApp::read(r).await;
        r.expect(400);
    }
}

async fn wrong_content_type_is_415(app: &TestApp) {
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut req = app
            .client
            .post(app.url("/api/v1/units"))
            .bearer_auth(&app.admin.token)
            .body("{\"name\":\"X\"}");
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        TestApp::read(req.send().await.unwrap()).await.expect(415);
    }
    // Parameters on the media type are fine.
    let r = app
        .client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&app.admin.token)
        .header("content-type", "application/json; charset=utf-8")
        .body("{\"name\":\"X\"}")
        .send()
        .await
        .unwrap();
    TestApp::read(r).await.expect(201);
}

async fn oversized_body_is_413(app: &TestApp) {
    let big = "x".repeat(70 * 1024);
    let r = app.post("/api/v1/units", &app.admin.token, json!({"name": big})).await;
    r.expect(413);
    // Chunked bodies without a length are cut off as well.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..80).map(|_| Ok(vec![b' '; 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    let r = app
        .client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&app.admin.token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    TestApp::read(r).await.expect(413);
    let units = app.get("/api/v1/units", &app.admin.token).await;
    assert!(
        units.expect(200)["items"].as_array().unwrap().is_empty(),
        "nothing was written"
    );
}

async fn unknown_route_is_404_and_wrong_method_405(app: &TestApp) {
    app.get("/api/v1/nothing-here", &app.admin.token).await.expect(404);
    app.get("/totally/unknown", &app.admin.token).await.expect(404);
    app.delete("/api/v1/me", &app.admin.token).await.expect(405);
    app.send(
        reqwest::Method::PUT,
        "/api/v1/users",
        Some(&app.admin.token),
        Some(json!({})),
    )
    .await
    .expect(405);
    let r = app.send(reqwest::Method::POST, "/healthz", None, None).await;
    r.expect(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    // An empty cursor is the first page (as a form with an empty field sends it).
    let first = app.get("/api/v1/units?cursor=", &app.admin.token).await;
    let plain = app.get("/api/v1/units", &app.admin.token).await;
    assert_eq!(first.expect(200), plain.expect(200));
    // A 405 says which methods the resource has (RFC 9110).
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/units",
            Some(&app.admin.token),
            Some(json!({})),
        )
        .await;
    r.expect(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    let unit = app.create_unit("Allow", None).await;
    let r = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/units/{unit}"),
            Some(&app.admin.token),
            Some(json!({})),
        )
        .await;
    r.expect(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH, DELETE"));
}

async fn validation_is_422_with_fields(app: &TestApp) {
    let r = app.post("/api/v1/units", &app.admin.token, json!({"name": 42})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["name"]);
    let r = app.post("/api/v1/units", &app.admin.token, json!({})).await;
    r.expect(422);
    let r = app
        .post("/api/v1/units", &app.admin.token, json!({"name": "A", "colour": "red"}))
        .await;
    r.expect(422);
}

async fn forbidden_and_unauthorized(app: &TestApp) {
    let e = app.user("employee", None).await;
    let r = app.post("/api/v1/units", &e.token, json!({"name": "X"})).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("admin"));
    app.send(reqwest::Method::POST, "/api/v1/units", None, Some(json!({"name": "X"})))
        .await
        .expect(401);
}

async fn hostile_input_never_causes_5xx(app: &TestApp) {
    let weird = [
        "/api/v1/users/%00",
        "/api/v1/users/'%20OR%201=1--",
        "/api/v1/units/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/users?limit=-1",
        "/api/v1/users?limit=abc",
        "/api/v1/users?active=maybe",
        "/api/v1/users?cursor=%FF%FE",
        "/api/v1/units/%F0%9F%98%80",
        "/api/v1/users?unit_id=%00",
        "/api/v1/users?unit_id=a%00b",
    ];
    for path in weird {
        let r = app.get(path, &app.admin.token).await;
        assert!(r.status.is_client_error(), "{path} -> {} {}", r.status, r.text);
    }
    let bodies = [
        json!({"email": "a@b.de", "password": "x".repeat(5000)}),
        json!({"email": ["array"], "password": {"nested": true}}),
        json!({"email": "\u{0}@test.local", "password": "\u{202e}"}),
        json!({"email": "a@test.local", "password": "pass\u{0}word"}),
        json!(null),
        json!([]),
    ];
    for b in bodies {
        let r = app
            .send(reqwest::Method::POST, "/api/v1/auth/login", None, Some(b.clone()))
            .await;
        assert!(r.status.is_client_error(), "{b} -> {} {}", r.status, r.text);
    }
    let r = app
        .post("/api/v1/units", &app.admin.token, json!({"name": "Amt\u{0}"}))
        .await;
    r.expect(400);
    let cursor = kaizen::pagination::encode_cursor(&"x\u{0}");
    app.get(&format!("/api/v1/users?cursor={cursor}"), &app.admin.token)
        .await
        .expect(400);
}
