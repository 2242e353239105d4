//! Ideas: submission and its validation, group and anonymous submissions, edits while
//! submitted, listing filters and keyset pages, roles and organisation isolation.

use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Reply, Session, TestApp};

both_backends!(
    submission_validates_every_field,
    group_submission_reads_back_whole,
    authors_edit_only_while_submitted,
    anonymous_author_stays_hidden_from_a_lead,
    listing_filters_combine,
    listing_sorts_and_cursors,
    pagination_is_stable_while_new_ideas_arrive,
    each_role_against_idea_endpoints,
    other_organizations_ideas_are_404_everywhere,
);

/// A valid submission body.
pub(crate) fn idea_body(unit: &str, title: &str) -> Value {
    json!({
        "title": title,
        "current_situation": "Citizens queue from 7:00; the average wait is 40 minutes.",
        "proposal": format!("{title}: offer online appointments."),
        "expected_benefit": "Shorter waits.",
        "unit_id": unit,
    })
}

/// Submits an idea as `s` and returns it.
pub(crate) async fn submit(app: &TestApp, s: &Session, body: Value) -> Value {
    app.post("/api/v1/ideas", &s.token, body).await.expect(201).clone()
}

pub(crate) async fn step(app: &TestApp, s: &Session, id: &str, body: Value) -> Reply {
    app.post(&format!("/api/v1/ideas/{id}/transitions"), &s.token, body)
        .await
}

pub(crate) fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(id_of).collect()
}

async fn list(app: &TestApp, s: &Session, query: &str) -> Value {
    app.get(&format!("/api/v1/ideas?{query}"), &s.token)
        .await
        .expect(200)
        .clone()
}

async fn submission_validates_every_field(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let emp = app.user("employee", Some(&unit)).await;
    let bad = app
        .post(
            "/api/v1/ideas",
            &emp.token,
            json!({
                "title": "  ",
                "current_situation": "x".repeat(5001),
                "proposal": "ok",
                "expected_benefit": "ok",
                "unit_id": unit,
                "co_authors": [{"user_id": emp.user_id, "share": 50}],
                "author_share": 50,
                "code_word": "ab",
            }),
        )
        .await;
    bad.expect(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "co_authors",
            "co_authors[0].user_id",
            "code_word",
            "current_situation",
            "title"
        ]
    );

    let keys = |d: Value| {
        let mut b = idea_body(&unit, "Dims");
        b["dimensions"] = d;
        b
    };
    let r = app
        .post(
            "/api/v1/ideas",
            &emp.token,
            keys(json!(["leadership", "Error-Culture", "leadership"])),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions[1]", "dimensions[2]"]);
    let r = app
        .post(
            "/api/v1/ideas",
            &emp.token,
            keys(json!(["leadership", "competence", "motivation", "experimentation"])),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["dimensions"]);
    let r = app
        .post("/api/v1/ideas", &emp.token, keys(json!([&"k".repeat(65)])))
        .await;
    assert_eq!(r.expect(422)["errors"][0]["field"], "dimensions[0]");

    let r = app
        .post("/api/v1/ideas", &emp.token, idea_body("no-such-unit", "X"))
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["unit_id"]);
    let mut shares = idea_body(&unit, "Shares");
    let other = app.user("employee", Some(&unit)).await;
    shares["co_authors"] = json!([{"user_id": other.user_id, "share": 30}]);
    shares["author_share"] = json!(60);
    let r = app.post("/api/v1/ideas", &emp.token, shares.clone()).await;
    r.expect(422);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("90"));
    shares["author_share"] = Value::Null;
    let r = app.post("/api/v1/ideas", &emp.token, shares.clone()).await;
    assert_eq!(r.expect(422)["errors"][0]["field"], "author_share");
    shares["author_share"] = json!(70);
    shares["co_authors"] = json!([{"user_id": "nobody", "share": 30}]);
    let r = app.post("/api/v1/ideas", &emp.token, shares).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["co_authors[0].user_id"]);
    let r = app
        .post(
            "/api/v1/ideas",
            &emp.token,
            json!({"title": "Only a title", "unit_id": unit}),
        )
        .await;
    r.expect(422);
    let mut unknown = idea_body(&unit, "X");
    unknown["status"] = json!("done");
    app.post("/api/v1/ideas", &emp.token, unknown).await.expect(422);
    let mut negative = idea_body(&unit, "X");
    negative["impact_estimate"] = json!({"hours_saved_per_year": -5.0});
    let r = app.post("/api/v1/ideas", &emp.token, negative).await;
    assert_eq!(
        r.expect(422)["errors"][0]["field"],
        "impact_estimate.hours_saved_per_year"
    );

    // Nothing of the refused submissions was stored.
    let page = list(app, &emp, "").await;
    assert!(page["items"].as_array().unwrap().is_empty());
}

async fn group_submission_reads_back_whole(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    let anna = app.user("employee", Some(&unit)).await;
    let ben = app.user("employee", Some(&unit)).await;
    let cara = app.user("lead", Some(&unit)).await;
    let mut body = idea_body(&unit, "Digitale Bauakte");
    body["dimensions"] = json!(["knowledge_sharing", "experimentation"]);
    body["co_authors"] = json!([
        {"user_id": ben.user_id, "share": 30},
        {"user_id": cara.user_id, "share": 20},
    ]);
    body["author_share"] = json!(50);
    body["impact_estimate"] = json!({"hours_saved_per_year": 120.5, "quality_benefit": "Fewer lost files"});
    let r = app.post("/api/v1/ideas", &anna.token, body).await;
    let created = r.expect(201).clone();
    let id = id_of(&created);
    assert_eq!(r.header("location").unwrap(), format!("/api/v1/ideas/{id}"));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    // The submission answers with the idea exactly as its author reads it back.
    let own = app.get(&format!("/api/v1/ideas/{id}"), &anna.token).await;
    assert_eq!(own.expect(200), &created);

    let got = app.get(&format!("/api/v1/ideas/{id}"), &ben.token).await;
    let idea = got.expect(200);
    assert_eq!(idea["title"], "Digitale Bauakte");
    assert_eq!(idea["status"], "submitted");
    assert_eq!(idea["cycle"], 1);
    assert_eq!(idea["version"], 1);
    assert_eq!(idea["unit_id"], unit.as_str());
    assert_eq!(idea["author"]["id"], anna.user_id.as_str());
    assert_eq!(idea["author"]["anonymous"], false);
    assert!(idea["code_word"].is_null());
    assert_eq!(idea["author_share"], 50);
    assert_eq!(idea["dimensions"], json!(["experimentation", "knowledge_sharing"]));
    let co: HashSet<(String, i64)> = idea["co_authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["user"]["id"].as_str().unwrap().to_owned(),
                c["share"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        co,
        HashSet::from([(ben.user_id.clone(), 30), (cara.user_id.clone(), 20)])
    );
    assert_eq!(idea["impact_estimate"]["hours_saved_per_year"], 120.5);
    assert!(idea["impact_estimate"]["cost_saved_per_year"].is_null());
    assert_eq!(idea["vote_count"], 0);
    assert_eq!(idea["days_in_stage"], 0);
    assert!(idea["cycles"].as_array().unwrap().is_empty());
    // A co-author may withdraw; the co-authoring lead may not accept.
    let ben_actions: Vec<&str> = idea["allowed_transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(ben_actions, vec!["withdraw"]);
    let cara_view = app.get(&format!("/api/v1/ideas/{id}/transitions"), &cara.token).await;
    let actions: Vec<&str> = cara_view.expect(200)["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["withdraw"]);
    // Co-authors find it under the author filter.
    let mine = list(app, &ben, "author=me").await;
    assert_eq!(ids(&mine), vec![id.clone()]);
}

async fn authors_edit_only_while_submitted(app: &TestApp) {
    let unit = app.create_unit("Kämmerei", None).await;
    let other_unit = app.create_unit("Ordnungsamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let colleague = app.user("employee", Some(&unit)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let mut body = idea_body(&unit, "E-Rechnung");
    body["impact_estimate"] = json!({"cost_saved_per_year": 900.0});
    let idea = submit(app, &author, body).await;
    let path = format!("/api/v1/ideas/{}", id_of(&idea));

    let r = app
        .patch(&path, &colleague.token, json!({"version": 1, "title": "Mine now"}))
        .await;
    r.expect(403);
    app.patch(&path, &lead.token, json!({"version": 1, "title": "Lead edit"}))
        .await
        .expect(403);
    app.patch(&path, &author.token, json!({"title": "No version"}))
        .await
        .expect(422);

    let r = app
        .patch(
            &path,
            &author.token,
            json!({
                "version": 1,
                "title": "E-Rechnung für alle Lieferanten",
                "unit_id": other_unit,
                "dimensions": ["competence"],
                "co_authors": [{"user_id": colleague.user_id, "share": 25}],
                "author_share": 75,
                "impact_estimate": null,
            }),
        )
        .await;
    let edited = r.expect(200);
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["title"], "E-Rechnung für alle Lieferanten");
    assert_eq!(edited["unit_id"], other_unit.as_str());
    assert_eq!(edited["dimensions"], json!(["competence"]));
    assert_eq!(edited["co_authors"][0]["share"], 25);
    assert!(edited["impact_estimate"].is_null());
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));

    // Stale: 409 with the current version; with If-Match: 412.
    let stale = app
        .patch(&path, &author.token, json!({"version": 1, "title": "Old view"}))
        .await;
    stale.expect(409);
    assert_eq!(stale.body["current_version"], 2);
    let r = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&author.token)
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "Old view"}))
        .send()
        .await
        .unwrap();
    let r = TestApp::read(r).await;
    r.expect(412);
    assert_eq!(r.body["current_version"], 2);
    let r = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&author.token)
        .header("If-Match", "\"2\"")
        .json(&json!({"dimensions": []}))
        .send()
        .await
        .unwrap();
    let r = TestApp::read(r).await;
    assert_eq!(r.expect(200)["dimensions"], json!([]));
    let bad = app
        .patch(&path, &author.token, json!({"version": 3, "author_share": 80}))
        .await;
    bad.expect(422);
    assert_eq!(bad.error_fields(), vec!["co_authors"]);

    // Once accepted (by the lead of the new unit's organisation: a manager), no more edits.
    let manager = app.user("manager", None).await;
    step(app, &manager, &id_of(&idea), json!({"action": "accept", "version": 3}))
        .await
        .expect(200);
    let late = app
        .patch(&path, &author.token, json!({"version": 4, "title": "Too late"}))
        .await;
    late.expect(409);
    assert!(late.body["detail"].as_str().unwrap().contains("transitions"));
    let got = app.get(&path, &author.token).await;
    assert_eq!(got.expect(200)["title"], "E-Rechnung für alle Lieferanten");
}

async fn anonymous_author_stays_hidden_from_a_lead(app: &TestApp) {
    let unit = app.create_unit("Jugendamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let colleague = app.user("employee", Some(&unit)).await;
    let mut body = idea_body(&unit, "Fehler offen besprechen");
    body["code_word"] = json!("Eule");
    body["dimensions"] = json!(["error_culture"]);
    let idea = submit(app, &author, body).await;
    let id = id_of(&idea);
    let path = format!("/api/v1/ideas/{id}");
    // The author sees themself.
    assert_eq!(idea["author"]["id"], author.user_id.as_str());
    assert_eq!(idea["author"]["anonymous"], true);

    app.post(
        &format!("{path}/comments"),
        &author.token,
        json!({"body": "Gern auch als Teamrunde."}),
    )
    .await
    .expect(201);
    app.post(
        &format!("{path}/comments"),
        &colleague.token,
        json!({"body": "Gute Idee."}),
    )
    .await
    .expect(201);

    for viewer in [&lead, &manager, &colleague] {
        let got = app.get(&path, &viewer.token).await;
        let got = got.expect(200);
        assert!(got["author"]["id"].is_null(), "{got}");
        assert_eq!(got["author"]["name"], "Eule");
        assert_eq!(got["author"]["anonymous"], true);
        assert_eq!(got["code_word"], "Eule");
        assert!(!got.to_string().contains(&author.user_id), "author id leaked: {got}");

        let page = list(app, viewer, "").await;
        let item = &page["items"][0];
        assert_eq!(item["author"]["name"], "Eule");
        assert!(!page.to_string().contains(&author.user_id));

        let history = app.get(&format!("{path}/history"), &viewer.token).await;
        let history = history.expect(200);
        assert_eq!(history["items"][0]["action"], "submit");
        assert_eq!(history["items"][0]["actor"]["name"], "Eule");
        assert!(!history.to_string().contains(&author.user_id));

        let comments = app.get(&format!("{path}/comments"), &viewer.token).await;
        let comments = comments.expect(200);
        assert_eq!(comments["items"][0]["author"]["name"], "Eule");
        assert!(comments["items"][0]["author"]["id"].is_null());
        assert_eq!(comments["items"][1]["author"]["id"], colleague.user_id.as_str());
        assert!(!comments.to_string().contains(&author.user_id));

        // Filtering by the author does not reveal the anonymous idea.
        let by_author = list(app, viewer, &format!("author={}", author.user_id)).await;
        assert!(by_author["items"].as_array().unwrap().is_empty());
    }
    // The author's own filter and an admin find it; the admin sees who wrote it.
    assert_eq!(ids(&list(app, &author, "author=me").await), vec![id.clone()]);
    let admin = app.admin.clone();
    assert_eq!(
        ids(&list(app, &admin, &format!("author={}", author.user_id)).await),
        vec![id.clone()]
    );
    let seen = app.get(&path, &admin.token).await;
    assert_eq!(seen.expect(200)["author"]["id"], author.user_id.as_str());
    let history = app.get(&format!("{path}/history"), &admin.token).await;
    assert_eq!(history.expect(200)["items"][0]["actor"]["id"], author.user_id.as_str());

    // Withdrawing happens as the author: still hidden.
    step(app, &author, &id, json!({"action": "withdraw", "version": 1}))
        .await
        .expect(200);
    let history = app.get(&format!("{path}/history"), &lead.token).await;
    let history = history.expect(200);
    assert_eq!(history["items"][1]["action"], "withdraw");
    assert_eq!(history["items"][1]["actor"]["name"], "Eule");
    assert!(!history.to_string().contains(&author.user_id));

    // The code word belongs to its author; someone else cannot take it.
    let mut copy = idea_body(&unit, "Nachahmer");
    copy["code_word"] = json!("Eule");
    let r = app.post("/api/v1/ideas", &colleague.token, copy.clone()).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["code_word"]);
    submit(app, &author, copy).await;
}

async fn listing_filters_combine(app: &TestApp) {
    let rathaus = app.create_unit("Rathaus", None).await;
    let buergeramt = app.create_unit("Bürgeramt", Some(&rathaus)).await;
    let bauamt = app.create_unit("Bauamt", None).await;
    let anna = app.user("employee", Some(&buergeramt)).await;
    let ben = app.user("employee", Some(&bauamt)).await;
    let manager = app.user("manager", None).await;
    let with = |unit: &str, title: &str, dims: Value| {
        let mut b = idea_body(unit, title);
        b["dimensions"] = dims;
        b
    };
    let a1 = id_of(
        &submit(
            app,
            &anna,
            with(&buergeramt, "Wartemarken abschaffen", json!(["leadership"])),
        )
        .await,
    );
    let a2 = id_of(
        &submit(
            app,
            &anna,
            with(&rathaus, "Rathaus-Wiki", json!(["knowledge_sharing", "competence"])),
        )
        .await,
    );
    let b1 = id_of(
        &submit(
            app,
            &ben,
            with(&bauamt, "Bauakte digital", json!(["knowledge_sharing"])),
        )
        .await,
    );
    let b2 = id_of(&submit(app, &ben, with(&bauamt, "100% Online-Anträge", json!([]))).await);
    step(
        app,
        &manager,
        &a2,
        json!({"action": "accept", "version": 1, "owner_id": ben.user_id}),
    )
    .await
    .expect(200);
    step(
        app,
        &manager,
        &b1,
        json!({"action": "reject", "version": 1, "reason": "Läuft schon."}),
    )
    .await
    .expect(200);

    let all = list(app, &anna, "").await;
    assert_eq!(ids(&all), vec![b2.clone(), b1.clone(), a2.clone(), a1.clone()]);
    let item = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == a2.as_str())
        .unwrap();
    assert_eq!(item["status"], "plan");
    assert_eq!(item["dimensions"], json!(["competence", "knowledge_sharing"]));
    assert_eq!(item["owner"]["id"], ben.user_id.as_str());
    assert_eq!(item["vote_count"], 0);
    assert_eq!(item["days_in_stage"], 0);

    assert_eq!(
        ids(&list(app, &anna, "status=plan,rejected").await),
        vec![b1.clone(), a2.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, "status=plan&status=submitted").await),
        vec![b2.clone(), a2.clone(), a1.clone()]
    );
    // A unit includes its sub-units.
    assert_eq!(
        ids(&list(app, &anna, &format!("unit={rathaus}")).await),
        vec![a2.clone(), a1.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, &format!("unit={buergeramt}")).await),
        vec![a1.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, "dimension=knowledge_sharing").await),
        vec![b1.clone(), a2.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, "dimension=leadership,competence").await),
        vec![a2.clone(), a1.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, "status=submitted&dimension=leadership").await),
        vec![a1.clone()]
    );
    assert_eq!(
        ids(&list(app, &anna, &format!("author={}", ben.user_id)).await),
        vec![b2.clone(), b1.clone()]
    );
    assert!(ids(&list(app, &anna, &format!("author={}", manager.user_id)).await).is_empty());
    assert!(ids(&list(app, &anna, "author=no-such-user").await).is_empty());
    assert_eq!(ids(&list(app, &ben, "owner=me").await), vec![a2.clone()]);
    assert_eq!(ids(&list(app, &anna, "q=WIKI").await), vec![a2.clone()]);
    // The proposal is searched too, and wildcards are literal.
    assert_eq!(
        ids(&list(app, &anna, "q=abschaffen%3A%20offer").await),
        vec![a1.clone()]
    );
    assert_eq!(ids(&list(app, &anna, "q=100%25").await), vec![b2.clone()]);
    assert!(ids(&list(app, &anna, "q=%25%25%25x").await).is_empty());
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        ids(&list(app, &anna, &format!("created_from={today}&created_to={today}")).await).len(),
        4
    );
    let tomorrow = today.succ_opt().unwrap();
    assert!(ids(&list(app, &anna, &format!("created_from={tomorrow}")).await).is_empty());
    let yesterday = today.pred_opt().unwrap();
    assert!(ids(&list(app, &anna, &format!("created_to={yesterday}")).await).is_empty());

    // Bad values are named, unknown parameters refused.
    let r = app
        .get("/api/v1/ideas?status=doing&created_from=soon", &anna.token)
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["status", "created_from"]);
    app.get("/api/v1/ideas?dimension=Bad-Key", &anna.token)
        .await
        .expect(422);
    app.get("/api/v1/ideas?colour=red", &anna.token).await.expect(400);
    app.get("/api/v1/ideas?unit=nope", &anna.token).await.expect(422);
    app.get("/api/v1/ideas?cursor=%25%25", &anna.token).await.expect(400);
    // A unit with ideas (even without members) cannot be deleted.
    let empty = app.create_unit("Ohne Personal", None).await;
    submit(app, &anna, idea_body(&empty, "Für eine leere Einheit")).await;
    let r = app.delete(&format!("/api/v1/units/{empty}"), &app.admin.token).await;
    r.expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("referenced"), "{}", r.text);
}

async fn listing_sorts_and_cursors(app: &TestApp) {
    let unit = app.create_unit("IT", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let mut ideas = Vec::new();
    for n in 0..5 {
        ideas.push(id_of(
            &submit(app, &author, idea_body(&unit, &format!("Idee {n}"))).await,
        ));
    }
    // Votes: idea 1 gets 3, idea 3 gets 2, idea 0 gets 1.
    let voters = [
        app.user("employee", Some(&unit)).await,
        app.user("employee", Some(&unit)).await,
        app.user("employee", Some(&unit)).await,
    ];
    for (idea, n) in [(1usize, 3usize), (3, 2), (0, 1)] {
        for v in &voters[..n] {
            app.put(&format!("/api/v1/ideas/{}/votes", ideas[idea]), &v.token, json!({}))
                .await
                .expect(200);
        }
    }
    let by_votes = list(app, &voters[0], "sort=most_votes").await;
    assert_eq!(
        ids(&by_votes),
        vec![
            ideas[1].clone(),
            ideas[3].clone(),
            ideas[0].clone(),
            ideas[4].clone(),
            ideas[2].clone()
        ]
    );
    let counts: Vec<i64> = by_votes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["vote_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, vec![3, 2, 1, 0, 0]);
    let voted: Vec<bool> = by_votes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["voted_by_me"].as_bool().unwrap())
        .collect();
    assert_eq!(voted, vec![true, true, true, false, false]);
    // Walking the same order two at a time gives the same sequence.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("sort=most_votes&limit=2&cursor={c}"),
            None => "sort=most_votes&limit=2".into(),
        };
        let page = list(app, &voters[0], &q).await;
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, ids(&by_votes));

    // Longest in stage: moving an idea resets its clock, so it goes last.
    step(app, &manager, &ideas[0], json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    let by_stage = list(app, &author, "sort=longest_in_stage").await;
    assert_eq!(
        ids(&by_stage),
        vec![
            ideas[1].clone(),
            ideas[2].clone(),
            ideas[3].clone(),
            ideas[4].clone(),
            ideas[0].clone()
        ]
    );
    let page1 = list(app, &author, "sort=longest_in_stage&limit=3").await;
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let page2 = list(app, &author, &format!("sort=longest_in_stage&limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&page2), vec![ideas[4].clone(), ideas[0].clone()]);
    assert!(page2["next_cursor"].is_null());
    // A cursor only works with the order it came from.
    app.get(&format!("/api/v1/ideas?cursor={cursor}"), &author.token)
        .await
        .expect(400);
}

async fn pagination_is_stable_while_new_ideas_arrive(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let reader = app.user("employee", Some(&unit)).await;
    let mut original = Vec::new();
    for n in 0..7 {
        original.push(id_of(
            &submit(app, &author, idea_body(&unit, &format!("Alt {n}"))).await,
        ));
    }
    original.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut arrived = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=3&cursor={c}"),
            None => "limit=3".into(),
        };
        let page = list(app, &reader, &q).await;
        seen.extend(ids(&page));
        // New ideas arrive (some at once) between the pages.
        let burst = join_all((0..3).map(|n| {
            app.post(
                "/api/v1/ideas",
                &author.token,
                idea_body(&unit, &format!("Neu {arrived} {n}")),
            )
        }))
        .await;
        for r in burst {
            r.expect(201);
            arrived += 1;
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, original, "every page continues where the last one ended");
    let everything = list(app, &reader, "limit=200").await;
    assert_eq!(everything["items"].as_array().unwrap().len(), 7 + arrived);
}

async fn each_role_against_idea_endpoints(app: &TestApp) {
    let unit = app.create_unit("Personal", None).await;
    let other_unit = app.create_unit("Kultur", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = submit(app, &author, idea_body(&unit, "Onboarding-Mappe")).await;
    let id = id_of(&idea);
    let path = format!("/api/v1/ideas/{id}");
    for role in ["employee", "lead", "manager", "admin"] {
        let s = app.user(role, Some(&other_unit)).await;
        // Everyone in the organisation submits, reads, votes and comments.
        submit(app, &s, idea_body(&other_unit, &format!("Von {role}"))).await;
        app.get("/api/v1/ideas", &s.token).await.expect(200);
        app.get(&path, &s.token).await.expect(200);
        app.get(&format!("{path}/transitions"), &s.token).await.expect(200);
        app.get(&format!("{path}/history"), &s.token).await.expect(200);
        app.get(&format!("{path}/comments"), &s.token).await.expect(200);
        app.put(&format!("{path}/votes"), &s.token, json!({})).await.expect(200);
        app.delete(&format!("{path}/votes"), &s.token).await.expect(200);
        app.post(&format!("{path}/comments"), &s.token, json!({"body": "+1"}))
            .await
            .expect(201);
        // Only the author edits.
        app.patch(&path, &s.token, json!({"version": 1, "title": "X"}))
            .await
            .expect(403);
        // Moving ideas: not employees, not leads of other units.
        let r = step(app, &s, &id, json!({"action": "reject", "version": 1})).await;
        match role {
            "employee" | "lead" => {
                r.expect(403);
            }
            _ => {
                r.expect(422);
                assert_eq!(r.error_fields(), vec!["reason"]);
            }
        }
    }
    // Unauthenticated callers get nothing.
    let anon = app.send(reqwest::Method::GET, "/api/v1/ideas", None, None).await;
    anon.expect(401);
    let anon = app
        .send(reqwest::Method::PUT, &format!("{path}/votes"), None, None)
        .await;
    anon.expect(401);
    let got = app.get(&path, &author.token).await;
    let got = got.expect(200);
    assert_eq!(got["status"], "submitted");
    assert_eq!(got["version"], 1);
    assert_eq!(got["comment_count"], 4);
    assert_eq!(got["vote_count"], 0);
}

async fn other_organizations_ideas_are_404_everywhere(app: &TestApp) {
    let unit = app.create_unit("Schulamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = submit(app, &author, idea_body(&unit, "Schul-IT zentral")).await;
    let id = id_of(&idea);
    let comment = app
        .post(
            &format!("/api/v1/ideas/{id}/comments"),
            &author.token,
            json!({"body": "Hallo"}),
        )
        .await
        .expect(201)
        .clone();
    let comment_path = format!("/api/v1/ideas/{id}/comments/{}", id_of(&comment));
    let (_, other) = app.other_organization().await;
    let path = format!("/api/v1/ideas/{id}");

    app.get(&path, &other.token).await.expect(404);
    app.patch(&path, &other.token, json!({"version": 1, "title": "X"}))
        .await
        .expect(404);
    app.get(&format!("{path}/transitions"), &other.token).await.expect(404);
    step(
        app,
        &other,
        &id,
        json!({"action": "reject", "version": 1, "reason": "x"}),
    )
    .await
    .expect(404);
    app.get(&format!("{path}/history"), &other.token).await.expect(404);
    app.put(&format!("{path}/votes"), &other.token, json!({}))
        .await
        .expect(404);
    app.delete(&format!("{path}/votes"), &other.token).await.expect(404);
    app.get(&format!("{path}/comments"), &other.token).await.expect(404);
    app.post(&format!("{path}/comments"), &other.token, json!({"body": "x"}))
        .await
        .expect(404);
    app.patch(&comment_path, &other.token, json!({"version": 1, "body": "x"}))
        .await
        .expect(404);
    app.delete(&comment_path, &other.token).await.expect(404);
    let listed = app.get("/api/v1/ideas", &other.token).await;
    assert!(listed.expect(200)["items"].as_array().unwrap().is_empty());
    // Nor can it submit into our units, or link its ideas to ours.
    let r = app.post("/api/v1/ideas", &other.token, idea_body(&unit, "Fremd")).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["unit_id"]);
    let other_unit = app
        .post("/api/v1/units", &other.token, json!({"name": "Eigenes Amt"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = submit(app, &other, idea_body(&other_unit, "Deren Idee")).await;
    let manager = app.user("manager", None).await;
    let r = step(
        app,
        &manager,
        &id,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": id_of(&theirs), "reason": "Gleich."}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["duplicate_of"]);
    let r = step(
        app,
        &manager,
        &id,
        json!({"action": "accept", "version": 1, "owner_id": other.user_id}),
    )
    .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["owner_id"]);
    // Their own idea lives on in their organisation only.
    assert_eq!(
        app.get(&format!("/api/v1/ideas/{}", id_of(&theirs)), &author.token)
            .await
            .status,
        404
    );
    // Our idea is untouched.
    let got = app.get(&path, &author.token).await;
    let got = got.expect(200);
    assert_eq!(got["version"], 1);
    assert_eq!(got["vote_count"], 0);
    assert_eq!(got["comment_count"], 1);
}
