//! The cross-organisation check generated from the OpenAPI document (issue 16): every
//! operation with an id in its path is called by another organisation's admin once with
//! our ids and once with unknown ids, and so are the bodies and filters that carry ids —
//! the answers must be identical (status and problem, the id itself aside), so no
//! response tells another organisation that an id exists here.

use reqwest::Method;
use serde_json::{Value, json};

use crate::assessment_support::open_round;
use crate::helpers::{Session, TestApp};
use crate::ideas::{id_of, idea_body, submit};

// The webhook posts to 127.0.0.1, which the operator's switch permits.
crate::both_backends_configured!(crate::helpers::internal_webhooks; another_organisations_ids_answer_as_unknown_ids);

/// Status and problem of an answer, with the id it was asked about blanked out.
fn shape(status: u16, body: &Value, id: &str) -> String {
    let detail = body["detail"].as_str().unwrap_or("").replace(id, "<id>");
    let fields: Vec<String> = body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        f["field"],
                        f["message"].as_str().unwrap_or("").replace(id, "<id>")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!("{status} {} {detail} {fields:?}", body["type"].as_str().unwrap_or(""))
}

/// A body the operation accepts in shape, so that the check reaches the lookup.
fn body_for(method: &Method, path: &str) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    Some(match path {
        p if p.ends_with("/transitions") => json!({"action": "accept", "version": 1}),
        p if p.ends_with("/comments") => json!({"body": "Eine Frage"}),
        p if p.contains("/comments/") => json!({"body": "Eine Frage", "version": 1}),
        p if p.ends_with("/responses") => json!({"answers": []}),
        p if p.ends_with("/erase") => json!({"confirm_email": "someone@test.local"}),
        p if p.ends_with("/votes") => json!({}),
        p if p.ends_with("/rotate-secret") => json!({"grace_hours": 1}),
        _ if *method == Method::PATCH => json!({"version": 1}),
        _ => json!({}),
    })
}

async fn another_organisations_ids_answer_as_unknown_ids(app: &TestApp) {
    // Ours: one of everything that has an id.
    let unit = app.create_unit("Bürgeramt", None).await;
    let employee = app.user("employee", Some(&unit)).await;
    // A webhook (to a port nothing listens on), so the idea leaves a message in the outbox.
    let webhook = app
        .post(
            "/api/v1/webhooks",
            &app.admin.token,
            json!({"url": "http://127.0.0.1:9/hook", "event_types": ["idea.submitted"]}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let idea = id_of(&submit(app, &employee, idea_body(&unit, "Online-Termine")).await);
    let message = app
        .get("/api/v1/outbox?status=pending", &app.admin.token)
        .await
        .expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let comment = app
        .post(
            &format!("/api/v1/ideas/{idea}/comments"),
            &employee.token,
            json!({"body": "Gut"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let round = open_round(app, None).await;
    let questionnaire = app
        .post(
            "/api/v1/questionnaires",
            &app.admin.token,
            crate::questionnaires::custom("teamklima"),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unknown = "019aeb6e-0000-7000-8000-000000000000";
    let ours = |path: &str| -> (String, String) {
        // The id of the kind the path names (the first segment after /api/v1/).
        let kind = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or("");
        let id = match kind {
            "users" => employee.user_id.clone(),
            "units" => unit.clone(),
            "questionnaires" => questionnaire.clone(),
            "assessments" => round.clone(),
            "ideas" => idea.clone(),
            "webhooks" => webhook.clone(),
            "outbox" => message.clone(),
            other => panic!("no id of kind {other} for {path}"),
        };
        (kind.to_owned(), id)
    };
    let (_, theirs): (String, Session) = app.other_organization().await;

    // Every operation with an id in its path, from the document.
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.contains('{') {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (_, id) = ours(template);
            let with = |id: &str, comment_id: &str| template.replace("{id}", id).replace("{comment_id}", comment_id);
            let theirs_path = with(&id, &comment);
            let unknown_path = with(unknown, unknown);
            let a = app
                .send(m.clone(), &theirs_path, Some(&theirs.token), body_for(&m, template))
                .await;
            let b = app
                .send(m.clone(), &unknown_path, Some(&theirs.token), body_for(&m, template))
                .await;
            assert_eq!(
                shape(a.status.as_u16(), &a.body, &id).replace(&comment, "<id>"),
                shape(b.status.as_u16(), &b.body, unknown),
                "{method} {template}: another organisation's id answers differently from an unknown id"
            );
            assert!(a.status.as_u16() < 500, "{method} {template}: {}", a.text);
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} operations checked");

    // Bodies and filters that carry ids.
    let cases: Vec<(Method, String, Option<Value>, String)> = vec![
        (Method::GET, format!("/api/v1/ideas?unit={unit}"), None, unit.clone()),
        (
            Method::GET,
            format!("/api/v1/ideas?author={}", employee.user_id),
            None,
            employee.user_id.clone(),
        ),
        (Method::GET, format!("/api/v1/users?unit_id={unit}"), None, unit.clone()),
        (
            Method::GET,
            format!("/api/v1/reports/progress?unit={unit}"),
            None,
            unit.clone(),
        ),
        (
            Method::GET,
            format!("/api/v1/reports/pipeline?unit={unit}"),
            None,
            unit.clone(),
        ),
        (
            Method::POST,
            "/api/v1/ideas".into(),
            Some(idea_body(&unit, "Fremde Einheit")),
            unit.clone(),
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({"email": "x1@test.local", "display_name": "X", "role": "employee", "unit_id": unit})),
            unit.clone(),
        ),
        (
            Method::POST,
            "/api/v1/units".into(),
            Some(json!({"name": "Unter", "parent_id": unit})),
            unit.clone(),
        ),
        (
            Method::POST,
            "/api/v1/assessments".into(),
            Some(
                json!({"questionnaire_id": questionnaire, "title": "R", "closes_at": crate::assessment_support::in_seconds(86_400)}),
            ),
            questionnaire.clone(),
        ),
    ];
    for (m, path, body, id) in cases {
        let swap = |v: &Value| serde_json::from_str::<Value>(&v.to_string().replace(&id, unknown)).unwrap();
        let a = app.send(m.clone(), &path, Some(&theirs.token), body.clone()).await;
        let b = app
            .send(
                m.clone(),
                &path.replace(&id, unknown),
                Some(&theirs.token),
                body.as_ref().map(swap),
            )
            .await;
        let (sa, sb) = (
            shape(a.status.as_u16(), &a.body, &id),
            shape(b.status.as_u16(), &b.body, unknown),
        );
        // A list answers with its items: both must be empty.
        if a.status.as_u16() == 200 {
            assert_eq!(a.body["items"], json!([]), "{m} {path}: {}", a.text);
            assert_eq!(b.body["items"], json!([]), "{m} {path}: {}", b.text);
        }
        assert_eq!(
            sa, sb,
            "{m} {path}: another organisation's id answers differently from an unknown id"
        );
    }
}
