//! The lead's and the pilot owner's journeys in real Chromium (issue 14, part 2): an idea
//! from acceptance through Do (first with evidence missing), Check and Act by its owner, to
//! its adoption as the new standard; a second lead whose step comes too late gets the
//! conflict (409) and nothing is overwritten; the board and a step form by keyboard alone.
//! axe-core runs on every page of these journeys; each state is checked through the JSON API.

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, Session, TestApp};
use crate::web_browser::{Shot, accessible, click, fill, go, path_of, source, tab_to};

/// An idea handed in by `author` through the API.
async fn idea_by(app: &TestApp, author: &Session, unit: &str, title: &str) -> String {
    let r = app
        .post(
            "/api/v1/ideas",
            &author.token,
            json!({"title": title, "current_situation": "Anträge liegen tagelang im Eingangskorb.",
                   "proposal": "Eine digitale Eingangsliste.", "expected_benefit": "Schnellere Bearbeitung.",
                   "unit_id": unit, "dimensions": ["experimentation"]}),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn idea(app: &TestApp, who: &Session, id: &str) -> Value {
    app.get(&format!("/api/v1/ideas/{id}"), &who.token)
        .await
        .expect(200)
        .clone()
}

/// The history's steps as (action, actor id), oldest first.
async fn history(app: &TestApp, who: &Session, id: &str) -> Vec<(String, String)> {
    let r = app.get(&format!("/api/v1/ideas/{id}/history"), &who.token).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn transition(app: &TestApp, who: &Session, id: &str, body: Value) {
    let r = app
        .post(&format!("/api/v1/ideas/{id}/transitions"), &who.token, body)
        .await;
    r.expect(200);
}

/// The full plan a `start` needs, sent through the API by a lead.
fn full_plan(version: i64, owner: &str, kpi: &str) -> Value {
    json!({"action": "start", "version": version, "owner_id": owner, "problem": "Zu viel Papier.",
           "goal": "Schneller", "kpi_name": kpi, "kpi_baseline": 10, "kpi_target": 5,
           "lower_is_better": true, "due_date": crate::helpers::days_ahead(30),
           "prediction": "Halb so lang."})
}

/// The HTTP status of the page the browser shows now (Navigation Timing).
async fn status_code(browser: &Browser) -> u64 {
    let v = browser
        .client
        .execute(
            "return performance.getEntriesByType('navigation')[0].responseStatus;",
            vec![],
        )
        .await
        .unwrap();
    v.as_u64().unwrap_or_else(|| panic!("no response status: {v}"))
}

async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    go(browser, app, "/login").await;
    browser.wait_for("#email").await.unwrap();
    fill(browser, "email", email).await;
    fill(browser, "password", PASSWORD).await;
    click(browser, "form button[type=submit]").await;
    browser.wait_for("#idea-heading").await.unwrap();
}

async fn sign_out(browser: &Browser) {
    click(browser, "form[action='/logout'] button[type=submit]").await;
    browser.wait_for("#email").await.unwrap();
    assert!(path_of(browser).await.starts_with("/login"));
}

/// Sends the step form and expects the idea's page; the refusal is shown otherwise.
async fn take_step(browser: &Browser) {
    click(browser, "#take-step").await;
    if browser.wait_for("#steps-heading, #history-heading").await.is_err()
        || source(browser).await.contains("error-summary")
    {
        let html = source(browser).await;
        let at = html.find("<main").unwrap_or(0);
        panic!("the step was refused: {}", &html[at..(at + 3000).min(html.len())]);
    }
}

/// The value shown for a stage field on the idea's page.
async fn shown(browser: &Browser, label: &str) -> String {
    let xpath = format!("//dt[normalize-space()='{label}']/following-sibling::dd[1]");
    match browser.client.find(Locator::XPath(&xpath)).await {
        Ok(dd) => dd.text().await.unwrap().trim().to_owned(),
        Err(_) => panic!("the idea page shows no “{label}”"),
    }
}

/// The texts of the list items inside `css`.
async fn items(browser: &Browser, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for li in browser.client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(li.text().await.unwrap().trim().to_owned());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pilot_from_acceptance_to_the_new_standard() {
    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    // PostgreSQL when configured (the conflict journey runs on SQLite).
    let app = match TestApp::spawn(Backend::Postgres).await {
        Some(app) => app,
        None => TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app"),
    };
    let shots = Shot::new();
    let unit = app.create_unit("Bürgeramt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let owner = app.user("employee", Some(&unit)).await;
    let id = idea_by(&app, &author, &unit, "Eingangsliste statt Papierkorb").await;

    // The lead: board, idea, accept.
    sign_in(&browser, &app, &lead.email).await;
    go(&browser, &app, "/board").await;
    browser.wait_for(".app-card").await.unwrap();
    accessible(&browser, "PDCA board").await;
    click(&browser, &format!(".app-card a[href='/ideas/{id}']")).await;
    browser.wait_for("#steps-heading").await.unwrap();
    accessible(&browser, "idea page for the lead").await;
    click(&browser, &format!("a[href='/ideas/{id}/steps/accept']")).await;
    browser.wait_for("#take-step").await.unwrap();
    accessible(&browser, "accept form").await;
    fill(&browser, "goal", "Kein Antrag wartet länger als zwei Tage.").await;
    take_step(&browser).await;
    let now = idea(&app, &lead, &id).await;
    assert_eq!(now["status"], "plan");
    assert_eq!(
        now["cycles"][0]["plan"]["goal"],
        "Kein Antrag wartet länger als zwei Tage."
    );

    // Start: what is missing is named before and after sending.
    click(&browser, &format!("a[href='/ideas/{id}/steps/start']")).await;
    browser.wait_for("#take-step").await.unwrap();
    accessible(&browser, "start form").await;
    let missing = items(&browser, ".kern-alert--info li").await;
    for label in [
        "Verantwortlich für den Pilot",
        "Problem und Ursache",
        "Kennzahl",
        "Ausgangswert",
        "Zielwert",
        "Messen am",
        "Erwartung",
    ] {
        assert!(
            missing.iter().any(|m| m == label),
            "{label} is not named missing: {missing:?}"
        );
    }
    assert!(
        !missing.iter().any(|m| m == "Ziel"),
        "the goal is on record: {missing:?}"
    );
    assert_eq!(
        browser
            .client
            .find(Locator::Id("goal"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Kein Antrag wartet länger als zwei Tage."),
        "the goal on record is shown in its field"
    );
    fill(&browser, "kpi_name", "Tage bis zur Bearbeitung").await;
    fill(&browser, "kpi_unit", "Tage").await;
    click(&browser, "#take-step").await;
    browser.wait_for("#error-summary").await.unwrap();
    assert_eq!(status_code(&browser).await, 422);
    assert_eq!(browser.focused_id().await.unwrap(), "error-summary");
    let summary = items(&browser, "#error-summary li").await;
    for label in [
        "Verantwortlich für den Pilot",
        "Problem und Ursache",
        "Ausgangswert",
        "Zielwert",
        "Messen am",
        "Erwartung",
    ] {
        assert!(
            summary.contains(&format!("{label}: Ist für diesen Schritt erforderlich.")),
            "{label}: {summary:?}"
        );
    }
    assert!(!summary.iter().any(|s| s.starts_with("Kennzahl:")), "{summary:?}");
    for field in [
        "owner_id",
        "problem",
        "kpi_baseline",
        "kpi_target",
        "due_date",
        "prediction",
    ] {
        browser
            .client
            .find(Locator::Css(&format!("#error-summary a[href='#{field}']")))
            .await
            .unwrap_or_else(|_| panic!("the summary links #{field}"));
        let input = browser.client.find(Locator::Id(field)).await.unwrap();
        assert_eq!(
            input.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true"),
            "{field}"
        );
    }
    let kept = browser.client.find(Locator::Id("kpi_name")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("Tage bis zur Bearbeitung")
    );
    accessible(&browser, "start form with errors").await;
    shots.take(&browser, "step-errors").await;
    let now = idea(&app, &lead, &id).await;
    assert_eq!(now["status"], "plan", "nothing moved");
    assert_eq!(now["version"], 2);

    // The link in the summary leads to the field.
    click(&browser, "#error-summary a[href='#owner_id']").await;
    assert_eq!(browser.focused_id().await.unwrap(), "owner_id");
    fill(&browser, "owner_id", &owner.email).await;
    fill(&browser, "problem", "Papieranträge gehen im Korb unter.").await;
    fill(&browser, "kpi_baseline", "6").await;
    fill(&browser, "kpi_target", "2,5").await;
    click(&browser, "label[for='lower_is_better-yes']").await;
    let due = crate::helpers::days_ahead(45);
    // A date field takes the date as the browser's locale writes it: set it directly.
    browser
        .client
        .execute(
            "document.getElementById('due_date').value = arguments[0];",
            vec![json!(due)],
        )
        .await
        .unwrap();
    fill(&browser, "prediction", "Die meisten Anträge am selben Tag.").await;
    take_step(&browser).await;
    accessible(&browser, "idea page in Do").await;
    let now = idea(&app, &lead, &id).await;
    assert_eq!(now["status"], "do");
    assert_eq!(now["owner"]["id"], owner.user_id.as_str());
    let plan = &now["cycles"][0]["plan"];
    assert_eq!(plan["problem"], "Papieranträge gehen im Korb unter.");
    assert_eq!(plan["goal"], "Kein Antrag wartet länger als zwei Tage.");
    assert_eq!(plan["kpi_name"], "Tage bis zur Bearbeitung");
    assert_eq!(plan["kpi_unit"], "Tage");
    assert_eq!(plan["kpi_baseline"], 6.0);
    assert_eq!(plan["kpi_target"], 2.5);
    assert_eq!(plan["lower_is_better"], true);
    assert_eq!(plan["due_date"], due.as_str());
    assert_eq!(plan["prediction"], "Die meisten Anträge am selben Tag.");
    // The lead does not record the owner's steps for them here: the owner signs in.
    sign_out(&browser).await;

    // The owner (an employee): Check and Act, and no decision steps.
    sign_in(&browser, &app, &owner.email).await;
    go(&browser, &app, &format!("/ideas/{id}")).await;
    browser.wait_for("#steps-heading").await.unwrap();
    accessible(&browser, "idea page for the owner").await;
    let html = source(&browser).await;
    assert!(html.contains(&format!("/ideas/{id}/steps/check")));
    assert!(
        !html.contains(&format!("/ideas/{id}/steps/abandon")),
        "no decisions for the owner"
    );
    click(&browser, &format!("a[href='/ideas/{id}/steps/check']")).await;
    browser.wait_for("#take-step").await.unwrap();
    accessible(&browser, "check form").await;
    fill(
        &browser,
        "do_summary",
        "Vier Wochen lang jede Post in die Liste eingetragen.",
    )
    .await;
    click(&browser, "label[for='ran_as_planned-yes']").await;
    take_step(&browser).await;
    let now = idea(&app, &owner, &id).await;
    assert_eq!(now["status"], "check");
    assert_eq!(
        now["cycles"][0]["do"]["summary"],
        "Vier Wochen lang jede Post in die Liste eingetragen."
    );
    assert_eq!(now["cycles"][0]["do"]["ran_as_planned"], true);

    click(&browser, &format!("a[href='/ideas/{id}/steps/act']")).await;
    browser.wait_for("#take-step").await.unwrap();
    accessible(&browser, "act form").await;
    fill(&browser, "measured_value", "1,5").await;
    fill(&browser, "measured_hours_saved_per_year", "120").await;
    fill(&browser, "findings", "Die Liste zeigt, was liegen bleibt.").await;
    take_step(&browser).await;
    accessible(&browser, "idea page with the measurement").await;
    let now = idea(&app, &owner, &id).await;
    assert_eq!(now["status"], "act");
    let check = &now["cycles"][0]["check"];
    assert_eq!(check["measured_value"], 1.5);
    assert_eq!(check["target_met"], true);
    // (6 − 1.5) / 6 = 75 % better, a lower value being better.
    assert!(
        (check["relative_improvement"].as_f64().unwrap() - 0.75).abs() < 1e-9,
        "{check}"
    );
    assert_eq!(check["measured_hours_saved_per_year"], 120.0);
    // The page shows the computed result, not only the typed value.
    assert_eq!(shown(&browser, "Gemessener Wert").await, "1,5");
    assert_eq!(shown(&browser, "Ziel erreicht").await, "ja");
    assert_eq!(shown(&browser, "Verbesserung gegenüber dem Ausgangswert").await, "75 %");
    let html = source(&browser).await;
    assert!(
        !html.contains(&format!("/ideas/{id}/steps/adopt")),
        "adopting is the lead's"
    );
    sign_out(&browser).await;

    // The lead adopts it as the new standard.
    sign_in(&browser, &app, &lead.email).await;
    go(&browser, &app, &format!("/ideas/{id}")).await;
    browser.wait_for("#steps-heading").await.unwrap();
    click(&browser, &format!("a[href='/ideas/{id}/steps/adopt']")).await;
    browser.wait_for("#take-step").await.unwrap();
    accessible(&browser, "adopt form").await;
    fill(
        &browser,
        "new_standard",
        "Jede Eingangspost kommt am selben Tag in die Liste.",
    )
    .await;
    take_step(&browser).await;
    accessible(&browser, "idea page, adopted").await;
    assert_eq!(shown(&browser, "Entscheidung").await, "als Standard übernommen");
    assert_eq!(
        shown(&browser, "Neuer Standard").await,
        "Jede Eingangspost kommt am selben Tag in die Liste."
    );
    let now = idea(&app, &lead, &id).await;
    assert_eq!(now["status"], "done");
    assert_eq!(now["cycles"][0]["act"]["outcome"], "adopted");
    assert_eq!(
        now["cycles"][0]["act"]["new_standard"],
        "Jede Eingangspost kommt am selben Tag in die Liste."
    );
    assert!(now["cycles"][0]["closed_at"].is_string(), "{now}");
    let steps = history(&app, &lead, &id).await;
    let expected = [
        ("submit", author.user_id.as_str()),
        ("accept", lead.user_id.as_str()),
        ("start", lead.user_id.as_str()),
        ("check", owner.user_id.as_str()),
        ("act", owner.user_id.as_str()),
        ("adopt", lead.user_id.as_str()),
    ];
    let steps: Vec<(&str, &str)> = steps.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(steps, expected, "one event per step, by who took it");
    app.shutdown().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_lead_gets_the_conflict_page_and_nothing_is_overwritten() {
    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app");
    let unit = app.create_unit("Ordnungsamt", None).await;
    let first = app.user("lead", Some(&unit)).await;
    let second = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let id = idea_by(&app, &author, &unit, "Parkausweise online").await;

    // The second lead (in the browser) fills the accept form; the first accepts meanwhile.
    sign_in(&browser, &app, &second.email).await;
    go(&browser, &app, &format!("/ideas/{id}/steps/accept")).await;
    browser.wait_for("#take-step").await.unwrap();
    fill(&browser, "goal", "Zweites Ziel").await;
    transition(
        &app,
        &first,
        &id,
        json!({"action": "accept", "version": 1, "goal": "Erstes Ziel"}),
    )
    .await;
    click(&browser, "#take-step").await;
    browser.wait_for("#conflict").await.unwrap();
    assert_eq!(status_code(&browser).await, 409);
    let conflict = browser
        .client
        .find(Locator::Id("conflict"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(conflict.contains("jetzt in „Plan“"), "what changed: {conflict}");
    assert!(conflict.contains("Ihre Fassung: 1, jetzt: 2"), "{conflict}");
    assert!(conflict.contains("nicht gespeichert"), "{conflict}");
    accessible(&browser, "conflict page").await;
    let now = idea(&app, &first, &id).await;
    assert_eq!(now["status"], "plan");
    assert_eq!(now["version"], 2);
    assert_eq!(now["cycles"][0]["plan"]["goal"], "Erstes Ziel", "not overwritten");
    let steps = history(&app, &first, &id).await;
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(steps[1], ("accept".to_owned(), first.user_id.clone()));
    // The offer: the steps open on the current state, with what is on record.
    click(
        &browser,
        &format!("#conflict ~ section a[href='/ideas/{id}/steps/start']"),
    )
    .await;
    browser.wait_for("#take-step").await.unwrap();
    let goal = browser.client.find(Locator::Id("goal")).await.unwrap();
    assert_eq!(goal.prop("value").await.unwrap().as_deref(), Some("Erstes Ziel"));
    let version = browser.client.find(Locator::Css("input[name=version]")).await.unwrap();
    assert_eq!(version.prop("value").await.unwrap().as_deref(), Some("2"));

    // A step still open after the other's: the form again with the entries kept, the
    // current version and what changed; sent again, it is taken on the current state.
    go(&browser, &app, &format!("/ideas/{id}/steps/abandon")).await;
    browser.wait_for("#take-step").await.unwrap();
    fill(&browser, "reason", "Das Land bringt dafür ein eigenes Portal.").await;
    transition(&app, &first, &id, full_plan(2, &first.user_id, "Tage bis zum Ausweis")).await;
    click(&browser, "#take-step").await;
    browser.wait_for("div[role=alert].kern-alert--warning").await.unwrap();
    assert_eq!(status_code(&browser).await, 409);
    let warning = browser
        .client
        .find(Locator::Css("div[role=alert].kern-alert--warning"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(warning.contains("jetzt in „Do“"), "what changed: {warning}");
    assert!(warning.contains("Ihre Fassung: 2, jetzt: 3"), "{warning}");
    let reason = browser.client.find(Locator::Id("reason")).await.unwrap();
    assert_eq!(
        reason.prop("value").await.unwrap().as_deref(),
        Some("Das Land bringt dafür ein eigenes Portal."),
        "entries kept"
    );
    let version = browser.client.find(Locator::Css("input[name=version]")).await.unwrap();
    assert_eq!(version.prop("value").await.unwrap().as_deref(), Some("3"));
    accessible(&browser, "abandon form after a conflict").await;
    let now = idea(&app, &first, &id).await;
    assert_eq!(now["status"], "do", "nothing overwritten");
    assert_eq!(now["version"], 3);
    assert!(now["decision_reason"].is_null(), "{now}");
    click(&browser, "#take-step").await;
    browser.wait_for("#history-heading").await.unwrap();
    let now = idea(&app, &first, &id).await;
    assert_eq!(now["status"], "abandoned");
    assert_eq!(now["decision_reason"], "Das Land bringt dafür ein eigenes Portal.");
    assert_eq!(
        now["cycles"][0]["plan"]["kpi_name"], "Tage bis zum Ausweis",
        "the first lead's plan stays"
    );
    let actions: Vec<(String, String)> = history(&app, &first, &id).await;
    assert_eq!(
        actions.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["submit", "accept", "start", "abandon"]
    );
    assert_eq!(actions[3].1, second.user_id);
    app.shutdown().await;
    browser.close().await;
}

/// Presses Tab until the focused element is the link to `href`.
async fn tab_to_link(browser: &Browser, href: &str) {
    for _ in 0..80 {
        let focused = browser.client.active_element().await.unwrap();
        if focused.attr("href").await.unwrap().as_deref() == Some(href) {
            return;
        }
        browser.press(&[Key::Tab]).await.unwrap();
    }
    panic!("Tab never reached the link to {href}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_and_a_step_by_keyboard_alone() {
    let Some(browser) = Browser::launch(1280, 1000).await else {
        return;
    };
    let app = match TestApp::spawn(Backend::Postgres).await {
        Some(app) => app,
        None => TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app"),
    };
    let unit = app.create_unit("Bauamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let id = idea_by(&app, &author, &unit, "Bauanträge digital prüfen").await;
    transition(&app, &lead, &id, json!({"action": "accept", "version": 1})).await;
    transition(&app, &lead, &id, full_plan(2, &lead.user_id, "Tage bis zum Bescheid")).await;

    sign_in(&browser, &app, &lead.email).await;
    go(&browser, &app, "/board").await;
    browser.wait_for(".app-card").await.unwrap();
    // The card in the Do column, by Tab from the top of the page, opened with Enter.
    let card = format!("/ideas/{id}");
    browser
        .client
        .find(Locator::Css(&format!("#col-do ~ ul a[href='{card}']")))
        .await
        .expect("the idea is in the Do column");
    tab_to_link(&browser, &card).await;
    browser.press(&[Key::Enter]).await.unwrap();
    browser.wait_for("#steps-heading").await.unwrap();
    assert_eq!(path_of(&browser).await, card);
    // The step's link on the idea page, then the form.
    let step = format!("/ideas/{id}/steps/check");
    tab_to_link(&browser, &step).await;
    browser.press(&[Key::Enter]).await.unwrap();
    browser.wait_for("#take-step").await.unwrap();
    assert_eq!(path_of(&browser).await, step);

    // Sent empty with Space on the button: the summary gets the focus; Enter on its first
    // link brings the focus to the field.
    tab_to(&browser, "take-step").await;
    browser.press(&[Key::Space]).await.unwrap();
    browser.wait_for("#error-summary").await.unwrap();
    assert_eq!(browser.focused_id().await.unwrap(), "error-summary");
    accessible(&browser, "check form with errors").await;
    browser.press(&[Key::Tab]).await.unwrap();
    let first = browser.client.active_element().await.unwrap();
    assert_eq!(first.attr("href").await.unwrap().as_deref(), Some("#do_summary"));
    browser.press(&[Key::Enter]).await.unwrap();
    assert_eq!(browser.focused_id().await.unwrap(), "do_summary");
    browser
        .type_text("Alle Anträge einer Woche digital geprüft.")
        .await
        .unwrap();
    // The yes/no group: Tab into it, Space chooses.
    tab_to(&browser, "ran_as_planned-yes").await;
    browser.press(&[Key::Space]).await.unwrap();
    tab_to(&browser, "take-step").await;
    browser.press(&[Key::Space]).await.unwrap();
    browser.wait_for("#history-heading").await.unwrap();
    assert_eq!(path_of(&browser).await, card);
    let now = idea(&app, &lead, &id).await;
    assert_eq!(now["status"], "check");
    assert_eq!(
        now["cycles"][0]["do"]["summary"],
        "Alle Anträge einer Woche digital geprüft."
    );
    assert_eq!(now["cycles"][0]["do"]["ran_as_planned"], true);
    app.shutdown().await;
    browser.close().await;
}
