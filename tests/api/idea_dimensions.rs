//! Ideas linked to questionnaire dimensions: keys checked against the organisation's
//! current questionnaire, and the list filter for currently weak dimensions.

use serde_json::{Value, json};

use crate::assessment_support::{self, DIMENSIONS};
use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::idea_body;

both_backends!(
    dimension_links_follow_the_current_questionnaire,
    weak_only_lists_ideas_of_weak_dimensions
);

fn with_dimensions(unit: &str, title: &str, keys: &[&str]) -> Value {
    let mut body = idea_body(unit, title);
    body["dimensions"] = json!(keys);
    body
}

fn titles(page: &Value) -> Vec<String> {
    let mut t: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

async fn dimension_links_follow_the_current_questionnaire(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let e = app.user("employee", Some(&unit)).await;
    for key in DIMENSIONS {
        app.post("/api/v1/ideas", &e.token, with_dimensions(&unit, key, &[key]))
            .await
            .expect(201);
    }
    let r = app
        .post(
            "/api/v1/ideas",
            &e.token,
            with_dimensions(&unit, "Meetings", &["leadership", "meetings"]),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions[1]"]);
    assert!(r.text.contains("current questionnaire"), "{}", r.text);

    // Another questionnaire published beside the reference one changes nothing ...
    let imported = app
        .post(
            "/api/v1/questionnaires",
            &app.admin.token,
            crate::questionnaires::custom("teamklima"),
        )
        .await;
    let qid = imported.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/questionnaires/{qid}/publish"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/ideas",
        &e.token,
        with_dimensions(&unit, "Still", &["experimentation"]),
    )
    .await
    .expect(201);
    // ... until an admin makes it the reference: its keys count now.
    let org = app
        .get("/api/v1/organization", &app.admin.token)
        .await
        .expect(200)
        .clone();
    app.patch(
        "/api/v1/organization",
        &app.admin.token,
        json!({"version": org["version"], "reference_questionnaire_key": "teamklima"}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/ideas",
        &e.token,
        with_dimensions(&unit, "Meetings", &["meetings", "error_culture"]),
    )
    .await
    .expect(201);
    let old = app
        .post(
            "/api/v1/ideas",
            &e.token,
            with_dimensions(&unit, "Old key", &["leadership"]),
        )
        .await;
    old.expect(422);
    assert_eq!(old.error_fields(), vec!["dimensions[0]"]);
    // Ideas linked earlier keep their links and can still be found by them.
    let listed = app.get("/api/v1/ideas?dimension=leadership", &e.token).await;
    assert_eq!(titles(listed.expect(200)), vec!["leadership"]);
}

async fn weak_only_lists_ideas_of_weak_dimensions(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let e = app.user("employee", Some(&unit)).await;
    for (title, keys) in [
        ("Lead", vec!["leadership"]),
        ("Errors", vec!["error_culture", "competence"]),
        ("Skills", vec!["competence"]),
        ("None", vec![]),
    ] {
        app.post("/api/v1/ideas", &e.token, with_dimensions(&unit, title, &keys))
            .await
            .expect(201);
    }
    // No round has closed: nothing is weak yet.
    let r = app.get("/api/v1/ideas?weak_only=true", &e.token).await;
    assert!(r.expect(200)["items"].as_array().unwrap().is_empty());
    app.get("/api/v1/ideas?weak_only=perhaps", &e.token).await.expect(422);

    // Five respondents: leadership and error culture score low, the rest high.
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let round = assessment_support::open_round(app, None).await;
    let qid = assessment_support::builtin_id(app, &app.admin.token).await;
    let items = assessment_support::items(app, &qid).await;
    for p in &people {
        let body = assessment_support::uniform_answers(&items, |dim| match dim {
            "leadership" => 1,
            "error_culture" => 2,
            _ => 5,
        });
        assert_eq!(assessment_support::submit(app, &round, p, body).await, 201);
    }
    assessment_support::close(app, &round).await;

    let weak = app.get("/api/v1/ideas?weak_only=true", &e.token).await;
    assert_eq!(titles(weak.expect(200)), vec!["Errors", "Lead"]);
    let all = app.get("/api/v1/ideas?weak_only=false", &e.token).await;
    assert_eq!(all.expect(200)["items"].as_array().unwrap().len(), 4);
    // Combined with another filter, both apply.
    let both = app
        .get("/api/v1/ideas?weak_only=true&dimension=competence", &e.token)
        .await;
    assert_eq!(titles(both.expect(200)), vec!["Errors"]);
}
