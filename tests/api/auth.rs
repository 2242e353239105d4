//! Login, refresh rotation, logout, deactivation, throttling, password changes.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp};

both_backends!(
    login_returns_working_tokens,
    wrong_password_and_unknown_account_look_the_same,
    email_is_case_insensitive_at_login,
    refresh_rotates_and_detects_reuse,
    concurrent_refresh_of_one_token_succeeds_once,
    logout_revokes_the_session,
    deactivated_users_are_locked_out_everywhere,
    account_throttling_after_five_failures,
    address_throttling_after_twenty_failures,
    password_change_revokes_sessions,
    generated_passwords_must_be_replaced_first,
    missing_and_invalid_tokens_are_401,
);

async fn login_returns_working_tokens(app: &TestApp) {
    let r = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let body = r.expect(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);
    let token = body["access_token"].as_str().unwrap();
    // The JWT carries the documented claims.
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    for claim in ["sub", "org", "role", "iat", "exp", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim} missing: {claims}");
    }
    assert_eq!(claims["role"], "admin");
    assert_eq!(claims["org"], app.org_id.as_str());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    let me = app.get("/api/v1/me", token).await;
    let me = me.expect(200);
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organization"]["slug"], "default");
}

async fn wrong_password_and_unknown_account_look_the_same(app: &TestApp) {
    let wrong = app.login(ADMIN_EMAIL, "wrong-password-123").await;
    let unknown = app.login("nobody@test.local", "wrong-password-123").await;
    wrong.expect(401);
    unknown.expect(401);
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    assert_eq!(wrong.header("www-authenticate").as_deref(), Some("Bearer"));
}

async fn email_is_case_insensitive_at_login(app: &TestApp) {
    app.login("  ADMIN@Test.Local ", ADMIN_PASSWORD).await.expect(200);
}

async fn refresh_rotates_and_detects_reuse(app: &TestApp) {
    let s = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let first = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    let first = first.expect(200).clone();
    let new_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, s.refresh_token);
    app.get("/api/v1/me", first["access_token"].as_str().unwrap())
        .await
        .expect(200);

    // The old token comes back: reuse, and the whole family is revoked.
    let reuse = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    reuse.expect(401);
    assert!(reuse.body["detail"].as_str().unwrap().contains("already used"));
    let after = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": new_refresh})),
        )
        .await;
    after.expect(401);

    // Another session of the same user is untouched.
    let other = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": other.refresh_token})),
    )
    .await
    .expect(200);
    app.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": "made-up"})),
    )
    .await
    .expect(401);
}

async fn concurrent_refresh_of_one_token_succeeds_once(app: &TestApp) {
    let s = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let attempts = (0..6).map(|_| {
        app.send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token.clone()})),
        )
    });
    let replies = futures_util::future::join_all(attempts).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        ok,
        1,
        "exactly one concurrent refresh may win: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 401));
}

async fn logout_revokes_the_session(app: &TestApp) {
    let s = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    assert_eq!(r.status, 204);
    app.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": s.refresh_token})),
    )
    .await
    .expect(401);
    // Logging out twice, or with a token never issued, is harmless.
    let again = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refresh_token": "nonsense"})),
        )
        .await;
    assert_eq!(again.status, 204);
}

async fn deactivated_users_are_locked_out_everywhere(app: &TestApp) {
    let u = app.user("employee", None).await;
    app.get("/api/v1/me", &u.token).await.expect(200);
    let r = app
        .post(
            &format!("/api/v1/users/{}/deactivate", u.user_id),
            &app.admin.token,
            json!({}),
        )
        .await;
    assert_eq!(r.expect(200)["active"], false);
    // The live access token stops working at once.
    app.get("/api/v1/me", &u.token).await.expect(401);
    app.login(&u.email, PASSWORD).await.expect(401);
    app.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": u.refresh_token})),
    )
    .await
    .expect(401);
    // Reactivation lets them in again.
    let current = app.get(&format!("/api/v1/users/{}", u.user_id), &app.admin.token).await;
    let version = current.body["version"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/users/{}", u.user_id),
        &app.admin.token,
        json!({"version": version, "active": true}),
    )
    .await
    .expect(200);
    app.login(&u.email, PASSWORD).await.expect(200);
}

async fn account_throttling_after_five_failures(app: &TestApp) {
    let u = app.user("employee", None).await;
    for _ in 0..5 {
        app.login(&u.email, "wrong-password-1").await.expect(401);
    }
    let blocked = app.login(&u.email, "wrong-password-1").await;
    blocked.expect(429);
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    // Even the right password is refused from this address while it is throttled
    // (elsewhere the owner still gets in: tests/api/login_limits.rs).
    app.login(&u.email, PASSWORD).await.expect(429);
    // Other accounts are not affected.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
}

async fn address_throttling_after_twenty_failures(app: &TestApp) {
    for i in 0..20 {
        app.login(&format!("ghost{i}@test.local"), "wrong-password-1")
            .await
            .expect(401);
    }
    let blocked = app.login("ghost-next@test.local", "wrong-password-1").await;
    blocked.expect(429);
    assert!(blocked.header("retry-after").is_some());
    // A second instance on the same database sees the same state: an account that never
    // signed in from this address is refused ...
    let fresh = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "neu@test.local", "display_name": "Neu", "role": "employee", "password": "neues-passwort-123"}),
        )
        .await;
    fresh.expect(201);
    let (address, handle) = app.sibling().await;
    let login = |email: &'static str, password: &'static str| {
        let (client, address, slug) = (app.client.clone(), address.clone(), app.org_slug.clone());
        async move {
            client
                .post(format!("{address}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password, "organization": slug}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login("neu@test.local", "neues-passwort-123").await, 429);
    // ... while the admin, who signed in from here before, is not locked out by others'
    // failures (an office behind one address would otherwise be locked out together).
    assert_eq!(login(ADMIN_EMAIL, ADMIN_PASSWORD).await, 200);
    handle.stop(false).await;
}

async fn password_change_revokes_sessions(app: &TestApp) {
    let u = app.user("employee", None).await;
    let second = app.login_ok(&u.email, PASSWORD).await;
    let wrong = app
        .put(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": "not-my-password", "new_password": "brand-new-password"}),
        )
        .await;
    wrong.expect(403);
    let short = app
        .put(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    short.expect(422);
    assert_eq!(short.error_fields(), vec!["new_password"]);
    let r = app
        .put(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": PASSWORD, "new_password": "brand-new-password"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    for refresh in [&u.refresh_token, &second.refresh_token] {
        app.send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
        )
        .await
        .expect(401);
    }
    app.login(&u.email, PASSWORD).await.expect(401);
    app.login(&u.email, "brand-new-password").await.expect(200);
}

async fn generated_passwords_must_be_replaced_first(app: &TestApp) {
    let r = app
        .post(
            "/api/v1/users",
            &app.admin.token,
            json!({"email": "generated@test.local", "display_name": "Gen", "role": "employee"}),
        )
        .await;
    let body = r.expect(201);
    let initial = body["initial_password"].as_str().unwrap().to_owned();
    assert_eq!(initial.len(), 20);
    assert_eq!(body["user"]["must_change_password"], true);
    let login = app.login("generated@test.local", &initial).await;
    assert_eq!(login.expect(200)["must_change_password"], true);
    let token = login.body["access_token"].as_str().unwrap();
    app.get("/api/v1/units", token).await.expect(403);
    app.get("/api/v1/me", token).await.expect(200);
    let r = app
        .put(
            "/api/v1/me/password",
            token,
            json!({"current_password": initial, "new_password": "chosen-by-me-123"}),
        )
        .await;
    assert_eq!(r.status, 204);
    // The change ended every session of the account, this one included.
    app.get("/api/v1/units", token).await.expect(401);
    let again = app.login_ok("generated@test.local", "chosen-by-me-123").await;
    app.get("/api/v1/units", &again.token).await.expect(200);
}

async fn missing_and_invalid_tokens_are_401(app: &TestApp) {
    let none = app.send(Method::GET, "/api/v1/me", None, None).await;
    none.expect(401);
    assert_eq!(none.header("www-authenticate").as_deref(), Some("Bearer"));
    app.get("/api/v1/me", "not-a-jwt").await.expect(401);
    let tampered = format!("{}x", app.admin.token);
    app.get("/api/v1/me", &tampered).await.expect(401);
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", format!("Basic {}", app.admin.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A token signed with another secret is refused.
    let foreign = kaizen::auth::tokens::TokenKeys::new(b"some-other-secret-that-is-long-enough")
        .issue(
            &app.admin.user_id,
            &app.org_id,
            "some-session",
            kaizen::domain::roles::Role::Admin,
        )
        .unwrap()
        .0;
    app.get("/api/v1/me", &foreign).await.expect(401);
}
