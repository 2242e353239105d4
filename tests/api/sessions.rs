//! Ending a session ends it: its access token stops at once, and a refresh racing the end
//! never outlives it (the race was real on PostgreSQL).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{PASSWORD, Session, TestApp};

both_backends!(
    ending_a_session_ends_its_access_token_at_once,
    a_refreshing_thief_loses_to_a_password_change,
    a_refreshing_thief_loses_to_an_admin_reset,
    a_refreshing_thief_loses_to_reuse_detection,
);

async fn refresh(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": token})),
        )
        .await;
    (r.status.as_u16(), r.body)
}

async fn logout(app: &TestApp, token: &str) {
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refresh_token": token})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 204);
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", token).await.status.as_u16()
}

async fn ending_a_session_ends_its_access_token_at_once(app: &TestApp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let user = app.user("employee", Some(&unit)).await;
    let email = user.email.clone();
    let second = app.login_ok(&email, PASSWORD).await;
    let idea = crate::ideas::idea_body(&unit, "Nach dem Abmelden");
    app.post("/api/v1/ideas", &second.token, idea.clone()).await.expect(201);

    // Logout ends that session only.
    logout(app, &user.refresh_token).await;
    let r = app.get("/api/v1/me", &user.token).await;
    r.expect(401);
    assert!(r.body["detail"].as_str().unwrap().contains("session has ended"));
    assert_eq!(me(app, &second.token).await, 200);
    // Writing with the ended session's token is refused too (the idea path checks its
    // accounts in batches).
    app.post("/api/v1/ideas", &user.token, idea.clone()).await.expect(401);

    // A refresh token presented twice ends its session, with the access token issued by
    // the rotation.
    let (status, rotated) = refresh(app, &second.refresh_token).await;
    assert_eq!(status, 200);
    let rotated_access = rotated["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(app, &rotated_access).await, 200);
    assert_eq!(refresh(app, &second.refresh_token).await.0, 401);
    assert_eq!(me(app, &rotated_access).await, 401);
    assert_eq!(refresh(app, rotated["refresh_token"].as_str().unwrap()).await.0, 401);

    // An admin's reset ends every session of the account.
    let third = app.login_ok(&email, PASSWORD).await;
    let r = app
        .post(
            &format!("/api/v1/users/{}/password-reset", user.user_id),
            &app.admin.token,
            json!({}),
        )
        .await;
    let generated = r.expect(200)["initial_password"].as_str().unwrap().to_owned();
    assert_eq!(me(app, &third.token).await, 401);
    app.post("/api/v1/ideas", &third.token, idea.clone()).await.expect(401);

    // The owner's password change ends every session, the one it was made from included.
    let fourth = app.login_ok(&email, &generated).await;
    let fifth = app.login_ok(&email, &generated).await;
    let r = app
        .put(
            "/api/v1/me/password",
            &fourth.token,
            json!({"current_password": generated, "new_password": "ein-neues-passwort-1"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(me(app, &fourth.token).await, 401);
    assert_eq!(me(app, &fifth.token).await, 401);
    assert_eq!(refresh(app, &fifth.refresh_token).await.0, 401);

    // Deactivation, as before.
    let sixth = app.login_ok(&email, "ein-neues-passwort-1").await;
    app.deactivate(&user.user_id).await;
    assert_eq!(me(app, &sixth.token).await, 401);
    assert_eq!(refresh(app, &sixth.refresh_token).await.0, 401);
}

/// What a thief who keeps refreshing a stolen session saw.
struct Loot {
    /// When each refresh started, and whether it worked.
    attempts: Vec<(Instant, bool)>,
    access_token: String,
    refresh_token: String,
}

/// Refreshes as fast as it can until a refresh fails (or 20 s pass).
async fn keep_refreshing(app: &TestApp, stolen: Session, done: Arc<AtomicUsize>) -> Loot {
    let mut loot = Loot {
        attempts: Vec::new(),
        access_token: stolen.token,
        refresh_token: stolen.refresh_token,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let started = Instant::now();
        let (status, body) = refresh(app, &loot.refresh_token).await;
        let ok = status == 200;
        loot.attempts.push((started, ok));
        if !ok {
            assert_eq!(status, 401, "{body}");
            break;
        }
        loot.access_token = body["access_token"].as_str().unwrap().to_owned();
        loot.refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
        done.fetch_add(1, Ordering::SeqCst);
    }
    loot
}

/// Races a refreshing thief against `end` (which ends the stolen session and returns when
/// that is done), `tries` times: no refresh that started after the end may succeed, and
/// the last tokens the thief got are dead.
async fn race<F, Fut>(app: &TestApp, tries: usize, mut setup_and_end: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = (Session, EndFn)>,
{
    for attempt in 0..tries {
        let (stolen, end) = setup_and_end(attempt).await;
        let first_refresh = stolen.refresh_token.clone();
        let done = Arc::new(AtomicUsize::new(0));
        let thief = keep_refreshing(app, stolen, done.clone());
        let ender = async {
            // Let the thief get going; vary the moment.
            while done.load(Ordering::SeqCst) < 2 + attempt % 4 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            end(first_refresh).await;
            Instant::now()
        };
        let (loot, ended_at) = tokio::join!(thief, ender);
        let late: Vec<_> = loot.attempts.iter().filter(|(t, ok)| *ok && *t > ended_at).collect();
        assert!(
            late.is_empty(),
            "try {attempt}: {} refreshes started after the session was ended still worked",
            late.len()
        );
        assert!(loot.attempts.last().is_some_and(|(_, ok)| !ok), "the thief was stopped");
        assert_eq!(me(app, &loot.access_token).await, 401, "try {attempt}: access token");
        assert_eq!(
            refresh(app, &loot.refresh_token).await.0,
            401,
            "try {attempt}: refresh token"
        );
    }
}

type EndFn = Box<dyn FnOnce(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send>;

const TRIES: usize = 12;

async fn a_refreshing_thief_loses_to_a_password_change(app: &TestApp) {
    let user = app.user("employee", None).await;
    let passwords = ["erstes-passwort-123", "zweites-passwort-123"];
    let mut current = PASSWORD.to_string();
    race(app, TRIES, |attempt| {
        let email = user.email.clone();
        let old = current.clone();
        let new = passwords[attempt % 2].to_string();
        current = new.clone();
        async move {
            let owner = app.login_ok(&email, &old).await;
            let stolen = app.login_ok(&email, &old).await;
            let (address, client) = (app.address.clone(), app.client.clone());
            let end: EndFn = Box::new(move |_| {
                Box::pin(async move {
                    let r = client
                        .put(format!("{address}/api/v1/me/password"))
                        .bearer_auth(&owner.token)
                        .json(&json!({"current_password": old, "new_password": new}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 204);
                })
            });
            (stolen, end)
        }
    })
    .await;
}

async fn a_refreshing_thief_loses_to_an_admin_reset(app: &TestApp) {
    let user = app.user("employee", None).await;
    // The password the last reset generated: the next try signs in with it.
    let current = Arc::new(std::sync::Mutex::new(PASSWORD.to_string()));
    race(app, TRIES, |_| {
        let (email, id, current) = (user.email.clone(), user.user_id.clone(), current.clone());
        async move {
            let password = current.lock().unwrap().clone();
            let stolen = app.login_ok(&email, &password).await;
            let (address, client, admin) = (app.address.clone(), app.client.clone(), app.admin.token.clone());
            let end: EndFn = Box::new(move |_| {
                Box::pin(async move {
                    let r = client
                        .post(format!("{address}/api/v1/users/{id}/password-reset"))
                        .bearer_auth(&admin)
                        .json(&json!({}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                    let body: Value = r.json().await.unwrap();
                    *current.lock().unwrap() = body["initial_password"].as_str().unwrap().to_owned();
                })
            });
            (stolen, end)
        }
    })
    .await;
}

async fn a_refreshing_thief_loses_to_reuse_detection(app: &TestApp) {
    let user = app.user("employee", None).await;
    race(app, TRIES, |_| {
        let email = user.email.clone();
        async move {
            let stolen = app.login_ok(&email, PASSWORD).await;
            let (address, client) = (app.address.clone(), app.client.clone());
            // The owner comes back with the refresh token she had (the thief has rotated
            // it since): the reuse ends the session.
            let end: EndFn = Box::new(move |first_refresh| {
                Box::pin(async move {
                    let r = client
                        .post(format!("{address}/api/v1/auth/refresh"))
                        .json(&json!({"refresh_token": first_refresh}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 401);
                })
            });
            (stolen, end)
        }
    })
    .await;
}
