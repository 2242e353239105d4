//! The PDCA lifecycle through HTTP: the happy path through two cycles, every kind of
//! refused transition, concurrent transitions on one version, and what callers may do.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(
    happy_path_through_two_cycles,
    wrong_state_and_missing_evidence_are_refused,
    wrong_roles_and_own_ideas_are_refused,
    duplicates_link_to_the_earlier_idea,
    concurrent_transitions_on_one_version_let_exactly_one_through,
    versions_are_required_and_checked,
    transitions_endpoint_lists_what_each_caller_may_do,
);

fn actions(options: &Value) -> Vec<String> {
    options
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn transitions(app: &TestApp, s: &Session, id: &str) -> Value {
    app.get(&format!("/api/v1/ideas/{id}/transitions"), &s.token)
        .await
        .expect(200)
        .clone()
}

async fn happy_path_through_two_cycles(app: &TestApp) {
    let buergeramt = app.create_unit("Bürgeramt", None).await;
    let meldestelle = app.create_unit("Meldestelle", Some(&buergeramt)).await;
    let lead = app.user("lead", Some(&buergeramt)).await;
    let author = app.user("employee", Some(&meldestelle)).await;
    let owner = app.user("employee", Some(&meldestelle)).await;
    let manager = app.user("manager", None).await;

    let idea = submit(app, &author, idea_body(&meldestelle, "Online-Termine")).await;
    let id = id_of(&idea);
    let t = transitions(app, &lead, &id).await;
    assert_eq!(actions(&t["transitions"]), vec!["accept", "reject", "mark_duplicate"]);
    assert_eq!(t["version"], 1);

    // Plan: the lead of the parent unit accepts and records part of the plan.
    let r = step(
        app,
        &lead,
        &id,
        json!({"action": "accept", "version": 1, "owner_id": owner.user_id, "goal": "Wartezeit unter 20 Minuten", "note": "Pilot in der Meldestelle"}),
    )
    .await;
    let planned = r.expect(200).clone();
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(planned["status"], "plan");
    assert_eq!(planned["owner"]["id"], owner.user_id.as_str());
    assert_eq!(planned["cycles"][0]["plan"]["goal"], "Wartezeit unter 20 Minuten");
    let t = transitions(app, &lead, &id).await;
    assert_eq!(actions(&t["transitions"]), vec!["start", "abandon"]);
    assert_eq!(
        t["transitions"][0]["missing"],
        json!([
            "problem",
            "kpi_name",
            "kpi_baseline",
            "kpi_target",
            "due_date",
            "prediction"
        ])
    );

    let plan = json!({
        "action": "start", "version": 2,
        "problem": "Alle kommen um 7 Uhr, weil es keine Termine gibt.",
        "kpi_name": "Mittlere Wartezeit", "kpi_unit": "Minuten",
        "kpi_baseline": 40.0, "kpi_target": 20.0, "lower_is_better": true,
        "due_date": crate::helpers::days_ahead(118), "prediction": "Die Wartezeit halbiert sich."
    });
    let started = step(app, &lead, &id, plan).await.expect(200).clone();
    assert_eq!(started["status"], "do");
    assert_eq!(started["cycles"][0]["plan"]["kpi_baseline"], 40.0);
    assert_eq!(started["cycles"][0]["plan"]["lower_is_better"], true);

    // Do and Check: the owner (an employee) records the pilot and the measurement.
    let t = transitions(app, &owner, &id).await;
    assert_eq!(actions(&t["transitions"]), vec!["check"]);
    step(
        app,
        &owner,
        &id,
        json!({"action": "check", "version": 3, "do_summary": "Acht Wochen Online-Buchung für Pässe.", "ran_as_planned": true}),
    )
    .await
    .expect(200);
    let measured = step(
        app,
        &owner,
        &id,
        json!({"action": "act", "version": 4, "measured_value": 30.0, "measured_hours_saved_per_year": 120.0, "findings": "Besser, aber nicht genug."}),
    )
    .await
    .expect(200)
    .clone();
    assert_eq!(measured["status"], "act");
    let check = &measured["cycles"][0]["check"];
    assert_eq!(check["target_met"], false, "30 minutes misses the target of 20");
    assert!((check["relative_improvement"].as_f64().unwrap() - 0.25).abs() < 1e-9);
    assert_eq!(check["measured_hours_saved_per_year"], 120.0);
    // The owner may not decide Act.
    assert!(actions(&transitions(app, &owner, &id).await["transitions"]).is_empty());

    // Act: adapt into a second cycle.
    let adapted = step(
        app,
        &lead,
        &id,
        json!({"action": "adapt", "version": 5, "next_cycle_changes": "Auch Meldebescheinigungen online.", "kpi_baseline": 30.0}),
    )
    .await
    .expect(200)
    .clone();
    assert_eq!(adapted["status"], "plan");
    assert_eq!(adapted["cycle"], 2);
    let cycles = adapted["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[0]["act"]["outcome"], "adapted");
    assert_eq!(
        cycles[0]["act"]["next_cycle_changes"],
        "Auch Meldebescheinigungen online."
    );
    assert!(cycles[0]["closed_at"].is_string());
    assert_eq!(cycles[0]["check"]["measured_value"], 30.0);
    assert_eq!(cycles[1]["plan"]["goal"], "Wartezeit unter 20 Minuten");
    assert_eq!(cycles[1]["plan"]["kpi_baseline"], 30.0);
    assert!(cycles[1]["plan"]["kpi_target"].is_null());
    assert!(cycles[1]["check"]["measured_value"].is_null());
    assert_eq!(adapted["owner"]["id"], owner.user_id.as_str());

    // The second cycle needs its own numbers.
    let r = step(app, &lead, &id, json!({"action": "start", "version": 6})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["kpi_target", "due_date", "prediction"]);
    step(
        app,
        &lead,
        &id,
        json!({"action": "start", "version": 6, "kpi_target": 15.0, "due_date": crate::helpers::days_ahead(300), "prediction": "15 Minuten."}),
    )
    .await
    .expect(200);
    step(
        app,
        &owner,
        &id,
        json!({"action": "check", "version": 7, "do_summary": "Zweiter Pilot.", "ran_as_planned": false, "deviations": "Zwei Wochen später begonnen."}),
    )
    .await
    .expect(200);
    let measured = step(
        app,
        &owner,
        &id,
        json!({"action": "act", "version": 8, "measured_value": 14.0, "measured_cost_saved_per_year": 2500.0}),
    )
    .await
    .expect(200)
    .clone();
    let check = &measured["cycles"][1]["check"];
    assert_eq!(check["target_met"], true);
    assert!((check["relative_improvement"].as_f64().unwrap() - 16.0 / 30.0).abs() < 1e-9);

    // A manager adopts it as the new standard.
    let done = step(
        app,
        &manager,
        &id,
        json!({"action": "adopt", "version": 9, "new_standard": "Alle Pass- und Meldeanliegen mit Termin."}),
    )
    .await
    .expect(200)
    .clone();
    assert_eq!(done["status"], "done");
    assert_eq!(done["version"], 10);
    assert_eq!(done["cycles"][1]["act"]["outcome"], "adopted");
    assert_eq!(done["cycles"][0]["act"]["outcome"], "adapted", "earlier cycle kept");
    assert!(done["allowed_transitions"].as_array().unwrap().is_empty());
    assert!(actions(&transitions(app, &app.admin, &id).await["transitions"]).is_empty());

    // The history holds every step of both cycles, with actor and stage data.
    let history = app.get(&format!("/api/v1/ideas/{id}/history"), &author.token).await;
    let events = history.expect(200)["items"].as_array().unwrap().clone();
    let steps: Vec<(&str, i64)> = events
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["cycle"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("submit", 1),
            ("accept", 1),
            ("start", 1),
            ("check", 1),
            ("act", 1),
            ("adapt", 1),
            ("start", 2),
            ("check", 2),
            ("act", 2),
            ("adopt", 2)
        ]
    );
    assert!(events[0]["from"].is_null());
    assert_eq!(events[0]["to"], "submitted");
    assert_eq!(events[1]["from"], "submitted");
    assert_eq!(events[1]["to"], "plan");
    assert_eq!(events[1]["note"], "Pilot in der Meldestelle");
    assert_eq!(events[1]["actor"]["id"], lead.user_id.as_str());
    assert_eq!(events[3]["actor"]["id"], owner.user_id.as_str());
    assert_eq!(events[9]["actor"]["id"], manager.user_id.as_str());
    assert_eq!(events[4]["stage"]["stages"]["check"]["target_met"], false);
    assert_eq!(events[5]["stage"]["stages"]["act"]["outcome"], "adapted");
    assert_eq!(events[5]["to"], "plan");
    assert_eq!(events[8]["stage"]["stages"]["check"]["target_met"], true);
    assert_eq!(
        events[9]["stage"]["stages"]["act"]["new_standard"],
        "Alle Pass- und Meldeanliegen mit Termin."
    );
    // Snapshots are as they stood: the start of cycle 1 had no measurement yet.
    assert!(events[2]["stage"]["stages"]["check"]["measured_value"].is_null());
    assert_eq!(events[2]["stage"]["stages"]["plan"]["kpi_target"], 20.0);
    let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

async fn wrong_state_and_missing_evidence_are_refused(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = submit(app, &author, idea_body(&unit, "Knöllchen-App")).await;
    let id = id_of(&idea);

    // Steps that do not start from `submitted`.
    for action in ["start", "check", "act", "adopt", "adapt", "abandon"] {
        let r = step(app, &lead, &id, json!({"action": action, "version": 1})).await;
        r.expect(409);
        assert!(r.body["detail"].as_str().unwrap().contains("submitted"), "{}", r.text);
    }
    let r = step(app, &lead, &id, json!({"action": "promote", "version": 1})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["action"]);
    // Evidence: every missing field is named.
    let r = step(app, &lead, &id, json!({"action": "reject", "version": 1})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["reason"]);
    let r = step(
        app,
        &lead,
        &id,
        json!({"action": "reject", "version": 1, "reason": "   "}),
    )
    .await;
    assert_eq!(r.expect(422)["errors"][0]["field"], "reason");
    let r = step(
        app,
        &lead,
        &id,
        json!({"action": "accept", "version": 1, "new_standard": "too early", "measured_value": 3.0}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["measured_value", "new_standard"]);
    let r = step(
        app,
        &lead,
        &id,
        json!({"action": "accept", "version": 1, "owner_id": "nobody", "due_date": "31.03.2027"}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["due_date"]);
    let r = step(
        app,
        &lead,
        &id,
        json!({"action": "accept", "version": 1, "owner_id": "nobody"}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["owner_id"]);
    step(app, &lead, &id, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);

    let r = step(app, &lead, &id, json!({"action": "accept", "version": 2})).await;
    r.expect(409);
    let r = step(app, &lead, &id, json!({"action": "start", "version": 2})).await;
    r.expect(422);
    assert_eq!(
        r.error_fields(),
        vec![
            "owner_id",
            "problem",
            "goal",
            "kpi_name",
            "kpi_baseline",
            "kpi_target",
            "due_date",
            "prediction"
        ]
    );
    let full = json!({
        "action": "start", "version": 2, "owner_id": author.user_id,
        "problem": "p", "goal": "g", "kpi_name": "Bearbeitungszeit", "kpi_baseline": 10.0,
        "kpi_target": 12.0, "due_date": crate::helpers::days_ahead(60), "prediction": "x"
    });
    // A higher target needs a higher-is-better KPI, and the other way round.
    let r = step(app, &lead, &id, with(&full, json!({"lower_is_better": true}))).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["kpi_target"]);
    let r = step(app, &lead, &id, with(&full, json!({"kpi_target": 8.0}))).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["kpi_target"]);
    let r = step(app, &lead, &id, with(&full, json!({"kpi_baseline": "zehn"}))).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["kpi_baseline"]);
    step(app, &lead, &id, full).await.expect(200);

    let r = step(app, &author, &id, json!({"action": "check", "version": 3})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["do_summary", "ran_as_planned"]);
    let r = step(
        app,
        &author,
        &id,
        json!({"action": "check", "version": 3, "do_summary": "halb", "ran_as_planned": false}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["deviations"]);
    step(
        app,
        &author,
        &id,
        json!({"action": "check", "version": 3, "do_summary": "ganz", "ran_as_planned": true}),
    )
    .await
    .expect(200);
    let r = step(
        app,
        &author,
        &id,
        json!({"action": "act", "version": 4, "findings": "?"}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["measured_value"]);
    let r = step(
        app,
        &author,
        &id,
        json!({"action": "act", "version": 4, "measured_value": 13.0, "target_met": true}),
    )
    .await;
    r.expect(422);
    assert!(
        r.text.contains("target_met"),
        "target_met is computed, never sent: {}",
        r.text
    );
    step(
        app,
        &author,
        &id,
        json!({"action": "act", "version": 4, "measured_value": 13.0}),
    )
    .await
    .expect(200);
    for action in ["adopt", "adapt", "abandon"] {
        let r = step(app, &lead, &id, json!({"action": action, "version": 5})).await;
        r.expect(422);
    }
    step(
        app,
        &lead,
        &id,
        json!({"action": "abandon", "version": 5, "reason": "Zu teuer."}),
    )
    .await
    .expect(200);
    // Nothing leaves a final state.
    for action in ["accept", "start", "adopt", "abandon", "withdraw"] {
        step(app, &lead, &id, json!({"action": action, "version": 6, "reason": "x"}))
            .await
            .expect(409);
    }
    let got = app.get(&format!("/api/v1/ideas/{id}"), &lead.token).await;
    let got = got.expect(200);
    assert_eq!(got["status"], "abandoned");
    assert_eq!(got["decision_reason"], "Zu teuer.");
    assert_eq!(got["cycles"][0]["act"]["outcome"], "abandoned");
    assert_eq!(got["cycles"][0]["check"]["target_met"], true);
}

// serde_json has no struct update syntax; merges `extra` into `base`.
fn with(base: &Value, extra: Value) -> Value {
    let mut v = base.clone();
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    v
}

async fn wrong_roles_and_own_ideas_are_refused(app: &TestApp) {
    let rathaus = app.create_unit("Rathaus", None).await;
    let sozialamt = app.create_unit("Sozialamt", Some(&rathaus)).await;
    let bauamt = app.create_unit("Bauamt", None).await;
    let lead = app.user("lead", Some(&rathaus)).await;
    let lead_elsewhere = app.user("lead", Some(&bauamt)).await;
    let lead_without_unit = app.user("lead", None).await;
    let manager = app.user("manager", None).await;
    let author = app.user("employee", Some(&sozialamt)).await;
    let colleague = app.user("employee", Some(&sozialamt)).await;

    let idea = submit(app, &author, idea_body(&sozialamt, "Antrag in leichter Sprache")).await;
    let id = id_of(&idea);
    let accept = json!({"action": "accept", "version": 1});
    let r = step(app, &colleague, &id, accept.clone()).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("employees"));
    let r = step(app, &author, &id, accept.clone()).await;
    r.expect(403);
    let r = step(app, &lead_elsewhere, &id, accept.clone()).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("outside your unit"));
    step(app, &lead_without_unit, &id, accept.clone()).await.expect(403);
    let r = step(app, &colleague, &id, json!({"action": "withdraw", "version": 1})).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("authors"));
    step(app, &lead, &id, json!({"action": "withdraw", "version": 1}))
        .await
        .expect(403);

    // Own ideas: a lead who wrote or co-wrote an idea does not decide on it.
    let own = submit(app, &lead, idea_body(&sozialamt, "Vom Lead selbst")).await;
    let r = step(app, &lead, &id_of(&own), accept.clone()).await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("authored"), "{}", r.text);
    let r = step(
        app,
        &lead,
        &id_of(&own),
        json!({"action": "reject", "version": 1, "reason": "x"}),
    )
    .await;
    r.expect(403);
    let mut group = idea_body(&sozialamt, "Mit dem Lead");
    group["co_authors"] = json!([{"user_id": lead.user_id, "share": 40}]);
    group["author_share"] = json!(60);
    let co = submit(app, &author, group).await;
    let r = step(
        app,
        &lead,
        &id_of(&co),
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": id, "reason": "x"}),
    )
    .await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("co-authored"));
    // Someone else decides; the author-lead may still run the pilot's steps.
    step(
        app,
        &manager,
        &id_of(&own),
        json!({"action": "accept", "version": 1, "owner_id": colleague.user_id}),
    )
    .await
    .expect(200);
    let plan = json!({
        "action": "start", "version": 2, "problem": "p", "goal": "g", "kpi_name": "Rückfragen pro Antrag",
        "kpi_baseline": 3.0, "kpi_target": 1.0, "lower_is_better": true, "due_date": crate::helpers::days_ahead(210), "prediction": "weniger"
    });
    step(app, &lead, &id_of(&own), plan).await.expect(200);
    let r = step(
        app,
        &lead,
        &id_of(&own),
        json!({"action": "abandon", "version": 3, "reason": "x"}),
    )
    .await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("authored"));
    // The owner records Do and Check but may not start, decide or abandon.
    step(
        app,
        &colleague,
        &id_of(&own),
        json!({"action": "abandon", "version": 3, "reason": "x"}),
    )
    .await
    .expect(403);
    step(
        app,
        &lead_elsewhere,
        &id_of(&own),
        json!({"action": "check", "version": 3, "do_summary": "x", "ran_as_planned": true}),
    )
    .await
    .expect(403);
    step(
        app,
        &author,
        &id_of(&own),
        json!({"action": "check", "version": 3, "do_summary": "x", "ran_as_planned": true}),
    )
    .await
    .expect(403);
    step(
        app,
        &colleague,
        &id_of(&own),
        json!({"action": "check", "version": 3, "do_summary": "x", "ran_as_planned": true}),
    )
    .await
    .expect(200);
    step(
        app,
        &colleague,
        &id_of(&own),
        json!({"action": "act", "version": 4, "measured_value": 1.0}),
    )
    .await
    .expect(200);
    let r = step(
        app,
        &colleague,
        &id_of(&own),
        json!({"action": "adopt", "version": 5, "new_standard": "x"}),
    )
    .await;
    r.expect(403);
    let r = step(
        app,
        &lead,
        &id_of(&own),
        json!({"action": "adopt", "version": 5, "new_standard": "x"}),
    )
    .await;
    r.expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("authored"));
    step(
        app,
        &manager,
        &id_of(&own),
        json!({"action": "adopt", "version": 5, "new_standard": "Neue Vorlage."}),
    )
    .await
    .expect(200);

    // Authors withdraw their own submitted idea; it is not theirs to move further.
    let r = step(
        app,
        &author,
        &id,
        json!({"action": "withdraw", "version": 1, "reason": "Erledigt sich."}),
    )
    .await;
    assert_eq!(r.expect(200)["status"], "withdrawn");
    // Another organisation sees nothing.
    let (_, other) = app.other_organization().await;
    step(app, &other, &id, json!({"action": "accept", "version": 2}))
        .await
        .expect(404);
    app.get(&format!("/api/v1/ideas/{id}/transitions"), &other.token)
        .await
        .expect(404);
}

async fn duplicates_link_to_the_earlier_idea(app: &TestApp) {
    let unit = app.create_unit("Stadtwerke", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let a = app.user("employee", Some(&unit)).await;
    let b = app.user("employee", Some(&unit)).await;
    let earlier = id_of(&submit(app, &a, idea_body(&unit, "Zählerstand per App")).await);
    let later = id_of(&submit(app, &b, idea_body(&unit, "Zählerstände online melden")).await);
    let third = id_of(&submit(app, &b, idea_body(&unit, "Zähler-Foto hochladen")).await);

    let r = step(
        app,
        &lead,
        &earlier,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": later, "reason": "Gleich."}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["duplicate_of"]);
    assert!(r.text.contains("earlier submission wins"));
    let r = step(
        app,
        &lead,
        &earlier,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": earlier, "reason": "x"}),
    )
    .await;
    r.expect(422);
    let r = step(
        app,
        &lead,
        &later,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": "no-such-idea", "reason": "x"}),
    )
    .await;
    r.expect(422);
    let r = step(app, &lead, &later, json!({"action": "mark_duplicate", "version": 1})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["duplicate_of", "reason"]);
    let dup = step(
        app,
        &lead,
        &later,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": earlier, "reason": "Wie die Zähler-App."}),
    )
    .await
    .expect(200)
    .clone();
    assert_eq!(dup["status"], "rejected");
    assert_eq!(dup["duplicate_of"], earlier.as_str());
    assert_eq!(dup["decision_reason"], "Wie die Zähler-App.");
    // A chain is refused: link to the original instead.
    let r = step(
        app,
        &lead,
        &third,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": later, "reason": "x"}),
    )
    .await;
    r.expect(422);
    assert!(r.text.contains(&earlier));
    let history = app.get(&format!("/api/v1/ideas/{later}/history"), &b.token).await;
    let events = history.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(events[1]["action"], "mark_duplicate");
    assert_eq!(events[1]["to"], "rejected");
    assert_eq!(events[1]["stage"]["duplicate_of"], earlier.as_str());
    assert_eq!(events[1]["stage"]["reason"], "Wie die Zähler-App.");
}

async fn concurrent_transitions_on_one_version_let_exactly_one_through(app: &TestApp) {
    let unit = app.create_unit("Kämmerei", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let mut reviewers = vec![app.user("lead", Some(&unit)).await, app.user("lead", Some(&unit)).await];
    for _ in 0..4 {
        reviewers.push(app.user("manager", None).await);
    }
    let id = id_of(&submit(app, &author, idea_body(&unit, "Skonto nutzen")).await);

    // Six reviewers accept or reject the same version at the same moment.
    let replies = join_all(reviewers.iter().enumerate().map(|(n, s)| {
        let body = if n % 2 == 0 {
            json!({"action": "accept", "version": 1, "note": format!("reviewer {n}")})
        } else {
            json!({"action": "reject", "version": 1, "reason": format!("reviewer {n}")})
        };
        step(app, s, &id, body)
    }))
    .await;
    let ok: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(ok.len(), 1, "exactly one transition wins: {replies:?}");
    for r in replies.iter().filter(|r| r.status != 200) {
        r.expect(409);
        assert_eq!(r.body["current_version"], 2, "{}", r.text);
    }
    let history = app.get(&format!("/api/v1/ideas/{id}/history"), &author.token).await;
    let events = history.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2, "one event for the one step that happened");
    let got = app.get(&format!("/api/v1/ideas/{id}"), &author.token).await;
    let got = got.expect(200);
    assert_eq!(got["version"], 2);
    assert_eq!(got["status"], ok[0].body["status"]);
    assert_eq!(events[1]["to"], ok[0].body["status"]);

    // The same on a later stage of another idea, with votes arriving meanwhile (votes do
    // not change the version).
    let id = id_of(&submit(app, &author, idea_body(&unit, "Lastschrift anbieten")).await);
    step(app, &reviewers[0], &id, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    let plan = json!({
        "action": "start", "version": 2, "owner_id": author.user_id, "problem": "p", "goal": "g",
        "kpi_name": "Lastschriftquote", "kpi_baseline": 0.4, "kpi_target": 0.9, "due_date": crate::helpers::days_ahead(90), "prediction": "x"
    });
    let abandon = json!({"action": "abandon", "version": 2, "reason": "x"});
    let moves = join_all(reviewers.iter().enumerate().map(|(n, s)| {
        let body = if n % 2 == 0 { plan.clone() } else { abandon.clone() };
        step(app, s, &id, body)
    }));
    let vote_path = format!("/api/v1/ideas/{id}/votes");
    let votes = join_all(reviewers.iter().map(|s| app.put(&vote_path, &s.token, json!({}))));
    let (moves, votes) = futures_util::future::join(moves, votes).await;
    let won: Vec<_> = moves.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{moves:?}");
    for r in moves.iter().filter(|r| r.status != 200) {
        r.expect(409);
    }
    for v in &votes {
        v.expect(200);
    }
    let got = app.get(&format!("/api/v1/ideas/{id}"), &author.token).await;
    let got = got.expect(200);
    assert_eq!(got["version"], 3);
    assert_eq!(got["vote_count"], 6);
    assert_eq!(got["status"], won[0].body["status"]);
}

async fn versions_are_required_and_checked(app: &TestApp) {
    let unit = app.create_unit("Archiv", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let id = id_of(&submit(app, &author, idea_body(&unit, "Scannen statt kopieren")).await);
    let path = format!("/api/v1/ideas/{id}/transitions");
    let r = step(app, &lead, &id, json!({"action": "accept"})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["version"]);
    let r = step(app, &lead, &id, json!({"action": "accept", "version": 7})).await;
    r.expect(409);
    assert_eq!(r.body["current_version"], 1);
    let send = |if_match: &'static str| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&lead.token)
            .header("If-Match", if_match)
            .json(&json!({"action": "accept"}))
            .send()
    };
    let r = TestApp::read(send("\"3\"").await.unwrap()).await;
    r.expect(412);
    assert_eq!(r.body["current_version"], 1);
    let r = TestApp::read(send("nonsense").await.unwrap()).await;
    r.expect(400);
    let r = TestApp::read(send("\"1\"").await.unwrap()).await;
    assert_eq!(r.expect(200)["status"], "plan");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
}

async fn transitions_endpoint_lists_what_each_caller_may_do(app: &TestApp) {
    let unit = app.create_unit("Gesundheitsamt", None).await;
    let other_unit = app.create_unit("Forstamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let lead_elsewhere = app.user("lead", Some(&other_unit)).await;
    let manager = app.user("manager", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let employee = app.user("employee", Some(&unit)).await;
    let id = id_of(&submit(app, &author, idea_body(&unit, "Impfpass digital")).await);

    assert_eq!(
        actions(&transitions(app, &author, &id).await["transitions"]),
        vec!["withdraw"]
    );
    assert!(actions(&transitions(app, &employee, &id).await["transitions"]).is_empty());
    assert!(actions(&transitions(app, &lead_elsewhere, &id).await["transitions"]).is_empty());
    let t = transitions(app, &manager, &id).await;
    assert_eq!(actions(&t["transitions"]), vec!["accept", "reject", "mark_duplicate"]);
    let reject = &t["transitions"][1];
    assert_eq!(reject["to"], "rejected");
    assert_eq!(reject["missing"], json!(["reason"]));
    assert_eq!(reject["fields"][0]["name"], "reason");
    assert_eq!(reject["fields"][0]["required"], true);
    assert!(reject["fields"][0]["description"].is_string());
    let accept = &t["transitions"][0];
    assert_eq!(accept["missing"], json!([]));
    assert!(
        accept["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["required"] == false)
    );

    step(
        app,
        &lead,
        &id,
        json!({"action": "accept", "version": 1, "owner_id": employee.user_id, "kpi_name": "Wartezeit"}),
    )
    .await
    .expect(200);
    let t = transitions(app, &lead, &id).await;
    let start = &t["transitions"][0];
    assert_eq!(start["action"], "start");
    let owner_field = start["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "owner_id")
        .unwrap();
    assert_eq!(owner_field["on_record"], true);
    assert!(!start["missing"].as_array().unwrap().contains(&json!("kpi_name")));
    assert!(start["missing"].as_array().unwrap().contains(&json!("kpi_baseline")));
    // The owner has nothing to do in Plan; the author no longer may withdraw.
    assert!(actions(&transitions(app, &employee, &id).await["transitions"]).is_empty());
    assert!(actions(&transitions(app, &author, &id).await["transitions"]).is_empty());
    // GET on the idea carries the same list.
    let got = app.get(&format!("/api/v1/ideas/{id}"), &lead.token).await;
    assert_eq!(
        actions(&got.expect(200)["allowed_transitions"]),
        vec!["start", "abandon"]
    );
}

/// The OpenAPI document describes every step: a row in the request's table and an example.
#[test]
fn openapi_describes_every_transition_with_an_example() {
    let doc: Value = serde_json::from_str(&kaizen::openapi::to_pretty_json(&kaizen::openapi::document())).unwrap();
    let description = doc["components"]["schemas"]["TransitionRequest"]["description"]
        .as_str()
        .unwrap();
    let examples = &doc["paths"]["/api/v1/ideas/{id}/transitions"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"];
    let actions = doc["components"]["schemas"]["IdeaAction"]["enum"].as_array().unwrap();
    assert_eq!(actions.len(), 10);
    for action in actions {
        let action = action.as_str().unwrap();
        assert!(
            description.contains(&format!("| `{action}` |")),
            "{action} missing in the table"
        );
        assert_eq!(examples[action]["value"]["action"], action, "{action} has no example");
    }
    for path in [
        "/api/v1/ideas",
        "/api/v1/ideas/{id}",
        "/api/v1/ideas/{id}/transitions",
        "/api/v1/ideas/{id}/history",
        "/api/v1/ideas/{id}/votes",
        "/api/v1/ideas/{id}/comments",
        "/api/v1/ideas/{id}/comments/{comment_id}",
    ] {
        for (method, op) in doc["paths"][path].as_object().unwrap() {
            assert_eq!(op["tags"][0], "ideas", "{method} {path}");
            assert!(op["security"].is_array(), "{method} {path}");
        }
    }
}
