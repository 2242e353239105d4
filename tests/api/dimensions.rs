//! Current dimensions, latest scores, trend and weak dimensions — through the API and
//! through `store::dimensions`, which the ideas workflow uses.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::assessment_support::*;
use crate::both_backends;
use crate::helpers::{Session, TestApp};

both_backends!(weak_dimensions_follow_the_latest_closed_organisation_round);

async fn store_keys(app: &TestApp, org: &str) -> (Vec<String>, Vec<String>) {
    let pool = app.pool.clone();
    let org = org.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        (
            kaizen::store::dimensions::current_keys(&mut conn, &org).unwrap(),
            kaizen::store::dimensions::weak_keys(&mut conn, &org).unwrap(),
        )
    })
    .await
    .unwrap()
}

fn api_keys(body: &Value, weak_only: bool) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !weak_only || d["weak"] == true)
        .map(|d| d["key"].as_str().unwrap().to_owned())
        .collect()
}

async fn dimensions(app: &TestApp) -> Value {
    app.get("/api/v1/dimensions?lang=en", &app.admin.token)
        .await
        .expect(200)
        .clone()
}

/// Each respondent's score per dimension, in `DIMENSIONS` order.
async fn run_round(app: &TestApp, people: &[Session], scores: &[[i64; 7]], hide: Option<&str>) -> String {
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    for (who, row) in people.iter().zip(scores) {
        let mut body = uniform_answers(&items, |dim| row[DIMENSIONS.iter().position(|d| *d == dim).unwrap()]);
        for (n, (_, dim, _)) in items.iter().enumerate() {
            if Some(dim.as_str()) == hide && who.user_id == people[2].user_id {
                body["answers"][n]["value"] = json!("cant_judge");
            }
        }
        assert_eq!(submit(app, &round, who, body).await, 201);
    }
    close(app, &round).await;
    round
}

fn close_to(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

async fn weak_dimensions_follow_the_latest_closed_organisation_round(app: &TestApp) {
    settings(app, json!({"min_group_size": 3})).await;
    let people: Vec<Session> = join_all((0..3).map(|_| app.user("employee", None))).await;

    // Before any round: the built-in dimensions, no scores, nothing weak.
    let (current, weak) = store_keys(app, &app.org_id).await;
    assert_eq!(current, DIMENSIONS);
    assert!(weak.is_empty());
    let d = dimensions(app).await;
    assert_eq!(api_keys(&d, false), DIMENSIONS);
    assert!(d["latest_round"].is_null());
    assert!(api_keys(&d, true).is_empty());
    assert!(d["items"][0]["score"].is_null());
    assert_eq!(d["items"][0]["name"], "Leadership for learning");
    assert!(d["items"][0]["description"].as_str().unwrap().contains("low score"));

    // Round 1. Means: leadership 13/3, error_culture 7/3, experimentation 4,
    // knowledge_sharing 14/3, competence 11/3, motivation 11/3, learning_impact 14/3.
    let first = run_round(
        app,
        &people,
        &[[4, 2, 4, 5, 4, 3, 5], [4, 2, 4, 4, 3, 4, 5], [5, 3, 4, 5, 4, 4, 4]],
        None,
    )
    .await;
    // A round of one unit does not describe the organisation: it never counts here.
    let unit = app.create_unit("Ordnungsamt", None).await;
    let unit_round = open_round(app, Some(&unit)).await;
    close(app, &unit_round).await;

    let d = dimensions(app).await;
    assert_eq!(d["latest_round"]["id"], first.as_str());
    let error_culture = &d["items"][1];
    assert!(close_to(&error_culture["score"], (7.0 / 3.0 - 1.0) / 4.0 * 100.0));
    assert_eq!(error_culture["n"], 3);
    assert_eq!(error_culture["band"]["key"], "emerging");
    assert!(error_culture["trend"].is_null());
    // Below 60: error_culture (33.3). Two lowest: 33.3 and 66.7, where competence and
    // motivation tie.
    let expected = vec!["error_culture", "competence", "motivation"];
    assert_eq!(api_keys(&d, true), expected);
    assert_eq!(store_keys(app, &app.org_id).await.1, expected, "same rule in the store");

    settings(app, json!({"weak_threshold": 20.0, "weak_count": 1})).await;
    assert_eq!(api_keys(&dimensions(app).await, true), vec!["error_culture"]);
    settings(app, json!({"weak_threshold": 0.0, "weak_count": 0})).await;
    assert!(api_keys(&dimensions(app).await, true).is_empty());
    assert!(store_keys(app, &app.org_id).await.1.is_empty());
    settings(app, json!({"weak_threshold": 60.0, "weak_count": 2})).await;

    // Round 2; the third person says "can't judge" to all knowledge-sharing items, so
    // that dimension has two counted respondents (< k) and no score.
    let second = run_round(
        app,
        &people,
        &[[5, 3, 4, 5, 4, 5, 5], [5, 3, 4, 5, 4, 5, 5], [5, 3, 4, 5, 4, 5, 5]],
        Some("knowledge_sharing"),
    )
    .await;
    let d = dimensions(app).await;
    assert_eq!(d["latest_round"]["id"], second.as_str());
    assert_eq!(d["previous_round"]["id"], first.as_str());
    let error_culture = &d["items"][1];
    assert!(close_to(&error_culture["score"], 50.0));
    assert!(close_to(&error_culture["trend"]["previous_score"], 100.0 / 3.0));
    assert!(close_to(&error_culture["trend"]["change"], 50.0 - 100.0 / 3.0));
    let knowledge = &d["items"][3];
    assert!(knowledge["score"].is_null());
    assert!(knowledge["trend"].is_null());
    assert_eq!(knowledge["weak"], false);
    let expected = vec!["error_culture", "experimentation", "competence"];
    assert_eq!(api_keys(&d, true), expected);
    assert_eq!(store_keys(app, &app.org_id).await.1, expected);

    // Publishing another questionnaire beside it changes nothing; an admin switching the
    // reference does (the answer says what changes). Rounds compare by key.
    let custom = json!({
        "key": "kurzcheck", "title": {"de": "Kurzcheck"}, "scale": "agree-5",
        "dimensions": [
            {"key": "error_culture", "name": {"de": "Fehlerkultur"}, "description": {"de": "Niedrig: Fehler werden versteckt."},
             "items": [{"key": "e.1", "text": {"de": "A"}}, {"key": "e.2", "text": {"de": "B"}, "reverse": true}]},
            {"key": "meetings", "name": {"de": "Besprechungen"}, "description": {"de": "Niedrig: endlose Sitzungen."},
             "items": [{"key": "m.1", "text": {"de": "C"}}, {"key": "m.2", "text": {"de": "D"}}]}
        ]
    });
    let q = app.post("/api/v1/questionnaires", &app.admin.token, custom).await;
    let q = q.expect(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(
        store_keys(app, &app.org_id).await.0,
        DIMENSIONS,
        "a draft is not current"
    );
    app.post(
        &format!("/api/v1/questionnaires/{q}/publish"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    let unchanged = dimensions(app).await;
    assert_eq!(unchanged["questionnaire"]["key"], "lernkultur");
    assert_eq!(store_keys(app, &app.org_id).await.0, DIMENSIONS, "published beside it");
    let manager = app.user("manager", None).await;
    let org = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    app.patch(
        "/api/v1/organization",
        &manager.token,
        json!({"version": org["version"], "reference_questionnaire_key": "kurzcheck"}),
    )
    .await
    .expect(403);
    let bad = app
        .patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": org["version"], "reference_questionnaire_key": "gibt-es-nicht"}),
        )
        .await;
    bad.expect(422);
    assert_eq!(bad.error_fields(), vec!["reference_questionnaire_key"]);
    let switched = app
        .patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": org["version"], "reference_questionnaire_key": "kurzcheck"}),
        )
        .await;
    let switched = switched.expect(200);
    assert_eq!(switched["reference_questionnaire_key"], "kurzcheck");
    let notice = switched["notices"][0].as_str().unwrap();
    assert!(notice.contains("leadership") && notice.contains("meetings"), "{notice}");
    let d = dimensions(app).await;
    assert_eq!(d["questionnaire"]["key"], "kurzcheck");
    assert_eq!(api_keys(&d, false), vec!["error_culture", "meetings"]);
    // Scores come from rounds of the reference questionnaire only: none has closed yet,
    // so nothing scores and nothing is weak (the built-in rounds stay in the progress
    // report).
    assert!(d["latest_round"].is_null(), "{d}");
    assert!(d["items"][0]["score"].is_null() && d["items"][1]["score"].is_null());
    assert_eq!(api_keys(&d, true), Vec::<String>::new());
    assert_eq!(
        store_keys(app, &app.org_id).await,
        (vec!["error_culture".to_string(), "meetings".to_string()], vec![])
    );
    assert!(notice.contains("none is weak"), "{notice}");
    // Archived, the built-in one is current again — also when it is archived itself.
    app.post(
        &format!("/api/v1/questionnaires/{q}/archive"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    let builtin = builtin_id(app, &app.admin.token).await;
    app.post(
        &format!("/api/v1/questionnaires/{builtin}/archive"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(store_keys(app, &app.org_id).await.0, DIMENSIONS);
    assert_eq!(dimensions(app).await["questionnaire"]["id"], builtin.as_str());

    // Another organisation has its own dimensions and no scores; employees may read.
    let (other_org, other) = app.other_organization().await;
    let theirs = app.get_default_language("/api/v1/dimensions", &other.token).await;
    let theirs = theirs.expect(200);
    assert!(theirs["latest_round"].is_null());
    assert_ne!(theirs["questionnaire"]["id"], builtin.as_str());
    assert_eq!(theirs["lang"], "de");
    assert_eq!(
        store_keys(app, &other_org).await,
        (DIMENSIONS.map(String::from).to_vec(), vec![])
    );
    let employee = app.user("employee", None).await;
    app.get("/api/v1/dimensions", &employee.token).await.expect(200);
}
