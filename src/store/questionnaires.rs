//! Questionnaires: numbered versions per key with their dimensions and items, and the
//! built-in default questionnaire that every organisation has.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{questionnaire_dimensions, questionnaire_items, questionnaires};
use crate::db::{self, DbConnection};
use crate::domain::locale::LocalizedText;
use crate::domain::questionnaire::{
    self, BUILTIN_VERSION, DimensionDefinition, ItemDefinition, QuestionnaireDefinition, QuestionnaireStatus,
};
use crate::domain::scoring::Instrument;
use crate::error::ApiError;
use crate::store::{organizations, report_cache};

#[derive(Debug, Clone, Queryable)]
pub struct Questionnaire {
    pub id: String,
    pub org_id: String,
    pub key: String,
    pub version: i64,
    pub status: String,
    pub builtin: bool,
    pub scale: String,
    /// `LocalizedText` as JSON.
    pub title: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub archived_at: Option<NaiveDateTime>,
}

/// Texts are written by this module only; a text that does not parse reads as empty
/// rather than failing every request that shows the questionnaire.
fn text(json: &str) -> LocalizedText {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_json(t: &LocalizedText) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| "{}".into())
}

impl Questionnaire {
    pub fn status(&self) -> QuestionnaireStatus {
        QuestionnaireStatus::parse(&self.status).unwrap_or(QuestionnaireStatus::Archived)
    }

    pub fn title(&self) -> LocalizedText {
        text(&self.title)
    }

    pub fn description(&self) -> Option<LocalizedText> {
        self.description.as_deref().map(text)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = questionnaires)]
struct NewQuestionnaire {
    id: String,
    org_id: String,
    key: String,
    version: i64,
    status: String,
    builtin: bool,
    scale: String,
    title: String,
    description: Option<String>,
    created_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = questionnaire_dimensions)]
pub struct DimensionRow {
    pub questionnaire_id: String,
    pub dimension_key: String,
    pub position: i64,
    pub name: String,
    pub description: String,
}

impl DimensionRow {
    pub fn name(&self) -> LocalizedText {
        text(&self.name)
    }

    pub fn description(&self) -> LocalizedText {
        text(&self.description)
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = questionnaire_items)]
pub struct ItemRow {
    pub questionnaire_id: String,
    pub item_key: String,
    pub dimension_key: String,
    pub position: i64,
    pub reverse: bool,
    pub text: String,
}

impl ItemRow {
    pub fn text(&self) -> LocalizedText {
        text(&self.text)
    }
}

/// A questionnaire with its dimensions and items, in questionnaire order.
#[derive(Debug, Clone)]
pub struct Content {
    pub questionnaire: Questionnaire,
    pub dimensions: Vec<DimensionRow>,
    pub items: Vec<ItemRow>,
}

impl Content {
    pub fn items_of<'a>(&'a self, dimension_key: &'a str) -> impl Iterator<Item = &'a ItemRow> + 'a {
        self.items.iter().filter(move |i| i.dimension_key == dimension_key)
    }

    /// The import format of this questionnaire, all languages.
    pub fn definition(&self) -> QuestionnaireDefinition {
        QuestionnaireDefinition {
            key: self.questionnaire.key.clone(),
            title: self.questionnaire.title(),
            description: self.questionnaire.description(),
            scale: self.questionnaire.scale.clone(),
            dimensions: self
                .dimensions
                .iter()
                .map(|d| DimensionDefinition {
                    key: d.dimension_key.clone(),
                    name: d.name(),
                    description: d.description(),
                    items: self
                        .items_of(&d.dimension_key)
                        .map(|i| ItemDefinition {
                            key: i.item_key.clone(),
                            text: i.text(),
                            reverse: i.reverse,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn instrument(&self) -> Instrument {
        Instrument::from_definition(&self.definition())
    }

    pub fn dimension(&self, key: &str) -> Option<&DimensionRow> {
        self.dimensions.iter().find(|d| d.dimension_key == key)
    }

    pub fn item(&self, key: &str) -> Option<&ItemRow> {
        self.items.iter().find(|i| i.item_key == key)
    }
}

pub fn find(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Questionnaire, ApiError> {
    Ok(questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::id.eq(id))
        .get_result(conn)?)
}

/// Scoring instruments of published questionnaires, by id. A published questionnaire never
/// changes, so every instance may keep what it read; drafts are never cached.
#[allow(clippy::type_complexity)]
static INSTRUMENTS: LazyLock<RwLock<HashMap<String, (String, Arc<Instrument>)>>> = LazyLock::new(Default::default);

/// The scoring instrument of a questionnaire of the organisation (404 if none). Answering
/// asks for it with every response; a published one is read from the database once.
pub fn instrument(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Arc<Instrument>, ApiError> {
    let cached = INSTRUMENTS.read().ok().and_then(|m| m.get(id).cloned());
    if let Some((owner, instrument)) = cached {
        // The id alone must not let one organisation reach another's questionnaire.
        return if owner == org_id {
            Ok(instrument)
        } else {
            Err(ApiError::NotFound)
        };
    }
    let content = load(conn, org_id, id)?;
    let instrument = Arc::new(content.instrument());
    if content.questionnaire.status() == QuestionnaireStatus::Published
        && let Ok(mut m) = INSTRUMENTS.write()
    {
        m.insert(id.to_owned(), (org_id.to_owned(), Arc::clone(&instrument)));
    }
    Ok(instrument)
}

/// Loads a questionnaire of the organisation with everything in it (404 if none).
pub fn load(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Content, ApiError> {
    let questionnaire = find(conn, org_id, id)?;
    let rows = rows_of(conn, id)?;
    Ok(Content {
        questionnaire,
        dimensions: rows.0.clone(),
        items: rows.1.clone(),
    })
}

/// A questionnaire's dimensions and items: written with it and never changed, so read
/// once per process (`report_cache`). Callers have found the questionnaire in the
/// caller's organisation first, or name one found so.
fn rows_of(conn: &mut DbConnection, id: &str) -> Result<report_cache::QuestionnaireRows, ApiError> {
    if let Some(kept) = report_cache::questionnaire_rows(id) {
        return Ok(kept);
    }
    let dimensions = questionnaire_dimensions::table
        .filter(questionnaire_dimensions::questionnaire_id.eq(id))
        .order(questionnaire_dimensions::position.asc())
        .load(conn)?;
    let items: Vec<ItemRow> = questionnaire_items::table
        .filter(questionnaire_items::questionnaire_id.eq(id))
        .order(questionnaire_items::position.asc())
        .load(conn)?;
    let rows = Arc::new((dimensions, items));
    // Only what a committed questionnaire holds is kept: inside the transaction that
    // writes it, the rows could still be undone.
    if db::outside_transaction(conn) {
        report_cache::keep_questionnaire_rows(id, rows.clone());
    }
    Ok(rows)
}

#[derive(Debug, Default, Clone)]
pub struct QuestionnaireFilter {
    pub status: Option<QuestionnaireStatus>,
    pub key: Option<String>,
    /// Drafts are work in progress of the admins; others see published and archived ones.
    pub include_drafts: bool,
}

pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    filter: &QuestionnaireFilter,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Questionnaire>, ApiError> {
    let mut q = questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .into_boxed();
    if !filter.include_drafts {
        q = q.filter(questionnaires::status.ne(QuestionnaireStatus::Draft.as_str()));
    }
    if let Some(status) = filter.status {
        q = q.filter(questionnaires::status.eq(status.as_str()));
    }
    if let Some(key) = &filter.key {
        q = q.filter(questionnaires::key.eq(key.clone()));
    }
    if let Some(after) = after_id {
        q = q.filter(questionnaires::id.gt(after.to_owned()));
    }
    Ok(q.order(questionnaires::id.asc()).limit(limit + 1).load(conn)?)
}

fn insert_dimensions(conn: &mut DbConnection, rows: &[DimensionRow]) -> QueryResult<usize> {
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(questionnaire_dimensions::table)
            .values(rows)
            .execute(c),
        DbConnection::Postgresql(c) => diesel::insert_into(questionnaire_dimensions::table)
            .values(rows)
            .execute(c),
    }
}

fn insert_items(conn: &mut DbConnection, rows: &[ItemRow]) -> QueryResult<usize> {
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(questionnaire_items::table).values(rows).execute(c),
        DbConnection::Postgresql(c) => diesel::insert_into(questionnaire_items::table).values(rows).execute(c),
    }
}

fn next_version(conn: &mut DbConnection, org_id: &str, key: &str) -> Result<i64, ApiError> {
    let max: Option<i64> = questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::key.eq(key))
        .select(diesel::dsl::max(questionnaires::version))
        .get_result(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Stores a validated definition. Custom imports become the next version of their key as
/// a draft; the built-in one is stored published under its own version number.
fn insert(
    conn: &mut DbConnection,
    org_id: &str,
    def: &QuestionnaireDefinition,
    builtin: bool,
) -> Result<Questionnaire, ApiError> {
    db::write_tx(conn, |conn| {
        // Serialises version numbering within the organisation.
        organizations::lock(conn, org_id)?;
        let now = db::now();
        let version = if builtin {
            BUILTIN_VERSION
        } else {
            next_version(conn, org_id, &def.key)?
        };
        let new = NewQuestionnaire {
            id: db::new_id(),
            org_id: org_id.to_owned(),
            key: def.key.clone(),
            version,
            status: if builtin {
                QuestionnaireStatus::Published
            } else {
                QuestionnaireStatus::Draft
            }
            .as_str()
            .to_owned(),
            builtin,
            scale: def.scale.clone(),
            title: to_json(&def.title),
            description: def.description.as_ref().map(to_json),
            created_at: now,
            published_at: builtin.then_some(now),
        };
        diesel::insert_into(questionnaires::table).values(&new).execute(conn)?;
        let mut dimensions = Vec::with_capacity(def.dimensions.len());
        let mut items = Vec::new();
        for (d, dim) in def.dimensions.iter().enumerate() {
            dimensions.push(DimensionRow {
                questionnaire_id: new.id.clone(),
                dimension_key: dim.key.clone(),
                position: d as i64,
                name: to_json(&dim.name),
                description: to_json(&dim.description),
            });
            for item in &dim.items {
                items.push(ItemRow {
                    questionnaire_id: new.id.clone(),
                    item_key: item.key.clone(),
                    dimension_key: dim.key.clone(),
                    position: items.len() as i64,
                    reverse: item.reverse,
                    text: to_json(&item.text),
                });
            }
        }
        insert_dimensions(conn, &dimensions)?;
        insert_items(conn, &items)?;
        find(conn, org_id, &new.id)
    })
}

/// Imports a custom questionnaire (validated already) as a draft.
pub fn import(conn: &mut DbConnection, org_id: &str, def: &QuestionnaireDefinition) -> Result<Questionnaire, ApiError> {
    insert(conn, org_id, def, false)
}

fn wrong_state(q: &Questionnaire, action: &str, allowed: &str) -> ApiError {
    ApiError::conflict(format!(
        "the questionnaire is {}; only {allowed} questionnaires can be {action}",
        q.status
    ))
}

/// draft → published. From then on the questionnaire never changes.
pub fn publish(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Questionnaire, ApiError> {
    db::write_tx(conn, |conn| {
        let n = diesel::update(
            questionnaires::table
                .filter(questionnaires::org_id.eq(org_id))
                .filter(questionnaires::id.eq(id))
                .filter(questionnaires::status.eq(QuestionnaireStatus::Draft.as_str())),
        )
        .set((
            questionnaires::status.eq(QuestionnaireStatus::Published.as_str()),
            questionnaires::published_at.eq(Some(db::now())),
        ))
        .execute(conn)?;
        let q = find(conn, org_id, id)?;
        if n == 0 {
            return Err(wrong_state(&q, "published", "draft"));
        }
        Ok(q)
    })
}

/// published → archived: no new rounds may use it; existing rounds keep it.
pub fn archive(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Questionnaire, ApiError> {
    db::write_tx(conn, |conn| {
        let n = diesel::update(
            questionnaires::table
                .filter(questionnaires::org_id.eq(org_id))
                .filter(questionnaires::id.eq(id))
                .filter(questionnaires::status.eq(QuestionnaireStatus::Published.as_str())),
        )
        .set((
            questionnaires::status.eq(QuestionnaireStatus::Archived.as_str()),
            questionnaires::archived_at.eq(Some(db::now())),
        ))
        .execute(conn)?;
        let q = find(conn, org_id, id)?;
        if n == 0 {
            return Err(wrong_state(&q, "archived", "published"));
        }
        Ok(q)
    })
}

/// Deletes a draft (published questionnaires are kept for the rounds that used them).
pub fn delete_draft(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let q = find(conn, org_id, id)?;
        if q.status() != QuestionnaireStatus::Draft {
            return Err(wrong_state(&q, "deleted", "draft"));
        }
        diesel::delete(questionnaire_items::table.filter(questionnaire_items::questionnaire_id.eq(id)))
            .execute(conn)?;
        diesel::delete(questionnaire_dimensions::table.filter(questionnaire_dimensions::questionnaire_id.eq(id)))
            .execute(conn)?;
        diesel::delete(questionnaires::table.filter(questionnaires::id.eq(id))).execute(conn)?;
        Ok(())
    })
}

/// Loads the built-in questionnaire into the organisation unless this version is there
/// already; true when it was added. Safe to call on every start and concurrently.
pub fn ensure_builtin(conn: &mut DbConnection, org_id: &str) -> Result<bool, ApiError> {
    let def = questionnaire::builtin().map_err(ApiError::internal)?;
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let present: i64 = questionnaires::table
            .filter(questionnaires::org_id.eq(org_id))
            .filter(questionnaires::key.eq(&def.key))
            .filter(questionnaires::version.eq(BUILTIN_VERSION))
            .count()
            .get_result(conn)?;
        if present > 0 {
            return Ok(false);
        }
        insert(conn, org_id, &def, true)?;
        Ok(true)
    })
}

/// `ensure_builtin` for every organisation; returns how many got it now.
pub fn ensure_builtin_everywhere(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let orgs: Vec<String> = crate::db::schema::organizations::table
        .select(crate::db::schema::organizations::id)
        .load(conn)?;
    let mut added = 0;
    for org in orgs {
        if ensure_builtin(conn, &org)? {
            added += 1;
        }
    }
    Ok(added)
}

/// The built-in questionnaire's row in the organisation (its newest built-in version).
pub fn builtin_of(conn: &mut DbConnection, org_id: &str) -> Result<Option<Questionnaire>, ApiError> {
    Ok(questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::builtin.eq(true))
        .order(questionnaires::version.desc())
        .first(conn)
        .optional()?)
}

/// The dimensions of a questionnaire, in its order.
pub fn dimension_rows(conn: &mut DbConnection, questionnaire_id: &str) -> Result<Vec<DimensionRow>, ApiError> {
    Ok(rows_of(conn, questionnaire_id)?.0.clone())
}

/// The dimension keys of a questionnaire, in its order.
pub fn dimension_keys(conn: &mut DbConnection, questionnaire_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(questionnaire_dimensions::table
        .filter(questionnaire_dimensions::questionnaire_id.eq(questionnaire_id))
        .order(questionnaire_dimensions::position.asc())
        .select(questionnaire_dimensions::dimension_key)
        .load(conn)?)
}

/// The key of the organisation's reference questionnaire, as a subquery.
type ReferenceKey<'a> = diesel::dsl::SingleValue<
    diesel::dsl::Select<
        diesel::dsl::Filter<
            crate::db::schema::organizations::table,
            diesel::dsl::Eq<crate::db::schema::organizations::id, &'a str>,
        >,
        crate::db::schema::organizations::reference_questionnaire_key,
    >,
>;

fn reference_key(org_id: &str) -> ReferenceKey<'_> {
    use crate::db::schema::organizations;
    organizations::table
        .filter(organizations::id.eq(org_id))
        .select(organizations::reference_questionnaire_key)
        .single_value()
}

/// The dimension keys of `latest_published`, in their order, read in one query; empty
/// when nothing is published.
pub fn latest_published_keys(conn: &mut DbConnection, org_id: &str) -> Result<Vec<String>, ApiError> {
    let latest = questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::status.eq(QuestionnaireStatus::Published.as_str()))
        .filter(questionnaires::key.nullable().eq(reference_key(org_id)))
        .order((questionnaires::published_at.desc(), questionnaires::id.desc()))
        .select(questionnaires::id)
        .limit(1)
        .single_value();
    Ok(db::load_native(
        conn,
        questionnaire_dimensions::table
            .filter(questionnaire_dimensions::questionnaire_id.nullable().eq(latest))
            .order(questionnaire_dimensions::position.asc())
            .select(questionnaire_dimensions::dimension_key),
    )?)
}

/// `latest_published_keys` of the organisation of the row in `users` a query reads, as
/// an SQL expression for a column of that query (an array, empty when nothing is
/// published): PostgreSQL's idea checker reads them with the batch's accounts
/// (`sessions::accounts_and_sessions`), a round trip fewer per batch. The same
/// conditions as `latest_published_keys` ('published' is
/// `QuestionnaireStatus::Published`, which a test keeps the same); the idea batch tests
/// check keys through both.
pub(crate) const PUBLISHED_KEYS_OF_USERS_ORG: &str = "ARRAY(SELECT d.dimension_key FROM questionnaire_dimensions d \
     WHERE d.questionnaire_id = (SELECT q.id FROM questionnaires q WHERE q.org_id = users.org_id \
     AND q.status = 'published' AND q.key = (SELECT o.reference_questionnaire_key FROM organizations o \
     WHERE o.id = users.org_id) ORDER BY q.published_at DESC, q.id DESC LIMIT 1) ORDER BY d.position)";

/// The most recently published, not archived version of the questionnaire with `key`.
pub fn latest_published_of_key(
    conn: &mut DbConnection,
    org_id: &str,
    key: &str,
) -> Result<Option<Questionnaire>, ApiError> {
    Ok(questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::status.eq(QuestionnaireStatus::Published.as_str()))
        .filter(questionnaires::key.eq(key))
        .order((questionnaires::published_at.desc(), questionnaires::id.desc()))
        .first(conn)
        .optional()?)
}

/// The most recently published version of the organisation's reference questionnaire
/// that is not archived.
pub fn latest_published(conn: &mut DbConnection, org_id: &str) -> Result<Option<Questionnaire>, ApiError> {
    Ok(questionnaires::table
        .filter(questionnaires::org_id.eq(org_id))
        .filter(questionnaires::status.eq(QuestionnaireStatus::Published.as_str()))
        .filter(questionnaires::key.nullable().eq(reference_key(org_id)))
        .order((questionnaires::published_at.desc(), questionnaires::id.desc()))
        .first(conn)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkers_keys_come_from_a_published_questionnaire() {
        let status = format!("q.status = '{}'", QuestionnaireStatus::Published.as_str());
        assert!(PUBLISHED_KEYS_OF_USERS_ORG.contains(&status));
    }
}
