//! A headless Chromium per test, driven through its own ChromeDriver.
//!
//! * `Browser::launch().await` returns `None` (after printing `skipped: …`) when chromedriver or
//!   chromium is not installed, unless `KAIZEN_REQUIRE_BROWSER=1` makes that a failure (CI).
//! * ChromeDriver is started with `--port=0`; the port is read from its stdout line
//!   "ChromeDriver was started successfully on port N." (no free-port race).
//! * No orphans: chromedriver runs in a process group of its own under a tiny `sh` watchdog.
//!   The watchdog waits on a pipe from this process; when the pipe closes (the `Browser` is
//!   dropped, the test panics, or the whole test binary dies, even by SIGKILL or Ctrl-C) it
//!   kills the group (chromedriver and every chromium process) and removes the profile dir.
//!   Killing chromedriver alone would leave chromium running (checked with chromedriver 156).
//! * At most `KAIZEN_BROWSER_SLOTS` (default 2) browsers are alive at once in the test binary.

// A toolbox: not every test uses every tool.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, SemaphorePermit};

/// axe-core 4.14.1 `axe.min.js` from `npm pack axe-core@4.14.1` (MPL-2.0, header kept).
pub const AXE_SOURCE: &str = include_str!("axe.min.js");
pub const AXE_SHA256: &str = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c";

/// WCAG 2.0/2.1 A and AA rules only (no "best-practice" rules such as `region`).
pub const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Flags for headless Chromium as root in a container. chromedriver adds its own
/// (`--disable-background-networking --disable-sync --no-first-run --disable-default-apps
/// --enable-automation --remote-debugging-port=0 …`); repeating a few here keeps the intent visible.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",            // required as root: without it Chromium exits at once
    "--disable-gpu",           // no GPU here; software rendering
    "--disable-dev-shm-usage", // use /tmp instead of /dev/shm (Docker's 64 MiB /dev/shm)
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--lang=de-DE",                   // a German office PC: pages negotiate German
    "--force-prefers-reduced-motion", // no smooth scrolling between a scroll and a click
];

/// Runs `"$0" "$@"` (chromedriver and its flags) in the background in a process group of its
/// own (`setsid`, util-linux, Essential in Debian: `$!` is then both its pid and its group),
/// then blocks reading its own stdin, a pipe from the test. EOF means the test is done or dead
/// (even SIGKILL or Ctrl-C, when no destructor runs): kill chromedriver's group (chromedriver and
/// every chromium process), then remove the profile dir. POSIX sh gives the background job
/// /dev/null as stdin, so chromedriver cannot read the pipe. (dash's `kill` rejects `--`.)
const WATCHDOG: &str = r#"setsid "$0" "$@" & read -r _; kill -9 "-$!"; rm -rf "$KAIZEN_PROFILE_DIR""#;

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let n = std::env::var("KAIZEN_BROWSER_SLOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(2);
    Semaphore::new(n)
});

/// Where chromedriver and chromium are.
#[derive(Debug, Clone)]
pub struct BrowserPaths {
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

impl BrowserPaths {
    /// `KAIZEN_CHROMEDRIVER` / `KAIZEN_CHROMIUM`, else `chromedriver` on PATH and Debian's
    /// real binary `/usr/lib/chromium/chromium` (not the `/usr/bin/chromium` shell wrapper).
    pub fn from_env() -> Self {
        let chromedriver = std::env::var_os("KAIZEN_CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| on_path("chromedriver"))
            .unwrap_or_else(|| PathBuf::from("chromedriver"));
        let chromium = std::env::var_os("KAIZEN_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| {
                [
                    "/usr/lib/chromium/chromium",
                    "/usr/bin/chromium",
                    "/usr/bin/chromium-browser",
                ]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
            })
            .or_else(|| on_path("chromium"))
            .unwrap_or_else(|| PathBuf::from("chromium"));
        Self { chromedriver, chromium }
    }

    /// What is not installed, e.g. "chromedriver (/usr/bin/chromedriver)"; `None` when both are.
    pub fn missing(&self) -> Option<String> {
        let mut missing = Vec::new();
        if !self.chromedriver.is_file() {
            missing.push(format!("chromedriver ({})", self.chromedriver.display()));
        }
        if !self.chromium.is_file() {
            missing.push(format!("chromium ({})", self.chromium.display()));
        }
        (!missing.is_empty()).then(|| missing.join(" and "))
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Printed straight to the process's stderr, past libtest's capture, so a skip is visible in a
/// plain `cargo test` run (`eprintln!` output of a passing test is swallowed).
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// How long the expensive parts took.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub waited_for_slot: Duration,
    pub chromedriver_ready: Duration,
    pub session_created: Duration,
}

/// One chromedriver process (and the chromium it starts) plus its watchdog. Dropping it closes
/// the watchdog's stdin: the watchdog kills them all, removes the profile dir and exits.
struct ChromeDriver {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    log: PathBuf,
    // Declared last: removed after the processes are dead.
    profile: tempfile::TempDir,
}

impl ChromeDriver {
    async fn start(paths: &BrowserPaths) -> std::io::Result<Self> {
        let profile = tempfile::Builder::new().prefix("kaizen-chromium-").tempdir()?;
        let log = profile.path().join("chromedriver.log");
        let tmp = profile.path().join("tmp");
        std::fs::create_dir(&tmp)?;
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c").arg(WATCHDOG).arg(&paths.chromedriver).arg("--port=0"); // $0 "$@"
        // Debugging aid: a timestamped INFO log of every WebDriver command, kept after the test.
        if let Some(dir) = std::env::var_os("KAIZEN_BROWSER_LOG_DIR") {
            std::fs::create_dir_all(&dir)?;
            let name = profile
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = PathBuf::from(dir).join(format!("chromedriver-{name}.log"));
            cmd.arg(format!("--log-path={}", file.display()))
                .arg("--readable-timestamp");
        }
        let mut child = cmd
            .env("KAIZEN_PROFILE_DIR", profile.path())
            // Chromium's singleton-socket dir, chromedriver's scoped dirs and (with
            // --disable-dev-shm-usage) shared memory files go to $TMPDIR: keep them inside the
            // profile dir so that they go with it, even after a SIGKILL.
            .env("TMPDIR", &tmp)
            .process_group(0) // keeps the watchdog out of the terminal's Ctrl-C
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?) // chromedriver's and chromium's stderr
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut driver = ChromeDriver {
            child,
            stdin,
            port: 0,
            log,
            profile,
        };

        // A plain thread, not a tokio task: it must outlive any one test runtime and keep
        // draining stdout so chromedriver never blocks on a full pipe.
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<u16, String>>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            let mut seen = String::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.is_none() {
                    continue;
                }
                match parse_port(&line) {
                    Some(port) => {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(Ok(port));
                        }
                    }
                    None => {
                        seen.push_str(&line);
                        seen.push('\n');
                    }
                }
            }
            if let Some(tx) = tx {
                let _ = tx.send(Err(seen));
            }
        });

        match tokio::time::timeout(Duration::from_secs(20), rx).await {
            Ok(Ok(Ok(port))) => {
                driver.port = port;
                Ok(driver)
            }
            Ok(Ok(Err(out))) => Err(std::io::Error::other(format!(
                "chromedriver exited before announcing its port; stdout:\n{out}stderr:\n{}",
                driver.log_text()
            ))),
            Ok(Err(_)) => Err(std::io::Error::other("chromedriver stdout reader died")),
            Err(_) => Err(std::io::Error::other(
                "chromedriver did not announce its port within 20 s",
            )),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// "ChromeDriver was started successfully on port 36251." -> 36251
fn parse_port(line: &str) -> Option<u16> {
    let rest = line.split("started successfully on port ").nth(1)?;
    rest.trim_end().trim_end_matches('.').parse().ok()
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // Closing the pipe is the signal: the watchdog kills the process group.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
            }
        }
    }
}

pub struct Browser {
    pub client: Client,
    pub timing: Timing,
    // Field order is drop order: the client, then the processes, then the slot.
    driver: ChromeDriver,
    _slot: SemaphorePermit<'static>,
}

impl Browser {
    /// A fresh browser with a `width`×`height` window, or `None` (skip) when not installed.
    pub async fn launch(width: u32, height: u32) -> Option<Browser> {
        Self::launch_with(&BrowserPaths::from_env(), width, height).await
    }

    pub async fn launch_with(paths: &BrowserPaths, width: u32, height: u32) -> Option<Browser> {
        if let Some(missing) = paths.missing() {
            let required = std::env::var("KAIZEN_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
            assert!(!required, "KAIZEN_REQUIRE_BROWSER=1 but {missing} is not installed");
            note(&format!(
                "skipped: {missing} not found (apt-get install -y chromium chromium-driver, \
                 or set KAIZEN_CHROMEDRIVER / KAIZEN_CHROMIUM)"
            ));
            return None;
        }
        let t0 = Instant::now();
        let slot = SLOTS.acquire().await.expect("browser semaphore is never closed");
        let t1 = Instant::now();
        let driver = ChromeDriver::start(paths).await.expect("chromedriver starts");
        let t2 = Instant::now();
        let caps = capabilities(&paths.chromium, driver.profile.path(), width, height);
        let client = match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
        {
            Ok(c) => c,
            Err(e) => panic!(
                "chromium session not created: {e}\n--- chromedriver log ---\n{}",
                driver.log_text()
            ),
        };
        let t3 = Instant::now();
        Some(Browser {
            client,
            timing: Timing {
                waited_for_slot: t1 - t0,
                chromedriver_ready: t2 - t1,
                session_created: t3 - t2,
            },
            driver,
            _slot: slot,
        })
    }

    /// Ends the WebDriver session politely (chromedriver quits chromium), then the processes
    /// are killed anyway. Dropping the `Browser` without this is also fine, just abrupt.
    pub async fn close(self) {
        let Browser {
            client, driver, _slot, ..
        } = self;
        let t = Instant::now();
        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
        let quit = t.elapsed();
        drop(driver);
        eprintln!("close: session delete {quit:?}, kill+wait {:?}", t.elapsed() - quit);
    }

    /// Pid of the watchdog shell (chromedriver is its child; for leak checks).
    pub fn watchdog_pid(&self) -> u32 {
        self.driver.child.id()
    }

    pub fn profile_dir(&self) -> &Path {
        self.driver.profile.path()
    }

    /// Presses each key (down, up) at whatever has focus: keyboard only, no element targeted.
    pub async fn press(&self, keys: &[Key]) -> Result<(), CmdError> {
        let mut seq = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            let c = char::from(key);
            seq = seq.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(seq).await
    }

    /// Holds `modifier` while pressing `key`, e.g. `chord(Key::Shift, Key::Tab)`.
    pub async fn chord(&self, modifier: Key, key: Key) -> Result<(), CmdError> {
        let (m, k) = (char::from(modifier), char::from(key));
        let seq = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: m })
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k })
            .then(KeyAction::Up { value: m });
        self.client.perform_actions(seq).await
    }

    /// Types text into whatever has focus, one key at a time.
    pub async fn type_text(&self, text: &str) -> Result<(), CmdError> {
        let mut seq = KeyActions::new("keyboard".to_owned());
        for c in text.chars() {
            seq = seq.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(seq).await
    }

    /// `id` of the focused element ("" for none / body without id).
    pub async fn focused_id(&self) -> Result<String, CmdError> {
        let el = self.client.active_element().await?;
        Ok(el.attr("id").await?.unwrap_or_default())
    }

    /// Injects axe-core (once per page load) and runs the WCAG 2.1 A/AA rules.
    pub async fn axe(&self) -> Result<Vec<Violation>, CmdError> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != Value::Bool(true) {
            self.client.execute(AXE_SOURCE, vec![]).await?;
        }
        let out = self.client.execute_async(AXE_RUN, vec![json!(AXE_TAGS)]).await?;
        if let Some(err) = out.get("error").and_then(Value::as_str) {
            panic!("axe.run failed: {err}");
        }
        let violations = out["violations"].as_array().cloned().unwrap_or_default();
        Ok(violations.iter().map(Violation::from_json).collect())
    }

    /// Sets the viewport (not the outer window) to exactly `width`×`height` CSS pixels.
    pub async fn set_viewport(&self, width: u32, height: u32) -> Result<(), CmdError> {
        self.client.set_window_size(width, height).await?;
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (iw, ih) != (width, height) {
            eprintln!("viewport {iw}x{ih} after set_window_size({width}, {height}); adjusting");
            // Outer window includes browser chrome in some modes: grow by the difference.
            self.client
                .set_window_size(width + width.saturating_sub(iw), height + height.saturating_sub(ih))
                .await?;
        }
        Ok(())
    }

    /// Viewport PNG written to `path`; returns its pixel size read from the PNG header.
    pub async fn screenshot_to(&self, path: &Path) -> std::io::Result<(u32, u32)> {
        let png = self.client.screenshot().await.map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, &png)?;
        png_size(&png).ok_or_else(|| std::io::Error::other("not a PNG"))
    }

    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element, CmdError> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
    }
}

/// The capabilities sent with New Session. fantoccini adds `pageLoadStrategy: normal` and
/// `goog:chromeOptions.w3c: true` itself.
pub fn capabilities(chromium: &Path, profile: &Path, width: u32, height: u32) -> Capabilities {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.join("profile").display()));
    args.push(format!("--window-size={width},{height}"));
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": args,
            // Open about:blank at startup. Otherwise the first tab loads Debian Chromium's
            // chrome://new-tab-page-third-party/, and the first command (fantoccini's `goto`
            // begins with Get Current URL) waits for that load: ~5 s in 1 of 6 sessions here.
            // (A bare "about:blank" in `args` does not work: chromedriver turns it into a flag.)
            "prefs": {
                "session.restore_on_startup": 4,
                "session.startup_urls": ["about:blank"],
                // Accept-Language of a German office PC (`--lang` alone does not set it).
                "intl.accept_languages": "de-DE,de",
            },
        },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// The callback is the last argument of an async script; `arguments[0]` is the tag list.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
  .then(r => done({ violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({ target: n.target, html: n.html, summary: n.failureSummary })) })) }))
  .catch(e => done({ error: String(e && e.stack || e) }));
"#;

#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub help_url: String,
    /// (CSS target, outer HTML) of each offending node.
    pub nodes: Vec<(String, String)>,
}

impl Violation {
    fn from_json(v: &Value) -> Self {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let nodes = v["nodes"]
            .as_array()
            .map(|nodes| {
                nodes
                    .iter()
                    .map(|n| {
                        let target = match &n["target"] {
                            Value::Array(parts) => parts
                                .iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(" > "),
                            other => other.to_string(),
                        };
                        (target, s(&n["html"]))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Violation {
            id: s(&v["id"]),
            impact: s(&v["impact"]),
            help: s(&v["help"]),
            help_url: s(&v["helpUrl"]),
            nodes,
        }
    }
}

/// A readable report for assertion messages and logs.
pub fn format_violations(url: &str, violations: &[Violation]) -> String {
    let mut out = format!("axe: {} violation(s) on {url}\n", violations.len());
    for v in violations {
        out += &format!("  - {} [{}] {}\n    {}\n", v.id, v.impact, v.help, v.help_url);
        for (target, html) in &v.nodes {
            out += &format!("      {target}  {html}\n");
        }
    }
    out
}

/// Width and height from the IHDR chunk.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

pub fn axe_sha256() -> String {
    Sha256::digest(AXE_SOURCE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn port_line_is_parsed() {
        assert_eq!(
            parse_port("ChromeDriver was started successfully on port 36251."),
            Some(36251)
        );
        assert_eq!(parse_port("Only local connections are allowed."), None);
    }
}
