//! Questionnaires: the built-in one everywhere, localisation, import validation,
//! versions, publish and archive, roles and organisations.

use serde_json::{Value, json};

use crate::assessment_support::*;
use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(
    every_organisation_has_the_builtin_questionnaire,
    texts_follow_the_requested_language,
    imports_are_validated_field_by_field,
    versions_are_published_archived_and_used_for_rounds,
    roles_and_organisations_are_enforced_for_questionnaires,
);

pub(crate) fn custom(key: &str) -> Value {
    json!({
        "key": key,
        "title": {"de": "Teamklima", "en": "Team climate"},
        "scale": "agree-5",
        "dimensions": [
            {
                "key": "error_culture",
                "name": {"de": "Fehlerkultur", "en": "Error culture"},
                "description": {"de": "Niedrig heißt: Fehler werden verschwiegen.", "en": "Low means mistakes are hushed up."},
                "items": [
                    {"key": "ec.1", "text": {"de": "Fehler darf man zugeben."}},
                    {"key": "ec.2", "text": {"de": "Wer Fehler macht, wird bloßgestellt.", "en": "People who err are shown up."}, "reverse": true}
                ]
            },
            {
                "key": "meetings",
                "name": {"de": "Besprechungen", "en": "Meetings"},
                "description": {"de": "Niedrig heißt: Besprechungen ohne Ergebnis.", "en": "Low means meetings without results."},
                "items": [
                    {"key": "m.1", "text": {"de": "Besprechungen enden mit klaren Aufgaben.", "en": "Meetings end with clear tasks."}},
                    {"key": "m.2", "text": {"de": "Alle kommen zu Wort.", "en": "Everyone gets a say."}},
                    {"key": "m.3", "text": {"de": "Besprechungen sind Zeitverschwendung.", "en": "Meetings are a waste of time."}, "reverse": true}
                ]
            }
        ]
    })
}

async fn every_organisation_has_the_builtin_questionnaire(app: &TestApp) {
    let listed = app.get("/api/v1/questionnaires", &app.admin.token).await;
    let items = listed.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let q = &items[0];
    assert_eq!(
        (q["key"].as_str(), q["version"].as_i64()),
        (Some("lernkultur"), Some(1))
    );
    assert_eq!(
        (q["status"].as_str(), q["builtin"].as_bool()),
        (Some("published"), Some(true))
    );
    let id = q["id"].as_str().unwrap();
    let full = app
        .get_default_language(&format!("/api/v1/questionnaires/{id}"), &app.admin.token)
        .await;
    let full = full.expect(200);
    let dims = full["dimensions"].as_array().unwrap();
    let keys: Vec<&str> = dims.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys, DIMENSIONS);
    for d in dims {
        let items = d["items"].as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert!(items.iter().any(|i| i["reverse"] == true), "{}", d["key"]);
        assert!(d["description"].as_str().unwrap().contains("niedriger Wert"));
    }
    assert_eq!(full["answer_scale"]["values"].as_array().unwrap().len(), 5);
    assert_eq!(full["answer_scale"]["cant_judge"]["value"], "cant_judge");

    // An organisation created later (command line path) has it as well.
    let (_, other) = app.other_organization().await;
    let theirs = app.get("/api/v1/questionnaires", &other.token).await;
    let theirs = theirs.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["key"], "lernkultur");
    assert_ne!(theirs[0]["id"], q["id"]);

    // Loading on start is idempotent: a second instance over the same database adds nothing.
    let (address, handle) = app.sibling().await;
    handle.stop(false).await;
    assert!(!address.is_empty());
    let again = app.get("/api/v1/questionnaires", &app.admin.token).await;
    assert_eq!(again.expect(200)["items"].as_array().unwrap().len(), 1);
}

async fn get_title(app: &TestApp, path: &str, accept: Option<&str>) -> (String, String) {
    let mut req = app.client.get(app.url(path)).bearer_auth(&app.admin.token);
    // None: no language named (the test client otherwise asks for English).
    req = req.header("accept-language", accept.unwrap_or(""));
    let r = TestApp::read(req.send().await.unwrap()).await;
    let body = r.expect(200);
    (
        body["title"].as_str().unwrap().to_owned(),
        r.header("content-language").unwrap_or_default(),
    )
}

async fn texts_follow_the_requested_language(app: &TestApp) {
    let id = builtin_id(app, &app.admin.token).await;
    let path = format!("/api/v1/questionnaires/{id}");
    let de = ("Lernkultur in der Verwaltung".to_string(), "de".to_string());
    let en = ("Learning culture in the administration".to_string(), "en".to_string());
    assert_eq!(get_title(app, &path, None).await, de, "German by default");
    assert_eq!(get_title(app, &format!("{path}?lang=en"), None).await, en);
    assert_eq!(
        get_title(app, &format!("{path}?lang=de"), Some("en")).await,
        de,
        "?lang wins"
    );
    assert_eq!(get_title(app, &path, Some("en-GB,en;q=0.9")).await, en);
    assert_eq!(
        get_title(app, &path, Some("en;q=0.3, de-AT;q=0.9")).await,
        de,
        "q-values"
    );
    assert_eq!(
        get_title(app, &path, Some("fr, it;q=0.5")).await,
        en,
        "English fallback"
    );
    assert_eq!(get_title(app, &format!("{path}?lang=fr"), None).await, en);

    // The organisation's default language applies when the caller names none.
    settings(app, json!({"default_locale": "en"})).await;
    assert_eq!(get_title(app, &path, None).await, en);
    assert_eq!(get_title(app, &path, Some("*")).await, en);

    // A text missing in the chosen language falls back (here: English -> German).
    let imported = app
        .post("/api/v1/questionnaires", &app.admin.token, custom("teamklima"))
        .await;
    let qid = imported.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/questionnaires/{qid}?lang=en"), &app.admin.token)
        .await;
    let body = r.expect(200);
    assert_eq!(body["dimensions"][0]["items"][0]["text"], "Fehler darf man zugeben.");
    assert_eq!(
        body["dimensions"][0]["items"][1]["text"],
        "People who err are shown up."
    );
    // The answer sheet of a round is localised the same way.
    let round = open_round(app, None).await;
    let req = app
        .client
        .get(app.url(&format!("/api/v1/assessments/{round}/questionnaire")))
        .bearer_auth(&app.admin.token)
        .header("accept-language", "de-DE, en;q=0.5");
    let sheet = TestApp::read(req.send().await.unwrap()).await;
    let sheet = sheet.expect(200);
    assert_eq!(sheet["lang"], "de");
    assert_eq!(sheet["answer_scale"]["values"][4]["label"], "trifft voll zu");
    assert_eq!(sheet["items"].as_array().unwrap().len(), 28);
    assert_eq!(
        sheet["items"][0]["text"],
        "Meine Führungskraft ermutigt mich, bestehende Abläufe zu hinterfragen."
    );
}

async fn imports_are_validated_field_by_field(app: &TestApp) {
    let mut bad = custom("teamklima");
    bad["scale"] = json!("stars-10");
    bad["dimensions"][1]["key"] = json!("error_culture");
    bad["dimensions"][0]["items"][1]["key"] = json!("ec.1");
    bad["dimensions"][1]["items"][2]["text"] = json!({"de": "   "});
    bad["dimensions"][0]["name"] = json!({});
    let r = app.post("/api/v1/questionnaires", &app.admin.token, bad).await;
    r.expect(422);
    assert_eq!(
        r.error_fields(),
        vec![
            "scale",
            "dimensions[0].name",
            "dimensions[0].items[1].key",
            "dimensions[1].key",
            "dimensions[1].items[2].text.de",
        ]
    );

    let mut too_few = custom("teamklima");
    too_few["dimensions"][0]["items"] = json!([{"key": "a", "text": {"de": "A"}}]);
    let r = app.post("/api/v1/questionnaires", &app.admin.token, too_few).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions[0].items"]);
    let mut too_many = custom("teamklima");
    too_many["dimensions"][1]["items"] = Value::Array(
        (0..13)
            .map(|n| json!({"key": format!("m.{n}"), "text": {"en": "Text"}}))
            .collect(),
    );
    let r = app.post("/api/v1/questionnaires", &app.admin.token, too_many).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions[1].items"]);

    // Wrong types and unknown fields name their path; a non-JSON body is a 400.
    let mut wrong = custom("teamklima");
    wrong["dimensions"][0]["items"][0]["reverse"] = json!("yes");
    let r = app.post("/api/v1/questionnaires", &app.admin.token, wrong).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions[0].items[0].reverse"]);
    let mut unknown_lang = custom("teamklima");
    unknown_lang["title"]["fr"] = json!("Climat");
    let r = app.post("/api/v1/questionnaires", &app.admin.token, unknown_lang).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["title.fr"]);
    let raw = app
        .client
        .post(app.url("/api/v1/questionnaires"))
        .bearer_auth(&app.admin.token)
        .header("content-type", "application/json")
        .body("{\"key\": ")
        .send()
        .await
        .unwrap();
    TestApp::read(raw).await.expect(400);

    // The built-in key is reserved.
    let r = app
        .post("/api/v1/questionnaires", &app.admin.token, custom("lernkultur"))
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["key"]);

    // None of this stored anything.
    let listed = app.get("/api/v1/questionnaires", &app.admin.token).await;
    assert_eq!(listed.expect(200)["items"].as_array().unwrap().len(), 1);
}

async fn versions_are_published_archived_and_used_for_rounds(app: &TestApp) {
    let r = app
        .post("/api/v1/questionnaires", &app.admin.token, custom("teamklima"))
        .await;
    let v1 = r.expect(201);
    assert_eq!(
        (v1["version"].as_i64(), v1["status"].as_str()),
        (Some(1), Some("draft"))
    );
    assert!(r.header("location").unwrap().ends_with(v1["id"].as_str().unwrap()));
    let v1 = v1["id"].as_str().unwrap().to_owned();
    let mut changed = custom("teamklima");
    changed["dimensions"][1]["items"][0]["text"]["de"] = json!("Besprechungen haben ein Ziel.");
    let r = app.post("/api/v1/questionnaires", &app.admin.token, changed).await;
    let v2 = r.expect(201);
    assert_eq!(v2["version"], 2, "same key: next version");
    let v2 = v2["id"].as_str().unwrap().to_owned();

    // Drafts cannot carry rounds.
    let round = |qid: &str| {
        app.post(
            "/api/v1/assessments",
            &app.admin.token,
            json!({"questionnaire_id": qid, "title": "Team", "closes_at": in_seconds(3600)}),
        )
    };
    let r = round(&v1).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["questionnaire_id"]);

    let path = |id: &str, action: &str| format!("/api/v1/questionnaires/{id}/{action}");
    let published = app.post(&path(&v1, "publish"), &app.admin.token, json!({})).await;
    let published = published.expect(200);
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    app.post(&path(&v1, "publish"), &app.admin.token, json!({}))
        .await
        .expect(409);
    app.delete(&format!("/api/v1/questionnaires/{v1}"), &app.admin.token)
        .await
        .expect(409);
    round(&v1).await.expect(201);

    // The definition round-trips: export, change, import as the next version.
    let def = app
        .get(&format!("/api/v1/questionnaires/{v1}/definition"), &app.admin.token)
        .await;
    let def = def.expect(200).clone();
    // The export spells out `reverse: false` where the import left it out.
    let mut expected = custom("teamklima");
    for d in expected["dimensions"].as_array_mut().unwrap() {
        for i in d["items"].as_array_mut().unwrap() {
            if i.get("reverse").is_none() {
                i["reverse"] = json!(false);
            }
        }
    }
    assert_eq!(def, expected);
    let r = app.post("/api/v1/questionnaires", &app.admin.token, def).await;
    assert_eq!(r.expect(201)["version"], 3);

    let archived = app.post(&path(&v1, "archive"), &app.admin.token, json!({})).await;
    assert_eq!(archived.expect(200)["status"], "archived");
    app.post(&path(&v1, "archive"), &app.admin.token, json!({}))
        .await
        .expect(409);
    app.post(&path(&v2, "archive"), &app.admin.token, json!({}))
        .await
        .expect(409);
    let r = round(&v1).await;
    r.expect(422);
    assert!(r.text.contains("archived"));

    // Drafts can be deleted.
    app.delete(&format!("/api/v1/questionnaires/{v2}"), &app.admin.token)
        .await
        .expect(204);
    app.get(&format!("/api/v1/questionnaires/{v2}"), &app.admin.token)
        .await
        .expect(404);
    let listed = app
        .get("/api/v1/questionnaires?key=teamklima&status=archived", &app.admin.token)
        .await;
    let listed = listed.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], v1.as_str());
}

async fn roles_and_organisations_are_enforced_for_questionnaires(app: &TestApp) {
    let draft = app
        .post("/api/v1/questionnaires", &app.admin.token, custom("teamklima"))
        .await;
    let draft = draft.expect(201)["id"].as_str().unwrap().to_owned();
    let builtin = builtin_id(app, &app.admin.token).await;
    for role in ["employee", "lead", "manager"] {
        let s = app.user(role, None).await;
        app.post("/api/v1/questionnaires", &s.token, custom("anders"))
            .await
            .expect(403);
        app.post(&format!("/api/v1/questionnaires/{draft}/publish"), &s.token, json!({}))
            .await
            .expect(403);
        app.post(
            &format!("/api/v1/questionnaires/{builtin}/archive"),
            &s.token,
            json!({}),
        )
        .await
        .expect(403);
        app.delete(&format!("/api/v1/questionnaires/{draft}"), &s.token)
            .await
            .expect(403);
        app.get(&format!("/api/v1/questionnaires/{builtin}"), &s.token)
            .await
            .expect(200);
        // Drafts are for managers and admins.
        let seen = app.get(&format!("/api/v1/questionnaires/{draft}"), &s.token).await;
        let listed = app.get("/api/v1/questionnaires", &s.token).await;
        let count = listed.expect(200)["items"].as_array().unwrap().len();
        if role == "manager" {
            seen.expect(200);
            assert_eq!(count, 2);
        } else {
            seen.expect(404);
            assert_eq!(count, 1);
        }
    }

    let (_, other) = app.other_organization().await;
    for r in [
        app.get(&format!("/api/v1/questionnaires/{builtin}"), &other.token)
            .await,
        app.get(&format!("/api/v1/questionnaires/{draft}/definition"), &other.token)
            .await,
        app.post(
            &format!("/api/v1/questionnaires/{draft}/publish"),
            &other.token,
            json!({}),
        )
        .await,
        app.post(
            &format!("/api/v1/questionnaires/{builtin}/archive"),
            &other.token,
            json!({}),
        )
        .await,
        app.delete(&format!("/api/v1/questionnaires/{draft}"), &other.token)
            .await,
    ] {
        r.expect(404);
    }
    // Their own import gets version 1 of the same key: numbering is per organisation.
    let r = app
        .post("/api/v1/questionnaires", &other.token, custom("teamklima"))
        .await;
    assert_eq!(r.expect(201)["version"], 1);
    let mine = app
        .get(&format!("/api/v1/questionnaires/{draft}"), &app.admin.token)
        .await;
    assert_eq!(mine.expect(200)["status"], "draft");
}
