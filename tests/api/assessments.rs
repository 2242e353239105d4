//! Assessment rounds: lifecycle by hand and by time, answering once and only in scope,
//! scoring and statistics, suppression by unit, anonymity, roles and organisations.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::assessment_support::*;
use crate::both_backends;
use crate::helpers::{Session, TestApp};

both_backends!(
    rounds_move_from_scheduled_to_open_to_closed,
    the_clock_opens_and_closes_rounds_lazily_and_by_the_scheduler,
    each_person_answers_once_even_when_submitting_in_parallel,
    a_close_racing_submissions_counts_exactly_the_accepted_ones,
    answers_are_validated_and_name_the_item,
    only_users_in_scope_answer_and_only_while_open,
    results_match_hand_computed_statistics,
    small_units_are_suppressed_including_the_subtraction_case,
    an_open_round_shows_participation_only,
    responses_cannot_be_linked_to_people,
    roles_and_organisations_are_enforced_for_rounds,
);

async fn rounds_move_from_scheduled_to_open_to_closed(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let manager = app.user("manager", Some(&unit)).await;
    app.user("employee", Some(&unit)).await;
    let qid = builtin_id(app, &manager.token).await;

    let bad = app
        .post(
            "/api/v1/assessments",
            &manager.token,
            json!({"questionnaire_id": "nope", "title": " ", "opens_at": in_seconds(7200), "closes_at": in_seconds(3600)}),
        )
        .await;
    bad.expect(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["closes_at", "title"]);
    let unknown = app
        .post(
            "/api/v1/assessments",
            &manager.token,
            json!({"questionnaire_id": "nope", "title": "X", "scope_unit_id": "nowhere", "closes_at": in_seconds(3600)}),
        )
        .await;
    unknown.expect(422);
    assert_eq!(unknown.error_fields(), vec!["questionnaire_id", "scope_unit_id"]);

    let created = app
        .post(
            "/api/v1/assessments",
            &manager.token,
            json!({"questionnaire_id": qid, "title": "Frühjahr", "opens_at": in_seconds(3600), "closes_at": in_seconds(7200)}),
        )
        .await;
    let round = created.expect(201);
    assert_eq!(round["status"], "scheduled");
    assert!(round["eligible"].is_null());
    let id = round["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/assessments/{id}");
    app.post(&format!("{path}/close"), &manager.token, json!({}))
        .await
        .expect(409);
    let renamed = app
        .patch(&path, &manager.token, json!({"version": 1, "title": "Frühjahr 2026"}))
        .await;
    assert_eq!(renamed.expect(200)["version"], 2);
    app.patch(&path, &manager.token, json!({"version": 1, "title": "alt"}))
        .await
        .expect(409);

    // Opening freezes the headcount: admin, manager, employee are active.
    let opened = app.post(&format!("{path}/open"), &manager.token, json!({})).await;
    let opened = opened.expect(200);
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["eligible"], 3);
    assert!(opened["opened_at"].is_string());
    app.user("employee", Some(&unit)).await;
    assert_eq!(app.get(&path, &manager.token).await.expect(200)["eligible"], 3);
    app.post(&format!("{path}/open"), &manager.token, json!({}))
        .await
        .expect(409);
    let v = app.get(&path, &manager.token).await.expect(200)["version"].clone();
    app.patch(&path, &manager.token, json!({"version": v, "opens_at": in_seconds(10)}))
        .await
        .expect(409);
    app.delete(&path, &manager.token).await.expect(409);
    let extended = app
        .patch(
            &path,
            &manager.token,
            json!({"version": v, "closes_at": in_seconds(86_400)}),
        )
        .await;
    extended.expect(200);

    let closed = app.post(&format!("{path}/close"), &manager.token, json!({})).await;
    let closed = closed.expect(200);
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    app.post(&format!("{path}/close"), &manager.token, json!({}))
        .await
        .expect(409);
    app.post(&format!("{path}/open"), &manager.token, json!({}))
        .await
        .expect(409);

    // A scheduled round can be deleted.
    let other = app
        .post(
            "/api/v1/assessments",
            &manager.token,
            json!({"questionnaire_id": qid, "title": "Herbst", "opens_at": in_seconds(3600), "closes_at": in_seconds(7200)}),
        )
        .await;
    let other_id = other.expect(201)["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/v1/assessments/{other_id}"), &manager.token)
        .await
        .expect(204);
    let listed = app.get("/api/v1/assessments", &manager.token).await;
    let ids: Vec<&str> = listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
    let open_only = app.get("/api/v1/assessments?status=open", &manager.token).await;
    assert!(open_only.expect(200)["items"].as_array().unwrap().is_empty());
}

async fn round_status_in_db(app: &TestApp, id: &str) -> String {
    sql_strings(app, "SELECT status AS v FROM assessment_rounds WHERE id = $1", id)
        .await
        .pop()
        .unwrap()
}

async fn the_clock_opens_and_closes_rounds_lazily_and_by_the_scheduler(app: &TestApp) {
    let qid = builtin_id(app, &app.admin.token).await;
    let body = |qid: &str, title: &str| json!({"questionnaire_id": qid, "title": title, "opens_at": in_seconds(1), "closes_at": in_seconds(2)});
    let round = app
        .post("/api/v1/assessments", &app.admin.token, body(&qid, "Takt"))
        .await;
    let round = round.expect(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(round_status_in_db(app, &round).await, "scheduled");

    // The scheduler's pass, checked in the database (reading through the API would
    // advance the round by itself).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let done = kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    assert_eq!((done.opened, done.closed), (1, 0));
    assert_eq!(round_status_in_db(app, &round).await, "open");
    let frozen = sql_strings(
        app,
        "SELECT CAST(eligible_count AS TEXT) AS v FROM assessment_rounds WHERE id = $1",
        &round,
    )
    .await;
    assert_eq!(frozen, vec!["1"]);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let done = kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    assert_eq!((done.opened, done.closed), (0, 1));
    assert_eq!(round_status_in_db(app, &round).await, "closed");
    let again = kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    assert_eq!((again.opened, again.closed), (0, 0), "exactly once");

    // Without the scheduler, reading a round brings it up to date (here in another
    // organisation, so the scheduler's catch-up below is seen on its own).
    let (_, other) = app.other_organization().await;
    let theirs = builtin_id(app, &other.token).await;
    let lazy = app
        .post("/api/v1/assessments", &other.token, body(&theirs, "Takt"))
        .await;
    let lazy = lazy.expect(201)["id"].as_str().unwrap().to_owned();
    let missed = app
        .post("/api/v1/assessments", &app.admin.token, body(&qid, "Takt (verpasst)"))
        .await;
    let missed = missed.expect(201)["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let r = app.get(&format!("/api/v1/assessments/{lazy}"), &other.token).await;
    let r = r.expect(200);
    assert_eq!(r["status"], "closed");
    assert_eq!(r["eligible"], 1, "opened (headcount recorded) before it closed");
    // Downtime: a round whose whole window passed unseen is opened and closed in one
    // pass; the lazily closed one is not touched again.
    let done = kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    assert_eq!((done.opened, done.closed), (1, 1));
    let r = app
        .get(&format!("/api/v1/assessments/{missed}"), &app.admin.token)
        .await;
    assert_eq!(r.expect(200)["eligible"], 1);
}

async fn each_person_answers_once_even_when_submitting_in_parallel(app: &TestApp) {
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let body = uniform_answers(&items, |_| 4);
    let anna = app.user("employee", None).await;

    assert_eq!(submit(app, &round, &anna, body.clone()).await, 201);
    let again = app
        .post(
            &format!("/api/v1/assessments/{round}/responses"),
            &anna.token,
            body.clone(),
        )
        .await;
    again.expect(409);
    assert!(again.body["detail"].as_str().unwrap().contains("once"));

    // Eight identical requests at the same moment: exactly one is recorded.
    let ben = app.user("employee", None).await;
    let path = format!("/api/v1/assessments/{round}/responses");
    let replies = join_all((0..8).map(|_| app.post(&path, &ben.token, body.clone()))).await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409, 409, 409]);
    for r in replies.iter().filter(|r| r.status == 409) {
        r.expect(409);
    }

    // Different people at the same moment all get through.
    let others: Vec<Session> = join_all((0..5).map(|_| app.user("employee", None))).await;
    let replies = join_all(others.iter().map(|s| app.post(&path, &s.token, body.clone()))).await;
    assert!(replies.iter().all(|r| r.status == 201), "{replies:?}");

    // Nothing half-written: 7 people, 7 responses, 28 answers and 7 scores each.
    assert_eq!(count_rows(app, "assessment_participation", &round).await, 7);
    assert_eq!(count_rows(app, "assessment_responses", &round).await, 7);
    assert_eq!(count_rows(app, "assessment_answers", &round).await, 7 * 28);
    assert_eq!(count_rows(app, "assessment_scores", &round).await, 7 * 7);
    let me = app.get(&format!("/api/v1/assessments/{round}"), &ben.token).await;
    let me = me.expect(200);
    assert_eq!(
        (me["answered"].as_bool(), me["can_answer"].as_bool()),
        (Some(true), Some(false))
    );
}

/// Twelve people submit while the admin closes the round. Every submission either lands
/// before the close (201) or finds the round closed (409); the closed round's stored
/// figures count exactly the accepted ones — none slipped in after the close had
/// aggregated.
async fn a_close_racing_submissions_counts_exactly_the_accepted_ones(app: &TestApp) {
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let body = uniform_answers(&items, |_| 3);
    let people: Vec<Session> = join_all((0..12).map(|_| app.user("employee", None))).await;
    let path = format!("/api/v1/assessments/{round}/responses");
    let close_path = format!("/api/v1/assessments/{round}/close");
    let submissions = join_all(people.iter().map(|p| app.post(&path, &p.token, body.clone())));
    let closing = async {
        // Let the first submissions start before the close arrives.
        tokio::time::sleep(Duration::from_millis(5)).await;
        app.post(&close_path, &app.admin.token, json!({})).await
    };
    let (replies, closed) = tokio::join!(submissions, closing);
    let closed = closed.expect(200);
    // Closing by hand ends the answering window at the moment of closing (this round
    // opened at its planned time).
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closes_at"], closed["closed_at"]);
    let mut accepted = 0;
    for r in &replies {
        match r.status.as_u16() {
            201 => accepted += 1,
            409 => assert!(r.body["detail"].as_str().unwrap_or("").contains("closed"), "{r:?}"),
            other => panic!("unexpected {other}: {r:?}"),
        }
    }
    let results = app
        .get(&format!("/api/v1/assessments/{round}/results"), &app.admin.token)
        .await;
    assert_eq!(results.expect(200)["responses"], accepted);
    assert_eq!(count_rows(app, "assessment_responses", &round).await, accepted);
    assert_eq!(count_rows(app, "assessment_participation", &round).await, accepted);
}

async fn answers_are_validated_and_name_the_item(app: &TestApp) {
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let path = format!("/api/v1/assessments/{round}/responses");
    let user = app.user("employee", None).await;
    let mut answers: Vec<Value> = items
        .iter()
        .map(|(id, _, _)| json!({"item_id": id, "value": 3}))
        .collect();
    answers[0]["value"] = json!(6);
    answers[1]["item_id"] = json!("no.such.item");
    answers[2]["value"] = json!("vielleicht");
    answers[3]["value"] = json!("cant_judge");
    answers.pop();
    let r = app.post(&path, &user.token, json!({"answers": answers})).await;
    r.expect(422);
    assert_eq!(
        r.error_fields(),
        vec![
            "answers[0].value",
            "answers[1].item_id",
            "answers[2].value",
            "answers",
            "answers"
        ]
    );
    let text = r.text.clone();
    assert!(text.contains(&items[0].0), "the bad item is named: {text}");
    assert!(text.contains("no.such.item"));
    assert!(text.contains(&items[27].0), "the missing item is named: {text}");

    // Repeating an item, and a malformed body.
    let mut twice: Vec<Value> = items
        .iter()
        .map(|(id, _, _)| json!({"item_id": id, "value": 2}))
        .collect();
    twice.push(json!({"item_id": items[5].0, "value": 2}));
    let r = app.post(&path, &user.token, json!({"answers": twice})).await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["answers[28].item_id"]);
    let r = app.post(&path, &user.token, json!({"answers": [{"item": "x"}]})).await;
    r.expect(422);
    app.post(&path, &user.token, json!({})).await.expect(422);

    // Nothing was stored; a valid answer is still accepted.
    assert_eq!(count_rows(app, "assessment_participation", &round).await, 0);
    let ok = uniform_answers(&items, |_| 2);
    assert_eq!(submit(app, &round, &user, ok).await, 201);
}

async fn only_users_in_scope_answer_and_only_while_open(app: &TestApp) {
    let rathaus = app.create_unit("Rathaus", None).await;
    let bauamt = app.create_unit("Bauamt", Some(&rathaus)).await;
    let schule = app.create_unit("Schulamt", None).await;
    let inside = app.user("employee", Some(&bauamt)).await;
    let outside = app.user("employee", Some(&schule)).await;
    let no_unit = app.user("employee", None).await;
    let round = open_round(app, Some(&rathaus)).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let body = uniform_answers(&items(app, &qid).await, |_| 3);
    let path = format!("/api/v1/assessments/{round}/responses");

    let r = app.get(&format!("/api/v1/assessments/{round}"), &outside.token).await;
    assert_eq!(r.expect(200)["in_scope"], false);
    app.post(&path, &outside.token, body.clone()).await.expect(403);
    app.post(&path, &no_unit.token, body.clone()).await.expect(403);
    app.post(&path, &app.admin.token, body.clone()).await.expect(403);
    assert_eq!(submit(app, &round, &inside, body.clone()).await, 201);
    // Eligible: the one member of the Rathaus sub-tree.
    let r = app.get(&format!("/api/v1/assessments/{round}"), &inside.token).await;
    assert_eq!(r.expect(200)["eligible"], 1);

    // Before opening and after closing nobody answers.
    let later = app
        .post(
            "/api/v1/assessments",
            &app.admin.token,
            json!({"questionnaire_id": qid, "title": "Später", "opens_at": in_seconds(3600), "closes_at": in_seconds(7200)}),
        )
        .await;
    let later = later.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/assessments/{later}/responses"),
            &outside.token,
            body.clone(),
        )
        .await;
    r.expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("not opened"));
    close(app, &round).await;
    let late = app.user("employee", Some(&bauamt)).await;
    let r = app.post(&path, &late.token, body.clone()).await;
    r.expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("closed"));
    app.post("/api/v1/assessments/unknown/responses", &late.token, body)
        .await
        .expect(404);
}

fn close_to(v: &Value, expected: f64, tol: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() <= tol)
}

async fn results_match_hand_computed_statistics(app: &TestApp) {
    settings(app, json!({"min_group_size": 3})).await;
    let respondents: Vec<Session> = join_all((0..4).map(|_| app.user("employee", None))).await;
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    // leadership.3 is the reverse-worded leadership item.
    let lead: Vec<&str> = items
        .iter()
        .filter(|(_, d, _)| d == "leadership")
        .map(|(id, _, _)| id.as_str())
        .collect();
    assert_eq!(items.iter().find(|(id, _, _)| id == lead[2]).map(|i| i.2), Some(true));
    let cj = json!("cant_judge");
    // Leadership answers per respondent (L1, L2, L3 reversed, L4) and a uniform value for
    // every other dimension:
    //   R1: 4, 5, 2→4, can't judge  -> 3 of 4 answered, (4+5+4)/3 = 13/3
    //   R2: 2, 3, 4→2, 3            -> 10/4 = 2.5
    //   R3: can't, can't, 1→5, 5    -> 2 of 4 answered (< 75 %): does not count
    //   R4: 3, 3, 3→3, 4            -> 13/4 = 3.25
    let fixtures = [
        ([json!(4), json!(5), json!(2), cj.clone()], 3),
        ([json!(2), json!(3), json!(4), json!(3)], 4),
        ([cj.clone(), cj.clone(), json!(1), json!(5)], 5),
        ([json!(3), json!(3), json!(3), json!(4)], 2),
    ];
    for ((leadership, other), who) in fixtures.into_iter().zip(&respondents) {
        let mut body = uniform_answers(&items, |_| other);
        for (n, value) in leadership.into_iter().enumerate() {
            body["answers"][n]["value"] = value;
        }
        assert_eq!(submit(app, &round, who, body).await, 201);
    }
    close(app, &round).await;

    let employee = app.user("employee", None).await;
    let r = app
        .get(&format!("/api/v1/assessments/{round}/results?lang=en"), &employee.token)
        .await;
    let res = r.expect(200);
    assert_eq!(res["responses"], 4);
    assert_eq!(res["eligible"], 5, "the admin and four respondents when it opened");
    assert!(close_to(&res["response_rate"], 0.8, 1e-12));
    assert!(res["suppressed"].is_null());
    assert!(res["breakdown"].is_null());
    let dims = res["dimensions"].as_array().unwrap();
    let keys: Vec<&str> = dims.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys, DIMENSIONS);

    // Reference values computed with Python's statistics module and a t quantile from
    // numerical integration of the t density (see src/domain/stats.rs):
    // leadership [13/3, 2.5, 3.25]: mean 3.361111111111111, sd 0.9217033346131698,
    // 95 % CI 1.0714730985526404 .. 5.650749123669582, score 59.02777777777778.
    let l = &dims[0];
    assert_eq!(l["n"], 3);
    assert!(close_to(&l["mean"], 3.361111111111111, 1e-9), "{l}");
    assert!(close_to(&l["sd"], 0.9217033346131698, 1e-9));
    assert!(close_to(&l["ci95_low"], 1.0714730985526404, 1e-6));
    assert!(close_to(&l["ci95_high"], 5.650749123669582, 1e-6));
    assert!(close_to(&l["score"], 59.02777777777778, 1e-9));
    assert_eq!(l["band"]["key"], "established");
    assert_eq!(l["name"], "Leadership for learning");
    // Items: L1 answered 4, 2, 3 with one "can't judge"; L2 5, 3, 3 with one; L3 (reverse-
    // worded) 2, 4, 1, 3. Their means stay hidden: R1 answered three leadership items and
    // R3 two, each alone; R1's score counts in the dimension mean with weight 1/3 per item
    // but R3's not at all, so the item sums beside the dimension mean would give away what
    // those two answered. The counts stay.
    let l1 = &l["items"][0];
    assert_eq!((l1["answered"].as_i64(), l1["cant_judge"].as_i64()), (Some(3), Some(1)));
    assert!(l1["mean"].is_null(), "{l1}");
    assert_eq!(l1["suppressed"]["reason"], "complementary");
    let l3 = &l["items"][2];
    assert_eq!(l3["reverse"], true);
    assert_eq!((l3["answered"].as_i64(), l3["cant_judge"].as_i64()), (Some(4), Some(0)));
    assert!(l3["mean"].is_null() && l3["scored_mean"].is_null());
    let l2 = &l["items"][1];
    assert_eq!((l2["answered"].as_i64(), l2["cant_judge"].as_i64()), (Some(3), Some(1)));
    // Everyone answered every error-culture item: its item means are shown (each person
    // answered all four alike: 3, 4, 5, 2).
    for item in dims[1]["items"].as_array().unwrap() {
        assert!(item["suppressed"].is_null(), "{item}");
        let scored = item["scored_mean"].as_f64().unwrap();
        assert!((scored - 3.5).abs() < 1e-12, "{item}");
    }

    // error_culture [3, 4, 5, 2]: mean 3.5, sd 1.2909944487358056,
    // CI 1.4457397432394754 .. 5.554260256760525, score 62.5.
    let e = &dims[1];
    assert_eq!(e["n"], 4);
    assert!(close_to(&e["mean"], 3.5, 1e-12));
    assert!(close_to(&e["sd"], 1.2909944487358056, 1e-9));
    assert!(close_to(&e["ci95_low"], 1.4457397432394754, 1e-6));
    assert!(close_to(&e["ci95_high"], 5.554260256760525, 1e-6));
    assert!(close_to(&e["score"], 62.5, 1e-9));
    assert_eq!(e["band"]["key"], "advanced");

    // German by default.
    let de = app
        .get_default_language(&format!("/api/v1/assessments/{round}/results"), &employee.token)
        .await;
    assert_eq!(de.expect(200)["dimensions"][0]["name"], "Führung für Lernen");
    assert_eq!(de.header("content-language").as_deref(), Some("de"));

    // The round was published with k = 3 when it closed; a later k = 5 applies to rounds
    // closing later and never re-reads this one (that would let the two readings be set
    // against each other).
    settings(app, json!({"min_group_size": 5})).await;
    let r = app
        .get(&format!("/api/v1/assessments/{round}/results?lang=en"), &employee.token)
        .await;
    let again = r.expect(200);
    assert_eq!(again["min_group_size"], 3);
    assert_eq!(again["dimensions"], res["dimensions"]);
    // A round closing under k = 5 with four responses hides everything, item counts included.
    let second = open_round(app, None).await;
    for (who, v) in respondents.iter().zip([2, 3, 4, 5]) {
        submit(app, &second, who, uniform_answers(&items, |_| v)).await;
    }
    close(app, &second).await;
    let r = app
        .get(&format!("/api/v1/assessments/{second}/results"), &employee.token)
        .await;
    let res = r.expect(200);
    assert_eq!(res["min_group_size"], 5);
    assert_eq!(res["suppressed"]["reason"], "below_min_group_size");
    assert!(res["dimensions"][0]["mean"].is_null());
    assert!(res["dimensions"][0]["items"][0]["answered"].is_null());
    // k below 3 is refused.
    let org = app.get("/api/v1/organization", &app.admin.token).await;
    let v = org.expect(200)["version"].clone();
    app.patch(
        "/api/v1/organization",
        &app.admin.token,
        json!({"version": v, "min_group_size": 2}),
    )
    .await
    .expect(422);
}

fn unit_row<'a>(breakdown: &'a Value, unit: &str) -> &'a Value {
    breakdown
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == unit)
        .unwrap_or_else(|| panic!("unit {unit} missing in {breakdown}"))
}

async fn small_units_are_suppressed_including_the_subtraction_case(app: &TestApp) {
    // Rathaus ── Amt A (5 respondents), Amt B (6), Amt C (2); k = 5 (the default).
    let rathaus = app.create_unit("Rathaus", None).await;
    let a = app.create_unit("Amt A", Some(&rathaus)).await;
    let b = app.create_unit("Amt B", Some(&rathaus)).await;
    let c = app.create_unit("Amt C", Some(&rathaus)).await;
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    for (unit, n, value) in [(&a, 5, 4), (&b, 6, 2), (&c, 2, 5)] {
        let people: Vec<Session> = join_all((0..n).map(|_| app.user("employee", Some(unit)))).await;
        for p in &people {
            assert_eq!(submit(app, &round, p, uniform_answers(&items, |_| value)).await, 201);
        }
    }
    let lead_b = app.user("lead", Some(&b)).await;
    let lead_top = app.user("lead", Some(&rathaus)).await;
    let manager = app.user("manager", None).await;
    let employee = app.user("employee", Some(&a)).await;
    close(app, &round).await;
    let path = format!("/api/v1/assessments/{round}/results?breakdown=unit&lang=en");

    let r = app.get(&path, &manager.token).await;
    let res = r.expect(200);
    assert_eq!(res["responses"], 13);
    let units = &res["breakdown"];
    assert_eq!(units.as_array().unwrap().len(), 4);
    assert_eq!(units[0]["unit_id"], rathaus.as_str(), "parents first");
    let top = unit_row(units, &rathaus);
    assert_eq!(top["responses"], 13);
    assert!(top["suppressed"].is_null());
    // (5·4 + 6·2 + 2·5) / 13
    assert!(close_to(&top["dimensions"][0]["mean"], 42.0 / 13.0, 1e-9));
    let amt_b = unit_row(units, &b);
    assert_eq!(amt_b["responses"], 6);
    assert!(close_to(&amt_b["dimensions"][0]["mean"], 2.0, 1e-12));
    assert_eq!(amt_b["name"], "Amt B");
    // C has two responses: hidden. Shown alone, A's figures would give C's as
    // "Rathaus − A − B", so A is hidden as well.
    let amt_c = unit_row(units, &c);
    assert_eq!(amt_c["suppressed"]["reason"], "below_min_group_size");
    assert!(amt_c["responses"].is_null());
    assert!(amt_c["dimensions"][0]["mean"].is_null());
    let amt_a = unit_row(units, &a);
    assert_eq!(amt_a["suppressed"]["reason"], "complementary");
    assert!(amt_a["dimensions"][0]["mean"].is_null());
    assert!(amt_a["suppressed"]["message"].as_str().unwrap().contains("subtraction"));

    // Leads see their own sub-tree only.
    let r = app.get(&path, &lead_b.token).await;
    let rows = r.expect(200)["breakdown"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["unit_id"], b.as_str());
    let r = app.get(&path, &lead_top.token).await;
    assert_eq!(r.expect(200)["breakdown"].as_array().unwrap().len(), 4);
    // Employees see the organisation level, not units.
    app.get(&path, &employee.token).await.expect(403);
    let r = app
        .get(&format!("/api/v1/assessments/{round}/results"), &employee.token)
        .await;
    assert!(close_to(&r.expect(200)["dimensions"][0]["mean"], 42.0 / 13.0, 1e-9));
    app.get(
        &format!("/api/v1/assessments/{round}/results?breakdown=team"),
        &manager.token,
    )
    .await
    .expect(400);
}

async fn an_open_round_shows_participation_only(app: &TestApp) {
    settings(app, json!({"min_group_size": 3})).await;
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let manager = app.user("manager", None).await;
    let lead = app.user("lead", None).await;
    let people: Vec<Session> = join_all((0..6).map(|_| app.user("employee", None))).await;
    let path = format!("/api/v1/assessments/{round}/results");
    let live = |token: String| {
        let path = path.clone();
        async move { app.get(&path, &token).await }
    };

    // Employees and leads wait for the close.
    live(people[0].token.clone()).await.expect(403);
    live(lead.token.clone()).await.expect(403);
    // Managers see how many answered, at any count, and nothing of what they answered:
    // every state of an open round is the same but for the count.
    let mut states = Vec::new();
    for (i, p) in people.iter().enumerate() {
        submit(app, &round, p, uniform_answers(&items, |_| 1 + i as i64 % 5)).await;
        let res = live(manager.token.clone()).await.expect(200).clone();
        assert_eq!(res["live"], true);
        assert_eq!(res["responses"], i + 1);
        assert_eq!(res["suppressed"]["reason"], "round_open");
        let with_units = app.get(&format!("{path}?breakdown=unit"), &manager.token).await;
        let with_units = with_units.expect(200);
        assert!(with_units["breakdown"].as_array().is_some());
        states.push((res, with_units.clone()));
    }
    for (res, with_units) in &states {
        for d in res["dimensions"].as_array().unwrap() {
            assert!(d["mean"].is_null() && d["n"].is_null(), "{d}");
            for item in d["items"].as_array().unwrap() {
                assert!(item["mean"].is_null() && item["answered"].is_null() && item["cant_judge"].is_null());
            }
        }
        for u in with_units["breakdown"].as_array().unwrap() {
            assert!(u["responses"].is_null(), "{u}");
            assert!(u["dimensions"].as_array().unwrap().iter().all(|d| d["mean"].is_null()));
        }
        let mut a = res.clone();
        let mut b = states[0].0.clone();
        for v in [&mut a, &mut b] {
            for key in ["responses", "response_rate"] {
                v[key] = Value::Null;
            }
        }
        assert_eq!(a, b, "two states of an open round differ only by the count");
    }
    // Closed: everything, for everyone.
    close(app, &round).await;
    let res = live(people[0].token.clone()).await;
    let res = res.expect(200);
    assert_eq!(
        (res["live"].as_bool(), res["responses"].as_i64()),
        (Some(false), Some(6))
    );
    assert!(close_to(&res["dimensions"][0]["mean"], 16.0 / 6.0, 1e-12));
}

async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let sql = if is_postgres(app) {
        "SELECT CAST(column_name AS TEXT) AS v FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position"
    } else {
        "SELECT name AS v FROM pragma_table_info($1)"
    };
    sql_strings(app, sql, table).await
}

async fn responses_cannot_be_linked_to_people(app: &TestApp) {
    // The schema: response tables have no user, no time and no sequence.
    let expected: [(&str, &[&str]); 4] = [
        ("assessment_responses", &["id", "round_id", "unit_id"]),
        ("assessment_answers", &["response_id", "item_key", "round_id", "value"]),
        (
            "assessment_scores",
            &["response_id", "dimension_key", "round_id", "unit_id", "score"],
        ),
        ("assessment_participation", &["round_id", "user_id", "org_id"]),
    ];
    for (table, cols) in expected {
        assert_eq!(columns(app, table).await, cols, "{table}");
        if !is_postgres(app) {
            let ddl = sql_strings(app, "SELECT sql AS v FROM sqlite_master WHERE name = $1", table).await;
            assert!(
                ddl[0].contains("WITHOUT ROWID"),
                "{table} keeps insertion order: {}",
                ddl[0]
            );
        }
    }

    let unit = app.create_unit("Kämmerei", None).await;
    let round = open_round(app, None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let people: Vec<Session> = join_all((0..5).map(|_| app.user("employee", Some(&unit)))).await;
    for (n, p) in people.iter().enumerate() {
        submit(app, &round, p, uniform_answers(&items, |_| 1 + n as i64)).await;
    }
    let ids = sql_strings(
        app,
        "SELECT id AS v FROM assessment_responses WHERE round_id = $1",
        &round,
    )
    .await;
    assert_eq!(ids.len(), 5);
    for id in &ids {
        let parsed = uuid::Uuid::parse_str(id).unwrap();
        assert_eq!(parsed.get_version_num(), 4, "random, not time-ordered: {id}");
        assert!(!people.iter().any(|p| p.user_id == *id));
    }
    let stamps = |table: &'static str| {
        let round = round.clone();
        async move {
            let mut v = sql_strings(
                app,
                &format!("SELECT DISTINCT CAST(xmin AS TEXT) AS v FROM {table} WHERE round_id = $1"),
                &round,
            )
            .await;
            v.sort();
            v
        }
    };
    if is_postgres(app) {
        // While open, each response carries the stamp of its own transaction, the same
        // as its participation row: the link an administrator could follow.
        let open = stamps("assessment_responses").await;
        assert_eq!(open.len(), 5);
        assert_eq!(stamps("assessment_participation").await, open);
    }
    close(app, &round).await;

    if is_postgres(app) {
        // Closing rewrote responses and participation in key order in one transaction:
        // one transaction stamp for all, physical order = random id order.
        let responses = stamps("assessment_responses").await;
        assert_eq!(responses.len(), 1);
        assert_eq!(stamps("assessment_participation").await, responses);
        assert_eq!(stamps("assessment_answers").await, responses);
        let physical = sql_strings(
            app,
            "SELECT id AS v FROM assessment_responses WHERE round_id = $1 ORDER BY ctid",
            &round,
        )
        .await;
        let mut sorted = physical.clone();
        sorted.sort();
        assert_eq!(physical, sorted);
    }

    // The API: no endpoint lists responses, and nothing shows response ids or people.
    app.get(&format!("/api/v1/assessments/{round}/responses"), &app.admin.token)
        .await
        .expect(405);
    let mut seen = String::new();
    for path in [
        format!("/api/v1/assessments/{round}"),
        format!("/api/v1/assessments/{round}/results?breakdown=unit"),
        format!("/api/v1/assessments/{round}/questionnaire"),
        "/api/v1/assessments".to_string(),
        "/api/v1/dimensions".to_string(),
    ] {
        let r = app.get(&path, &app.admin.token).await;
        r.expect(200);
        seen.push_str(&r.text);
    }
    for id in &ids {
        assert!(!seen.contains(id.as_str()), "response id {id} leaked");
    }
    for p in &people {
        assert!(!seen.contains(&p.user_id), "user {} leaked", p.user_id);
        assert!(!seen.contains(&p.email));
    }
    // Five people in one unit: the unit's figures are shown, but only as an aggregate.
    let r = app
        .get(
            &format!("/api/v1/assessments/{round}/results?breakdown=unit"),
            &app.admin.token,
        )
        .await;
    let row = unit_row(&r.expect(200)["breakdown"], &unit).clone();
    assert_eq!(row["responses"], 5);
    assert!(close_to(&row["dimensions"][0]["mean"], 3.0, 1e-12));
}

async fn roles_and_organisations_are_enforced_for_rounds(app: &TestApp) {
    let unit = app.create_unit("IT", None).await;
    let qid = builtin_id(app, &app.admin.token).await;
    let new_round = json!({"questionnaire_id": qid, "title": "Runde", "closes_at": in_seconds(3600)});
    for role in ["employee", "lead"] {
        let s = app.user(role, Some(&unit)).await;
        app.post("/api/v1/assessments", &s.token, new_round.clone())
            .await
            .expect(403);
    }
    let manager = app.user("manager", Some(&unit)).await;
    let round = app.post("/api/v1/assessments", &manager.token, new_round.clone()).await;
    let round = round.expect(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/assessments/{round}");
    let employee = app.user("employee", Some(&unit)).await;
    app.get(&path, &employee.token).await.expect(200);
    app.get(&format!("{path}/questionnaire"), &employee.token)
        .await
        .expect(200);
    app.patch(&path, &employee.token, json!({"version": 2, "title": "X"}))
        .await
        .expect(403);
    app.post(&format!("{path}/close"), &employee.token, json!({}))
        .await
        .expect(403);
    app.delete(&path, &employee.token).await.expect(403);

    let (_, other) = app.other_organization().await;
    for r in [
        app.get(&path, &other.token).await,
        app.get(&format!("{path}/results"), &other.token).await,
        app.get(&format!("{path}/questionnaire"), &other.token).await,
        app.post(&format!("{path}/close"), &other.token, json!({})).await,
        app.post(&format!("{path}/open"), &other.token, json!({})).await,
        app.patch(&path, &other.token, json!({"version": 2, "title": "X"}))
            .await,
        app.delete(&path, &other.token).await,
        app.post(&format!("{path}/responses"), &other.token, json!({"answers": []}))
            .await,
    ] {
        r.expect(404);
    }
    let listed = app.get("/api/v1/assessments", &other.token).await;
    assert!(listed.expect(200)["items"].as_array().unwrap().is_empty());
    // Nor can another organisation's questionnaire or unit be used.
    let theirs = builtin_id(app, &other.token).await;
    assert_ne!(theirs, qid);
    let r = app
        .post(
            "/api/v1/assessments",
            &manager.token,
            json!({"questionnaire_id": theirs, "title": "X", "closes_at": in_seconds(3600)}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["questionnaire_id"]);
    let r = app
        .post(
            "/api/v1/assessments",
            &other.token,
            json!({"questionnaire_id": theirs, "title": "X", "scope_unit_id": unit, "closes_at": in_seconds(3600)}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["scope_unit_id"]);
    // The round is unchanged.
    assert_eq!(app.get(&path, &manager.token).await.expect(200)["status"], "open");
}
