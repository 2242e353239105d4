//! Reading a form with a file (`multipart/form-data`): the staff list and questionnaire
//! definitions are uploaded as files. Text fields come back as [`Fields`] (NUL refused as
//! in every form), the file as its name and bytes; anything larger than the limit is
//! refused with 413 before it is held in memory as a whole.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::form::Fields;
use crate::error::ApiError;

/// The text fields and the one file of an upload form.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Fields,
    /// The file's name as the browser sent it, and its bytes (empty when none was chosen).
    pub file: Option<(String, Vec<u8>)>,
}

/// Text fields are short (the form token, a checkbox).
const FIELD_LIMIT: usize = 64 * 1024;

/// Reads the parts of `payload`: the part named `file_field` as the file (at most
/// `limit` bytes), every other part as a text field.
pub async fn read(mut payload: Multipart, file_field: &str, limit: usize) -> Result<Upload, ApiError> {
    let mut upload = Upload::default();
    while let Some(part) = payload.next().await {
        let mut part = part.map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
        let Some(name) = part.name().map(str::to_owned) else {
            return Err(ApiError::BadRequest(
                "the form could not be read: a part without a name".into(),
            ));
        };
        let is_file = name == file_field;
        let filename = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("")
            .to_owned();
        let max = if is_file { limit } else { FIELD_LIMIT };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(ApiError::PayloadTooLarge { limit: max });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            if !bytes.is_empty() || !filename.is_empty() {
                upload.file = Some((filename, bytes));
            }
        } else {
            let value = String::from_utf8(bytes)
                .map_err(|_| ApiError::BadRequest("the form could not be read: a field is not UTF-8".into()))?;
            if name.contains('\0') || value.contains('\0') {
                return Err(ApiError::BadRequest("NUL characters are not allowed in forms".into()));
            }
            upload.fields.0.push((name, value));
        }
    }
    Ok(upload)
}
