//! The administration in real Chromium (issue 14, part 4): an admin finds the sections,
//! creates a unit and a person in it (once with a mistake; the password shown once signs
//! in), opens the staff import, imports a questionnaire first with mistakes (each named by its place in the file) and
//! then right, publishes it, opens a round for it, follows the participation while staff
//! answer, closes it and reads the results; the schedule and the settings, the latter
//! once with an error. axe-core runs on every page; each change is checked through the
//! JSON API.

use std::io::Write;

use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::questionnaires::custom;
use crate::web_browser::{Shot, accessible, click, fill, go, path_of, source};

/// A definition file on disk for the file input.
fn definition_file(dir: &tempfile::TempDir, name: &str, body: &serde_json::Value) -> String {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(serde_json::to_string_pretty(body).unwrap().as_bytes())
        .unwrap();
    path.to_str().unwrap().to_owned()
}

async fn upload(browser: &Browser, path: &str) {
    let input = browser.client.find(fantoccini::Locator::Id("file")).await.unwrap();
    input.send_keys(path).await.unwrap();
    click(browser, "#import-questionnaire").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_up_a_questionnaire_and_runs_a_round() {
    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    let app = match TestApp::spawn(Backend::Postgres).await {
        Some(app) => app,
        None => TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app"),
    };
    let shots = Shot::new();
    let files = tempfile::tempdir().unwrap();
    let unit = app.create_unit("Bürgeramt", None).await;
    let admin = app.user("admin", Some(&unit)).await;
    let mut staff = Vec::new();
    for _ in 0..5 {
        staff.push(app.user("employee", Some(&unit)).await);
    }

    go(&browser, &app, "/login").await;
    fill(&browser, "email", &admin.email).await;
    fill(&browser, "password", PASSWORD).await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for("#idea-heading").await.unwrap();
    click(&browser, "nav a[href='/admin']").await;
    browser.wait_for(".app-sections").await.unwrap();
    accessible(&browser, "administration overview").await;
    shots.take(&browser, "admin").await;

    // A unit below the Bürgeramt, and a person in it with a password shown once.
    click(&browser, "a[href='/admin/units']").await;
    browser.wait_for("#create-unit").await.unwrap();
    accessible(&browser, "units").await;
    fill(&browser, "name", "Meldestelle").await;
    let parent = browser.client.find(fantoccini::Locator::Id("parent_id")).await.unwrap();
    parent.select_by_value(&unit).await.unwrap();
    click(&browser, "#create-unit").await;
    // The tree was there before the form was sent: wait for the answer's confirmation.
    browser.wait_for(".kern-alert--success").await.unwrap();
    let units = app.get("/api/v1/units?limit=100", &app.admin.token).await;
    let meldestelle = units.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Meldestelle")
        .expect("the unit was created")
        .clone();
    assert_eq!(meldestelle["parent_id"], unit.as_str());
    let meldestelle = meldestelle["id"].as_str().unwrap().to_owned();
    accessible(&browser, "units with the new one").await;
    go(&browser, &app, "/admin/staff").await;
    browser.wait_for("#new-person").await.unwrap();
    accessible(&browser, "staff").await;
    click(&browser, "#new-person").await;
    browser.wait_for("#create-person").await.unwrap();
    fill(&browser, "display_name", "Jonas Neumann").await;
    fill(&browser, "email", "kein-at-zeichen").await;
    click(&browser, "#create-person").await;
    browser.wait_for("#error-summary").await.unwrap();
    accessible(&browser, "new person with an error").await;
    fill(&browser, "email", "jonas.neumann@test.local").await;
    let role = browser.client.find(fantoccini::Locator::Id("role")).await.unwrap();
    role.select_by_value("lead").await.unwrap();
    let unit_select = browser.client.find(fantoccini::Locator::Id("unit_id")).await.unwrap();
    unit_select.select_by_value(&meldestelle).await.unwrap();
    click(&browser, "#create-person").await;
    let generated = browser
        .wait_for("#initial-password")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    accessible(&browser, "person created").await;
    let login = app.login("jonas.neumann@test.local", generated.trim()).await;
    assert_eq!(login.status.as_u16(), 200, "the password shown signs in");
    go(&browser, &app, "/admin/staff/import").await;
    browser.wait_for("form[action='/admin/staff/import']").await.unwrap();
    accessible(&browser, "staff import").await;

    // A questionnaire: first with mistakes, then right.
    go(&browser, &app, "/admin").await;
    browser.wait_for(".app-sections").await.unwrap();
    click(&browser, "a[href='/admin/questionnaires']").await;
    browser.wait_for("#import-questionnaire").await.unwrap();
    accessible(&browser, "questionnaires").await;
    let mut bad = custom("teamklima");
    bad["dimensions"][0]["items"][1]["key"] = json!("ec.1");
    bad["dimensions"][1]["items"][2]["text"] = json!({"de": "   "});
    upload(&browser, &definition_file(&files, "falsch.json", &bad)).await;
    browser.wait_for("#file-problems").await.unwrap();
    let html = source(&browser).await;
    assert!(
        html.contains("<code>dimensions[0].items[1].key</code>"),
        "the duplicate key is named"
    );
    assert!(
        html.contains("<code>dimensions[1].items[2].text.de</code>"),
        "the empty text is named"
    );
    accessible(&browser, "import with errors").await;
    shots.take(&browser, "admin-import-errors").await;
    upload(
        &browser,
        &definition_file(&files, "teamklima.json", &custom("teamklima")),
    )
    .await;
    browser.wait_for("#publish").await.unwrap();
    accessible(&browser, "imported draft").await;
    let id = path_of(&browser).await["/admin/questionnaires/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    click(&browser, "#publish").await;
    browser.wait_for("#archive").await.unwrap();
    let q = app.get(&format!("/api/v1/questionnaires/{id}"), &app.admin.token).await;
    assert_eq!(q.expect(200)["status"], "published");

    // A round for it, opened at once for the unit.
    go(&browser, &app, "/admin/rounds").await;
    browser.wait_for("#create-round").await.unwrap();
    accessible(&browser, "rounds").await;
    let select = browser
        .client
        .find(fantoccini::Locator::Id("questionnaire_id"))
        .await
        .unwrap();
    select.select_by_value(&id).await.unwrap();
    fill(&browser, "title", "Teamklima Winter").await;
    let scope = browser
        .client
        .find(fantoccini::Locator::Id("scope_unit_id"))
        .await
        .unwrap();
    scope.select_by_value(&unit).await.unwrap();
    click(&browser, "#create-round").await;
    browser.wait_for("#close-round").await.unwrap();
    accessible(&browser, "open round").await;
    let round = path_of(&browser).await["/admin/rounds/".len()..].to_owned();
    let r = app.get(&format!("/api/v1/assessments/{round}"), &app.admin.token).await;
    let eligible = r.expect(200)["eligible"].as_i64().unwrap();
    assert_eq!(
        eligible, 7,
        "the unit's five employees, the admin and the new lead below it"
    );

    // Staff answer; the page follows the participation.
    let items = crate::assessment_support::items(&app, &id).await;
    for (n, who) in staff.iter().enumerate() {
        let s = 2 + (n as i64 % 3);
        let body = crate::assessment_support::uniform_answers(&items, |_| s);
        assert_eq!(crate::assessment_support::submit(&app, &round, who, body).await, 201);
    }
    browser.client.refresh().await.unwrap();
    let participation = browser.wait_for("#participation").await.unwrap().text().await.unwrap();
    assert_eq!(participation.trim(), "5 von 7 (71 %)");

    // Closed: the results, as the results endpoint computes them.
    click(&browser, "#close-round").await;
    browser.wait_for("#results").await.unwrap();
    accessible(&browser, "round results").await;
    shots.take(&browser, "admin-round").await;
    let results = app
        .get(
            &format!("/api/v1/assessments/{round}/results?lang=de"),
            &app.admin.token,
        )
        .await;
    let html = source(&browser).await;
    for d in results.expect(200)["dimensions"].as_array().unwrap() {
        let mean = format!("{:.2}", d["mean"].as_f64().unwrap()).replace('.', ",");
        assert!(html.contains(&mean), "{} {mean}", d["name"]);
    }

    // The schedule and the settings.
    go(&browser, &app, "/admin/schedule").await;
    browser.wait_for("#save-schedule").await.unwrap();
    accessible(&browser, "schedule").await;
    go(&browser, &app, "/admin/settings").await;
    browser.wait_for("#save-settings").await.unwrap();
    accessible(&browser, "settings").await;
    fill(&browser, "min_group_size", "2").await;
    click(&browser, "#save-settings").await;
    browser.wait_for("#error-summary").await.unwrap();
    accessible(&browser, "settings with an error").await;
    fill(&browser, "min_group_size", "6").await;
    click(&browser, "#save-settings").await;
    browser.wait_for(".kern-alert--success").await.unwrap();
    let org = app.get("/api/v1/organization", &app.admin.token).await;
    assert_eq!(org.expect(200)["min_group_size"], 6);

    // The audit trail shows what this journey did.
    go(&browser, &app, "/admin/audit").await;
    browser.wait_for("#audit").await.unwrap();
    accessible(&browser, "audit trail").await;
    let html = source(&browser).await;
    for action in [
        "unit.created",
        "user.created",
        "questionnaire.published",
        "round.closed",
        "organization.settings_changed",
    ] {
        assert!(
            html.contains(&format!("<code>{action}</code>")),
            "{action} in the audit trail"
        );
    }
    assert!(html.contains("Die Kette ist unversehrt"));
    browser.close().await;
    app.shutdown().await;
}

/// The sign-in settings page in Chromium: reached from the administration overview, axe
/// finds nothing with and without errors (an issuer without https), more mapping rows
/// without JavaScript's help, and a saved change equals what the API returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_the_sign_in_settings() {
    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    let app = match TestApp::spawn(Backend::Postgres).await {
        Some(app) => app,
        None => TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app"),
    };
    let admin = app.user("admin", None).await;
    go(&browser, &app, "/login").await;
    fill(&browser, "email", &admin.email).await;
    fill(&browser, "password", PASSWORD).await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for("#idea-heading").await.unwrap();
    click(&browser, "nav a[href='/admin']").await;
    browser.wait_for(".app-sections").await.unwrap();
    click(&browser, "a[href='/admin/sign-in']").await;
    browser.wait_for("#save-sign-in").await.unwrap();
    accessible(&browser, "sign-in settings").await;

    click(&browser, "label[for=enabled]").await;
    fill(&browser, "issuer_url", "http://sso.example.org/realms/musterstadt").await;
    fill(&browser, "client_id", "kaizen").await;
    fill(&browser, "group_0", "kaizen-verwaltungsleitung").await;
    click(&browser, "#save-sign-in").await;
    browser.wait_for("#error-summary").await.unwrap();
    assert!(source(&browser).await.contains("id=\"issuer_url-error\""));
    accessible(&browser, "sign-in settings with an error").await;

    click(&browser, "#more-rows").await;
    browser.wait_for("#group_5").await.unwrap();
    fill(&browser, "issuer_url", "https://sso.example.org/realms/musterstadt").await;
    fill(&browser, "client_secret", "browser-secret-value").await;
    click(&browser, "#save-sign-in").await;
    browser.wait_for(".kern-alert--success").await.unwrap();
    assert_eq!(path_of(&browser).await, "/admin/sign-in?saved=1");
    assert!(!source(&browser).await.contains("browser-secret-value"));
    accessible(&browser, "sign-in settings saved").await;
    let api = app.get("/api/v1/organization/sign-in", &app.admin.token).await;
    let saved = api.expect(200);
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["issuer_url"], "https://sso.example.org/realms/musterstadt");
    assert_eq!(saved["client_id"], "kaizen");
    assert_eq!(saved["client_secret_set"], true);
    assert_eq!(
        saved["group_mappings"],
        json!([{"group": "kaizen-verwaltungsleitung", "role": "employee", "unit_id": null}])
    );
    app.shutdown().await;
}
