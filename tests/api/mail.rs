//! E-mail through the transactional outbox (issue 15, part 3), against a real SMTP server:
//! aiosmtpd, started per test by `tests/smtp/server.py`, which stores every message it
//! accepts as a JSON file (recipients, decoded subject and body). `.ci/run` installs it
//! into `target/smtp-venv` from `tests/smtp/requirements.txt` (pinned with hashes).
//! Without it each test says it was skipped, unless `KAIZEN_REQUIRE_SMTP=1` (as CI sets
//! it) makes that a failure.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, Session, TestApp};
use crate::ideas::{id_of, idea_body, step, submit};

const PATIENCE: Duration = Duration::from_secs(30);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Option<PathBuf> {
    let p = root().join("target/smtp-venv/bin/python");
    let ok = Command::new(&p)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(p)
}

/// A real SMTP server process and the directory it stores messages in.
pub struct Smtp {
    pub port: u16,
    python: PathBuf,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// `starttls CERT KEY` or `tls CERT KEY`; empty for plain SMTP.
    mode: Vec<String>,
}

impl Smtp {
    /// Starts aiosmtpd on a free port; `None` (test skipped) when it is not installed.
    fn start() -> Option<Smtp> {
        Self::start_with(&[])
    }

    /// As `start`, with the server's TLS mode (`["starttls", cert, key]`, `["tls", cert, key]`).
    pub fn start_with(mode: &[&str]) -> Option<Smtp> {
        let Some(python) = python() else {
            let required = std::env::var("KAIZEN_REQUIRE_SMTP").is_ok_and(|v| v == "1");
            assert!(!required, "KAIZEN_REQUIRE_SMTP=1 but target/smtp-venv has no aiosmtpd");
            eprintln!(
                "skipped: aiosmtpd not found (python3 -m venv target/smtp-venv && \
                 target/smtp-venv/bin/pip install --require-hashes -r tests/smtp/requirements.txt)"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut smtp = Smtp {
            port,
            python,
            dir: tempfile::tempdir().unwrap(),
            child: None,
            mode: mode.iter().map(|s| (*s).to_owned()).collect(),
        };
        smtp.up();
        Some(smtp)
    }

    /// Starts the server process (again) on the same port and directory.
    pub fn up(&mut self) {
        let mut child = Command::new(&self.python)
            .arg(root().join("tests/smtp/server.py"))
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .args(&self.mode)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        self.child = Some(child);
    }

    /// Kills the server: connections are refused until `up`.
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Every message stored so far.
    pub fn messages(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                out.push(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap());
            }
        }
        out
    }

    /// The messages to `email`.
    pub fn to(&self, email: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt_to"].as_array().unwrap().iter().any(|r| r == email))
            .collect()
    }

    /// Waits until `email` has a message whose subject contains `subject`.
    pub async fn wait_for(&self, email: &str, subject: &str) -> Value {
        let start = Instant::now();
        loop {
            if let Some(m) = self
                .to(email)
                .into_iter()
                .find(|m| m["subject"].as_str().unwrap().contains(subject))
            {
                return m;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no mail {subject:?} to {email}; got {:#?}",
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.down();
    }
}

/// Runs each test on SQLite and PostgreSQL, each with its own SMTP server and an
/// application whose outbox worker sends to it with short waits and `$attempts` attempts.
macro_rules! with_smtp {
    ($group:ident, $attempts:expr; $($name:ident),* $(,)?) => {
        mod $group {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::super::run($crate::helpers::Backend::Sqlite, $attempts, |app, smtp| {
                            Box::pin(super::super::$name(app, smtp))
                        })
                        .await;
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::super::run($crate::helpers::Backend::Postgres, $attempts, |app, smtp| {
                            Box::pin(super::super::$name(app, smtp))
                        })
                        .await;
                    }
                )*
            }
        }
    };
}

type TestFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;

async fn run(backend: Backend, attempts: i64, test: impl for<'a> FnOnce(&'a TestApp, &'a mut Smtp) -> TestFuture<'a>) {
    let Some(mut smtp) = Smtp::start() else { return };
    let port = smtp.port;
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.public_url = Some("http://kaizen.test".into());
        s.outbox.poll_ms = 50;
        s.outbox.backoff_ms = 200;
        s.outbox.max_attempts = attempts;
        s.outbox.lease_secs = 10;
        s.outbox.smtp = Some(kaizen::config::SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: kaizen::config::SmtpTls::None,
            username: None,
            password: None,
            from: "Kaizen <kaizen@test.local>".into(),
            timeout_secs: 5,
            ca_file: None,
        });
    })
    .await
    else {
        eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set");
        return;
    };
    test(&app, &mut smtp).await;
    app.shutdown().await;
}

with_smtp!(patient, 20;
    authors_learn_of_a_rejection_with_the_reason_in_their_language,
    leads_of_the_unit_and_the_units_above_get_new_ideas_others_do_not,
    turning_idea_mails_off_stops_them,
    a_mail_server_that_is_down_gets_the_mail_when_it_is_back,
    the_author_of_an_anonymous_idea_is_named_to_nobody,
    staff_in_scope_hear_that_a_round_opened,
    a_reminder_before_a_round_closes_reaches_only_those_who_have_not_answered,
    leads_hear_of_an_idea_that_waited_too_long_once,
);

with_smtp!(impatient, 2;
    failed_after_the_last_attempt_is_listed_without_recipients_and_retried_by_an_admin,
);

async fn set_mail(app: &TestApp, who: &Session, language: Option<&str>, idea_mails: bool) {
    let r = app
        .put(
            "/api/v1/me/mail-settings",
            &who.token,
            json!({"language": language, "idea_mails": idea_mails}),
        )
        .await;
    assert_eq!(r.expect(200)["idea_mails"], idea_mails);
    let back = app.get("/api/v1/me/mail-settings", &who.token).await;
    assert_eq!(back.expect(200)["language"], json!(language));
}

async fn reject(app: &TestApp, lead: &Session, idea: &str, reason: &str) {
    step(
        app,
        lead,
        idea,
        json!({"action": "reject", "version": 1, "reason": reason}),
    )
    .await
    .expect(200);
}

async fn authors_learn_of_a_rejection_with_the_reason_in_their_language(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Bürgeramt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let german = app.user("employee", Some(&unit)).await;
    let english = app.user("employee", Some(&unit)).await;
    set_mail(app, &english, Some("en"), true).await;

    let de_idea = id_of(&submit(app, &german, idea_body(&unit, "Online-Termine")).await);
    let en_idea = id_of(&submit(app, &english, idea_body(&unit, "Queue display")).await);
    reject(app, &lead, &de_idea, "Bereits umgesetzt im Bürgerbüro").await;
    reject(app, &lead, &en_idea, "Kein Budget in diesem Jahr").await;

    // The organisation's language (German) for the one who chose none.
    let de = smtp.wait_for(&german.email, "Online-Termine").await;
    assert_eq!(de["subject"], "Ihre Idee „Online-Termine“: Abgelehnt");
    let body = de["body"].as_str().unwrap();
    assert!(body.contains("Begründung:\nBereits umgesetzt im Bürgerbüro"), "{body}");
    assert!(body.contains("vorher: Eingereicht"), "{body}");
    assert!(body.contains(&format!("http://kaizen.test/ideas/{de_idea}")), "{body}");
    assert_eq!(de["rcpt_to"], json!([german.email]), "to the author alone");
    assert!(de["from"].as_str().unwrap().contains("kaizen@test.local"));

    let en = smtp.wait_for(&english.email, "Queue display").await;
    assert_eq!(en["subject"], "Your idea \"Queue display\": Rejected");
    let body = en["body"].as_str().unwrap();
    assert!(body.contains("Reason:\nKein Budget in diesem Jahr"), "{body}");
    assert!(!body.contains("Begründung"), "{body}");
    // Neither hears of the other's idea.
    assert!(
        smtp.to(&german.email)
            .iter()
            .all(|m| !m["body"].as_str().unwrap().contains("Queue display"))
    );
}

async fn leads_of_the_unit_and_the_units_above_get_new_ideas_others_do_not(app: &TestApp, smtp: &mut Smtp) {
    let top = app.create_unit("Bürgerdienste", None).await;
    let unit = app.create_unit("Bürgeramt", Some(&top)).await;
    let sibling = app.create_unit("Standesamt", Some(&top)).await;
    let lead = app.user("lead", Some(&unit)).await;
    let top_lead = app.user("lead", Some(&top)).await;
    let sibling_lead = app.user("lead", Some(&sibling)).await;
    let colleague = app.user("employee", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    set_mail(app, &top_lead, Some("en"), true).await;

    submit(app, &author, idea_body(&unit, "Wartemarken per SMS")).await;

    let m = smtp.wait_for(&lead.email, "Wartemarken per SMS").await;
    assert_eq!(m["subject"], "Neue Idee für Bürgeramt: „Wartemarken per SMS“");
    let en = smtp.wait_for(&top_lead.email, "Wartemarken per SMS").await;
    assert_eq!(en["subject"], "New idea for Bürgeramt: \"Wartemarken per SMS\"");
    // Give the worker time for any further mail of the same message.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for other in [&sibling_lead, &colleague, &author] {
        assert!(
            smtp.to(&other.email).is_empty(),
            "{} got {:?}",
            other.email,
            smtp.to(&other.email)
        );
    }
    assert_eq!(smtp.messages().len(), 2, "{:#?}", smtp.messages());
}

async fn turning_idea_mails_off_stops_them(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Bauamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let quiet = app.user("employee", Some(&unit)).await;
    let sentinel = app.user("employee", Some(&unit)).await;
    set_mail(app, &quiet, None, false).await;
    set_mail(app, &lead, None, false).await;
    // The person's own export shows the setting (GDPR Art. 15).
    let export = app.get("/api/v1/me/export", &quiet.token).await;
    assert_eq!(export.expect(200)["account"]["idea_mails"], false);

    let hushed = id_of(&submit(app, &quiet, idea_body(&unit, "Leise Idee")).await);
    reject(app, &lead, &hushed, "Nicht zuständig").await;
    let loud = id_of(&submit(app, &sentinel, idea_body(&unit, "Laute Idee")).await);
    reject(app, &lead, &loud, "Nicht zuständig").await;

    smtp.wait_for(&sentinel.email, "Laute Idee").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.to(&quiet.email).is_empty(), "{:?}", smtp.to(&quiet.email));
    assert!(
        smtp.to(&lead.email).is_empty(),
        "the lead turned new-idea mails off too"
    );

    // Turned on again, mails come again.
    set_mail(app, &quiet, None, true).await;
    let again = id_of(&submit(app, &quiet, idea_body(&unit, "Wieder da")).await);
    reject(app, &lead, &again, "Nicht zuständig").await;
    smtp.wait_for(&quiet.email, "Wieder da").await;
}

async fn a_mail_server_that_is_down_gets_the_mail_when_it_is_back(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Ordnungsamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Parkausweise online")).await);
    smtp.wait_for(&lead.email, "Parkausweise online").await;

    smtp.down();
    reject(app, &lead, &idea, "Rechtlich nicht möglich").await;
    // The worker tries, fails and keeps the message pending with the error.
    let start = Instant::now();
    loop {
        let pool = app.pool.clone();
        let row: Option<(String, i64, Option<String>)> = tokio::task::spawn_blocking(move || {
            use kaizen::db::schema::mail_messages as m;
            let mut conn = pool.get().unwrap();
            m::table
                .filter(m::kind.eq("idea.status_changed"))
                .select((m::status, m::attempts, m::last_error))
                .first(&mut conn)
                .optional()
                .unwrap()
        })
        .await
        .unwrap();
        if let Some((status, attempts, error)) = row.clone()
            && attempts >= 2
        {
            assert_eq!(status, "pending");
            assert!(error.unwrap().starts_with("SMTP"));
            break;
        }
        assert!(start.elapsed() < PATIENCE, "no failed attempt recorded: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(smtp.to(&author.email).is_empty());

    smtp.up();
    let m = smtp.wait_for(&author.email, "Parkausweise online").await;
    assert!(m["body"].as_str().unwrap().contains("Rechtlich nicht möglich"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.to(&author.email).len(), 1, "delivered once");
}

async fn the_author_of_an_anonymous_idea_is_named_to_nobody(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Kämmerei", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let hidden = app.user("employee", Some(&unit)).await;
    let me = app.get("/api/v1/me", &hidden.token).await;
    let name = me.expect(200)["display_name"].as_str().unwrap().to_owned();

    let mut body = idea_body(&unit, "Anonyme Idee");
    body["code_word"] = json!("Eule");
    let idea = id_of(&submit(app, &hidden, body).await);
    smtp.wait_for(&lead.email, "Anonyme Idee").await;
    reject(app, &lead, &idea, "Bereits umgesetzt").await;
    // The author alone hears of it, addressed to them alone.
    let own = smtp.wait_for(&hidden.email, "Anonyme Idee").await;
    assert_eq!(own["rcpt_to"], json!([hidden.email]));
    assert_eq!(own["to"], hidden.email.as_str());

    tokio::time::sleep(Duration::from_millis(500)).await;
    for m in smtp.messages() {
        if m["rcpt_to"] == json!([hidden.email]) {
            continue;
        }
        let text = m.to_string();
        assert!(!text.contains(&hidden.email), "{text}");
        assert!(!text.contains(&name), "{text}");
        assert!(!text.contains(&hidden.user_id), "{text}");
    }
    // Nor does anything stored for the mails name them.
    let pool = app.pool.clone();
    let rows: Vec<String> = tokio::task::spawn_blocking(move || {
        use kaizen::db::schema::mail_messages as m;
        let mut conn = pool.get().unwrap();
        m::table.select(m::payload).load(&mut conn).unwrap()
    })
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for payload in rows {
        assert!(
            !payload.contains(&hidden.user_id) && !payload.contains(&hidden.email),
            "{payload}"
        );
    }
}

async fn staff_in_scope_hear_that_a_round_opened(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Jugendamt", None).await;
    let other = app.create_unit("Sozialamt", None).await;
    let inside = app.user("employee", Some(&unit)).await;
    let english = app.user("employee", Some(&unit)).await;
    let outside = app.user("employee", Some(&other)).await;
    set_mail(app, &english, Some("en"), false).await;
    crate::assessment_support::open_round(app, Some(&unit)).await;

    let m = smtp.wait_for(&inside.email, "Befragung geöffnet").await;
    assert!(m["body"].as_str().unwrap().contains("http://kaizen.test/survey/"));
    // Idea mails off does not stop survey mails.
    smtp.wait_for(&english.email, "Survey open").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.to(&outside.email).is_empty());
}

async fn failed_after_the_last_attempt_is_listed_without_recipients_and_retried_by_an_admin(
    app: &TestApp,
    smtp: &mut Smtp,
) {
    let unit = app.create_unit("Standesamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    smtp.down();
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Urkunden als PDF")).await);

    let start = Instant::now();
    let failed = loop {
        let r = app.get("/api/v1/outbox/mail?status=failed", &app.admin.token).await;
        let items = r.expect(200)["items"].as_array().unwrap().clone();
        if let Some(m) = items.into_iter().find(|m| m["subject_id"] == idea.as_str()) {
            break m;
        }
        assert!(start.elapsed() < PATIENCE, "the message was not kept as failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed["kind"], "idea.submitted");
    assert_eq!(failed["attempts"], 2);
    assert!(failed["last_error"].as_str().unwrap().starts_with("SMTP"), "{failed}");
    let shown = failed.to_string();
    assert!(
        !shown.contains(&lead.email) && !shown.contains(&author.email),
        "{shown}"
    );
    // Only admins see and retry mail messages; a pending one is no retry.
    let id = failed["id"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/outbox/mail", &lead.token).await.status, 403);
    let retry = format!("/api/v1/outbox/mail/{id}/retry");
    assert_eq!(app.post(&retry, &lead.token, json!({})).await.status, 403);

    smtp.up();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.messages().is_empty(), "a failed message waits for an admin");
    let again = app.post(&retry, &app.admin.token, json!({})).await;
    assert_eq!(again.expect(200)["status"], "pending");
    smtp.wait_for(&lead.email, "Urkunden als PDF").await;
    assert_eq!(app.post(&retry, &app.admin.token, json!({})).await.status, 409);
}

async fn a_reminder_before_a_round_closes_reaches_only_those_who_have_not_answered(app: &TestApp, smtp: &mut Smtp) {
    use crate::assessment_support::{builtin_id, items, open_round, submit as answer, uniform_answers};
    let unit = app.create_unit("Schulamt", None).await;
    let answered = app.user("employee", Some(&unit)).await;
    let silent = app.user("employee", Some(&unit)).await;
    let english = app.user("employee", Some(&unit)).await;
    set_mail(app, &english, Some("en"), true).await;
    // Closes in 24 hours: within the reminder window.
    let round = open_round(app, Some(&unit)).await;
    let questions = items(app, &builtin_id(app, &app.admin.token).await).await;
    assert_eq!(
        answer(app, &round, &answered, uniform_answers(&questions, |_| 3)).await,
        201
    );
    smtp.wait_for(&silent.email, "Befragung geöffnet").await;

    // Two scheduler passes (as two instances would run them) write one reminder.
    kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    let m = smtp.wait_for(&silent.email, "Erinnerung").await;
    assert!(m["body"].as_str().unwrap().contains("noch nicht teilgenommen"), "{m}");
    smtp.wait_for(&english.email, "Reminder").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        smtp.to(&answered.email)
            .iter()
            .all(|m| !m["subject"].as_str().unwrap().contains("Erinnerung")),
        "who answered gets no reminder"
    );
    assert_eq!(
        smtp.to(&silent.email)
            .iter()
            .filter(|m| m["subject"].as_str().unwrap().contains("Erinnerung"))
            .count(),
        1,
        "one reminder, however many passes"
    );
    // What admins can list is the round and the kind, nobody's name or address.
    let listed = app.get("/api/v1/outbox/mail?status=delivered", &app.admin.token).await;
    let listed = listed.expect(200).to_string();
    assert!(listed.contains("round.reminder"), "{listed}");
    for who in [&answered, &silent, &english] {
        assert!(
            !listed.contains(&who.email) && !listed.contains(&who.user_id),
            "{listed}"
        );
    }
}

async fn leads_hear_of_an_idea_that_waited_too_long_once(app: &TestApp, smtp: &mut Smtp) {
    let unit = app.create_unit("Grünflächenamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    let idea = id_of(&submit(app, &author, idea_body(&unit, "Mähplan digital")).await);
    let fresh = id_of(&submit(app, &author, idea_body(&unit, "Frische Idee")).await);
    smtp.wait_for(&lead.email, "Frische Idee").await;
    // The first idea entered its stage 33 days ago (the organisation's limit is 30), a
    // third one 60 days ago: long before, it brings no mail now.
    let ancient = id_of(&submit(app, &author, idea_body(&unit, "Uralte Idee")).await);
    smtp.wait_for(&lead.email, "Uralte Idee").await;
    let pool = app.pool.clone();
    let old = kaizen::db::now() - chrono::Duration::days(33);
    let older = kaizen::db::now() - chrono::Duration::days(60);
    tokio::task::spawn_blocking(move || {
        use kaizen::db::schema::ideas;
        let mut conn = pool.get().unwrap();
        diesel::update(ideas::table.filter(ideas::id.eq(idea)))
            .set(ideas::stage_entered_at.eq(old))
            .execute(&mut conn)
            .unwrap();
        diesel::update(ideas::table.filter(ideas::id.eq(ancient)))
            .set(ideas::stage_entered_at.eq(older))
            .execute(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
    kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();
    kaizen::scheduler::tick(&app.pool, kaizen::db::now()).await.unwrap();

    let m = smtp.wait_for(&lead.email, "Idee wartet").await;
    assert_eq!(m["subject"], "Idee wartet: „Mähplan digital“");
    assert!(m["body"].as_str().unwrap().contains("im Stand Eingereicht"), "{m}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting: Vec<Value> = smtp
        .to(&lead.email)
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("wartet"))
        .collect();
    assert_eq!(
        waiting.len(),
        1,
        "once, and not for the fresh idea {fresh}: {waiting:#?}"
    );
    assert!(smtp.to(&author.email).is_empty(), "only leads hear of it");
}

/// Without an SMTP server nothing is sent: every message is marked skipped (one statement
/// per poll, however many are due), none stays pending, and the API lists them as such.
mod without_smtp {
    use super::*;

    pub(super) fn fast_outbox(s: &mut kaizen::config::Settings) {
        s.outbox.poll_ms = 50;
        s.outbox.smtp = None;
    }

    crate::both_backends_configured!(super::fast_outbox; every_message_is_skipped_and_none_stays_pending);

    async fn every_message_is_skipped_and_none_stays_pending(app: &TestApp) {
        let unit = app.create_unit("Kasse", None).await;
        let author = app.user("employee", Some(&unit)).await;
        // More than one claim's batch of the sending path.
        let mut ideas = Vec::new();
        for n in 0..30 {
            ideas.push(id_of(
                &submit(app, &author, idea_body(&unit, &format!("Idee Nummer {n}"))).await,
            ));
        }
        let start = Instant::now();
        loop {
            let r = app
                .get("/api/v1/outbox/mail?status=skipped&limit=200", &app.admin.token)
                .await;
            let items = r.expect(200)["items"].as_array().unwrap().clone();
            let skipped: Vec<&str> = items.iter().filter_map(|m| m["subject_id"].as_str()).collect();
            if ideas.iter().all(|i| skipped.contains(&i.as_str())) {
                assert!(
                    items
                        .iter()
                        .all(|m| m["kind"] == "idea.submitted" && m["attempts"] == 0),
                    "{items:?}"
                );
                break;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "not every message was marked skipped: {skipped:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pending = app.get("/api/v1/outbox/mail?status=pending", &app.admin.token).await;
        assert_eq!(pending.expect(200)["items"], json!([]));
        // Only admins list them.
        assert_eq!(
            app.get("/api/v1/outbox/mail?status=skipped", &author.token)
                .await
                .status,
            403
        );
    }
}
