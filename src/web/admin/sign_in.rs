//! Administration: the organisation's single sign-on settings at `/admin/sign-in` — the
//! provider (issuer, client id, write-only secret, scopes, claims), the group mappings and
//! whether password sign-in stays open. Saved through the same validation and store code as
//! `PUT /api/v1/organization/sign-in`, against the version read, and audited there.
//!
//! Group mappings are rows of plain fields: the saved ones, each with a "remove" box, and
//! three empty rows to add new ones ("more rows" shows three more) — no JavaScript needed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::{admin_page, require_admin, stale_message};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::routes::sign_in::{base_url, redirect_uri};
use crate::state::AppState;
use crate::store::organizations;
use crate::store::sign_in::{self, GroupMapping, SignInConfig};
use crate::views::sign_in::{self as views, SignInInput};
use crate::web::form::{Fields, Problems};
use crate::web::ideas::Choice;
use crate::web::session::{self, WebUser};
use crate::web::{Page, render, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(sign_in_page).service(sign_in_submit);
}

/// Empty rows offered for new mappings.
const BLANK_ROWS: usize = 3;
/// At most this many rows are read from a form (the API allows 200 mappings).
const MAX_ROWS: usize = 230;

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub redirect: &'static str,
    pub login_url: &'static str,
    pub enabled: &'static str,
    pub enabled_hint: &'static str,
    pub issuer: &'static str,
    pub issuer_hint: &'static str,
    pub client_id: &'static str,
    pub secret: &'static str,
    pub secret_hint_set: &'static str,
    pub secret_hint_unset: &'static str,
    pub secret_remove: &'static str,
    pub scopes: &'static str,
    pub scopes_hint: &'static str,
    pub email_claim: &'static str,
    pub email_claim_hint: &'static str,
    pub groups_claim: &'static str,
    pub trust: &'static str,
    pub trust_hint: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub mappings: &'static str,
    pub mappings_hint: &'static str,
    pub group: &'static str,
    pub role: &'static str,
    pub unit: &'static str,
    pub no_unit: &'static str,
    pub remove: &'static str,
    pub row: &'static str,
    pub more_rows: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub roles: [&'static str; 4],
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Anmeldung mit Dienstkonto",
            intro: "Hier verbinden Sie kaizen mit dem Anmeldedienst Ihrer Kommune (OpenID Connect, z. B. Keycloak oder Microsoft Entra ID). Beschäftigte melden sich dann mit ihrem Dienstkonto an; beim ersten Mal wird ihr Konto angelegt.",
            redirect: "Beim Anmeldedienst einzutragende Weiterleitungsadresse",
            login_url: "Anmeldeseite Ihrer Kommune",
            enabled: "Anmeldung mit Dienstkonto anbieten",
            enabled_hint: "Die Anmeldeseite zeigt dann die Schaltfläche „Mit Dienstkonto anmelden“.",
            issuer: "Aussteller (Issuer-URL)",
            issuer_hint: "Mit https://, z. B. https://login.example.org/realms/kommune oder https://login.microsoftonline.com/<Mandant>/v2.0.",
            client_id: "Client-ID",
            secret: "Client-Geheimnis",
            secret_hint_set: "Ein Geheimnis ist gespeichert; es wird nie angezeigt. Lassen Sie das Feld leer, um es zu behalten.",
            secret_hint_unset: "Es ist kein Geheimnis gespeichert. Es wird nach dem Speichern nie wieder angezeigt.",
            secret_remove: "Gespeichertes Geheimnis entfernen (öffentlicher Client nur mit PKCE)",
            scopes: "Scopes",
            scopes_hint: "Durch Leerzeichen getrennt; openid ist Pflicht, z. B. openid email profile.",
            email_claim: "Claim mit der E-Mail-Adresse",
            email_claim_hint: "Meist email; bei Entra ID oft preferred_username.",
            groups_claim: "Claim mit den Gruppen",
            trust: "Adressen ohne Angabe „email_verified“ vertrauen",
            trust_hint: "Adressen, die der Anmeldedienst als nicht bestätigt meldet, werden nie verwendet. Entra ID sendet die Angabe nie: dort muss dieses Feld angekreuzt bleiben. Keycloak sendet sie; dort können Sie es abwählen.",
            password: "Anmeldung mit Passwort für alle erlauben",
            password_hint: "Abgewählt können sich nur noch Admins mit Passwort anmelden (Notfallzugang), alle anderen mit dem Dienstkonto.",
            mappings: "Gruppen, Rollen und Einheiten",
            mappings_hint: "Wer in einer dieser Gruppen ist, erhält bei jeder Anmeldung die Rolle (die höchste zählt) und, falls angegeben, die Einheit. Neue Zuordnungen tragen Sie in leere Zeilen ein.",
            group: "Gruppe",
            role: "Rolle",
            unit: "Einheit",
            no_unit: "(keine Einheit)",
            remove: "Entfernen",
            row: "Zuordnung",
            more_rows: "Weitere leere Zeilen",
            save: "Speichern",
            saved: "Die Anmeldeeinstellungen sind gespeichert.",
            roles: ["Beschäftigte", "Teamleitung", "Leitung", "Admin"],
        },
        Lang::En => Words {
            title: "Sign-in with a work account",
            intro: "Connect kaizen with your municipality's sign-in service (OpenID Connect, e.g. Keycloak or Microsoft Entra ID). Staff then sign in with their work account; the first time creates their account.",
            redirect: "Redirect URI to register at the sign-in service",
            login_url: "Your municipality's sign-in page",
            enabled: "Offer sign-in with a work account",
            enabled_hint: "The sign-in page then shows the button “Sign in with your work account”.",
            issuer: "Issuer URL",
            issuer_hint: "With https://, e.g. https://login.example.org/realms/kommune or https://login.microsoftonline.com/<tenant>/v2.0.",
            client_id: "Client ID",
            secret: "Client secret",
            secret_hint_set: "A secret is stored; it is never shown. Leave the field empty to keep it.",
            secret_hint_unset: "No secret is stored. It is never shown again after saving.",
            secret_remove: "Remove the stored secret (public client with PKCE only)",
            scopes: "Scopes",
            scopes_hint: "Separated by spaces; openid is required, e.g. openid email profile.",
            email_claim: "Claim holding the e-mail address",
            email_claim_hint: "Usually email; with Entra ID often preferred_username.",
            groups_claim: "Claim holding the groups",
            trust: "Trust addresses without “email_verified”",
            trust_hint: "Addresses the sign-in service reports as unverified are never used. Entra ID never sends the claim: keep this ticked there. Keycloak sends it; you may untick it there.",
            password: "Allow password sign-in for everyone",
            password_hint: "Unticked, only admins may still sign in with a password (break-glass); everyone else uses the work account.",
            mappings: "Groups, roles and units",
            mappings_hint: "Members of one of these groups get the role (the highest counts) and, if given, the unit at every sign-in. Enter new mappings in empty rows.",
            group: "Group",
            role: "Role",
            unit: "Unit",
            no_unit: "(no unit)",
            remove: "Remove",
            row: "Mapping",
            more_rows: "More empty rows",
            save: "Save",
            saved: "The sign-in settings are saved.",
            roles: ["Employee", "Team lead", "Manager", "Admin"],
        },
    }
}

/// One row of the mapping table as shown.
pub struct Row {
    pub index: usize,
    pub number: usize,
    pub group: String,
    pub roles: Vec<Choice>,
    pub units: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "admin_sign_in.html")]
struct SignInPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    rows: Vec<Row>,
    secret_set: bool,
    redirect_uri: String,
    login_url: String,
    saved: bool,
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn checked(on: bool) -> String {
    if on { "true" } else { "" }.to_owned()
}

/// The form filled with the settings as stored.
fn current_form(config: &SignInConfig) -> Fields {
    let mut fields = vec![
        ("version".into(), config.version.to_string()),
        ("enabled".into(), checked(config.enabled)),
        ("issuer_url".into(), config.issuer_url.clone()),
        ("client_id".into(), config.client_id.clone()),
        ("scopes".into(), config.scopes.clone()),
        ("email_claim".into(), config.email_claim.clone()),
        ("groups_claim".into(), config.groups_claim.clone()),
        (
            "trust_email_without_verified".into(),
            checked(config.trust_email_without_verified),
        ),
        ("password_login".into(), checked(config.password_login)),
    ];
    let mappings = config.mappings();
    for (i, m) in mappings.iter().enumerate() {
        fields.push((format!("group_{i}"), m.group.clone()));
        fields.push((format!("role_{i}"), m.role.clone()));
        fields.push((format!("unit_{i}"), m.unit_id.clone().unwrap_or_default()));
    }
    fields.push(("rows".into(), (mappings.len() + BLANK_ROWS).to_string()));
    Fields(fields)
}

fn row_count(form: &Fields) -> usize {
    form.get("rows").parse::<usize>().unwrap_or(BLANK_ROWS).min(MAX_ROWS)
}

fn rows(form: &Fields, w: &Words, units: &[(String, String)], count: usize) -> Vec<Row> {
    (0..count)
        .map(|i| {
            let role = form.get(&format!("role_{i}")).to_owned();
            let role = if role.is_empty() { "employee".to_owned() } else { role };
            let unit = form.get(&format!("unit_{i}")).to_owned();
            let mut unit_choices = vec![Choice {
                value: String::new(),
                label: w.no_unit.to_owned(),
                selected: unit.is_empty(),
                weak: false,
            }];
            unit_choices.extend(units.iter().map(|(id, path)| Choice {
                selected: *id == unit,
                value: id.clone(),
                label: path.clone(),
                weak: false,
            }));
            Row {
                index: i,
                number: i + 1,
                group: form.raw(&format!("group_{i}")).to_owned(),
                roles: Role::ALL
                    .iter()
                    .zip(w.roles)
                    .map(|(r, label)| Choice {
                        value: r.as_str().to_owned(),
                        label: label.to_owned(),
                        selected: r.as_str() == role,
                        weak: false,
                    })
                    .collect(),
                units: unit_choices,
            }
        })
        .collect()
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Option<Fields>,
    problems: Problems,
    status: StatusCode,
    saved: bool,
) -> Result<HttpResponse, ApiError> {
    let org_id = user.user.org_id.clone();
    let (config, org) = db::run(&state.pool, move |conn| {
        Ok((sign_in::find(conn, &org_id)?, organizations::find(conn, &org_id)?))
    })
    .await?;
    let units = super::staff::unit_paths(state, &user.user.org_id).await?;
    let form = form.unwrap_or_else(|| current_form(&config));
    let w = words(user.lang);
    let rows = rows(&form, &w, &units, row_count(&form));
    let base = base_url(req, state);
    let mut page = admin_page(state, req, user, w.title);
    page.invalid = !problems.is_empty();
    render(
        status,
        &SignInPage {
            page,
            problems,
            form,
            rows,
            secret_set: config.client_secret.is_some(),
            redirect_uri: redirect_uri(&base, &org.slug),
            login_url: format!("{base}/o/{}/login", org.slug),
            saved,
            w,
        },
    )
}

#[get("/admin/sign-in")]
pub async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    show(
        &req,
        &state,
        &user,
        None,
        Problems::default(),
        StatusCode::OK,
        query.saved.is_some(),
    )
    .await
}

/// The mappings the form holds (rows neither empty nor marked for removal), each with the
/// form row it came from.
fn mappings(form: &Fields) -> (Vec<GroupMapping>, Vec<usize>) {
    let mut out = Vec::new();
    let mut from_row = Vec::new();
    for i in 0..row_count(form) {
        let group = form.raw(&format!("group_{i}"));
        if group.trim().is_empty() || form.has(&format!("remove_{i}"), "true") {
            continue;
        }
        out.push(GroupMapping {
            group: group.to_owned(),
            role: form.get(&format!("role_{i}")).to_owned(),
            unit_id: form.optional(&format!("unit_{i}")),
        });
        from_row.push(i);
    }
    (out, from_row)
}

#[post("/admin/sign-in")]
pub async fn sign_in_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let w = words(lang);
    let version = form
        .get("version")
        .parse::<i64>()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    if form.has("action", "more_rows") {
        // Only more rows: nothing is saved, what was typed stays.
        let mut form = form;
        let more = (row_count(&form) + BLANK_ROWS).min(MAX_ROWS);
        form.0.retain(|(k, _)| k != "rows");
        form.0.push(("rows".into(), more.to_string()));
        return show(
            &req,
            &state,
            &user,
            Some(form),
            Problems::default(),
            StatusCode::OK,
            false,
        )
        .await;
    }
    let (group_mappings, from_row) = mappings(&form);
    let secret = form.raw("client_secret");
    let input = SignInInput {
        enabled: form.has("enabled", "true"),
        issuer_url: form.get("issuer_url").to_owned(),
        client_id: form.get("client_id").to_owned(),
        client_secret: if form.has("client_secret_remove", "true") {
            Some(String::new())
        } else if secret.is_empty() {
            None
        } else {
            Some(secret.to_owned())
        },
        scopes: form.get("scopes").split_whitespace().map(str::to_owned).collect(),
        email_claim: form.get("email_claim").to_owned(),
        groups_claim: form.get("groups_claim").to_owned(),
        group_mappings,
        password_login: form.has("password_login", "true"),
        trust_email_without_verified: form.has("trust_email_without_verified", "true"),
    };
    let (org_id, actor) = (user.user.org_id.clone(), user.user.id.clone());
    let saved = db::run(&state.pool, move |conn| {
        let stored = sign_in::find(conn, &org_id)?;
        let new = views::validate(input, &stored)?;
        views::replace(conn, &actor, version, new)
    })
    .await;
    let mut problems = Problems::default();
    match saved {
        Ok(Ok(config)) => {
            state.sso.forget(&config.org_id);
            tracing::info!(by = %user.user.id, version = config.version, "sign-in settings saved (web)");
            return Ok(see_other("/admin/sign-in?saved=1"));
        }
        Ok(Err(_current)) => {
            problems.add("issuer_url", w.issuer, stale_message(lang));
            return show(&req, &state, &user, None, problems, StatusCode::CONFLICT, false).await;
        }
        Err(e) => {
            let label = |field: &str| -> Option<(String, String)> {
                let simple = match field {
                    "enabled" => Some(("enabled", w.enabled)),
                    "issuer_url" => Some(("issuer_url", w.issuer)),
                    "client_id" => Some(("client_id", w.client_id)),
                    "client_secret" => Some(("client_secret", w.secret)),
                    "scopes" => Some(("scopes", w.scopes)),
                    "email_claim" => Some(("email_claim", w.email_claim)),
                    "groups_claim" => Some(("groups_claim", w.groups_claim)),
                    "password_login" => Some(("password_login", w.password)),
                    _ => None,
                };
                if let Some((id, l)) = simple {
                    return Some((id.to_owned(), l.to_owned()));
                }
                // group_mappings[3].role -> the form row that mapping came from.
                let rest = field.strip_prefix("group_mappings[")?;
                let (index, part) = rest.split_once("].")?;
                let row = *from_row.get(index.parse::<usize>().ok()?)?;
                let (id, l) = match part {
                    "group" => ("group", w.group),
                    "role" => ("role", w.role),
                    "unit_id" => ("unit", w.unit),
                    _ => return None,
                };
                Some((format!("{id}_{row}"), format!("{} {}: {l}", w.row, row + 1)))
            };
            problems.absorb(e, lang, label, ("issuer_url", w.issuer))?;
        }
    }
    show(
        &req,
        &state,
        &user,
        Some(form),
        problems,
        StatusCode::UNPROCESSABLE_ENTITY,
        false,
    )
    .await
}
