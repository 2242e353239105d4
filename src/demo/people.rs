//! The demo Kommune's organisation chart and its people: a small unit tree under the
//! Verwaltungsspitze, named leads, managers and an admin, and employees with German names.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::demo::clock::id_at;
use crate::demo::rows::{UnitRow, UserRow};
use crate::domain::roles::Role;

/// The e-mail domain of every demo account (`.example` is reserved for examples).
pub const MAIL_DOMAIN: &str = "musterstadt.example";

/// One unit of the demo organisation chart.
pub struct UnitPlan {
    pub key: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
    pub lead: Option<(&'static str, &'static str)>,
    /// Employees in the believable demo. Fachbereiche and the Verwaltungsspitze have staff
    /// of their own, enough that results by unit need not hide a neighbour for them.
    pub employees: usize,
}

pub const UNITS: [UnitPlan; 12] = [
    UnitPlan {
        key: "rathaus",
        name: "Rathaus – Verwaltungsspitze",
        parent: None,
        lead: None,
        employees: 8,
    },
    UnitPlan {
        key: "fb1",
        name: "Fachbereich 1 – Zentrale Dienste",
        parent: Some("rathaus"),
        lead: Some(("Frank", "Albrecht")),
        employees: 7,
    },
    UnitPlan {
        key: "personal",
        name: "Personal",
        parent: Some("fb1"),
        lead: Some(("Claudia", "Busch")),
        employees: 9,
    },
    UnitPlan {
        key: "it",
        name: "IT",
        parent: Some("fb1"),
        lead: Some(("Markus", "Peters")),
        employees: 9,
    },
    UnitPlan {
        key: "finanzen",
        name: "Finanzen",
        parent: Some("fb1"),
        lead: Some(("Andrea", "Schuster")),
        employees: 11,
    },
    UnitPlan {
        key: "fb2",
        name: "Fachbereich 2 – Bürgerdienste und Ordnung",
        parent: Some("rathaus"),
        lead: Some(("Petra", "Engel")),
        employees: 7,
    },
    UnitPlan {
        key: "buergeramt",
        name: "Bürgeramt",
        parent: Some("fb2"),
        lead: Some(("Sandra", "Keller")),
        employees: 22,
    },
    UnitPlan {
        key: "ordnungsamt",
        name: "Ordnungsamt",
        parent: Some("fb2"),
        lead: Some(("Thomas", "Richter")),
        employees: 16,
    },
    UnitPlan {
        key: "standesamt",
        name: "Standesamt",
        parent: Some("fb2"),
        lead: Some(("Monika", "Frank")),
        employees: 5,
    },
    UnitPlan {
        key: "fb3",
        name: "Fachbereich 3 – Planen und Bauen",
        parent: Some("rathaus"),
        lead: Some(("Holger", "Wolff")),
        employees: 7,
    },
    UnitPlan {
        key: "bauamt",
        name: "Bauamt",
        parent: Some("fb3"),
        lead: Some(("Stefan", "Lorenz")),
        employees: 17,
    },
    UnitPlan {
        key: "bauhof",
        name: "Bauhof",
        parent: Some("fb3"),
        lead: Some(("Uwe", "Hartmann")),
        employees: 14,
    },
];

/// Accounts with fixed names, so the printed logins and the README agree.
pub const ADMIN: (&str, &str, &str) = ("Jana", "Schubert", "it");
pub const MANAGERS: [(&str, &str, &str); 2] = [("Katrin", "Vogel", "rathaus"), ("Michael", "Brandt", "rathaus")];
/// The first employees of the Bürgeramt.
pub const NAMED_EMPLOYEES: [(&str, &str, &str); 2] =
    [("Lena", "Berger", "buergeramt"), ("Tom", "Krause", "buergeramt")];

#[rustfmt::skip]
const FIRST_NAMES: [&str; 72] = [
    "Anna", "Laura", "Julia", "Sarah", "Lisa", "Katharina", "Christina", "Sabine", "Stefanie",
    "Nicole", "Melanie", "Susanne", "Birgit", "Kerstin", "Heike", "Anja", "Tanja", "Nadine",
    "Jessica", "Miriam", "Johanna", "Leonie", "Marie", "Sophie", "Hannah", "Lea", "Carina", "Silke",
    "Ute", "Gabriele", "Jürgen", "Martina", "Elif", "Ayşe", "Natalia", "Ewa", "Alexander",
    "Andreas", "Christian", "Daniel", "Dennis", "Florian", "Jan", "Jens", "Kai", "Lukas",
    "Matthias", "Maximilian", "Niklas", "Oliver", "Patrick", "Philipp", "Ralf", "Sebastian",
    "Simon", "Sven", "Tim", "Tobias", "Dirk", "Torsten", "Wolfgang", "Bernd", "Klaus", "Mehmet",
    "Emre", "Marek", "Paul", "Felix", "Jonas", "Moritz", "Björn", "Günter",
];

#[rustfmt::skip]
const LAST_NAMES: [&str; 80] = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Bauer", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause",
    "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter",
    "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
    "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Roth",
    "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm",
    "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer",
    "Groß", "Seidel", "Heinrich", "Yılmaz", "Kowalski", "Nowak",
];

/// An e-mail local part: lower-case ASCII, umlauts spelled out.
pub fn mail_name(first: &str, last: &str) -> String {
    let mut out = String::new();
    for c in format!("{first}.{last}").to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ş' => out.push('s'),
            'ı' => out.push('i'),
            'é' => out.push('e'),
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => out.push(c),
            _ => {}
        }
    }
    out
}

/// A unit as created, with its plan key.
#[derive(Debug, Clone)]
pub struct DemoUnit {
    pub key: &'static str,
    pub row: UnitRow,
}

/// A person as the generators need them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub unit_key: &'static str,
    pub unit_id: String,
    pub created_at: NaiveDateTime,
}

pub fn units<R: Rng + ?Sized>(org_id: &str, created_at: NaiveDateTime, rng: &mut R) -> Vec<DemoUnit> {
    let mut out: Vec<DemoUnit> = Vec::with_capacity(UNITS.len());
    for (i, plan) in UNITS.iter().enumerate() {
        let at = created_at + Duration::seconds(i as i64 * 20);
        let parent_id = plan
            .parent
            .and_then(|p| out.iter().find(|u| u.key == p))
            .map(|u| u.row.id.clone());
        out.push(DemoUnit {
            key: plan.key,
            row: UnitRow {
                id: id_at(at, rng),
                org_id: org_id.to_owned(),
                parent_id,
                name: plan.name.to_owned(),
                version: 1,
                created_at: at,
                updated_at: at,
            },
        });
    }
    out
}

/// The password hash of each role (all accounts of a role share one password).
pub struct Hashes {
    pub admin: String,
    pub manager: String,
    pub lead: String,
    pub employee: String,
}

impl Hashes {
    fn of(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Manager => &self.manager,
            Role::Lead => &self.lead,
            Role::Employee => &self.employee,
        }
    }
}

/// Builds the people: the named accounts, `employees` generated employees spread over
/// the units in proportion to the plan, and `later_hires` of them joining later.
pub struct Staffing {
    pub org_id: String,
    pub founded: NaiveDateTime,
    /// Employees besides the named ones; the plan's numbers scaled to this total.
    pub employees: usize,
    /// Moments at which some employees joined after founding, one per late hire.
    pub hires: Vec<NaiveDateTime>,
}

pub fn people<R: Rng + ?Sized>(staffing: &Staffing, units: &[DemoUnit], rng: &mut R) -> Vec<Person> {
    let unit_id = |key: &str| {
        units
            .iter()
            .find(|u| u.key == key)
            .map(|u| u.row.id.clone())
            .unwrap_or_default()
    };
    let mut taken: HashSet<String> = HashSet::new();
    let mut out: Vec<Person> = Vec::new();
    let mut at = staffing.founded;
    let mut add = |out: &mut Vec<Person>,
                   first: &str,
                   last: &str,
                   role: Role,
                   key: &'static str,
                   created: NaiveDateTime,
                   rng: &mut R| {
        let base = mail_name(first, last);
        let mut local = base.clone();
        let mut n = 2;
        while !taken.insert(local.clone()) {
            local = format!("{base}{n}");
            n += 1;
        }
        out.push(Person {
            id: id_at(created, rng),
            name: format!("{first} {last}"),
            email: format!("{local}@{MAIL_DOMAIN}"),
            role,
            unit_key: key,
            unit_id: unit_id(key),
            created_at: created,
        });
    };
    let mut tick = || {
        at += Duration::seconds(7);
        at
    };
    add(&mut out, ADMIN.0, ADMIN.1, Role::Admin, ADMIN.2, tick(), rng);
    for (first, last, key) in MANAGERS {
        add(&mut out, first, last, Role::Manager, key, tick(), rng);
    }
    for plan in &UNITS {
        if let Some((first, last)) = plan.lead {
            add(&mut out, first, last, Role::Lead, plan.key, tick(), rng);
        }
    }
    for (first, last, key) in NAMED_EMPLOYEES {
        add(&mut out, first, last, Role::Employee, key, tick(), rng);
    }
    // Generated employees, unit by unit in proportion to the plan.
    let planned: usize = UNITS.iter().map(|u| u.employees).sum();
    let generated = staffing.employees;
    let mut quota: Vec<(&'static str, usize)> = UNITS
        .iter()
        .map(|u| {
            let named = NAMED_EMPLOYEES.iter().filter(|n| n.2 == u.key).count();
            let share = (u.employees * (generated + NAMED_EMPLOYEES.len())).div_ceil(planned);
            (u.key, share.saturating_sub(named))
        })
        .collect();
    // Rounding may overshoot: take the excess from the largest units.
    let mut total: usize = quota.iter().map(|q| q.1).sum();
    while total > generated {
        if let Some(q) = quota.iter_mut().max_by_key(|q| q.1) {
            q.1 -= 1;
        }
        total -= 1;
    }
    let mut slots: Vec<&'static str> = quota
        .iter()
        .flat_map(|(key, n)| std::iter::repeat_n(*key, *n))
        .collect();
    while slots.len() < generated {
        slots.push("buergeramt");
    }
    // Late hires join units at random.
    let mut hire_slots: Vec<usize> =
        rand::seq::index::sample(rng, generated.max(1), staffing.hires.len().min(generated)).into_vec();
    hire_slots.sort_unstable();
    for (i, key) in slots.into_iter().enumerate() {
        let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Alex");
        let last = LAST_NAMES.choose(rng).copied().unwrap_or("Muster");
        let created = match hire_slots.binary_search(&i) {
            Ok(n) => staffing.hires[n],
            Err(_) => tick(),
        };
        add(&mut out, first, last, Role::Employee, key, created, rng);
    }
    out
}

pub fn user_rows(org_id: &str, people: &[Person], hashes: &Hashes) -> Vec<UserRow> {
    people
        .iter()
        .map(|p| UserRow {
            id: p.id.clone(),
            org_id: org_id.to_owned(),
            email: p.email.clone(),
            display_name: p.name.clone(),
            role: p.role.as_str().to_owned(),
            unit_id: Some(p.unit_id.clone()),
            active: true,
            password_hash: hashes.of(p.role).to_owned(),
            // Demo accounts are for trying the service at once.
            must_change_password: false,
            version: 1,
            created_at: p.created_at,
            updated_at: p.created_at,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_names_are_ascii() {
        assert_eq!(mail_name("Jürgen", "Weiß"), "juergen.weiss");
        assert_eq!(mail_name("Ayşe", "Yılmaz"), "ayse.yilmaz");
        assert_eq!(mail_name("Björn", "Groß"), "bjoern.gross");
    }

    #[test]
    fn the_tree_has_one_root_and_known_parents() {
        assert_eq!(UNITS.iter().filter(|u| u.parent.is_none()).count(), 1);
        for u in &UNITS {
            if let Some(p) = u.parent {
                let at = UNITS.iter().position(|x| x.key == p).unwrap();
                let me = UNITS.iter().position(|x| x.key == u.key).unwrap();
                assert!(at < me, "parents come first");
            }
        }
    }
}
