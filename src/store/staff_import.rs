//! What a staff list changes, and changing it in one transaction: units along the listed
//! paths are created, people are matched by personnel number (else e-mail) and created or
//! updated, and — only when asked — active people missing from the list are deactivated
//! (never administrators: a break-glass account is rarely in a personnel system's list).
//! The plan is made inside the same transaction that applies it, under the organisation's
//! lock, so a concurrent change cannot slip between what was decided and what is written;
//! importing the same list twice changes nothing the second time.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{units, users};
use crate::db::{self, DbConnection};
use crate::domain::roles::Role;
use crate::domain::staff_import::{LineProblem, StaffRow};
use crate::error::ApiError;
use crate::store::organizations;
use crate::store::units::NewUnit;
use crate::store::users::{NewUser, User};

/// A password hash no password matches: people created by an import sign in once an
/// administrator reset their password (or through single sign-on).
pub const NO_PASSWORD: &str = "!imported";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedPerson {
    pub line: usize,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The unit's path, `Fachbereich/Amt`.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedUpdate {
    pub line: usize,
    pub user_id: String,
    pub email: String,
    /// What changes: `name`, `email`, `role`, `unit`, `personnel_number`, `reactivated`.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedDeactivation {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportProblem {
    /// Line in the file; 1 is the header.
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// What an import changes (a dry run) or changed.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// The changes were written (false for a dry run and when there are problems).
    pub applied: bool,
    pub units_created: Vec<String>,
    pub created: Vec<PlannedPerson>,
    pub updated: Vec<PlannedUpdate>,
    pub deactivated: Vec<PlannedDeactivation>,
    /// Listed people whose account already matches the list.
    pub unchanged: usize,
    /// Active people not in the list, kept because deactivation was not asked for (or
    /// because they are administrators).
    pub not_listed_kept: usize,
    /// Nothing is written while there is one.
    pub problems: Vec<ImportProblem>,
}

impl From<LineProblem> for ImportProblem {
    fn from(p: LineProblem) -> Self {
        Self {
            line: p.line,
            field: p.field,
            message: p.message,
        }
    }
}

struct UnitIndex {
    /// Each unit's path from its top unit, names in order.
    parts: Vec<(String, Vec<String>)>,
    path_of: HashMap<String, String>,
    /// Paths looked up already.
    found: HashMap<Vec<String>, Result<Option<String>, String>>,
}

fn unit_index(conn: &mut DbConnection, org_id: &str) -> Result<UnitIndex, ApiError> {
    let rows: Vec<(String, Option<String>, String)> = units::table
        .filter(units::org_id.eq(org_id))
        .select((units::id, units::parent_id, units::name))
        .load(conn)?;
    let parent: HashMap<&str, (Option<&str>, &str)> = rows
        .iter()
        .map(|(id, p, name)| (id.as_str(), (p.as_deref(), name.as_str())))
        .collect();
    let mut index = UnitIndex {
        parts: Vec::new(),
        path_of: HashMap::new(),
        found: HashMap::new(),
    };
    for (id, _, name) in &rows {
        let mut parts = vec![name.as_str()];
        let mut at = parent.get(id.as_str()).and_then(|(p, _)| *p);
        // The tree has no cycles (moves are checked); the bound guards anyway.
        for _ in 0..rows.len() {
            let Some(p) = at else { break };
            let Some((up, pname)) = parent.get(p) else { break };
            parts.push(pname);
            at = *up;
        }
        parts.reverse();
        index.path_of.insert(id.clone(), parts.join("/"));
        index
            .parts
            .push((id.clone(), parts.into_iter().map(str::to_owned).collect()));
    }
    Ok(index)
}

impl UnitIndex {
    /// The unit whose path ends with `path`: the whole path from a top unit, or its last
    /// parts (`Bürgeramt`, `Bürgerdienste/Bürgeramt`) when only one unit's path ends so.
    fn by_suffix(&mut self, path: &[String]) -> Result<Option<String>, String> {
        if let Some(known) = self.found.get(path) {
            return known.clone();
        }
        let matches: Vec<&String> = self
            .parts
            .iter()
            .filter(|(_, parts)| parts.ends_with(path))
            .map(|(id, _)| id)
            .collect();
        let exact = self
            .parts
            .iter()
            .find(|(_, parts)| parts.as_slice() == path)
            .map(|(id, _)| id);
        let result = match (exact, matches.as_slice()) {
            (Some(id), _) => Ok(Some(id.clone())),
            (None, []) => Ok(None),
            (None, [one]) => Ok(Some((*one).clone())),
            (None, _) => Err(format!(
                "several units are called \"{}\": give more of the path, e.g. Fachbereich/{}",
                path.join("/"),
                path.join("/")
            )),
        };
        self.found.insert(path.to_vec(), result.clone());
        result
    }

    /// The longest beginning of `path` that names a unit, and how many parts it has;
    /// `(None, 0)` when not even the first part does (the rest is created at the top).
    fn locate(&mut self, path: &[String]) -> Result<(Option<String>, usize), String> {
        for n in (1..=path.len()).rev() {
            if let Some(id) = self.by_suffix(&path[..n])? {
                return Ok((Some(id), n));
            }
        }
        Ok((None, 0))
    }
}

/// Decides and — unless `dry_run` or there are problems — writes what the list changes.
/// `problems` are those of reading the file; more are found here (an e-mail held by
/// another person, the last administrator demoted).
pub fn run(
    conn: &mut DbConnection,
    org_id: &str,
    caller_id: &str,
    rows: &[StaffRow],
    problems: Vec<LineProblem>,
    deactivate_missing: bool,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    if dry_run {
        let (report, _) = plan(conn, org_id, caller_id, rows, problems, deactivate_missing)?;
        return Ok(report);
    }
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let (mut report, work) = plan(conn, org_id, caller_id, rows, problems, deactivate_missing)?;
        report.dry_run = false;
        if report.problems.is_empty() {
            write(conn, org_id, work)?;
            report.applied = true;
        }
        Ok(report)
    })
}

/// (user id, row, new role, new unit: `Some(None)` takes the person out of any unit).
type Update = (String, StaffRow, Option<Role>, Option<Option<Target>>);

/// The writes a plan needs.
struct Work {
    /// Units to create, parents first: (key, parent, name).
    units: Vec<(String, Target, String)>,
    creates: Vec<(StaffRow, Role, Option<Target>)>,
    updates: Vec<Update>,
    deactivations: Vec<String>,
}

fn plan(
    conn: &mut DbConnection,
    org_id: &str,
    caller_id: &str,
    rows: &[StaffRow],
    problems: Vec<LineProblem>,
    deactivate_missing: bool,
) -> Result<(ImportReport, Work), ApiError> {
    let mut report = ImportReport {
        dry_run: true,
        problems: problems.into_iter().map(ImportProblem::from).collect(),
        ..Default::default()
    };
    let mut work = Work {
        units: Vec::new(),
        creates: Vec::new(),
        updates: Vec::new(),
        deactivations: Vec::new(),
    };
    let mut index = unit_index(conn, org_id)?;
    let people: Vec<User> = users::table.filter(users::org_id.eq(org_id)).load(conn)?;
    let by_number: HashMap<&str, usize> = people
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.personnel_number.as_deref().map(|n| (n, i)))
        .collect();
    let by_email: HashMap<&str, usize> = people.iter().enumerate().map(|(i, u)| (u.email.as_str(), i)).collect();
    let mut planned_units: HashSet<String> = HashSet::new();
    let mut listed: HashSet<usize> = HashSet::new();
    // Role per person after the import, for the last-administrator check.
    let mut role_after: Vec<(Role, bool)> = people.iter().map(|u| (u.role(), u.active)).collect();
    for row in rows {
        let mut problem = |field: &str, message: String| {
            report.problems.push(ImportProblem {
                line: row.line,
                field: field.to_owned(),
                message,
            })
        };
        // Which unit: existing, or created along the path below the part that exists.
        let unit = match &row.unit_path {
            None => None,
            Some(path) => match index.locate(path) {
                Ok((Some(id), n)) if n == path.len() => Some(Target::Existing(id)),
                Ok((base, n)) => {
                    let mut parent = match &base {
                        Some(id) => Target::Existing(id.clone()),
                        None => Target::Top,
                    };
                    let above = base.as_ref().map(|id| index.path_of[id].clone());
                    for depth in n + 1..=path.len() {
                        let rest = path[n..depth].join("/");
                        let key = format!("{}|{rest}", base.as_deref().unwrap_or(""));
                        if planned_units.insert(key.clone()) {
                            work.units.push((key.clone(), parent.clone(), path[depth - 1].clone()));
                            report.units_created.push(match &above {
                                Some(a) => format!("{a}/{rest}"),
                                None => rest.clone(),
                            });
                        }
                        parent = Target::New(key);
                    }
                    Some(parent)
                }
                Err(message) => {
                    problem("unit", message);
                    continue;
                }
            },
        };
        let found = row
            .personnel_number
            .as_deref()
            .and_then(|n| by_number.get(n).copied())
            .or_else(|| by_email.get(row.email.as_str()).copied());
        match found {
            None => {
                if by_email.contains_key(row.email.as_str()) {
                    problem("email", "belongs to another person in this organisation".into());
                    continue;
                }
                let role = row.role.unwrap_or(Role::Employee);
                report.created.push(PlannedPerson {
                    line: row.line,
                    name: row.name.clone(),
                    email: row.email.clone(),
                    role,
                    unit: row.unit_path.as_ref().map(|p| p.join("/")),
                });
                work.creates.push((row.clone(), role, unit));
            }
            Some(i) => {
                let user = &people[i];
                if !listed.insert(i) {
                    problem("email", "names a person listed on another line already".into());
                    continue;
                }
                if let Some(&other) = by_email.get(row.email.as_str())
                    && other != i
                {
                    problem("email", "belongs to another person in this organisation".into());
                    continue;
                }
                if let (Some(theirs), Some(listed_number)) = (&user.personnel_number, &row.personnel_number)
                    && theirs != listed_number
                {
                    problem(
                        "personnel_number",
                        format!("this e-mail belongs to the person with personnel number {theirs}"),
                    );
                    continue;
                }
                let mut changes = Vec::new();
                if user.display_name != row.name {
                    changes.push("name");
                }
                if user.email != row.email {
                    changes.push("email");
                }
                let role = row.role.filter(|r| *r != user.role());
                if role.is_some() {
                    changes.push("role");
                }
                let unit_changes = match &unit {
                    None => false,
                    Some(Target::Existing(id)) => user.unit_id.as_deref() != Some(id.as_str()),
                    Some(_) => true,
                };
                if unit_changes {
                    changes.push("unit");
                }
                if user.personnel_number.is_none() && row.personnel_number.is_some() {
                    changes.push("personnel_number");
                }
                if !user.active {
                    changes.push("reactivated");
                }
                role_after[i] = (role.unwrap_or(user.role()), true);
                if changes.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated.push(PlannedUpdate {
                        line: row.line,
                        user_id: user.id.clone(),
                        email: row.email.clone(),
                        changes: changes.into_iter().map(str::to_owned).collect(),
                    });
                    work.updates.push((
                        user.id.clone(),
                        row.clone(),
                        role,
                        unit.filter(|_| unit_changes).map(Some),
                    ));
                }
            }
        }
    }
    for (i, user) in people.iter().enumerate() {
        if !user.active || listed.contains(&i) {
            continue;
        }
        if deactivate_missing && user.role() != Role::Admin && user.id != caller_id {
            report.deactivated.push(PlannedDeactivation {
                user_id: user.id.clone(),
                name: user.display_name.clone(),
                email: user.email.clone(),
            });
            work.deactivations.push(user.id.clone());
            role_after[i].1 = false;
        } else {
            report.not_listed_kept += 1;
        }
    }
    if !role_after.iter().any(|(role, active)| *role == Role::Admin && *active) {
        report.problems.push(ImportProblem {
            line: 1,
            field: "role".into(),
            message: "the list leaves the organisation without an active admin; keep at least one".into(),
        });
    }
    report.problems.sort_by_key(|p| p.line);
    Ok((report, work))
}

#[derive(Debug, Clone)]
enum Target {
    Existing(String),
    /// A unit the import creates, by its key.
    New(String),
    /// No parent: a top unit.
    Top,
}

fn write(conn: &mut DbConnection, org_id: &str, work: Work) -> Result<(), ApiError> {
    let now = db::now();
    let mut created: HashMap<String, String> = HashMap::new();
    let id_of = |target: &Target, created: &HashMap<String, String>| match target {
        Target::Existing(id) => Some(id.clone()),
        Target::New(key) => created.get(key).cloned(),
        Target::Top => None,
    };
    for (key, parent, name) in work.units {
        let new = NewUnit {
            id: db::new_id(),
            org_id: org_id.to_owned(),
            parent_id: id_of(&parent, &created),
            name,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(units::table).values(&new).execute(conn)?;
        created.insert(key, new.id);
    }
    let unit_of = |target: &Option<Target>| target.as_ref().and_then(|t| id_of(t, &created));
    let fresh: Vec<NewUser> = work
        .creates
        .iter()
        .map(|(row, role, unit)| {
            let mut new = NewUser::new(
                org_id,
                row.email.clone(),
                row.name.clone(),
                *role,
                unit_of(unit),
                NO_PASSWORD.to_owned(),
                true,
            );
            new.personnel_number = row.personnel_number.clone();
            new
        })
        .collect();
    // Many rows per statement; the multi-backend connection cannot batch, each backend can.
    for chunk in fresh.chunks(500) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(users::table).values(chunk).execute(c)?,
            DbConnection::Postgresql(c) => diesel::insert_into(users::table).values(chunk).execute(c)?,
        };
    }
    for (id, row, role, unit) in work.updates {
        let unit = unit.map(|u| unit_of(&u));
        diesel::update(users::table.find((org_id, &id)))
            .set((
                users::display_name.eq(&row.name),
                users::email.eq(&row.email),
                users::active.eq(true),
                users::deactivated_at.eq(None::<chrono::NaiveDateTime>),
                users::version.eq(users::version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        if let Some(role) = role {
            diesel::update(users::table.find((org_id, &id)))
                .set(users::role.eq(role.as_str()))
                .execute(conn)?;
        }
        if let Some(unit) = unit {
            diesel::update(users::table.find((org_id, &id)))
                .set(users::unit_id.eq(unit))
                .execute(conn)?;
        }
        if let Some(number) = &row.personnel_number {
            diesel::update(
                users::table
                    .find((org_id, &id))
                    .filter(users::personnel_number.is_null()),
            )
            .set(users::personnel_number.eq(number))
            .execute(conn)?;
        }
    }
    for chunk in work.deactivations.chunks(500) {
        diesel::update(
            users::table
                .filter(users::org_id.eq(org_id))
                .filter(users::id.eq_any(chunk)),
        )
        .set((
            users::active.eq(false),
            users::deactivated_at.eq(now),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// A staff list read from bytes and imported into the organisation `slug` (the command
/// line: no signed-in person, so nobody is spared from deactivation but administrators).
pub fn import_bytes(
    conn: &mut DbConnection,
    slug: &str,
    bytes: &[u8],
    deactivate_missing: bool,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let org = organizations::find_by_slug(conn, slug)?
        .ok_or_else(|| ApiError::BadRequest(format!("no organisation has the slug \"{slug}\"")))?;
    if bytes.len() > crate::domain::staff_import::MAX_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: crate::domain::staff_import::MAX_BYTES,
        });
    }
    let text = crate::domain::staff_import::decode(bytes);
    let (rows, problems) = crate::domain::staff_import::parse(&text);
    run(conn, &org.id, "", &rows, problems, deactivate_missing, dry_run)
}

impl ImportReport {
    /// A few lines for a terminal: the counts, then every problem with its line.
    pub fn summary_text(&self) -> String {
        let mode = if self.applied {
            "applied"
        } else if self.dry_run {
            "dry run, nothing written"
        } else {
            "not applied, nothing written"
        };
        let mut out = format!(
            "staff import ({mode}): {} units created, {} people created, {} updated, {} deactivated, {} unchanged, \
             {} not listed and kept",
            self.units_created.len(),
            self.created.len(),
            self.updated.len(),
            self.deactivated.len(),
            self.unchanged,
            self.not_listed_kept
        );
        for p in &self.problems {
            out.push_str(&format!("\n  line {}: {}: {}", p.line, p.field, p.message));
        }
        out
    }
}
