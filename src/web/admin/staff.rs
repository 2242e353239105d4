//! Administration: staff. The organisation's people with search (name or e-mail),
//! filters (role, unit, active) and pages; creating a person; a page per person to change
//! role and unit, deactivate, and reset the password; and the staff list import. Every
//! change goes through `views::users`, as the API's, with the same checks (the last
//! active admin stays; an admin does not deactivate themselves here either — the page
//! offers no such button and refuses the form).
//!
//! Generated passwords are shown once, in the answer to the form that made them (never
//! in a URL, never stored but as a hash; the pages are `no-store`).
//!
//! The import is a dry run first: the uploaded file is read and planned without writing,
//! and the result page shows what would change with each line's problems. Its "apply"
//! form carries the file's bytes back as base64 in a hidden field (a multipart form, up
//! to the import's 20 MB), and applying runs the whole import again on those bytes, under
//! the organisation's lock — the server trusts no plan the browser holds, only a file, as
//! if it were uploaded anew, with the same checks. What it changed is shown afterwards.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::units::form_version;
use super::{admin_page, require_admin};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::roles::Role;
use crate::domain::staff_import::MAX_BYTES;
use crate::error::ApiError;
use crate::messages;
use crate::state::AppState;
use crate::store::staff_import::ImportReport;
use crate::store::users::{self as store, User, UserFilter};
use crate::views::units::tree_rows;
use crate::views::users::{self as view, NewPerson, PersonChanges};
use crate::web::form::{Fields, Problems, capitalised};
use crate::web::ideas::Choice;
use crate::web::session::{self, WebUser};
use crate::web::{Page, encode, render, see_other, upload};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The fixed paths before `/admin/staff/{id}`.
    cfg.service(staff_list)
        .service(new_person_page)
        .service(new_person_submit)
        .service(import_page)
        .service(import_check)
        .service(import_apply)
        .service(person_page)
        .service(person_change)
        .service(person_deactivate)
        .service(person_password)
        .service(person_export)
        .service(person_erase);
}

macro_rules! words {
    ($($key:ident: $de:expr, $en:expr;)*) => {
        pub struct Words {
            $(pub $key: &'static str,)*
        }

        pub fn words(lang: Lang) -> Words {
            match lang {
                Lang::De => Words { $($key: $de,)* },
                Lang::En => Words { $($key: $en,)* },
            }
        }
    };
}

words! {
    title: "Beschäftigte", "Staff";
    intro: "Alle Konten Ihrer Organisation. Neue Personen erhalten ein erzeugtes Passwort, das sie bei der ersten Anmeldung ersetzen.", "Every account of your organisation. New people get a generated password, which they replace at their first sign-in.";
    back_admin: "Verwaltung", "Administration";
    search_heading: "Suchen und filtern", "Search and filter";
    q: "Name oder E-Mail-Adresse enthält", "Name or e-mail address contains";
    role: "Rolle", "Role";
    unit: "Organisationseinheit", "Unit";
    status: "Status", "Status";
    all: "Alle", "All";
    only_active: "Nur aktive", "Active only";
    only_inactive: "Nur deaktivierte", "Deactivated only";
    show: "Anzeigen", "Show";
    caption: "Beschäftigte", "Staff";
    found: "gefunden", "found";
    none_found: "Niemand passt zu diesen Angaben.", "Nobody matches these criteria.";
    page_word: "Seite", "Page";
    of: "von", "of";
    previous: "Vorherige Seite", "Previous page";
    next: "Nächste Seite", "Next page";
    pages_nav: "Seiten", "Pages";
    name: "Name", "Name";
    email: "E-Mail-Adresse", "E-mail address";
    active: "aktiv", "active";
    inactive: "deaktiviert", "deactivated";
    no_unit: "(keine Einheit)", "(no unit)";
    new_person: "Person anlegen", "Create a person";
    import_link: "Personalliste importieren", "Import the staff list";
    erase_heading: "Person löschen (Art. 17 DSGVO)", "Erase the person (Art. 17 GDPR)";
    erase_hint: "Name, E-Mail-Adresse und Personalnummer werden unwiderruflich entfernt, die Anmeldung endet, der Vermerk über die Teilnahme an Befragungen wird gelöscht. Ideen, Kommentare und Verlauf bleiben für die Kommune erhalten und zeigen als Verfasser „Ehemalige Beschäftigte“.", "Name, e-mail address and personnel number are removed for good, sign-in ends, the record of survey participation is deleted. Ideas, comments and history stay for the municipality, showing “Ehemalige Beschäftigte” (former employee) as their author.";
    erase_confirm: "E-Mail-Adresse der Person zur Bestätigung", "The person's e-mail address, to confirm";
    erase: "Unwiderruflich löschen", "Erase for good";
    erased: "Die Person ist gelöscht.", "The person is erased.";
    erased_at: "Gelöscht am", "Erased on";
    export_heading: "Auskunft über gespeicherte Daten", "Access to stored data";
    export_hint: "Für ein Auskunftsersuchen nach Art. 15 DSGVO: alles, was kaizen über die Person speichert, als Datei – ohne die Teilnahme an Befragungen, die nur die Person selbst erfährt.", "For a request under Art. 15 GDPR: everything kaizen stores about the person, as a file – without their survey participation, which only the person themselves learns.";
    export_link: "Daten der Person herunterladen", "Download the person's data";
    role_employee: "Beschäftigte", "Employee";
    role_lead: "Teamleitung", "Team lead";
    role_manager: "Verwaltungsleitung", "Manager";
    role_admin: "Administration", "Admin";
    role_invalid: "Bitte wählen Sie eine der Rollen.", "Please choose one of the roles.";
    new_intro: "Das Passwort wird erzeugt und nach dem Anlegen einmal angezeigt. Die Person muss es bei der ersten Anmeldung ersetzen.", "The password is generated and shown once after creating. The person must replace it at their first sign-in.";
    name_hint: "Vor- und Nachname, wie ihn die Kolleginnen und Kollegen kennen.", "First and last name, as colleagues know it.";
    email_hint: "Damit meldet sich die Person an.", "The person signs in with it.";
    role_hint: "Teamleitungen begleiten die Ideen ihrer Einheit, die Verwaltungsleitung sieht alle Auswertungen, die Administration richtet kaizen ein.", "Team leads guide their unit's ideas, managers see all reports, administrators set kaizen up.";
    unit_hint: "Die Einheit, in der die Person arbeitet.", "The unit the person works in.";
    create: "Person anlegen", "Create person";
    created_title: "Die Person wurde angelegt", "The person was created";
    reset_title: "Das Passwort wurde zurückgesetzt", "The password was reset";
    password_label: "Erstes Passwort", "Initial password";
    password_once: "Dieses Passwort wird nur jetzt angezeigt und nirgends im Klartext gespeichert. Geben Sie es der Person auf sicherem Weg weiter; sie muss es bei der ersten Anmeldung durch ein eigenes ersetzen.", "This password is shown only now and stored nowhere in plain text. Pass it on to the person securely; they must replace it with their own at their first sign-in.";
    sessions_ended: "Alle Sitzungen der Person wurden beendet.", "All of the person's sessions were ended.";
    to_person: "Zur Seite der Person", "To the person's page";
    back_list: "Zurück zur Liste", "Back to the list";
    change_heading: "Rolle und Einheit ändern", "Change role and unit";
    save: "Änderungen speichern", "Save changes";
    saved: "Die Änderungen wurden gespeichert.", "The changes were saved.";
    deactivate_heading: "Deaktivieren", "Deactivate";
    deactivate_hint: "Die Person kann sich danach nicht mehr anmelden; ihre Sitzungen enden sofort. Ihre Ideen und Kommentare bleiben.", "The person can no longer sign in; their sessions end at once. Their ideas and comments remain.";
    deactivate: "Person deaktivieren", "Deactivate person";
    deactivated: "Die Person wurde deaktiviert.", "The person was deactivated.";
    not_yourself: "Sie können sich nicht selbst deaktivieren. Bitten Sie eine andere Person mit Administrationsrechten darum.", "You cannot deactivate yourself. Ask another administrator.";
    yourself_note: "Das ist Ihr eigenes Konto: Sie können es hier nicht deaktivieren.", "This is your own account: you cannot deactivate it here.";
    reset_heading: "Passwort zurücksetzen", "Reset the password";
    reset_hint: "Erzeugt ein neues Passwort, das einmal angezeigt wird, und beendet alle Sitzungen der Person.", "Generates a new password, shown once, and ends all of the person's sessions.";
    reset: "Passwort zurücksetzen", "Reset password";
    stale: "Das Konto wurde inzwischen von jemand anderem geändert.", "Someone else changed the account meanwhile.";
    nothing_saved: "Ihre Änderung wurde nicht gespeichert. Oben steht der jetzige Stand; Ihre Auswahl steht noch im Formular.", "Your change was not saved. The current state is shown above; your choice is still in the form.";
    must_change: "Erstes Passwort noch nicht ersetzt", "Initial password not yet replaced";
    personnel_number: "Personalnummer", "Personnel number";
    created_at: "Angelegt am", "Created on";
    import_title: "Personalliste importieren", "Import the staff list";
    import_intro: "Eine CSV-Datei (UTF-8 oder Windows-1252, getrennt durch ; oder ,) mit den Spalten personalnummer (freiwillig), name, email, einheit (als Pfad wie Bürgerdienste/Bürgeramt) und rolle. Zuerst wird nur geprüft; erst danach übernehmen Sie die Änderungen.", "A CSV file (UTF-8 or Windows-1252, separated by ; or ,) with the columns personnel_number (optional), name, email, unit (a path such as Bürgerdienste/Bürgeramt) and role. It is checked first; only then do you apply the changes.";
    file: "Datei mit der Personalliste", "File with the staff list";
    file_hint: "CSV, höchstens 20 MB.", "CSV, at most 20 MB.";
    no_file: "Bitte wählen Sie eine Datei aus.", "Please choose a file.";
    deactivate_missing: "Personen deaktivieren, die nicht in der Liste stehen", "Deactivate people missing from the list";
    deactivate_missing_hint: "Nie Personen mit Administrationsrechten und nie Sie selbst. Ohne dieses Häkchen bleiben sie aktiv und werden nur gezählt.", "Never administrators and never yourself. Without this tick they stay active and are only counted.";
    check: "Prüfen (noch nichts ändern)", "Check (change nothing yet)";
    dry_heading: "Was sich ändern würde", "What would change";
    applied_heading: "Die Liste wurde übernommen", "The list was applied";
    not_applied_heading: "Die Liste wurde nicht übernommen", "The list was not applied";
    file_name: "Datei", "File";
    units_created: "Neue Einheiten", "New units";
    to_create: "Neue Personen", "New people";
    to_update: "Geänderte Personen", "Changed people";
    to_deactivate: "Deaktivierte Personen", "Deactivated people";
    unchanged: "Unverändert", "Unchanged";
    kept: "Nicht in der Liste, bleiben aktiv", "Not listed, stay active";
    counts_caption: "Änderungen im Überblick", "Changes at a glance";
    what: "Was", "What";
    count: "Anzahl", "Number";
    line: "Zeile", "Line";
    field: "Spalte", "Column";
    problem: "Problem", "Problem";
    changes: "Änderungen", "Changes";
    problems_heading: "Probleme in der Liste", "Problems in the list";
    problems_note: "Solange eine Zeile ein Problem hat, wird nichts übernommen. Korrigieren Sie die Datei und prüfen Sie sie erneut.", "While a line has a problem, nothing is applied. Correct the file and check it again.";
    apply: "Änderungen jetzt übernehmen", "Apply the changes now";
    apply_hint: "Beim Übernehmen wird die Datei noch einmal vollständig geprüft; hat sich inzwischen etwas geändert, gilt der Stand beim Übernehmen.", "Applying checks the file again in full; if something changed meanwhile, the state at applying counts.";
    nothing_to_do: "Die Liste stimmt mit den Konten überein: es gibt nichts zu ändern.", "The list matches the accounts: there is nothing to change.";
    new_without_password: "Neue Personen haben noch kein Passwort: setzen Sie es auf ihrer Seite zurück, dann wird eines erzeugt.", "New people have no password yet: reset it on their page to generate one.";
    check_other: "Eine andere Datei prüfen", "Check another file";
    ch_name: "Name", "name";
    ch_email: "E-Mail-Adresse", "e-mail address";
    ch_role: "Rolle", "role";
    ch_unit: "Einheit", "unit";
    ch_personnel_number: "Personalnummer", "personnel number";
    ch_reactivated: "wieder aktiviert", "reactivated";
}

impl Words {
    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Employee => self.role_employee,
            Role::Lead => self.role_lead,
            Role::Manager => self.role_manager,
            Role::Admin => self.role_admin,
        }
    }

    fn column(&self, key: &str) -> String {
        match key {
            "name" => self.ch_name,
            "email" => self.ch_email,
            "role" => self.ch_role,
            "unit" => self.ch_unit,
            "personnel_number" => self.ch_personnel_number,
            "reactivated" => self.ch_reactivated,
            other => other,
        }
        .to_owned()
    }
}

/// Units to choose (by path), with "no unit" first.
fn unit_choices(paths: &[(String, String)], selected: &str, none_label: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: none_label.to_owned(),
        selected: selected.is_empty(),
        weak: false,
    }];
    out.extend(paths.iter().map(|(id, path)| Choice {
        selected: id == selected,
        value: id.clone(),
        label: path.clone(),
        weak: false,
    }));
    out
}

fn role_choices(w: &Words, selected: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: w.role(*r).to_owned(),
            selected: r.as_str() == selected,
            weak: false,
        })
        .collect()
}

/// Unit paths by id, in tree order.
pub(super) async fn unit_paths(state: &AppState, org: &str) -> Result<Vec<(String, String)>, ApiError> {
    let org = org.to_owned();
    let rows = db::run(&state.pool, move |conn| tree_rows(conn, &org)).await?;
    Ok(rows.into_iter().map(|r| (r.unit.id, r.path)).collect())
}

fn path_of(paths: &[(String, String)], id: Option<&str>) -> String {
    id.and_then(|id| paths.iter().find(|(u, _)| u == id))
        .map(|(_, p)| p.clone())
        .unwrap_or_default()
}

/// A select of a form.
pub struct Select {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub choices: Vec<Choice>,
}

// ----- the list -----

const PER_PAGE: usize = 50;

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub unit: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    page: Page,
    w: Words,
    q: String,
    filters: Vec<Select>,
    rows: Vec<PersonRow>,
    total: usize,
    page_no: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct StaffQuery {
    q: Option<String>,
    role: Option<String>,
    unit: Option<String>,
    active: Option<String>,
    page: Option<String>,
}

#[get("/admin/staff")]
pub async fn staff_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<StaffQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let query = query.into_inner();
    let q = query.q.unwrap_or_default().trim().to_owned();
    let role = query.role.as_deref().and_then(Role::parse);
    let unit = query.unit.filter(|u| !u.trim().is_empty());
    let active = match query.active.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let page_no = query.page.and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
    let caller = user.user.clone();
    let filter = UserFilter {
        role,
        unit_id: unit.clone(),
        active,
    };
    let search = q.clone();
    let (list, paths) = db::run(&state.pool, move |conn| {
        let list = view::staff_page(conn, &caller, &filter, &search, page_no, PER_PAGE)?;
        let paths: Vec<(String, String)> = tree_rows(conn, &caller.org_id)?
            .into_iter()
            .map(|r| (r.unit.id, r.path))
            .collect();
        Ok((list, paths))
    })
    .await?;
    let w = words(user.lang);
    let link = |n: usize| {
        let mut parts = vec![];
        if !q.is_empty() {
            parts.push(format!("q={}", encode(&q)));
        }
        if let Some(r) = role {
            parts.push(format!("role={}", r.as_str()));
        }
        if let Some(u) = &unit {
            parts.push(format!("unit={}", encode(u)));
        }
        if let Some(a) = active {
            parts.push(format!("active={a}"));
        }
        parts.push(format!("page={n}"));
        format!("/admin/staff?{}", parts.join("&"))
    };
    let rows = list
        .items
        .iter()
        .map(|u| PersonRow {
            id: u.id.clone(),
            name: u.display_name.clone(),
            email: u.email.clone(),
            role: w.role(u.role()),
            unit: path_of(&paths, u.unit_id.as_deref()),
            active: u.active,
        })
        .collect();
    let active_value = active.map(|a| a.to_string()).unwrap_or_default();
    let statuses = [("", w.all), ("true", w.only_active), ("false", w.only_inactive)]
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == active_value,
            weak: false,
        })
        .collect();
    let mut roles = vec![Choice {
        value: String::new(),
        label: w.all.to_owned(),
        selected: role.is_none(),
        weak: false,
    }];
    roles.extend(role_choices(&w, role.map(Role::as_str).unwrap_or("")));
    let units = unit_choices(&paths, unit.as_deref().unwrap_or(""), w.all);
    let page = admin_page(&state, &req, &user, w.title);
    render(
        StatusCode::OK,
        &StaffPage {
            page,
            q: q.clone(),
            filters: vec![
                Select {
                    id: "role",
                    label: w.role,
                    hint: "",
                    choices: roles,
                },
                Select {
                    id: "unit",
                    label: w.unit,
                    hint: "",
                    choices: units,
                },
                Select {
                    id: "active",
                    label: w.status,
                    hint: "",
                    choices: statuses,
                },
            ],
            rows,
            total: list.total,
            page_no: list.page,
            pages: list.pages,
            previous: (list.page > 1).then(|| link(list.page - 1)),
            next: (list.page < list.pages).then(|| link(list.page + 1)),
            w,
        },
    )
}

// ----- creating a person -----

#[derive(Template)]
#[template(path = "admin_staff_new.html")]
struct NewPersonPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    selects: Vec<Select>,
}

async fn new_person_view(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Fields,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let paths = unit_paths(state, &user.user.org_id).await?;
    let w = words(user.lang);
    let mut page = admin_page(state, req, user, w.new_person);
    page.invalid = !problems.is_empty();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let role = form.optional("role").unwrap_or_else(|| "employee".into());
    render(
        status,
        &NewPersonPage {
            page,
            selects: vec![
                Select {
                    id: "role",
                    label: w.role,
                    hint: w.role_hint,
                    choices: role_choices(&w, &role),
                },
                Select {
                    id: "unit_id",
                    label: w.unit,
                    hint: w.unit_hint,
                    choices: unit_choices(&paths, form.get("unit_id"), w.no_unit),
                },
            ],
            w,
            problems,
            form,
        },
    )
}

#[get("/admin/staff/new")]
pub async fn new_person_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    new_person_view(&req, &state, &user, Fields::default(), Problems::default()).await
}

/// Where an API field problem shows on the person forms.
fn place(w: &Words) -> impl Fn(&str) -> Option<(String, String)> + '_ {
    move |f: &str| match f {
        "email" => Some(("email".into(), w.email.into())),
        "display_name" => Some(("display_name".into(), w.name.into())),
        "role" => Some(("role".into(), w.role.into())),
        "unit_id" => Some(("unit_id".into(), w.unit.into())),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "admin_staff_password.html")]
struct PasswordPage {
    page: Page,
    w: Words,
    heading: &'static str,
    person: User,
    password: String,
    reset: bool,
}

fn password_page(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    person: User,
    password: String,
    reset: bool,
) -> Result<HttpResponse, ApiError> {
    let w = words(user.lang);
    let heading = if reset { w.reset_title } else { w.created_title };
    let page = admin_page(state, req, user, heading);
    render(
        StatusCode::OK,
        &PasswordPage {
            page,
            w,
            heading,
            person,
            password,
            reset,
        },
    )
}

#[post("/admin/staff/new")]
pub async fn new_person_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let w = words(user.lang);
    let mut problems = Problems::default();
    let outcome = match Role::parse(form.get("role")) {
        Some(role) => {
            view::create(
                &state,
                &user.user,
                NewPerson {
                    email: form.raw("email").to_owned(),
                    display_name: form.raw("display_name").to_owned(),
                    role,
                    unit_id: form.optional("unit_id"),
                    password: None,
                },
            )
            .await
        }
        None => {
            // Name and e-mail are checked all the same, to list every problem at once.
            if let Err(e) = view::changeset(PersonChanges {
                email: Some(form.raw("email").to_owned()),
                display_name: Some(form.raw("display_name").to_owned()),
                ..Default::default()
            }) {
                problems.absorb(e, user.lang, place(&w), ("display_name", w.name))?;
            }
            problems.add("role", w.role, w.role_invalid);
            return new_person_view(&req, &state, &user, form, problems).await;
        }
    };
    match outcome {
        Ok((person, Some(password))) => password_page(&req, &state, &user, person, password, false),
        Ok((person, None)) => Ok(see_other(&format!("/admin/staff/{}", person.id))),
        Err(ApiError::Conflict { detail, .. }) => {
            // The e-mail is in use already.
            problems.add("email", w.email, capitalised(&messages::localize(&detail, user.lang)));
            new_person_view(&req, &state, &user, form, problems).await
        }
        Err(e) => {
            problems.absorb(e, user.lang, place(&w), ("display_name", w.name))?;
            new_person_view(&req, &state, &user, form, problems).await
        }
    }
}

// ----- a person -----

#[derive(Template)]
#[template(path = "admin_staff_person.html")]
struct PersonPage {
    erased_on: Option<String>,
    page: Page,
    w: Words,
    problems: Problems,
    person: User,
    role: &'static str,
    unit: String,
    created: String,
    selects: Vec<Select>,
    yourself: bool,
    done: Option<&'static str>,
    notice: Option<String>,
    stale: bool,
}

#[derive(Default)]
struct PersonExtras {
    form: Option<Fields>,
    problems: Problems,
    done: Option<String>,
    notice: Option<String>,
    stale: bool,
    status: Option<StatusCode>,
}

async fn person_view(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    id: String,
    extras: PersonExtras,
) -> Result<HttpResponse, ApiError> {
    let org = user.user.org_id.clone();
    // Another organisation's person is a missing page.
    let (person, paths) = db::run(&state.pool, move |conn| {
        let person = store::find(conn, &org, &id)?;
        let paths: Vec<(String, String)> = tree_rows(conn, &org)?
            .into_iter()
            .map(|r| (r.unit.id, r.path))
            .collect();
        Ok((person, paths))
    })
    .await?;
    let w = words(user.lang);
    let form = extras.form.unwrap_or_else(|| {
        Fields(vec![
            ("role".into(), person.role.clone()),
            ("unit_id".into(), person.unit_id.clone().unwrap_or_default()),
        ])
    });
    let mut page = admin_page(state, req, user, &person.display_name);
    page.invalid = !extras.problems.is_empty();
    let done = match extras.done.as_deref() {
        Some("saved") => Some(w.saved),
        Some("deactivated") => Some(w.deactivated),
        Some("erased") => Some(w.erased),
        _ => None,
    };
    render(
        extras.status.unwrap_or(StatusCode::OK),
        &PersonPage {
            page,
            role: w.role(person.role()),
            unit: path_of(&paths, person.unit_id.as_deref()),
            created: crate::web::date(user.lang, person.created_at),
            selects: vec![
                Select {
                    id: "role",
                    label: w.role,
                    hint: w.role_hint,
                    choices: role_choices(&w, form.get("role")),
                },
                Select {
                    id: "unit_id",
                    label: w.unit,
                    hint: "",
                    choices: unit_choices(&paths, form.get("unit_id"), w.no_unit),
                },
            ],
            yourself: person.id == user.user.id,
            erased_on: person.erased_at.map(|t| crate::web::date(user.lang, t)),
            person,
            w,
            problems: extras.problems,
            done,
            notice: extras.notice,
            stale: extras.stale,
        },
    )
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[get("/admin/staff/{id}")]
pub async fn person_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let extras = PersonExtras {
        done: query.into_inner().done,
        ..Default::default()
    };
    person_view(&req, &state, &user, id.into_inner(), extras).await
}

/// Role and unit, at the version the page was read.
#[post("/admin/staff/{id}")]
pub async fn person_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let version = form_version(&form)?;
    let w = words(user.lang);
    let Some(role) = Role::parse(form.get("role")) else {
        let mut problems = Problems::default();
        problems.add("role", w.role, w.role_invalid);
        let extras = PersonExtras {
            form: Some(form),
            problems,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Default::default()
        };
        return person_view(&req, &state, &user, id, extras).await;
    };
    let outcome = match view::changeset(PersonChanges {
        role: Some(role),
        unit_id: Some(form.optional("unit_id")),
        ..Default::default()
    }) {
        Ok(changes) => view::update(&state, &user.user, id.clone(), version, changes).await,
        Err(e) => Err(e),
    };
    let extras = match outcome {
        Ok(Ok(_)) => return Ok(see_other(&format!("/admin/staff/{id}?done=saved"))),
        Ok(Err(_current)) => PersonExtras {
            form: Some(form),
            notice: Some(w.stale.to_owned()),
            stale: true,
            status: Some(StatusCode::CONFLICT),
            ..Default::default()
        },
        Err(ApiError::Conflict { detail, .. }) => PersonExtras {
            form: Some(form),
            notice: Some(capitalised(&messages::localize(&detail, user.lang))),
            status: Some(StatusCode::CONFLICT),
            ..Default::default()
        },
        Err(e) => {
            let mut problems = Problems::default();
            problems.absorb(e, user.lang, place(&w), ("role", w.role))?;
            PersonExtras {
                form: Some(form),
                problems,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Default::default()
            }
        }
    };
    person_view(&req, &state, &user, id, extras).await
}

#[post("/admin/staff/{id}/deactivate")]
pub async fn person_deactivate(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let w = words(user.lang);
    let refusal = if id == user.user.id {
        Some(w.not_yourself.to_owned())
    } else {
        match view::deactivate(&state, &user.user, id.clone()).await {
            Ok(_) => return Ok(see_other(&format!("/admin/staff/{id}?done=deactivated"))),
            Err(ApiError::Conflict { detail, .. }) => Some(capitalised(&messages::localize(&detail, user.lang))),
            Err(e) => return Err(e),
        }
    };
    let extras = PersonExtras {
        notice: refusal,
        status: Some(StatusCode::CONFLICT),
        ..Default::default()
    };
    person_view(&req, &state, &user, id, extras).await
}

/// A new generated password, shown once in this answer.
#[post("/admin/staff/{id}/password")]
pub async fn person_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (person, password) = view::reset_password(&state, &user.user, id.into_inner()).await?;
    password_page(&req, &state, &user, person, password, true)
}

// ----- the staff import -----

pub struct CountRow {
    pub label: &'static str,
    pub count: usize,
}

pub struct ProblemRow {
    pub line: usize,
    pub field: String,
    pub message: String,
}

pub struct CreateRow {
    pub line: usize,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub unit: String,
}

pub struct UpdateRow {
    pub line: usize,
    pub email: String,
    pub changes: String,
}

#[derive(Template)]
#[template(path = "admin_staff_import.html")]
struct ImportPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    /// The result of a check or an apply.
    result: Option<ImportView>,
}

pub struct ImportView {
    pub heading: &'static str,
    pub file_name: String,
    pub applied: bool,
    pub dry_run: bool,
    pub counts: Vec<CountRow>,
    pub problems: Vec<ProblemRow>,
    pub units: Vec<String>,
    pub created: Vec<CreateRow>,
    pub updated: Vec<UpdateRow>,
    pub deactivated: Vec<(String, String)>,
    pub nothing_to_do: bool,
    /// For the apply form: the checked file's bytes and the checkbox.
    pub content: String,
    pub deactivate_missing: bool,
}

fn import_view(
    w: &Words,
    lang: Lang,
    report: ImportReport,
    file_name: String,
    bytes: &[u8],
    deactivate_missing: bool,
) -> ImportView {
    let nothing_to_do = report.problems.is_empty()
        && report.created.is_empty()
        && report.updated.is_empty()
        && report.deactivated.is_empty()
        && report.units_created.is_empty();
    ImportView {
        heading: if report.applied {
            w.applied_heading
        } else if report.dry_run {
            w.dry_heading
        } else {
            w.not_applied_heading
        },
        file_name,
        applied: report.applied,
        dry_run: report.dry_run,
        counts: vec![
            CountRow {
                label: w.units_created,
                count: report.units_created.len(),
            },
            CountRow {
                label: w.to_create,
                count: report.created.len(),
            },
            CountRow {
                label: w.to_update,
                count: report.updated.len(),
            },
            CountRow {
                label: w.to_deactivate,
                count: report.deactivated.len(),
            },
            CountRow {
                label: w.unchanged,
                count: report.unchanged,
            },
            CountRow {
                label: w.kept,
                count: report.not_listed_kept,
            },
        ],
        problems: report
            .problems
            .iter()
            .map(|p| ProblemRow {
                line: p.line,
                field: w.column(&p.field),
                message: capitalised(&messages::localize(&p.message, lang)),
            })
            .collect(),
        units: report.units_created.clone(),
        created: report
            .created
            .iter()
            .map(|c| CreateRow {
                line: c.line,
                name: c.name.clone(),
                email: c.email.clone(),
                role: w.role(c.role),
                unit: c.unit.clone().unwrap_or_default(),
            })
            .collect(),
        updated: report
            .updated
            .iter()
            .map(|u| UpdateRow {
                line: u.line,
                email: u.email.clone(),
                changes: u.changes.iter().map(|c| w.column(c)).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        deactivated: report
            .deactivated
            .iter()
            .map(|d| (d.name.clone(), d.email.clone()))
            .collect(),
        nothing_to_do,
        content: if report.dry_run && report.problems.is_empty() && !nothing_to_do {
            STANDARD.encode(bytes)
        } else {
            String::new()
        },
        deactivate_missing,
    }
}

fn import_render(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Fields,
    problems: Problems,
    result: Option<ImportView>,
) -> Result<HttpResponse, ApiError> {
    let w = words(user.lang);
    let mut page = admin_page(state, req, user, w.import_title);
    page.invalid = !problems.is_empty();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ImportPage {
            page,
            w,
            problems,
            form,
            result,
        },
    )
}

#[get("/admin/staff/import")]
pub async fn import_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    import_render(&req, &state, &user, Fields::default(), Problems::default(), None)
}

/// The check: the uploaded file as a dry run.
#[post("/admin/staff/import")]
pub async fn import_check(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let upload = upload::read(payload, "file", MAX_BYTES).await?;
    session::verify_form(&req, &user, Some(upload.fields.get(session::CSRF_FIELD)))?;
    let deactivate_missing = upload.fields.has("deactivate_missing", "true");
    let w = words(user.lang);
    let Some((file_name, bytes)) = upload.file.filter(|(_, b)| !b.is_empty()) else {
        let mut problems = Problems::default();
        problems.add("file", w.file, w.no_file);
        return import_render(&req, &state, &user, upload.fields, problems, None);
    };
    let report = view::import_report(&state, &user.user, bytes.clone(), deactivate_missing, true).await?;
    let result = import_view(&w, user.lang, report, file_name, &bytes, deactivate_missing);
    import_render(&req, &state, &user, upload.fields, Problems::default(), Some(result))
}

/// Applying: the checked file's bytes, sent back by the result page, imported anew.
#[post("/admin/staff/import/apply")]
pub async fn import_apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    // Base64 takes four characters for three bytes.
    let upload = upload::read(payload, "content", MAX_BYTES.div_ceil(3) * 4 + 4).await?;
    session::verify_form(&req, &user, Some(upload.fields.get(session::CSRF_FIELD)))?;
    let deactivate_missing = upload.fields.has("deactivate_missing", "true");
    let file_name = upload.fields.get("file_name").to_owned();
    let encoded = upload.file.map(|(_, b)| b).unwrap_or_default();
    let bytes = STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| ApiError::BadRequest("the form could not be read: content".into()))?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the form could not be read: content".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BYTES });
    }
    let w = words(user.lang);
    let report = view::import_report(&state, &user.user, bytes.clone(), deactivate_missing, false).await?;
    let result = import_view(&w, user.lang, report, file_name, &bytes, deactivate_missing);
    import_render(
        &req,
        &state,
        &user,
        Fields::default(),
        Problems::default(),
        Some(result),
    )
}

/// A person's data as a file (`GET /api/v1/users/{id}/export` for the browser): admins only,
/// without the survey participation.
#[get("/admin/staff/{id}/export")]
pub async fn person_export(
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let (org, actor) = (user.user.org_id.clone(), user.user.id.clone());
    let data = db::run(&state.pool, move |conn| {
        crate::views::personal_data::collect_for_admin(conn, &org, &actor, &id)
    })
    .await?;
    tracing::info!(user_id = %data.account.id, by = %user.user.id, "personal data exported for a person (web)");
    Ok(crate::routes::me::download(&data))
}

/// Erases the person (`POST /api/v1/users/{id}/erase` for the browser), confirmed by
/// their e-mail address.
#[post("/admin/staff/{id}/erase")]
pub async fn person_erase(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let w = words(user.lang);
    let mut extras = PersonExtras::default();
    match view::erase(&state, &user.user, id.clone(), form.get("confirm_email").to_owned()).await {
        Ok(_) => return Ok(see_other(&format!("/admin/staff/{id}?done=erased"))),
        Err(ApiError::Conflict { detail, .. }) => {
            extras.notice = Some(capitalised(&messages::localize(&detail, user.lang)));
            extras.status = Some(StatusCode::CONFLICT);
        }
        Err(e) => {
            extras.problems.absorb(
                e,
                user.lang,
                |_| Some(("confirm_email".to_owned(), w.erase_confirm.to_owned())),
                ("confirm_email", w.erase_confirm),
            )?;
            extras.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    person_view(&req, &state, &user, id, extras).await
}
