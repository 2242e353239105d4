//! Keys that start with the organisation (issue 17, part 3; migration
//! 2026-12-04-000029_org_leading_keys). On PostgreSQL, the tables read on the hot paths
//! (the idea list, an idea's page, a vote, the caller's session and account, and the
//! closed rounds' stored figures the progress report joins) have no index that a lookup
//! by an idea's, a session's, an account's or a round's id alone could use (migrations
//! 2026-12-05-000030_users_org_key and 000032_published_results_org for the accounts and
//! the figures): their primary keys lead with
//! `org_id`, so every by-key statement has to name the organisation, and PostgreSQL
//! cannot prefer a key across all organisations to the organisation's own. SQLite (one
//! installation per file) keeps its keys.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::both_backends;
use crate::helpers::{PASSWORD, TestApp};
use crate::ideas::{id_of, idea_body, submit};
use reqwest::Method;

both_backends!(hot_path_keys_lead_with_the_organisation);

#[derive(diesel::QueryableByName, Debug)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    first_column: String,
}

/// Every index of the named tables with its first column.
async fn indexes(app: &TestApp) -> Vec<IndexRow> {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(
            "SELECT t.relname::TEXT AS table_name, i.relname::TEXT AS index_name, a.attname::TEXT AS first_column \
             FROM pg_index x \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] \
             WHERE t.relname IN ('ideas', 'idea_votes', 'idea_dimensions', 'idea_cycles', 'idea_coauthors', 'sessions', 'users', 'assessment_published_results') \
             ORDER BY 1, 2",
        )
        .load::<IndexRow>(&mut *conn)
        .unwrap()
    })
    .await
    .unwrap()
}

async fn hot_path_keys_lead_with_the_organisation(app: &TestApp) {
    // The hot paths work on these keys, on both backends: a list, an idea's page, a vote
    // and its removal, each in the caller's organisation.
    let unit = app.create_unit("Bürgerbüro", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Termine online buchen")).await);
    let voter = app.user("employee", Some(&unit)).await;
    let voted = app
        .put(
            &format!("/api/v1/ideas/{idea}/votes"),
            &voter.token,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(voted.expect(200)["vote_count"], 1, "{}", voted.text);
    let page = app.get(&format!("/api/v1/ideas/{idea}"), &voter.token).await;
    assert_eq!(page.expect(200)["voted_by_me"], true, "{}", page.text);
    let list = app.get("/api/v1/ideas", &voter.token).await;
    assert_eq!(list.expect(200)["items"][0]["id"], idea.as_str(), "{}", list.text);
    let removed = app.delete(&format!("/api/v1/ideas/{idea}/votes"), &voter.token).await;
    assert_eq!(removed.expect(200)["vote_count"], 0, "{}", removed.text);
    // A login, a refresh (the token's row names the account's organisation) and a logout.
    let session = app.login_ok(&voter.email, PASSWORD).await;
    let refreshed = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(serde_json::json!({"refresh_token": session.refresh_token})),
        )
        .await;
    let refreshed = refreshed.expect(200).clone();
    let access = refreshed["access_token"].as_str().unwrap();
    app.get("/api/v1/me", access).await.expect(200);
    app.send(
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(serde_json::json!({"refresh_token": refreshed["refresh_token"]})),
    )
    .await
    .expect(204);
    app.get("/api/v1/me", access).await.expect(401);

    if !app.settings.database_url.starts_with("postgres") {
        return;
    }
    let found = indexes(app).await;
    for table in [
        "ideas",
        "idea_votes",
        "idea_dimensions",
        "idea_cycles",
        "idea_coauthors",
        "sessions",
        "users",
        "assessment_published_results",
    ] {
        let pkey = found
            .iter()
            .find(|r| r.table_name == table && r.index_name == format!("{table}_pkey"))
            .unwrap_or_else(|| panic!("{table} has no primary key: {found:?}"));
        assert_eq!(pkey.first_column, "org_id", "{table}'s primary key");
    }
    // Indexes that do not lead with the organisation, each with its reason: a browser
    // session is found by its cookie's digest before its organisation is known, and a
    // person's sessions are ended together (password change, deactivation), off the
    // request path.
    let allowed = ["sessions_secret_hash_key", "sessions_user_idx"];
    let others: Vec<&IndexRow> = found
        .iter()
        .filter(|r| r.first_column != "org_id" && !allowed.contains(&r.index_name.as_str()))
        .collect();
    assert!(others.is_empty(), "indexes not led by the organisation: {others:?}");
}
