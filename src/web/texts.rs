//! The words of the web interface, German first and English second, checked at compile
//! time: a template naming a text that does not exist does not build, and every text has
//! both languages because the macro takes them in pairs.

use crate::domain::locale::Lang;

macro_rules! texts {
    ($($key:ident: $de:expr, $en:expr;)*) => {
        /// Every text of the pages, in one language.
        #[derive(Debug)]
        pub struct Texts {
            $(pub $key: &'static str,)*
        }

        pub const DE: Texts = Texts { $($key: $de,)* };
        pub const EN: Texts = Texts { $($key: $en,)* };
    };
}

texts! {
    // Layout.
    skip_link: "Zum Inhalt springen", "Skip to content";
    main_nav: "Hauptnavigation", "Main navigation";
    nav_start: "Start", "Start";
    nav_ideas: "Ideen", "Ideas";
    nav_new_idea: "Idee einreichen", "Submit an idea";
    nav_board: "PDCA-Board", "PDCA board";
    nav_reports: "Auswertung", "Reports";
    nav_admin: "Verwaltung", "Administration";
    nav_rounds: "Befragungsrunden", "Assessment rounds";
    export_own_data: "Meine gespeicherten Daten herunterladen", "Download my stored data";
    signed_in_as: "Angemeldet als", "Signed in as";
    logout: "Abmelden", "Sign out";
    switch_language: "English", "Deutsch";
    switch_language_label: "Switch to English", "Auf Deutsch umschalten";
    imprint: "Impressum", "Legal notice";
    privacy: "Datenschutz", "Privacy";
    footer_about: "kaizen – kontinuierliche Verbesserung für Kommunen", "kaizen – continuous improvement for municipalities";
    errors_heading: "Bitte prüfen Sie Ihre Angaben", "Please check what you entered";
    error_prefix: "Fehler:", "Error:";
    optional: "(optional)", "(optional)";
    // Error pages.
    error_400: "Die Anfrage ist unvollständig oder fehlerhaft.", "The request is incomplete or malformed.";
    error_403: "Dafür fehlt Ihnen die Berechtigung.", "You are not allowed to do this.";
    error_404: "Diese Seite gibt es nicht – oder Sie dürfen sie nicht sehen.", "This page does not exist, or you may not see it.";
    error_409: "Das ging nicht, weil sich inzwischen etwas geändert hat.", "That did not work because something changed meanwhile.";
    error_429: "Zu viele Versuche. Bitte warten Sie einige Minuten.", "Too many attempts. Please wait a few minutes.";
    error_500: "Etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal.", "Something went wrong. Please try again later.";
    error_title: "Das hat nicht geklappt", "That did not work";
    error_back: "Zur Startseite", "To the start page";
    error_form_expired: "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es noch einmal.", "The form has expired. Please reload the page and send it again.";
    // Sign-in.
    login_title: "Anmelden", "Sign in";
    login_intro: "Melden Sie sich mit Ihrer dienstlichen E-Mail-Adresse an.", "Sign in with your work e-mail address.";
    email: "E-Mail-Adresse", "E-mail address";
    password: "Passwort", "Password";
    organization: "Kommune (Kurzname)", "Municipality (short name)";
    organization_hint: "Diese Installation betreut mehrere Kommunen. Den Kurznamen nennt Ihnen Ihre Verwaltung, z. B. musterstadt.", "This installation serves several municipalities. Your administration tells you the short name, e.g. musterstadt.";
    login_button: "Anmelden", "Sign in";
    login_failed: "E-Mail-Adresse oder Passwort ist falsch.", "E-mail address or password is wrong.";
    login_required: "Bitte geben Sie E-Mail-Adresse und Passwort ein.", "Please enter your e-mail address and password.";
    session_ended: "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.", "Your session has ended. Please sign in again.";
    logged_out: "Sie sind abgemeldet.", "You are signed out.";
    // Single sign-on.
    sso_heading: "Mit Ihrem Dienstkonto", "With your work account";
    sso_intro: "Melden Sie sich mit dem Konto an, mit dem Sie sich auch an Ihrem Arbeitsplatz anmelden. Sie werden dazu zum Anmeldedienst Ihrer Kommune weitergeleitet.", "Sign in with the account you use at your workplace. You are taken to your municipality's sign-in service for this.";
    sso_button: "Mit Dienstkonto anmelden", "Sign in with your work account";
    sso_password_heading: "Mit E-Mail-Adresse und Passwort", "With e-mail address and password";
    sso_password_off: "Die Anmeldung mit Passwort ist für Ihre Kommune abgeschaltet. Bitte melden Sie sich mit Ihrem Dienstkonto an.", "Signing in with a password is switched off for your municipality. Please sign in with your work account.";
    sso_state: "Diese Anmeldung ist abgelaufen, wurde schon verwendet oder in einem anderen Browser begonnen. Sie sind nicht angemeldet. Bitte beginnen Sie die Anmeldung noch einmal.", "This sign-in has expired, was used already or was started in another browser. You are not signed in. Please start signing in again.";
    sso_denied: "Die Anmeldung beim Anmeldedienst wurde abgebrochen oder abgelehnt. Sie sind nicht angemeldet.", "Signing in at the sign-in service was cancelled or refused. You are not signed in.";
    sso_refused: "Die Antwort des Anmeldedienstes hat die Sicherheitsprüfung nicht bestanden. Sie sind nicht angemeldet. Versuchen Sie es noch einmal; klappt es wieder nicht, wenden Sie sich an Ihre IT.", "The sign-in service's answer did not pass the security checks. You are not signed in. Try again; if it fails again, contact your IT department.";
    sso_account: "Mit diesem Dienstkonto ist keine Anmeldung bei kaizen möglich. Wenden Sie sich an die Verwaltung von kaizen in Ihrer Kommune.", "You cannot sign in to kaizen with this work account. Please contact the kaizen administration of your municipality.";
    sso_no_email: "Ihr Dienstkonto übermittelt keine gültige E-Mail-Adresse. Wenden Sie sich an Ihre IT.", "Your work account does not provide a valid e-mail address. Please contact your IT department.";
    sso_email_unverified: "Der Anmeldedienst bestätigt die E-Mail-Adresse Ihres Dienstkontos nicht als geprüft. Deshalb kann kaizen Sie damit nicht anmelden. Sie sind nicht angemeldet. Bitte wenden Sie sich an Ihre IT, damit die Adresse bestätigt wird.", "The sign-in service does not confirm the e-mail address of your work account as verified, so kaizen cannot sign you in with it. You are not signed in. Please ask your IT department to have the address verified.";
    sso_unavailable: "Der Anmeldedienst Ihrer Kommune ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.", "Your municipality's sign-in service cannot be reached right now. Please try again later.";
    // Password.
    password_title: "Neues Passwort festlegen", "Set a new password";
    password_intro_forced: "Ihr Passwort wurde für Sie erzeugt. Bitte legen Sie jetzt ein eigenes fest; erst danach können Sie kaizen nutzen.", "Your password was generated for you. Please choose your own now; only then can you use kaizen.";
    password_intro: "Nach der Änderung werden Sie auf allen anderen Geräten abgemeldet.", "After the change you are signed out on every other device.";
    current_password: "Bisheriges Passwort", "Current password";
    new_password: "Neues Passwort", "New password";
    new_password_hint: "Mindestens 12 Zeichen. Ein Satz aus mehreren Wörtern ist leicht zu merken und schwer zu erraten.", "At least 12 characters. A sentence of several words is easy to remember and hard to guess.";
    repeat_password: "Neues Passwort wiederholen", "Repeat the new password";
    passwords_differ: "Die beiden neuen Passwörter stimmen nicht überein.", "The two new passwords do not match.";
    password_button: "Passwort speichern", "Save password";
    password_changed: "Ihr Passwort ist geändert. Auf allen anderen Geräten sind Sie abgemeldet.", "Your password is changed. You are signed out on every other device.";
    // Mail settings.
    mail_settings_title: "Benachrichtigungen per E-Mail", "E-mail notifications";
    mail_settings_intro: "Hinweise zu Befragungen (eine Runde beginnt, eine Runde endet bald) erhalten alle Beschäftigten. Mails zu Ideen können Sie abbestellen.", "Notices about surveys (a round opens, a round closes soon) go to all staff. You can turn off mails about ideas.";
    mail_settings_ideas: "Mails zu Ideen", "Mails about ideas";
    mail_settings_ideas_hint: "Wenn Ihre Idee einen Schritt weiterkommt oder abgelehnt wird (mit Begründung); als Leitung auch, wenn für Ihre Einheit eine neue Idee eingeht oder eine zu lange wartet.", "When your idea moves on or is rejected (with the reason); as a lead also when a new idea arrives for your unit or one waits too long.";
    mail_settings_ideas_label: "Mails zu Ideen erhalten", "Receive mails about ideas";
    mail_settings_language: "Sprache der Mails", "Language of the mails";
    mail_settings_language_default: "Wie die Kommune (Voreinstellung)", "As the municipality (default)";
    mail_settings_button: "Einstellungen speichern", "Save settings";
    mail_settings_saved: "Ihre Einstellungen sind gespeichert.", "Your settings are saved.";
    // Start page.
    home_title: "Willkommen", "Welcome";
    home_intro: "Hier sehen Sie, was Sie jetzt tun können.", "Here is what you can do now.";
    home_idea_heading: "Eine Idee einbringen", "Bring in an idea";
    home_idea_text: "Sie sehen, was sich bei der Arbeit verbessern lässt? Beschreiben Sie es in wenigen Minuten.", "You see what could work better? Describe it in a few minutes.";
    home_survey_heading: "Befragung zur Lernkultur", "Learning culture survey";
    home_survey_text: "Eine Befragung läuft. Ihre Antworten sind anonym und dauern etwa zehn Minuten.", "A survey is open. Your answers are anonymous and take about ten minutes.";
    home_survey_button: "Zur Befragung", "To the survey";
    home_survey_until: "offen bis", "open until";
    home_my_ideas: "Meine Ideen", "My ideas";
    home_no_ideas: "Sie haben noch keine Idee eingereicht.", "You have not submitted an idea yet.";
    home_changed: "Neu seit Ihrem letzten Besuch", "New since your last visit";
    home_all_my_ideas: "Alle meine Ideen", "All my ideas";
    // Idea board.
    board_title: "Ideen", "Ideas";
    board_filters: "Ideen filtern", "Filter ideas";
    filter_text: "Suche in Titel und Vorschlag", "Search in title and proposal";
    filter_status: "Phase", "Stage";
    filter_unit: "Organisationseinheit (mit untergeordneten)", "Unit (with sub-units)";
    filter_dimension: "Dimension der Lernkultur", "Learning culture dimension";
    filter_weak: "Nur Ideen zu schwachen Dimensionen", "Only ideas on weak dimensions";
    filter_mine: "Nur meine Ideen", "Only my ideas";
    filter_sort: "Sortierung", "Sort";
    sort_newest: "Neueste zuerst", "Newest first";
    sort_most_votes: "Meiste Stimmen zuerst", "Most votes first";
    sort_longest: "Am längsten in der Phase", "Longest in stage";
    filter_all: "Alle", "All";
    filter_button: "Anwenden", "Apply";
    filter_reset: "Filter zurücksetzen", "Reset filters";
    board_none: "Keine Idee passt zu diesen Filtern.", "No idea matches these filters.";
    board_more: "Weitere Ideen anzeigen", "Show more ideas";
    board_count_label: "Gefundene Ideen", "Ideas found";
    col_idea: "Idee", "Idea";
    col_stage: "Phase", "Stage";
    col_unit: "Einheit", "Unit";
    col_author: "Eingereicht von", "Submitted by";
    col_votes: "Stimmen", "Votes";
    col_comments: "Kommentare", "Comments";
    days_in_stage: "Tage in der Phase", "days in stage";
    vote: "Unterstützen", "Support";
    unvote: "Unterstützung zurückziehen", "Withdraw support";
    votes_word: "Stimmen", "votes";
    vote_one: "Stimme", "vote";
    code_word: "Kennwort", "code word";
    // Idea page.
    idea_current: "Ist-Zustand", "Current situation";
    idea_proposal: "Vorschlag", "Proposal";
    idea_benefit: "Erwarteter Nutzen", "Expected benefit";
    idea_unit: "Organisationseinheit", "Unit";
    idea_author: "Eingereicht von", "Submitted by";
    idea_co_authors: "Mitautorinnen und Mitautoren", "Co-authors";
    idea_dimensions: "Dimensionen der Lernkultur", "Learning culture dimensions";
    idea_owner: "Verantwortlich", "Owner";
    idea_submitted_at: "Eingereicht am", "Submitted on";
    idea_impact: "Geschätzte Wirkung", "Estimated impact";
    idea_hours: "Stunden pro Jahr", "hours per year";
    idea_costs: "Euro pro Jahr", "euros per year";
    idea_reason: "Begründung der Entscheidung", "Reason for the decision";
    idea_duplicate_of: "Doppelt zu", "Duplicate of";
    idea_cycle: "Zyklus", "Cycle";
    idea_stage_data: "Daten der Phasen", "Stage data";
    idea_history: "Verlauf", "History";
    idea_submitted_ok: "Danke! Ihre Idee ist eingereicht.", "Thank you! Your idea is submitted.";
    idea_next_reviewer: "Als Nächstes sieht sie sich an:", "Who looks at it next:";
    idea_next_unknown: "Die Leitung Ihrer Organisationseinheit sieht sie sich als Nächstes an.", "The lead of the unit looks at it next.";
    idea_anonymous_note: "Sie haben anonym eingereicht. Ihren Namen sehen nur Sie und die Administration.", "You submitted anonymously. Only you and the administrators see your name.";
    none: "keine", "none";
    comments: "Kommentare", "Comments";
    comment_add: "Kommentar schreiben", "Write a comment";
    comment_add_button: "Kommentar senden", "Send comment";
    comment_edit: "Bearbeiten", "Edit";
    comment_edit_label: "Kommentar bearbeiten", "Edit the comment";
    comment_save: "Änderung speichern", "Save change";
    comment_delete: "Löschen", "Delete";
    comment_deleted: "Dieser Kommentar wurde gelöscht.", "This comment was deleted.";
    comment_edited: "bearbeitet", "edited";
    comment_none: "Noch keine Kommentare.", "No comments yet.";
    idea_steps: "Nächste Schritte", "Next steps";
    withdraw_heading: "Idee zurückziehen", "Withdraw the idea";
    withdraw_reason: "Warum ziehen Sie die Idee zurück?", "Why do you withdraw the idea?";
    withdraw_button: "Idee zurückziehen", "Withdraw idea";
    // New idea.
    new_title: "Idee einreichen", "Submit an idea";
    new_intro: "Beschreiben Sie kurz, was heute passiert, was Sie vorschlagen und was es bringt. Die Leitung der gewählten Organisationseinheit sieht sich Ihre Idee an.", "Describe briefly what happens today, what you propose and what it brings. The lead of the unit you choose looks at your idea.";
    field_title: "Titel", "Title";
    field_title_hint: "Ein kurzer Satz, z. B. „Termine im Bürgeramt online vergeben“.", "One short sentence, e.g. “Online appointments at the citizens’ office”.";
    field_current: "Ist-Zustand", "Current situation";
    field_current_hint: "Wie wird es heute gemacht? Was stört daran?", "How is it done today? What is the problem?";
    field_proposal: "Ihr Vorschlag", "Your proposal";
    field_proposal_hint: "Was sollte anders gemacht werden?", "What should be done differently?";
    field_benefit: "Erwarteter Nutzen", "Expected benefit";
    field_benefit_hint: "Wem hilft es und wie? Zum Beispiel gesparte Zeit, weniger Fehler, zufriedenere Bürgerinnen und Bürger.", "Who does it help, and how? For example time saved, fewer mistakes, happier citizens.";
    field_unit: "Organisationseinheit", "Unit";
    field_unit_hint: "Die Einheit, die es betrifft. Ihre Leitung prüft die Idee.", "The unit it concerns. Its lead reviews the idea.";
    field_dimensions: "Welche Dimensionen der Lernkultur stärkt die Idee?", "Which learning culture dimensions does the idea strengthen?";
    field_dimensions_hint: "Bis zu drei. Zuerst stehen die Dimensionen, in denen die letzte Befragung schwach war: Ideen dazu helfen dort, wo es am meisten fehlt.", "Up to three. The dimensions in which the last survey was weak come first: ideas on them help where it is needed most.";
    field_dimensions_hint_plain: "Bis zu drei. Sobald eine Befragung ausgewertet ist, stehen hier die Dimensionen zuerst, in denen die Kommune schwach abgeschnitten hat.", "Up to three. Once a survey has been evaluated, the dimensions in which the municipality scored weakest come first here.";
    weak_mark: "schwach in der letzten Befragung", "weak in the last survey";
    field_group: "Gemeinsam eingereicht?", "Submitted together?";
    field_group_hint: "Nennen Sie bis zu fünf Kolleginnen oder Kollegen mit ihrer E-Mail-Adresse und ihrem Anteil in Prozent. Alle Anteile zusammen mit Ihrem ergeben 100.", "Name up to five colleagues by their e-mail address with their share in percent. All shares including yours add up to 100.";
    field_co_author: "E-Mail-Adresse Mitautor/in", "Co-author’s e-mail address";
    field_share: "Anteil in Prozent", "Share in percent";
    field_author_share: "Ihr Anteil in Prozent", "Your share in percent";
    field_anonymous: "Anonym unter einem Kennwort einreichen", "Submit anonymously under a code word";
    field_anonymous_hint: "Ihr Name wird dann niemandem angezeigt außer Ihnen und der Administration der Kommune. Alle anderen – auch Ihre Leitung – sehen nur das Kennwort. Mit Mitautorinnen oder Mitautoren geht das nicht.", "Then your name is shown to nobody but you and your municipality’s administrators. Everyone else, your lead included, sees only the code word. This cannot be combined with co-authors.";
    field_code_word: "Kennwort", "Code word";
    field_code_word_hint: "3 bis 40 Zeichen, z. B. „Morgenfrisch“. Kein Name, an dem man Sie erkennt.", "3 to 40 characters, e.g. “Morningfresh”. No name that identifies you.";
    field_impact: "Geschätzte Wirkung", "Estimated impact";
    field_hours: "Gesparte Stunden pro Jahr", "Hours saved per year";
    field_costs: "Gesparte Kosten pro Jahr in Euro", "Costs saved per year in euros";
    field_quality: "Nutzen, der sich nicht in Zahlen fassen lässt", "Benefit that cannot be put in figures";
    submit_idea: "Idee einreichen", "Submit idea";
    choose: "Bitte wählen", "Please choose";
    // Survey.
    survey_anonymity_heading: "Ihre Antworten sind anonym", "Your answers are anonymous";
    survey_anonymity: "Gespeichert werden nur Ihre Antworten und Ihre Organisationseinheit – nicht Ihr Name, nicht der Zeitpunkt neben Ihrem Namen. Dass Sie teilgenommen haben, wird getrennt davon vermerkt, damit niemand zweimal antwortet. Ergebnisse werden erst nach dem Ende der Runde und nur für Gruppen ab der festgelegten Mindestgröße gezeigt; kleinere Gruppen werden nie ausgewiesen. Niemand – auch nicht die Leitung oder die Administration – kann Ihre Antworten Ihnen zuordnen.", "Only your answers and your unit are stored – not your name, and no time next to your name. That you took part is noted separately, so nobody answers twice. Results are shown only after the round has ended and only for groups of at least the set minimum size; smaller groups are never shown. Nobody – not your lead, not the administrators – can link your answers to you.";
    survey_min_group: "Mindestgröße einer ausgewiesenen Gruppe:", "Minimum size of a group that is shown:";
    survey_instructions: "Bitte beantworten Sie jede Aussage. Wenn Sie etwas nicht einschätzen können, wählen Sie „kann ich nicht beurteilen“.", "Please answer every statement. If you cannot judge something, choose “can’t judge”.";
    survey_submit: "Antworten absenden", "Send answers";
    survey_missing: "Bitte beantworten Sie diese Aussage.", "Please answer this statement.";
    survey_thanks_title: "Vielen Dank!", "Thank you!";
    survey_thanks: "Ihre Antworten sind gespeichert. Die Ergebnisse der Runde sehen Sie nach ihrem Ende.", "Your answers are stored. You see the round’s results after it has ended.";
    survey_answered: "Sie haben an dieser Befragung bereits teilgenommen. Jede Person antwortet einmal.", "You have taken part in this survey already. Everyone answers once.";
    survey_not_open: "Diese Befragung ist nicht geöffnet.", "This survey is not open.";
    survey_out_of_scope: "Diese Befragung richtet sich an eine andere Organisationseinheit.", "This survey is meant for another unit.";
    survey_statement: "Aussage", "Statement";
}

/// The texts of a language.
pub fn of(lang: Lang) -> &'static Texts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}
