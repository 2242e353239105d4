//! The `kaizen` binary: first start, honest database errors, secrets, commands, shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub(crate) fn kaizen() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kaizen"));
    for var in [
        "DATABASE_URL",
        "KAIZEN_JWT_SECRET",
        "KAIZEN_ADMIN_EMAIL",
        "KAIZEN_ADMIN_PASSWORD",
        "KAIZEN_BIND",
        "KAIZEN_LOG_FORMAT",
    ] {
        c.env_remove(var);
    }
    c.env("RUST_LOG", "info");
    c
}

/// Starts `kaizen serve` and collects stderr until it listens (or exits).
pub(crate) fn start(dir: &Path, extra: &[(&str, &str)]) -> (Child, String, mpsc::Receiver<String>) {
    start_with(dir, &[], extra)
}

/// Starts `kaizen` with `args` (a `serve` command) and collects stderr until it listens.
pub(crate) fn start_with(dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> (Child, String, mpsc::Receiver<String>) {
    let mut cmd = kaizen();
    cmd.args(args)
        .current_dir(dir)
        .env("KAIZEN_BIND", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("listening") {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Wait until it answers, so the signal handlers are installed before a test signals.
    if let Some(port) = port_of(&seen) {
        for _ in 0..100 {
            if healthz(port) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    (child, seen, rx)
}

use std::path::Path;

/// The port of the "listening" line in a start log.
pub(crate) fn port_of(log: &str) -> Option<u16> {
    let line = log.lines().find(|l| l.contains("listening"))?;
    let at = line.find("port")?;
    line[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse::<u16>()
        .ok()
}

fn healthz(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200") || buf.starts_with("HTTP/1.0 200")
}

pub(crate) fn sigterm(child: &Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
}

pub(crate) fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn first_start_prints_the_admin_password_once_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, log, _rx) = start(dir.path(), &[]);
    assert!(log.contains("listening"), "{log}");
    assert!(log.contains("admin@kaizen.local"), "{log}");
    assert!(log.contains("password: "), "{log}");
    assert!(dir.path().join("kaizen.db").exists());
    let secret = dir.path().join("kaizen.db.jwt-secret");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);
    sigterm(&child);
    let status = wait_exit(&mut child, Duration::from_secs(15)).expect("stops on SIGTERM");
    assert!(status.success(), "{status:?}");

    let (mut child, log, _rx) = start(dir.path(), &[]);
    assert!(log.contains("listening"), "{log}");
    assert!(
        !log.contains("password: "),
        "the password is printed only on the first start: {log}"
    );
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops on SIGTERM");
}

#[test]
fn configured_admin_is_created_without_printing_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, log, _rx) = start(
        dir.path(),
        &[
            ("KAIZEN_ADMIN_EMAIL", "chefin@musterstadt.de"),
            ("KAIZEN_ADMIN_PASSWORD", "ein-sicheres-passwort"),
            ("KAIZEN_LOG_FORMAT", "json"),
        ],
    );
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains("password: "));
    assert!(!log.contains("ein-sicheres-passwort"), "secrets never reach the log");
    // JSON log lines are valid JSON.
    for line in log.lines().filter(|l| l.starts_with('{')) {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(15)).expect("stops");
}

#[test]
fn unreachable_postgres_is_reported_honestly() {
    let out = kaizen()
        .env("DATABASE_URL", "postgres://kaizen:secret-pw@127.0.0.1:1/kaizen")
        .env("KAIZEN_JWT_SECRET", "x".repeat(40))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot connect to PostgreSQL at postgres://127.0.0.1:1/kaizen"),
        "{err}"
    );
    assert!(!err.contains("secret-pw"), "the password is not shown: {err}");
    assert!(!err.to_lowercase().contains("invalid connection url"), "{err}");
}

#[test]
fn unknown_schemes_and_short_secrets_are_refused() {
    let out = kaizen()
        .env("DATABASE_URL", "mysql://root@localhost/k")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL scheme \"mysql\""));

    let dir = tempfile::tempdir().unwrap();
    let out = kaizen()
        .current_dir(dir.path())
        .env("KAIZEN_JWT_SECRET", "too-short")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"));

    let out = kaizen()
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KAIZEN_JWT_SECRET must be set"));
}

#[test]
fn org_and_user_commands_create_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = kaizen().current_dir(dir.path()).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "org",
        "create",
        "--name",
        "Gemeinde Beispielstadt",
        "--slug",
        "beispielstadt",
        "--admin-email",
        "it@beispielstadt.de",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("beispielstadt"));
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("password (shown only now, must be changed at first login): "))
        .unwrap();
    assert_eq!(generated.len(), 20);

    let (ok, out, err) = run(&[
        "user",
        "create",
        "--org",
        "beispielstadt",
        "--email",
        "lea@beispielstadt.de",
        "--name",
        "Lea Kraus",
        "--role",
        "lead",
        "--password",
        "leas-passwort-123",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("lea@beispielstadt.de"));
    assert!(!out.contains("password"), "a given password is not echoed");

    let (ok, _, err) = run(&[
        "user",
        "create",
        "--org",
        "beispielstadt",
        "--email",
        "LEA@beispielstadt.de",
        "--name",
        "Lea",
        "--role",
        "lead",
    ]);
    assert!(!ok);
    assert!(err.contains("exists already"), "{err}");
    let (ok, _, err) = run(&[
        "user", "create", "--org", "nowhere", "--email", "x@y.de", "--name", "X", "--role", "lead",
    ]);
    assert!(!ok);
    assert!(err.contains("no organisation"), "{err}");
    let (ok, _, err) = run(&[
        "user",
        "create",
        "--org",
        "beispielstadt",
        "--email",
        "x@y.de",
        "--name",
        "X",
        "--role",
        "king",
    ]);
    assert!(!ok);
    assert!(err.contains("employee, lead, manager or admin"), "{err}");
    let (ok, _, _) = run(&[
        "org",
        "create",
        "--name",
        "Doppelt",
        "--slug",
        "beispielstadt",
        "--admin-email",
        "a@b.de",
    ]);
    assert!(!ok);
}

#[test]
fn openapi_command_prints_the_document() {
    let out = kaizen().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json")).unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "`kaizen openapi` differs from openapi/openapi.json"
    );
}

#[test]
fn revert_last_goes_one_migration_further_back_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let run = |args: &[&str]| {
        let out = kaizen().env("DATABASE_URL", &url).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(run(&["migrate"]), "migrations are up to date");
    let reverted = |line: String| {
        line.strip_prefix("reverted migration ")
            .unwrap_or_else(|| panic!("{line}"))
            .to_owned()
    };
    let newest = reverted(run(&["migrate", "--revert-last"]));
    let before = reverted(run(&["migrate", "--revert-last"]));
    // Versions are dates with a sequence number: the second is the one before the first.
    assert!(before < newest, "{before} then {newest}");
    // `migrate` applies both again, and the newest is the newest again.
    assert_eq!(run(&["migrate"]), "migrations are up to date");
    assert_eq!(reverted(run(&["migrate", "--revert-last"])), newest);
}
