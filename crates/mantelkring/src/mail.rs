//! Sending e-mail with lettre: SMTP in production, `.eml` files in development and tests.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mantelkring_core::jobs::EmailJob;
use std::path::PathBuf;

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Why a message was not sent. A permanent error will not get better by trying again.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("permanent: {0}")]
    Permanent(String),
    #[error("{0}")]
    Transient(String),
}

#[derive(Clone)]
pub struct MailSettings {
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub from: Mailbox,
}

impl Mailer {
    /// SMTP when `smtp_url` is set, otherwise `.eml` files in `mail_dir` (created if needed).
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        match &settings.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Mailer::Smtp(b.build()))
                .map_err(|e| format!("ongeldige MANTELKRING_SMTP_URL: {e} / invalid SMTP URL")),
            None => {
                mantelkring_store::ensure_writable_dir(&settings.mail_dir)
                    .map_err(|e| e.to_string())?;
                Ok(Mailer::Files(
                    AsyncFileTransport::new(&settings.mail_dir),
                    settings.mail_dir.clone(),
                ))
            }
        }
    }

    pub async fn send(&self, from: &Mailbox, job: &EmailJob) -> Result<(), MailError> {
        let to: Mailbox = job
            .to
            .parse()
            .map_err(|e| MailError::Permanent(format!("ongeldig e-mailadres '{}': {e}", job.to)))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(job.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(job.body_text.clone())
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        match self {
            Mailer::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    MailError::Permanent(e.to_string())
                } else {
                    MailError::Transient(e.to_string())
                }
            }),
            Mailer::Files(files, _) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Transient(e.to_string())),
        }
    }
}
