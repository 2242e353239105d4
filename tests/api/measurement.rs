//! The measurement survives a thin round and says when a round is too thin to judge by.

use futures_util::future::join_all;
use serde_json::Value;

use crate::assessment_support::*;
use crate::both_backends;
use crate::helpers::{Session, TestApp};

both_backends!(
    a_thin_round_is_shown_but_does_not_erase_what_is_known,
    a_low_response_rate_carries_no_verdict,
);

/// Opens a round, lets `who` answer with `score(person index)` for every dimension, closes it.
async fn round_answered_by(app: &TestApp, who: &[Session], score: impl Fn(usize) -> i64) -> String {
    let qid = builtin_id(app, &app.admin.token).await;
    let items = items(app, &qid).await;
    let round = open_round(app, None).await;
    for (i, p) in who.iter().enumerate() {
        let s = score(i);
        submit(app, &round, p, uniform_answers(&items, |_| s)).await;
    }
    close(app, &round).await;
    round
}

async fn a_thin_round_is_shown_but_does_not_erase_what_is_known(app: &TestApp) {
    let manager = app.user("manager", None).await;
    let people: Vec<Session> = join_all((0..6).map(|_| app.user("employee", None))).await;
    let first = round_answered_by(app, &people, |i| 2 + (i % 2) as i64).await;
    let second = round_answered_by(app, &people, |i| 3 + (i % 2) as i64).await;
    let thin = round_answered_by(app, &people[..1], |_| 5).await;

    // The round itself says it had one response.
    let r = app
        .get(&format!("/api/v1/assessments/{thin}/results"), &manager.token)
        .await;
    let r = r.expect(200);
    assert_eq!(r["responses"], 1);
    assert_eq!(r["suppressed"]["reason"], "below_min_group_size");

    // Weakness and scores come from the latest round that can be reported.
    let d = app.get("/api/v1/dimensions?lang=en", &manager.token).await;
    let d = d.expect(200);
    assert_eq!(d["latest_round"]["id"], second.as_str());
    assert_eq!(d["previous_round"]["id"], first.as_str());
    assert_eq!(d["latest_round"]["responses"], 6);
    let not_reported = d["not_reported"].as_array().unwrap();
    assert_eq!(not_reported.len(), 1);
    assert_eq!(not_reported[0]["id"], thin.as_str());
    assert_eq!(not_reported[0]["responses"], 1);
    for item in d["items"].as_array().unwrap() {
        assert!(item["score"].is_number(), "{item}");
        assert!(item["trend"]["change"].is_number(), "{item}");
    }
    assert!(d["items"].as_array().unwrap().iter().any(|i| i["weak"] == true));

    // The progress report lists the thin round with its count and why it shows nothing,
    // and compares the rounds that can be reported.
    let p = app.get("/api/v1/reports/progress?lang=de", &manager.token).await;
    let p = p.expect(200);
    let rounds = p["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 3);
    let last = &rounds[2];
    assert_eq!(last["id"], thin.as_str());
    assert_eq!(last["responses"], 1, "the total count is always shown");
    assert_eq!(last["reportable"], false);
    assert_eq!(last["suppressed"]["reason"], "below_min_group_size");
    assert!(
        last["suppressed"]["message"]
            .as_str()
            .unwrap()
            .contains("nicht ausgewiesen")
    );
    assert_eq!(rounds[1]["reportable"], true);
    let comparisons = p["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 1);
    let c = &comparisons[0];
    assert_eq!(c["kind"], "previous_vs_latest");
    assert_eq!(c["baseline_round_id"], first.as_str());
    assert_eq!(c["compare_round_id"], second.as_str());
    for dim in c["dimensions"].as_array().unwrap() {
        assert!(dim["not_compared"].is_null(), "{dim}");
        assert_eq!(dim["verdict"]["key"], "improved", "{dim}");
    }
    // Chosen explicitly, the thin round is compared and says why it cannot be.
    let chosen = app
        .get(
            &format!("/api/v1/reports/progress?baseline={second}&compare={thin}"),
            &manager.token,
        )
        .await;
    let chosen = chosen.expect(200);
    assert!(
        chosen["comparisons"][0]["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["not_compared"] == "suppressed")
    );
}

async fn a_low_response_rate_carries_no_verdict(app: &TestApp) {
    let manager = app.user("manager", None).await;
    let people: Vec<Session> = join_all((0..20).map(|_| app.user("employee", None))).await;
    let many = round_answered_by(app, &people[..16], |i| 2 + (i % 2) as i64).await;
    let few = round_answered_by(app, &people[..5], |i| 4 + (i % 2) as i64).await;
    let p = app.get("/api/v1/reports/progress?lang=en", &manager.token).await;
    let p = p.expect(200);
    let rate = |r: &Value| r["response_rate"].as_f64().unwrap();
    let rounds = p["rounds"].as_array().unwrap();
    // 22 eligible (the admin, the manager, 20 employees).
    assert!((rate(&rounds[0]) - 16.0 / 22.0).abs() < 1e-9);
    assert!((rate(&rounds[1]) - 5.0 / 22.0).abs() < 1e-9);
    assert_eq!(rounds[1]["assessable"], false);
    assert_eq!(rounds[1]["reportable"], true, "five responses are enough to show");
    let c = &p["comparisons"][0];
    assert_eq!(
        (c["baseline_round_id"].as_str(), c["compare_round_id"].as_str()),
        (Some(many.as_str()), Some(few.as_str()))
    );
    assert_eq!(c["assessable"], false);
    assert!((c["compare_response_rate"].as_f64().unwrap() - 5.0 / 22.0).abs() < 1e-9);
    assert_eq!(c["compare_responses"], 5);
    for dim in c["dimensions"].as_array().unwrap() {
        assert!(dim["difference"].as_f64().unwrap() > 1.0, "the figures stay: {dim}");
        assert!(dim["verdict"].is_null(), "{dim}");
        assert!(dim["verdict_withheld"].as_str().unwrap().contains("30 %"), "{dim}");
    }
    assert!(p["verdict_rule"].as_str().unwrap().contains("30 %"));
    // The overview says the same of its trend.
    let d = app.get("/api/v1/dimensions", &manager.token).await;
    let d = d.expect(200);
    assert_eq!(d["latest_round"]["assessable"], false);
    assert_eq!(d["previous_round"]["assessable"], true);
    for item in d["items"].as_array().unwrap() {
        assert_eq!(item["trend"]["assessable"], false, "{item}");
    }
    // German CSV of the comparison shows it too (no verdict cell).
    let csv = app
        .get("/api/v1/reports/progress?format=csv&lang=en", &manager.token)
        .await;
    assert_eq!(csv.status.as_u16(), 200);
    assert!(!csv.text.contains("improved"), "{}", csv.text);
}
