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
);

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
            "UPDATE report_versions SET ideas_version = ideas_version - 1".to_owned(),
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
