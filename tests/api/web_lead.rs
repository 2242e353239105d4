//! The lead's part of the web interface over HTTP, on both backends: the PDCA board and
//! lifecycle steps as forms — who may open them, missing evidence named, two leads on one
//! version (the second gets the conflict with their entries, nothing overwritten).

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};
use crate::web::Browser;

crate::both_backends!(
    the_board_is_for_leads_and_shows_their_units,
    steps_are_forms_with_missing_evidence_named,
    a_second_lead_gets_the_conflict_not_an_overwrite,
);

async fn idea_in(app: &TestApp, unit: &str, title: &str) -> String {
    let author = app.user("employee", Some(unit)).await;
    let r = app
        .post(
            "/api/v1/ideas",
            &author.token,
            json!({"title": title, "current_situation": "a", "proposal": "b", "expected_benefit": "c", "unit_id": unit}),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn signed_in(app: &TestApp, role: &str, unit: Option<&str>) -> (Browser, crate::helpers::Session) {
    let who = app.user(role, unit).await;
    let mut b = Browser::new(app);
    assert_eq!(b.login(&who.email, PASSWORD).await.status, 303);
    (b, who)
}

async fn the_board_is_for_leads_and_shows_their_units(app: &TestApp) {
    let amt = app.create_unit("Bürgeramt", None).await;
    let stelle = app.create_unit("Meldestelle", Some(&amt)).await;
    let other = app.create_unit("Kämmerei", None).await;
    idea_in(app, &stelle, "Idee der Meldestelle").await;
    idea_in(app, &other, "Idee der Kämmerei").await;

    let (mut employee, _) = signed_in(app, "employee", Some(&amt)).await;
    let r = employee.get("/board").await;
    assert_eq!(r.status, 403);
    assert!(r.html.contains("Dafür fehlt Ihnen die Berechtigung."));
    assert!(
        !employee.get("/").await.html.contains("href=\"/board\""),
        "no board link for employees"
    );

    let (mut lead, _) = signed_in(app, "lead", Some(&amt)).await;
    let home = lead.get("/").await;
    assert!(home.html.contains("href=\"/board\""));
    let board = lead.get("/board").await;
    assert_eq!(board.status, 200);
    assert!(board.html.contains("Idee der Meldestelle"), "sub-units are included");
    assert!(!board.html.contains("Idee der Kämmerei"), "other units are not");
    assert_eq!(board.count("class=\"app-board__column\""), 5);
    // A lead cannot widen the board to other units.
    let r = lead.get(&format!("/board?unit={other}")).await;
    assert!(!r.html.contains("Idee der Kämmerei"));

    let (mut manager, _) = signed_in(app, "manager", None).await;
    let all = manager.get("/board").await;
    assert!(all.html.contains("Idee der Meldestelle") && all.html.contains("Idee der Kämmerei"));
    let one = manager.get(&format!("/board?unit={other}")).await;
    assert!(one.html.contains("Idee der Kämmerei") && !one.html.contains("Idee der Meldestelle"));
    // Another organisation's unit is a missing page.
    let (_, other_admin) = app.other_organization().await;
    let foreign = app
        .post("/api/v1/units", &other_admin.token, json!({"name": "Fremd"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(manager.get(&format!("/board?unit={foreign}")).await.status, 422);
}

async fn steps_are_forms_with_missing_evidence_named(app: &TestApp) {
    let amt = app.create_unit("Bürgeramt", None).await;
    let id = idea_in(app, &amt, "Termine online").await;
    let (mut employee, _) = signed_in(app, "employee", Some(&amt)).await;
    let page = employee.get(&format!("/ideas/{id}")).await;
    assert!(!page.html.contains("/steps/accept"), "no review steps for employees");
    assert_eq!(employee.get(&format!("/ideas/{id}/steps/accept")).await.status, 403);
    employee.get(&format!("/ideas/{id}")).await;
    let r = employee
        .post_form(&format!("/ideas/{id}/steps/accept"), &[("version", "1")], true)
        .await;
    assert_eq!(r.status, 403);

    let (mut lead, lead_session) = signed_in(app, "lead", Some(&amt)).await;
    let page = lead.get(&format!("/ideas/{id}")).await;
    assert!(page.html.contains(&format!("/ideas/{id}/steps/accept")));
    assert!(page.html.contains(&format!("/ideas/{id}/steps/reject")));
    let form = lead.get(&format!("/ideas/{id}/steps/accept")).await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("name=\"owner_id\""));
    let r = lead
        .post_form(
            &format!("/ideas/{id}/steps/accept"),
            &[
                ("version", "1"),
                ("owner_id", &lead_session.email),
                ("goal", "Kürzere Wartezeit"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &lead_session.token).await;
    assert_eq!(idea.expect(200)["status"], "plan");
    assert_eq!(idea.body["owner"]["id"], lead_session.user_id.as_str());

    // Start with evidence missing: named, linked, nothing moved; a bad number too.
    let form = lead.get(&format!("/ideas/{id}/steps/start")).await;
    assert!(form.html.contains("Noch fehlende Angaben"), "{}", form.html);
    let r = lead
        .post_form(
            &format!("/ideas/{id}/steps/start"),
            &[("version", "2"), ("kpi_name", "Wartezeit"), ("kpi_baseline", "vierzig")],
            true,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#kpi_baseline\""));
    assert!(r.html.contains("value=\"Wartezeit\""), "entries kept");
    let r = lead
        .post_form(
            &format!("/ideas/{id}/steps/start"),
            &[("version", "2"), ("kpi_name", "Wartezeit"), ("kpi_baseline", "40")],
            true,
        )
        .await;
    assert_eq!(r.status, 422);
    for missing in ["kpi_target", "due_date", "problem"] {
        assert!(
            r.html.contains(&format!("href=\"#{missing}\"")),
            "{missing}: {}",
            r.html
        );
    }
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &lead_session.token).await;
    assert_eq!(idea.expect(200)["status"], "plan");
    let due = crate::helpers::days_ahead(60);
    let r = lead
        .post_form(
            &format!("/ideas/{id}/steps/start"),
            &[
                ("version", "2"),
                ("problem", "Lange Schlangen am Morgen"),
                ("kpi_name", "Wartezeit"),
                ("kpi_unit", "Minuten"),
                ("kpi_baseline", "40"),
                ("kpi_target", "20,5"),
                ("lower_is_better", "true"),
                ("due_date", &due),
                ("prediction", "Die Hälfte der Wartezeit"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &lead_session.token).await;
    let idea = idea.expect(200);
    assert_eq!(idea["status"], "do");
    assert_eq!(idea["cycles"][0]["plan"]["kpi_target"], 20.5);
    assert_eq!(idea["cycles"][0]["plan"]["lower_is_better"], true);
}

async fn a_second_lead_gets_the_conflict_not_an_overwrite(app: &TestApp) {
    let amt = app.create_unit("Bürgeramt", None).await;
    let id = idea_in(app, &amt, "Zwei Leitungen").await;
    let (mut first, first_session) = signed_in(app, "lead", Some(&amt)).await;
    let (mut second, _) = signed_in(app, "lead", Some(&amt)).await;
    first.get(&format!("/ideas/{id}/steps/reject")).await;
    second.get(&format!("/ideas/{id}/steps/accept")).await;
    let r = first
        .post_form(
            &format!("/ideas/{id}/steps/reject"),
            &[("version", "1"), ("reason", "Gibt es schon")],
            true,
        )
        .await;
    assert_eq!(r.status, 303);
    let r = second
        .post_form(
            &format!("/ideas/{id}/steps/accept"),
            &[("version", "1"), ("goal", "Mein Ziel")],
            true,
        )
        .await;
    // Accept is no longer possible after the rejection: the page says the idea changed.
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("inzwischen geändert"), "{}", r.html);
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &first_session.token).await;
    assert_eq!(idea.expect(200)["status"], "rejected");
    assert_eq!(idea.body["decision_reason"], "Gibt es schon");

    // Both on a step that stays possible: the second gets the form again with the
    // current state and their entries, and a warning.
    let id = idea_in(app, &amt, "Zweimal annehmen").await;
    first.get(&format!("/ideas/{id}/steps/accept")).await;
    second.get(&format!("/ideas/{id}/steps/abandon")).await;
    let r = first
        .post_form(
            &format!("/ideas/{id}/steps/accept"),
            &[("version", "1"), ("goal", "Erstes Ziel")],
            true,
        )
        .await;
    assert_eq!(r.status, 303);
    second.get(&format!("/ideas/{id}/steps/start")).await;
    let r = second
        .post_form(
            &format!("/ideas/{id}/steps/start"),
            &[("version", "1"), ("goal", "Zweites Ziel"), ("kpi_name", "Dauer")],
            true,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("Jemand anderes hat die Idee inzwischen geändert"));
    assert!(r.html.contains("value=\"Dauer\""), "entries kept");
    assert!(
        r.html.contains("name=\"version\" value=\"2\""),
        "the form now carries the current version"
    );
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &first_session.token).await;
    assert_eq!(idea.expect(200)["cycles"][0]["plan"]["goal"], "Erstes Ziel");
}
