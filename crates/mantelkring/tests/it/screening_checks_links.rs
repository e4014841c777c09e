//! Single-use check links through HTTP: a professional sends one (e-mail through the job queue),
//! the caregiver fills in the check without an account, saving half-way keeps the link usable,
//! completing uses it up (it cannot be used again), an expired link cannot be used, an unknown
//! link is a clear 404; every access leaves a NEN 7513 record with purpose `single_use_link` and
//! the caregiver as subject. On SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

use crate::accounts::wait_for_mail;
use crate::identity::email_of;
use crate::screening_checks::{CSI_SEVEN, demo_on, location, text};
use mantelkring_core::base::Role;
use mantelkring_store::Store;
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

/// A browser without an account: its own cookies (CSRF), a fresh token from `path`'s form.
struct Anonymous<'a> {
    app: &'a crate::support::TestApp,
    client: reqwest::Client,
}

impl<'a> Anonymous<'a> {
    fn new(app: &'a crate::support::TestApp) -> Anonymous<'a> {
        Anonymous {
            app,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.unwrap()
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let html = self.get("/").await.text().await.unwrap();
        let token = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let mut form = fields.to_vec();
        form.push(("csrf", &token));
        self.client
            .post(self.app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

/// The link in the newest e-mail to `to`: `/vragenlijst/<64 hex>`.
async fn link_in_mail(app: &crate::support::TestApp, to: &str, skip: &[String]) -> String {
    for _ in 0..100 {
        let mail = wait_for_mail(app, to, "/vragenlijst/").await;
        let start = mail.find("/vragenlijst/").unwrap();
        let path = mail[start..start + "/vragenlijst/".len() + 64].to_string();
        if !skip.contains(&path) {
            return path;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no new link to {to}");
}

/// (action, outcome, subject, detail) of the link records, oldest first.
async fn link_records(store: &Store) -> Vec<(String, String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT action, outcome, subject_person_id, detail FROM audit_log \
         WHERE purpose = 'single_use_link' ORDER BY seq",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

async fn link_row(store: &Store, link_id: &str) -> (Option<i64>, Option<String>) {
    sqlx::query_as("SELECT used_at, check_id FROM screening_links WHERE id = $1")
        .bind(link_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Every CSI answer on one form.
fn all_answers(action: &str) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = CSI_SEVEN
        .iter()
        .enumerate()
        .map(|(n, a)| (format!("v{}", n + 1), a.to_string()))
        .collect();
    form.push(("weergave".into(), "lijst".into()));
    form.push(("actie".into(), action.into()));
    form
}

fn refs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_single_use_link_works_once_and_never_after_it_expired() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let store = &d.app.store;
        let marieke = d.browser_as(Role::Professional).await;
        let ria_email = email_of(Role::Caregiver);

        // Marieke sends Ria a link to her own address (the default).
        let html = text(marieke.get(&d.path("")).await).await;
        assert!(html.contains("id=\"link-aan-mantelzorger\" name=\"aan\" type=\"radio\" value=\"mantelzorger\" checked"));
        let r = marieke
            .post(
                &d.path("links"),
                &[("lijst", "csi"), ("aan", "mantelzorger")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(
            location(&r),
            format!("{}?gedaan=verstuurd#link-sturen", d.path(""))
        );
        let link = link_in_mail(&d.app, ria_email, &[]).await;
        let mail = wait_for_mail(&d.app, ria_email, &link).await;
        assert!(mail.contains("Beste Ria"), "{mail}");
        assert!(mail.contains("Marieke Jansen vraagt u"));
        assert!(mail.contains("maar één keer") || mail.contains("maar =C3=A9=C3=A9n keer"));
        // Only the SHA-256 of the token is stored.
        let token = link.rsplit('/').next().unwrap();
        let (link_id, hash, sent_to): (String, String, String) =
            sqlx::query_as("SELECT id, token_hash, sent_to FROM screening_links")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(hash, mantelkring_core::identity::token_hash(token));
        assert_ne!(hash, token);
        assert_eq!(sent_to, ria_email);
        let html = text(marieke.get(&d.path("")).await).await;
        assert!(
            html.contains("Nog niet gebruikt"),
            "{be:?}: the link is listed"
        );

        // Ria, without logging in: the welcome page, then the questions.
        let ria = Anonymous::new(&d.app);
        let r = ria.get(&link).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Marieke Jansen vraagt u deze vragenlijst in te vullen"));
        assert!(html.contains("Er zijn 13 vragen"));
        let r = ria
            .post(&format!("{link}/beginnen"), &[("weergave", "stap")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("{link}?weergave=stap&vraag=1"));
        let html = text(ria.get(&location(&r)).await).await;
        assert!(html.contains("Vraag 1 van 13") && html.contains("Mijn nachtrust is verstoord"));
        // Half-way: three answers, then "save and carry on later".
        for n in 1..=3 {
            let (q, field) = (n.to_string(), format!("v{n}"));
            let r = ria
                .post(
                    &link,
                    &[
                        ("weergave", "stap"),
                        ("vraag", &q),
                        (&field, CSI_SEVEN[n - 1]),
                        ("actie", "volgende"),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?} {n}");
        }
        let r = ria
            .post(
                &link,
                &[("weergave", "stap"), ("vraag", "4"), ("actie", "opslaan")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(text(r).await.contains("Uw antwoorden zijn bewaard"));
        assert_eq!(link_row(store, &link_id).await.0, None, "still usable");
        // Later, the same link: where she left off.
        let later = Anonymous::new(&d.app);
        let html = text(later.get(&link).await).await;
        assert!(html.contains("Vraag 4 van 13"), "{be:?}");
        // An incomplete completion is refused and does not use the link up.
        let r = later
            .post(
                &link,
                &[("weergave", "stap"), ("vraag", "4"), ("actie", "afronden")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(
            text(r)
                .await
                .contains("Nog open: vraag 4, 5, 6, 7, 8, 9, 10, 11, 12 en 13.")
        );
        assert_eq!(link_row(store, &link_id).await.0, None);
        // Complete: the result at once, the link used in the same transaction.
        let form = all_answers("afronden");
        let r = later.post(&link, &refs(&form)).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Uw uitslag") && html.contains("7 van de 13"));
        assert!(html.contains("Tekenen van overbelasting"));
        assert!(html.contains("Praat erover met iemand"));
        assert!(html.contains("Marieke Jansen, die u deze vragenlijst stuurde"));
        let (used_at, check_id) = link_row(store, &link_id).await;
        assert!(used_at.is_some(), "{be:?}: used");
        let (mode, score, status, by): (String, Option<i64>, String, Option<String>) =
            sqlx::query_as(
                "SELECT mode, score, status, entered_by_user_id FROM screening_checks WHERE id = $1",
            )
            .bind(check_id.as_deref().unwrap())
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            (mode.as_str(), score, status.as_str(), by),
            ("link", Some(7), "complete", None)
        );
        let (signals,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM signals WHERE network_id = $1 AND rule = 'score_high'",
        )
        .bind(&d.network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(signals, 1, "the signal is there at once");

        // Used: never again, not to read, not to answer, not to complete.
        for b in [&ria, &later] {
            let r = b.get(&link).await;
            assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
            assert!(text(r).await.contains("Deze link is al gebruikt"));
        }
        let r = later.post(&link, &refs(&form)).await;
        assert_eq!(r.status(), StatusCode::GONE);
        let r = later.post(&format!("{link}/beginnen"), &[]).await;
        assert_eq!(r.status(), StatusCode::GONE);
        let (checks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM screening_checks")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(checks, 1, "{be:?}: nothing new");
        // The professional sees it as a check through a link.
        let html = text(marieke.get(&d.path("")).await).await;
        assert!(html.contains("Gebruikt: de lijst is ingevuld op"), "{be:?}");
        assert!(html.contains("7 van de 13") && html.contains("via een link"));

        // The records: each access, the caregiver as subject, the refusals with their reason.
        let records = link_records(store).await;
        assert!(
            records
                .iter()
                .all(
                    |(_, _, subject, detail)| subject.as_deref() == Some(d.ria.as_str())
                        && detail.contains(&format!("screening_link={link_id}"))
                ),
            "{records:?}"
        );
        let count = |action: &str, outcome: &str| {
            records
                .iter()
                .filter(|(a, o, ..)| a == action && o == outcome)
                .count()
        };
        assert_eq!(count("read", "success"), 3, "{records:?}");
        assert_eq!(count("create", "success"), 1);
        assert_eq!(
            count("update", "success"),
            6,
            "3 steps, save, incomplete, complete"
        );
        assert_eq!(count("read", "denied"), 2);
        assert_eq!(count("update", "denied") + count("create", "denied"), 2);
        assert!(
            records
                .iter()
                .filter(|(_, o, ..)| o == "denied")
                .all(|(.., detail)| detail.ends_with("link_used"))
        );
        // Nobody logged in: no user in these records.
        let (with_user,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE purpose = 'single_use_link' AND user_id IS NOT NULL",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(with_user, 0);

        // A second link, to another address, that expires before it is finished.
        let r = marieke
            .post(
                &d.path("links"),
                &[
                    ("lijst", "csi"),
                    ("aan", "ander"),
                    ("email", "Ria.Prive@Example.org"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let second = link_in_mail(&d.app, "ria.prive@example.org", &[]).await;
        let anyone = Anonymous::new(&d.app);
        anyone
            .post(&format!("{second}/beginnen"), &[("weergave", "lijst")])
            .await;
        let r = anyone.post(&second, &refs(&all_answers("opslaan"))).await;
        assert_eq!(r.status(), StatusCode::OK, "saved, not completed");
        let (second_id,): (String,) = sqlx::query_as(
            "SELECT id FROM screening_links WHERE sent_to = 'ria.prive@example.org'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE screening_links SET expires_at = $2 WHERE id = $1")
            .bind(&second_id)
            .bind(mantelkring_core::time::now_ms() - 1000)
            .execute(store.pool())
            .await
            .unwrap();
        let r = anyone.get(&second).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Deze link is verlopen"));
        assert!(html.contains("Vraag Marieke Jansen om een nieuwe link"));
        let r = anyone.post(&second, &refs(&all_answers("afronden"))).await;
        assert_eq!(r.status(), StatusCode::GONE);
        let (used, check): (Option<i64>, Option<String>) = link_row(store, &second_id).await;
        assert_eq!(used, None);
        let (status,): (String,) =
            sqlx::query_as("SELECT status FROM screening_checks WHERE id = $1")
                .bind(check.unwrap())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(status, "draft", "{be:?}: an expired link completes nothing");
        // The store's guard itself: an expired link is never marked used.
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            !mantelkring_store::screening::links::mark_used(
                &mut tx,
                &second_id,
                mantelkring_core::time::now_ms()
            )
            .await
            .unwrap()
        );
        assert!(
            !mantelkring_store::screening::links::mark_used(
                &mut tx,
                &link_id,
                mantelkring_core::time::now_ms()
            )
            .await
            .unwrap(),
            "nor a used one again"
        );
        tx.commit().await.unwrap();
        let expired = link_records(store)
            .await
            .into_iter()
            .filter(|(_, o, _, detail)| o == "denied" && detail.ends_with("link_expired"))
            .count();
        assert_eq!(expired, 2);

        // An unknown link: a clear 404, logged without a subject.
        for path in [
            format!("/vragenlijst/{}", "0".repeat(64)),
            "/vragenlijst/onbekend".to_string(),
        ] {
            let r = anyone.get(&path).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(text(r).await.contains("Deze link kennen we niet"));
            let r = anyone.post(&path, &[("v1", "ja")]).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
        }
        let (unknown,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE purpose = 'single_use_link' AND outcome = 'denied' \
             AND detail = 'link_unknown' AND subject_person_id IS NULL",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(unknown, 4);
    }
}

#[tokio::test]
async fn sending_a_link_needs_a_professional_and_a_good_address() {
    let d = demo_on(TestDatabase::sqlite()).await;
    let marieke = d.browser_as(Role::Professional).await;
    let r = marieke
        .post(
            &d.path("links"),
            &[("lijst", "csi"), ("aan", "ander"), ("email", "geen-adres")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = text(r).await;
    assert!(html.contains("Vul een e-mailadres in zoals naam@voorbeeld.nl"));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"geen-adres\""), "kept");
    let r = marieke
        .post(
            &d.path("links"),
            &[("lijst", "zarit"), ("aan", "mantelzorger")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("Deze vragenlijst kennen we niet"));
    let (links,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM screening_links")
        .fetch_one(d.app.store.pool())
        .await
        .unwrap();
    assert_eq!(links, 0, "nothing written");
    // The caregiver herself has no link form, and may not send one.
    let ria = d.browser_as(Role::Caregiver).await;
    assert!(
        !text(ria.get(&d.path("")).await)
            .await
            .contains("Een link sturen")
    );
    let r = ria
        .post(
            &d.path("links"),
            &[("lijst", "csi"), ("aan", "mantelzorger")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
