//! Erasure (GDPR Art. 17) on both backends: an admin erases a person — confirmed by their
//! e-mail — and afterwards neither their name nor their e-mail is in any column of any
//! table, their sessions and survey participation are gone, they cannot sign in, and their
//! ideas, comments and votes stay for the organisation under "Ehemalige Beschäftigte".
//! Refusals: a wrong confirmation, oneself, a second erasure, other roles, another
//! organisation. Deactivated accounts are erased by the scheduler after the set period.

use serde_json::{Value, json};

use crate::assessment_support::{
    builtin_id, is_postgres, items, open_round, sql_strings, submit as answer, uniform_answers,
};
use crate::helpers::{PASSWORD, Session, TestApp};
use crate::ideas::{id_of, idea_body, submit};
use crate::web::Browser;

crate::both_backends!(
    an_erased_person_is_gone_and_their_contributions_stay,
    erasure_is_refused_where_it_must_be,
    deactivated_accounts_are_erased_after_the_set_period,
);

async fn person(app: &TestApp, name: &str, email: &str, role: &str, unit: &str) -> Session {
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": email, "display_name": name, "role": role, "unit_id": unit, "password": PASSWORD}),
        )
        .await;
    r.expect(201);
    app.login_ok(email, PASSWORD).await
}

/// Every (table, column) whose text contains `needle`, in any table of the database.
async fn found_anywhere(app: &TestApp, needle: &str) -> Vec<String> {
    let tables = if is_postgres(app) {
        sql_strings(
            app,
            "SELECT CAST(table_name AS TEXT) AS v FROM information_schema.tables WHERE table_schema = 'public' AND table_type = $1",
            "BASE TABLE",
        )
        .await
    } else {
        sql_strings(
            app,
            "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE $1",
            "sqlite\\_%",
        )
        .await
    };
    let mut hits = Vec::new();
    for table in tables {
        let columns = if is_postgres(app) {
            sql_strings(
                app,
                "SELECT CAST(column_name AS TEXT) AS v FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
                &table,
            )
            .await
        } else {
            sql_strings(app, "SELECT name AS v FROM pragma_table_info($1)", &table).await
        };
        for column in columns {
            let sql = format!(
                "SELECT CAST(\"{column}\" AS TEXT) AS v FROM \"{table}\" WHERE LOWER(CAST(\"{column}\" AS TEXT)) LIKE $1"
            );
            if !sql_strings(app, &sql, &format!("%{}%", needle.to_lowercase()))
                .await
                .is_empty()
            {
                hits.push(format!("{table}.{column}"));
            }
        }
    }
    hits
}

async fn an_erased_person_is_gone_and_their_contributions_stay(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let anna = person(
        app,
        "Annegret Quastenberg",
        "annegret.quastenberg@test.local",
        "employee",
        &unit,
    )
    .await;
    let ben = app.user("employee", Some(&unit)).await;
    let round = open_round(app, None).await;
    let own = id_of(&submit(app, &anna, idea_body(&unit, "Terminvergabe online")).await);
    let mut secret = idea_body(&unit, "Weniger Formulare");
    secret["code_word"] = json!("Eule");
    let anonymous = id_of(&submit(app, &anna, secret).await);
    let bens = id_of(&submit(app, &ben, idea_body(&unit, "Gemeinsame Ablage")).await);
    app.post(
        &format!("/api/v1/ideas/{bens}/comments"),
        &anna.token,
        json!({"body": "Gern, mit Ordnerplan."}),
    )
    .await
    .expect(201);
    app.put(&format!("/api/v1/ideas/{bens}/votes"), &anna.token, json!({}))
        .await
        .expect(200);
    let qid = builtin_id(app, &app.admin.token).await;
    let list = items(app, &qid).await;
    assert_eq!(answer(app, &round, &anna, uniform_answers(&list, |_| 4)).await, 201);
    let results_before = app
        .get(&format!("/api/v1/assessments/{round}"), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert!(
        !found_anywhere(app, "Quastenberg").await.is_empty(),
        "the scan finds the name before"
    );

    let path = format!("/api/v1/users/{}/erase", anna.user_id);
    let erased = app
        .post(
            &path,
            &app.admin.token,
            json!({"confirm_email": "Annegret.Quastenberg@test.local"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(erased["display_name"], "Ehemalige Beschäftigte");
    assert_eq!(erased["active"], false);
    assert!(erased["erased_at"].is_string());
    assert!(erased["email"].as_str().unwrap().ends_with("@erased.invalid"));

    // Nowhere any more: no column of any table holds the name or the e-mail.
    assert_eq!(found_anywhere(app, "Quastenberg").await, Vec::<String>::new());
    assert_eq!(found_anywhere(app, "annegret").await, Vec::<String>::new());
    // Signed out and cannot sign in.
    assert_eq!(app.get("/api/v1/me", &anna.token).await.status.as_u16(), 401);
    assert_eq!(
        app.login("annegret.quastenberg@test.local", PASSWORD)
            .await
            .status
            .as_u16(),
        401
    );
    // The contributions stay, under the former employee.
    for id in [&own, &anonymous] {
        let idea = app
            .get(&format!("/api/v1/ideas/{id}"), &app.admin.token)
            .await
            .expect(200)
            .clone();
        assert_eq!(
            idea["author"]["name"]
                .as_str()
                .map(|n| n == "Ehemalige Beschäftigte" || n == "Eule"),
            Some(true),
            "{idea}"
        );
    }
    let idea = app
        .get(&format!("/api/v1/ideas/{own}"), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(idea["author"]["name"], "Ehemalige Beschäftigte");
    let comments = app
        .get(&format!("/api/v1/ideas/{bens}/comments"), &ben.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(comments["items"][0]["author"]["name"], "Ehemalige Beschäftigte");
    assert_eq!(comments["items"][0]["body"], "Gern, mit Ordnerplan.");
    let bens_idea = app
        .get(&format!("/api/v1/ideas/{bens}"), &ben.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(bens_idea["vote_count"], 1);
    // The survey: participation gone, the answers (never linked) still counted.
    assert!(
        sql_strings(
            app,
            "SELECT user_id AS v FROM assessment_participation WHERE user_id = $1",
            &anna.user_id
        )
        .await
        .is_empty()
    );
    let results_after: Value = app
        .get(&format!("/api/v1/assessments/{round}"), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(results_after["eligible"], results_before["eligible"]);
    // The account can no longer change, nor be erased twice.
    app.post(
        &format!("/api/v1/users/{}/password-reset", anna.user_id),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(409);
    app.post(&path, &app.admin.token, json!({"confirm_email": erased["email"]}))
        .await
        .expect(409);
}

async fn erasure_is_refused_where_it_must_be(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let anna = person(
        app,
        "Hiltrud Zwiebelmeier",
        "hiltrud.zwiebelmeier@test.local",
        "employee",
        &unit,
    )
    .await;
    let path = format!("/api/v1/users/{}/erase", anna.user_id);
    let r = app
        .post(
            &path,
            &app.admin.token,
            json!({"confirm_email": "someone.else@test.local"}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.error_fields(), vec!["confirm_email"]);
    for role in ["employee", "lead", "manager"] {
        let other = app.user(role, Some(&unit)).await;
        app.post(
            &path,
            &other.token,
            json!({"confirm_email": "hiltrud.zwiebelmeier@test.local"}),
        )
        .await
        .expect(403);
    }
    let me = app.get("/api/v1/me", &app.admin.token).await.expect(200).clone();
    let r = app
        .post(
            &format!("/api/v1/users/{}/erase", me["id"].as_str().unwrap()),
            &app.admin.token,
            json!({"confirm_email": me["email"]}),
        )
        .await;
    r.expect(409);
    let still = app
        .get(&format!("/api/v1/users/{}", anna.user_id), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(
        still["display_name"], "Hiltrud Zwiebelmeier",
        "nothing erased by the refusals"
    );

    // The admin page: a wrong confirmation is named at its field, the right one erases.
    let admin = app.user("admin", None).await;
    let mut b = Browser::new(app);
    assert_eq!(b.login(&admin.email, PASSWORD).await.status, 303);
    let page = b.get(&format!("/admin/staff/{}", anna.user_id)).await;
    assert!(page.html.contains("id=\"erase-person\""));
    let r = b
        .post_form(
            &format!("/admin/staff/{}/erase", anna.user_id),
            &[("confirm_email", "falsch@test.local")],
            true,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(r.html.contains("href=\"#confirm_email\""));
    let r = b
        .post_form(
            &format!("/admin/staff/{}/erase", anna.user_id),
            &[("confirm_email", "hiltrud.zwiebelmeier@test.local")],
            true,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = b.get(r.location.as_deref().unwrap()).await;
    assert!(page.html.contains("Die Person ist gelöscht."));
    assert!(page.html.contains("id=\"erased-note\""));
    assert!(found_anywhere(app, "Zwiebelmeier").await.is_empty());

    // Another organisation's admin: the person does not exist for them.
    let bert = person(app, "Bertram Kessler", "bertram.kessler@test.local", "employee", &unit).await;
    let (_, theirs) = app.other_organization().await;
    app.post(
        &format!("/api/v1/users/{}/erase", bert.user_id),
        &theirs.token,
        json!({"confirm_email": "bertram.kessler@test.local"}),
    )
    .await
    .expect(404);
}

async fn deactivated_accounts_are_erased_after_the_set_period(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let gone = person(
        app,
        "Detlef Pfannkuchen",
        "detlef.pfannkuchen@test.local",
        "employee",
        &unit,
    )
    .await;
    let stays = person(
        app,
        "Edeltraud Senfkorn",
        "edeltraud.senfkorn@test.local",
        "employee",
        &unit,
    )
    .await;
    app.deactivate(&gone.user_id).await;
    let run = |days_later: i64, erase_after: Option<i64>| {
        let pool = app.pool.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().unwrap();
                let now = kaizen::db::now() + chrono::Duration::days(days_later);
                let retention = kaizen::scheduler::Retention {
                    participation_days: 30,
                    erase_deactivated_after_days: erase_after,
                };
                kaizen::scheduler::housekeeping(&mut conn, now, now, retention);
            })
            .await
            .unwrap();
        }
    };
    // Not configured: kept however long ago. Configured, within the period: kept.
    run(1000, None).await;
    run(89, Some(90)).await;
    assert!(!found_anywhere(app, "Pfannkuchen").await.is_empty());
    // After the period: erased; the active person is untouched.
    run(91, Some(90)).await;
    assert!(found_anywhere(app, "Pfannkuchen").await.is_empty());
    // (Housekeeping a thousand days ahead also ended the admin's session.)
    let admin = app.login_ok(&app.admin.email, crate::helpers::ADMIN_PASSWORD).await;
    let user = app
        .get(&format!("/api/v1/users/{}", gone.user_id), &admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(user["display_name"], "Ehemalige Beschäftigte");
    let other = app
        .get(&format!("/api/v1/users/{}", stays.user_id), &admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(other["display_name"], "Edeltraud Senfkorn");
    assert!(other["erased_at"].is_null());
}
