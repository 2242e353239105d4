//! Every message a person can see, in German: the English texts of problem documents
//! (titles, details, field messages) with their German wording. `{}` in an English text
//! stands for a value (a number, a key, an id, or another message, which is translated
//! in turn); `{0}`, `{1}` in the German text place those values, in any order.
//! A unit test scans the sources so that no message is left without its German text.

use crate::domain::locale::Lang;

/// (English, German) pairs. German addresses the reader with "Sie".
const GERMAN: &[(&str, &str)] = &[
    // Problem titles and the details every error kind has.
    ("Bad request", "Ungültige Anfrage"),
    ("Authentication required", "Anmeldung erforderlich"),
    ("Forbidden", "Nicht erlaubt"),
    ("Not found", "Nicht gefunden"),
    ("Method not allowed", "Methode nicht erlaubt"),
    ("Conflict", "Konflikt"),
    ("Precondition failed", "Vorbedingung nicht erfüllt"),
    ("Payload too large", "Anfrage zu groß"),
    ("Unsupported media type", "Nicht unterstütztes Format"),
    ("Validation failed", "Eingaben nicht gültig"),
    ("Too many requests", "Zu viele Versuche"),
    ("Service unavailable", "Dienst nicht verfügbar"),
    ("Internal server error", "Interner Fehler"),
    ("no such resource", "Das Gesuchte gibt es nicht."),
    (
        "this resource does not support that method",
        "Diese Methode wird hier nicht unterstützt.",
    ),
    (
        "the request body is larger than the limit of {} bytes",
        "Der Inhalt der Anfrage ist größer als die Grenze von {0} Byte.",
    ),
    ("1 field is invalid", "1 Feld ist nicht gültig"),
    ("{} fields are invalid", "{0} Felder sind nicht gültig"),
    (
        "too many attempts; try again in {} s",
        "Zu viele Versuche; bitte in {0} s erneut versuchen.",
    ),
    (
        "the service is temporarily unavailable; try again",
        "Der Dienst ist gerade nicht verfügbar; bitte erneut versuchen.",
    ),
    ("an internal error occurred", "Ein interner Fehler ist aufgetreten."),
    ("forbidden", "nicht erlaubt"),
    ("authentication required", "Anmeldung erforderlich"),
    ("the request is malformed", "Die Anfrage ist fehlerhaft."),
    ("unsupported content type", "Dieses Format wird nicht unterstützt."),
    (
        "NUL characters are not allowed in URLs",
        "NUL-Zeichen sind in Adressen nicht erlaubt.",
    ),
    (
        "NUL characters are not allowed in forms",
        "NUL-Zeichen sind in Formularen nicht erlaubt.",
    ),
    // The staff import.
    ("{} problems in the list", "{0} Probleme in der Liste"),
    (
        "the body could not be read: {}",
        "Der Inhalt der Anfrage war nicht lesbar: {0}",
    ),
    (
        "no organisation has the slug \"{}\"",
        "Keine Organisation hat das Kürzel „{0}“.",
    ),
    (
        "several units are called \"{}\": give more of the path, e.g. Fachbereich/{}",
        "mehrere Einheiten heißen „{0}“: bitte mehr vom Pfad angeben, z. B. Fachbereich/{1}",
    ),
    ("appears on line {} already", "steht schon in Zeile {0}"),
    (
        "\"{}\" is not a role: use employee, lead, manager or admin (or Beschäftigte, Führungskraft, Verwaltungsleitung, Administration)",
        "„{0}“ ist keine Rolle: Beschäftigte, Führungskraft, Verwaltungsleitung oder Administration (oder employee, lead, manager, admin)",
    ),
    (
        "the header has no column \"{}\" (columns: personnel_number, name, email, unit, role; German names work as well)",
        "der Kopfzeile fehlt die Spalte „{0}“ (Spalten: Personalnummer, Name, E-Mail, Einheit, Rolle; englische Namen gehen auch)",
    ),
    ("at most {} people per file", "höchstens {0} Personen je Datei"),
    ("cannot be read: {}", "nicht lesbar: {0}"),
    ("each part of the path {}", "jeder Teil des Pfads: {0}"),
    (
        "belongs to another person in this organisation",
        "gehört einer anderen Person dieser Organisation",
    ),
    (
        "names a person listed on another line already",
        "nennt eine Person, die schon in einer anderen Zeile steht",
    ),
    (
        "this e-mail belongs to the person with personnel number {}",
        "diese E-Mail-Adresse gehört der Person mit der Personalnummer {0}",
    ),
    (
        "the list leaves the organisation without an active admin; keep at least one",
        "nach dieser Liste hätte die Organisation keine aktive Administration mehr; mindestens eine Person muss bleiben",
    ),
    ("NUL characters are not allowed", "NUL-Zeichen sind nicht erlaubt"),
    ("choose a file", "bitte eine Datei auswählen"),
    (
        "this person was erased; the account cannot change any more",
        "diese Person wurde gelöscht; das Konto lässt sich nicht mehr ändern",
    ),
    ("this person was erased already", "diese Person wurde bereits gelöscht"),
    (
        "you cannot erase your own account; ask another admin",
        "das eigene Konto kann man nicht löschen; bitten Sie eine andere Person aus der Administration",
    ),
    (
        "must be the person's current e-mail address, to confirm whom to erase",
        "muss die aktuelle E-Mail-Adresse der Person sein, zur Bestätigung, wer gelöscht wird",
    ),
    (
        "has an empty entry between commas",
        "enthält einen leeren Eintrag zwischen Kommas",
    ),
    ("the file is empty", "die Datei ist leer"),
    ("invalid query string: {}", "Ungültige Abfrageparameter: {0}"),
    // Request bodies.
    (
        "the request body is empty; send a JSON object",
        "Die Anfrage ist leer; bitte ein JSON-Objekt senden.",
    ),
    ("malformed JSON: {}", "Fehlerhaftes JSON: {0}"),
    (
        "JSON strings must not contain NUL characters",
        "JSON-Texte dürfen keine NUL-Zeichen enthalten.",
    ),
    (
        "could not read the body: {}",
        "Der Inhalt der Anfrage konnte nicht gelesen werden: {0}",
    ),
    (
        "send the body as application/json",
        "Bitte den Inhalt als application/json senden.",
    ),
    (
        "send one JSON object, not a list",
        "bitte ein einzelnes JSON-Objekt senden, keine Liste",
    ),
    ("is required", "ist erforderlich"),
    ("is not a field of this request", "ist kein Feld dieser Anfrage"),
    ("must be one of: {}", "muss einer dieser Werte sein: {0}"),
    (
        "must be a date and time such as 2027-04-13T07:00:00Z (RFC 3339, with a time zone)",
        "muss ein Zeitpunkt wie 2027-04-13T07:00:00Z sein (RFC 3339, mit Zeitzone)",
    ),
    ("is out of range ({})", "liegt außerhalb des erlaubten Bereichs ({0})"),
    ("must be text", "muss ein Text sein"),
    ("must be true or false", "muss true oder false sein"),
    ("must be a whole number", "muss eine ganze Zahl sein"),
    ("must be a number", "muss eine Zahl sein"),
    ("must be a list", "muss eine Liste sein"),
    ("must be an object", "muss ein Objekt sein"),
    ("must be {}", "muss {0} sein"),
    ("the staff list is empty", "die Personalliste ist leer"),
    (
        "send the staff list as text/csv",
        "bitte die Personalliste als text/csv senden",
    ),
    (
        "If-Match must be an ETag such as \"3\"",
        "If-Match muss ein ETag wie \"3\" sein.",
    ),
    (
        "If-Match does not match; the current version is {}",
        "If-Match stimmt nicht; die aktuelle Version ist {0}.",
    ),
    (
        "is required: send the version you read (or an If-Match header)",
        "ist erforderlich: bitte die gelesene Version mitsenden (oder einen If-Match-Header)",
    ),
    (
        "the resource was changed meanwhile; its current version is {}",
        "Der Datensatz wurde inzwischen geändert; seine aktuelle Version ist {0}.",
    ),
    (
        "a resource with these unique values already exists",
        "Einen Datensatz mit diesen eindeutigen Werten gibt es bereits.",
    ),
    (
        "the resource is still referenced by other resources",
        "Der Datensatz wird noch von anderen verwendet.",
    ),
    (
        "a concurrent change interfered; try again",
        "Eine gleichzeitige Änderung kam dazwischen; bitte erneut versuchen.",
    ),
    (
        "the cursor is not valid; start again without it",
        "Der Cursor ist ungültig; bitte ohne ihn neu beginnen.",
    ),
    (
        "the cursor belongs to another sort order; start again without it",
        "Der Cursor gehört zu einer anderen Sortierung; bitte ohne ihn neu beginnen.",
    ),
    ("unknown query parameter {}", "Unbekannter Abfrageparameter {0}"),
    ("must be between 1 and {}", "muss zwischen 1 und {0} liegen"),
    // Webhooks and the outbox.
    (
        "must be an http or https address",
        "muss eine http- oder https-Adresse sein",
    ),
    (
        "points to the internal address {}; webhooks may reach public addresses only",
        "zeigt auf die interne Adresse {0}; Webhooks dürfen nur öffentliche Adressen erreichen",
    ),
    (
        "only a failed message can be retried",
        "Nur eine fehlgeschlagene Nachricht kann erneut zugestellt werden.",
    ),
    // Sign-in and sessions.
    (
        "e-mail or password is wrong",
        "E-Mail-Adresse oder Passwort ist falsch.",
    ),
    (
        "this installation hosts several organisations: give your organisation's short name (slug)",
        "Diese Installation betreut mehrere Organisationen: bitte das Kürzel Ihrer Organisation angeben",
    ),
    (
        "the refresh token is not valid",
        "Das Erneuerungs-Token ist nicht gültig.",
    ),
    (
        "the refresh token was already used; the session has been revoked, log in again",
        "Das Erneuerungs-Token wurde bereits verwendet; die Sitzung ist beendet, bitte neu anmelden.",
    ),
    (
        "send an access token: Authorization: Bearer <token>",
        "Bitte ein Zugangs-Token senden: Authorization: Bearer <Token>",
    ),
    (
        "the Authorization header is not valid",
        "Der Authorization-Header ist nicht gültig.",
    ),
    (
        "the Authorization header must be 'Bearer <token>'",
        "Der Authorization-Header muss 'Bearer <Token>' lauten.",
    ),
    ("the access token has expired", "Das Zugangs-Token ist abgelaufen."),
    ("the access token is invalid", "Das Zugangs-Token ist nicht gültig."),
    ("the account no longer exists", "Das Konto gibt es nicht mehr."),
    ("the account is deactivated", "Das Konto ist deaktiviert."),
    (
        "the session has ended; log in again",
        "Die Sitzung ist beendet; bitte neu anmelden.",
    ),
    (
        "replace the generated password first: PUT /api/v1/me/password",
        "Bitte zuerst das erzeugte Passwort ersetzen: PUT /api/v1/me/password",
    ),
    (
        "this needs the role {} or higher",
        "Dafür ist die Rolle {0} oder höher nötig.",
    ),
    ("the current password is wrong", "Das bisherige Passwort ist falsch."),
    (
        "must differ from the current password",
        "muss sich vom bisherigen Passwort unterscheiden",
    ),
    (
        "the metrics token is missing or wrong",
        "Das Metrik-Token fehlt oder ist falsch.",
    ),
    (
        "password hashing is not available",
        "Die Passwortprüfung ist gerade nicht verfügbar.",
    ),
    // Fields of people, units, organisations.
    ("must not be empty", "darf nicht leer sein"),
    ("must be at most {} characters", "darf höchstens {0} Zeichen lang sein"),
    (
        "must be at least {} characters",
        "muss mindestens {0} Zeichen lang sein",
    ),
    ("must be at most {} bytes", "darf höchstens {0} Byte lang sein"),
    ("must be at most 254 characters", "darf höchstens 254 Zeichen lang sein"),
    ("must be at most 200 characters", "darf höchstens 200 Zeichen lang sein"),
    (
        "must not contain control characters",
        "darf keine Steuerzeichen enthalten",
    ),
    (
        "must not contain invisible or text-direction control characters (found U+{})",
        "darf keine unsichtbaren oder die Schreibrichtung ändernden Zeichen enthalten (gefunden: U+{0})",
    ),
    ("must not be only whitespace", "darf nicht nur aus Leerzeichen bestehen"),
    ("is not a valid e-mail address", "ist keine gültige E-Mail-Adresse"),
    (
        "must be 2-63 characters of a-z, 0-9 and '-', not starting or ending with '-'",
        "muss aus 2 bis 63 Zeichen a–z, 0–9 und '-' bestehen, nicht mit '-' beginnend oder endend",
    ),
    (
        "must lie between {}-01-01 and {}-12-31",
        "muss zwischen dem 01.01.{0} und dem 31.12.{1} liegen",
    ),
    (
        "a user with the e-mail {} exists already in this organisation",
        "In dieser Organisation gibt es schon ein Konto mit der E-Mail-Adresse {0}.",
    ),
    (
        "one user is created per request: send one JSON object, not a list; to load many people at once, use the staff import (see the README)",
        "Pro Anfrage wird ein Konto angelegt: bitte ein einzelnes JSON-Objekt senden, keine Liste; viele Personen auf einmal lädt der Personalimport (siehe README)",
    ),
    (
        "this is the organisation's last active admin; make someone else admin first",
        "Dies ist die letzte aktive Administration der Organisation; bitte zuerst jemand anderen zur Administration machen.",
    ),
    (
        "this user is outside your units",
        "Diese Person gehört nicht zu Ihren Einheiten.",
    ),
    (
        "no such unit in this organisation",
        "keine solche Einheit in dieser Organisation",
    ),
    (
        "no unit {} in this organisation",
        "keine Einheit {0} in dieser Organisation",
    ),
    (
        "several units are named {}; use the id",
        "Mehrere Einheiten heißen {0}; bitte die Kennung verwenden",
    ),
    (
        "would make the unit its own ancestor",
        "würde die Einheit sich selbst unterordnen",
    ),
    (
        "another unit under the same parent has this name; names of sibling units must differ",
        "eine andere Einheit mit derselben übergeordneten Einheit heißt schon so; Geschwister-Einheiten brauchen verschiedene Namen",
    ),
    (
        "the unit has {} sub-unit(s); move or delete them first",
        "Die Einheit hat {0} Untereinheit(en); bitte zuerst verschieben oder löschen.",
    ),
    (
        "the unit has {} member(s); move them to another unit first",
        "Die Einheit hat {0} Mitglied(er); bitte zuerst einer anderen Einheit zuordnen.",
    ),
    ("must be de or en", "muss de oder en sein"),
    (
        "must be between 3 and 100: smaller groups could be re-identified",
        "muss zwischen 3 und 100 liegen: kleinere Gruppen ließen sich wiedererkennen",
    ),
    ("must be between 0 and 100", "muss zwischen 0 und 100 liegen"),
    ("must be between 0 and 20", "muss zwischen 0 und 20 liegen"),
    ("must be between 1 and 3650", "muss zwischen 1 und 3650 liegen"),
    ("must be between 1 and 50", "muss zwischen 1 und 50 liegen"),
    ("must be between 1 and 6", "muss zwischen 1 und 6 liegen"),
    ("must be between 1 and 60", "muss zwischen 1 und 60 liegen"),
    ("must be between 1 and 36", "muss zwischen 1 und 36 liegen"),
    ("must be between 1 and 90", "muss zwischen 1 und 90 liegen"),
    ("must be between 1 and 99", "muss zwischen 1 und 99 liegen"),
    ("must be between 1 and 100", "muss zwischen 1 und 100 liegen"),
    ("must be 2 to 100 characters", "muss 2 bis 100 Zeichen lang sein"),
    (
        "no published questionnaire with this key in this organisation",
        "kein veröffentlichter Fragebogen mit diesem Schlüssel in dieser Organisation",
    ),
    (
        "the organisation's dimensions are now those of {}: {}. No longer a dimension: {}. New: {}. Ideas keep their links. Scores and weak dimensions come from rounds of this questionnaire; until one has closed, none is weak.",
        "Die Dimensionen der Organisation sind jetzt die von {0}: {1}. Keine Dimension mehr: {2}. Neu: {3}. Ideen behalten ihre Verknüpfungen. Werte und schwache Dimensionen kommen aus Runden dieses Fragebogens; solange keine abgeschlossen ist, ist keine Dimension schwach.",
    ),
    ("none", "keine"),
    (
        "an organisation with the slug {} exists already",
        "Eine Organisation mit dem Kürzel {0} gibt es bereits.",
    ),
    // Questionnaires.
    (
        "needs a German (de) or English (en) text",
        "braucht einen deutschen (de) oder englischen (en) Text",
    ),
    ("must have 1 to {} dimensions", "muss 1 bis {0} Dimensionen haben"),
    ("must have {} to {} items", "muss {0} bis {1} Aussagen haben"),
    (
        "the key {} is used by another dimension",
        "der Schlüssel {0} gehört schon einer anderen Dimension",
    ),
    (
        "the key {} is used by another item",
        "der Schlüssel {0} gehört schon einer anderen Aussage",
    ),
    ("unknown scale; use one of: {}", "unbekannte Skala; möglich sind: {0}"),
    (
        "{} is reserved for the built-in questionnaire; choose another key",
        "{0} ist dem eingebauten Fragebogen vorbehalten; bitte einen anderen Schlüssel wählen",
    ),
    (
        "the questionnaire is {}; only {} questionnaires can be {}",
        "Der Fragebogen ist {0}; nur Fragebögen im Zustand {1} können {2} werden.",
    ),
    (
        "no such questionnaire in this organisation",
        "kein solcher Fragebogen in dieser Organisation",
    ),
    (
        "the questionnaire is {}; rounds need a published one",
        "der Fragebogen ist {0}; Runden brauchen einen veröffentlichten",
    ),
    // Assessment rounds and answers.
    ("must be after opens_at", "muss nach opens_at liegen"),
    ("must be in the future", "muss in der Zukunft liegen"),
    (
        "another round of the organisation has this title; choose another",
        "eine andere Runde der Organisation trägt diesen Titel; bitte einen anderen wählen",
    ),
    ("the round has not opened yet", "Die Runde hat noch nicht begonnen."),
    ("the round is closed", "Die Runde ist abgeschlossen."),
    (
        "the round has opened; its opening time can no longer change",
        "Die Runde hat begonnen; ihr Beginn lässt sich nicht mehr ändern.",
    ),
    (
        "the round is closed; its closing time can no longer change",
        "Die Runde ist abgeschlossen; ihr Ende lässt sich nicht mehr ändern.",
    ),
    (
        "the round is {}; only scheduled rounds can be deleted",
        "Die Runde ist {0}; löschen lassen sich nur geplante Runden.",
    ),
    (
        "you have answered this round already; each person answers once",
        "Sie haben diese Runde schon beantwortet; jede Person antwortet einmal.",
    ),
    (
        "you are not in this round's scope",
        "Sie gehören nicht zum Kreis dieser Runde.",
    ),
    (
        "results are available when the round closes; managers and admins may follow the participation live",
        "Ergebnisse gibt es, wenn die Runde abgeschlossen ist; Leitung und Administration können die Beteiligung laufend verfolgen.",
    ),
    (
        "results by unit are for leads, managers and admins",
        "Ergebnisse nach Einheiten sehen Teamleitungen, Leitung und Administration.",
    ),
    (
        "{} is not an item of this questionnaire",
        "{0} ist keine Aussage dieses Fragebogens",
    ),
    (
        "item {} is answered more than once",
        "Aussage {0} ist mehrfach beantwortet",
    ),
    (
        "item {} is not answered; send a value or \"{}\"",
        "Aussage {0} ist nicht beantwortet; bitte einen Wert oder \"{1}\" senden",
    ),
    (
        "item {}: must be an integer from {} to {} or \"{}\"",
        "Aussage {0}: muss eine ganze Zahl von {1} bis {2} oder \"{3}\" sein",
    ),
    (
        "must lie between the years 2000 and 2199",
        "muss zwischen den Jahren 2000 und 2199 liegen",
    ),
    (
        "must be shorter than the interval: {} month(s) can be as short as {} days",
        "muss kürzer sein als der Abstand: {0} Monat(e) können nur {1} Tage lang sein",
    ),
    ("the title pattern {}", "Das Titelmuster {0}"),
    ("has a {}", "enthält ein {0}"),
    (
        "unknown placeholder {}; use {}",
        "unbekannter Platzhalter {0}; möglich sind {1}",
    ),
    (
        "the organisation has no published questionnaire; publish one for reassessment rounds",
        "Die Organisation hat keinen veröffentlichten Fragebogen; bitte einen für Wiederholungsrunden veröffentlichen.",
    ),
    (
        "the organisation-wide round {} ({}) is open until {}; only one organisation-wide round runs at a time",
        "Die organisationsweite Runde {0} ({1}) läuft bis {2}; es läuft immer nur eine organisationsweite Runde.",
    ),
    // Reports.
    (
        "give baseline and compare together",
        "baseline und compare bitte zusammen angeben",
    ),
    (
        "no closed organisation-wide round with this id",
        "keine abgeschlossene organisationsweite Runde mit dieser Kennung",
    ),
    (
        "must be another round than baseline",
        "muss eine andere Runde als baseline sein",
    ),
    (
        "leads see reports for their own unit and the units below it",
        "Teamleitungen sehen Berichte für ihre Einheit und die darunter.",
    ),
    (
        "reports for leads cover their unit, and you belong to none",
        "Berichte für Teamleitungen betreffen ihre Einheit, und Sie gehören zu keiner.",
    ),
    ("the service is shutting down", "Der Dienst wird gerade beendet."),
    // Ideas.
    (
        "must be a dimension key: a lower-case letter, then a-z, 0-9 or _",
        "muss ein Dimensionsschlüssel sein: ein Kleinbuchstabe, dann a–z, 0–9 oder _",
    ),
    (
        "an idea links to at most {} dimensions",
        "eine Idee verknüpft höchstens {0} Dimensionen",
    ),
    ("is listed twice", "ist doppelt aufgeführt"),
    (
        "{} is not a dimension of the current questionnaire (known: {})",
        "{0} ist keine Dimension des aktuellen Fragebogens (bekannt: {1})",
    ),
    ("at most {} co-authors", "höchstens {0} Mitautorinnen oder Mitautoren"),
    (
        "author_share and the co-authors' shares must sum to 100 (they sum to {})",
        "author_share und die Anteile der Mitautor*innen müssen zusammen 100 ergeben (es sind {0})",
    ),
    (
        "is you; your share is author_share",
        "sind Sie selbst; Ihr Anteil ist author_share",
    ),
    ("is required with co-authors", "ist mit Mitautor*innen erforderlich"),
    (
        "send the group (co_authors) together with author_share",
        "bitte die Gruppe (co_authors) zusammen mit author_share senden",
    ),
    (
        "an anonymous idea has no named co-authors: submit either under a code word or as a group",
        "eine anonyme Idee hat keine benannten Mitautor*innen: bitte entweder unter Kennwort oder als Gruppe einreichen",
    ),
    (
        "an anonymous idea has no named co-authors",
        "eine anonyme Idee hat keine benannten Mitautor*innen",
    ),
    ("must be at least 3 characters", "muss mindestens 3 Zeichen lang sein"),
    (
        "is used by someone else; choose another",
        "wird schon von jemand anderem verwendet; bitte ein anderes wählen",
    ),
    (
        "no such active user in this organisation",
        "keine solche aktive Person in dieser Organisation",
    ),
    (
        "no such idea in this organisation",
        "keine solche Idee in dieser Organisation",
    ),
    (
        "only the idea's author may edit it",
        "Nur wer die Idee eingereicht hat, darf sie bearbeiten.",
    ),
    (
        "the idea is in {}; after submission it changes only through transitions",
        "Die Idee ist in {0}; nach dem Einreichen ändert sie sich nur über Schritte.",
    ),
    (
        "the idea is in {}; {} is possible only from {}",
        "Die Idee ist in {0}; {1} ist nur aus {2} möglich.",
    ),
    (
        "must be newest, most_votes or longest_in_stage",
        "muss newest, most_votes oder longest_in_stage sein",
    ),
    ("{} is not a status", "{0} ist kein Status"),
    ("must be a date (YYYY-MM-DD)", "muss ein Datum sein (JJJJ-MM-TT)"),
    (
        "must be a date (YYYY-MM-DD) or a time (RFC 3339)",
        "muss ein Datum (JJJJ-MM-TT) oder ein Zeitpunkt (RFC 3339) sein",
    ),
    ("must not be in the past", "darf nicht in der Vergangenheit liegen"),
    (
        "must be a number between -10^12 and 10^12",
        "muss eine Zahl zwischen -10^12 und 10^12 sein",
    ),
    (
        "must be a number between 0 and 10^12",
        "muss eine Zahl zwischen 0 und 10^12 sein",
    ),
    ("is not part of the {} transition", "gehört nicht zum Schritt {0}"),
    ("is required to {}", "ist für {0} erforderlich"),
    ("is required for this step", "ist für diesen Schritt erforderlich"),
    (
        "is required when the pilot did not run as planned",
        "ist erforderlich, wenn der Versuch nicht wie geplant lief",
    ),
    (
        "must be above the baseline (send lower_is_better: true when a lower value is better)",
        "muss über dem Ausgangswert liegen (lower_is_better: true senden, wenn ein kleinerer Wert besser ist)",
    ),
    (
        "must be below the baseline, since a lower value is better",
        "muss unter dem Ausgangswert liegen, da ein kleinerer Wert besser ist",
    ),
    (
        "no baseline and target were recorded in Plan",
        "in Plan wurden kein Ausgangs- und Zielwert festgehalten",
    ),
    (
        "an idea cannot duplicate itself",
        "eine Idee kann nicht ihr eigenes Duplikat sein",
    ),
    (
        "is itself a duplicate of {}; link to that idea instead",
        "ist selbst ein Duplikat von {0}; bitte auf diese Idee verweisen",
    ),
    (
        "was submitted later than this idea; the earlier submission wins, so mark the later one instead",
        "wurde später eingereicht als diese Idee; die frühere Einreichung gilt, also bitte die spätere markieren",
    ),
    (
        "only the idea's authors may withdraw it",
        "Nur wer die Idee eingereicht hat, darf sie zurückziehen.",
    ),
    (
        "only the idea's owner or a reviewer may record this step",
        "Diesen Schritt darf nur die verantwortliche Person oder eine prüfende Person festhalten.",
    ),
    (
        "you authored or co-authored this idea, so you may not {} it; another reviewer decides",
        "Sie haben diese Idee (mit) eingereicht und dürfen sie daher nicht {0}; darüber entscheidet jemand anderes.",
    ),
    (
        "the queue of idea submissions is full",
        "Die Warteschlange für Ideen ist voll.",
    ),
    (
        "the idea writer has stopped",
        "Das Speichern von Ideen ist gerade nicht möglich.",
    ),
    (
        "a code word's check needs write_submission",
        "Eine anonyme Idee konnte nicht gespeichert werden (interner Fehler).",
    ),
    // Comments.
    (
        "a comment can be edited for {} minutes after posting",
        "Ein Kommentar lässt sich {0} Minuten lang nach dem Schreiben bearbeiten.",
    ),
    (
        "only the comment's author may edit it",
        "Nur wer den Kommentar geschrieben hat, darf ihn bearbeiten.",
    ),
    (
        "only the comment's author or an admin may delete it",
        "Nur wer den Kommentar geschrieben hat oder die Administration darf ihn löschen.",
    ),
    ("the comment was deleted", "Der Kommentar wurde gelöscht."),
    // Web forms.
    (
        "the form token is missing or wrong; reload the page",
        "Das Formular-Token fehlt oder ist falsch; laden Sie die Seite neu.",
    ),
    (
        "the form was sent from another origin",
        "Das Formular kam von einer anderen Website.",
    ),
    (
        "the form could not be read: {}",
        "Das Formular konnte nicht gelesen werden: {}",
    ),
    ("the form is incomplete", "Das Formular ist unvollständig."),
    (
        "this step is not open to you on this idea now",
        "Diesen Schritt können Sie bei dieser Idee jetzt nicht gehen.",
    ),
    (
        "the idea changed meanwhile; this step is no longer possible",
        "Die Idee wurde inzwischen geändert; dieser Schritt ist nicht mehr möglich.",
    ),
    // People search.
    ("must be 2 to 100 characters", "muss 2 bis 100 Zeichen lang sein"),
    // Single sign-on: the settings.
    (
        "must be a claim name of 1 to 100 characters without spaces",
        "muss der Name eines Claims mit 1 bis 100 Zeichen ohne Leerzeichen sein",
    ),
    (
        "must be the provider's issuer URL with https:// (http:// only for this machine), without query",
        "muss die Issuer-URL des Anmeldedienstes mit https:// sein (http:// nur für diesen Rechner), ohne Query",
    ),
    (
        "must be at most 200 characters without control characters",
        "darf höchstens 200 Zeichen ohne Steuerzeichen lang sein",
    ),
    (
        "must be at most 1000 characters without control characters",
        "darf höchstens 1000 Zeichen ohne Steuerzeichen lang sein",
    ),
    ("must contain openid", "muss openid enthalten"),
    (
        "at most 20 scopes, each of printable characters without spaces",
        "höchstens 20 Scopes, jeder aus druckbaren Zeichen ohne Leerzeichen",
    ),
    ("at most 200 mappings", "höchstens 200 Zuordnungen"),
    (
        "must be employee, lead, manager or admin",
        "muss employee, lead, manager oder admin sein",
    ),
    ("appears twice", "kommt doppelt vor"),
    (
        "can be switched off only while sign-in with the provider is enabled",
        "kann nur abgeschaltet werden, solange die Anmeldung über den Anmeldedienst eingeschaltet ist",
    ),
    // Single sign-on: signing in.
    (
        "password sign-in is switched off for this organisation: sign in with your work account",
        "Die Anmeldung mit Passwort ist für diese Kommune abgeschaltet: Bitte melden Sie sich mit Ihrem Dienstkonto an.",
    ),
    (
        "the work account provides no valid e-mail address",
        "Ihr Dienstkonto übermittelt keine gültige E-Mail-Adresse.",
    ),
    (
        "the sign-in service does not confirm that the work account's e-mail address is verified",
        "Der Anmeldedienst bestätigt die E-Mail-Adresse Ihres Dienstkontos nicht als geprüft.",
    ),
    (
        "you cannot sign in to kaizen with this work account",
        "Mit diesem Dienstkonto ist keine Anmeldung bei kaizen möglich.",
    ),
    (
        "the sign-in expired, was used already or was started elsewhere; start again",
        "Die Anmeldung ist abgelaufen, wurde schon verwendet oder anderswo begonnen; bitte neu beginnen.",
    ),
    (
        "the sign-in service cancelled or refused the sign-in",
        "Der Anmeldedienst hat die Anmeldung abgebrochen oder abgelehnt.",
    ),
    (
        "the sign-in service's answer did not pass the checks",
        "Die Antwort des Anmeldedienstes hat die Prüfung nicht bestanden.",
    ),
    (
        "the sign-in service cannot be reached",
        "Der Anmeldedienst ist nicht erreichbar.",
    ),
];

/// A message in the language: English as written, German from the catalogue (English
/// when no German text is known — a test keeps that from happening for our own texts).
pub fn localize(english: &str, lang: Lang) -> String {
    match lang {
        Lang::En => english.to_owned(),
        Lang::De => german(english).unwrap_or_else(|| english.to_owned()),
    }
}

/// The German text of an English message, if the catalogue has it.
pub fn german(english: &str) -> Option<String> {
    // The most specific template wins ("must be at most {} characters" over "must be {}").
    let (de, values) = GERMAN
        .iter()
        .filter_map(|(en, de)| matches(en, english).map(|values| (en.len() - 2 * values.len(), de, values)))
        .max_by_key(|(fixed, _, _)| *fixed)
        .map(|(_, de, values)| (de, values))?;
    let values: Vec<String> = values
        .into_iter()
        .map(|v| german(v).unwrap_or_else(|| v.to_owned()))
        .collect();
    Some(fill(de, &values))
}

/// The values standing for `{}` when `text` matches `template`.
fn matches<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = template.split("{}").collect();
    let (first, rest) = parts.split_first()?;
    let mut remaining = text.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, part) in rest.iter().enumerate() {
        let last = i == rest.len() - 1;
        let at = if last {
            if !remaining.ends_with(part) {
                return None;
            }
            remaining.len() - part.len()
        } else if part.is_empty() {
            return None;
        } else {
            remaining.find(part)?
        };
        values.push(&remaining[..at]);
        remaining = &remaining[at + part.len()..];
    }
    if rest.is_empty() && !remaining.is_empty() {
        return None;
    }
    Some(values)
}

fn fill(template: &str, values: &[String]) -> String {
    let mut out = template.to_owned();
    for (i, v) in values.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_with_values_are_translated() {
        assert_eq!(
            german("must be at most 200 characters").as_deref(),
            Some("darf höchstens 200 Zeichen lang sein")
        );
        assert_eq!(
            german("the idea is in plan; accept is possible only from submitted").as_deref(),
            Some("Die Idee ist in plan; accept ist nur aus submitted möglich.")
        );
        assert_eq!(
            german("the title pattern has a {"),
            Some("Das Titelmuster enthält ein {".to_owned())
        );
        assert_eq!(german("something nobody wrote"), None);
        assert_eq!(
            localize("e-mail or password is wrong", Lang::En),
            "e-mail or password is wrong"
        );
    }

    /// Finds every message text the sources hand to a person (in errors, field messages
    /// and validators) and checks that it has a German text.
    #[test]
    fn every_message_has_a_german_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for (file, text) in message_literals(&root) {
            let template = placeholders(&text);
            // Texts only operators see (startup, configuration, internal causes).
            let operator = INTERNAL.iter().any(|i| template.starts_with(i));
            let words = template.replace("{}", "");
            if operator
                || !words.chars().any(char::is_alphabetic)
                || template.trim().len() < 4
                || !template.contains(' ')
            {
                continue;
            }
            let known = GERMAN
                .iter()
                .any(|(en, _)| *en == template || matches(en, &template).is_some());
            if !known {
                missing.push(format!("{file}: {template:?}"));
            }
        }
        assert!(
            missing.is_empty(),
            "messages without German text:\n{}",
            missing.join("\n")
        );
    }

    /// Messages for operators, not for the people using the service.
    const INTERNAL: &[&str] = &[
        "KAIZEN_",
        "{}={}",
        "a sqlite URL",
        "in-memory SQLite",
        "unsupported database URL",
        "cannot read {}",
        "the secret in {}",
        "database",
        "SQLite path",
        "a round inserted just now",
        "a round without a period",
        "validated ",
        "the built-in questionnaire could not",
        "only closed rounds have published",
        "unhandled ",
        "published results vanished",
        "kaizen backup copies",
        "the audit trail of {} organisation",
        // Descriptions in the OpenAPI document (src/openapi.rs), read by developers.
        "Not signed in, or the session has ended",
        "The caller's role may not do this",
        "No such resource in the caller's organisation",
        "The body is larger than KAIZEN_BODY_LIMIT",
        "If-Match names another version than the current one",
        "The body is not of the documented media type",
        "A parameter or field is invalid; one error per field",
        "The database cannot be reached right now; try again",
        "{} exists already; choose a new file",
        "the copy failed",
        ", ",
        " or ",
    ];

    /// `{name}`, `{:?}` and friends become `{}`.
    fn placeholders(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '{' && chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
            } else if c == '}' && chars.peek() == Some(&'}') {
                chars.next();
                out.push('}');
            } else if c == '{' {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                out.push_str("{}");
            } else {
                out.push(c);
            }
        }
        out.replace("\\\"", "\"")
    }

    /// String literals inside the calls that build messages, outside tests and the demo.
    fn message_literals(root: &std::path::Path) -> Vec<(String, String)> {
        const CALLS: &[&str] = &[
            "ApiError::field(",
            "ApiError::forbidden(",
            "ApiError::conflict(",
            "ApiError::BadRequest(",
            "ApiError::Unauthorized(",
            "ApiError::Unavailable(",
            "ApiError::UnsupportedMediaType(",
            "v.add(",
            "FieldError::new(",
            "Err(",
            "detail: format!(",
            ".push((",
            "v.check(",
        ];
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if !path.ends_with("demo") {
                        stack.push(path);
                    }
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                let source = source.split("#[cfg(test)]").next().unwrap_or_default();
                let file = path.strip_prefix(root).unwrap().display().to_string();
                for call in CALLS {
                    let mut from = 0;
                    while let Some(i) = source[from..].find(call) {
                        let start = from + i + call.len();
                        let end = closing(source, start);
                        for lit in literals(&source[start..end]) {
                            out.push((file.clone(), lit));
                        }
                        from = start;
                    }
                }
            }
        }
        out
    }

    /// Where the parenthesis opened just before `start` closes.
    fn closing(s: &str, start: usize) -> usize {
        let (mut depth, mut in_str, mut escaped) = (1, false, false);
        for (i, c) in s[start..].char_indices() {
            if in_str {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return start + i;
                    }
                }
                _ => {}
            }
        }
        s.len()
    }

    fn literals(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = s.char_indices();
        while let Some((_, c)) = chars.next() {
            if c != '"' {
                continue;
            }
            let mut lit = String::new();
            let (mut escaped, mut continued) = (false, false);
            for (_, d) in chars.by_ref() {
                if continued && d.is_whitespace() {
                    continue;
                }
                continued = false;
                match d {
                    // A line continuation ("…\<newline>   …") joins the lines without the indent.
                    '\n' if escaped => {
                        escaped = false;
                        continued = true;
                    }
                    _ if escaped => {
                        escaped = false;
                        lit.push('\\');
                        lit.push(d);
                    }
                    '\\' => escaped = true,
                    '"' => break,
                    _ => lit.push(d),
                }
            }
            out.push(lit);
        }
        out
    }
}
