//! schemathesis over the whole OpenAPI document, on both backends: no server error, every
//! answer's status, media type and body as documented, and every request the document
//! calls valid accepted (`tests/conformance/schemathesis.toml` supplies what a document
//! cannot state: ids of stored objects, times in the future; `hooks.py` the cursor).
//!
//! schemathesis comes from PyPI, pinned with hashes in `tests/conformance/requirements.txt`;
//! `.ci/run` installs it into `target/conformance-venv`. Without it the test says it was
//! skipped, unless `KAIZEN_REQUIRE_SCHEMATHESIS=1` (as CI sets it) makes that a failure.
//! Bounded: a fixed seed and a few examples per operation (`KAIZEN_SCHEMATHESIS_EXAMPLES`,
//! default 5), about half a minute per backend.

use std::path::PathBuf;

use crate::helpers::TestApp;
use crate::ideas::{id_of, idea_body, submit};

// `hooks.py` points webhooks at 127.0.0.1, which the operator's switch permits.
crate::both_backends_configured!(crate::helpers::internal_webhooks; the_api_answers_as_its_document_says);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schemathesis() -> Option<PathBuf> {
    if let Ok(given) = std::env::var("KAIZEN_SCHEMATHESIS") {
        return Some(PathBuf::from(given));
    }
    let venv = root().join("target/conformance-venv/bin/schemathesis");
    venv.exists().then_some(venv)
}

fn future(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

async fn the_api_answers_as_its_document_says(app: &TestApp) {
    let Some(bin) = schemathesis() else {
        let required = std::env::var("KAIZEN_REQUIRE_SCHEMATHESIS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "KAIZEN_REQUIRE_SCHEMATHESIS=1 but target/conformance-venv/bin/schemathesis is missing"
        );
        eprintln!(
            "skipped: schemathesis not found (python3 -m venv target/conformance-venv && \
             target/conformance-venv/bin/pip install --require-hashes -r tests/conformance/requirements.txt)"
        );
        return;
    };
    // What the requests may name: a unit, a colleague, an idea, the questionnaire and two
    // closed rounds.
    let unit = app.create_unit("Bürgerbüro", None).await;
    let colleague = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &colleague, idea_body(&unit, "Terminvergabe online")).await);
    let questionnaire = crate::assessment_support::builtin_id(app, &app.admin.token).await;
    let items: Vec<String> = crate::assessment_support::items(app, &questionnaire)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let mut rounds = Vec::new();
    for _ in 0..2 {
        let round = crate::assessment_support::open_round(app, None).await;
        crate::assessment_support::close(app, &round).await;
        rounds.push(round);
    }
    let dir = root().join("tests/conformance");
    let examples = std::env::var("KAIZEN_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "5".into());
    let due = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let out = tokio::process::Command::new(&bin)
        .arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .args(["run", &app.url("/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {}", app.admin.token)])
        .args(["--max-examples", &examples, "--seed", "1", "--no-color"])
        // Ending the caller's own session or password would end the run's access, and
        // erasing the test's colleague or archiving its questionnaire the values the run
        // relies on; their own tests cover them.
        .args(["--exclude-path-regex", "/auth/logout|/me/password|/erase|/archive"])
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", &dir)
        .env("KAIZEN_ST_UNIT", &unit)
        .env("KAIZEN_ST_UNIT_NAME", "Bürgerbüro")
        .env("KAIZEN_ST_USER", &colleague.user_id)
        .env("KAIZEN_ST_IDEA", &idea)
        .env("KAIZEN_ST_QUESTIONNAIRE", &questionnaire)
        .env("KAIZEN_ST_ITEMS", items.join(","))
        .env("KAIZEN_ST_ROUND_1", &rounds[0])
        .env("KAIZEN_ST_ROUND_2", &rounds[1])
        .env("KAIZEN_ST_OPENS_AT", future(10))
        .env("KAIZEN_ST_CLOSES_AT", future(40))
        .env("KAIZEN_ST_DUE_DATE", due)
        .kill_on_drop(true)
        .output()
        .await
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found problems ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // It tested every operation but the four left out (a document it could not read would
    // leave it nothing to test).
    let counts: Vec<usize> = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Operations:"))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        matches!(counts.as_slice(), [selected, total] if selected + 4 == *total && *total > 50),
        "{counts:?}\n{stdout}"
    );
}
