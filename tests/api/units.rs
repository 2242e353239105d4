//! The unit tree: creation, moves without cycles, guarded deletes, roles, isolation.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(
    units_form_a_tree_without_cycles,
    units_in_use_cannot_be_deleted,
    each_role_against_unit_endpoints,
    other_organizations_units_are_invisible,
);

async fn units_form_a_tree_without_cycles(app: &TestApp) {
    let rathaus = app.create_unit("Rathaus", None).await;
    let buergeramt = app.create_unit("Bürgeramt", Some(&rathaus)).await;
    let meldestelle = app.create_unit("Meldestelle", Some(&buergeramt)).await;
    let got = app.get(&format!("/api/v1/units/{meldestelle}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["parent_id"], buergeramt.as_str());
    assert_eq!(got.body["name"], "Meldestelle");

    // Moving Rathaus under its own grandchild would close a loop.
    let cycle = app
        .patch(
            &format!("/api/v1/units/{rathaus}"),
            &app.admin.token,
            json!({"version": 1, "parent_id": meldestelle}),
        )
        .await;
    cycle.expect(422);
    assert_eq!(cycle.error_fields(), vec!["parent_id"]);
    let self_parent = app
        .patch(
            &format!("/api/v1/units/{rathaus}"),
            &app.admin.token,
            json!({"version": 1, "parent_id": rathaus}),
        )
        .await;
    self_parent.expect(422);

    // A legal move and a rename.
    let moved = app
        .patch(
            &format!("/api/v1/units/{meldestelle}"),
            &app.admin.token,
            json!({"version": 1, "parent_id": rathaus, "name": "Melde- und Passstelle"}),
        )
        .await;
    let moved = moved.expect(200);
    assert_eq!(moved["parent_id"], rathaus.as_str());
    assert_eq!(moved["name"], "Melde- und Passstelle");
    assert_eq!(moved["version"], 2);
    // Back to top level with an explicit null.
    let top = app
        .patch(
            &format!("/api/v1/units/{meldestelle}"),
            &app.admin.token,
            json!({"version": 2, "parent_id": null}),
        )
        .await;
    assert!(top.expect(200)["parent_id"].is_null());

    let listed = app.get("/api/v1/units", &app.admin.token).await;
    assert_eq!(listed.expect(200)["items"].as_array().unwrap().len(), 3);
    let bad = app.post("/api/v1/units", &app.admin.token, json!({"name": ""})).await;
    bad.expect(422);
    assert_eq!(bad.error_fields(), vec!["name"]);
    let bad_parent = app
        .post(
            "/api/v1/units",
            &app.admin.token,
            json!({"name": "X", "parent_id": "nope"}),
        )
        .await;
    bad_parent.expect(422);
    assert_eq!(bad_parent.error_fields(), vec!["parent_id"]);
}

async fn units_in_use_cannot_be_deleted(app: &TestApp) {
    let parent = app.create_unit("Bauamt", None).await;
    let child = app.create_unit("Bauaufsicht", Some(&parent)).await;
    let with_member = app.create_unit("Personal", None).await;
    app.user("employee", Some(&with_member)).await;

    let r = app.delete(&format!("/api/v1/units/{parent}"), &app.admin.token).await;
    r.expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("sub-unit"));
    let r = app
        .delete(&format!("/api/v1/units/{with_member}"), &app.admin.token)
        .await;
    r.expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("member"));

    assert_eq!(
        app.delete(&format!("/api/v1/units/{child}"), &app.admin.token)
            .await
            .status,
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v1/units/{parent}"), &app.admin.token)
            .await
            .status,
        204
    );
    app.get(&format!("/api/v1/units/{parent}"), &app.admin.token)
        .await
        .expect(404);
    app.delete(&format!("/api/v1/units/{parent}"), &app.admin.token)
        .await
        .expect(404);
}

async fn each_role_against_unit_endpoints(app: &TestApp) {
    let unit = app.create_unit("IT", None).await;
    let path = format!("/api/v1/units/{unit}");
    for role in ["employee", "lead", "manager"] {
        let s = app.user(role, Some(&unit)).await;
        app.get("/api/v1/units", &s.token).await.expect(200);
        app.get(&path, &s.token).await.expect(200);
        app.post("/api/v1/units", &s.token, json!({"name": "Neu"}))
            .await
            .expect(403);
        app.patch(&path, &s.token, json!({"version": 1, "name": "Umbenannt"}))
            .await
            .expect(403);
        app.delete(&path, &s.token).await.expect(403);
    }
    let got = app.get(&path, &app.admin.token).await;
    assert_eq!(got.expect(200)["name"], "IT");
}

async fn other_organizations_units_are_invisible(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let (_, other) = app.other_organization().await;
    let path = format!("/api/v1/units/{unit}");
    app.get(&path, &other.token).await.expect(404);
    app.patch(&path, &other.token, json!({"version": 1, "name": "X"}))
        .await
        .expect(404);
    app.delete(&path, &other.token).await.expect(404);
    let listed = app.get("/api/v1/units", &other.token).await;
    assert!(listed.expect(200)["items"].as_array().unwrap().is_empty());
    // Nor can it hang its own units below ours.
    let r = app
        .post(
            "/api/v1/units",
            &other.token,
            json!({"name": "Fremd", "parent_id": unit}),
        )
        .await;
    r.expect(422);
    assert_eq!(app.get(&path, &app.admin.token).await.expect(200)["version"], 1);
}
