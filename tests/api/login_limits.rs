//! Login limits that hold under parallel attempts, read the address the proxy saw, and
//! cannot be used to keep the owner out.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;

use crate::both_backends_configured;
use crate::helpers::{PASSWORD, TestApp};

// One reverse proxy in front: the test plays both the client and the proxy, so it sets
// X-Forwarded-For as the proxy would have appended it.
both_backends_configured!(
    |s: &mut kaizen::config::Settings| s.trusted_proxies = 1;
    parallel_logins_check_no_more_passwords_than_the_limit,
    the_address_is_the_one_the_proxy_saw,
    guessing_from_many_addresses_does_not_keep_the_owner_out,
    attempts_begun_at_the_same_moment_stay_within_the_limit,
);

/// A login as the proxy forwards it: `forwarded` is the whole X-Forwarded-For value.
async fn login_via(app: &TestApp, forwarded: &str, email: &str, password: &str) -> u16 {
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"email": email, "password": password, "organization": app.org_slug}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 429 {
        assert!(r.headers().get("retry-after").is_some());
    }
    status
}

async fn parallel_logins_check_no_more_passwords_than_the_limit(app: &TestApp) {
    // Sixteen wrong passwords at once from one address, for four accounts in turn: five
    // are checked each time, the rest wait for the window.
    for round in 0..4 {
        let user = app.user("employee", None).await;
        let from = format!("198.51.100.{}", 20 + round);
        let statuses = join_all((0..16).map(|_| login_via(app, &from, &user.email, "falsch"))).await;
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((checked, refused), (5, 11), "{statuses:?}");
        // The right password slipped into a second burst gets no further from there.
        let mut burst: Vec<&str> = vec!["falsch"; 6];
        burst.insert(3, PASSWORD);
        let statuses = join_all(burst.iter().map(|p| login_via(app, &from, &user.email, p))).await;
        assert!(statuses.iter().all(|s| *s == 429), "{statuses:?}");
        // The owner, elsewhere, is not locked out by it.
        assert_eq!(login_via(app, "203.0.113.9", &user.email, PASSWORD).await, 200);
    }
}

async fn the_address_is_the_one_the_proxy_saw(app: &TestApp) {
    let user = app.user("employee", None).await;
    // A client behind the proxy writes its own X-Forwarded-For entry to look like a new
    // address each time; the proxy appends the one it saw.
    for i in 0..5 {
        let forwarded = format!("10.9.8.{i}, 198.51.100.30");
        assert_eq!(login_via(app, &forwarded, &user.email, "falsch").await, 401);
    }
    assert_eq!(
        login_via(app, "10.9.8.77, 198.51.100.30", &user.email, "falsch").await,
        429,
        "the made-up entry does not make a new address"
    );
    // Without any forwarded entry the peer address counts (the proxy itself).
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": user.email, "password": PASSWORD, "organization": app.org_slug})),
        )
        .await;
    r.expect(200);
}

async fn guessing_from_many_addresses_does_not_keep_the_owner_out(app: &TestApp) {
    let user = app.user("employee", None).await;
    let owner_address = "192.0.2.10";
    assert_eq!(login_via(app, owner_address, &user.email, PASSWORD).await, 200);
    // Someone guesses from three addresses, four times each: the account-wide limit (10)
    // stops the last two.
    let mut statuses = Vec::new();
    for a in 1..=3 {
        for _ in 0..4 {
            statuses.push(login_via(app, &format!("203.0.113.{a}"), &user.email, "geraten").await);
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429]);
    // A new address meets the account-wide limit, even with the right password ...
    assert_eq!(login_via(app, "203.0.113.50", &user.email, PASSWORD).await, 429);
    // ... but the owner, from where she signed in before, gets in.
    assert_eq!(login_via(app, owner_address, &user.email, PASSWORD).await, 200);
    // And wrong passwords from her address still count only against that address.
    for _ in 0..5 {
        assert_eq!(login_via(app, owner_address, &user.email, "vertippt").await, 401);
    }
    assert_eq!(login_via(app, owner_address, &user.email, PASSWORD).await, 429);
}

/// The store's own check, with eight connections (the test pool's size) starting attempts at the same moment
/// (a barrier releases them together), eight times: never more than five begin.
async fn attempts_begun_at_the_same_moment_stay_within_the_limit(app: &TestApp) {
    for round in 0..8 {
        let pool = app.pool.clone();
        let begun = tokio::task::spawn_blocking(move || {
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (pool, barrier) = (pool.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        let mut conn = pool.get().unwrap();
                        barrier.wait();
                        let email = format!("race{round}@test.local");
                        kaizen::store::throttle::begin(&mut conn, "some-org", &email, &format!("198.51.100.{round}"))
                            .is_ok()
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).filter(|ok| *ok).count()
        })
        .await
        .unwrap();
        assert_eq!(begun, 5, "round {round}");
    }
}
