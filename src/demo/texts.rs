//! What the demo's people write: improvement ideas of a German town administration with
//! their key figures, and the comments, reasons and findings that go with them.

/// An idea as its author would write it, with the key figure a lead would plan it with.
#[derive(Debug, Clone, Copy)]
pub struct IdeaText {
    pub unit: &'static str,
    pub dimensions: &'static [&'static str],
    pub title: &'static str,
    pub situation: &'static str,
    pub proposal: &'static str,
    pub benefit: &'static str,
    pub kpi_name: &'static str,
    pub kpi_unit: &'static str,
    pub baseline: f64,
    pub target: f64,
    pub lower_is_better: bool,
    /// Estimated working hours saved per year (0: no estimate).
    pub hours: f64,
    /// Estimated costs saved per year in EUR (0: none).
    pub cost: f64,
}

#[allow(clippy::too_many_arguments)]
const fn idea(
    unit: &'static str,
    dimensions: &'static [&'static str],
    title: &'static str,
    situation: &'static str,
    proposal: &'static str,
    benefit: &'static str,
    kpi: (&'static str, &'static str, f64, f64),
    estimate: (f64, f64),
) -> IdeaText {
    IdeaText {
        unit,
        dimensions,
        title,
        situation,
        proposal,
        benefit,
        kpi_name: kpi.0,
        kpi_unit: kpi.1,
        baseline: kpi.2,
        target: kpi.3,
        lower_is_better: kpi.3 < kpi.2,
        hours: estimate.0,
        cost: estimate.1,
    }
}

const EXP: &str = "experimentation";
const KS: &str = "knowledge_sharing";
const LEAD: &str = "leadership";
const ERR: &str = "error_culture";
const COMP: &str = "competence";
const MOT: &str = "motivation";
const LI: &str = "learning_impact";

/// The believable demo's ideas (the scenario in `ideas.rs` refers to them by position).
pub const IDEAS: [IdeaText; 68] = [
    // 0
    idea(
        "buergeramt",
        &[EXP],
        "Online-Terminvergabe für Ausweisanträge",
        "Vormittags warten Bürgerinnen und Bürger oft über 40 Minuten im Flur, nachmittags ist es leer.",
        "Feste Online-Termine für Ausweis- und Passanträge; spontane Vorsprachen nur noch am Nachmittag.",
        "Kürzere Wartezeiten und planbarere Arbeitstage am Schalter.",
        ("Mittlere Wartezeit", "Minuten", 42.0, 20.0),
        (320.0, 0.0),
    ),
    // 1
    idea(
        "buergeramt",
        &[KS],
        "Checkliste für vollständige Antragsunterlagen",
        "Fast jeder dritte Antrag ist unvollständig und muss ein zweites Mal vorgelegt werden.",
        "Eine gemeinsame Checkliste je Antragsart, auf der Website und am Infotresen.",
        "Weniger zweite Vorsprachen, weniger Rückfragen im Team.",
        ("Unvollständige Anträge", "%", 30.0, 12.0),
        (180.0, 2000.0),
    ),
    // 2
    idea(
        "buergeramt",
        &[KS, LEAD],
        "Tägliche 10-Minuten-Runde am Schalter",
        "Neuigkeiten und Sonderfälle erfahren viele erst, wenn ein Bürger danach fragt.",
        "Jeden Morgen zehn Minuten im Stehen: Was ist neu, was hat gestern gehakt?",
        "Alle sind auf dem gleichen Stand, weniger Rückfragen an die Teamleitung.",
        ("Rückfragen an die Teamleitung pro Tag", "Anzahl", 25.0, 12.0),
        (150.0, 0.0),
    ),
    // 3
    idea(
        "buergeramt",
        &[ERR],
        "Fehlerbuch für Korrekturen im Melderegister",
        "Dieselben Eingabefehler im Melderegister tauchen immer wieder auf, jeder korrigiert sie still für sich.",
        "Ein gemeinsames Fehlerbuch ohne Namen, das wir einmal im Monat durchgehen.",
        "Wiederkehrende Fehler werden sichtbar und verschwinden.",
        ("Wiederholte Korrekturfälle pro Monat", "Anzahl", 18.0, 8.0),
        (60.0, 800.0),
    ),
    // 4
    idea(
        "buergeramt",
        &[EXP],
        "Aktuelle Wartenummer auf der Website anzeigen",
        "Viele rufen an, nur um zu fragen, wie voll es gerade ist.",
        "Die Anzeige aus dem Wartebereich live auf der Website zeigen.",
        "Weniger Anrufe, Besuche verteilen sich über den Tag.",
        ("Anrufe zur Wartezeit pro Tag", "Anzahl", 35.0, 15.0),
        (120.0, 0.0),
    ),
    // 5
    idea(
        "buergeramt",
        &[EXP],
        "Kartenzahlung an allen Schaltern",
        "Nur ein Schalter nimmt Karten, an den anderen wird Bargeld gezählt und abgerechnet.",
        "Kartenterminals an allen Schaltern, Bargeld nur noch an der Kasse.",
        "Weniger Kassenabrechnung, kürzere Vorgänge.",
        ("Anteil Barzahlungen", "%", 70.0, 40.0),
        (90.0, 1200.0),
    ),
    // 6
    idea(
        "buergeramt",
        &[COMP, KS],
        "Einarbeitungspaten für neue Kolleginnen und Kollegen",
        "Neue im Team fragen reihum und bekommen unterschiedliche Antworten.",
        "Jede neue Person bekommt für drei Monate eine feste Patin oder einen festen Paten.",
        "Schnellere, einheitliche Einarbeitung.",
        ("Wochen bis zur selbstständigen Sachbearbeitung", "Wochen", 12.0, 8.0),
        (100.0, 0.0),
    ),
    // 7
    idea(
        "buergeramt",
        &[MOT],
        "Anerkennung für Vertretungsdienste",
        "Wer kurzfristig einspringt, hört dafür selten ein Wort.",
        "Einspringen wird im Dienstplan sichtbar und mit einem freien Nachmittag im Quartal ausgeglichen.",
        "Mehr Bereitschaft zu vertreten, weniger Frust.",
        ("Zufriedenheit mit der Vertretungsregelung", "Note 1–5", 2.6, 3.5),
        (0.0, 0.0),
    ),
    // 8
    idea(
        "buergeramt",
        &[KS],
        "Vorlagen für häufige E-Mail-Antworten",
        "Die gleichen Fragen per E-Mail werden jedes Mal neu formuliert beantwortet.",
        "Geprüfte Textvorlagen für die zwanzig häufigsten Anfragen im Postfach.",
        "Schnellere und einheitliche Antworten.",
        ("Bearbeitungszeit je E-Mail-Anfrage", "Minuten", 9.0, 5.0),
        (210.0, 0.0),
    ),
    // 9
    idea(
        "ordnungsamt",
        &[EXP],
        "Parkverstöße mobil mit Foto erfassen",
        "Verwarnungen werden auf Papier notiert und im Büro abgetippt.",
        "Erfassung auf dem Diensthandy mit Foto, Übertragung direkt ins Fachverfahren.",
        "Keine Doppelerfassung, weniger Tippfehler.",
        ("Nachbearbeitungszeit je Verwarnung", "Minuten", 6.0, 3.0),
        (400.0, 0.0),
    ),
    // 10
    idea(
        "ordnungsamt",
        &[ERR, LI],
        "Fallbesprechung nach schwierigen Einsätzen",
        "Nach belastenden Einsätzen geht jeder direkt zum nächsten Termin.",
        "Innerhalb einer Woche eine kurze Nachbesprechung: Was lief gut, was nehmen wir mit?",
        "Wir lernen aus Einsätzen, statt Fehler zu wiederholen.",
        ("Einsätze mit Nachbesprechung", "%", 10.0, 60.0),
        (0.0, 0.0),
    ),
    // 11
    idea(
        "ordnungsamt",
        &[EXP],
        "Mängelmelder-App für Bürgerinnen und Bürger",
        "Meldungen über wilde Müllablagerungen kommen per Telefon, Brief und E-Mail.",
        "Eine Meldeplattform mit Foto und Standort, die direkt im Ordnungsamt landet.",
        "Schnellere Reaktion und weniger Telefonate.",
        ("Tage bis zur ersten Reaktion", "Tage", 6.0, 2.0),
        (260.0, 0.0),
    ),
    // 12
    idea(
        "ordnungsamt",
        &[LI],
        "Rückmeldung an Meldende nach Erledigung",
        "Wer einen Missstand meldet, erfährt nie, ob etwas passiert ist.",
        "Eine kurze Standardnachricht, sobald eine Meldung erledigt ist.",
        "Weniger Nachfragen und Beschwerden, mehr Vertrauen.",
        ("Beschwerden über fehlende Rückmeldung pro Monat", "Anzahl", 14.0, 4.0),
        (80.0, 0.0),
    ),
    // 13
    idea(
        "ordnungsamt",
        &[MOT, LEAD],
        "Schichtplanung mit Wunschterminen",
        "Der Schichtplan kommt fertig und wird danach ständig getauscht.",
        "Wunschtermine bis zum 10. des Vormonats, dann erst der Plan.",
        "Weniger Tausch, mehr Planbarkeit für Familien.",
        ("Kurzfristige Schichttausche pro Monat", "Anzahl", 22.0, 10.0),
        (50.0, 0.0),
    ),
    // 14
    idea(
        "ordnungsamt",
        &[KS],
        "Einheitliche Textbausteine für Bußgeldbescheide",
        "Begründungen in Bescheiden sind sehr unterschiedlich und oft angreifbar.",
        "Abgestimmte Textbausteine mit dem Rechtsamt.",
        "Weniger Widersprüche wegen unklarer Begründung.",
        (
            "Widersprüche wegen unklarer Begründung pro Quartal",
            "Anzahl",
            30.0,
            15.0,
        ),
        (140.0, 3500.0),
    ),
    // 15
    idea(
        "ordnungsamt",
        &[ERR],
        "Beinahe-Fehler melden ohne Schuldfrage",
        "Beinahe-Fehler im Außendienst werden nicht erwähnt, aus Sorge vor Ärger.",
        "Ein eigenes Feld im Einsatzbericht für Beinahe-Fehler, ausgewertet ohne Namen.",
        "Risiken werden früh erkannt.",
        ("Gemeldete Beinahe-Fehler pro Quartal", "Anzahl", 2.0, 10.0),
        (0.0, 0.0),
    ),
    // 16
    idea(
        "ordnungsamt",
        &[KS, COMP],
        "Hospitation im Bürgeramt",
        "Anliegen werden zwischen Ordnungsamt und Bürgeramt hin- und hergeschickt.",
        "Jede Kollegin und jeder Kollege verbringt einen Tag im jeweils anderen Amt.",
        "Weniger falsch weitergeleitete Anliegen.",
        ("Falsch weitergeleitete Anliegen pro Monat", "Anzahl", 40.0, 20.0),
        (60.0, 0.0),
    ),
    // 17
    idea(
        "standesamt",
        &[EXP],
        "Digitale Anmeldung zur Eheschließung",
        "Paare kommen im Schnitt dreimal vorbei, bis alle Unterlagen da sind.",
        "Unterlagen vorab online hochladen, ein einziger Termin vor Ort.",
        "Weniger Termine, zufriedenere Paare.",
        ("Vorsprachen je Eheschließung", "Anzahl", 3.0, 1.0),
        (150.0, 0.0),
    ),
    // 18
    idea(
        "standesamt",
        &[ERR],
        "Vier-Augen-Prinzip bei Urkundenänderungen dokumentieren",
        "Berichtigungen von Urkunden kommen vor, aber niemand spricht darüber.",
        "Jede Änderung wird von einer zweiten Person geprüft und kurz begründet.",
        "Weniger Berichtigungen, mehr Sicherheit.",
        ("Berichtigungen von Urkunden pro Jahr", "Anzahl", 24.0, 10.0),
        (30.0, 0.0),
    ),
    // 19
    idea(
        "standesamt",
        &[KS, COMP],
        "Wissenssammlung zu Auslandsfällen",
        "Wissen zu seltenen Auslandsfällen steckt in den Köpfen von zwei Kolleginnen.",
        "Eine Wissenssammlung im Intranet mit Beispielfällen und Ansprechpartnern.",
        "Vertretungen können Auslandsfälle selbst bearbeiten.",
        ("Rückfragen an die Fachaufsicht pro Quartal", "Anzahl", 15.0, 6.0),
        (70.0, 0.0),
    ),
    // 20
    idea(
        "bauamt",
        &[EXP, KS],
        "Digitale Bauakte statt Papierumlauf",
        "Bauakten wandern auf Papier durch vier Ämter, oft liegen sie tagelang.",
        "Die Bauakte wird gescannt und digital an alle Beteiligten gleichzeitig verteilt.",
        "Kürzere Genehmigungsverfahren, keine verlorenen Akten.",
        ("Durchlaufzeit einer Baugenehmigung", "Tage", 95.0, 70.0),
        (900.0, 4000.0),
    ),
    // 21
    idea(
        "bauamt",
        &[LI],
        "Vollständigkeit schon im ersten Gespräch prüfen",
        "Fast jeder Bauantrag braucht mehrere Nachforderungen.",
        "Ein Vorgespräch mit Checkliste, bevor der Antrag offiziell eingeht.",
        "Weniger Nachforderungen, schnellere Verfahren.",
        ("Nachforderungen je Bauantrag", "Anzahl", 2.4, 1.2),
        (300.0, 0.0),
    ),
    // 22
    idea(
        "bauamt",
        &[KS, LI],
        "Monatliche Fallwerkstatt zu strittigen Anträgen",
        "Ähnliche Fälle werden im Team unterschiedlich entschieden.",
        "Einmal im Monat besprechen wir zwei strittige Fälle gemeinsam.",
        "Einheitlichere Entscheidungen, weniger Widersprüche.",
        (
            "Widersprüche wegen uneinheitlicher Entscheidungen pro Quartal",
            "Anzahl",
            9.0,
            4.0,
        ),
        (40.0, 2500.0),
    ),
    // 23
    idea(
        "bauamt",
        &[EXP],
        "Telefonsprechstunde für Architekturbüros",
        "Verfahrensfragen von Planungsbüros kommen jederzeit und unterbrechen die Arbeit.",
        "Eine feste Telefonsprechstunde an zwei Vormittagen pro Woche.",
        "Ruhigere Arbeitszeiten und gebündelte Antworten.",
        ("Telefonate zu Verfahrensfragen pro Woche", "Anzahl", 60.0, 30.0),
        (200.0, 0.0),
    ),
    // 24
    idea(
        "bauamt",
        &[ERR],
        "Fristenampel im Fachverfahren",
        "Gesetzliche Fristen werden manchmal knapp oder gar nicht eingehalten.",
        "Eine Ampel im Fachverfahren zeigt zwei Wochen vorher, welche Fristen ablaufen.",
        "Keine überschrittenen Fristen mehr.",
        ("Überschrittene Fristen pro Quartal", "Anzahl", 12.0, 3.0),
        (50.0, 0.0),
    ),
    // 25
    idea(
        "bauamt",
        &[LI, ERR],
        "Rückblick nach abgeschlossenen Großprojekten",
        "Nach großen Bauprojekten geht es sofort ins nächste, ohne Rückschau.",
        "Nach jedem Großprojekt ein halber Tag Rückblick mit allen Beteiligten.",
        "Erfahrungen fließen ins nächste Projekt ein.",
        ("Projekte mit dokumentierter Auswertung", "%", 10.0, 80.0),
        (0.0, 0.0),
    ),
    // 26
    idea(
        "bauamt",
        &[COMP],
        "Mentoring für neue Sachbearbeitende in der Bauaufsicht",
        "Neue in der Bauaufsicht brauchen fast ein Jahr, bis sie allein entscheiden.",
        "Ein erfahrener Kollege begleitet jede neue Person ein halbes Jahr lang.",
        "Schnellere Einarbeitung, weniger Unsicherheit.",
        ("Monate bis zur selbstständigen Bearbeitung", "Monate", 9.0, 6.0),
        (160.0, 4000.0),
    ),
    // 27
    idea(
        "bauamt",
        &[KS],
        "Standardisierte Stellungnahmen der Fachämter",
        "Stellungnahmen der Fachämter kommen in jeder Form und oft spät.",
        "Ein gemeinsames Formular mit Frist, digital zugestellt.",
        "Schnellere Stellungnahmen.",
        ("Wartezeit auf Stellungnahmen", "Tage", 28.0, 14.0),
        (120.0, 0.0),
    ),
    // 28
    idea(
        "bauhof",
        &[EXP],
        "Tablet statt Papier-Stundenzettel",
        "Stundenzettel werden auf Papier geschrieben und im Büro abgetippt.",
        "Erfassung auf einem Tablet je Kolonne, Übergabe direkt an die Lohnabrechnung.",
        "Weniger Abtippen, weniger Fehler in der Abrechnung.",
        ("Aufwand für die Stundenabrechnung pro Monat", "Stunden", 40.0, 15.0),
        (300.0, 500.0),
    ),
    // 29
    idea(
        "bauhof",
        &[EXP],
        "Schadensmeldungen mit Foto und Standort",
        "Oft fahren wir raus und wissen nicht genau, wo der Schaden ist oder welches Material fehlt.",
        "Meldungen nur noch mit Foto und Kartenpunkt annehmen.",
        "Weniger Leerfahrten.",
        (
            "Anfahrten ohne ausreichende Information pro Monat",
            "Anzahl",
            30.0,
            10.0,
        ),
        (250.0, 1500.0),
    ),
    // 30
    idea(
        "bauhof",
        &[LI],
        "Mindestbestände im Materiallager",
        "Streusalz, Schilder und Schrauben fehlen immer dann, wenn man sie braucht.",
        "Feste Mindestbestände mit Nachbestellliste am Lagertor.",
        "Weniger Sonderfahrten zum Baumarkt.",
        ("Fahrten wegen fehlenden Materials pro Monat", "Anzahl", 16.0, 5.0),
        (90.0, 800.0),
    ),
    // 31
    idea(
        "bauhof",
        &[ERR],
        "Werkstattrunde zu Beinahe-Unfällen",
        "Beinahe-Unfälle mit Maschinen werden kaum gemeldet.",
        "Einmal im Monat eine Viertelstunde in der Werkstatt: Was ist fast passiert?",
        "Unfälle vermeiden, bevor sie passieren.",
        ("Gemeldete Beinahe-Unfälle pro Quartal", "Anzahl", 3.0, 12.0),
        (0.0, 6000.0),
    ),
    // 32
    idea(
        "bauhof",
        &[LEAD, EXP],
        "Winterdienst-Touren gemeinsam neu planen",
        "Die Räumrouten sind zwanzig Jahre alt und passen nicht mehr zu den Neubaugebieten.",
        "Fahrer und Einsatzleitung planen die Touren gemeinsam neu und testen sie einen Winter.",
        "Hauptrouten sind schneller geräumt.",
        ("Räumzeit der Hauptrouten", "Stunden", 5.5, 4.0),
        (180.0, 2500.0),
    ),
    // 33
    idea(
        "bauhof",
        &[MOT],
        "Lob von Bürgerinnen und Bürgern ans Team weitergeben",
        "Dankesbriefe landen in der Verwaltung, das Team draußen erfährt nichts davon.",
        "Lob wird am Schwarzen Brett im Bauhof ausgehängt und in der Frühbesprechung vorgelesen.",
        "Die Arbeit draußen wird gesehen.",
        ("Weitergegebene Rückmeldungen pro Monat", "Anzahl", 1.0, 8.0),
        (0.0, 0.0),
    ),
    // 34
    idea(
        "bauhof",
        &[KS],
        "Gerätepass für jede Maschine",
        "Wartungstermine stehen in einem Ordner, den nur eine Person kennt.",
        "Ein Gerätepass mit Wartungsplan hängt an jeder Maschine.",
        "Weniger Ausfälle durch verpasste Wartung.",
        ("Ausfalltage durch verspätete Wartung pro Jahr", "Tage", 40.0, 15.0),
        (120.0, 3000.0),
    ),
    // 35
    idea(
        "personal",
        &[EXP],
        "Urlaubsanträge digital",
        "Urlaubsanträge gehen auf Papier durch drei Hände.",
        "Urlaub wird im Personalportal beantragt und genehmigt.",
        "Weniger Papier, schnellere Antwort.",
        ("Bearbeitungszeit je Urlaubsantrag", "Minuten", 12.0, 3.0),
        (350.0, 300.0),
    ),
    // 36
    idea(
        "personal",
        &[LEAD],
        "Strukturierte Feedbackgespräche einmal im Jahr",
        "Viele Beschäftigte hatten seit Jahren kein Gespräch mit ihrer Führungskraft.",
        "Ein kurzer Leitfaden und ein fester Zeitraum im Herbst für alle Gespräche.",
        "Jede und jeder weiß, wo sie oder er steht.",
        ("Beschäftigte mit Feedbackgespräch", "%", 35.0, 85.0),
        (0.0, 0.0),
    ),
    // 37
    idea(
        "personal",
        &[COMP, MOT],
        "Fortbildungsbudget transparent machen",
        "Kaum jemand weiß, wie viel Fortbildungsbudget es gibt und wie man es beantragt.",
        "Budget und Antragsweg im Intranet, Rückmeldung binnen zwei Wochen.",
        "Mehr Fortbildungen, gerechter verteilt.",
        ("Abgerufenes Fortbildungsbudget", "%", 55.0, 85.0),
        (0.0, 0.0),
    ),
    // 38
    idea(
        "personal",
        &[LI, LEAD],
        "Austrittsgespräche auswerten",
        "Wer geht, wird selten gefragt, warum.",
        "Ein Gespräch mit jeder Person, die geht, und eine jährliche Auswertung für die Leitung.",
        "Wir verstehen, warum Leute gehen, und können gegensteuern.",
        ("Ausgewertete Austrittsgespräche", "%", 20.0, 90.0),
        (0.0, 0.0),
    ),
    // 39
    idea(
        "personal",
        &[KS, COMP],
        "Onboarding-Mappe für neue Beschäftigte",
        "Neue bekommen am ersten Tag einen Stapel Formulare und wenig Orientierung.",
        "Eine Mappe mit Ansprechpersonen, Abläufen und einem Plan für die ersten vier Wochen.",
        "Besserer Start, weniger Fragen.",
        ("Rückfragen Neuer in den ersten vier Wochen", "Anzahl", 20.0, 8.0),
        (80.0, 0.0),
    ),
    // 40
    idea(
        "personal",
        &[LEAD, ERR],
        "Führungskräfte-Werkstatt zur Fehlerkultur",
        "Wie mit Fehlern umgegangen wird, hängt stark von der jeweiligen Führungskraft ab.",
        "Zwei halbe Tage Werkstatt für alle Führungskräfte mit Fällen aus dem eigenen Haus.",
        "Ein gemeinsamer Umgang mit Fehlern in allen Ämtern.",
        ("Führungskräfte mit Teilnahme", "%", 15.0, 80.0),
        (0.0, 0.0),
    ),
    // 41
    idea(
        "personal",
        &[MOT],
        "Dankeskarten der Verwaltungsleitung",
        "Besondere Leistungen bleiben oft unbemerkt.",
        "Die Bürgermeisterin schreibt Dankeskarten, vorgeschlagen von den Teams.",
        "Anerkennung wird sichtbar.",
        ("Ausgesprochene Anerkennungen pro Quartal", "Anzahl", 5.0, 30.0),
        (0.0, 0.0),
    ),
    // 42
    idea(
        "personal",
        &[COMP, KS],
        "Interne Börse für Hospitationen",
        "Wer ein anderes Amt kennenlernen möchte, weiß nicht, wen er fragen soll.",
        "Eine Liste im Intranet: Wer bietet Hospitationen an, wer sucht welche?",
        "Mehr Austausch zwischen den Ämtern.",
        ("Hospitationen pro Jahr", "Anzahl", 4.0, 20.0),
        (0.0, 0.0),
    ),
    // 43
    idea(
        "it",
        &[EXP],
        "Passwort selbst zurücksetzen",
        "Ein Drittel aller Tickets betrifft vergessene Passwörter.",
        "Ein Self-Service-Portal mit Zwei-Faktor-Bestätigung.",
        "Weniger Tickets, keine Wartezeit für Beschäftigte.",
        ("Passwort-Tickets pro Monat", "Anzahl", 120.0, 40.0),
        (400.0, 0.0),
    ),
    // 44
    idea(
        "it",
        &[KS],
        "Wissensdatenbank für häufige IT-Fragen",
        "Dieselben Fragen werden im Support Tag für Tag neu beantwortet.",
        "Eine Wissensdatenbank mit Schritt-für-Schritt-Anleitungen, verlinkt im Ticketsystem.",
        "Beschäftigte helfen sich selbst, der Support hat Zeit für Schwieriges.",
        ("Tickets mit Standardlösung pro Monat", "Anzahl", 200.0, 120.0),
        (350.0, 5000.0),
    ),
    // 45
    idea(
        "it",
        &[ERR, LI],
        "Störungsrückblick ohne Schuldfrage",
        "Nach Störungen wird schnell repariert, aber die Ursache nicht festgehalten.",
        "Nach jeder größeren Störung ein kurzer Rückblick: Ursache, Maßnahme, was wir lernen.",
        "Gleiche Störungen kommen nicht wieder.",
        ("Wiederholte Störungen gleicher Ursache pro Quartal", "Anzahl", 8.0, 3.0),
        (120.0, 8000.0),
    ),
    // 46
    idea(
        "it",
        &[EXP],
        "Pilotgruppe für neue Software",
        "Neue Programme werden für alle gleichzeitig eingeführt und danach mühsam nachgebessert.",
        "Eine Pilotgruppe aus jedem Amt testet vier Wochen lang vor der Einführung.",
        "Weniger Nachbesserungen, bessere Akzeptanz.",
        ("Nachbesserungen nach der Einführung", "Anzahl", 25.0, 10.0),
        (200.0, 0.0),
    ),
    // 47
    idea(
        "it",
        &[KS],
        "IT-Sprechstunde vor Ort in den Ämtern",
        "Viele kleine Fragen werden nie gestellt, weil ein Ticket zu aufwendig scheint.",
        "Einmal pro Woche eine Stunde IT-Sprechstunde in einem Amt, reihum.",
        "Zufriedenere Beschäftigte, weniger Umwege.",
        ("Zufriedenheit mit der IT-Unterstützung", "Note 1–5", 2.9, 3.8),
        (0.0, 0.0),
    ),
    // 48
    idea(
        "it",
        &[LI],
        "Arbeitsplatz am ersten Tag einsatzbereit",
        "Neue warten im Schnitt zwei Wochen auf Rechner und Zugänge.",
        "Ein Standardpaket, das Personal und IT gemeinsam zwei Wochen vor Dienstbeginn anstoßen.",
        "Arbeitsfähig ab dem ersten Tag.",
        ("Tage bis zum einsatzbereiten Arbeitsplatz", "Tage", 10.0, 3.0),
        (100.0, 0.0),
    ),
    // 49
    idea(
        "it",
        &[COMP],
        "Kurze Lernvideos zu den Fachverfahren",
        "Schulungen zu Fachverfahren gibt es nur einmal im Jahr.",
        "Drei-Minuten-Videos zu den häufigsten Aufgaben, im Intranet abrufbar.",
        "Lernen, wenn man es braucht.",
        ("Schulungsanfragen pro Monat", "Anzahl", 30.0, 15.0),
        (150.0, 0.0),
    ),
    // 50
    idea(
        "finanzen",
        &[EXP],
        "E-Rechnungen durchgängig digital bearbeiten",
        "E-Rechnungen werden ausgedruckt, abgezeichnet und wieder eingescannt.",
        "Prüfung und Freigabe vollständig im Rechnungsworkflow.",
        "Schnellere Zahlung, weniger Papier.",
        ("Durchlaufzeit je Rechnung", "Tage", 14.0, 5.0),
        (500.0, 2000.0),
    ),
    // 51
    idea(
        "finanzen",
        &[LI],
        "Skonto-Fristen automatisch überwachen",
        "Skonti gehen verloren, weil Rechnungen zu lange liegen.",
        "Das Finanzverfahren warnt fünf Tage vor Ablauf der Skontofrist.",
        "Skonti werden genutzt.",
        ("Verlorene Skonti pro Jahr", "EUR", 9000.0, 2000.0),
        (20.0, 7000.0),
    ),
    // 52
    idea(
        "finanzen",
        &[LEAD, KS],
        "Haushaltsplanung früher mit den Fachämtern abstimmen",
        "Der Haushaltsentwurf geht mehrfach zwischen Kämmerei und Ämtern hin und her.",
        "Ein gemeinsamer Auftakttermin und feste Eckwerte vor der Detailplanung.",
        "Weniger Korrekturschleifen.",
        ("Korrekturschleifen je Haushaltsentwurf", "Anzahl", 4.0, 2.0),
        (160.0, 0.0),
    ),
    // 53
    idea(
        "finanzen",
        &[ERR],
        "Fehlbuchungen gemeinsam auswerten",
        "Fehlbuchungen werden korrigiert, aber nie besprochen.",
        "Einmal im Monat schauen wir auf die häufigsten Fehlbuchungen und ihre Ursachen.",
        "Weniger Fehlbuchungen.",
        ("Fehlbuchungen pro Monat", "Anzahl", 35.0, 15.0),
        (100.0, 0.0),
    ),
    // 54
    idea(
        "finanzen",
        &[EXP],
        "Zahlungserinnerung vor der Fälligkeit",
        "Viele Mahnungen betreffen Beträge, die einfach vergessen wurden.",
        "Eine freundliche Erinnerung per E-Mail eine Woche vor Fälligkeit.",
        "Weniger Mahnungen, weniger Aufwand.",
        ("Mahnungen pro Monat", "Anzahl", 400.0, 250.0),
        (220.0, 1500.0),
    ),
    // 55
    idea(
        "rathaus",
        &[EXP, MOT],
        "Ideenwerkstatt einmal im Quartal",
        "Gute Ideen werden in der Kaffeeküche erzählt und nie eingereicht.",
        "Ein offener Nachmittag pro Quartal, an dem Ideen gemeinsam ausgearbeitet werden.",
        "Mehr und bessere Ideen.",
        ("Eingereichte Ideen pro Quartal", "Anzahl", 6.0, 15.0),
        (0.0, 0.0),
    ),
    // 56
    idea(
        "rathaus",
        &[LEAD, MOT],
        "Die Bürgermeisterin berichtet über umgesetzte Ideen",
        "Viele wissen nicht, was aus eingereichten Ideen geworden ist.",
        "In jeder Personalversammlung drei umgesetzte Ideen mit ihren Urheberinnen und Urhebern.",
        "Beteiligung lohnt sich sichtbar.",
        ("Beschäftigte, die eine umgesetzte Idee kennen", "%", 30.0, 70.0),
        (0.0, 0.0),
    ),
    // 57
    idea(
        "rathaus",
        &[KS],
        "Einheitliche Vorlage für Sitzungsvorlagen",
        "Sitzungsvorlagen kommen in jeder Form und werden oft zurückgegeben.",
        "Eine Vorlage mit Pflichtangaben und eine kurze Anleitung.",
        "Weniger Rückläufer, schnellere Gremienarbeit.",
        ("Rückläufer je Sitzungsrunde", "Anzahl", 12.0, 5.0),
        (90.0, 0.0),
    ),
    // 58
    idea(
        "rathaus",
        &[LEAD],
        "Besprechungen mit fester Tagesordnung und Protokoll",
        "Besprechungen dauern lang und enden ohne klare Absprachen.",
        "Tagesordnung vorab, Zeitrahmen je Punkt und ein Ergebnisprotokoll.",
        "Kürzere Besprechungen mit Ergebnissen.",
        ("Dauer der Leitungsbesprechung", "Minuten", 90.0, 60.0),
        (120.0, 0.0),
    ),
    // 59
    idea(
        "rathaus",
        &[LI],
        "Lessons learned nach jeder Wahl",
        "Bei jeder Wahl werden dieselben organisatorischen Pannen neu entdeckt.",
        "Eine Auswertung mit allen Wahlhelfenden-Koordinatoren eine Woche nach der Wahl.",
        "Die nächste Wahl läuft ruhiger.",
        ("Umgesetzte Verbesserungen je Wahl", "Anzahl", 2.0, 10.0),
        (60.0, 0.0),
    ),
    // 60
    idea(
        "ordnungsamt",
        &[LEAD],
        "Offene Sprechstunde der Amtsleitung",
        "Kleine Anliegen an die Amtsleitung warten oft wochenlang auf einen Termin.",
        "Jeden Donnerstag eine offene Stunde ohne Anmeldung.",
        "Anliegen werden direkt geklärt.",
        ("Direkt geklärte Anliegen", "%", 40.0, 70.0),
        (0.0, 0.0),
    ),
    // 61
    idea(
        "buergeramt",
        &[KS, LI],
        "Kollegiale Fallberatung über Amtsgrenzen",
        "Schwierige Fälle, die mehrere Ämter betreffen, bleiben bei einer Person hängen.",
        "Einmal im Monat eine Fallberatung mit Kolleginnen und Kollegen aus anderen Ämtern.",
        "Schwierige Fälle werden gemeinsam gelöst.",
        ("Amtsübergreifend beratene Fälle pro Quartal", "Anzahl", 2.0, 8.0),
        (0.0, 0.0),
    ),
    // 62
    idea(
        "rathaus",
        &[ERR, EXP],
        "Auch gescheiterte Versuche vorstellen",
        "Es wird nur über Erfolge gesprochen, gescheiterte Versuche verschwinden still.",
        "In der Ideenwerkstatt stellt jedes Mal ein Team einen Versuch vor, der nicht geklappt hat.",
        "Mehr Mut, Neues auszuprobieren.",
        ("Vorgestellte Versuche pro Halbjahr", "Anzahl", 1.0, 6.0),
        (0.0, 0.0),
    ),
    // 63
    idea(
        "finanzen",
        &[LI],
        "Altakten nach festen Fristen vernichten",
        "Das Archiv ist voll mit Akten, deren Aufbewahrungsfrist längst abgelaufen ist.",
        "Ein jährlicher Aktentag mit klaren Fristen und Datenschutzvernichtung.",
        "Platz im Archiv, Akten schneller gefunden.",
        ("Regalmeter Altakten", "Meter", 120.0, 60.0),
        (40.0, 1000.0),
    ),
    // 64
    idea(
        "rathaus",
        &[KS],
        "Gemeinsamer Kalender für Ausschusssitzungen",
        "Ausschusstermine überschneiden sich mit Terminen der Ämter.",
        "Ein gemeinsamer Kalender, den alle Ämter sehen.",
        "Weniger Terminkonflikte.",
        ("Terminkonflikte pro Quartal", "Anzahl", 8.0, 2.0),
        (40.0, 0.0),
    ),
    // 65
    idea(
        "bauhof",
        &[EXP, MOT],
        "Ideen per QR-Code vom Einsatzort",
        "Wer draußen arbeitet, kommt selten an einen Rechner, um eine Idee einzureichen.",
        "QR-Codes auf den Fahrzeugen führen direkt zum Ideenformular auf dem Handy.",
        "Auch der Bauhof reicht Ideen ein.",
        ("Ideen aus dem Bauhof pro Quartal", "Anzahl", 1.0, 6.0),
        (0.0, 0.0),
    ),
    // 66: a second submission of idea 0
    idea(
        "buergeramt",
        &[EXP],
        "Termine fürs Bürgeramt online buchen",
        "Die Warteschlange morgens ist zu lang.",
        "Man sollte Termine im Internet buchen können.",
        "Weniger Warten.",
        ("Mittlere Wartezeit", "Minuten", 42.0, 20.0),
        (0.0, 0.0),
    ),
    // 67: a second submission of idea 43
    idea(
        "finanzen",
        &[EXP],
        "Passwörter ohne Ticket zurücksetzen",
        "Wenn ich mein Passwort vergesse, warte ich oft einen halben Tag auf die IT.",
        "Ein Portal, in dem man das Passwort selbst zurücksetzen kann.",
        "Keine Wartezeit mehr.",
        ("Passwort-Tickets pro Monat", "Anzahl", 120.0, 40.0),
        (0.0, 0.0),
    ),
];

pub const COMMENTS: [&str; 24] = [
    "Gute Idee, das würde uns im Alltag sehr helfen.",
    "Haben wir in unserem Team schon mal ausprobiert – meldet euch gern, wir erzählen, was geklappt hat.",
    "Wie sieht es dabei mit dem Datenschutz aus?",
    "Bin dafür, aber wir sollten den Personalrat früh einbinden.",
    "Das Problem kenne ich auch aus dem Standesamt.",
    "Gibt es dafür schon eine Lösung in einer Nachbarkommune? Ich meine, Beispielheim macht das seit letztem Jahr.",
    "Ich würde gern in der Pilotgruppe mitmachen.",
    "Kostet das zusätzliche Lizenzen?",
    "Endlich! Darauf warten wir seit Jahren.",
    "Bitte auch an die Kolleginnen und Kollegen in Teilzeit denken.",
    "Wichtig wäre, dass es auch ohne Schulung verständlich ist.",
    "Könnten wir das erst einmal in einem Amt testen?",
    "Die Idee ist gut, aber die Zahlen sollten wir vorher sauber erheben.",
    "Ich habe dazu eine Vorlage aus meiner alten Dienststelle, schicke ich gern.",
    "Das spart bestimmt Zeit, aber wer pflegt das auf Dauer?",
    "Unterstütze ich. Im Bauhof wäre das ähnlich sinnvoll.",
    "Danke für die Initiative!",
    "Vielleicht kann die IT hier mit einer einfachen Lösung helfen.",
    "Wir sollten Bürgerinnen und Bürger nach ihrer Meinung fragen.",
    "Ist das mit dem Fachverfahren kompatibel?",
    "Super, dass das jetzt angegangen wird.",
    "Bei uns im Team gab es dazu schon Diskussionen – gut, dass es jetzt offiziell ist.",
    "Ich sehe das Risiko, dass es am Anfang mehr Arbeit macht.",
    "Klingt machbar. Wann geht es los?",
];

pub const REJECT_REASONS: [&str; 5] = [
    "Rechtlich nicht zulässig: Das Verfahren ist durch Landesrecht vorgegeben.",
    "Wird bereits durch die laufende Umstellung des Fachverfahrens abgedeckt.",
    "Der Aufwand steht in keinem Verhältnis zum erwarteten Nutzen.",
    "Ist tarifrechtlich geregelt und kann nicht vor Ort entschieden werden.",
    "Die Mittel dafür sind im laufenden Haushalt nicht vorhanden; bitte im nächsten Jahr erneut einreichen.",
];

pub const WITHDRAW_REASONS: [&str; 3] = [
    "Hat sich durch die neue Dienstanweisung erledigt.",
    "Ich reiche das nach Rücksprache im Team noch einmal ausführlicher ein.",
    "Doppelt eingereicht, ich ziehe meine Fassung zurück.",
];

pub const ABANDON_REASONS: [&str; 4] = [
    "Der Pilot hat gezeigt, dass der Aufwand höher ist als der Nutzen.",
    "Die Software wird vom Land ersetzt; die Umstellung lohnt sich nicht mehr.",
    "Das Team ist durch Personalwechsel derzeit nicht in der Lage, den Versuch fortzuführen.",
    "Andere Maßnahmen haben das Problem inzwischen gelöst.",
];

pub const FINDINGS: [&str; 6] = [
    "Nach zwei Wochen Eingewöhnung lief es stabil; die Rückmeldungen im Team sind gut.",
    "Am Anfang gab es Rückfragen, eine kurze Anleitung hat geholfen.",
    "Die Wirkung war an stark besuchten Tagen am größten.",
    "Der Erfolg hängt stark davon ab, dass alle mitmachen.",
    "Einzelne Fälle brauchen weiterhin den alten Weg.",
    "Der Aufwand für die Pflege ist geringer als befürchtet.",
];

pub const DEVIATIONS: [&str; 4] = [
    "Wegen Urlaubszeit lief der Pilot zwei Wochen kürzer.",
    "Ein Teil des Teams konnte erst später einsteigen.",
    "Die Technik stand erst mit drei Wochen Verspätung bereit.",
    "Wir haben nur an zwei statt an vier Tagen pro Woche getestet.",
];

pub const NEXT_CYCLE_CHANGES: [&str; 3] = [
    "Ziel verfehlt: Im nächsten Durchlauf nehmen wir den Nachmittag dazu und informieren vorher aktiver.",
    "Die Wirkung war zu klein; wir ändern die Reihenfolge der Arbeitsschritte und messen erneut.",
    "Die Technik hat gebremst; mit der neuen Version versuchen wir es noch einmal.",
];

pub const NOTES: [&str; 5] = [
    "Im Teamgespräch besprochen.",
    "Mit dem Personalrat abgestimmt.",
    "Rücksprache mit der Amtsleitung gehalten.",
    "Zahlen aus dem Fachverfahren übernommen.",
    "Vorgestellt in der Leitungsbesprechung.",
];

pub const CODE_WORDS: [&str; 8] = [
    "Rückenwind",
    "Nachteule",
    "Leuchtturm",
    "Kompass",
    "Ahornblatt",
    "Morgenrot",
    "Eisvogel",
    "Zugvogel",
];

pub const QUALITY_BENEFITS: [&str; 4] = [
    "Zufriedenere Bürgerinnen und Bürger",
    "Weniger Fehler in der Sachbearbeitung",
    "Entlastung des Teams",
    "Mehr Rechtssicherheit",
];
