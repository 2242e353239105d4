//! Organisation settings.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(settings_have_defaults_and_validation, only_admins_change_settings);

async fn settings_have_defaults_and_validation(app: &TestApp) {
    let r = app.get("/api/v1/organization", &app.admin.token).await;
    let org = r.expect(200);
    assert_eq!(org["slug"], "default");
    assert_eq!(org["min_group_size"], 5);
    assert_eq!(org["weak_threshold"], 60.0);
    assert_eq!(org["weak_count"], 2);
    assert_eq!(org["stuck_stage_days"], 30);
    assert_eq!(org["default_locale"], "de");

    let bad = app
        .patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": 1, "min_group_size": 2, "weak_threshold": 140, "default_locale": "fr"}),
        )
        .await;
    bad.expect(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["default_locale", "min_group_size", "weak_threshold"]);

    let ok = app
        .patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": 1, "min_group_size": 7, "name": "Stadt Musterhausen"}),
        )
        .await;
    let ok = ok.expect(200);
    assert_eq!(ok["min_group_size"], 7);
    assert_eq!(ok["name"], "Stadt Musterhausen");
    assert_eq!(ok["version"], 2);
    let stale = app
        .patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": 1, "weak_count": 3}),
        )
        .await;
    stale.expect(409);
    assert_eq!(stale.body["current_version"], 2);
}

async fn only_admins_change_settings(app: &TestApp) {
    for role in ["employee", "lead", "manager"] {
        let s = app.user(role, None).await;
        app.get("/api/v1/organization", &s.token).await.expect(200);
        app.patch(
            "/api/v1/organization",
            &s.token,
            json!({"version": 1, "min_group_size": 9}),
        )
        .await
        .expect(403);
    }
    let (_, other) = app.other_organization().await;
    // The other organisation's admin changes only their own organisation.
    let theirs = app.get("/api/v1/organization", &other.token).await;
    assert_ne!(theirs.expect(200)["id"], app.org_id.as_str());
    app.patch(
        "/api/v1/organization",
        &other.token,
        json!({"version": 1, "min_group_size": 9}),
    )
    .await
    .expect(200);
    let mine = app.get("/api/v1/organization", &app.admin.token).await;
    assert_eq!(mine.expect(200)["min_group_size"], 5);
}
