//! Logs never carry answers: the real binary at the most verbose log level, one response.

use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::{sigterm, start, wait_exit};

const PASSWORD: &str = "ein-sicheres-passwort";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, log, lines) = start(
        dir.path(),
        &[
            ("RUST_LOG", "trace"),
            ("KAIZEN_ADMIN_PASSWORD", PASSWORD),
            ("KAIZEN_LOG_FORMAT", "json"),
        ],
    );
    let port: u16 = log
        .lines()
        .find(|l| l.contains("listening") && l.contains("port"))
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| v["port"].as_u64())
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or_else(|| panic!("no port in {log}"));
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::new();
    let login_as = |email: &'static str, password: &'static str| {
        let http = http.clone();
        let base = base.clone();
        async move {
            http.post(format!("{base}/auth/login"))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let admin = login_as("admin@kaizen.local", PASSWORD).await;
    let admin_token = admin["access_token"].as_str().unwrap().to_owned();
    // The respondent is an employee the admin creates.
    let created = http
        .post(format!("{base}/users"))
        .bearer_auth(&admin_token)
        .json(&json!({"email": "mia@kaizen.local", "display_name": "Mia", "role": "employee", "password": "mias-passwort-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let login = login_as("mia@kaizen.local", "mias-passwort-123").await;
    let token = login["access_token"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let (http, token) = (http.clone(), token.clone());
        async move {
            http.get(path)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let me = get(format!("{base}/me")).await;
    let user_id = me["id"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let questionnaires = get(format!("{base}/questionnaires")).await;
    let qid = questionnaires["items"][0]["id"].as_str().unwrap().to_owned();
    let round: Value = http
        .post(format!("{base}/assessments"))
        .bearer_auth(&admin_token)
        .json(&json!({"questionnaire_id": qid, "title": "Protokoll", "closes_at": "2099-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let round = round["id"].as_str().unwrap().to_owned();
    let sheet = get(format!("{base}/assessments/{round}/questionnaire")).await;
    let answers: Vec<Value> = sheet["items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, i)| json!({"item_id": i["id"], "value": if n % 3 == 0 { json!("cant_judge") } else { json!(n % 5 + 1) }}))
        .collect();
    let first_item = sheet["items"][0]["id"].as_str().unwrap().to_owned();
    let submitted = http
        .post(format!("{base}/assessments/{round}/responses"))
        .bearer_auth(&token)
        .json(&json!({ "answers": answers }))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 201);
    // A rejected one too: errors must not echo answers into the log either.
    let rejected = http
        .post(format!("{base}/assessments/{round}/responses"))
        .bearer_auth(&token)
        .json(&json!({ "answers": [{"item_id": first_item, "value": 9}] }))
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 409);

    tokio::time::sleep(Duration::from_millis(300)).await;
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops");
    let mut all = log;
    while let Ok(line) = lines.try_recv() {
        all.push_str(&line);
        all.push('\n');
    }
    assert!(all.contains("/responses"), "the request itself is logged: {all}");
    for secret in ["cant_judge", first_item.as_str(), "\"answers\"", "\"value\""] {
        assert!(!all.contains(secret), "{secret:?} appears in the log");
    }
    // Nor anything that names the person: a login line with the account beside the
    // submission would tie the two together by time. (Creating the account is an
    // administrative act, logged with it.)
    for who in [user_id.as_str(), token.as_str(), refresh.as_str()] {
        let line = all.lines().find(|l| l.contains(who) && !l.contains("user created"));
        assert!(line.is_none(), "the log names the respondent: {line:?}");
    }
    assert!(all.contains("login"), "logins are still logged, without the account");
}
