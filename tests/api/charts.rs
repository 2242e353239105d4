//! The demo's charts as a mayor sees them, rendered by a real browser: radar and trend in
//! German and English, with 3 and with 6 rounds. The PNGs go to the test's target folder;
//! `KAIZEN_UPDATE_DOCS=1` also writes them to `docs/charts/` for the README.

use std::path::PathBuf;

use crate::browser::Browser;
use crate::helpers::{Backend, TestApp};

async fn demo(rounds: usize) -> (TestApp, String) {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app");
    let pool = app.pool.clone();
    let summary = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let options = kaizen::demo::Options {
            rounds: Some(rounds),
            password: Some("demo-password-123".into()),
            ..Default::default()
        };
        kaizen::demo::create(&mut conn, &options, &mut |_| {}).unwrap()
    })
    .await
    .unwrap();
    let manager = &summary
        .logins
        .iter()
        .find(|l| l.role == kaizen::domain::roles::Role::Manager)
        .unwrap()
        .email;
    let session = app.login_ok_to(kaizen::demo::SLUG, manager, "demo-password-123").await;
    (app, session.token)
}

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("charts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_charts_render_in_a_browser() {
    let Some(browser) = Browser::launch(1200, 900).await else {
        return;
    };
    // The whole chart must fit the viewport: element screenshots are cut at its edge.
    browser.set_viewport(1200, 900).await.unwrap();
    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let update_docs = std::env::var("KAIZEN_UPDATE_DOCS").is_ok_and(|v| v == "1");
    for rounds in [3, 6] {
        let (app, token) = demo(rounds).await;
        for lang in ["de", "en"] {
            for chart in ["radar", "trend"] {
                let path = format!("/api/v1/reports/progress/{chart}.svg?lang={lang}&rounds={rounds}");
                let path = if chart == "trend" {
                    path.replace(&format!("&rounds={rounds}"), "")
                } else {
                    path
                };
                let r = app.get(&path, &token).await;
                assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.text);
                assert!(r.text.contains("<title id=\"chart-title\">") && r.text.contains("<desc id=\"chart-desc\">"));
                // Open it as an image in a page of its own and photograph the image.
                let file = dir.join(format!("{chart}-{lang}-{rounds}.svg"));
                std::fs::write(&file, &r.text).unwrap();
                let page = dir.join(format!("{chart}-{lang}-{rounds}.html"));
                std::fs::write(
                    &page,
                    format!(
                        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{chart}</title>\
                         <style>body{{margin:0;background:#fff}}</style></head><body><main>{}</main></body></html>",
                        r.text
                    ),
                )
                .unwrap();
                browser
                    .client
                    .goto(&format!("file://{}", page.display()))
                    .await
                    .unwrap();
                let svg = browser.wait_for("svg").await.unwrap();
                let png = svg.screenshot().await.unwrap();
                let (w, h) = crate::browser::png_size(&png).expect("a PNG");
                assert!(w >= 900 && h >= 300, "{chart}-{lang}-{rounds}: {w}x{h}");
                let name = format!("{chart}-{lang}-{rounds}.png");
                std::fs::write(dir.join(&name), &png).unwrap();
                if update_docs {
                    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/charts");
                    std::fs::create_dir_all(&docs).unwrap();
                    std::fs::write(docs.join(&name), &png).unwrap();
                }
            }
        }
        app.shutdown().await;
    }
    browser.close().await;
}
