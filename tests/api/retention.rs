//! Retention (issue 16): the participation records of a closed round — who answered,
//! never what — are deleted by the scheduler's housekeeping once the retention period
//! has passed; open rounds and younger closed rounds keep theirs, the results stay as
//! they were, and afterwards not even a person's own export can say they took part.

use serde_json::Value;

use crate::assessment_support::{builtin_id, close, items, open_round, submit, uniform_answers};
use crate::helpers::TestApp;

crate::both_backends!(participation_of_closed_rounds_is_deleted_after_the_retention_period);

async fn participation_rows(app: &TestApp, round: &str) -> i64 {
    let pool = app.pool.clone();
    let round = round.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use kaizen::db::schema::assessment_participation;
        let mut conn = pool.get().unwrap();
        assessment_participation::table
            .filter(assessment_participation::round_id.eq(round))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap()
    })
    .await
    .unwrap()
}

async fn housekeeping_at(app: &TestApp, days_later: i64, retention_days: i64) {
    housekeeping_with(app, days_later, retention_days, None).await;
}

async fn housekeeping_with(app: &TestApp, days_later: i64, retention_days: i64, erase_after: Option<i64>) {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let now = kaizen::db::now() + chrono::Duration::days(days_later);
        let retention = kaizen::scheduler::Retention {
            participation_days: retention_days,
            erase_deactivated_after_days: erase_after,
        };
        kaizen::scheduler::housekeeping(&mut conn, now, now, retention);
    })
    .await
    .unwrap();
}

async fn participation_of_closed_rounds_is_deleted_after_the_retention_period(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(app.user("employee", Some(&unit)).await);
    }
    let qid = builtin_id(app, &app.admin.token).await;
    let list = items(app, &qid).await;
    let closed = open_round(app, None).await;
    let open = open_round(app, Some(&unit)).await;
    for who in &people {
        assert_eq!(submit(app, &closed, who, uniform_answers(&list, |_| 4)).await, 201);
    }
    assert_eq!(submit(app, &open, &people[0], uniform_answers(&list, |_| 3)).await, 201);
    close(app, &closed).await;
    let results_before: Value = app
        .get(&format!("/api/v1/assessments/{closed}/results"), &app.admin.token)
        .await
        .expect(200)
        .clone();

    // Within the period nothing is deleted; the person still sees that they took part.
    housekeeping_at(app, 29, 30).await;
    assert_eq!(participation_rows(app, &closed).await, 5);
    let mine = app.get("/api/v1/me/export", &people[0].token).await.expect(200).clone();
    assert_eq!(mine["survey_participation"].as_array().unwrap().len(), 2);

    // After it: the closed round's records are gone, the open round keeps its own.
    housekeeping_at(app, 31, 30).await;
    assert_eq!(participation_rows(app, &closed).await, 0);
    assert_eq!(participation_rows(app, &open).await, 1);
    let mine = app.get("/api/v1/me/export", &people[0].token).await.expect(200).clone();
    let rounds: Vec<&str> = mine["survey_participation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["round_id"].as_str().unwrap())
        .collect();
    assert_eq!(rounds, vec![open.as_str()]);
    // The results do not depend on who took part.
    let results_after: Value = app
        .get(&format!("/api/v1/assessments/{closed}/results"), &app.admin.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(results_after, results_before);
    // Running it again (another instance) deletes nothing more and fails nothing.
    housekeeping_at(app, 31, 30).await;
    assert_eq!(participation_rows(app, &open).await, 1);
}
