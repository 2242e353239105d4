//! The administration (`/admin/...`), for the organisation's admins only: units, staff,
//! questionnaires, assessment rounds, the reassessment schedule and the organisation's
//! settings. Every page calls the same store and domain code as the API's admin
//! endpoints, with the same checks; anyone else gets the 403 page.

pub mod audit;
pub mod questionnaires;
pub mod rounds;
pub mod settings;
pub mod sign_in;
pub mod staff;
pub mod units;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::home::page_for;
use super::session::WebUser;
use super::{Page, render};
use crate::domain::locale::Lang;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// Registers the administration's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview);
    units::configure(cfg);
    staff::configure(cfg);
    questionnaires::configure(cfg);
    rounds::configure(cfg);
    settings::configure(cfg);
    sign_in::configure(cfg);
    audit::configure(cfg);
}

/// Only admins; everyone else gets the 403 page (as the API answers them).
pub fn require_admin(user: &WebUser) -> Result<(), ApiError> {
    user.user.require(Role::Admin)
}

/// A page of the administration, with the navigation entry marked.
pub fn admin_page(state: &AppState, req: &HttpRequest, user: &WebUser, title: &str) -> Page {
    let mut page = page_for(state, req, user, title);
    page.nav = "admin";
    page
}

pub struct Section {
    pub href: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct OverviewPage {
    page: Page,
    intro: &'static str,
    sections: Vec<Section>,
}

fn sections(lang: Lang) -> Vec<Section> {
    let de = lang == Lang::De;
    let s = |href, de_title, en_title, de_text, en_text| Section {
        href,
        title: if de { de_title } else { en_title },
        text: if de { de_text } else { en_text },
    };
    vec![
        s(
            "/admin/units",
            "Organisationseinheiten",
            "Units",
            "Der Aufbau der Verwaltung als Baum: anlegen, umbenennen, verschieben, leere Einheiten löschen.",
            "The administration's structure as a tree: create, rename, move, delete empty units.",
        ),
        s(
            "/admin/staff",
            "Beschäftigte",
            "Staff",
            "Konten suchen und anlegen, Rolle und Einheit ändern, deaktivieren, Passwort zurücksetzen, die Personalliste importieren.",
            "Search and create accounts, change role and unit, deactivate, reset a password, import the staff list.",
        ),
        s(
            "/admin/questionnaires",
            "Fragebögen",
            "Questionnaires",
            "Fragebögen importieren, veröffentlichen und archivieren.",
            "Import, publish and archive questionnaires.",
        ),
        s(
            "/admin/rounds",
            "Befragungsrunden",
            "Assessment rounds",
            "Runden anlegen, öffnen und schließen, die Beteiligung verfolgen, Ergebnisse lesen.",
            "Create, open and close rounds, follow participation, read results.",
        ),
        s(
            "/admin/schedule",
            "Wiederholungsbefragung",
            "Reassessment schedule",
            "In welchem Abstand eine neue Runde von selbst angelegt wird.",
            "How often a new round is created on its own.",
        ),
        s(
            "/admin/sign-in",
            "Anmeldung mit Dienstkonto",
            "Sign-in with a work account",
            "Den Anmeldedienst der Kommune verbinden (OpenID Connect), Gruppen auf Rollen und Einheiten abbilden, die Anmeldung mit Passwort abschalten.",
            "Connect the municipality's sign-in service (OpenID Connect), map groups to roles and units, switch password sign-in off.",
        ),
        s(
            "/admin/audit",
            "Prüfprotokoll",
            "Audit trail",
            "Jeder Verwaltungsschritt mit Person, Zeit und Änderung, und ob die Kette unversehrt ist.",
            "Every administrative act with person, time and change, and whether the chain is intact.",
        ),
        s(
            "/admin/settings",
            "Einstellungen",
            "Settings",
            "Name, Sprache, Mindestgröße für Auswertungen und die Grenze für festhängende Ideen.",
            "Name, language, minimum group size for results and the limit for stuck ideas.",
        ),
    ]
}

#[get("/admin")]
pub async fn overview(req: HttpRequest, state: web::Data<AppState>, user: WebUser) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let title = if user.lang == Lang::De {
        "Verwaltung"
    } else {
        "Administration"
    };
    let intro = if user.lang == Lang::De {
        "Hier richten Sie kaizen für Ihre Kommune ein. Jede Änderung wirkt sofort, auch für die Schnittstelle (API)."
    } else {
        "Set up kaizen for your municipality here. Every change takes effect at once, for the API too."
    };
    render(
        StatusCode::OK,
        &OverviewPage {
            page: admin_page(&state, &req, &user, title),
            intro,
            sections: sections(user.lang),
        },
    )
}

/// A whole number from a form field, or a problem for it.
pub fn whole_number(
    form: &super::form::Fields,
    name: &str,
    label: &str,
    lang: Lang,
    problems: &mut super::form::Problems,
) -> Option<i64> {
    match form.get(name).parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            let message = if lang == Lang::De {
                "Bitte eine ganze Zahl eingeben."
            } else {
                "Please enter a whole number."
            };
            problems.add(name, label, message);
            None
        }
    }
}

/// A decimal number as either language writes it (`40,5` or `40.5`).
pub fn decimal(
    form: &super::form::Fields,
    name: &str,
    label: &str,
    lang: Lang,
    problems: &mut super::form::Problems,
) -> Option<f64> {
    match form.get(name).replace(',', ".").parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            let message = if lang == Lang::De {
                "Bitte eine Zahl eingeben, z. B. 40 oder 40,5."
            } else {
                "Please enter a number, e.g. 40 or 40.5."
            };
            problems.add(name, label, message);
            None
        }
    }
}

/// A moment from a `datetime-local` field (`2027-03-01T07:00`), read as UTC as the form
/// says; `None` and a problem when it is not one.
pub fn moment(
    form: &super::form::Fields,
    name: &str,
    label: &str,
    lang: Lang,
    problems: &mut super::form::Problems,
) -> Option<chrono::NaiveDateTime> {
    let raw = form.get(name);
    let parsed = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(t) => Some(t),
        Err(_) => {
            let message = if lang == Lang::De {
                "Bitte Datum und Uhrzeit angeben, z. B. 2027-03-01 07:00."
            } else {
                "Please give a date and time, e.g. 2027-03-01 07:00."
            };
            problems.add(name, label, message);
            None
        }
    }
}

/// The value of a `datetime-local` field for a stored moment.
pub fn moment_value(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The message shown when someone else saved the same thing first.
pub fn stale_message(lang: Lang) -> &'static str {
    if lang == Lang::De {
        "Jemand anderes hat das inzwischen geändert. Das Formular zeigt jetzt den aktuellen Stand; bitte prüfen und erneut speichern."
    } else {
        "Someone else changed this meanwhile. The form now shows the current state; please check and save again."
    }
}
