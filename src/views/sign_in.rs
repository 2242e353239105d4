//! Single sign-on for the API and the pages alike: an organisation's sign-in settings
//! (validated, replaced at a version, audited without the secret) and finishing a sign-in
//! with the provider — the account found or created just in time, role and unit taken
//! from the group mapping, every change audited, and then the same session a password
//! sign-in starts.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::sso::Identity;
use crate::db::{self, DbConnection};
use crate::domain::fields::{self, Email};
use crate::domain::roles::Role;
use crate::error::{ApiError, Validator};
use crate::store::audit::{self, Act};
use crate::store::sign_in::{self, GroupMapping, SignInConfig};
use crate::store::units;
use crate::store::users::{self, NewUser, User, UserChangeset};

/// The settings as an admin sends them, before validation.
#[derive(Debug, Clone)]
pub struct SignInInput {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    /// `None` keeps the stored secret; an empty text removes it (a public client).
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    pub email_claim: String,
    pub groups_claim: String,
    pub group_mappings: Vec<GroupMapping>,
    pub password_login: bool,
    /// Trust an address when the token does not say whether it is verified.
    pub trust_email_without_verified: bool,
}

fn claim_name(v: &mut Validator, field: &str, raw: &str) -> String {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        v.add(field, "must be a claim name of 1 to 100 characters without spaces");
    }
    s.to_owned()
}

/// Whether an issuer may be used: HTTPS, or plain HTTP to this machine only (tests, a
/// provider beside the service).
fn issuer_ok(raw: &str) -> bool {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let plain_ok = ["127.0.0.1", "localhost", "[::1]"].contains(&host_name);
    !host.is_empty() && !raw.contains(['?', '#', ' ']) && (scheme == "https" || (scheme == "http" && plain_ok))
}

/// Validates the settings (422 naming each bad field) into the row to store; `stored` is
/// the current row, whose secret is kept unless a new one is given.
pub fn validate(input: SignInInput, stored: &SignInConfig) -> Result<SignInConfig, ApiError> {
    let mut v = Validator::new();
    let issuer_url = input.issuer_url.trim().to_owned();
    let client_id = input.client_id.trim().to_owned();
    if (input.enabled || !issuer_url.is_empty()) && (issuer_url.len() > 500 || !issuer_ok(&issuer_url)) {
        v.add(
            "issuer_url",
            "must be the provider's issuer URL with https:// (http:// only for this machine), without query",
        );
    }
    if input.enabled && client_id.is_empty() {
        v.add("client_id", "must not be empty");
    }
    if client_id.len() > 200 || client_id.chars().any(char::is_control) {
        v.add("client_id", "must be at most 200 characters without control characters");
    }
    let client_secret = match input.client_secret {
        None => stored.client_secret.clone(),
        Some(s) if s.is_empty() => None,
        Some(s) => {
            if s.len() > 1000 || s.chars().any(char::is_control) {
                v.add(
                    "client_secret",
                    "must be at most 1000 characters without control characters",
                );
            }
            Some(s)
        }
    };
    let scopes: Vec<String> = input.scopes.iter().map(|s| s.trim().to_owned()).collect();
    if !scopes.iter().any(|s| s == "openid") {
        v.add("scopes", "must contain openid");
    }
    if scopes.len() > 20
        || scopes
            .iter()
            .any(|s| s.is_empty() || s.len() > 100 || s.chars().any(|c| !c.is_ascii_graphic() || c == '"' || c == '\\'))
    {
        v.add(
            "scopes",
            "at most 20 scopes, each of printable characters without spaces",
        );
    }
    let email_claim = claim_name(&mut v, "email_claim", &input.email_claim);
    let groups_claim = claim_name(&mut v, "groups_claim", &input.groups_claim);
    if input.group_mappings.len() > 200 {
        v.add("group_mappings", "at most 200 mappings");
    }
    let mut mappings: Vec<GroupMapping> = Vec::new();
    for (i, m) in input.group_mappings.iter().enumerate() {
        let group = v.check(
            &format!("group_mappings[{i}].group"),
            fields::text(&m.group, 200, false),
        );
        if Role::parse(&m.role).is_none() {
            v.add(
                format!("group_mappings[{i}].role"),
                "must be employee, lead, manager or admin",
            );
        }
        if let Some(g) = &group
            && mappings.iter().any(|other| &other.group == g)
        {
            v.add(format!("group_mappings[{i}].group"), "appears twice");
        }
        mappings.push(GroupMapping {
            group: group.unwrap_or_default(),
            role: m.role.clone(),
            unit_id: m.unit_id.clone().filter(|u| !u.is_empty()),
        });
    }
    if !input.password_login && !input.enabled {
        v.add(
            "password_login",
            "can be switched off only while sign-in with the provider is enabled",
        );
    }
    v.finish()?;
    Ok(SignInConfig {
        org_id: stored.org_id.clone(),
        enabled: input.enabled,
        issuer_url,
        client_id,
        client_secret,
        scopes: scopes.join(" "),
        email_claim,
        groups_claim,
        group_mappings: serde_json::to_string(&mappings).map_err(ApiError::internal)?,
        password_login: input.password_login,
        version: stored.version,
        updated_at: stored.updated_at,
        trust_email_without_verified: input.trust_email_without_verified,
    })
}

/// Replaces the settings at version `expected` (`Ok(Err(current))` when changed
/// meanwhile), with an audit entry naming what changed — of the secret only that it did.
pub fn replace(
    conn: &mut DbConnection,
    actor: &str,
    expected: i64,
    new: SignInConfig,
) -> Result<Result<SignInConfig, i64>, ApiError> {
    let org_id = new.org_id.clone();
    db::write_tx(conn, |conn| {
        for (i, m) in new.mappings().iter().enumerate() {
            if let Some(unit) = &m.unit_id {
                units::require_in_org(conn, &org_id, unit, &format!("group_mappings[{i}].unit_id"))?;
            }
        }
        let outcome = sign_in::replace(conn, expected, new)?;
        let (before, after) = match outcome {
            Ok(pair) => pair,
            Err(current) => return Ok(Err(current)),
        };
        let mut changed = serde_json::Map::new();
        let mut note = |key: &str, old: Value, new: Value| {
            if old != new {
                changed.insert(key.into(), json!({"from": old, "to": new}));
            }
        };
        note("enabled", before.enabled.into(), after.enabled.into());
        note(
            "issuer_url",
            before.issuer_url.clone().into(),
            after.issuer_url.clone().into(),
        );
        note(
            "client_id",
            before.client_id.clone().into(),
            after.client_id.clone().into(),
        );
        note("scopes", before.scopes.clone().into(), after.scopes.clone().into());
        note(
            "email_claim",
            before.email_claim.clone().into(),
            after.email_claim.clone().into(),
        );
        note(
            "groups_claim",
            before.groups_claim.clone().into(),
            after.groups_claim.clone().into(),
        );
        note(
            "group_mappings",
            serde_json::to_value(before.mappings()).unwrap_or_default(),
            serde_json::to_value(after.mappings()).unwrap_or_default(),
        );
        note(
            "password_login",
            before.password_login.into(),
            after.password_login.into(),
        );
        note(
            "trust_email_without_verified",
            before.trust_email_without_verified.into(),
            after.trust_email_without_verified.into(),
        );
        if before.client_secret != after.client_secret {
            changed.insert(
                "client_secret".into(),
                json!(if after.client_secret.is_some() {
                    "replaced"
                } else {
                    "removed"
                }),
            );
        }
        audit::append(
            conn,
            &org_id,
            Act::new(
                actor,
                "organization.sign_in_changed",
                "organization",
                &org_id,
                changed.into(),
            ),
        )?;
        Ok(Ok(after))
    })
}

/// Why a verified person may not sign in. People are told the same for each, so nobody
/// learns whether an account exists or in which state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// The token carries no usable e-mail address in the configured claim.
    NoEmail,
    /// The address would make or link an account, but the provider states it is not
    /// verified (`email_verified: false`), or does not say and the settings do not trust
    /// such addresses.
    EmailUnverified,
    /// Deactivated, erased, or the address belongs to an account linked to another
    /// identity of the provider.
    Refused,
}

/// The role and unit the groups give: the highest role any matching mapping names, and
/// the unit of the first matching mapping with that role that names one. `None` when no
/// mapping is configured.
pub fn mapped(mappings: &[GroupMapping], groups: &[String]) -> Option<(Role, Option<String>)> {
    if mappings.is_empty() {
        return None;
    }
    let matching: Vec<&GroupMapping> = mappings.iter().filter(|m| groups.contains(&m.group)).collect();
    let role = matching
        .iter()
        .filter_map(|m| Role::parse(&m.role))
        .max()
        .unwrap_or(Role::Employee);
    let unit = matching
        .iter()
        .filter(|m| Role::parse(&m.role) == Some(role))
        .find_map(|m| m.unit_id.clone());
    Some((role, unit))
}

/// A digest of issuer and subject: the provider's identifier for the person is never stored.
pub fn subject_hash(issuer: &str, subject: &str) -> String {
    let mut h = Sha256::new();
    h.update(issuer.as_bytes());
    h.update([0]);
    h.update(subject.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Finds the account the provider vouched for in the organisation, or creates it (with
/// `unusable_hash` as its password: it signs in through the provider), and brings role and
/// unit in line with the group mapping. Every creation and change is audited in the same
/// transaction. Accounts of other organisations are never looked at.
pub fn resolve_account(
    conn: &mut DbConnection,
    config: &SignInConfig,
    identity: &Identity,
    unusable_hash: String,
) -> Result<Result<User, AccountRefusal>, ApiError> {
    let org_id = config.org_id.clone();
    let hash = subject_hash(&identity.issuer, &identity.subject);
    let groups = identity.texts(&config.groups_claim);
    let mapping = mapped(&config.mappings(), &groups);
    db::write_tx(conn, |conn| {
        let user = match sign_in::identity(conn, &org_id, &hash)? {
            Some(user_id) => users::find(conn, &org_id, &user_id)?,
            None => {
                let Some(email) = identity
                    .text(&config.email_claim)
                    .and_then(|e| Email::parse(&e).ok())
                    .map(Email::into_inner)
                else {
                    return Ok(Err(AccountRefusal::NoEmail));
                };
                // The address is about to make or link an account: only one the provider
                // vouches for. Otherwise anyone who can register an unverified address at
                // the provider could take over the account that uses it here.
                let verified = identity.email_verified();
                if !email_trusted(verified, config.trust_email_without_verified) {
                    audit::append(
                        conn,
                        &org_id,
                        Act::new(
                            "",
                            "sign_in.refused_unverified_email",
                            "organization",
                            &org_id,
                            json!({"email_verified": verified}),
                        ),
                    )?;
                    return Ok(Err(AccountRefusal::EmailUnverified));
                }
                match users::find_by_email(conn, &org_id, &email)? {
                    Some(existing) => {
                        if sign_in::has_identity(conn, &existing.id)? {
                            return Ok(Err(AccountRefusal::Refused));
                        }
                        if !existing.active || existing.erased_at.is_some() {
                            return Ok(Err(AccountRefusal::Refused));
                        }
                        sign_in::link(conn, &org_id, &hash, &existing.id)?;
                        if existing.must_change_password {
                            // A generated password the person never needs: they sign in
                            // through the provider.
                            let clear = UserChangeset {
                                must_change_password: Some(false),
                                ..Default::default()
                            };
                            users::update(conn, &org_id, &existing.id, None, &clear)?
                                .map_err(ApiError::stale_version)?
                        } else {
                            existing
                        }
                    }
                    None => {
                        let (role, unit) = match &mapping {
                            Some((role, unit)) => (*role, existing_unit(conn, &org_id, unit.as_deref())?),
                            None => (Role::Employee, None),
                        };
                        let name = identity
                            .text("name")
                            .and_then(|n| fields::display_name(&n).ok())
                            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
                        let new = NewUser::new(&org_id, email, name, role, unit, unusable_hash, false);
                        let created = users::insert(conn, &new)?;
                        sign_in::link(conn, &org_id, &hash, &created.id)?;
                        audit::append(
                            conn,
                            &org_id,
                            Act::new(
                                &created.id,
                                "user.created_by_sign_in",
                                "user",
                                &created.id,
                                json!({"role": created.role, "unit_id": created.unit_id}),
                            ),
                        )?;
                        return Ok(Ok(created));
                    }
                }
            }
        };
        if !user.active || user.erased_at.is_some() {
            return Ok(Err(AccountRefusal::Refused));
        }
        let Some((role, unit)) = mapping else {
            return Ok(Ok(user));
        };
        let unit = existing_unit(conn, &org_id, unit.as_deref())?;
        let mut changes = UserChangeset::default();
        if user.role() != role {
            changes.role = Some(role.as_str().to_owned());
        }
        if unit.is_some() && unit != user.unit_id {
            changes.unit_id = Some(unit);
        }
        if changes.role.is_none() && changes.unit_id.is_none() {
            return Ok(Ok(user));
        }
        let updated = match users::update(conn, &org_id, &user.id, None, &changes) {
            Ok(done) => done,
            // The organisation's last admin keeps the role; the unit may still follow.
            Err(ApiError::Conflict { .. }) if changes.role.is_some() => {
                changes.role = None;
                if changes.unit_id.is_none() {
                    return Ok(Ok(user));
                }
                users::update(conn, &org_id, &user.id, None, &changes)?
            }
            Err(e) => return Err(e),
        };
        let updated = updated.map_err(ApiError::stale_version)?;
        let mut details = serde_json::Map::new();
        if let Some(r) = &changes.role {
            details.insert("role".into(), json!({"from": user.role, "to": r}));
        }
        if let Some(u) = &changes.unit_id {
            details.insert("unit_id".into(), json!({"from": user.unit_id, "to": u}));
        }
        audit::append(
            conn,
            &org_id,
            Act::new(
                &updated.id,
                "user.changed_by_sign_in",
                "user",
                &updated.id,
                details.into(),
            ),
        )?;
        Ok(Ok(updated))
    })
}

/// Whether an address may make or link an account: verified by the provider, or — when the
/// token does not say — if the organisation trusts such addresses.
pub fn email_trusted(email_verified: Option<bool>, trust_without_claim: bool) -> bool {
    email_verified.unwrap_or(trust_without_claim)
}

/// The unit when it (still) exists in the organisation: a mapping may name a unit that
/// was deleted since.
fn existing_unit(conn: &mut DbConnection, org_id: &str, unit: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(unit) = unit else {
        return Ok(None);
    };
    Ok(units::require_in_org(conn, org_id, unit, "unit_id")
        .ok()
        .map(|_| unit.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(group: &str, role: &str, unit: Option<&str>) -> GroupMapping {
        GroupMapping {
            group: group.into(),
            role: role.into(),
            unit_id: unit.map(str::to_owned),
        }
    }

    #[test]
    fn the_highest_matching_role_wins_with_its_unit() {
        let mappings = [
            m("staff", "employee", Some("u0")),
            m("leads-a", "lead", Some("ua")),
            m("leads-b", "lead", Some("ub")),
        ];
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            mapped(&mappings, &groups(&["staff", "leads-b"])),
            Some((Role::Lead, Some("ub".into())))
        );
        assert_eq!(mapped(&mappings, &groups(&["other"])), Some((Role::Employee, None)));
        assert_eq!(mapped(&[], &groups(&["leads-a"])), None);
    }

    #[test]
    fn only_verified_or_explicitly_trusted_addresses_are_used() {
        assert!(email_trusted(Some(true), false));
        assert!(!email_trusted(Some(false), true), "false is never trusted");
        assert!(email_trusted(None, true));
        assert!(!email_trusted(None, false));
    }

    #[test]
    fn issuers_must_be_https_or_this_machine() {
        assert!(issuer_ok("https://login.microsoftonline.com/tenant/v2.0"));
        assert!(issuer_ok("http://127.0.0.1:8080"));
        assert!(!issuer_ok("http://idp.example.org/realms/x"));
        assert!(!issuer_ok("https://idp.example.org/?a=b"));
        assert!(!issuer_ok("idp.example.org"));
    }
}
