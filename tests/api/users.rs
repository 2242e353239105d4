//! User administration: roles, validation, versions, scope, organisation isolation.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(
    admin_creates_reads_and_updates_users,
    emails_are_unique_regardless_of_case,
    invalid_users_are_refused_per_field,
    listing_filters_and_pages,
    each_role_against_user_endpoints,
    lead_sees_only_own_unit_subtree,
    stale_versions_conflict,
    last_admin_cannot_be_removed,
    other_organizations_users_are_invisible,
    password_reset_issues_a_one_time_password,
    another_organisations_addresses_cannot_be_confirmed,
);

async fn admin_creates_reads_and_updates_users(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "Jonas.Weber@Test.Local", "display_name": "Jonas Weber", "role": "lead", "unit_id": unit, "password": "jonas-password-1"}),
        )
        .await;
    let created = r.expect(201).clone();
    assert!(
        r.header("location")
            .unwrap()
            .ends_with(created["user"]["id"].as_str().unwrap())
    );
    assert!(created["initial_password"].is_null());
    let user = &created["user"];
    assert_eq!(user["email"], "jonas.weber@test.local");
    assert_eq!(user["role"], "lead");
    assert_eq!(user["unit_id"], unit.as_str());
    assert_eq!(user["version"], 1);
    let id = user["id"].as_str().unwrap();

    let got = app.get(&format!("/api/v1/users/{id}"), &app.admin.token).await;
    assert_eq!(got.expect(200)["display_name"], "Jonas Weber");
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));

    let updated = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &app.admin.token,
            json!({"version": 1, "role": "manager", "unit_id": null}),
        )
        .await;
    let updated = updated.expect(200);
    assert_eq!(updated["role"], "manager");
    assert!(updated["unit_id"].is_null());
    assert_eq!(updated["version"], 2);
    // The new role takes effect for the user's existing token at once.
    let s = app.login_ok("jonas.weber@test.local", "jonas-password-1").await;
    app.get("/api/v1/users", &s.token).await.expect(200);
}

async fn emails_are_unique_regardless_of_case(app: &TestApp) {
    let body =
        |email: &str| json!({"email": email, "display_name": "X", "role": "employee", "password": "long-enough-pw-1"});
    app.post("/api/v1/users", &app.admin.token, body("dup@test.local"))
        .await
        .expect(201);
    let again = app
        .post("/api/v1/users", &app.admin.token, body("DUP@test.local"))
        .await;
    again.expect(409);
    assert!(again.body["detail"].as_str().unwrap().contains("dup@test.local"));
}

async fn invalid_users_are_refused_per_field(app: &TestApp) {
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "not-an-email", "display_name": "  ", "role": "employee", "password": "short"}),
        )
        .await;
    r.expect(422);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["display_name", "email", "password"]);
    let bad_role = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "a@test.local", "display_name": "A", "role": "king"}),
        )
        .await;
    bad_role.expect(422);
    assert_eq!(bad_role.error_fields(), vec!["role"]);
    let bad_unit = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "b@test.local", "display_name": "B", "role": "employee", "unit_id": "no-such-unit"}),
        )
        .await;
    bad_unit.expect(422);
    assert_eq!(bad_unit.error_fields(), vec!["unit_id"]);
    let unknown_field = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "c@test.local", "display_name": "C", "role": "employee", "is_superuser": true}),
        )
        .await;
    unknown_field.expect(422);
}

async fn listing_filters_and_pages(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    for _ in 0..3 {
        app.user("employee", Some(&unit)).await;
    }
    let lead = app.user("lead", Some(&unit)).await;
    app.user("employee", None).await;
    app.post(
        &format!("/api/v1/users/{}/deactivate", lead.user_id),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);

    let in_unit = app
        .get(&format!("/api/v1/users?unit_id={unit}"), &app.admin.token)
        .await;
    assert_eq!(in_unit.expect(200)["items"].as_array().unwrap().len(), 4);
    let leads = app.get("/api/v1/users?role=lead", &app.admin.token).await;
    assert_eq!(leads.expect(200)["items"].as_array().unwrap().len(), 1);
    let inactive = app.get("/api/v1/users?active=false", &app.admin.token).await;
    let inactive = inactive.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(inactive.len(), 1);
    assert_eq!(inactive[0]["id"], lead.user_id.as_str());

    // Walk all 6 users (admin included) two at a time.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=2&cursor={c}"),
            None => "/api/v1/users?limit=2".to_string(),
        };
        let page = app.get(&path, &app.admin.token).await;
        let page = page.expect(200);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 6);
    assert_eq!(unique.len(), 6);
    app.get("/api/v1/users?limit=0", &app.admin.token).await.expect(422);
    app.get("/api/v1/users?limit=500", &app.admin.token).await.expect(422);
    app.get("/api/v1/users?cursor=garbage", &app.admin.token)
        .await
        .expect(400);
    app.get("/api/v1/users?role=king", &app.admin.token).await.expect(400);
}

async fn each_role_against_user_endpoints(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let target = app.user("employee", Some(&unit)).await;
    let employee = app.user("employee", Some(&unit)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let new_user =
        json!({"email": "x@test.local", "display_name": "X", "role": "employee", "password": "long-enough-pw-1"});
    let user_path = format!("/api/v1/users/{}", target.user_id);

    // employee: nothing
    app.get("/api/v1/users", &employee.token).await.expect(403);
    app.get(&user_path, &employee.token).await.expect(403);
    app.post("/api/v1/users", &employee.token, new_user.clone())
        .await
        .expect(403);
    app.patch(&user_path, &employee.token, json!({"version": 1, "display_name": "Y"}))
        .await
        .expect(403);
    app.post(&format!("{user_path}/deactivate"), &employee.token, json!({}))
        .await
        .expect(403);
    app.post(&format!("{user_path}/password-reset"), &employee.token, json!({}))
        .await
        .expect(403);
    // lead and manager: read only
    for s in [&lead, &manager] {
        app.get("/api/v1/users", &s.token).await.expect(200);
        app.get(&user_path, &s.token).await.expect(200);
        app.post("/api/v1/users", &s.token, new_user.clone()).await.expect(403);
        app.patch(&user_path, &s.token, json!({"version": 1, "display_name": "Y"}))
            .await
            .expect(403);
        app.post(&format!("{user_path}/deactivate"), &s.token, json!({}))
            .await
            .expect(403);
        app.post(&format!("{user_path}/password-reset"), &s.token, json!({}))
            .await
            .expect(403);
    }
    // admin: everything
    app.post("/api/v1/users", &app.admin.token, new_user).await.expect(201);
    app.patch(&user_path, &app.admin.token, json!({"version": 1, "display_name": "Y"}))
        .await
        .expect(200);
    app.post(&format!("{user_path}/password-reset"), &app.admin.token, json!({}))
        .await
        .expect(200);
    app.post(&format!("{user_path}/deactivate"), &app.admin.token, json!({}))
        .await
        .expect(200);
}

async fn lead_sees_only_own_unit_subtree(app: &TestApp) {
    let top = app.create_unit("Dezernat II", None).await;
    let below = app.create_unit("Bürgeramt", Some(&top)).await;
    let elsewhere = app.create_unit("Kämmerei", None).await;
    let lead = app.user("lead", Some(&top)).await;
    let inside = app.user("employee", Some(&below)).await;
    let outside = app.user("employee", Some(&elsewhere)).await;
    let listed = app.get("/api/v1/users?limit=200", &lead.token).await;
    let ids: Vec<String> = listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&inside.user_id));
    assert!(ids.contains(&lead.user_id));
    assert!(!ids.contains(&outside.user_id));
    app.get(&format!("/api/v1/users/{}", inside.user_id), &lead.token)
        .await
        .expect(200);
    app.get(&format!("/api/v1/users/{}", outside.user_id), &lead.token)
        .await
        .expect(403);
}

async fn stale_versions_conflict(app: &TestApp) {
    let u = app.user("employee", None).await;
    let path = format!("/api/v1/users/{}", u.user_id);
    app.patch(&path, &app.admin.token, json!({"version": 1, "display_name": "First"}))
        .await
        .expect(200);
    let stale = app
        .patch(&path, &app.admin.token, json!({"version": 1, "display_name": "Second"}))
        .await;
    stale.expect(409);
    assert_eq!(stale.body["current_version"], 2);
    let missing = app
        .patch(&path, &app.admin.token, json!({"display_name": "Third"}))
        .await;
    missing.expect(422);
    assert_eq!(missing.error_fields(), vec!["version"]);
    // If-Match works as well, with 412 when stale.
    let r = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.admin.token)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Fourth"}))
        .send()
        .await
        .unwrap();
    let r = TestApp::read(r).await;
    r.expect(412);
    let r = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.admin.token)
        .header("if-match", "\"2\"")
        .json(&json!({"display_name": "Fourth"}))
        .send()
        .await
        .unwrap();
    assert_eq!(TestApp::read(r).await.expect(200)["display_name"], "Fourth");
    let got = app.get(&path, &app.admin.token).await;
    assert_eq!(got.body["display_name"], "Fourth");
}

async fn last_admin_cannot_be_removed(app: &TestApp) {
    let path = format!("/api/v1/users/{}", app.admin.user_id);
    let r = app
        .patch(&path, &app.admin.token, json!({"version": 1, "role": "manager"}))
        .await;
    r.expect(409);
    app.post(&format!("{path}/deactivate"), &app.admin.token, json!({}))
        .await
        .expect(409);
    // With a second admin, the first may step down.
    app.user("admin", None).await;
    app.patch(&path, &app.admin.token, json!({"version": 1, "role": "manager"}))
        .await
        .expect(200);
}

async fn other_organizations_users_are_invisible(app: &TestApp) {
    let mine = app.user("employee", None).await;
    let (_, other_admin) = app.other_organization().await;
    let path = format!("/api/v1/users/{}", mine.user_id);
    app.get(&path, &other_admin.token).await.expect(404);
    app.patch(
        &path,
        &other_admin.token,
        json!({"version": 1, "display_name": "Hijack"}),
    )
    .await
    .expect(404);
    app.post(&format!("{path}/deactivate"), &other_admin.token, json!({}))
        .await
        .expect(404);
    app.post(&format!("{path}/password-reset"), &other_admin.token, json!({}))
        .await
        .expect(404);
    let listed = app.get("/api/v1/users?limit=200", &other_admin.token).await;
    let items = listed.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "the other organisation sees only its own admin");
    // A unit of this organisation cannot be assigned over there.
    let unit = app.create_unit("Meine Einheit", None).await;
    let r = app
        .post(
            "/api/v1/users",
            &other_admin.token,
            json!({"email": "z@other.local", "display_name": "Z", "role": "employee", "unit_id": unit, "password": "long-enough-pw-1"}),
        )
        .await;
    r.expect(422);
    // The user was unchanged by all of that.
    let me = app.get(&path, &app.admin.token).await;
    assert_eq!(me.expect(200)["active"], true);
    assert_eq!(me.body["version"], 1);
}

async fn password_reset_issues_a_one_time_password(app: &TestApp) {
    let u = app.user("employee", None).await;
    let r = app
        .post(
            &format!("/api/v1/users/{}/password-reset", u.user_id),
            &app.admin.token,
            json!({}),
        )
        .await;
    let pw = r.expect(200)["initial_password"].as_str().unwrap().to_owned();
    app.login(&u.email, crate::helpers::PASSWORD).await.expect(401);
    let login = app.login(&u.email, &pw).await;
    assert_eq!(login.expect(200)["must_change_password"], true);
    // Sessions from before the reset are gone.
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": u.refresh_token})),
    )
    .await
    .expect(401);
}

/// E-mail addresses are unique per organisation: an admin elsewhere learns nothing from
/// creating or renaming a user to an address in use here, and each account signs in to
/// its own organisation.
async fn another_organisations_addresses_cannot_be_confirmed(app: &TestApp) {
    let mine = app.user("employee", None).await;
    let (_, other_admin) = app.other_organization().await;
    let other_slug = app.get("/api/v1/me", &other_admin.token).await.expect(200)["organization"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .post(
            "/api/v1/users",
            &other_admin.token,
            json!({"email": mine.email.to_uppercase(), "display_name": "Namensvetter", "role": "employee", "password": "anderes-passwort-1"}),
        )
        .await;
    let twin = created.expect(201)["user"]["id"].as_str().unwrap().to_owned();
    // Renaming another user there to the address works the same way.
    let third = app
        .post(
            "/api/v1/users",
            &other_admin.token,
            json!({"email": "dritte@other.local", "display_name": "Dritte", "role": "employee", "password": "anderes-passwort-2"}),
        )
        .await;
    let third = third.expect(201)["user"].clone();
    // Within one organisation the address is still unique (409 there, as before) ...
    let again = app
        .patch(
            &format!("/api/v1/users/{}", third["id"].as_str().unwrap()),
            &other_admin.token,
            json!({"version": third["version"], "email": mine.email}),
        )
        .await;
    again.expect(409);
    assert!(again.body["detail"].as_str().unwrap().contains("in this organisation"));
    // ... and each account signs in to the organisation it names, whatever the password.
    let here = app.login_ok(&mine.email, crate::helpers::PASSWORD).await;
    assert_eq!(here.user_id, mine.user_id);
    let there = app.login_ok_to(&other_slug, &mine.email, "anderes-passwort-1").await;
    assert_eq!(there.user_id, twin);
    // The other organisation's password does not open this one, and the answer does not
    // say whether the address is used elsewhere.
    let wrong = app.login(&mine.email, "anderes-passwort-1").await;
    wrong.expect(401);
    let nobody = app.login("niemand@test.local", "anderes-passwort-1").await;
    nobody.expect(401);
    assert_eq!(wrong.body["detail"], nobody.body["detail"]);
    // With several organisations on the installation, a login must name one.
    let r = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": mine.email, "password": crate::helpers::PASSWORD})),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["organization"]);
    // An unknown organisation answers like a wrong password.
    app.login_to("gibt-es-nicht", &mine.email, crate::helpers::PASSWORD)
        .await
        .expect(401);
}
