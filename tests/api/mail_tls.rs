//! Mail over TLS, for real: the test makes a CA and a server certificate (rcgen), starts
//! aiosmtpd (`tests/smtp/server.py`) requiring STARTTLS, or speaking TLS from the first
//! byte, with that certificate, and the service, trusting the CA through
//! `KAIZEN_SMTP_CA_FILE`, delivers over the encrypted session. Without the CA file the
//! certificate is refused: nothing is sent, in clear or otherwise, and the message stays
//! pending with the error. The transport does not depend on the database: SQLite only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use kaizen::config::{SmtpSettings, SmtpTls};

use crate::helpers::{Backend, TestApp};
use crate::ideas::{idea_body, submit};
use crate::mail::Smtp;

/// A CA, and a certificate for 127.0.0.1 and localhost it issued, as PEM files in `dir`:
/// (ca, cert, key).
pub fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Kaizen Test-CA der Stadt Beispiel");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "mail.stadt-beispiel.test");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();

    let paths = (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

/// An application sending to `port` in `tls` mode, trusting `ca` beside the Mozilla roots.
async fn app_sending_to(port: u16, tls: SmtpTls, ca: Option<PathBuf>) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, move |s| {
        s.outbox.poll_ms = 50;
        s.outbox.backoff_ms = 150;
        s.outbox.max_attempts = 50;
        s.outbox.lease_secs = 10;
        s.outbox.smtp = Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls,
            username: None,
            password: None,
            from: "Kaizen <kaizen@test.local>".into(),
            timeout_secs: 5,
            ca_file: ca,
        });
    })
    .await
    .unwrap()
}

/// A lead of a new unit and an idea for it: the lead's mail is due.
async fn idea_for_a_lead(app: &TestApp, title: &str) -> String {
    let unit = app.create_unit("Hauptamt", None).await;
    let lead = app.user("lead", Some(&unit)).await;
    let author = app.user("employee", Some(&unit)).await;
    submit(app, &author, idea_body(&unit, title)).await;
    lead.email
}

async fn delivered_over(mode: &str, tls: SmtpTls) {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certificates(certs.path());
    let Some(smtp) = Smtp::start_with(&[mode, cert.to_str().unwrap(), key.to_str().unwrap()]) else {
        return;
    };
    let app = app_sending_to(smtp.port, tls, Some(ca)).await;
    let lead = idea_for_a_lead(&app, "Verschlüsselt zugestellt").await;
    let m = smtp.wait_for(&lead, "Verschlüsselt zugestellt").await;
    assert_eq!(m["tls"], true, "the session was encrypted: {m}");
    assert_eq!(m["rcpt_to"], serde_json::json!([lead]));
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_the_operators_ca_delivers() {
    delivered_over("starttls", SmtpTls::StartTls).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_with_the_operators_ca_delivers() {
    delivered_over("tls", SmtpTls::Tls).await;
}

/// The mail row of the idea: (status, attempts, last error).
async fn mail_row(app: &TestApp) -> Option<(String, i64, Option<String>)> {
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        use kaizen::db::schema::mail_messages as m;
        let mut conn = pool.get().unwrap();
        m::table
            .filter(m::kind.eq("idea.submitted"))
            .select((m::status, m::attempts, m::last_error))
            .first(&mut conn)
            .optional()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn refused_without_the_ca(mode: &str, tls: SmtpTls) {
    let certs = tempfile::tempdir().unwrap();
    let (_, cert, key) = make_certificates(certs.path());
    let Some(smtp) = Smtp::start_with(&[mode, cert.to_str().unwrap(), key.to_str().unwrap()]) else {
        return;
    };
    let app = app_sending_to(smtp.port, tls, None).await;
    idea_for_a_lead(&app, "Nicht im Klartext").await;
    let start = Instant::now();
    loop {
        let row = mail_row(&app).await;
        if let Some((status, attempts, error)) = row.clone()
            && attempts >= 2
        {
            assert_eq!(status, "pending", "retried, not given up");
            let error = error.unwrap();
            assert!(
                error.starts_with("SMTP") && error.to_lowercase().contains("certificate"),
                "{error}"
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no failed attempt: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        smtp.messages().is_empty(),
        "nothing sent past an untrusted certificate: {:?}",
        smtp.messages()
    );
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_an_untrusted_certificate_sends_nothing_and_retries() {
    refused_without_the_ca("starttls", SmtpTls::StartTls).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_with_an_untrusted_certificate_sends_nothing_and_retries() {
    refused_without_the_ca("tls", SmtpTls::Tls).await;
}

/// A file that holds no certificate stops the start instead of mail silently failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_without_a_certificate_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let mut settings =
        kaizen::config::Settings::for_database(format!("sqlite://{}", dir.path().join("kaizen.db").display()));
    settings.jwt_secret = Some("test-secret-that-is-long-enough-0123456789".into());
    settings.outbox.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port: 465,
        tls: SmtpTls::Tls,
        username: None,
        password: None,
        from: "kaizen@test.local".into(),
        timeout_secs: 5,
        ca_file: Some(bad),
    });
    let built = kaizen::startup::Application::build(settings).await;
    let error = built.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("KAIZEN_SMTP_CA_FILE"), "{error}");
}
