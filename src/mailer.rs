//! Mail over SMTP (lettre on tokio with rustls): the transport built from
//! `KAIZEN_SMTP_*` and the texts of each kind of mail in German and English. Plain text;
//! the recipients are worked out by `store::mail::prepare` when a message is sent.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest, Sha256};

use crate::config::{SmtpSettings, SmtpTls};
use crate::domain::locale::Lang;
use crate::domain::pdca::Status;
use crate::store::mail::{self, MailMessage, Prepared, Recipient};

/// A configured SMTP transport and the sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Option<String>,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings, public_url: Option<String>) -> Result<Self, String> {
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host);
        let builder = match settings.tls {
            SmtpTls::None => builder,
            SmtpTls::StartTls => builder.tls(Tls::Required(tls_parameters(settings)?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(tls_parameters(settings)?)),
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(settings.timeout_secs)));
        if let Some(user) = &settings.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                settings.password.clone().unwrap_or_default(),
            ));
        }
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("KAIZEN_SMTP_FROM {:?}: {e}", settings.from))?;
        Ok(Self {
            transport: builder.build(),
            from,
            public_url,
        })
    }

    /// Sends one mail per recipient, each addressed to that person alone. An error stops
    /// the message; the worker retries it whole (a recipient may then get a mail twice,
    /// with the same Message-ID).
    pub async fn send(&self, message: &MailMessage, prepared: &Prepared) -> Result<(), String> {
        for recipient in &prepared.recipients {
            let Some(text) = compose(message, prepared, recipient.lang, self.public_url.as_deref()) else {
                continue;
            };
            let mail = self.build(message, recipient, text)?;
            self.transport.send(mail).await.map_err(|e| describe(&e.to_string()))?;
        }
        Ok(())
    }

    fn build(&self, message: &MailMessage, recipient: &Recipient, text: Text) -> Result<Message, String> {
        let to: Mailbox = recipient
            .email
            .parse()
            .map_err(|_| "a recipient's address is not valid".to_owned())?;
        let digest = Sha256::digest(recipient.email.as_bytes());
        let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(text.subject)
            .message_id(Some(format!("<{}.{tag}@kaizen.invalid>", message.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(text.body)
            .map_err(|e| format!("could not build the mail: {e}"))
    }
}

/// Certificate checks for `settings.host`: the built-in Mozilla roots, and the CAs of
/// `KAIZEN_SMTP_CA_FILE` when given. Read at start, so a bad file stops the start.
fn tls_parameters(settings: &SmtpSettings) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(settings.host.clone());
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("KAIZEN_SMTP_CA_FILE {}: {e}", path.display()))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(format!(
                "KAIZEN_SMTP_CA_FILE {}: no PEM certificate in it",
                path.display()
            ));
        }
        let cert = Certificate::from_pem(&pem).map_err(|e| format!("KAIZEN_SMTP_CA_FILE {}: {e}", path.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| format!("SMTP host {}: {e}", settings.host))
}

/// The SMTP error without anything that could carry a credential.
fn describe(error: &str) -> String {
    let short: String = error.chars().take(300).collect();
    format!("SMTP: {short}")
}

/// A mail's subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub subject: String,
    pub body: String,
}

fn status_label(status: Option<&str>, lang: Lang) -> String {
    status
        .and_then(Status::parse)
        .map(|s| s.label(lang).to_owned())
        .unwrap_or_default()
}

/// The text of `message` in `lang`; `None` for a kind this version does not know.
pub fn compose(message: &MailMessage, prepared: &Prepared, lang: Lang, public_url: Option<&str>) -> Option<Text> {
    let p = &prepared.payload;
    let title = p.title.as_str();
    let org = prepared.organization.as_str();
    let idea_link = public_url.map(|u| format!("{u}/ideas/{}", message.subject_id));
    let (subject, mut body) = match (message.kind.as_str(), lang) {
        (mail::IDEA_STATUS_CHANGED, Lang::De) => {
            let now = status_label(p.status.as_deref(), lang);
            let mut b = format!("Guten Tag,\n\nIhre Idee „{title}“ hat einen neuen Stand: {now}");
            if p.previous_status.is_some() {
                b.push_str(&format!(
                    " (vorher: {})",
                    status_label(p.previous_status.as_deref(), lang)
                ));
            }
            b.push_str(".\n");
            if let Some(reason) = &p.reason {
                b.push_str(&format!("\nBegründung:\n{reason}\n"));
            }
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nZur Idee: {link}\n"));
            }
            b.push_str(
                "\nSie erhalten diese Nachricht, weil Sie an der Idee als Autorin oder Autor beteiligt sind. \
                 Benachrichtigungen zu Ideen können Sie in Ihrem Konto abschalten.\n",
            );
            (format!("Ihre Idee „{title}“: {now}"), b)
        }
        (mail::IDEA_STATUS_CHANGED, Lang::En) => {
            let now = status_label(p.status.as_deref(), lang);
            let mut b = format!("Hello,\n\nyour idea \"{title}\" has moved to a new stage: {now}");
            if p.previous_status.is_some() {
                b.push_str(&format!(
                    " (before: {})",
                    status_label(p.previous_status.as_deref(), lang)
                ));
            }
            b.push_str(".\n");
            if let Some(reason) = &p.reason {
                b.push_str(&format!("\nReason:\n{reason}\n"));
            }
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nSee the idea: {link}\n"));
            }
            b.push_str(
                "\nYou receive this message because you are an author of the idea. \
                 You can turn idea notifications off in your account.\n",
            );
            (format!("Your idea \"{title}\": {now}"), b)
        }
        (mail::IDEA_SUBMITTED, Lang::De) => {
            let unit = prepared.unit_name.as_deref().unwrap_or("Ihre Einheit");
            let mut b = format!("Guten Tag,\n\nfür „{unit}“ ist eine neue Idee eingegangen: „{title}“.\n");
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nZur Idee: {link}\n"));
            }
            b.push_str(
                "\nSie erhalten diese Nachricht als Leitung der Einheit. \
                 Benachrichtigungen zu Ideen können Sie in Ihrem Konto abschalten.\n",
            );
            (format!("Neue Idee für {unit}: „{title}“"), b)
        }
        (mail::IDEA_SUBMITTED, Lang::En) => {
            let unit = prepared.unit_name.as_deref().unwrap_or("your unit");
            let mut b = format!("Hello,\n\na new idea has arrived for \"{unit}\": \"{title}\".\n");
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nSee the idea: {link}\n"));
            }
            b.push_str(
                "\nYou receive this message as a lead of the unit. \
                 You can turn idea notifications off in your account.\n",
            );
            (format!("New idea for {unit}: \"{title}\""), b)
        }
        (mail::ROUND_OPENED, Lang::De) => {
            let mut b = format!(
                "Guten Tag,\n\ndie Befragung „{title}“ ist geöffnet. Ihre Antworten werden anonym ausgewertet.\n"
            );
            if let Some(u) = public_url {
                b.push_str(&format!("\nZur Befragung: {u}/survey/{}\n", message.subject_id));
            }
            (format!("Befragung geöffnet: „{title}“"), b)
        }
        (mail::ROUND_OPENED, Lang::En) => {
            let mut b = format!("Hello,\n\nthe survey \"{title}\" is open. Your answers are evaluated anonymously.\n");
            if let Some(u) = public_url {
                b.push_str(&format!("\nTake part: {u}/survey/{}\n", message.subject_id));
            }
            (format!("Survey open: \"{title}\""), b)
        }
        (mail::ROUND_REMINDER, Lang::De) => {
            let when =
                p.at.map(|t| t.format("%d.%m.%Y %H:%M UTC").to_string())
                    .unwrap_or_default();
            let mut b = format!("Guten Tag,\n\ndie Befragung „{title}“ endet am {when}.");
            if let Some(u) = public_url {
                b.push_str(&format!(" Zur Befragung: {u}/survey/{}", message.subject_id));
            }
            b.push_str(
                "\n\nIhre Antworten werden anonym ausgewertet. Diese Erinnerung erhalten nur Personen, \
                 die noch nicht teilgenommen haben; wer das ist, kann niemand einsehen.\n",
            );
            (format!("Erinnerung: Befragung „{title}“ endet bald"), b)
        }
        (mail::ROUND_REMINDER, Lang::En) => {
            let when =
                p.at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default();
            let mut b = format!("Hello,\n\nthe survey \"{title}\" closes on {when}.");
            if let Some(u) = public_url {
                b.push_str(&format!(" Take part: {u}/survey/{}", message.subject_id));
            }
            b.push_str(
                "\n\nYour answers are evaluated anonymously. Only people who have not taken part get this \
                 reminder; nobody can see who they are.\n",
            );
            (format!("Reminder: the survey \"{title}\" closes soon"), b)
        }
        (mail::IDEA_STUCK, Lang::De) => {
            let stage = status_label(p.status.as_deref(), lang);
            let since = p.at.map(|t| t.format("%d.%m.%Y").to_string()).unwrap_or_default();
            let unit = prepared.unit_name.as_deref().unwrap_or("Ihre Einheit");
            let mut b = format!("Guten Tag,\n\ndie Idee „{title}“ ({unit}) steht seit dem {since} im Stand {stage}.\n");
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nZur Idee: {link}\n"));
            }
            b.push_str(
                "\nSie erhalten diese Nachricht als Leitung der Einheit. \
                 Benachrichtigungen zu Ideen können Sie in Ihrem Konto abschalten.\n",
            );
            (format!("Idee wartet: „{title}“"), b)
        }
        (mail::IDEA_STUCK, Lang::En) => {
            let stage = status_label(p.status.as_deref(), lang);
            let since = p.at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
            let unit = prepared.unit_name.as_deref().unwrap_or("your unit");
            let mut b =
                format!("Hello,\n\nthe idea \"{title}\" ({unit}) has been at the stage {stage} since {since}.\n");
            if let Some(link) = &idea_link {
                b.push_str(&format!("\nSee the idea: {link}\n"));
            }
            b.push_str(
                "\nYou receive this message as a lead of the unit. \
                 You can turn idea notifications off in your account.\n",
            );
            (format!("Idea waiting: \"{title}\""), b)
        }
        _ => return None,
    };
    body.push_str(&format!("\n-- \n{org} · Kaizen\n"));
    Some(Text { subject, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::mail::MailPayload;

    fn message(kind: &str) -> MailMessage {
        let now = crate::db::now();
        MailMessage {
            id: "m1".into(),
            org_id: "o".into(),
            kind: kind.into(),
            subject_id: "i1".into(),
            payload: String::new(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
            dedupe_key: None,
        }
    }

    fn prepared() -> Prepared {
        Prepared {
            recipients: Vec::new(),
            payload: MailPayload {
                title: "Online-Termine".into(),
                status: Some("rejected".into()),
                previous_status: Some("submitted".into()),
                reason: Some("Bereits umgesetzt".into()),
                at: None,
            },
            unit_name: Some("Bürgeramt".into()),
            organization: "Stadt Beispiel".into(),
        }
    }

    #[test]
    fn a_rejection_carries_the_reason_in_both_languages() {
        let m = message(mail::IDEA_STATUS_CHANGED);
        let de = compose(&m, &prepared(), Lang::De, Some("https://k.example")).unwrap_or_else(|| panic!());
        assert!(de.subject.contains("Abgelehnt"), "{de:?}");
        assert!(de.body.contains("Begründung:\nBereits umgesetzt"), "{de:?}");
        assert!(de.body.contains("https://k.example/ideas/i1"), "{de:?}");
        let en = compose(&m, &prepared(), Lang::En, None).unwrap_or_else(|| panic!());
        assert!(en.subject.contains("Rejected"), "{en:?}");
        assert!(en.body.contains("Reason:\nBereits umgesetzt"), "{en:?}");
    }

    #[test]
    fn unknown_kinds_make_no_mail() {
        assert!(compose(&message("x.y"), &prepared(), Lang::De, None).is_none());
    }
}
