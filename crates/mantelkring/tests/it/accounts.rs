//! Account links and the second-factor set-up, end to end with real e-mail files.

use crate::identity::{Browser, count, demo_app, email_of, unix_now};
use crate::support::TestApp;
use mantelkring::demo::DEMO_PASSWORD;
use mantelkring_core::base::Role;
use mantelkring_core::identity::{token_hash, totp};
use mantelkring_store::identity::{self, LinkPurpose};
use reqwest::StatusCode;
use std::time::Duration;

/// Waits for an e-mail to `to` whose text contains `needle`, and returns its decoded text.
pub async fn wait_for_mail(app: &TestApp, to: &str, needle: &str) -> String {
    for _ in 0..100 {
        if let Ok(entries) = std::fs::read_dir(&app.config.mail_dir) {
            for entry in entries.flatten() {
                let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
                // Undo quoted-printable soft line breaks and escaped '='.
                let text = raw
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
                if text.contains(&format!("To: {to}")) && text.contains(needle) {
                    return text;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no e-mail to {to} containing {needle:?}");
}

pub fn link_token(mail: &str, path: &str) -> String {
    let start = mail.find(&format!("{path}?token=")).expect("link in mail") + path.len() + 7;
    mail[start..start + 64].to_string()
}

const NEW_PASSWORD: &str = "zonnebloem kapstok fietsbel";

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_single_use_link() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    let jobs_before = count(&app.store, "jobs WHERE kind = 'email'").await;
    // An unknown address gets the same answer, and no e-mail.
    let r = b
        .post(
            "/wachtwoord-vergeten",
            &[("email", "onbekend@demo.mantelkring.nl")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let unknown_answer = r.text().await.unwrap();
    assert_eq!(
        count(&app.store, "jobs WHERE kind = 'email'").await,
        jobs_before
    );

    let r = b
        .post(
            "/wachtwoord-vergeten",
            &[("email", email_of(Role::Caregiver))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Als dit adres bij ons bekend is")
    );
    assert!(unknown_answer.contains("Als dit adres bij ons bekend is"));
    let mail = wait_for_mail(
        &app,
        email_of(Role::Caregiver),
        "/wachtwoord-instellen?token=",
    )
    .await;
    let token = link_token(&mail, "/wachtwoord-instellen");

    assert_eq!(
        b.get(&format!("/wachtwoord-instellen?token={token}"))
            .await
            .status(),
        StatusCode::OK
    );
    // A weak password and a mismatch are refused, and the link stays usable.
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", "wachtwoord123"),
                ("herhaling", "wachtwoord123"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("te makkelijk te raden"));
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", NEW_PASSWORD),
                ("herhaling", "iets anders"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", NEW_PASSWORD),
                ("herhaling", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Uw wachtwoord is opgeslagen")
    );

    // The new password works, the old one not, and the link works only once.
    assert_eq!(
        Browser::new(&app)
            .login(email_of(Role::Caregiver), DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        Browser::new(&app)
            .login(email_of(Role::Caregiver), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", NEW_PASSWORD),
                ("herhaling", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Deze link werkt niet meer")
    );
}

#[tokio::test]
async fn an_expired_or_made_up_link_is_refused_and_changes_nothing() {
    let (app, _) = demo_app().await;
    let user = mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Caregiver))
        .await
        .unwrap()
        .unwrap();
    let token = "a".repeat(64);
    let mut tx = app.store.begin_write().await.unwrap();
    let half_an_hour_ago = mantelkring_core::time::now_ms() - 31 * 60 * 1000;
    identity::create_link(
        &mut tx,
        &token_hash(&token),
        &user.id,
        LinkPurpose::PasswordReset,
        half_an_hour_ago,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let b = Browser::new(&app);
    assert_eq!(
        b.get(&format!("/wachtwoord-instellen?token={token}"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", NEW_PASSWORD),
                ("herhaling", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        b.get("/wachtwoord-instellen?token=kort").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        Browser::new(&app)
            .login(email_of(Role::Caregiver), DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "password unchanged"
    );
}

#[tokio::test]
async fn a_caregiver_registers_and_confirms_her_e_mail_address() {
    let app = TestApp::sqlite().await;
    let b = Browser::new(&app);
    let users_before = count(&app.store, "users").await;
    let r = b
        .post(
            "/registreren",
            &[
                ("naam", "Joke Bos"),
                ("email", "joke@voorbeeld.nl"),
                ("wachtwoord", "joke1234567"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "weak password");
    let r = b
        .post(
            "/registreren",
            &[
                ("naam", ""),
                ("email", "joke@voorbeeld.nl"),
                ("wachtwoord", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no name");
    assert_eq!(
        count(&app.store, "users").await,
        users_before,
        "nothing written for bad input"
    );

    let r = b
        .post(
            "/registreren",
            &[
                ("naam", "Joke Bos"),
                ("email", "Joke@Voorbeeld.nl"),
                ("wachtwoord", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mail = wait_for_mail(&app, "joke@voorbeeld.nl", "/email-bevestigen?token=").await;
    let token = link_token(&mail, "/email-bevestigen");
    // Opening the link confirms nothing by itself (mail scanners open links); the button does.
    assert_eq!(
        b.get(&format!("/email-bevestigen?token={token}"))
            .await
            .status(),
        StatusCode::OK
    );
    let (verified,): (Option<i64>,) =
        sqlx::query_as("SELECT email_verified_at FROM users WHERE email = 'joke@voorbeeld.nl'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(verified.is_none());
    assert_eq!(
        b.post("/email-bevestigen", &[("token", &token)])
            .await
            .status(),
        StatusCode::OK
    );
    let (verified,): (Option<i64>,) =
        sqlx::query_as("SELECT email_verified_at FROM users WHERE email = 'joke@voorbeeld.nl'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(verified.is_some());

    // Registering again with the same address reveals nothing, creates nothing, and tells the owner.
    let other = Browser::new(&app);
    let r = other
        .post(
            "/registreren",
            &[
                ("naam", "Iemand Anders"),
                ("email", "joke@voorbeeld.nl"),
                ("wachtwoord", "paraplu zonnebril kapstok"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(count(&app.store, "users").await, users_before + 1);
    wait_for_mail(&app, "joke@voorbeeld.nl", "U heeft al een account").await;
    // She can log in; she is a caregiver.
    assert_eq!(
        Browser::new(&app)
            .login("joke@voorbeeld.nl", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn staff_without_a_second_factor_set_it_up_at_login_and_get_recovery_codes() {
    let (app, _) = demo_app().await;
    sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE email = $1")
        .bind(email_of(Role::Administrator))
        .execute(app.store.pool())
        .await
        .unwrap();
    let b = Browser::new(&app);
    let r = b.login(email_of(Role::Administrator), DEMO_PASSWORD).await;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/tweestaps-instellen")
    );
    // The code page also sends her to the set-up while she has none.
    let r = b.get("/inloggen/code").await;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/tweestaps-instellen")
    );

    let html = b
        .get("/inloggen/tweestaps-instellen")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg role=\"img\" aria-label=\"QR-code voor uw authenticator-app\""));
    let secret: String = html
        .split("mk-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace(' ', "");
    let bytes = totp::decode_secret(&secret).expect("a base32 secret on the page");
    // Reloading shows the same pending secret.
    assert!(
        b.get("/inloggen/tweestaps-instellen")
            .await
            .text()
            .await
            .unwrap()
            .contains(&html.split("mk-secret\">").nth(1).unwrap()[..10])
    );

    let r = b
        .post("/inloggen/tweestaps-instellen", &[("code", "123456")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "a wrong code does not enable it"
    );
    let code = format!("{:06}", totp::code_at(&bytes, unix_now()));
    let r = b
        .post("/inloggen/tweestaps-instellen", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let codes: Vec<String> = page
        .split("<li><code class=\"mk-code\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(
        b.get("/account")
            .await
            .text()
            .await
            .unwrap()
            .contains("Gedaan in deze sessie")
    );

    // Next login asks for the code; a recovery code works once.
    let again = Browser::new(&app);
    let r = again
        .login(email_of(Role::Administrator), DEMO_PASSWORD)
        .await;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/code")
    );
    assert_eq!(
        again
            .post("/inloggen/code", &[("code", &codes[3])])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let third = Browser::new(&app);
    third
        .login(email_of(Role::Administrator), DEMO_PASSWORD)
        .await;
    assert_eq!(
        third
            .post("/inloggen/code", &[("code", &codes[3])])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}
