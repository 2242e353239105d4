//! The pipeline report: stage counts, monthly flow, time in stage, stuck ideas,
//! acceptance and participation.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Double, Text};
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, step, submit};

both_backends!(
    dimension_links_follow_their_idea,
    time_in_each_stage_is_recorded_and_rebuilt_by_the_migration,
    pipeline_counts_flow_times_stuck_ideas_and_participation,
);

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

    // Undo migrations down to the one that made the table and apply them again: the spans
    // rebuilt from the history equal those recorded live (to the millisecond: SQLite's
    // date functions round there).
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

async fn sql(app: &TestApp, statement: String) {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    })
    .await
    .unwrap();
}

fn count_of(list: &serde_json::Value, key: &str, value: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .map(|x| x["ideas"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("{value} missing"))
}

async fn pipeline_counts_flow_times_stuck_ideas_and_participation(app: &TestApp) {
    let a = app.create_unit("Bürgeramt", None).await;
    let a1 = app.create_unit("Meldestelle", Some(&a)).await;
    let b = app.create_unit("IT", None).await;
    let lead = app.user("lead", Some(&a)).await;
    let manager = app.user("manager", None).await;
    let e1 = app.user("employee", Some(&a1)).await;
    let e2 = app.user("employee", Some(&a1)).await;
    let e3 = app.user("employee", Some(&b)).await;
    let voter = app.user("employee", Some(&b)).await;

    let done = id_of(&submit(app, &e1, idea_body(&a1, "Online-Termine")).await);
    let steps = [
        json!({"action": "accept", "version": 1, "owner_id": e2.user_id}),
        json!({"action": "start", "version": 2, "problem": "Warteschlangen", "goal": "Kurze Wartezeit", "kpi_name": "Minuten",
               "kpi_baseline": 40.0, "kpi_target": 20.0, "lower_is_better": true, "due_date": crate::helpers::days_ahead(118), "prediction": "halbiert"}),
        json!({"action": "check", "version": 3, "do_summary": "Acht Wochen Pilot.", "ran_as_planned": true}),
        json!({"action": "act", "version": 4, "measured_value": 19.0}),
        json!({"action": "adopt", "version": 5, "new_standard": "Termine online für alle Anliegen."}),
    ];
    for (n, body) in steps.into_iter().enumerate() {
        let who = if n == 2 || n == 3 { &e2 } else { &lead };
        step(app, who, &done, body).await.expect(200);
    }
    let rejected = id_of(&submit(app, &e2, idea_body(&a1, "Faxgerät behalten")).await);
    step(
        app,
        &lead,
        &rejected,
        json!({"action": "reject", "version": 1, "reason": "Nicht mehr zeitgemäß"}),
    )
    .await
    .expect(200);
    let planned = id_of(&submit(app, &e3, idea_body(&b, "Passwort-Manager")).await);
    step(app, &manager, &planned, json!({"action": "accept", "version": 1}))
        .await
        .expect(200);
    let dup = id_of(&submit(app, &e3, idea_body(&b, "Passwort-Tresor")).await);
    step(
        app,
        &manager,
        &dup,
        json!({"action": "mark_duplicate", "version": 1, "duplicate_of": planned, "reason": "Gleiche Idee"}),
    )
    .await
    .expect(200);
    let withdrawn = id_of(&submit(app, &e1, idea_body(&a, "Kaffeeküche")).await);
    step(app, &e1, &withdrawn, json!({"action": "withdraw", "version": 1}))
        .await
        .expect(200);
    let waiting = id_of(&submit(app, &e2, idea_body(&a1, "Wartemarken-Automat")).await);
    app.put(&format!("/api/v1/ideas/{done}/votes"), &voter.token, json!({}))
        .await
        .expect(200);

    // Waiting 40 days in `submitted`; and known durations for the five finished reviews.
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(40))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f");
    sql(
        app,
        format!("UPDATE ideas SET stage_entered_at = '{long_ago}' WHERE id = '{waiting}'"),
    )
    .await;
    for (idea, days) in [
        (&done, 1.0),
        (&rejected, 2.0),
        (&planned, 4.0),
        (&dup, 7.0),
        (&withdrawn, 11.0),
    ] {
        let seconds = days * 86_400.0;
        sql(
            app,
            format!("UPDATE idea_stage_spans SET seconds = {seconds} WHERE idea_id = '{idea}' AND stage = 'submitted'"),
        )
        .await;
    }

    let r = app.get("/api/v1/reports/pipeline", &manager.token).await;
    let report = r.expect(200).clone();
    let stages = &report["stages"];
    assert_eq!(stages.as_array().unwrap().len(), 9);
    for (status, n) in [
        ("submitted", 1),
        ("plan", 1),
        ("do", 0),
        ("done", 1),
        ("rejected", 2),
        ("withdrawn", 1),
        ("abandoned", 0),
    ] {
        assert_eq!(count_of(stages, "status", status), n, "{status}");
    }
    let units = report["by_unit"].as_array().unwrap();
    let unit = |id: &str| units.iter().find(|u| u["unit_id"] == id).unwrap().clone();
    assert_eq!(
        unit(&a1)["by_status"],
        json!({"done": 1, "rejected": 1, "submitted": 1})
    );
    assert_eq!(unit(&a1)["total"], 3);
    assert_eq!(unit(&a1)["unit_name"], "Meldestelle");
    assert_eq!(unit(&b)["by_status"], json!({"plan": 1, "rejected": 1}));
    assert_eq!(unit(&a)["by_status"], json!({"withdrawn": 1}));

    let months = report["monthly"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let this_month = months.last().unwrap();
    assert_eq!(this_month["month"], chrono::Utc::now().format("%Y-%m").to_string());
    assert_eq!(
        (this_month["submitted"].as_i64(), this_month["adopted"].as_i64()),
        (Some(6), Some(1))
    );

    // numpy.quantile([1, 2, 4, 7, 11], [0.5, 0.9]) = [4.0, 9.4]
    let review = report["stage_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stage"] == "submitted")
        .unwrap()
        .clone();
    assert_eq!(review["completed"], 5);
    assert!((review["median_days"].as_f64().unwrap() - 4.0).abs() < 1e-9, "{review}");
    assert!((review["p90_days"].as_f64().unwrap() - 9.4).abs() < 1e-9, "{review}");
    let doing = report["stage_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stage"] == "do")
        .unwrap()
        .clone();
    assert_eq!(doing["completed"], 1);
    assert!(doing["median_days"].as_f64().unwrap() >= 0.0);

    assert_eq!(report["stuck"]["limit_days"], 30);
    assert_eq!(report["stuck"]["ideas"], 1);
    assert_eq!(report["stuck"]["longest"][0]["id"], waiting.as_str());
    assert_eq!(report["stuck"]["longest"][0]["days_in_stage"], 40);

    assert_eq!(report["acceptance"], json!({"accepted": 2, "rejected": 2, "rate": 0.5}));
    // Active: admin, lead, manager and four employees; taking part: the three authors and the voter.
    assert_eq!(report["participation"]["active_users"], 7);
    assert_eq!(report["participation"]["participants"], 4);

    // A lead sees the own unit with its sub-unit only.
    let mine = app.get("/api/v1/reports/pipeline", &lead.token).await;
    let mine = mine.expect(200);
    assert_eq!(mine["scope"]["unit_id"], a.as_str());
    assert_eq!(count_of(&mine["stages"], "status", "rejected"), 1);
    assert_eq!(count_of(&mine["stages"], "status", "plan"), 0);
    assert_eq!(mine["by_unit"].as_array().unwrap().len(), 2);
    assert_eq!(mine["acceptance"], json!({"accepted": 1, "rejected": 1, "rate": 0.5}));
    assert_eq!(mine["participation"]["active_users"], 3);
    assert_eq!(mine["participation"]["participants"], 2);
    let it = app
        .get(&format!("/api/v1/reports/pipeline?unit={b}"), &manager.token)
        .await;
    assert_eq!(count_of(&it.expect(200)["stages"], "status", "plan"), 1);

    app.get("/api/v1/reports/pipeline?months=0", &manager.token)
        .await
        .expect(422);
    app.get("/api/v1/reports/pipeline?months=61", &manager.token)
        .await
        .expect(422);
    app.get("/api/v1/reports/pipeline?table=everything&format=csv", &manager.token)
        .await
        .expect(400);

    // Every CSV table is well-formed.
    for (table, rows) in [("units", 3), ("stages", 9), ("months", 12), ("stuck", 1)] {
        let r = app
            .get(
                &format!("/api/v1/reports/pipeline?format=csv&table={table}"),
                &manager.token,
            )
            .await;
        assert_eq!(r.status, 200, "{table}");
        let mut reader = csv::Reader::from_reader(r.text.trim_start_matches('\u{feff}').as_bytes());
        let width = reader.headers().unwrap().len();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows, "{table}");
        assert!(records.iter().all(|rec| rec.len() == width), "{table}");
    }
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Link {
    #[diesel(sql_type = Text)]
    dimension_key: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    unit_id: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    adopted: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    adopted_hours_saved: Option<f64>,
}

async fn links(app: &TestApp, idea: &str) -> Vec<Link> {
    let pool = app.pool.clone();
    let idea = idea.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(
            "SELECT dimension_key, status, unit_id, adopted_at IS NOT NULL AS adopted, adopted_hours_saved \
             FROM idea_dimensions WHERE idea_id = $1 ORDER BY dimension_key",
        )
        .bind::<Text, _>(idea)
        .load::<Link>(&mut conn)
        .unwrap()
    })
    .await
    .unwrap()
}

/// The reports count ideas from their dimension links, which carry the idea's status,
/// unit and adoption: they must follow every change.
async fn dimension_links_follow_their_idea(app: &TestApp) {
    let a = app.create_unit("Bürgeramt", None).await;
    let b = app.create_unit("Bauamt", None).await;
    let author = app.user("employee", Some(&a)).await;
    let owner = app.user("employee", Some(&b)).await;
    let lead = app.user("manager", None).await;
    let mut body = idea_body(&a, "Termine online");
    body["dimensions"] = json!(["leadership", "competence"]);
    let idea = id_of(&submit(app, &author, body).await);
    let l = links(app, &idea).await;
    assert_eq!(l.len(), 2);
    assert!(
        l.iter()
            .all(|l| l.status == "submitted" && l.unit_id == a && !l.adopted)
    );

    // The author moves it to another unit and changes a dimension.
    app.patch(
        &format!("/api/v1/ideas/{idea}"),
        &author.token,
        json!({"version": 1, "unit_id": b, "dimensions": ["leadership", "motivation"]}),
    )
    .await
    .expect(200);
    let l = links(app, &idea).await;
    assert_eq!(
        l.iter().map(|l| l.dimension_key.as_str()).collect::<Vec<_>>(),
        vec!["leadership", "motivation"]
    );
    assert!(l.iter().all(|l| l.status == "submitted" && l.unit_id == b));

    let steps = [
        json!({"action": "accept", "version": 2, "owner_id": owner.user_id}),
        json!({"action": "start", "version": 3, "problem": "Wege", "goal": "Kürzer", "kpi_name": "Minuten",
               "kpi_baseline": 40.0, "kpi_target": 20.0, "lower_is_better": true, "due_date": crate::helpers::days_ahead(118), "prediction": "halbiert"}),
        json!({"action": "check", "version": 4, "do_summary": "Lief.", "ran_as_planned": true}),
        json!({"action": "act", "version": 5, "measured_value": 15.0, "measured_hours_saved_per_year": 80.0}),
    ];
    for (n, body) in steps.into_iter().enumerate() {
        let who = if n == 2 || n == 3 { &owner } else { &lead };
        step(app, who, &idea, body).await.expect(200);
        let status = ["plan", "do", "check", "act"][n];
        assert!(
            links(app, &idea).await.iter().all(|l| l.status == status && !l.adopted),
            "after {status}"
        );
    }
    step(
        app,
        &lead,
        &idea,
        json!({"action": "adopt", "version": 6, "new_standard": "Immer online."}),
    )
    .await
    .expect(200);
    let l = links(app, &idea).await;
    assert!(
        l.iter()
            .all(|l| l.status == "done" && l.adopted && l.adopted_hours_saved == Some(80.0)),
        "{l:?}"
    );
}
