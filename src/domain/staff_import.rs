//! Reading a staff list as a personnel system or Excel writes it: UTF-8 (with or without a
//! byte order mark) or Windows-1252, `;` or `,` between fields, German or English column
//! names. Each line becomes a `StaffRow` or line-numbered problems; what the rows change
//! is decided against the database in `store::staff_import`.

use std::collections::HashMap;

use crate::domain::fields::{self, Email};
use crate::domain::roles::Role;

/// One person of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub personnel_number: Option<String>,
    pub name: String,
    pub email: String,
    /// `None`: the file has no unit for this person (an existing person keeps theirs).
    pub unit_path: Option<Vec<String>>,
    /// `None`: the file names no role (new people become employees, others keep theirs).
    pub role: Option<Role>,
}

/// A problem of one line (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl LineProblem {
    pub fn new(line: usize, field: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// At most this many lines (and `MAX_BYTES`): a Kommune's staff with room to spare.
pub const MAX_ROWS: usize = 50_000;
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The bytes as text: UTF-8 when they are valid UTF-8 (a leading byte order mark
/// dropped), else Windows-1252, which Excel writes for "CSV (Trennzeichen-getrennt)".
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

/// Windows-1252: Latin-1 except 0x80–0x9F, where it has typographic characters (the five
/// bytes it leaves undefined read as themselves, as browsers do).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The column a header names, in English or German (case and spaces ignored).
fn column(header: &str) -> Option<&'static str> {
    let h: String = header
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .collect();
    Some(match h.as_str() {
        "personnelnumber" | "personalnummer" | "persnr" | "personalnr" | "employeeid" => "personnel_number",
        "name" | "displayname" | "anzeigename" | "vollername" => "name",
        "email" | "emailadresse" | "mail" => "email",
        "unit" | "einheit" | "organisationseinheit" | "unitpath" | "pfad" => "unit",
        "role" | "rolle" => "role",
        _ => return None,
    })
}

/// A role as a personnel list may write it.
pub fn role(raw: &str) -> Option<Role> {
    Some(match raw.trim().to_lowercase().as_str() {
        "employee" | "beschäftigte" | "beschäftigter" | "mitarbeiter" | "mitarbeiterin" | "mitarbeitende" => {
            Role::Employee
        }
        "lead" | "führungskraft" | "teamleitung" | "leitung" => Role::Lead,
        "manager" | "management" | "verwaltungsleitung" | "verwaltungsspitze" => Role::Manager,
        "admin" | "administrator" | "administratorin" | "administration" => Role::Admin,
        _ => return None,
    })
}

/// `;` when the header line has more of them than commas, else `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// The rows of a staff list and the problems of its lines. A file that cannot be read as
/// a staff list at all (no header with name and e-mail, too long) is one problem on line 1.
pub fn parse(text: &str) -> (Vec<StaffRow>, Vec<LineProblem>) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<Option<&'static str>> = match reader.headers() {
        Ok(h) => h.iter().map(column).collect(),
        Err(e) => {
            return (
                Vec::new(),
                vec![LineProblem::new(1, "file", format!("cannot be read: {e}"))],
            );
        }
    };
    for needed in ["name", "email"] {
        if !header.contains(&Some(needed)) {
            problems.push(LineProblem::new(
                1,
                "file",
                format!(
                    "the header has no column \"{needed}\" (columns: personnel_number, name, email, unit, role; \
                     German names work as well)"
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let index = |name: &str| header.iter().position(|c| *c == Some(name));
    let (i_number, i_name, i_email, i_unit, i_role) = (
        index("personnel_number"),
        index("name"),
        index("email"),
        index("unit"),
        index("role"),
    );
    // Line numbers from byte offsets (the reader's own count misses blank lines and CRLF):
    // a record's position may lie before the line ends and blank lines it skipped.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        newlines.partition_point(|&i| i < at) + 1
    };
    let mut rows = Vec::new();
    let mut seen_numbers: HashMap<String, usize> = HashMap::new();
    let mut seen_emails: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                problems.push(LineProblem::new(line, "line", format!("cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            problems.push(LineProblem::new(
                line,
                "file",
                format!("at most {MAX_ROWS} people per file"),
            ));
            break;
        }
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        if cell(i_name).contains('\0') || record.iter().any(|c| c.contains('\0')) {
            problems.push(LineProblem::new(line, "line", "NUL characters are not allowed"));
            continue;
        }
        let mut ok = true;
        let mut bad = |field: &str, message: String| {
            problems.push(LineProblem::new(line, field, message));
            ok = false;
        };
        let name = fields::display_name(cell(i_name)).map_err(|m| bad("name", m)).ok();
        let email = Email::parse(cell(i_email)).map_err(|m| bad("email", m)).ok();
        let personnel_number = match cell(i_number) {
            "" => None,
            n => fields::text(n, 64, false).map_err(|m| bad("personnel_number", m)).ok(),
        };
        let unit_path = match (i_unit, cell(i_unit)) {
            (None, _) | (_, "") => None,
            (_, path) => {
                let parts: Result<Vec<String>, String> =
                    path.split('/').map(|part| fields::text(part, 120, false)).collect();
                parts
                    .map_err(|m| bad("unit", format!("each part of the path {m}")))
                    .ok()
            }
        };
        let role = match cell(i_role) {
            "" => None,
            r => match role(r) {
                Some(role) => Some(role),
                None => {
                    bad(
                        "role",
                        format!(
                            "\"{r}\" is not a role: use employee, lead, manager or admin (or Beschäftigte, Führungskraft, Verwaltungsleitung, Administration)"
                        ),
                    );
                    None
                }
            },
        };
        if let Some(email) = &email
            && let Some(first) = seen_emails.insert(email.as_str().to_owned(), line)
        {
            bad("email", format!("appears on line {first} already"));
        }
        if let Some(number) = &personnel_number
            && let Some(first) = seen_numbers.insert(number.clone(), line)
        {
            bad("personnel_number", format!("appears on line {first} already"));
        }
        if let (true, Some(name), Some(email)) = (ok, name, email) {
            rows.push(StaffRow {
                line,
                personnel_number,
                name,
                email: email.into_inner(),
                unit_path,
                role,
            });
        }
    }
    (rows, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_files_in_both_encodings_and_separators_read_alike() {
        let utf8 = "\u{feff}Personalnummer;Name;E-Mail;Einheit;Rolle\n4711;Jürgen Weiß;J.Weiss@Stadt.de;Bürgerdienste/Bürgeramt;Führungskraft\n";
        let mut latin: Vec<u8> = Vec::new();
        for c in "Personalnummer,Name,E-Mail,Einheit,Rolle\r\n4711,Jürgen Weiß,J.Weiss@Stadt.de,Bürgerdienste/Bürgeramt,Führungskraft\r\n".chars() {
            latin.push(u8::try_from(u32::from(c)).unwrap());
        }
        let (a, pa) = parse(&decode(utf8.as_bytes()));
        let (b, pb) = parse(&decode(&latin));
        assert!(pa.is_empty() && pb.is_empty(), "{pa:?} {pb:?}");
        assert_eq!(a, b);
        assert_eq!(
            a[0],
            StaffRow {
                line: 2,
                personnel_number: Some("4711".into()),
                name: "Jürgen Weiß".into(),
                email: "j.weiss@stadt.de".into(),
                unit_path: Some(vec!["Bürgerdienste".into(), "Bürgeramt".into()]),
                role: Some(Role::Lead),
            }
        );
        assert_eq!(decode(&[0x80, 0x84, 0x93]), "€„“");
    }

    #[test]
    fn problems_name_their_line_and_field() {
        let text = "name,email,role\nAnna,anna@x.de,chef\n,leer@x.de,\nBernd,kein-at,\nCarla,anna@x.de,lead\n\nDora,dora@x.de,admin\n";
        let (rows, problems) = parse(text);
        assert_eq!(rows.len(), 1, "only Dora is whole: {rows:?}");
        assert_eq!(rows[0].line, 7);
        let at: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(at, vec![(2, "role"), (3, "name"), (4, "email"), (5, "email")]);
        assert!(problems[3].message.contains("line 2"));
        let (_, header) = parse("vorname;nachname\nA;B\n");
        assert_eq!(header.len(), 2);
        assert_eq!(header[0].line, 1);
    }
}
