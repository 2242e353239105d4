//! Creating organisations and users outside the API: the first start on an empty
//! database, and the `org create` / `user create` commands.

use actix_web::web;

use crate::auth::password::{self, generate_password};
use crate::config::Settings;
use crate::db::{self, DbConnection, DbPool};
use crate::domain::fields::{self, Email};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::startup::StartupError;
use crate::store::organizations::{self, Organization};
use crate::store::users::{self, NewUser, User};
use crate::store::{questionnaires, units};

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@kaizen.local";

#[derive(Debug)]
pub struct CreatedAccount {
    pub user: User,
    /// Set when the password was generated; show it once.
    pub generated_password: Option<String>,
}

fn describe(e: ApiError) -> String {
    match e {
        ApiError::Validation(errors) => errors
            .into_iter()
            .map(|f| format!("{} {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        ApiError::Conflict { detail, .. } => detail,
        other => other.to_string(),
    }
}

/// Creates an organisation with its first admin. Runs on a blocking thread.
pub fn create_organization(
    conn: &mut DbConnection,
    name: &str,
    slug: &str,
    admin_email: &str,
    admin_password: Option<&str>,
) -> Result<(Organization, CreatedAccount), String> {
    let name = fields::text(name, 200, false).map_err(|m| format!("name {m}"))?;
    let slug = fields::slug(slug).map_err(|m| format!("slug {m}"))?;
    let email = Email::parse(admin_email).map_err(|m| format!("admin e-mail {m}"))?;
    let (password, generated) = match admin_password {
        Some(p) => (
            fields::new_password(p).map_err(|m| format!("admin password {m}"))?,
            false,
        ),
        None => (generate_password(), true),
    };
    let hash = password::hash_blocking(&password).map_err(describe)?;
    db::write_tx(conn, |conn| {
        let org = organizations::insert(conn, &name, &slug)?;
        let new = NewUser::new(
            &org.id,
            email.into_inner(),
            "Administrator".into(),
            Role::Admin,
            None,
            hash,
            generated,
        );
        let user = users::insert(conn, &new)?;
        // Every organisation starts with the built-in questionnaire.
        questionnaires::ensure_builtin(conn, &org.id)?;
        Ok((
            org,
            CreatedAccount {
                user,
                generated_password: generated.then_some(password),
            },
        ))
    })
    .map_err(describe)
}

/// Creates a user in the organisation with `org_slug`. `unit` is a unit id or exact name.
pub fn create_user(
    conn: &mut DbConnection,
    org_slug: &str,
    email: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    password: Option<&str>,
) -> Result<CreatedAccount, String> {
    let org = organizations::find_by_slug(conn, org_slug)
        .map_err(describe)?
        .ok_or_else(|| format!("no organisation with the slug {org_slug:?}"))?;
    let email = Email::parse(email).map_err(|m| format!("e-mail {m}"))?;
    let name = fields::display_name(name).map_err(|m| format!("name {m}"))?;
    let unit_id = match unit {
        None => None,
        Some(u) => Some(units::resolve_id_or_name(conn, &org.id, u).map_err(describe)?),
    };
    let (password, generated) = match password {
        Some(p) => (fields::new_password(p).map_err(|m| format!("password {m}"))?, false),
        None => (generate_password(), true),
    };
    let hash = password::hash_blocking(&password).map_err(describe)?;
    let new = NewUser::new(&org.id, email.into_inner(), name, role, unit_id, hash, generated);
    let user = users::insert(conn, &new).map_err(describe)?;
    Ok(CreatedAccount {
        user,
        generated_password: generated.then_some(password),
    })
}

/// On an empty database: organisation `default` with an admin from
/// `KAIZEN_ADMIN_EMAIL`/`KAIZEN_ADMIN_PASSWORD`, or a generated password printed to
/// stderr this one time. On every start: the built-in questionnaire (in its current
/// version) for every organisation that lacks it.
pub async fn first_start(pool: &DbPool, settings: &Settings) -> Result<(), StartupError> {
    let pool = pool.clone();
    let email = settings
        .admin_email
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.into());
    let password = settings.admin_password.clone();
    let created = web::block(move || -> Result<Option<CreatedAccount>, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let created = if organizations::count(&mut conn).map_err(describe)? > 0 {
            None
        } else {
            match create_organization(&mut conn, "Default", "default", &email, password.as_deref()) {
                Ok((_, account)) => Some(account),
                // Another instance starting at the same moment created it first.
                Err(_) if organizations::count(&mut conn).map_err(describe)? > 0 => None,
                Err(e) => return Err(e),
            }
        };
        let loaded = questionnaires::ensure_builtin_everywhere(&mut conn).map_err(describe)?;
        if loaded > 0 {
            tracing::info!(organisations = loaded, "loaded the built-in questionnaire");
        }
        // Rounds closed before figures were stored get theirs now, before anyone reads them.
        let published = crate::store::round_results::publish_missing(&mut conn).map_err(describe)?;
        if published > 0 {
            tracing::info!(rounds = published, "fixed the published figures of earlier rounds");
        }
        Ok(created)
    })
    .await
    .map_err(|e| StartupError::Bootstrap(e.to_string()))?
    .map_err(StartupError::Bootstrap)?;

    if let Some(account) = created {
        tracing::info!(email = %account.user.email, "created organisation 'default' and its first admin");
        if let Some(password) = account.generated_password {
            eprintln!(
                "\n  kaizen: first start. Organisation 'default' has an admin account:\n\
                 \n      e-mail:   {}\n      password: {}\n\
                 \n  This password is shown only now and must be changed at first login\n  \
                 (PUT /api/v1/me/password). Set KAIZEN_ADMIN_EMAIL and KAIZEN_ADMIN_PASSWORD\n  \
                 to choose them yourself.\n",
                account.user.email, password
            );
        }
    }
    Ok(())
}
