//! Survey anonymity across time: the attacks that set two legal readings against each
//! other (before and after a reorganisation, a lower k, a unit-scoped round) find both
//! readings identical, because a round's figures are fixed when it closes.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::assessment_support::*;
use crate::both_backends;
use crate::helpers::{Session, TestApp};

both_backends!(
    a_reorganisation_after_the_close_regroups_nothing,
    a_lower_k_after_the_close_reveals_nothing,
    a_scoped_round_keeps_its_scope_as_it_was,
);

/// Rathaus ── Bürgeramt (6 respondents), Standesamt (4), Bauamt (6), Einzelbüro (1),
/// a closed round with k = 5 answered by all of them, and a second round before it so
/// the progress report has a comparison.
struct Town {
    rathaus: String,
    buergeramt: String,
    standesamt: String,
    bauamt: String,
    einzelbuero: String,
    round: String,
    manager: Session,
}

async fn town(app: &TestApp) -> Town {
    let rathaus = app.create_unit("Rathaus", None).await;
    let buergeramt = app.create_unit("Bürgeramt", Some(&rathaus)).await;
    let standesamt = app.create_unit("Standesamt", Some(&rathaus)).await;
    let bauamt = app.create_unit("Bauamt", Some(&rathaus)).await;
    let einzelbuero = app.create_unit("Einzelbüro", Some(&rathaus)).await;
    let manager = app.user("manager", None).await;
    let mut people: Vec<(Session, i64)> = Vec::new();
    for (unit, n, score) in [
        (&buergeramt, 6, 4),
        (&standesamt, 4, 1),
        (&bauamt, 6, 3),
        (&einzelbuero, 1, 5),
    ] {
        let sessions = join_all((0..n).map(|_| app.user("employee", Some(unit)))).await;
        people.extend(sessions.into_iter().map(|s| (s, score)));
    }
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let mut round = String::new();
    for shift in [0, 1] {
        round = open_round(app, None).await;
        for (who, score) in &people {
            let s = (*score + shift).min(5);
            submit(app, &round, who, uniform_answers(&items, |_| s)).await;
        }
        close(app, &round).await;
    }
    Town {
        rathaus,
        buergeramt,
        standesamt,
        bauamt,
        einzelbuero,
        round,
        manager,
    }
}

async fn move_unit(app: &TestApp, unit: &str, parent: &str) {
    let current = app.get(&format!("/api/v1/units/{unit}"), &app.admin.token).await;
    let version = current.expect(200)["version"].clone();
    app.patch(
        &format!("/api/v1/units/{unit}"),
        &app.admin.token,
        json!({"version": version, "parent_id": parent}),
    )
    .await
    .expect(200);
}

/// Everything a manager can read about the round and the units.
async fn readings(app: &TestApp, town: &Town, token: &str) -> Vec<(String, String)> {
    let mut paths = vec![
        format!("/api/v1/assessments/{}/results?breakdown=unit&lang=en", town.round),
        "/api/v1/dimensions?lang=en".to_string(),
        "/api/v1/reports/progress?lang=en".to_string(),
        "/api/v1/reports/progress?format=csv&table=rounds&lang=en".to_string(),
        "/api/v1/reports/progress?format=csv&lang=en".to_string(),
    ];
    for unit in [
        &town.rathaus,
        &town.buergeramt,
        &town.standesamt,
        &town.bauamt,
        &town.einzelbuero,
    ] {
        paths.push(format!("/api/v1/reports/progress?unit={unit}&lang=en"));
        paths.push(format!(
            "/api/v1/reports/progress?unit={unit}&format=csv&table=rounds&lang=en"
        ));
    }
    let mut out = Vec::new();
    for path in paths {
        let r = app.get(&path, token).await;
        r.expect(200);
        let text = if r.body.is_null() {
            r.text.clone()
        } else {
            let mut body = r.body.clone();
            strip_clock(&mut body);
            body.to_string()
        };
        out.push((path, text));
    }
    out
}

/// The moment a report was generated is not a figure.
fn strip_clock(v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        o.remove("generated_at");
    }
}

fn assert_same(before: &[(String, String)], after: &[(String, String)]) {
    assert_eq!(before.len(), after.len());
    for ((path, a), (_, b)) in before.iter().zip(after) {
        assert_eq!(a, b, "{path} changed");
    }
}

async fn a_reorganisation_after_the_close_regroups_nothing(app: &TestApp) {
    let town = town(app).await;
    let before = readings(app, &town, &town.manager.token).await;
    let results: Value = serde_json::from_str(&before[0].1).unwrap();
    let unit = |id: &str| {
        results["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit_id"] == id)
            .cloned()
            .unwrap()
    };
    // As the round saw it: the small Standesamt and the one-person office hidden, their
    // shown neighbours not (the hidden part under the Rathaus is five people).
    assert_eq!(unit(&town.standesamt)["suppressed"]["reason"], "below_min_group_size");
    assert_eq!(unit(&town.einzelbuero)["suppressed"]["reason"], "below_min_group_size");
    assert_eq!(unit(&town.buergeramt)["responses"], 6);
    assert_eq!(unit(&town.bauamt)["responses"], 6);
    assert_eq!(unit(&town.rathaus)["responses"], 17);

    // Standesamt under the Bürgeramt, the one-person office under the Bauamt: read again,
    // the Bürgeramt would now include the Standesamt (and the Bauamt the one person), and
    // the difference would be their answers.
    move_unit(app, &town.standesamt, &town.buergeramt).await;
    move_unit(app, &town.einzelbuero, &town.bauamt).await;
    let after = readings(app, &town, &town.manager.token).await;
    assert_same(&before, &after);
    let results: Value = serde_json::from_str(&after[0].1).unwrap();
    let standesamt = results["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == town.standesamt.as_str())
        .cloned()
        .unwrap();
    assert_eq!(standesamt["parent_id"], town.rathaus.as_str(), "the tree as it stood");

    // A lead of the Bürgeramt now leads the Standesamt too and sees it, hidden as before.
    let lead = app.user("lead", Some(&town.buergeramt)).await;
    let r = app
        .get(
            &format!("/api/v1/assessments/{}/results?breakdown=unit", town.round),
            &lead.token,
        )
        .await;
    let rows = r.expect(200)["breakdown"].as_array().unwrap().clone();
    let mut ids: Vec<&str> = rows.iter().map(|u| u["unit_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected = vec![town.buergeramt.as_str(), town.standesamt.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let hidden = rows.iter().find(|u| u["unit_id"] == town.standesamt.as_str()).unwrap();
    assert!(hidden["responses"].is_null() && hidden["dimensions"][0]["mean"].is_null());
    let shown = rows.iter().find(|u| u["unit_id"] == town.buergeramt.as_str()).unwrap();
    assert_eq!(shown["responses"], 6, "still the Bürgeramt as it answered");

    // The CSV carries no more than the JSON: the hidden Standesamt's rows have no figures.
    let csv = app
        .get(
            &format!(
                "/api/v1/reports/progress?unit={}&format=csv&table=rounds&lang=en",
                town.standesamt
            ),
            &town.manager.token,
        )
        .await;
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        for name in ["responses", "n", "mean", "sd", "ci95_low", "ci95_high", "score"] {
            assert_eq!(&record[column(name)], "", "{name} of a hidden group in the CSV");
        }
    }
    assert!(rows > 0);

    // A unit created after the close was not in the round, and says so.
    let neu = app.create_unit("Neue Stelle", Some(&town.rathaus)).await;
    let r = app
        .get(
            &format!("/api/v1/reports/progress?unit={neu}&lang=en"),
            &town.manager.token,
        )
        .await;
    let rounds = r.expect(200)["rounds"].as_array().unwrap().clone();
    assert!(
        rounds
            .iter()
            .all(|r| r["suppressed"]["reason"] == "not_in_round" && r["responses"].is_null())
    );
}

async fn a_lower_k_after_the_close_reveals_nothing(app: &TestApp) {
    let town = town(app).await;
    let before = readings(app, &town, &town.manager.token).await;
    settings(app, json!({"min_group_size": 3})).await;
    let after = readings(app, &town, &town.manager.token).await;
    // The one field that may differ is the organisation's own setting in the reports.
    let normalise = |rows: Vec<(String, String)>| -> Vec<(String, String)> {
        rows.into_iter()
            .map(|(path, text)| match serde_json::from_str::<Value>(&text) {
                Ok(mut v) if v.get("rounds").is_some() => {
                    v.as_object_mut().unwrap().remove("min_group_size");
                    (path, v.to_string())
                }
                _ => (path, text),
            })
            .collect()
    };
    assert_same(&normalise(before), &normalise(after.clone()));
    let results: Value = serde_json::from_str(&after[0].1).unwrap();
    assert_eq!(results["min_group_size"], 5, "the k the round closed with");
    let progress: Value = serde_json::from_str(&after[2].1).unwrap();
    assert_eq!(progress["min_group_size"], 3, "the setting today");
    assert!(
        progress["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["min_group_size"] == 5)
    );
}

async fn a_scoped_round_keeps_its_scope_as_it_was(app: &TestApp) {
    settings(app, json!({"min_group_size": 3})).await;
    let rathaus = app.create_unit("Rathaus", None).await;
    let buergeramt = app.create_unit("Bürgeramt", Some(&rathaus)).await;
    let meldestelle = app.create_unit("Meldestelle", Some(&buergeramt)).await;
    let standesamt = app.create_unit("Standesamt", Some(&rathaus)).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let front = join_all((0..4).map(|_| app.user("employee", Some(&buergeramt)))).await;
    let back = join_all((0..3).map(|_| app.user("employee", Some(&meldestelle)))).await;
    let outside = join_all((0..2).map(|_| app.user("employee", Some(&standesamt)))).await;
    let round = open_round(app, Some(&buergeramt)).await;
    for (i, who) in front.iter().chain(&back).enumerate() {
        submit(app, &round, who, uniform_answers(&items, |_| 1 + i as i64 % 5)).await;
    }
    // Not in scope.
    let r = app
        .post(
            &format!("/api/v1/assessments/{round}/responses"),
            &outside[0].token,
            uniform_answers(&items, |_| 3),
        )
        .await;
    r.expect(403);
    close(app, &round).await;
    let path = format!("/api/v1/assessments/{round}/results?breakdown=unit");
    let before = app.get(&path, &app.admin.token).await.expect(200).clone();
    let ids: Vec<&str> = before["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![buergeramt.as_str(), meldestelle.as_str()],
        "the scope as it stood"
    );
    assert_eq!(before["responses"], 7);
    assert_eq!(before["breakdown"][0]["responses"], 7);
    assert_eq!(before["breakdown"][1]["responses"], 3);

    // The Standesamt moves into the scope, the Meldestelle out of it: nothing changes.
    for (unit, parent) in [(&standesamt, &buergeramt), (&meldestelle, &rathaus)] {
        let current = app.get(&format!("/api/v1/units/{unit}"), &app.admin.token).await;
        let version = current.expect(200)["version"].clone();
        app.patch(
            &format!("/api/v1/units/{unit}"),
            &app.admin.token,
            json!({"version": version, "parent_id": parent}),
        )
        .await
        .expect(200);
    }
    let after = app.get(&path, &app.admin.token).await.expect(200).clone();
    assert_eq!(before, after);
}
