//! Votes (idempotent under concurrency), comments (edit window, soft delete, roles) and
//! the append-only history.

use diesel::RunQueryDsl;
use futures_util::future::join_all;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(
    votes_are_idempotent_under_concurrency,
    comments_are_edited_briefly_and_deleted_softly,
    history_is_append_only,
);

async fn votes_are_idempotent_under_concurrency(app: &TestApp) {
    let unit = app.create_unit("Bibliothek", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let id = id_of(&submit(app, &author, idea_body(&unit, "Abendöffnung")).await);
    let path = format!("/api/v1/ideas/{id}/votes");
    let fan = app.user("employee", Some(&unit)).await;

    // One person, ten identical votes at once: counted once.
    let replies = join_all((0..10).map(|_| app.put(&path, &fan.token, json!({})))).await;
    for r in &replies {
        let body = r.expect(200);
        assert_eq!(body["vote_count"], 1, "{}", r.text);
        assert_eq!(body["voted"], true);
    }
    // Several people at once, each twice: one vote each.
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(app.user("employee", Some(&unit)).await);
    }
    let replies = join_all(
        others
            .iter()
            .chain(others.iter())
            .map(|s| app.put(&path, &s.token, json!({}))),
    )
    .await;
    assert!(replies.iter().all(|r| r.status == 200));
    let got = app.get(&format!("/api/v1/ideas/{id}"), &fan.token).await;
    let got = got.expect(200);
    assert_eq!(got["vote_count"], 5);
    assert_eq!(got["voted_by_me"], true);
    assert_eq!(got["version"], 1, "votes do not change the idea's version");
    let listed = app.get("/api/v1/ideas", &author.token).await;
    let item = &listed.expect(200)["items"][0];
    assert_eq!(item["vote_count"], 5);
    assert_eq!(item["voted_by_me"], false);

    // Taking a vote back, many times at once: removed once.
    let replies = join_all((0..10).map(|_| app.delete(&path, &fan.token))).await;
    for r in &replies {
        let body = r.expect(200);
        assert_eq!(body["vote_count"], 4);
        assert_eq!(body["voted"], false);
    }
    // Without a vote, DELETE changes nothing; voting again counts again.
    assert_eq!(app.delete(&path, &author.token).await.expect(200)["vote_count"], 4);
    assert_eq!(app.put(&path, &fan.token, json!({})).await.expect(200)["vote_count"], 5);
    app.put("/api/v1/ideas/no-such-idea/votes", &fan.token, json!({}))
        .await
        .expect(404);
    // Mixed PUT and DELETE by the same person at once leave a consistent count.
    let (path, token) = (&path, &fan.token);
    let mixed = join_all((0..8).map(|n| async move {
        if n % 2 == 0 {
            app.put(path, token, json!({})).await
        } else {
            app.delete(path, token).await
        }
    }))
    .await;
    assert!(mixed.iter().all(|r| r.status == 200));
    let got = app.get(&format!("/api/v1/ideas/{id}"), &fan.token).await;
    let got = got.expect(200);
    let expected = if got["voted_by_me"] == true { 5 } else { 4 };
    assert_eq!(got["vote_count"], expected);
}

async fn comments_are_edited_briefly_and_deleted_softly(app: &TestApp) {
    let unit = app.create_unit("Museum", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let writer = app.user("employee", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    let id = id_of(&submit(app, &author, idea_body(&unit, "Audioguide")).await);
    let base = format!("/api/v1/ideas/{id}/comments");

    let r = app
        .post(&base, &writer.token, json!({"body": "Auch auf Englisch?"}))
        .await;
    let c = r.expect(201).clone();
    let cpath = format!("{base}/{}", id_of(&c));
    assert_eq!(c["author"]["id"], writer.user_id.as_str());
    assert_eq!(c["body"], "Auch auf Englisch?");
    assert_eq!(c["deleted"], false);
    assert!(c["editable_until"].is_string());
    app.post(&base, &writer.token, json!({"body": "   "})).await.expect(422);
    app.post(&base, &writer.token, json!({"text": "x"})).await.expect(422);

    // Only the author edits, with the version.
    app.patch(&cpath, &author.token, json!({"version": 1, "body": "Nein"}))
        .await
        .expect(403);
    app.patch(&cpath, &manager.token, json!({"version": 1, "body": "Nein"}))
        .await
        .expect(403);
    app.patch(&cpath, &writer.token, json!({"body": "ohne Version"}))
        .await
        .expect(422);
    let edited = app
        .patch(
            &cpath,
            &writer.token,
            json!({"version": 1, "body": "Auch auf Englisch und Arabisch?"}),
        )
        .await;
    let edited = edited.expect(200);
    assert_eq!(edited["version"], 2);
    assert!(edited["edited_at"].is_string());
    let stale = app
        .patch(&cpath, &writer.token, json!({"version": 1, "body": "alt"}))
        .await;
    stale.expect(409);
    assert_eq!(stale.body["current_version"], 2);

    // After 15 minutes the comment is final.
    let pool = app.pool.clone();
    let comment_id = id_of(&c);
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let old = (chrono::Utc::now() - chrono::Duration::minutes(16)).naive_utc();
        diesel::sql_query("UPDATE idea_comments SET created_at = $1 WHERE id = $2")
            .bind::<diesel::sql_types::Timestamp, _>(old)
            .bind::<diesel::sql_types::Text, _>(comment_id)
            .execute(&mut *conn)
            .unwrap();
    })
    .await
    .unwrap();
    let late = app
        .patch(&cpath, &writer.token, json!({"version": 2, "body": "zu spät"}))
        .await;
    late.expect(403);
    assert!(late.body["detail"].as_str().unwrap().contains("15 minutes"));

    // Delete: not by others (not even a manager), by the author or an admin; it stays as deleted.
    let second = app
        .post(&base, &manager.token, json!({"body": "Kostet das?"}))
        .await
        .expect(201)
        .clone();
    let second_path = format!("{base}/{}", id_of(&second));
    app.delete(&cpath, &author.token).await.expect(403);
    app.delete(&cpath, &manager.token).await.expect(403);
    assert_eq!(app.delete(&cpath, &app.admin.token).await.status, 204);
    assert_eq!(app.delete(&cpath, &app.admin.token).await.status, 204);
    assert_eq!(app.delete(&second_path, &manager.token).await.status, 204);
    app.patch(&second_path, &manager.token, json!({"version": 2, "body": "wieder da"}))
        .await
        .expect(409);
    app.delete(&format!("{base}/no-such-comment"), &app.admin.token)
        .await
        .expect(404);

    let listed = app.get(&base, &author.token).await;
    let items = listed.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["deleted"], true);
    assert!(items[0]["body"].is_null());
    assert_eq!(items[0]["author"]["id"], writer.user_id.as_str());
    assert_eq!(items[1]["deleted"], true);
    let got = app.get(&format!("/api/v1/ideas/{id}"), &author.token).await;
    assert_eq!(got.expect(200)["comment_count"], 0);
    // Pages of comments.
    for n in 0..3 {
        app.post(&base, &author.token, json!({"body": format!("Nr. {n}")}))
            .await
            .expect(201);
    }
    let page = app.get(&format!("{base}?limit=2"), &writer.token).await;
    let page = page.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!("{base}?limit=10&cursor={cursor}"), &writer.token)
        .await;
    let rest = rest.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[2]["body"], "Nr. 2");
}

async fn history_is_append_only(app: &TestApp) {
    let unit = app.create_unit("Friedhofsamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let id = id_of(&submit(app, &author, idea_body(&unit, "Online-Grabpflege")).await);
    step(app, &lead, &id, json!({"action": "accept", "version": 1, "note": "ok"}))
        .await
        .expect(200);
    let path = format!("/api/v1/ideas/{id}/history");
    // No endpoint changes or removes events.
    app.delete(&path, &app.admin.token).await.expect(405);
    app.put(&path, &app.admin.token, json!({})).await.expect(405);
    app.post(&path, &app.admin.token, json!({})).await.expect(405);
    let events = app.get(&path, &lead.token).await.expect(200)["items"].clone();
    let first = id_of(&events[0]);
    app.delete(&format!("{path}/{first}"), &app.admin.token)
        .await
        .expect(404);
    // Nor does the database allow it.
    let pool = app.pool.clone();
    let (updated, deleted) = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let updated = diesel::sql_query("UPDATE idea_events SET note = 'rewritten'").execute(&mut *conn);
        let deleted = diesel::sql_query("DELETE FROM idea_events").execute(&mut *conn);
        (updated.is_err(), deleted.is_err())
    })
    .await
    .unwrap();
    assert!(updated && deleted, "the database refuses to change history");
    let again = app.get(&path, &lead.token).await;
    let again = again.expect(200)["items"].clone();
    assert_eq!(again, events);
    assert_eq!(again[1]["note"], "ok");
    // Pages of history.
    let page = app.get(&format!("{path}?limit=1"), &lead.token).await;
    let page = page.expect(200);
    assert_eq!(page["items"][0]["action"], "submit");
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app.get(&format!("{path}?limit=1&cursor={cursor}"), &lead.token).await;
    assert_eq!(next.expect(200)["items"][0]["action"], "accept");
}
