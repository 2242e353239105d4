//! The administration over HTTP on both backends: questionnaires (import with errors by
//! field, publish, archive), assessment rounds (create, open, live participation, close,
//! results), the reassessment schedule and the organisation's settings — each checked
//! through the API afterwards — and who may open which page.

use serde_json::{Value, json};

use crate::assessment_support::{builtin_id, items, submit, uniform_answers};
use crate::helpers::{ADMIN_PASSWORD, PASSWORD, Session, TestApp};
use crate::questionnaires::custom;
use crate::web::Browser;

crate::both_backends!(
    questionnaires_are_imported_with_errors_by_field_then_published_and_archived,
    rounds_are_created_opened_followed_and_closed,
    settings_and_schedule_are_saved_against_their_version,
    administration_pages_keep_each_role_and_organisation_out,
    sign_in_settings_are_edited_by_admins_only,
);

async fn signed_in(app: &TestApp, role: &str, unit: Option<&str>) -> (Browser, Session) {
    let who = app.user(role, unit).await;
    let mut b = Browser::new(app);
    let r = b.login(&who.email, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.html);
    (b, who)
}

async fn questionnaire_count(app: &TestApp) -> usize {
    app.get("/api/v1/questionnaires?limit=100", &app.admin.token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

fn id_from(location: &str, prefix: &str) -> String {
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| panic!("{location}"));
    rest.split(['?', '/']).next().unwrap().to_owned()
}

async fn questionnaires_are_imported_with_errors_by_field_then_published_and_archived(app: &TestApp) {
    let (mut admin, _) = signed_in(app, "admin", None).await;
    let list = admin.get("/admin/questionnaires").await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(list.html.contains("lernkultur"), "the built-in questionnaire is listed");
    let before = questionnaire_count(app).await;

    // A definition with mistakes: each is named by its place in the file, nothing is stored.
    let mut bad = custom("teamklima");
    bad["scale"] = json!("stars-10");
    bad["dimensions"][1]["items"][2]["text"] = json!({"de": "   "});
    let r = admin
        .post_file(
            "/admin/questionnaires/import",
            &[],
            "file",
            "teamklima.json",
            serde_json::to_vec(&bad).unwrap(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("id=\"error-summary\""));
    assert!(r.html.contains("<code>scale</code>"), "{}", r.html);
    assert!(r.html.contains("<code>dimensions[1].items[2].text.de</code>"));
    assert!(r.html.contains("aria-invalid=\"true\""));
    assert_eq!(questionnaire_count(app).await, before, "nothing imported");
    // Not JSON at all: the same page with the reason.
    let r = admin
        .post_file(
            "/admin/questionnaires/import",
            &[],
            "file",
            "x.json",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    // No file chosen.
    let r = admin
        .post_file("/admin/questionnaires/import", &[], "file", "", Vec::new())
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert_eq!(questionnaire_count(app).await, before);

    // The corrected file becomes a draft.
    let r = admin
        .post_file(
            "/admin/questionnaires/import",
            &[],
            "file",
            "teamklima.json",
            serde_json::to_vec(&custom("teamklima")).unwrap(),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let location = r.location.unwrap();
    let id = id_from(&location, "/admin/questionnaires/");
    let page = admin.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Entwurf"));
    assert!(page.html.contains("Fehlerkultur") && page.html.contains("Besprechungen sind Zeitverschwendung."));
    let api = app.get(&format!("/api/v1/questionnaires/{id}"), &app.admin.token).await;
    assert_eq!(api.expect(200)["status"], "draft");

    // Publish, then archive; each is what the API then reports.
    let r = admin
        .post_form(&format!("/admin/questionnaires/{id}/publish"), &[], true)
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let api = app.get(&format!("/api/v1/questionnaires/{id}"), &app.admin.token).await;
    assert_eq!(api.expect(200)["status"], "published");
    // Publishing again is refused as the API refuses it, on the error page.
    let r = admin
        .post_form(&format!("/admin/questionnaires/{id}/publish"), &[], true)
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    admin.get("/admin/questionnaires").await;
    let r = admin
        .post_form(&format!("/admin/questionnaires/{id}/archive"), &[], true)
        .await;
    assert_eq!(r.status, 303);
    let api = app.get(&format!("/api/v1/questionnaires/{id}"), &app.admin.token).await;
    assert_eq!(api.expect(200)["status"], "archived");

    // A second draft is deleted.
    let r = admin
        .post_file(
            "/admin/questionnaires/import",
            &[],
            "file",
            "zwei.json",
            serde_json::to_vec(&custom("zweiter")).unwrap(),
        )
        .await;
    let draft = id_from(&r.location.unwrap(), "/admin/questionnaires/");
    admin.get("/admin/questionnaires").await;
    let r = admin
        .post_form(&format!("/admin/questionnaires/{draft}/delete"), &[], true)
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.get(&format!("/api/v1/questionnaires/{draft}"), &app.admin.token)
            .await
            .status
            .as_u16(),
        404
    );
    // A form without its token changes nothing.
    let r = admin
        .post_form(&format!("/admin/questionnaires/{id}/publish"), &[], false)
        .await;
    assert_eq!(r.status, 403);
}

async fn rounds_are_created_opened_followed_and_closed(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let (mut admin, _) = signed_in(app, "admin", Some(&unit)).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let list = admin.get("/admin/rounds").await;
    assert_eq!(list.status, 200, "{}", list.html);

    // Missing title and a closing time before the opening: named, what was typed kept.
    let opens = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let early = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = admin
        .post_form(
            "/admin/rounds",
            &[
                ("questionnaire_id", &qid),
                ("title", ""),
                ("scope_unit_id", ""),
                ("opens_at", &opens),
                ("closes_at", &early),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#title\""), "{}", r.html);
    assert!(r.html.contains("href=\"#closes_at\""));
    assert!(r.html.contains(&format!("value=\"{opens}\"")));
    let rounds = app.get("/api/v1/assessments", &app.admin.token).await;
    assert_eq!(
        rounds.expect(200)["items"].as_array().unwrap().len(),
        0,
        "nothing created"
    );

    // A scheduled round, opened early by hand.
    let closes = (chrono::Utc::now() + chrono::Duration::days(9))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = admin
        .post_form(
            "/admin/rounds",
            &[
                ("questionnaire_id", &qid),
                ("title", "Lernkultur Test"),
                ("scope_unit_id", &unit),
                ("opens_at", &opens),
                ("closes_at", &closes),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let round = id_from(r.location.as_deref().unwrap(), "/admin/rounds/");
    let page = admin.get(&format!("/admin/rounds/{round}")).await;
    assert!(page.html.contains("geplant"), "{}", page.html);
    let api = app.get(&format!("/api/v1/assessments/{round}"), &app.admin.token).await;
    let api = api.expect(200);
    assert_eq!(api["status"], "scheduled");
    assert_eq!(api["scope_unit_id"], unit.as_str());
    assert_eq!(api["closes_at"].as_str().unwrap()[..16], closes[..16], "read as UTC");
    let r = admin.post_form(&format!("/admin/rounds/{round}/open"), &[], true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let api = app.get(&format!("/api/v1/assessments/{round}"), &app.admin.token).await;
    assert_eq!(api.expect(200)["status"], "open");

    // Live participation: responses of the eligible headcount, no figures.
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let eligible = app
        .get(&format!("/api/v1/assessments/{round}"), &app.admin.token)
        .await
        .expect(200)["eligible"]
        .as_i64()
        .unwrap();
    let list = items(app, &qid).await;
    // The five came after the opening: not eligible here, so nobody has answered.
    let page = admin.get(&format!("/admin/rounds/{round}")).await;
    assert!(page.html.contains(&format!("0 von {eligible}")), "{}", page.html);
    assert!(!page.html.contains("id=\"results\""), "no figures while open");

    // A round that opens at once, for the five: they answer, the admin closes it.
    let r = admin
        .post_form(
            "/admin/rounds",
            &[
                ("questionnaire_id", &qid),
                ("title", "Sofortrunde"),
                ("scope_unit_id", &unit),
                ("opens_at", ""),
                ("closes_at", &closes),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let now_round = id_from(r.location.as_deref().unwrap(), "/admin/rounds/");
    for (n, who) in people.iter().enumerate() {
        let s = 2 + (n as i64 % 3);
        assert_eq!(submit(app, &now_round, who, uniform_answers(&list, |_| s)).await, 201);
    }
    let page = admin.get(&format!("/admin/rounds/{now_round}")).await;
    let eligible_now = app
        .get(&format!("/api/v1/assessments/{now_round}"), &app.admin.token)
        .await
        .expect(200)["eligible"]
        .as_i64()
        .unwrap();
    assert!(page.html.contains(&format!("5 von {eligible_now}")), "{}", page.html);
    let r = admin
        .post_form(&format!("/admin/rounds/{now_round}/close"), &[], true)
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = admin.get(&format!("/admin/rounds/{now_round}")).await;
    assert!(page.html.contains("abgeschlossen"));
    assert!(page.html.contains("id=\"results\""), "{}", page.html);
    // The figures are the results endpoint's, written the German way.
    let results = app
        .get(
            &format!("/api/v1/assessments/{now_round}/results?lang=de"),
            &app.admin.token,
        )
        .await;
    let results: Value = results.expect(200).clone();
    for d in results["dimensions"].as_array().unwrap() {
        assert!(page.html.contains(d["name"].as_str().unwrap()));
        let mean = format!("{:.2}", d["mean"].as_f64().unwrap()).replace('.', ",");
        assert!(page.html.contains(&mean), "{mean} in the page");
    }

    // The scheduled-then-opened round is closed too; a closed round cannot be closed again.
    let r = admin
        .post_form(&format!("/admin/rounds/{round}/close"), &[], true)
        .await;
    assert_eq!(r.status, 303);
    let r = admin
        .post_form(&format!("/admin/rounds/{round}/close"), &[], true)
        .await;
    assert_eq!(r.status, 409, "{}", r.html);

    // A scheduled round is deleted.
    let r = admin
        .post_form(
            "/admin/rounds",
            &[
                ("questionnaire_id", &qid),
                ("title", "Später"),
                ("scope_unit_id", ""),
                ("opens_at", &opens),
                ("closes_at", &closes),
            ],
            true,
        )
        .await;
    let later = id_from(r.location.as_deref().unwrap(), "/admin/rounds/");
    admin.get(&format!("/admin/rounds/{later}")).await;
    let r = admin
        .post_form(&format!("/admin/rounds/{later}/delete"), &[], true)
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.get(&format!("/api/v1/assessments/{later}"), &app.admin.token)
            .await
            .status
            .as_u16(),
        404
    );
}

async fn settings_and_schedule_are_saved_against_their_version(app: &TestApp) {
    let (mut admin, _) = signed_in(app, "admin", None).await;
    let org = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    let page = admin.get("/admin/settings").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let version = org["version"].as_i64().unwrap().to_string();
    assert!(page.html.contains(&format!("name=\"version\" value=\"{version}\"")));
    let name = org["name"].as_str().unwrap().to_owned();

    // A k below 3 is refused with the API's reason; nothing changes.
    let form = |k: &'static str, stuck: &'static str, version: String| {
        vec![
            ("version", version),
            ("name", name.clone()),
            ("default_locale", "de".to_owned()),
            ("min_group_size", k.to_owned()),
            ("weak_threshold", "45,5".to_owned()),
            ("weak_count", "2".to_owned()),
            ("stuck_stage_days", stuck.to_owned()),
            ("reference_questionnaire_key", "lernkultur".to_owned()),
        ]
    };
    let pairs = form("2", "30", version.clone());
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.post_form("/admin/settings", &fields, true).await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#min_group_size\""));
    assert!(r.html.contains("value=\"45,5\""), "what was typed is kept");
    let after = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(after["version"], org["version"]);

    // Saved: the API reads the new values (decimal comma understood).
    let pairs = form("7", "30", version.clone());
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.post_form("/admin/settings", &fields, true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let after = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(after["min_group_size"], 7);
    assert_eq!(after["weak_threshold"], 45.5);
    assert_eq!(after["stuck_stage_days"], 30);
    assert!(admin.get("/admin/settings?saved=1").await.html.contains("gespeichert"));

    // The old version again (someone else saved meanwhile): refused, nothing overwritten.
    let pairs = form("9", "60", version);
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.post_form("/admin/settings", &fields, true).await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("Jemand anderes hat das inzwischen geändert"));
    assert!(r.html.contains("value=\"7\""), "the form shows the current values");
    let after = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(after["min_group_size"], 7);
    assert_eq!(after["stuck_stage_days"], 30);

    // The schedule: a window not shorter than the interval is refused, then saved.
    let page = admin.get("/admin/schedule").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let bad = [
        ("version", "0"),
        ("enabled", "true"),
        ("questionnaire_id", ""),
        ("interval_months", "1"),
        ("window_days", "60"),
        ("first_due_at", "2027-03-01T07:00"),
        ("title_pattern", "Lernkultur {month}/{year}"),
    ];
    let r = admin.post_form("/admin/schedule", &bad, true).await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#window_days\""), "{}", r.html);
    let schedule = app
        .get("/api/v1/reassessment", &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(schedule["configured"], false);
    let good = [
        ("version", "0"),
        ("enabled", "true"),
        ("questionnaire_id", ""),
        ("interval_months", "6"),
        ("window_days", "21"),
        ("first_due_at", "2027-03-01T07:00"),
        ("title_pattern", "Lernkultur {month}/{year}"),
    ];
    let r = admin.post_form("/admin/schedule", &good, true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let schedule = app
        .get("/api/v1/reassessment", &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(schedule["enabled"], true);
    assert_eq!(schedule["interval_months"], 6);
    assert_eq!(schedule["window_days"], 21);
    assert_eq!(schedule["first_due_at"], "2027-03-01T07:00:00Z");
    let page = admin.get("/admin/schedule").await;
    assert!(page.html.contains("01.03.2027"), "next due shown: {}", page.html);
    // Saving the version read before again is refused.
    let r = admin.post_form("/admin/schedule", &good, true).await;
    assert_eq!(r.status, 409, "{}", r.html);

    // Open a round now by the schedule's settings.
    admin.get("/admin/schedule").await;
    let r = admin.post_form("/admin/schedule/trigger", &[], true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let round = id_from(r.location.as_deref().unwrap(), "/admin/rounds/");
    let api = app.get(&format!("/api/v1/assessments/{round}"), &app.admin.token).await;
    assert_eq!(api.expect(200)["status"], "open");
}

async fn administration_pages_keep_each_role_and_organisation_out(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let round = crate::assessment_support::open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let admin_only = [
        "/admin",
        "/admin/questionnaires",
        "/admin/settings",
        &format!("/admin/questionnaires/{qid}"),
    ];
    let managers_too = ["/admin/rounds", "/admin/schedule", &format!("/admin/rounds/{round}")];
    for role in ["employee", "lead", "manager"] {
        let (mut b, _) = signed_in(app, role, Some(&unit)).await;
        for path in admin_only {
            let r = b.get(path).await;
            assert_eq!(r.status, 403, "{role} {path}");
            assert!(r.html.contains("Dafür fehlt Ihnen die Berechtigung."));
        }
        for path in managers_too {
            let r = b.get(path).await;
            assert_eq!(r.status, if role == "manager" { 200 } else { 403 }, "{role} {path}");
        }
        b.get("/").await;
        for (path, fields) in [
            ("/admin/settings", vec![("version", "1"), ("name", "X")]),
            ("/admin/schedule", vec![("version", "0")]),
            ("/admin/schedule/trigger", vec![]),
            (&*format!("/admin/questionnaires/{qid}/archive"), vec![]),
        ] {
            let r = b.post_form(path, &fields, true).await;
            assert_eq!(r.status, 403, "{role} POST {path}");
        }
        let r = b.post_form(&format!("/admin/rounds/{round}/close"), &[], true).await;
        if role == "manager" {
            assert_eq!(r.status, 303, "managers close rounds as the API lets them");
        } else {
            assert_eq!(r.status, 403, "{role} closes a round");
        }
        if role == "manager" {
            // The schedule is read-only for managers: no form.
            let page = b.get("/admin/schedule").await;
            assert!(!page.html.contains("action=\"/admin/schedule\""));
            assert!(
                page.html.contains("href=\"/admin/rounds\""),
                "their navigation leads to the rounds"
            );
        }
    }
    let api = app
        .get(&format!("/api/v1/questionnaires/{qid}"), &app.admin.token)
        .await;
    assert_eq!(api.expect(200)["status"], "published", "nothing was archived");

    // Another organisation's admin: our round and questionnaire do not exist for them.
    let (_, theirs) = app.other_organization().await;
    let slug = app.get("/api/v1/organization", &theirs.token).await.expect(200)["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = Browser::new(app);
    b.get("/login").await;
    let r = b
        .post_form(
            "/login",
            &[
                ("email", &theirs.email),
                ("password", ADMIN_PASSWORD),
                ("organization", &slug),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(b.get(&format!("/admin/rounds/{round}")).await.status, 404);
    assert_eq!(b.get(&format!("/admin/questionnaires/{qid}")).await.status, 404);
    b.get("/admin/rounds").await;
    assert_eq!(
        b.post_form(&format!("/admin/rounds/{round}/open"), &[], true)
            .await
            .status,
        404
    );
    assert_eq!(
        b.post_form(&format!("/admin/questionnaires/{qid}/archive"), &[], true)
            .await
            .status,
        404
    );
    let ours = app.get(&format!("/api/v1/assessments/{round}"), &app.admin.token).await;
    assert_eq!(
        ours.expect(200)["status"],
        "closed",
        "closed by the manager above, untouched since"
    );
}

async fn send(b: &mut Browser, pairs: Vec<(String, String)>, token: bool) -> crate::web::Page {
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form("/admin/sign-in", &fields, token).await
}

/// The sign-in settings page: only admins; saved through the API's validation and store
/// (what the API then returns equals what was entered), the secret never shown, field errors
/// beside the fields, a stale version refused, mapping rows added and removed without
/// JavaScript.
async fn sign_in_settings_are_edited_by_admins_only(app: &TestApp) {
    // Other roles get the 403 page, for reading and for saving.
    for role in ["employee", "lead", "manager"] {
        let (mut b, _) = signed_in(app, role, None).await;
        let r = b.get("/admin/sign-in").await;
        assert_eq!(r.status, 403, "{role}");
        assert!(r.html.contains("Dafür fehlt Ihnen die Berechtigung."));
        b.get("/").await;
        let r = b
            .post_form("/admin/sign-in", &[("version", "0"), ("enabled", "true")], true)
            .await;
        assert_eq!(r.status, 403, "{role} POST");
    }
    let r = Browser::new(app).get("/admin/sign-in").await;
    assert_eq!(r.status, 303, "signed out: to the sign-in");

    let (mut admin, _) = signed_in(app, "admin", None).await;
    assert!(admin.get("/admin").await.html.contains("href=\"/admin/sign-in\""));
    let page = admin.get("/admin/sign-in").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("name=\"version\" value=\"0\""));
    assert!(page.html.contains(&format!("/o/{}/sso/callback", app.org_slug)));
    let unit = app.create_unit("Bürgeramt", None).await;
    assert!(page.html.contains("id=\"group_2\""), "three empty rows");

    let form = |version: &'static str, issuer: &'static str, secret: &'static str| {
        vec![
            ("version", version.to_owned()),
            ("enabled", "true".to_owned()),
            ("issuer_url", issuer.to_owned()),
            ("client_id", "kaizen-web".to_owned()),
            ("client_secret", secret.to_owned()),
            ("scopes", "openid email groups".to_owned()),
            ("email_claim", "preferred_username".to_owned()),
            ("groups_claim", "roles".to_owned()),
            ("password_login", "true".to_owned()),
            ("rows", "3".to_owned()),
            ("group_0", "kaizen-leads".to_owned()),
            ("role_0", "lead".to_owned()),
            ("unit_0", unit.clone()),
            ("group_1", "kaizen-management".to_owned()),
            ("role_1", "manager".to_owned()),
            ("unit_1", String::new()),
            ("group_2", String::new()),
            ("role_2", "employee".to_owned()),
            ("unit_2", String::new()),
        ]
    };
    let post = |pairs: &Vec<(&'static str, String)>| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    };

    // Without the form token: refused.
    let r = send(
        &mut admin,
        post(&form("0", "https://sso.example.org/realms/k", "s3cret-web")),
        false,
    )
    .await;
    assert_eq!(r.status, 403);

    // An issuer without https: the error beside the field and in the summary, what was
    // typed kept, nothing saved.
    admin.get("/admin/sign-in").await;
    let r = send(
        &mut admin,
        post(&form("0", "http://sso.example.org/realms/k", "s3cret-web")),
        true,
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#issuer_url\""), "{}", r.html);
    assert!(r.html.contains("id=\"issuer_url-error\""));
    assert!(r.html.contains("value=\"http://sso.example.org/realms/k\""));
    assert!(!r.html.contains("s3cret-web"), "the secret is not shown back");
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    assert_eq!(api.expect(200)["version"], 0);

    // A mapping to a unit that does not exist: the error at that row's unit.
    let mut bad = form("0", "https://sso.example.org/realms/k", "s3cret-web");
    bad[12].1 = "no-such-unit".to_owned();
    let r = send(&mut admin, post(&bad), true).await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#unit_0\""), "{}", r.html);
    assert!(r.html.contains("id=\"unit_0-error\""));

    // Saved: the API returns what was entered.
    let r = send(
        &mut admin,
        post(&form("0", "https://sso.example.org/realms/k", "s3cret-web")),
        true,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some("/admin/sign-in?saved=1"));
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    let saved = api.expect(200).clone();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["issuer_url"], "https://sso.example.org/realms/k");
    assert_eq!(saved["client_id"], "kaizen-web");
    assert_eq!(saved["client_secret_set"], true);
    assert_eq!(saved["scopes"], json!(["openid", "email", "groups"]));
    assert_eq!(saved["email_claim"], "preferred_username");
    assert_eq!(saved["groups_claim"], "roles");
    assert_eq!(saved["password_login"], true);
    assert_eq!(saved["trust_email_without_verified"], false, "unticked");
    assert_eq!(
        saved["group_mappings"],
        json!([
            {"group": "kaizen-leads", "role": "lead", "unit_id": unit},
            {"group": "kaizen-management", "role": "manager", "unit_id": null},
        ])
    );
    let page = admin.get("/admin/sign-in?saved=1").await;
    assert!(page.html.contains("gespeichert"));
    assert!(!page.html.contains("s3cret-web"), "the secret is never shown");
    assert!(page.html.contains("Ein Geheimnis ist gespeichert"));
    assert!(page.html.contains("value=\"kaizen-leads\""));
    assert!(
        page.html.contains("id=\"group_4\""),
        "two saved rows and three empty ones"
    );
    let audit = app
        .get("/api/v1/audit?action=organization.sign_in_changed", &app.admin.token)
        .await;
    assert_eq!(audit.expect(200)["items"][0]["details"]["client_secret"], "replaced");

    // More rows without saving.
    let mut more = form("1", "https://sso.example.org/realms/changed", "");
    more.push(("action", "more_rows".to_owned()));
    let r = send(&mut admin, post(&more), true).await;
    assert_eq!(r.status, 200);
    assert!(r.html.contains("id=\"group_5\""));
    assert!(
        r.html.contains("value=\"https://sso.example.org/realms/changed\""),
        "typed values kept"
    );
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    assert_eq!(api.expect(200)["version"], 1, "nothing saved");

    // The secret left empty stays; a row marked for removal goes; password sign-in off.
    let mut next = form("1", "https://sso.example.org/realms/k", "");
    next.push(("remove_0", "true".to_owned()));
    next.retain(|(k, _)| *k != "password_login");
    let r = send(&mut admin, post(&next), true).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    let saved = api.expect(200).clone();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["client_secret_set"], true, "kept when left empty");
    assert_eq!(saved["password_login"], false);
    assert_eq!(
        saved["group_mappings"],
        json!([{"group": "kaizen-management", "role": "manager", "unit_id": null}])
    );

    // The old version again: refused, the form shows today's values.
    let r = send(
        &mut admin,
        post(&form("1", "https://sso.example.org/realms/old", "")),
        true,
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("Jemand anderes hat das inzwischen geändert"));
    assert!(r.html.contains("name=\"version\" value=\"2\""));
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    assert_eq!(api.expect(200)["issuer_url"], "https://sso.example.org/realms/k");

    // Another organisation's admin sees only their own (unset) settings.
    let (_, other) = app.other_organization().await;
    let theirs = app.get("/api/v1/organization/sign-in", &other.token).await;
    assert_eq!(theirs.expect(200)["version"], 0);
}
