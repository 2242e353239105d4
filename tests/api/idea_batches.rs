//! Idea submissions written in batches (`store::idea_writer`): every submission gets the
//! answer it would have got alone, and a failed one leaves nothing behind.

use actix_web::ResponseError;
use diesel::prelude::*;
use futures_util::future::join_all;
use kaizen::auth::AuthUser;
use kaizen::auth::TokenCaller;
use kaizen::domain::roles::Role;
use kaizen::error::ApiError;
use kaizen::store::idea_writer::{self, Submission, Submitter};
use kaizen::store::ideas::IdeaDraft;
use kaizen::store::mail::Sending;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::both_backends;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body};

both_backends!(
    one_batch_writes_the_good_and_answers_each_bad_one,
    a_batch_without_failures_writes_every_row,
    concurrent_submissions_each_get_their_own_answer,
    a_batch_checks_each_submitters_account,
    submitting_checks_the_account_before_anything_else,
    a_batch_writes_each_ideas_mail_and_webhook_events,
);

fn author(app: &TestApp, s: &Session, unit: &str) -> AuthUser {
    AuthUser {
        id: s.user_id.clone(),
        org_id: app.org_id.clone(),
        role: Role::Employee,
        unit_id: Some(unit.to_owned()),
        email: s.email.clone(),
        display_name: "Author".into(),
        must_change_password: false,
    }
}

fn draft(unit: &str, title: &str, dimensions: &[&str], code_word: Option<&str>) -> IdeaDraft {
    IdeaDraft {
        unit_id: unit.to_owned(),
        title: title.to_owned(),
        current_situation: "Forms are printed, signed and scanned.".into(),
        proposal: format!("{title}: sign them online."),
        expected_benefit: "No paper.".into(),
        dimensions: dimensions.iter().map(|d| (*d).to_owned()).collect(),
        author_share: 100,
        co_authors: Vec::new(),
        code_word: code_word.map(str::to_owned),
        impact: None,
    }
}

/// What one submission was answered: the new idea's id, or the status and the fields
/// of the problem.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Written(String),
    Refused(u16, Vec<String>),
}

fn refused(e: &ApiError) -> Answer {
    let fields = match e {
        ApiError::Validation(fields) => fields.iter().map(|f| f.field.clone()).collect(),
        _ => Vec::new(),
    };
    Answer::Refused(e.status_code().as_u16(), fields)
}

/// Writes `submissions` as one batch on a connection of the application's pool and
/// returns the answers in order.
async fn write_one_batch(app: &TestApp, submissions: Vec<(AuthUser, IdeaDraft)>) -> Vec<Answer> {
    write_one_batch_sending(app, submissions, Sending::On).await
}

/// `write_one_batch` as an instance that sends mail (`Sending::On`) or not.
async fn write_one_batch_sending(
    app: &TestApp,
    submissions: Vec<(AuthUser, IdeaDraft)>,
    sending: Sending,
) -> Vec<Answer> {
    let submissions = submissions
        .into_iter()
        .map(|(author, draft)| (Submitter::Account(author), draft))
        .collect();
    write_submissions_sending(app, submissions, sending).await
}

async fn write_submissions(app: &TestApp, submissions: Vec<(Submitter, IdeaDraft)>) -> Vec<Answer> {
    write_submissions_sending(app, submissions, Sending::On).await
}

async fn write_submissions_sending(
    app: &TestApp,
    submissions: Vec<(Submitter, IdeaDraft)>,
    sending: Sending,
) -> Vec<Answer> {
    let mut answered = Vec::new();
    let batch: Vec<Submission> = submissions
        .into_iter()
        .map(|(submitter, draft)| {
            let (answer, receiver) = oneshot::channel();
            answered.push(receiver);
            Submission {
                submitter,
                draft,
                respond: Box::new(move |outcome| {
                    let _ = answer.send(match outcome {
                        Ok(written) => Answer::Written(written.idea.id),
                        Err(e) => refused(&e),
                    });
                }),
            }
        })
        .collect();
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        idea_writer::write_batch(&mut conn, batch, sending);
    })
    .await
    .expect("join");
    answered
        .into_iter()
        .map(|mut r| r.try_recv().expect("every submission is answered"))
        .collect()
}

async fn idea_count(app: &TestApp, s: &Session) -> usize {
    let mut n = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/ideas?limit=100&cursor={c}"),
            None => "/api/v1/ideas?limit=100".to_owned(),
        };
        let page = app.get(&path, &s.token).await.expect(200).clone();
        n += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return n,
        }
    }
}

/// The idea reads back as submitted, with its links and exactly one history event.
async fn assert_written(app: &TestApp, s: &Session, id: &str, title: &str, dimensions: Value) {
    let idea = app.get(&format!("/api/v1/ideas/{id}"), &s.token).await;
    let idea = idea.expect(200);
    assert_eq!(idea["title"], title);
    assert_eq!(idea["status"], "submitted");
    assert_eq!(idea["version"], 1);
    assert_eq!(idea["dimensions"], dimensions);
    let history = app.get(&format!("/api/v1/ideas/{id}/history"), &s.token).await;
    let items = history.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["action"], "submit");
    assert_eq!(items[0]["to"], "submitted");
}

async fn one_batch_writes_the_good_and_answers_each_bad_one(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    let first = app.user("employee", Some(&unit)).await;
    let second = app.user("employee", Some(&unit)).await;
    let (_, other_admin) = app.other_organization().await;
    let foreign_unit = app
        .post(
            "/api/v1/units",
            &other_admin.token,
            json!({"name": "Fremdes Amt", "parent_id": null}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = idea_count(app, &app.admin).await;

    // Without code words (on PostgreSQL the batch is one statement) ...
    let answers = write_one_batch(
        app,
        vec![
            (
                author(app, &first, &unit),
                draft(&unit, "Erste", &["experimentation"], None),
            ),
            // A unit of another organisation: its foreign key refuses the batch's write.
            (author(app, &first, &unit), draft(&foreign_unit, "Fremd", &[], None)),
            // Refused before anything is written.
            (
                author(app, &second, &unit),
                draft(&unit, "Unbekannt", &["no_such_key"], None),
            ),
            (
                author(app, &second, &unit),
                draft(&unit, "Dritte", &["leadership", "competence"], None),
            ),
        ],
    )
    .await;
    assert!(matches!(answers[0], Answer::Written(_)), "{answers:?}");
    assert_eq!(answers[1], Answer::Refused(422, vec!["unit_id".into()]));
    assert_eq!(answers[2], Answer::Refused(422, vec!["dimensions[0]".into()]));
    assert!(matches!(answers[3], Answer::Written(_)), "{answers:?}");
    let mut written: Vec<String> = written_ids(&answers);

    // ... and with them (one transaction): the same new code word by two authors.
    let answers = write_one_batch(
        app,
        vec![
            (author(app, &second, &unit), draft(&unit, "Zweite", &[], Some("Dachs"))),
            (
                author(app, &first, &unit),
                draft(&unit, "Nachahmer", &[], Some("Dachs")),
            ),
            (
                author(app, &first, &unit),
                draft(&unit, "Vierte", &["competence"], None),
            ),
        ],
    )
    .await;
    assert!(matches!(answers[0], Answer::Written(_)), "{answers:?}");
    assert_eq!(answers[1], Answer::Refused(422, vec!["code_word".into()]));
    assert!(matches!(answers[2], Answer::Written(_)), "{answers:?}");
    written.extend(written_ids(&answers));

    // Exactly the four are there, each whole; nothing of the refused ones.
    assert_eq!(idea_count(app, &app.admin).await, before + 4);
    assert_written(app, &app.admin, &written[0], "Erste", json!(["experimentation"])).await;
    assert_written(
        app,
        &app.admin,
        &written[1],
        "Dritte",
        json!(["competence", "leadership"]),
    )
    .await;
    assert_written(app, &app.admin, &written[2], "Zweite", json!([])).await;
    assert_written(app, &app.admin, &written[3], "Vierte", json!(["competence"])).await;
    let anonymous = app.get(&format!("/api/v1/ideas/{}", written[2]), &first.token).await;
    assert_eq!(anonymous.expect(200)["author"]["name"], "Dachs");
}

fn written_ids(answers: &[Answer]) -> Vec<String> {
    answers
        .iter()
        .filter_map(|a| match a {
            Answer::Written(id) => Some(id.clone()),
            Answer::Refused(..) => None,
        })
        .collect()
}

async fn a_batch_without_failures_writes_every_row(app: &TestApp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let before = idea_count(app, &app.admin).await;
    let keys: [&[&str]; 4] = [&[], &["experimentation"], &["leadership", "competence"], &[]];
    let submissions = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                author(app, &employee, &unit),
                draft(&unit, &format!("Idee {i}"), k, None),
            )
        })
        .collect();
    let answers = write_one_batch(app, submissions).await;
    let ids = written_ids(&answers);
    assert_eq!(ids.len(), 4, "{answers:?}");
    assert_eq!(idea_count(app, &app.admin).await, before + 4);
    for (i, id) in ids.iter().enumerate() {
        let mut sorted: Vec<&str> = keys[i].to_vec();
        sorted.sort_unstable();
        assert_written(app, &employee, id, &format!("Idee {i}"), json!(sorted)).await;
    }
    // In submission order, newest first in the list.
    let page = app.get("/api/v1/ideas?limit=4", &employee.token).await;
    let listed: Vec<String> = page.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);
    // The dimension filter finds the linked ones (the links carry the idea's state).
    let linked = app
        .get("/api/v1/ideas?dimension=competence&status=submitted", &employee.token)
        .await;
    let linked: Vec<String> = linked.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(linked, vec![ids[2].clone()]);
}

async fn concurrent_submissions_each_get_their_own_answer(app: &TestApp) {
    let unit = app.create_unit("Kämmerei", None).await;
    let authors = join_all((0..4).map(|_| app.user("employee", Some(&unit)))).await;
    let before = idea_count(app, &app.admin).await;
    let mut bodies: Vec<(usize, Value)> = Vec::new();
    for i in 0..24 {
        let mut body = idea_body(&unit, &format!("Parallel {i}"));
        if i % 3 == 0 {
            body["dimensions"] = json!(["experimentation"]);
        }
        bodies.push((i % authors.len(), body));
    }
    // Among them: an unknown dimension, a unit that does not exist, and one new code word
    // claimed by two authors at once.
    let mut bad_key = idea_body(&unit, "Falscher Schlüssel");
    bad_key["dimensions"] = json!(["no_such_key"]);
    bodies.push((0, bad_key));
    bodies.push((1, idea_body("no-such-unit", "Falsche Einheit")));
    for who in [2, 3] {
        let mut body = idea_body(&unit, &format!("Anonym {who}"));
        body["code_word"] = json!("Igel");
        bodies.push((who, body));
    }
    let replies = join_all(
        bodies
            .iter()
            .map(|(who, body)| app.post("/api/v1/ideas", &authors[*who].token, body.clone())),
    )
    .await;

    let mut created = Vec::new();
    for (reply, (who, body)) in replies.iter().zip(&bodies) {
        let title = body["title"].as_str().unwrap();
        match title {
            "Falscher Schlüssel" => {
                reply.expect(422);
                assert_eq!(reply.error_fields(), vec!["dimensions[0]"]);
            }
            "Falsche Einheit" => {
                reply.expect(422);
                assert_eq!(reply.error_fields(), vec!["unit_id"]);
            }
            _ if title.starts_with("Anonym") => {
                if reply.status.as_u16() == 201 {
                    created.push((reply.body.clone(), *who));
                } else {
                    reply.expect(422);
                    assert_eq!(reply.error_fields(), vec!["code_word"]);
                }
            }
            _ => {
                let idea = reply.expect(201);
                assert_eq!(idea["title"], title);
                assert_eq!(idea["author"]["id"], authors[*who].user_id.as_str());
                created.push((idea.clone(), *who));
            }
        }
    }
    let anonymous = created.iter().filter(|(i, _)| i["code_word"] == "Igel").count();
    assert_eq!(anonymous, 1, "exactly one author gets the new code word");
    assert_eq!(created.len(), 25);
    assert_eq!(idea_count(app, &app.admin).await, before + 25);
    // Each answer is what a later read returns.
    for (idea, who) in &created {
        let id = id_of(idea);
        let got = app.get(&format!("/api/v1/ideas/{id}"), &authors[*who].token).await;
        assert_eq!(got.expect(200), idea);
    }
}

/// PostgreSQL only (migration `2026-11-27-000010_idea_write_path`): the rows of an idea
/// name it with its organisation, so none can name another organisation's idea. SQLite
/// keeps its separate keys (the migration says why).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_of_an_idea_name_its_organisation_on_postgres() {
    let Some(app) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
        return;
    };
    let unit = app.create_unit("Kämmerei", None).await;
    let idea = id_of(
        app.post("/api/v1/ideas", &app.admin.token, idea_body(&unit, "Belege digital"))
            .await
            .expect(201),
    );
    let (other_org, other_admin) = app.other_organization().await;
    let insert =
        |table: &str, columns: &str, values: String| format!("INSERT INTO {table} ({columns}) VALUES ({values})");
    let now = "TIMESTAMP '2026-11-27 12:00:00'";
    let statements = vec![
        insert(
            "idea_votes",
            "idea_id, user_id, org_id, created_at",
            format!("'{idea}', '{}', '{other_org}', {now}", other_admin.user_id),
        ),
        insert(
            "idea_dimensions",
            "idea_id, dimension_key, org_id",
            format!("'{idea}', 'experimentation', '{other_org}'"),
        ),
        insert(
            "idea_events",
            "id, org_id, idea_id, cycle, action, to_status, actor_id, stage, created_at",
            format!(
                "'{}', '{other_org}', '{idea}', 1, 'submit', 'submitted', '{}', '{{}}', {now}",
                uuid::Uuid::now_v7(),
                other_admin.user_id
            ),
        ),
        insert(
            "idea_coauthors",
            "idea_id, user_id, org_id, share",
            format!("'{idea}', '{}', '{other_org}', 50", other_admin.user_id),
        ),
        insert(
            "idea_cycles",
            "idea_id, cycle, org_id, started_at, updated_at",
            format!("'{idea}', 7, '{other_org}', {now}, {now}"),
        ),
        insert(
            "idea_stage_spans",
            "idea_id, cycle, stage, org_id, unit_id, entered_at, left_at, seconds",
            format!("'{idea}', 1, 'plan', '{other_org}', '{unit}', {now}, {now}, 0"),
        ),
        insert(
            "idea_comments",
            "id, org_id, idea_id, author_id, body, created_at",
            format!(
                "'{}', '{other_org}', '{idea}', '{}', 'x', {now}",
                uuid::Uuid::now_v7(),
                other_admin.user_id
            ),
        ),
    ];
    let pool = app.pool.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = pool.get().unwrap();
        statements
            .into_iter()
            .map(|s| diesel::sql_query(s).execute(&mut conn).map_err(|e| e.to_string()))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(outcomes.len(), 7);
    for outcome in &outcomes {
        let error = outcome
            .as_ref()
            .expect_err("a row naming another organisation's idea was written");
        assert!(error.contains("_idea_fkey"), "{error}");
    }
    // The same rows with the idea's own organisation are accepted (a vote).
    app.put(&format!("/api/v1/ideas/{idea}/votes"), &app.admin.token, json!({}))
        .await
        .expect(200);
    app.shutdown().await;
}

/// Submissions with only a verified token: the batch loads the accounts in one query and
/// refuses each one any request would refuse, writing the others, each under its own
/// account.
async fn a_batch_checks_each_submitters_account(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    let other_unit = app.create_unit("Grünflächenamt", None).await;
    let first = app.user("employee", Some(&unit)).await;
    let second = app.user("lead", Some(&other_unit)).await;
    let leaving = app.user("employee", Some(&unit)).await;
    app.deactivate(&leaving.user_id).await;
    let created = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "neu@bauamt.local", "display_name": "Neu", "role": "employee"}),
        )
        .await;
    let created = created.expect(201);
    let fresh_password = created["initial_password"].as_str().unwrap().to_owned();
    let fresh = app.login_ok("neu@bauamt.local", &fresh_password).await;
    let (other_org, other_admin) = app.other_organization().await;
    let logged_out = app.user("employee", Some(&unit)).await;
    let borrower = app.user("employee", Some(&unit)).await;
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"refresh_token": logged_out.refresh_token})),
    )
    .await;
    let keys = kaizen::auth::tokens::TokenKeys::new(app.settings.jwt_secret.as_deref().unwrap().as_bytes());
    let session_of = |who: &Session| keys.verify(&who.token).unwrap().sid;
    let sessions: std::collections::HashMap<String, String> =
        [&first, &second, &leaving, &fresh, &other_admin, &logged_out]
            .into_iter()
            .map(|s| (s.user_id.clone(), session_of(s)))
            .collect();
    let token = |user_id: &str, org: &str| {
        Submitter::Token(TokenCaller {
            user_id: user_id.to_owned(),
            org_id: org.to_owned(),
            session_id: sessions
                .get(user_id)
                .cloned()
                .unwrap_or_else(|| "no-such-session".into()),
        })
    };
    let before = idea_count(app, &app.admin).await;
    let answers = write_submissions(
        app,
        vec![
            (
                token(&first.user_id, &app.org_id),
                draft(&unit, "Erste", &["experimentation"], None),
            ),
            (
                token(&leaving.user_id, &app.org_id),
                draft(&unit, "Deaktiviert", &[], None),
            ),
            // A token naming another organisation than the account's.
            (
                token(&other_admin.user_id, &app.org_id),
                draft(&unit, "Fremd", &[], None),
            ),
            (token("no-such-user", &other_org), draft(&unit, "Niemand", &[], None)),
            (token(&fresh.user_id, &app.org_id), draft(&unit, "Passwort", &[], None)),
            // A session ended by logout: its access ends with it.
            (
                token(&logged_out.user_id, &app.org_id),
                draft(&unit, "Abgemeldet", &[], None),
            ),
            (
                token(&second.user_id, &app.org_id),
                draft(&other_unit, "Zweite", &[], None),
            ),
            (
                token(&first.user_id, &app.org_id),
                draft(&other_unit, "Dritte", &[], None),
            ),
            // A live session of another account of the organisation (one in the batch).
            (
                Submitter::Token(TokenCaller {
                    user_id: borrower.user_id.clone(),
                    org_id: app.org_id.clone(),
                    session_id: session_of(&first),
                }),
                draft(&unit, "Geliehen", &[], None),
            ),
            // The dimension keys are checked as well (on PostgreSQL read with the accounts).
            (
                token(&second.user_id, &app.org_id),
                draft(&other_unit, "Unbekannt", &["no_such_key"], None),
            ),
        ],
    )
    .await;
    assert_eq!(answers[1], Answer::Refused(401, vec![]));
    assert_eq!(answers[2], Answer::Refused(401, vec![]));
    assert_eq!(answers[3], Answer::Refused(401, vec![]));
    assert_eq!(answers[4], Answer::Refused(403, vec![]));
    assert_eq!(answers[5], Answer::Refused(401, vec![]));
    assert_eq!(answers[8], Answer::Refused(401, vec![]));
    assert_eq!(answers[9], Answer::Refused(422, vec!["dimensions[0]".into()]));
    let written = written_ids(&answers);
    assert_eq!(written.len(), 3, "{answers:?}");
    assert_eq!(idea_count(app, &app.admin).await, before + 3);
    // Each idea under its own submitter's account, in the unit it named.
    let expected = [(&first, &unit), (&second, &other_unit), (&first, &other_unit)];
    for (id, (who, unit_id)) in written.iter().zip(expected) {
        let idea = app.get(&format!("/api/v1/ideas/{id}"), &app.admin.token).await;
        let idea = idea.expect(200);
        assert_eq!(idea["author"]["id"], who.user_id.as_str(), "{idea}");
        assert_eq!(idea["unit_id"], unit_id.as_str(), "{idea}");
    }
    assert_written(app, &app.admin, &written[0], "Erste", json!(["experimentation"])).await;
}

/// Over HTTP: a deactivated account or one that must replace its generated password
/// is refused (401, 403) whatever its body, and nothing is written.
async fn submitting_checks_the_account_before_anything_else(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let good = json!({
        "title": "Urkunden online",
        "current_situation": "Urkunden werden am Schalter abgeholt.",
        "proposal": "Versand als PDF mit Signatur.",
        "expected_benefit": "Weniger Wege.",
        "unit_id": unit,
    });
    let mut untitled = good.clone();
    untitled["title"] = json!("");
    app.post("/api/v1/ideas", &employee.token, good.clone())
        .await
        .expect(201);
    let before = idea_count(app, &app.admin).await;
    app.deactivate(&employee.user_id).await;
    app.post("/api/v1/ideas", &employee.token, good.clone())
        .await
        .expect(401);
    // Invalid fields, missing fields, anonymous, or not JSON at all: the account's answer.
    app.post("/api/v1/ideas", &employee.token, untitled.clone())
        .await
        .expect(401);
    app.post("/api/v1/ideas", &employee.token, json!({"title": "Nur ein Titel"}))
        .await
        .expect(401);
    let mut anonymous = good.clone();
    anonymous["code_word"] = json!("Igel");
    app.post("/api/v1/ideas", &employee.token, anonymous).await.expect(401);
    let garbled = app
        .client
        .post(app.url("/api/v1/ideas"))
        .bearer_auth(&employee.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(garbled.status().as_u16(), 401);

    let created = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "neu@standesamt.local", "display_name": "Neu", "role": "employee", "unit_id": unit}),
        )
        .await;
    let initial = created.expect(201)["initial_password"].as_str().unwrap().to_owned();
    let login = app.login("neu@standesamt.local", &initial).await;
    let fresh = login.expect(200)["access_token"].as_str().unwrap().to_owned();
    app.post("/api/v1/ideas", &fresh, good.clone()).await.expect(403);
    app.post("/api/v1/ideas", &fresh, untitled.clone()).await.expect(403);
    assert_eq!(idea_count(app, &app.admin).await, before);
    // A sound account's invalid body is the body's problem.
    let refused = app.post("/api/v1/ideas", &app.admin.token, untitled).await;
    refused.expect(422);
    assert_eq!(refused.error_fields(), vec!["title".to_owned()]);
}

/// A subscription of the test organisation (the receiver is never reached here).
async fn subscribe(app: &TestApp, path: &str, types: &[&str]) -> String {
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.admin.token,
            json!({"url": format!("https://ticket.kommune.example/{path}"), "event_types": types}),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

/// A batch writes each idea's mail to its unit's leads and its webhook event once for
/// every subscription of the organisation that wants submissions (on PostgreSQL within
/// the batch's one statement), each event with an id of its own; an instance without
/// SMTP writes the mail rows skipped.
async fn a_batch_writes_each_ideas_mail_and_webhook_events(app: &TestApp) {
    let unit = app.create_unit("Stadtkasse", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    let wants = subscribe(app, "a", &["idea.submitted", "comment.created"]).await;
    let also = subscribe(app, "b", &["idea.submitted"]).await;
    let _not = subscribe(app, "c", &["comment.created", "idea.status_changed"]).await;
    let submissions = (0..3)
        .map(|i| {
            (
                author(app, &employee, &unit),
                draft(&unit, &format!("Kasse {i}"), &[], None),
            )
        })
        .collect();
    let ids = written_ids(&write_one_batch(app, submissions).await);
    assert_eq!(ids.len(), 3);

    let pool = app.pool.clone();
    let of_ideas = ids.clone();
    let (events, mails) = tokio::task::spawn_blocking(move || {
        use kaizen::db::schema::{mail_messages as m, outbox_messages as o};
        let mut conn = pool.get().unwrap();
        let events: Vec<(String, String, String, String, String)> = o::table
            .filter(o::subject_id.eq_any(&of_ideas))
            .select((o::id, o::subject_id, o::subscription_id, o::event_type, o::payload))
            .load(&mut conn)
            .unwrap();
        let mails: Vec<(String, String, String)> = m::table
            .filter(m::subject_id.eq_any(&of_ideas))
            .select((m::subject_id, m::kind, m::status))
            .load(&mut conn)
            .unwrap();
        (events, mails)
    })
    .await
    .unwrap();

    let mut pairs: Vec<(String, String)> = events.iter().map(|e| (e.1.clone(), e.2.clone())).collect();
    pairs.sort();
    let mut expected: Vec<(String, String)> = ids
        .iter()
        .flat_map(|i| [(i.clone(), wants.clone()), (i.clone(), also.clone())])
        .collect();
    expected.sort();
    assert_eq!(pairs, expected, "one event per idea and wanting subscription");
    let mut event_ids: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    event_ids.sort_unstable();
    event_ids.dedup();
    assert_eq!(event_ids.len(), 6, "every event has an id of its own");
    for (_, idea, _, kind, payload) in &events {
        assert_eq!(kind, "idea.submitted");
        let body: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(body["data"]["idea_id"], idea.as_str(), "{body}");
        assert_eq!(body["data"]["status"], "submitted", "{body}");
        assert_eq!(body["data"]["author_id"], employee.user_id.as_str(), "{body}");
    }
    let mut mailed: Vec<(String, String, String)> = mails;
    mailed.sort();
    let mut expected: Vec<(String, String, String)> = ids
        .iter()
        .map(|i| (i.clone(), "idea.submitted".to_owned(), "pending".to_owned()))
        .collect();
    expected.sort();
    assert_eq!(mailed, expected, "one mail per idea, for the worker to send");

    // An instance without SMTP writes the rows as its worker would leave them: skipped,
    // with the time they were dropped (when their retention starts).
    let submissions = (0..2)
        .map(|i| {
            (
                author(app, &employee, &unit),
                draft(&unit, &format!("Ohne Post {i}"), &[], None),
            )
        })
        .collect();
    let unsent = written_ids(&write_one_batch_sending(app, submissions, Sending::Off).await);
    assert_eq!(unsent.len(), 2);
    let pool = app.pool.clone();
    let of_ideas = unsent.clone();
    let rows: Vec<(String, String, Option<chrono::NaiveDateTime>, chrono::NaiveDateTime)> =
        tokio::task::spawn_blocking(move || {
            use kaizen::db::schema::mail_messages as m;
            let mut conn = pool.get().unwrap();
            m::table
                .filter(m::subject_id.eq_any(&of_ideas))
                .select((m::subject_id, m::status, m::delivered_at, m::created_at))
                .load(&mut conn)
                .unwrap()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (idea, status, delivered_at, created_at) in &rows {
        assert!(unsent.contains(idea));
        assert_eq!(status, "skipped");
        assert_eq!(delivered_at.as_ref(), Some(created_at));
    }
}
