//! Reports served from kept figures (`store::report_cache`) show every change at once,
//! made through the API or by anyone else writing to the database (another instance),
//! and equal a fresh computation.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};
use crate::reports::{round, scores_of};

both_backends!(
    kept_figures_follow_every_change_and_equal_a_fresh_computation,
    kept_figures_are_keyed_by_the_change_counter_alone,
    participation_follows_votes_co_authors_and_people,
    the_stuck_count_follows_the_clock_from_the_count_kept,
    new_ideas_and_new_dimension_links_show_in_the_next_report,
);

/// Undoes, in the same transaction, the move of the ideas' counter a statement before it
/// made: on PostgreSQL the counter is spread over rows and a transaction moves the one
/// its id picks (migration 000026); SQLite has one row.
fn undo_ideas_move(app: &TestApp) -> String {
    if app.settings.database_url.starts_with("postgres") {
        "UPDATE report_versions SET ideas_version = ideas_version - 1 WHERE shard = txid_current() % 8".into()
    } else {
        "UPDATE report_versions SET ideas_version = ideas_version - 1".into()
    }
}

async fn sql(app: &TestApp, statements: Vec<String>) {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = pool.get().unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for s in statements {
                diesel::sql_query(s).execute(conn)?;
            }
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
}

fn stage(report: &Value, status: &str) -> i64 {
    report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == status)
        .and_then(|s| s["ideas"].as_i64())
        .unwrap_or_else(|| panic!("{status} missing in {report}"))
}

/// The leadership ideas between the previous and the latest round, by status.
fn leadership_flow(report: &Value) -> Value {
    let pair = report["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "previous_vs_latest")
        .unwrap_or_else(|| panic!("no comparison in {report}"));
    pair["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "leadership")
        .map(|d| d["ideas"]["by_status"].clone())
        .unwrap()
}

async fn report(app: &TestApp, who: &Session, path: &str) -> Value {
    let mut r = app.get(path, &who.token).await.expect(200).clone();
    r.as_object_mut().unwrap().remove("generated_at");
    r
}

/// Two rounds with a leadership idea submitted between them; returns (manager, lead, idea).
async fn setup(app: &TestApp) -> (Session, Session, String) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let mut people = Vec::new();
    for _ in 0..6 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let lead = app.user("lead", Some(&unit)).await;
    let manager = app.user("manager", None).await;
    round(app, &people, 6, scores_of(0)).await;
    let mut body = idea_body(&unit, "Feedback an die Amtsleitung");
    body["dimensions"] = json!(["leadership"]);
    let idea = id_of(&submit(app, &people[0], body).await);
    round(app, &people, 6, scores_of(0)).await;
    (manager, lead, idea)
}

const PIPELINE: &str = "/api/v1/reports/pipeline?lang=en";
const PROGRESS: &str = "/api/v1/reports/progress?lang=en";

async fn kept_figures_follow_every_change_and_equal_a_fresh_computation(app: &TestApp) {
    let (manager, lead, idea) = setup(app).await;
    let pipeline = report(app, &manager, PIPELINE).await;
    assert_eq!(stage(&pipeline, "submitted"), 1);
    assert_eq!(
        leadership_flow(&report(app, &manager, PROGRESS).await),
        json!({"submitted": 1})
    );
    // Read again: the same figures.
    assert_eq!(report(app, &manager, PIPELINE).await, pipeline);

    // A step through the API shows in the next report.
    step(app, &lead, &idea, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    let pipeline = report(app, &manager, PIPELINE).await;
    assert_eq!((stage(&pipeline, "submitted"), stage(&pipeline, "plan")), (0, 1));
    assert_eq!(pipeline["acceptance"]["accepted"], 1);
    assert_eq!(
        leadership_flow(&report(app, &manager, PROGRESS).await),
        json!({"plan": 1})
    );

    // A change written by someone else (another instance, or by hand) shows as well.
    sql(
        app,
        vec![
            format!("UPDATE ideas SET status = 'rejected' WHERE id = '{idea}'"),
            format!("UPDATE idea_dimensions SET status = 'rejected' WHERE idea_id = '{idea}'"),
        ],
    )
    .await;
    let kept_pipeline = report(app, &manager, PIPELINE).await;
    assert_eq!(
        (stage(&kept_pipeline, "plan"), stage(&kept_pipeline, "rejected")),
        (0, 1)
    );
    let kept_progress = report(app, &manager, PROGRESS).await;
    assert_eq!(leadership_flow(&kept_progress), json!({"rejected": 1}));
    // Read twice more, so that the second answer certainly comes from kept figures.
    assert_eq!(report(app, &manager, PIPELINE).await, kept_pipeline);
    let kept_pipeline = report(app, &manager, PIPELINE).await;
    let kept_progress_again = report(app, &manager, PROGRESS).await;
    assert_eq!(kept_progress_again, kept_progress);

    // Forcing a fresh computation (the counter moves without a change) gives the same.
    sql(
        app,
        vec!["UPDATE report_versions SET ideas_version = ideas_version + 1".to_owned()],
    )
    .await;
    assert_eq!(report(app, &manager, PIPELINE).await, kept_pipeline);
    assert_eq!(report(app, &manager, PROGRESS).await, kept_progress);
}

async fn kept_figures_are_keyed_by_the_change_counter_alone(app: &TestApp) {
    // Proof that figures are really kept (and that the counter is what keeps them
    // honest): a change whose counter move is undone in the same transaction is not seen
    // until the counter moves.
    let (manager, _lead, idea) = setup(app).await;
    let before = report(app, &manager, PIPELINE).await;
    assert_eq!(stage(&before, "submitted"), 1);
    assert_eq!(report(app, &manager, PIPELINE).await, before);
    sql(
        app,
        vec![
            format!("UPDATE ideas SET status = 'withdrawn' WHERE id = '{idea}'"),
            undo_ideas_move(app),
        ],
    )
    .await;
    let stale = report(app, &manager, PIPELINE).await;
    assert_eq!(stage(&stale, "submitted"), 1, "kept figures served");
    sql(
        app,
        vec!["UPDATE report_versions SET ideas_version = ideas_version + 1".to_owned()],
    )
    .await;
    let fresh = report(app, &manager, PIPELINE).await;
    assert_eq!((stage(&fresh, "submitted"), stage(&fresh, "withdrawn")), (0, 1));
}

/// The sum of a counter's rows (all organisations: the test's database has one).
async fn counter(app: &TestApp, table: &str, column: &str) -> i64 {
    let sql = format!("SELECT CAST(COALESCE(SUM({column}), 0) AS TEXT) AS v FROM {table} WHERE org_id <> $1");
    let sums = crate::assessment_support::sql_strings(app, &sql, "").await;
    sums[0].parse().unwrap()
}

fn participation(report: &Value) -> (i64, i64) {
    let p = &report["participation"];
    (p["active_users"].as_i64().unwrap(), p["participants"].as_i64().unwrap())
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

async fn participation_follows_votes_co_authors_and_people(app: &TestApp) {
    let (manager, lead, idea) = setup(app).await;
    let (active, participants) = participation(&report(app, &manager, PIPELINE).await);
    assert_eq!(participants, 1, "the author");
    // Read again (kept): the same.
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active, 1));
    // New people count at once.
    let (a, b, c) = (
        app.user("employee", None).await,
        app.user("employee", None).await,
        app.user("employee", None).await,
    );
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 3, 1));

    // A vote through the API. It changes the idea's vote count, which no idea figure
    // reads: the ideas' counter stands still (no trigger fires for that column), the
    // people's moves.
    let ideas_before = counter(app, "report_versions", "ideas_version").await;
    let people_before = counter(app, "participation_versions", "version").await;
    app.put(&format!("/api/v1/ideas/{idea}/votes"), &lead.token, json!({}))
        .await
        .expect(200);
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 3, 2));
    assert_eq!(counter(app, "report_versions", "ideas_version").await, ideas_before);
    assert!(counter(app, "participation_versions", "version").await > people_before);

    // A vote, a co-author and a leaver written by someone else (another instance).
    let org = app.get("/api/v1/organization", &app.admin.token).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = days_ago(0);
    // As kaizen writes a vote: on PostgreSQL the statement moves the people's counter
    // itself (no trigger on inserts there, migration 000028), on SQLite a trigger does.
    let postgres = app.settings.database_url.starts_with("postgres");
    let vote = |who: &str| {
        let mut statements = vec![format!(
            "INSERT INTO idea_votes (idea_id, user_id, org_id, created_at) VALUES ('{idea}', '{who}', '{org}', '{now}')"
        )];
        if postgres {
            statements.push(format!(
                "INSERT INTO participation_versions (org_id, shard, version) \
                 VALUES ('{org}', (txid_current() % 8)::SMALLINT, 1) \
                 ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1"
            ));
        }
        statements
    };
    sql(app, vote(&a.user_id)).await;
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 3, 3));
    sql(
        app,
        vec![format!(
            "INSERT INTO idea_coauthors (idea_id, user_id, org_id, share) VALUES ('{idea}', '{}', '{org}', 1)",
            b.user_id
        )],
    )
    .await;
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 3, 4));
    sql(
        app,
        vec![format!("UPDATE users SET active = false WHERE id = '{}'", c.user_id)],
    )
    .await;
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 2, 4));

    // Kept figures equal a fresh computation (both counters moved by hand).
    let kept = report(app, &manager, PIPELINE).await;
    assert_eq!(report(app, &manager, PIPELINE).await, kept);
    sql(
        app,
        vec![
            "UPDATE report_versions SET ideas_version = ideas_version + 1".to_owned(),
            "UPDATE participation_versions SET version = version + 1".to_owned(),
        ],
    )
    .await;
    assert_eq!(report(app, &manager, PIPELINE).await, kept);

    // Proof that participation is kept by the people's counter: a vote whose counter move
    // is undone is not seen until the counter moves.
    sql(
        app,
        [
            vote(&manager.user_id),
            vec![format!(
                "UPDATE participation_versions SET version = version - 1 WHERE org_id = '{org}' \
                 AND shard = (SELECT MIN(shard) FROM participation_versions WHERE org_id = '{org}')"
            )],
        ]
        .concat(),
    )
    .await;
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 2, 4));
    sql(
        app,
        vec![format!(
            "UPDATE participation_versions SET version = version + 1 WHERE org_id = '{org}'"
        )],
    )
    .await;
    assert_eq!(participation(&report(app, &manager, PIPELINE).await), (active + 2, 5));
}

async fn the_stuck_count_follows_the_clock_from_the_count_kept(app: &TestApp) {
    let (manager, _lead, idea) = setup(app).await;
    let stuck = |r: &Value| r["stuck"]["ideas"].as_i64().unwrap();
    let set_days = |days: i64| async move {
        let org = app
            .get("/api/v1/organization", &app.admin.token)
            .await
            .expect(200)
            .clone();
        app.patch(
            "/api/v1/organization",
            &app.admin.token,
            json!({"version": org["version"], "stuck_stage_days": days}),
        )
        .await
        .expect(200);
    };
    // The idea waits 10 days; the limit is 30.
    sql(
        app,
        vec![format!(
            "UPDATE ideas SET stage_entered_at = '{}' WHERE id = '{idea}'",
            days_ago(10)
        )],
    )
    .await;
    assert_eq!(stuck(&report(app, &manager, PIPELINE).await), 0);
    // A shorter limit is a later point in time: counted from the count kept.
    set_days(5).await;
    let r = report(app, &manager, PIPELINE).await;
    assert_eq!(stuck(&r), 1);
    assert_eq!(r["stuck"]["longest"][0]["id"], idea.as_str());
    // Proof that the count kept is what grows: an idea moved back 100 days with the
    // counter move undone is outside the range added, so not counted ...
    let other = id_of(
        &submit(
            app,
            &manager,
            idea_body(&app.create_unit("Bauamt", None).await, "Bauanträge digital"),
        )
        .await,
    );
    assert_eq!(stuck(&report(app, &manager, PIPELINE).await), 1);
    sql(
        app,
        vec![
            format!(
                "UPDATE ideas SET stage_entered_at = '{}' WHERE id = '{other}'",
                days_ago(100)
            ),
            undo_ideas_move(app),
        ],
    )
    .await;
    set_days(4).await;
    assert_eq!(stuck(&report(app, &manager, PIPELINE).await), 1, "kept count and range");
    // ... and a longer limit (an earlier time) counts afresh: both.
    set_days(30).await;
    assert_eq!(
        stuck(&report(app, &manager, PIPELINE).await),
        1,
        "only the 100-day idea waits over 30"
    );
    set_days(5).await;
    assert_eq!(stuck(&report(app, &manager, PIPELINE).await), 2);
}

/// New ideas and new dimension links move the counter from the code on SQLite (migration
/// 000027) and by trigger on PostgreSQL: either way the next report shows them.
async fn new_ideas_and_new_dimension_links_show_in_the_next_report(app: &TestApp) {
    let unit = app.create_unit("Standesamt", None).await;
    let mut people = Vec::new();
    for _ in 0..6 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let manager = app.user("manager", None).await;
    round(app, &people, 6, scores_of(0)).await;
    // Between the two rounds, an idea without dimensions.
    let idea = id_of(&submit(app, &people[0], idea_body(&unit, "Urkunden per Post")).await);
    round(app, &people, 6, scores_of(0)).await;

    let progress = report(app, &manager, PROGRESS).await;
    assert_eq!(leadership_flow(&progress), json!({}));
    let pipeline = report(app, &manager, PIPELINE).await;
    assert_eq!(stage(&pipeline, "submitted"), 1);
    // Read again: from the kept figures.
    assert_eq!(report(app, &manager, PROGRESS).await, progress);
    assert_eq!(report(app, &manager, PIPELINE).await, pipeline);

    // The author links the idea to a dimension: no link is deleted and the idea's stage
    // stays, so only the new link can move the counter.
    app.patch(
        &format!("/api/v1/ideas/{idea}"),
        &people[0].token,
        json!({"version": 1, "dimensions": ["leadership"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        leadership_flow(&report(app, &manager, PROGRESS).await),
        json!({"submitted": 1})
    );

    // A new idea (through the batch writer) shows in the pipeline.
    submit(app, &people[1], idea_body(&unit, "Termine online")).await;
    assert_eq!(stage(&report(app, &manager, PIPELINE).await, "submitted"), 2);
}
