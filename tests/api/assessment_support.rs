//! Helpers for the self-assessment tests: rounds, answer sheets, direct database checks.

use chrono::{Duration, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

pub const DIMENSIONS: [&str; 7] = [
    "leadership",
    "error_culture",
    "experimentation",
    "knowledge_sharing",
    "competence",
    "motivation",
    "learning_impact",
];

/// Id of the built-in questionnaire as the given user sees it.
pub async fn builtin_id(app: &TestApp, token: &str) -> String {
    let r = app.get("/api/v1/questionnaires?key=lernkultur", token).await;
    r.expect(200)["items"][0]["id"].as_str().unwrap().to_owned()
}

pub fn in_seconds(s: i64) -> String {
    (Utc::now() + Duration::milliseconds(s * 1000)).to_rfc3339()
}

static ROUND: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A round of the built-in questionnaire that is open now and closes in a day; titles are
/// "Lernkultur 1", "Lernkultur 2", … (unique per organisation).
pub async fn open_round(app: &TestApp, scope: Option<&str>) -> String {
    let qid = builtin_id(app, &app.admin.token).await;
    let title = format!("Lernkultur {}", ROUND.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    let r = app
        .post(
            "/api/v1/assessments",
            &app.admin.token,
            json!({"questionnaire_id": qid, "title": title, "scope_unit_id": scope, "closes_at": in_seconds(86_400)}),
        )
        .await;
    let body = r.expect(201);
    assert_eq!(body["status"], "open");
    body["id"].as_str().unwrap().to_owned()
}

/// Item ids with their dimension and reverse flag, in questionnaire order.
pub async fn items(app: &TestApp, questionnaire_id: &str) -> Vec<(String, String, bool)> {
    let q = app
        .get(&format!("/api/v1/questionnaires/{questionnaire_id}"), &app.admin.token)
        .await;
    let mut out = Vec::new();
    for d in q.expect(200)["dimensions"].as_array().unwrap() {
        for i in d["items"].as_array().unwrap() {
            out.push((
                i["id"].as_str().unwrap().to_owned(),
                d["key"].as_str().unwrap().to_owned(),
                i["reverse"].as_bool().unwrap(),
            ));
        }
    }
    out
}

/// Answers that give each dimension exactly the score `score(dimension)` (reverse items
/// get 6 − score).
pub fn uniform_answers(items: &[(String, String, bool)], score: impl Fn(&str) -> i64) -> Value {
    let answers: Vec<Value> = items
        .iter()
        .map(|(id, dim, reverse)| {
            let s = score(dim);
            json!({"item_id": id, "value": if *reverse { 6 - s } else { s }})
        })
        .collect();
    json!({ "answers": answers })
}

pub async fn submit(app: &TestApp, round: &str, who: &Session, body: Value) -> u16 {
    let r = app
        .post(&format!("/api/v1/assessments/{round}/responses"), &who.token, body)
        .await;
    if r.status.as_u16() != 201 {
        r.expect(r.status.as_u16());
    }
    r.status.as_u16()
}

pub async fn close(app: &TestApp, round: &str) {
    app.post(
        &format!("/api/v1/assessments/{round}/close"),
        &app.admin.token,
        json!({}),
    )
    .await
    .expect(200);
}

/// Changes organisation settings as the admin.
pub async fn settings(app: &TestApp, changes: Value) {
    let org = app.get("/api/v1/organization", &app.admin.token).await;
    let mut body = changes;
    body["version"] = org.expect(200)["version"].clone();
    app.patch("/api/v1/organization", &app.admin.token, body)
        .await
        .expect(200);
}

#[derive(diesel::QueryableByName)]
struct Cell {
    #[diesel(sql_type = Text)]
    v: String,
}

/// Runs SQL with one text parameter straight on the test's database; the query must name
/// its single text column `v`.
pub async fn sql_strings(app: &TestApp, sql: &str, param: &str) -> Vec<String> {
    let pool = app.pool.clone();
    let (sql, param) = (sql.to_owned(), param.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(sql)
            .bind::<Text, _>(param)
            .load::<Cell>(&mut *conn)
            .unwrap()
            .into_iter()
            .map(|c| c.v)
            .collect()
    })
    .await
    .unwrap()
}

pub async fn count_rows(app: &TestApp, table: &str, round: &str) -> usize {
    sql_strings(
        app,
        &format!("SELECT CAST(round_id AS TEXT) AS v FROM {table} WHERE round_id = $1"),
        round,
    )
    .await
    .len()
}

pub fn is_postgres(app: &TestApp) -> bool {
    app.settings.database_url.starts_with("postgres")
}
