//! Faults, with the real `kaizen` binary: a `kill -9` in the middle of a write load loses
//! nothing the server acknowledged (SQLite and PostgreSQL), and two instances on one
//! PostgreSQL database open a due reassessment round once and keep every acknowledged
//! idea when one of them is killed.
//!
//! A write answered 2xx is acknowledged and must be there after the restart. A write whose
//! request failed without an answer (the connection broke) is unknown: it may or may not
//! have landed, so it only widens the bounds the counts must lie within.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::cli::{port_of, sigterm, start_with, wait_exit};
use crate::helpers::postgres_url_with_db;

const ADMIN_EMAIL: &str = "chefin@stoerfall.test";
const ADMIN_PASSWORD: &str = "stoerfall-admin-passwort";
const PASSWORD: &str = "stoerfall-passwort-123";
/// PostgreSQL installations give the secret by environment; every instance the same.
const JWT_SECRET: &str = "faults-test-secret-that-is-long-enough-0123456789";
/// The bound for anything the tests wait for; reaching it fails the test.
const PATIENCE: Duration = Duration::from_secs(30);

static DATABASES: AtomicU64 = AtomicU64::new(0);

/// The database a test owns: a temp dir (the SQLite file, or just the working directory
/// for PostgreSQL) and, for PostgreSQL, a database of its own that is dropped at the end.
struct Db {
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
    url: String,
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("kaizen.db").display().to_string();
        Db {
            dir,
            postgres: None,
            url,
        }
    }

    /// A fresh database on `KAIZEN_TEST_POSTGRES_URL`; `None` (with a note) without it.
    fn postgres(test: &str) -> Option<Db> {
        let Some(admin_url) = std::env::var("KAIZEN_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty()) else {
            eprintln!("skipped: KAIZEN_TEST_POSTGRES_URL is not set ({test})");
            return None;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "kaizen_faults_{}_{}_{nanos}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = PgConnection::establish(&admin_url).expect("connect to KAIZEN_TEST_POSTGRES_URL");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create the test database");
        let url = postgres_url_with_db(&admin_url, &name);
        Some(Db {
            dir: tempfile::tempdir().unwrap(),
            postgres: Some((admin_url, name)),
            url,
        })
    }

    /// The environment of every `kaizen serve` on this database.
    fn env(&self) -> Vec<(&str, &str)> {
        let mut env = vec![
            ("KAIZEN_ADMIN_EMAIL", ADMIN_EMAIL),
            ("KAIZEN_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ];
        if self.postgres.is_some() {
            env.push(("DATABASE_URL", self.url.as_str()));
            env.push(("KAIZEN_JWT_SECRET", JWT_SECRET));
        }
        env
    }

    fn start(&self, extra: &[(&str, &str)]) -> Server {
        let mut env = self.env();
        env.extend_from_slice(extra);
        Server::start(self.dir.path(), &env)
    }

    /// `SELECT COUNT(*) AS n …` straight on the database.
    fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let query = diesel::sql_query(sql);
        let row: N = if self.postgres.is_some() {
            query.get_result(&mut PgConnection::establish(&self.url).unwrap())
        } else {
            query.get_result(&mut SqliteConnection::establish(&self.url).unwrap())
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.n
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
        }
    }
}

/// A running `kaizen serve`; killed with SIGKILL when dropped, so a failing test leaves
/// no process behind.
struct Server {
    child: Child,
    base: String,
    log: String,
    /// Kept (and drained) so the server never blocks on a full stderr pipe.
    rx: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `kaizen serve` (blocking until it answers /healthz).
    fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let (child, log, rx) = tokio::task::block_in_place(|| start_with(dir, &["serve"], env));
        let mut server = Server {
            child,
            base: String::new(),
            log,
            rx,
        };
        let port = port_of(&server.log).unwrap_or_else(|| panic!("kaizen serve did not start:\n{}", server.log));
        server.base = format!("http://127.0.0.1:{port}");
        server
    }

    fn api(&self) -> Api {
        Api::new(&self.base)
    }

    /// `kill -9`.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, and the graceful exit it must bring.
    fn stop(&mut self) {
        sigterm(&self.child);
        let status = tokio::task::block_in_place(|| wait_exit(&mut self.child, PATIENCE)).expect("stops on SIGTERM");
        assert!(status.success(), "{status:?}: {}", self.drain());
    }

    /// Everything the server logged so far.
    fn drain(&mut self) -> &str {
        while let Ok(line) = self.rx.try_recv() {
            self.log.push_str(&line);
            self.log.push('\n');
        }
        &self.log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// HTTP to one instance. `Err` is a request without an answer.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new(base: &str) -> Api {
        Api {
            client: reqwest::Client::builder().timeout(PATIENCE).build().unwrap(),
            base: base.to_owned(),
        }
    }

    async fn send(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Result<(u16, Value), String> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// A request that must be answered with `status`.
    async fn ok(&self, method: Method, path: &str, token: &str, body: Option<Value>, status: u16) -> Value {
        let what = format!("{method} {path}");
        match self.send(method, path, token, body).await {
            Ok((s, body)) if s == status => body,
            other => panic!("{what}: expected {status}, got {other:?}"),
        }
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        self.ok(Method::GET, path, token, None, 200).await
    }

    async fn login(&self, email: &str, password: &str) -> String {
        let body = json!({"email": email, "password": password, "organization": "default"});
        let r = self.ok(Method::POST, "/api/v1/auth/login", "", Some(body), 200).await;
        r["access_token"].as_str().unwrap().to_owned()
    }
}

/// What the load works with.
struct World {
    admin: String,
    unit: String,
    /// Employees' access tokens.
    people: Vec<String>,
    round: String,
    /// An answer sheet for the round (every item answered).
    answers: Value,
    items: i64,
    dimensions: i64,
}

/// An admin (from the first start's environment), a unit, `people` employees and,
/// when `round` is set, an open round of the built-in questionnaire.
async fn set_up(api: &Api, people: usize, round: bool) -> World {
    let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let unit = api
        .ok(
            Method::POST,
            "/api/v1/units",
            &admin,
            Some(json!({"name": "Bürgerbüro", "parent_id": null})),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = |i: usize| {
        let (api, admin, unit) = (api.clone(), admin.clone(), unit.clone());
        async move {
            let email = format!("person{i}@stoerfall.test");
            let body = json!({"email": email, "display_name": format!("Person {i}"), "role": "employee", "unit_id": unit, "password": PASSWORD});
            api.ok(Method::POST, "/api/v1/users", &admin, Some(body), 201).await;
            api.login(&email, PASSWORD).await
        }
    };
    // A few at a time: logins in flight count against the address's login limit.
    let mut tokens = Vec::new();
    for chunk in (0..people).collect::<Vec<_>>().chunks(6) {
        tokens.extend(join_all(chunk.iter().map(|&i| create(i))).await);
    }
    let people = tokens;
    let mut world = World {
        admin,
        unit,
        people,
        round: String::new(),
        answers: Value::Null,
        items: 0,
        dimensions: 0,
    };
    if round {
        let list = api.get("/api/v1/questionnaires?key=lernkultur", &world.admin).await;
        let qid = list["items"][0]["id"].as_str().unwrap().to_owned();
        let q = api.get(&format!("/api/v1/questionnaires/{qid}"), &world.admin).await;
        let mut answers = Vec::new();
        for d in q["dimensions"].as_array().unwrap() {
            world.dimensions += 1;
            for item in d["items"].as_array().unwrap() {
                answers.push(json!({"item_id": item["id"], "value": 3}));
            }
        }
        world.items = answers.len() as i64;
        world.answers = json!({ "answers": answers });
        let closes = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let body = json!({"questionnaire_id": qid, "title": "Lernkultur Störfall", "scope_unit_id": null, "closes_at": closes});
        let r = api
            .ok(Method::POST, "/api/v1/assessments", &world.admin, Some(body), 201)
            .await;
        assert_eq!(r["status"], "open", "{r}");
        world.round = r["id"].as_str().unwrap().to_owned();
    }
    world
}

fn idea(unit: &str, title: &str) -> Value {
    json!({
        "title": title,
        "current_situation": "Citizens queue from 7:00; the average wait is 40 minutes.",
        "proposal": format!("{title}: offer online appointments."),
        "expected_benefit": "Shorter waits.",
        "unit_id": unit,
    })
}

/// Every write of a load, by outcome.
#[derive(Default)]
struct Ledger {
    /// Acknowledged ideas: id and title.
    ideas: Vec<(String, String)>,
    ideas_unknown: usize,
    /// Acknowledged votes: (person, idea).
    votes: HashSet<(usize, String)>,
    votes_unknown: HashSet<(usize, String)>,
    /// People whose response was acknowledged.
    responses: HashSet<usize>,
    responses_unknown: HashSet<usize>,
    /// Answers other than the expected 2xx, and failures of an instance that must not fail.
    refused: Vec<String>,
    /// Acknowledged ideas by instance (two-instance test).
    served: [usize; 2],
    /// Ideas acknowledged after the kill (two-instance test).
    after_kill: usize,
}

type Shared = Arc<Mutex<Ledger>>;

/// Submits ideas as `person` until `stop` or the connection breaks.
async fn submit_ideas(api: Api, world: Arc<World>, person: usize, ledger: Shared, stop: Arc<AtomicBool>) {
    for n in 0.. {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let title = format!("Störfall {person}-{n}");
        let body = idea(&world.unit, &title);
        match api
            .send(Method::POST, "/api/v1/ideas", &world.people[person], Some(body))
            .await
        {
            Ok((201, r)) => {
                assert_eq!(r["title"], title.as_str(), "{r}");
                let id = r["id"].as_str().unwrap().to_owned();
                ledger.lock().unwrap().ideas.push((id, title));
            }
            Ok((status, r)) => ledger.lock().unwrap().refused.push(format!("idea {status}: {r}")),
            Err(_) => {
                ledger.lock().unwrap().ideas_unknown += 1;
                return;
            }
        }
    }
}

/// Votes as each of `voters` for acknowledged ideas, each person once per idea.
async fn vote(api: Api, world: Arc<World>, voters: Vec<usize>, ledger: Shared, stop: Arc<AtomicBool>) {
    let mut tried: HashSet<(usize, String)> = HashSet::new();
    while !stop.load(Ordering::SeqCst) {
        let next = {
            let l = ledger.lock().unwrap();
            l.ideas
                .iter()
                .rev()
                .find_map(|(id, _)| voters.iter().map(|&p| (p, id.clone())).find(|key| !tried.contains(key)))
        };
        let Some((person, id)) = next else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        tried.insert((person, id.clone()));
        let path = format!("/api/v1/ideas/{id}/votes");
        match api.send(Method::PUT, &path, &world.people[person], None).await {
            Ok((200, r)) => {
                assert_eq!(r["voted"], true, "{r}");
                ledger.lock().unwrap().votes.insert((person, id));
            }
            Ok((status, r)) => ledger.lock().unwrap().refused.push(format!("vote {status}: {r}")),
            Err(_) => {
                ledger.lock().unwrap().votes_unknown.insert((person, id));
                return;
            }
        }
    }
}

/// Answers the round as each of `people` in turn, a little apart.
async fn respond(api: Api, world: Arc<World>, people: Vec<usize>, ledger: Shared, stop: Arc<AtomicBool>) {
    let path = format!("/api/v1/assessments/{}/responses", world.round);
    for person in people {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match api
            .send(Method::POST, &path, &world.people[person], Some(world.answers.clone()))
            .await
        {
            Ok((201, _)) => {
                ledger.lock().unwrap().responses.insert(person);
            }
            Ok((status, r)) => ledger.lock().unwrap().refused.push(format!("response {status}: {r}")),
            Err(_) => {
                ledger.lock().unwrap().responses_unknown.insert(person);
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits (bounded) until `enough` holds for the ledger.
async fn until(ledger: &Shared, enough: impl Fn(&Ledger) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !enough(&ledger.lock().unwrap()) {
        assert!(
            Instant::now() < deadline,
            "the load did not get far enough in {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits for the load's tasks; the killed server makes each end at its next request.
async fn finish(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for task in tasks {
        tokio::time::timeout(PATIENCE * 2, task)
            .await
            .expect("a writer hangs after the kill")
            .expect("a writer panicked");
    }
}

/// Every acknowledged idea reads back (GET by id) with its title.
async fn assert_ideas_kept(api: &Api, token: &str, ideas: &[(String, String)]) {
    for chunk in ideas.chunks(16) {
        let reads = chunk.iter().map(|(id, title)| async move {
            let r = api.get(&format!("/api/v1/ideas/{id}"), token).await;
            assert_eq!(r["title"], title.as_str(), "{r}");
        });
        join_all(reads).await;
    }
}

/// The answer sheets of the round are whole: every response has all its answers and
/// scores, and as many people are marked as having answered as there are responses.
fn assert_round_whole(db: &Db, world: &World) -> i64 {
    let round = &world.round;
    let responses = db.count(&format!(
        "SELECT COUNT(*) AS n FROM assessment_responses WHERE round_id = '{round}'"
    ));
    let participation = db.count(&format!(
        "SELECT COUNT(*) AS n FROM assessment_participation WHERE round_id = '{round}'"
    ));
    assert_eq!(responses, participation, "responses and participation agree");
    let answers = db.count(&format!(
        "SELECT COUNT(*) AS n FROM assessment_answers WHERE round_id = '{round}'"
    ));
    assert_eq!(answers, responses * world.items, "every response has all its answers");
    let scores = db.count(&format!(
        "SELECT COUNT(*) AS n FROM assessment_scores WHERE round_id = '{round}'"
    ));
    assert_eq!(scores, responses * world.dimensions, "every response has its scores");
    let partial = db.count(&format!(
        "SELECT COUNT(*) AS n FROM assessment_responses r WHERE r.round_id = '{round}' AND \
         (SELECT COUNT(*) FROM assessment_answers a WHERE a.response_id = r.id) <> {}",
        world.items
    ));
    assert_eq!(partial, 0, "no half-written response");
    responses
}

/// Every idea has its submit event, no event lacks its idea, every vote counter equals
/// the stored votes.
fn assert_ideas_consistent(db: &Db) {
    let no_event = db.count(
        "SELECT COUNT(*) AS n FROM ideas i WHERE NOT EXISTS \
         (SELECT 1 FROM idea_events e WHERE e.idea_id = i.id AND e.action = 'submit')",
    );
    assert_eq!(no_event, 0, "an idea without its submit event");
    let orphans = db.count(
        "SELECT COUNT(*) AS n FROM idea_events e WHERE NOT EXISTS (SELECT 1 FROM ideas i WHERE i.id = e.idea_id)",
    );
    assert_eq!(orphans, 0, "an event without its idea");
    let miscounted = db.count(
        "SELECT COUNT(*) AS n FROM ideas i WHERE i.vote_count <> \
         (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id)",
    );
    assert_eq!(miscounted, 0, "an idea whose vote_count is not its votes");
}

/// `kill -9` in the middle of ideas, votes and survey responses; after a restart on the
/// same database everything acknowledged is there and the counts agree.
async fn kill_during_writes(db: Db) {
    let mut server = db.start(&[]);
    let api = server.api();
    let world = Arc::new(set_up(&api, 24, true).await);
    let ledger: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for person in 0..3 {
        tasks.push(tokio::spawn(submit_ideas(
            api.clone(),
            world.clone(),
            person,
            ledger.clone(),
            stop.clone(),
        )));
    }
    for group in 0..3 {
        let voters: Vec<usize> = (0..24).filter(|p| p % 3 == group).collect();
        tasks.push(tokio::spawn(vote(
            api.clone(),
            world.clone(),
            voters,
            ledger.clone(),
            stop.clone(),
        )));
    }
    for half in 0..2 {
        let people: Vec<usize> = (0..24).filter(|p| p % 2 == half).collect();
        tasks.push(tokio::spawn(respond(
            api.clone(),
            world.clone(),
            people,
            ledger.clone(),
            stop.clone(),
        )));
    }
    // Mid-load: some of each kind acknowledged, the writers still busy.
    until(&ledger, |l| {
        l.ideas.len() >= 15 && l.votes.len() >= 15 && l.responses.len() >= 8
    })
    .await;
    server.kill();
    stop.store(true, Ordering::SeqCst);
    let killed_with = {
        let l = ledger.lock().unwrap();
        (l.ideas.len(), l.votes.len(), l.responses.len())
    };
    finish(tasks).await;
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(
        ledger.refused.is_empty(),
        "every write before the kill succeeds: {:?}",
        ledger.refused
    );

    let mut server = db.start(&[]);
    let api = server.api();
    let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Ideas: each acknowledged one reads back; the total lies within the unknown ones.
    assert_ideas_kept(&api, &admin, &ledger.ideas).await;
    let ideas = db.count("SELECT COUNT(*) AS n FROM ideas");
    let acked = ledger.ideas.len() as i64;
    assert!(
        (acked..=acked + ledger.ideas_unknown as i64).contains(&ideas),
        "{ideas} ideas stored, {acked} acknowledged, {} unknown",
        ledger.ideas_unknown
    );

    // Votes: each idea counts its acknowledged votes (plus at most its unknown ones),
    // and each acknowledged voter sees their vote.
    let mut per_idea: HashMap<&str, (i64, i64)> = HashMap::new();
    for (_, id) in &ledger.votes {
        per_idea.entry(id).or_default().0 += 1;
    }
    for (_, id) in &ledger.votes_unknown {
        per_idea.entry(id).or_default().1 += 1;
    }
    for (id, (acked, unknown)) in &per_idea {
        let r = api.get(&format!("/api/v1/ideas/{id}"), &admin).await;
        let count = r["vote_count"].as_i64().unwrap();
        assert!(
            (*acked..=acked + unknown).contains(&count),
            "idea {id}: vote_count {count}, {acked} acknowledged, {unknown} unknown"
        );
    }
    let votes: Vec<&(usize, String)> = ledger.votes.iter().collect();
    for chunk in votes.chunks(16) {
        join_all(chunk.iter().map(|(person, id)| {
            let api = &api;
            let token = &world.people[*person];
            async move {
                let r = api.get(&format!("/api/v1/ideas/{id}"), token).await;
                assert_eq!(r["voted_by_me"], true, "person {person}, idea {id}: {r}");
            }
        }))
        .await;
    }
    let stored_votes = db.count("SELECT COUNT(*) AS n FROM idea_votes");
    let acked_votes = ledger.votes.len() as i64;
    assert!((acked_votes..=acked_votes + ledger.votes_unknown.len() as i64).contains(&stored_votes));

    // Responses: whole, counted once, each acknowledged person marked as having answered.
    let responses = assert_round_whole(&db, &world);
    let acked_responses = ledger.responses.len() as i64;
    assert!(
        (acked_responses..=acked_responses + ledger.responses_unknown.len() as i64).contains(&responses),
        "{responses} responses stored, {acked_responses} acknowledged, {} unknown",
        ledger.responses_unknown.len()
    );
    let results = api
        .get(&format!("/api/v1/assessments/{}/results", world.round), &admin)
        .await;
    assert_eq!(results["responses"], responses, "{results}");
    for person in &ledger.responses {
        let r = api
            .get(&format!("/api/v1/assessments/{}", world.round), &world.people[*person])
            .await;
        assert_eq!(r["answered"], true, "{r}");
    }
    assert_ideas_consistent(&db);

    // And the database takes writes again.
    api.ok(
        Method::POST,
        "/api/v1/ideas",
        &world.people[0],
        Some(idea(&world.unit, "Nach dem Neustart")),
        201,
    )
    .await;
    eprintln!(
        "killed after {killed_with:?} (ideas, votes, responses) acknowledged; finally acknowledged: {} ideas \
         ({} unknown, {ideas} stored), {acked_votes} votes ({} unknown, {stored_votes} stored), \
         {acked_responses} responses ({} unknown, {responses} stored)",
        ledger.ideas.len(),
        ledger.ideas_unknown,
        ledger.votes_unknown.len(),
        ledger.responses_unknown.len(),
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_loses_nothing_acknowledged_on_sqlite() {
    kill_during_writes(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_loses_nothing_acknowledged_on_postgres() {
    let Some(db) = Db::postgres("kill_9_during_writes_loses_nothing_acknowledged_on_postgres") else {
        return;
    };
    kill_during_writes(db).await;
}

/// Submits ideas as `person`, alternately to both instances while the first lives, then
/// to the second only (whose every answer must be 201).
async fn submit_alternately(
    apis: [Api; 2],
    world: Arc<World>,
    person: usize,
    ledger: Shared,
    first_dead: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) {
    for n in 0_usize.. {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let dead = first_dead.load(Ordering::SeqCst);
        let target = if dead { 1 } else { (n + person) % 2 };
        let title = format!("Zwei Instanzen {person}-{n}");
        let body = idea(&world.unit, &title);
        match apis[target]
            .send(Method::POST, "/api/v1/ideas", &world.people[person], Some(body))
            .await
        {
            Ok((201, r)) => {
                let id = r["id"].as_str().unwrap().to_owned();
                let mut l = ledger.lock().unwrap();
                l.ideas.push((id, title));
                l.served[target] += 1;
                if dead {
                    l.after_kill += 1;
                }
            }
            Ok((status, r)) => ledger
                .lock()
                .unwrap()
                .refused
                .push(format!("instance {target}: idea {status}: {r}")),
            Err(e) => {
                let mut l = ledger.lock().unwrap();
                l.ideas_unknown += 1;
                if target == 1 {
                    l.refused.push(format!("the surviving instance failed: {e}"));
                    return;
                }
            }
        }
    }
}

/// Two `kaizen serve` on one PostgreSQL database: both schedulers start after the
/// schedule's first period came due and exactly one round opens for it; ideas written
/// through both land, and when one instance is killed the other goes on serving and
/// nothing acknowledged is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_open_a_due_round_once_and_survive_a_kill() {
    let Some(db) = Db::postgres("two_instances_on_one_postgres_open_a_due_round_once_and_survive_a_kill") else {
        return;
    };
    // Set up through a first instance, stopped before the period comes due.
    let mut setup = db.start(&[]);
    let api = setup.api();
    let world = Arc::new(set_up(&api, 4, false).await);
    let due = chrono::Utc::now() + chrono::Duration::seconds(4);
    let due_text = due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let schedule = json!({"version": 0, "enabled": true, "interval_months": 12, "window_days": 21,
        "first_due_at": due_text, "title_pattern": "Lernkultur {month}/{year}"});
    let saved = api
        .ok(Method::PUT, "/api/v1/reassessment", &world.admin, Some(schedule), 200)
        .await;
    // Saved before the period is due, so the period is owed once it is.
    assert_eq!(saved["next_due_at"], due_text.as_str(), "{saved}");
    setup.stop();
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM assessment_rounds"), 0);
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(500)).await;

    // Both start at once; each scheduler's first pass runs at its start.
    let extra = [("RUST_LOG", "info,kaizen::scheduler=debug")];
    let (mut first, mut second) = tokio::task::block_in_place(|| {
        std::thread::scope(|s| {
            let a = s.spawn(|| db.start(&extra));
            let b = s.spawn(|| db.start(&extra));
            (a.join().unwrap(), b.join().unwrap())
        })
    });
    let apis = [first.api(), second.api()];
    let deadline = Instant::now() + PATIENCE;
    let round = loop {
        let list = apis[1].get("/api/v1/assessments", &world.admin).await;
        let scheduled: Vec<&Value> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["period_key"].is_string())
            .collect();
        if let [round] = scheduled.as_slice() {
            break (*round).clone();
        }
        assert!(scheduled.is_empty(), "{list}");
        assert!(Instant::now() < deadline, "no scheduled round opened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(round["status"], "open", "{round}");
    let key = round["period_key"].as_str().unwrap().to_owned();

    // Ideas through both, then one instance killed in the middle.
    let ledger: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let first_dead = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..4)
        .map(|person| {
            tokio::spawn(submit_alternately(
                apis.clone(),
                world.clone(),
                person,
                ledger.clone(),
                first_dead.clone(),
                stop.clone(),
            ))
        })
        .collect();
    until(&ledger, |l| l.served[0] >= 10 && l.served[1] >= 10).await;
    first_dead.store(true, Ordering::SeqCst);
    first.kill();
    until(&ledger, |l| l.after_kill >= 20 || !l.refused.is_empty()).await;
    stop.store(true, Ordering::SeqCst);
    finish(tasks).await;
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(ledger.refused.is_empty(), "{:?}", ledger.refused);

    // The survivor has every acknowledged idea, whichever instance answered.
    assert_ideas_kept(&apis[1], &world.admin, &ledger.ideas).await;
    let ideas = db.count("SELECT COUNT(*) AS n FROM ideas");
    let acked = ledger.ideas.len() as i64;
    assert!(
        (acked..=acked + ledger.ideas_unknown as i64).contains(&ideas),
        "{ideas} ideas stored, {acked} acknowledged, {} unknown",
        ledger.ideas_unknown
    );
    assert_ideas_consistent(&db);
    apis[1]
        .ok(
            Method::POST,
            "/api/v1/ideas",
            &world.people[0],
            Some(idea(&world.unit, "Nach dem Ausfall")),
            201,
        )
        .await;

    // Long after both schedulers' first pass: still one round for the period, and one
    // instance reports opening it.
    assert_eq!(
        db.count(&format!(
            "SELECT COUNT(*) AS n FROM assessment_rounds WHERE period_key = '{key}'"
        )),
        1
    );
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM assessment_rounds"), 1);
    let logs = [first.drain().to_owned(), second.drain().to_owned()];
    let opened = |log: &str| {
        log.lines()
            .filter(|l| l.contains("reassessment round opened") && !l.contains("another instance"))
            .count()
    };
    let taken = |log: &str| log.lines().filter(|l| l.contains("by another instance")).count();
    assert_eq!(opened(&logs[0]) + opened(&logs[1]), 1, "{logs:?}");
    eprintln!(
        "one round for period {key}; opened by instance {} (the other {}); ideas: {} acknowledged \
         ({} by the first, {} by the second, {} after the kill), {} unknown, {ideas} stored",
        if opened(&logs[0]) == 1 { 1 } else { 2 },
        if taken(&logs[0]) + taken(&logs[1]) == 1 {
            "hit the unique period key"
        } else {
            "found it done"
        },
        ledger.ideas.len(),
        ledger.served[0],
        ledger.served[1],
        ledger.after_kill,
        ledger.ideas_unknown
    );
    second.stop();
}
