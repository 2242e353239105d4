//! Demo data: `kaizen demo` and `kaizen serve --demo` create the town administration
//! "Stadt Musterstadt" with a year and more of history, so every list, result and report
//! shows something at once; with `--ideas`/`--responses` the same generator builds the
//! large data sets the benchmarks run on.
//!
//! What is created, in one transaction:
//! - the organisation (slug `musterstadt`) with the built-in questionnaire, a unit tree
//!   under the Verwaltungsspitze, and accounts of every role; each role's accounts share
//!   one generated password (or `--password`), printed once and stored only as a hash;
//! - closed assessment rounds half a year apart (by default three, ending about 13, 7
//!   and 1 months ago) with 60–80 % response rates, answered along `survey::TRENDS`;
//! - ideas in every status with their full history: by default the scenario of
//!   `ideas::SCENARIO` (68 ideas), with `--ideas N` exactly N generated ones instead.
//!
//! Randomness is seeded (`--seed`), so a run is reproducible except for the moment it is
//! anchored to, the passwords and the response ids (those are random like live ones).

mod clock;
pub mod ideas;
pub mod lifecycle;
pub mod people;
pub mod rows;
pub mod survey;
pub mod texts;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration as Elapsed, Instant};

use chrono::{Datelike, Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

pub use clock::Clock;

use crate::auth::password::{self, generate_password};
use crate::db::schema::{organizations, questionnaires as questionnaire_table};
use crate::db::{self, DbConnection, DbPool};
use crate::domain::fields;
use crate::domain::roles::Role;
use crate::domain::unit_tree::UnitTree;
use crate::error::ApiError;
use crate::store::{dimensions, organizations as org_store, questionnaires, reassessment};
use ideas::{Fate, Generated, Plan, World};
use people::{Hashes, Person, Staffing};
use rows::RoundRow;
use survey::Respondent;

/// The demo organisation's slug: its presence means the demo was created.
pub const SLUG: &str = "musterstadt";
pub const NAME: &str = "Stadt Musterstadt";
pub const DEFAULT_SEED: u64 = 2026;

/// Limits that keep a typo from filling the disk.
const MAX_IDEAS: usize = 5_000_000;
const MAX_RESPONSES: usize = 200_000;
const MAX_ROUNDS: usize = 40;
const MAX_ORGANIZATIONS: usize = 20_000;
/// The bulk generator's average votes per idea (0–9, and 15–45 for one idea in fifty).
const BULK_VOTES_PER_IDEA: f64 = 5.01;
/// Ideas generated and written per batch in bulk mode.
const IDEA_BATCH: usize = 2_000;
/// Share of the eligible people who answer a bulk round.
const BULK_RESPONSE_RATE: f64 = 0.74;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Exactly this many generated ideas instead of the believable scenario.
    pub ideas: Option<usize>,
    /// Exactly this many responses in every round (enough people are created).
    pub responses: Option<usize>,
    /// Number of rounds; default 20 with `responses`, otherwise 3.
    pub rounds: Option<usize>,
    /// One password for every demo account instead of one generated per role.
    pub password: Option<String>,
    /// Organisations to create; with more than one, `ideas` and `responses` are totals
    /// spread over them by Zipf's law (see `shares`).
    pub organizations: usize,
    /// Average votes per generated idea instead of the generator's five.
    pub votes_per_idea: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            ideas: None,
            responses: None,
            rounds: None,
            password: None,
            organizations: 1,
            votes_per_idea: None,
        }
    }
}

impl Options {
    fn rounds(&self) -> usize {
        self.rounds.unwrap_or(if self.responses.is_some() { 20 } else { 3 })
    }

    fn bulk(&self) -> bool {
        self.ideas.is_some() || self.responses.is_some()
    }

    fn check(&self) -> Result<(), DemoError> {
        let invalid = |m: String| Err(DemoError::Invalid(m));
        if let Some(n) = self.ideas
            && n > MAX_IDEAS
        {
            return invalid(format!("--ideas must be at most {MAX_IDEAS}"));
        }
        if let Some(n) = self.responses
            && !(1..=MAX_RESPONSES).contains(&n)
        {
            return invalid(format!("--responses must be between 1 and {MAX_RESPONSES}"));
        }
        if !(1..=MAX_ROUNDS).contains(&self.rounds()) {
            return invalid(format!("--rounds must be between 1 and {MAX_ROUNDS}"));
        }
        if let Some(p) = &self.password {
            fields::new_password(p).map_err(|m| DemoError::Invalid(format!("--password {m}")))?;
        }
        if !(1..=MAX_ORGANIZATIONS).contains(&self.organizations) {
            return invalid(format!("--organizations must be between 1 and {MAX_ORGANIZATIONS}"));
        }
        if self.organizations > 1 && self.ideas.is_none() {
            return invalid("--organizations needs --ideas (the total over all organisations)".into());
        }
        if let Some(n) = self.responses
            && n < self.organizations
        {
            return invalid("--responses must be at least --organizations (one per organisation)".into());
        }
        if let Some(v) = self.votes_per_idea {
            if self.ideas.is_none() {
                return invalid("--votes-per-idea needs --ideas".into());
            }
            if !(0.0..=40.0).contains(&v) {
                return invalid("--votes-per-idea must be between 0 and 40".into());
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the demo organisation {NAME:?} (slug {SLUG:?}) exists already in this database; \
         use an empty database (or another DATABASE_URL) for a fresh demo"
    )]
    Exists,
    #[error("{0}")]
    Invalid(String),
    #[error("creating the demo failed: {0}")]
    Failed(String),
}

impl From<diesel::result::Error> for DemoError {
    fn from(e: diesel::result::Error) -> Self {
        DemoError::Failed(e.to_string())
    }
}

impl From<ApiError> for DemoError {
    fn from(e: ApiError) -> Self {
        DemoError::Failed(e.to_string())
    }
}

/// An account to log in with.
#[derive(Debug, Clone)]
pub struct Login {
    pub role: Role,
    pub name: String,
    pub email: String,
    pub password: String,
    /// How many accounts of this role share the password.
    pub accounts: usize,
}

#[derive(Debug, Clone)]
pub struct RoundSummary {
    pub id: String,
    pub title: String,
    pub eligible: i64,
    pub responses: usize,
}

/// What was created.
#[derive(Debug, Clone)]
pub struct Summary {
    pub org_id: String,
    pub logins: Vec<Login>,
    pub units: usize,
    pub users: usize,
    pub rounds: Vec<RoundSummary>,
    pub ideas: usize,
    pub votes: usize,
    pub comments: usize,
    pub events: usize,
    pub elapsed: Elapsed,
    /// With several organisations: all of them together (the fields above are the first's).
    pub all: Option<Totals>,
}

/// Counts over every organisation a multi-organisation demo created.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub organizations: usize,
    pub users: usize,
    pub responses: usize,
    pub ideas: usize,
    pub votes: usize,
    pub comments: usize,
    pub events: usize,
}

impl Summary {
    /// The logins as printed once, one line per role: `role e-mail password accounts`.
    pub fn logins_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "  Log in with these accounts. The passwords are shown only now; every account of a role\n  \
             shares its role's password (all e-mails end in @{}).\n",
            people::MAIL_DOMAIN
        );
        let _ = writeln!(out, "  {:<9} {:<40} {:<22} accounts", "role", "e-mail", "password");
        for l in &self.logins {
            let _ = writeln!(
                out,
                "  {:<9} {:<40} {:<22} {}",
                l.role.as_str(),
                l.email,
                l.password,
                l.accounts
            );
        }
        out
    }

    /// One paragraph of counts (and one of the totals with several organisations).
    pub fn counts_text(&self) -> String {
        let responses: usize = self.rounds.iter().map(|r| r.responses).sum();
        let all = self.all.as_ref().map_or_else(String::new, |t| {
            format!(
                "\n  All {} organisations (slugs {SLUG}, kommune-0002 …): {} users, {} responses, \
                 {} ideas with {} history events, {} votes and {} comments.",
                t.organizations, t.users, t.responses, t.ideas, t.events, t.votes, t.comments
            )
        });
        format!(
            "  {NAME} ({SLUG}): {} units, {} users, {} closed assessment rounds with {} responses, \
             {} ideas with {} history events, {} votes and {} comments; generated in {:.1} s.{all}",
            self.units,
            self.users,
            self.rounds.len(),
            responses,
            self.ideas,
            self.events,
            self.votes,
            self.comments,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Whether the demo organisation exists in this database.
pub fn exists(conn: &mut DbConnection) -> Result<bool, DemoError> {
    Ok(org_store::find_by_slug(conn, SLUG)?.is_some())
}

/// Reports progress with the time since the start.
struct Progress<'a> {
    started: Instant,
    sink: &'a mut dyn FnMut(&str),
}

impl Progress<'_> {
    fn say(&mut self, what: &str) {
        let line = format!("[{:>6.1} s] {what}", self.started.elapsed().as_secs_f64());
        (self.sink)(&line);
    }
}

/// Creates the demo organisation (see the module documentation). Runs on a blocking
/// thread; `progress` receives one line per step.
pub fn create(
    conn: &mut DbConnection,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Summary, DemoError> {
    let mut progress = Progress {
        started: Instant::now(),
        sink: progress,
    };
    options.check()?;
    if exists(conn)? {
        return Err(DemoError::Exists);
    }
    let passwords: [(Role, String); 4] = [Role::Admin, Role::Manager, Role::Lead, Role::Employee]
        .map(|r| (r, options.password.clone().unwrap_or_else(generate_password)));
    let hash = |role: Role| -> Result<String, DemoError> {
        let plain = passwords
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, p)| p.as_str())
            .unwrap_or_default();
        Ok(password::hash_blocking(plain)?)
    };
    // Bulk accounts share these hashes: hashing thousands would take minutes.
    let hashes = Hashes {
        admin: hash(Role::Admin)?,
        manager: hash(Role::Manager)?,
        lead: hash(Role::Lead)?,
        employee: hash(Role::Employee)?,
    };
    let clock = Clock::new(db::now());
    let plans = OrgPlan::all(options);
    let mut summary: Option<Summary> = None;
    let mut totals = Totals {
        organizations: plans.len(),
        ..Totals::default()
    };
    for (i, plan) in plans.iter().enumerate() {
        // The first organisation is the one a single-organisation demo with its sizes and
        // the same seed creates; each further one has a seed of its own.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(options.seed.wrapping_add(i as u64));
        // One transaction per organisation; only the first tells its steps.
        let built = if i == 0 {
            db::write_tx(conn, |conn| {
                build(conn, plan, &clock, &hashes, &passwords, &mut rng, &mut progress)
            })?
        } else {
            let mut quiet = |_: &str| {};
            let mut own = Progress {
                started: progress.started,
                sink: &mut quiet,
            };
            db::write_tx(conn, |conn| {
                build(conn, plan, &clock, &hashes, &passwords, &mut rng, &mut own)
            })?
        };
        totals.users += built.users;
        totals.responses += built.rounds.iter().map(|r| r.responses).sum::<usize>();
        totals.ideas += built.ideas;
        totals.votes += built.votes;
        totals.comments += built.comments;
        totals.events += built.events;
        if plans.len() > 1 && ((i + 1) % 50 == 0 || i + 1 == plans.len()) {
            progress.say(&format!(
                "organisations {}/{}: {} ideas, {} votes, {} responses so far",
                i + 1,
                plans.len(),
                totals.ideas,
                totals.votes,
                totals.responses
            ));
        }
        summary.get_or_insert(built);
    }
    let mut summary = summary.ok_or_else(|| DemoError::Failed("no organisation was planned".into()))?;
    if plans.len() > 1 {
        summary.all = Some(totals);
    }
    if options.bulk()
        && let DbConnection::Postgresql(pg) = conn
    {
        // Fresh statistics and visibility map, as autovacuum would produce them soon, so
        // the first requests are planned and read like later ones (index-only scans need
        // the visibility map: measured, reports took twice as long without it).
        diesel::sql_query("VACUUM (ANALYZE)").execute(pg)?;
    }
    summary.elapsed = progress.started.elapsed();
    progress.say("done");
    Ok(summary)
}

/// The timeline: round `j` of `rounds` closes this many days ago (about 1, 7, 13 …
/// months), its window opening three weeks earlier.
fn close_days(j: usize, rounds: usize) -> i64 {
    30 + 182 * (rounds - 1 - j) as i64
}

const WINDOW_DAYS: i64 = 21;

fn round_title(closes: NaiveDateTime) -> String {
    let (year, month) = (closes.year(), closes.month());
    let season = match month {
        3..=5 => format!("Frühjahr {year}"),
        6..=8 => format!("Sommer {year}"),
        9..=11 => format!("Herbst {year}"),
        12 => format!("Winter {year}/{:02}", (year + 1) % 100),
        _ => format!("Winter {}/{:02}", year - 1, year % 100),
    };
    format!("Befragung Lernkultur {season}")
}

/// How a unit tends to answer compared with the organisation (small, fixed).
fn unit_offset(key: &str) -> f64 {
    match key {
        "rathaus" => 0.25,
        "it" => 0.2,
        "personal" => 0.15,
        "standesamt" | "fb1" | "fb2" | "fb3" => 0.1,
        "buergeramt" => -0.05,
        "bauamt" => -0.1,
        "ordnungsamt" => -0.15,
        "bauhof" => -0.2,
        _ => 0.0,
    }
}

/// One organisation to generate: its name and sizes.
#[derive(Debug, Clone)]
struct OrgPlan {
    name: String,
    slug: String,
    ideas: Option<usize>,
    responses: Option<usize>,
    rounds: usize,
    /// Factor on the bulk generator's votes per idea.
    vote_scale: f64,
}

impl OrgPlan {
    /// The organisations `options` asks for: the first is the demo town (Stadt
    /// Musterstadt), the others `kommune-0002` …; their ideas and responses are shares
    /// of the totals.
    fn all(options: &Options) -> Vec<OrgPlan> {
        let n = options.organizations.max(1);
        let ideas = options.ideas.map(|t| shares(t, n, 0));
        let responses = options.responses.map(|t| shares(t, n, 1));
        let vote_scale = options.votes_per_idea.map_or(1.0, |v| v / BULK_VOTES_PER_IDEA);
        (0..n)
            .map(|i| OrgPlan {
                name: if i == 0 {
                    NAME.to_owned()
                } else {
                    format!("Kommune {:04}", i + 1)
                },
                slug: if i == 0 {
                    SLUG.to_owned()
                } else {
                    format!("kommune-{:04}", i + 1)
                },
                ideas: ideas.as_ref().and_then(|v| v.get(i).copied()),
                responses: responses.as_ref().and_then(|v| v.get(i).copied()),
                rounds: options.rounds(),
                vote_scale,
            })
            .collect()
    }
}

/// `total` split over `n` organisations by Zipf's law (the k-th largest gets a share
/// proportional to 1/k, as town sizes roughly are: most small, a few large), each at
/// least `floor`, largest remainders rounded up so the parts add up to `total` (given
/// `total >= n * floor`).
fn shares(total: usize, n: usize, floor: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let spread = total.saturating_sub(n * floor);
    let harmonic: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let exact: Vec<f64> = (1..=n).map(|k| spread as f64 / (k as f64 * harmonic)).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = spread.saturating_sub(parts.iter().sum());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (exact[*a] - exact[*a].floor(), exact[*b] - exact[*b].floor());
        rb.total_cmp(&ra).then(a.cmp(b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| p + floor).collect()
}

#[allow(clippy::too_many_arguments)]
fn build(
    conn: &mut DbConnection,
    plan: &OrgPlan,
    clock: &Clock,
    hashes: &Hashes,
    passwords: &[(Role, String); 4],
    rng: &mut Xoshiro256PlusPlus,
    progress: &mut Progress<'_>,
) -> Result<Summary, DemoError> {
    let rounds = plan.rounds;
    let founded_days = close_days(0, rounds) + WINDOW_DAYS + 45;
    let founded = clock.at(founded_days, 8, 0);

    // The organisation and its questionnaire, through the store, dated back.
    let org = org_store::insert(conn, &plan.name, &plan.slug).map_err(|e| match e {
        // Another process created it after the check above.
        ApiError::Conflict { .. } => DemoError::Exists,
        other => other.into(),
    })?;
    diesel::update(organizations::table.find(&org.id))
        .set((
            organizations::created_at.eq(founded),
            organizations::updated_at.eq(founded),
        ))
        .execute(conn)?;
    questionnaires::ensure_builtin(conn, &org.id)?;
    let questionnaire = questionnaires::builtin_of(conn, &org.id)?
        .ok_or_else(|| DemoError::Failed("the built-in questionnaire is missing".into()))?;
    diesel::update(questionnaire_table::table.find(&questionnaire.id))
        .set((
            questionnaire_table::created_at.eq(founded),
            questionnaire_table::published_at.eq(Some(founded)),
        ))
        .execute(conn)?;
    let content = questionnaires::load(conn, &org.id, &questionnaire.id)?;
    let instrument = content.instrument();
    let dimension_keys = dimensions::current_keys(conn, &org.id)?;

    let units = people::units(&org.id, founded, rng);
    rows::insert_units(conn, &units.iter().map(|u| u.row.clone()).collect::<Vec<_>>())?;
    let tree = UnitTree::new(units.iter().map(|u| (u.row.id.clone(), u.row.parent_id.clone())));
    let unit_ids: Vec<(&'static str, String)> = units.iter().map(|u| (u.key, u.row.id.clone())).collect();

    // People: bulk responses need enough eligible people; the believable demo hires a few
    // between the rounds, so the eligible headcount grows.
    let planned: usize = people::UNITS.iter().map(|u| u.employees).sum::<usize>() - people::NAMED_EMPLOYEES.len();
    let named = 1
        + people::MANAGERS.len()
        + people::UNITS.iter().filter(|u| u.lead.is_some()).count()
        + people::NAMED_EMPLOYEES.len();
    let employees = match plan.responses {
        Some(n) => planned.max(((n as f64 / BULK_RESPONSE_RATE).ceil() as usize).saturating_sub(named)),
        None => planned,
    };
    let hires: Vec<NaiveDateTime> = if plan.responses.is_none() && rounds >= 2 {
        let mut h = Vec::new();
        for j in 1..rounds.min(3) {
            let (from, to) = (close_days(j - 1, rounds), close_days(j, rounds) + WINDOW_DAYS + 5);
            for _ in 0..(7 - j) {
                let day = clock.workday(rng.random_range(to..from));
                h.push(clock.office(day, rng));
            }
        }
        h.sort();
        h
    } else {
        Vec::new()
    };
    let staffing = Staffing {
        org_id: org.id.clone(),
        founded: founded + Duration::minutes(30),
        employees,
        hires,
    };
    let people = people::people(&staffing, &units, rng);
    rows::insert_users(conn, &people::user_rows(&org.id, &people, hashes))?;
    progress.say(&format!("{} units, {} users", units.len(), people.len()));

    let admin = people
        .iter()
        .find(|p| p.role == Role::Admin)
        .ok_or_else(|| DemoError::Failed("no admin".into()))?;
    let mut round_summaries = Vec::with_capacity(rounds);
    for j in 0..rounds {
        let close = close_days(j, rounds);
        let opens_at = clock.at(close + WINDOW_DAYS, 7, 0);
        let closes_at = clock.at(close, 16, 0);
        let opened_at = opens_at + Duration::seconds(rng.random_range(1..30));
        let closed_at = closes_at + Duration::seconds(rng.random_range(1..30));
        let created_at = opens_at - Duration::days(10) + Duration::minutes(rng.random_range(60..480));
        let eligible: Vec<&Person> = people.iter().filter(|p| p.created_at <= opened_at).collect();
        let wanted = match plan.responses {
            Some(n) => n,
            None => {
                let x = if rounds > 1 {
                    j as f64 / (rounds - 1) as f64
                } else {
                    1.0
                };
                let rate = 0.64 + 0.13 * x + rng.random_range(-0.02..0.02);
                (eligible.len() as f64 * rate).round() as usize
            }
        };
        if wanted > eligible.len() {
            return Err(DemoError::Invalid(format!(
                "round {} would need {wanted} respondents but has only {} eligible people",
                j + 1,
                eligible.len()
            )));
        }
        let round_id = clock::id_at(created_at, rng);
        let title = round_title(closes_at);
        rows::insert_rounds(
            conn,
            &[RoundRow {
                id: round_id.clone(),
                org_id: org.id.clone(),
                questionnaire_id: questionnaire.id.clone(),
                title: title.clone(),
                scope_unit_id: None,
                status: "closed".into(),
                opens_at,
                closes_at,
                opened_at: Some(opened_at),
                closed_at: Some(closed_at),
                eligible_count: Some(eligible.len() as i64),
                created_by: admin.id.clone(),
                // Created, opened and closed.
                version: 3,
                created_at,
                updated_at: closed_at,
            }],
        )?;
        let respondents: Vec<Respondent> = eligible
            .sample(rng, wanted)
            .map(|p| Respondent {
                user_id: p.id.clone(),
                unit_id: Some(p.unit_id.clone()),
                unit_offset: unit_offset(p.unit_key),
            })
            .collect();
        let answered = survey::answer_round(&instrument, &org.id, &round_id, j, rounds, &respondents, rng);
        rows::insert_participation(conn, &answered.participation)?;
        rows::insert_responses(conn, &answered.responses)?;
        rows::insert_answers(conn, &answered.answers)?;
        rows::insert_scores(conn, &answered.scores)?;
        // As closing a round does: its results are published once.
        let round = crate::store::assessments::find(conn, &org.id, &round_id)?;
        crate::store::round_results::publish(conn, &round)?;
        progress.say(&format!(
            "round {}/{rounds} \"{title}\": {wanted} of {} eligible answered",
            j + 1,
            eligible.len()
        ));
        round_summaries.push(RoundSummary {
            id: round_id,
            title,
            eligible: eligible.len() as i64,
            responses: wanted,
        });
    }

    // The believable ideas start after the first round showed where to improve.
    let earliest = if plan.ideas.is_some() {
        founded_days - 5
    } else {
        close_days(0, rounds) - 8
    };
    // Leads and managers follow the ideas; about half the employees vote and comment.
    let engaged: Vec<usize> = (0..people.len())
        .filter(|i| people[*i].role != Role::Employee || rng.random_bool(0.5))
        .collect();
    let world = World::new(&org.id, *clock, &tree, &people, &unit_ids, earliest, &dimension_keys)
        .with_engaged(&engaged)
        .with_vote_scale(plan.vote_scale);
    let mut counts = Counts::default();
    match plan.ideas {
        None => scenario(conn, &world, rng, &mut counts)?,
        Some(n) => bulk_ideas(conn, &world, n, rng, &mut counts, progress)?,
    }
    progress.say(&format!(
        "{} ideas, {} events, {} votes, {} comments",
        counts.ideas, counts.events, counts.votes, counts.comments
    ));

    let count = |role: Role| people.iter().filter(|p| p.role == role).count();
    let login = |role: Role, who: Option<&Person>| -> Option<Login> {
        let who = who?;
        Some(Login {
            role,
            name: who.name.clone(),
            email: who.email.clone(),
            password: passwords
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
            accounts: count(role),
        })
    };
    let first = |role: Role, unit: Option<&str>| {
        people
            .iter()
            .find(|p| p.role == role && unit.is_none_or(|u| p.unit_key == u))
    };
    // The rhythm the rounds followed goes on: every six months, three weeks to answer,
    // counted from the first round. Saved now, it opens no round for the past.
    let first_opening = clock.at(close_days(0, rounds) + WINDOW_DAYS, 7, 0);
    let schedule = reassessment::ScheduleSettings {
        enabled: true,
        questionnaire_id: None,
        interval_months: 6,
        window_days: WINDOW_DAYS,
        first_due_at: first_opening,
        title_pattern: "Lernkultur {month}/{year}".into(),
    };
    reassessment::save(conn, &org.id, 0, &schedule, &admin.id)?
        .map_err(|_| DemoError::Failed("the reassessment schedule exists already".into()))?;

    let logins = [
        login(Role::Admin, first(Role::Admin, None)),
        login(Role::Manager, first(Role::Manager, None)),
        login(Role::Lead, first(Role::Lead, Some("buergeramt"))),
        login(Role::Employee, first(Role::Employee, Some("buergeramt"))),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok(Summary {
        org_id: org.id,
        logins,
        units: units.len(),
        users: people.len(),
        rounds: round_summaries,
        ideas: counts.ideas,
        votes: counts.votes,
        comments: counts.comments,
        events: counts.events,
        elapsed: Elapsed::ZERO,
        all: None,
    })
}

#[derive(Debug, Default)]
struct Counts {
    ideas: usize,
    events: usize,
    votes: usize,
    comments: usize,
}

/// Writes generated ideas, earlier submissions first (a duplicate's target precedes it).
fn write_ideas(conn: &mut DbConnection, mut batch: Vec<Generated>, counts: &mut Counts) -> Result<(), DemoError> {
    batch.sort_by(|a, b| (a.life.idea.created_at, &a.life.idea.id).cmp(&(b.life.idea.created_at, &b.life.idea.id)));
    let mut ideas = Vec::with_capacity(batch.len());
    let (mut dims, mut co, mut cycles, mut events, mut spans, mut votes, mut comments) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for g in batch {
        ideas.push(g.life.idea_row());
        cycles.extend(g.life.cycle_rows());
        events.extend(g.life.events);
        spans.extend(g.life.spans);
        dims.extend(g.dimensions);
        co.extend(g.co_authors);
        votes.extend(g.votes);
        comments.extend(g.comments);
    }
    counts.ideas += rows::insert_ideas(conn, &ideas)?;
    rows::insert_idea_dimensions(conn, &dims)?;
    // New ideas move the report counter from the code on SQLite (no trigger there).
    let mut orgs: Vec<&str> = ideas.iter().map(|i| i.org_id.as_str()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    for org in &orgs {
        crate::store::report_cache::ideas_inserted(conn, org)?;
    }
    rows::insert_coauthors(conn, &co)?;
    rows::insert_cycles(conn, &cycles)?;
    counts.events += rows::insert_events(conn, &events)?;
    rows::insert_spans(conn, &spans)?;
    counts.votes += rows::insert_votes(conn, &votes)?;
    // New votes move the people's counter from the code on PostgreSQL (no trigger there).
    if !votes.is_empty() {
        for org in &orgs {
            crate::store::report_cache::votes_inserted(conn, org)?;
        }
    }
    counts.comments += rows::insert_comments(conn, &comments)?;
    Ok(())
}

/// The believable ideas of `ideas::SCENARIO`.
fn scenario(
    conn: &mut DbConnection,
    world: &World<'_>,
    rng: &mut Xoshiro256PlusPlus,
    counts: &mut Counts,
) -> Result<(), DemoError> {
    let mut done: Vec<Generated> = Vec::with_capacity(ideas::SCENARIO.len());
    for scene in &ideas::SCENARIO {
        let text = texts::IDEAS
            .get(scene.text)
            .ok_or_else(|| DemoError::Failed(format!("no idea text {}", scene.text)))?;
        let duplicate_of = match scene.fate {
            Fate::Duplicate(of) => done.get(of).map(|g| {
                let i = &g.life.idea;
                ((i.created_at, i.id.clone(), i.duplicate_of_id.clone()), i.title.clone())
            }),
            _ => None,
        };
        let plan = Plan {
            text,
            fate: scene.fate,
            anchor: scene.anchor,
            author: scene.author,
            duplicate_of,
            lively: true,
        };
        done.push(ideas::generate(world, &plan, rng).map_err(DemoError::Failed)?);
    }
    write_ideas(conn, done, counts)
}

/// `n` generated ideas in batches; closed ones spread over the whole history, open ones
/// mostly recent.
fn bulk_ideas(
    conn: &mut DbConnection,
    world: &World<'_>,
    n: usize,
    rng: &mut Xoshiro256PlusPlus,
    counts: &mut Counts,
    progress: &mut Progress<'_>,
) -> Result<(), DemoError> {
    // Texts that are not second submissions of another.
    let templates = &texts::IDEAS[..66];
    // Earlier ideas that may be duplicated: (days ago, created_at, id, title).
    let mut originals: Vec<(i64, NaiveDateTime, String, String)> = Vec::new();
    let mut batch: Vec<Generated> = Vec::with_capacity(IDEA_BATCH);
    let span = (world.earliest - 30).max(2);
    let author_index: HashMap<&str, usize> = world
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    for i in 0..n {
        let text = templates.choose(rng).unwrap_or(&templates[0]);
        let mut fate = ideas::random_fate(rng);
        let mut anchor = if fate.open() {
            rng.random_range(1..=120.min(span))
        } else {
            rng.random_range(1..=span)
        };
        let mut duplicate_of = None;
        if let Fate::Duplicate(_) = fate {
            // Submitted after its target: anchored at least the longest review time later.
            let target = originals.choose(rng).filter(|t| t.0 > 24);
            match target {
                Some((days, created, id, title)) => {
                    anchor = rng.random_range(1..=(days - 23));
                    duplicate_of = Some(((*created, id.clone(), None), title.clone()));
                }
                None => fate = Fate::Rejected,
            }
        }
        let plan = Plan {
            text,
            fate,
            anchor,
            author: ideas::random_author(rng, i),
            duplicate_of,
            lively: false,
        };
        let mut generated = ideas::generate(world, &plan, rng).map_err(DemoError::Failed)?;
        // A code word names one author: make the bulk ones distinct per author.
        if let Some(word) = &mut generated.life.idea.code_word {
            let who = author_index
                .get(generated.life.idea.author_id.as_str())
                .copied()
                .unwrap_or(i);
            *word = format!("{word} {who}");
        }
        let idea = &generated.life.idea;
        if idea.duplicate_of_id.is_none() {
            originals.push((
                world.clock.days_ago(idea.created_at),
                idea.created_at,
                idea.id.clone(),
                idea.title.clone(),
            ));
        }
        batch.push(generated);
        if batch.len() == IDEA_BATCH || i + 1 == n {
            write_ideas(conn, std::mem::take(&mut batch), counts)?;
            progress.say(&format!("ideas {}/{n}", i + 1));
        }
    }
    Ok(())
}

/// For `serve --demo`: creates the demo unless the database holds it already. `None`
/// when it was there (also when another instance created it at the same moment).
pub async fn ensure(pool: &DbPool, options: Options) -> Result<Option<Summary>, String> {
    let pool = pool.clone();
    actix_web::web::block(move || -> Result<Option<Summary>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        if exists(&mut conn).map_err(|e| e.to_string())? {
            return Ok(None);
        }
        let mut log = |line: &str| tracing::info!("demo: {line}");
        match create(&mut conn, &options, &mut log) {
            Ok(summary) => Ok(Some(summary)),
            Err(DemoError::Exists) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_zipf_and_add_up() {
        let parts = shares(500_000, 1_000, 0);
        assert_eq!(parts.iter().sum::<usize>(), 500_000);
        assert!(parts.windows(2).all(|w| w[0] >= w[1]));
        // 1 / H(1000) of the total goes to the largest, half of that to the second.
        assert!(parts[0].abs_diff(66_796) <= 1);
        assert!(parts[1].abs_diff(33_398) <= 1);
        assert!(parts[999].abs_diff(67) <= 1);
        let with_floor = shares(25_000, 1_000, 1);
        assert_eq!(with_floor.iter().sum::<usize>(), 25_000);
        assert!(with_floor.iter().all(|p| *p >= 1));
        assert_eq!(shares(7, 1, 1), vec![7]);
        assert_eq!(shares(0, 3, 0), vec![0, 0, 0]);
    }
}
