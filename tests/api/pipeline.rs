//! The pipeline report: stage counts, monthly flow, time in stage, stuck ideas,
//! acceptance and participation.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Double, Text};
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(time_in_each_stage_is_recorded_and_rebuilt_by_the_migration);

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Span {
    #[diesel(sql_type = Text)]
    stage: String,
    #[diesel(sql_type = BigInt)]
    cycle: i64,
    #[diesel(sql_type = Double)]
    seconds: f64,
}

async fn spans(app: &TestApp, idea: &str) -> Vec<Span> {
    let pool = app.pool.clone();
    let idea = idea.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query("SELECT stage, cycle, seconds FROM idea_stage_spans WHERE idea_id = $1 ORDER BY entered_at")
            .bind::<Text, _>(idea)
            .load::<Span>(&mut conn)
            .unwrap()
    })
    .await
    .unwrap()
}

async fn time_in_each_stage_is_recorded_and_rebuilt_by_the_migration(app: &TestApp) {
    let unit = app.create_unit("Bauamt", None).await;
    let author = app.user("employee", Some(&unit)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Bauanträge digital")).await);
    step(app, &lead, &idea, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    step(
        app,
        &lead,
        &idea,
        json!({"action": "abandon", "version": 2, "reason": "Budget fehlt"}),
    )
    .await
    .expect(200);
    let recorded = spans(app, &idea).await;
    assert_eq!(
        recorded.iter().map(|s| s.stage.as_str()).collect::<Vec<_>>(),
        vec!["submitted", "plan"]
    );
    assert!(recorded[1].seconds >= 0.02, "{recorded:?}");
    assert!(recorded.iter().all(|s| s.cycle == 1));

    // Undo the reports migration and apply it again: the spans rebuilt from the history
    // equal those recorded live (to the millisecond: SQLite's date functions round there).
    let pool = app.pool.clone();
    let reverted = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        // Newer migrations are undone first (each with its down.sql), then redone.
        let mut reverted = Vec::new();
        while reverted.last().is_none_or(|name| name != "20261126000004") {
            reverted.push(kaizen::db::revert_last_migration(&mut conn).unwrap());
        }
        kaizen::db::run_migrations(&mut conn).unwrap();
        reverted
    })
    .await
    .unwrap();
    assert_eq!(reverted.last().map(String::as_str), Some("20261126000004"));
    let rebuilt = spans(app, &idea).await;
    assert_eq!(rebuilt.len(), recorded.len());
    for (a, b) in rebuilt.iter().zip(&recorded) {
        assert_eq!((a.stage.as_str(), a.cycle), (b.stage.as_str(), b.cycle));
        assert!((a.seconds - b.seconds).abs() < 1.5e-3, "{a:?} vs {b:?}");
    }
}
