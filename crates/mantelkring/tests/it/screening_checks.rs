//! Burden checks through HTTP, on the demo region (Ria's kring: Marieke, professional with every
//! category including checks; Sanne, her daughter, with agenda and messages only): scoring as
//! computed by hand, an incomplete check not scored, saving half-way and continuing, the history
//! chart, who may NOT see a score, and the FHIR Questionnaire and QuestionnaireResponse checked by
//! tests/fhir/validate.py. The single-use links are in screening_checks_links.rs. The main
//! scenarios run on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.

use crate::identity::{Browser, email_of};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, base};
use reqwest::StatusCode;
use serde_json::Value;

/// The demo on one database: the app, Ria's person id and her network's id.
pub struct Demo {
    pub app: TestApp,
    pub ria: String,
    pub network: String,
}

pub async fn demo_on(db: TestDatabase) -> Demo {
    let app = TestApp::on(db).await;
    let seeded = demo::seed(&app.store).await.unwrap();
    crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
    // The worker evaluates the signals at start (and again after its unfilled pass); wait for
    // that, or a pass that read the demo's checks could raise their signals after the clean-up.
    crate::support::settle_start_up_jobs(&app.store).await;
    // The demo may come with checks, links and signals of its own; these tests count theirs.
    for table in [
        "signal_events",
        "signals",
        "screening_links",
        "screening_checks",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let mut conn = app.store.pool().acquire().await.unwrap();
    let network = network::network_of(&mut conn, &seeded.caregiver_person_id)
        .await
        .unwrap();
    drop(conn);
    Demo {
        app,
        ria: seeded.caregiver_person_id,
        network,
    }
}

impl Demo {
    pub fn path(&self, rest: &str) -> String {
        if rest.is_empty() {
            format!("/kringen/{}/signaleren", self.network)
        } else {
            format!("/kringen/{}/signaleren/{rest}", self.network)
        }
    }

    pub async fn browser_as(&self, role: Role) -> Browser<'_> {
        let b = Browser::new(&self.app);
        b.login_as(role).await;
        b
    }
}

pub async fn user_id(store: &Store, email: &str) -> String {
    base::find_user_by_email(store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

pub async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Starts a check of `instrument` as `b`; returns the check's page (without the query).
pub async fn start(d: &Demo, b: &Browser<'_>, instrument: &str, view: &str) -> String {
    let r = b
        .post(
            &d.path("checks"),
            &[("lijst", instrument), ("weergave", view)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "start {instrument}");
    let to = location(&r);
    assert!(to.starts_with(&d.path("checks/")), "{to}");
    to.split('?').next().unwrap().to_string()
}

/// Every answer on one form (the list), numbered v1…vN.
pub fn list_form<'a>(answers: &'a [&'a str], action: &'a str) -> Vec<(String, &'a str)> {
    let mut form: Vec<(String, &str)> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.is_empty())
        .map(|(n, a)| (format!("v{}", n + 1), *a))
        .collect();
    form.push(("weergave".into(), "lijst"));
    form.push(("actie".into(), action));
    form
}

pub async fn post_owned(b: &Browser<'_>, path: &str, form: &[(String, &str)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    b.post(path, &fields).await
}

/// (status, score, completed) of a check.
async fn stored(store: &Store, check_path: &str) -> (String, Option<i64>, Option<i64>, String) {
    let id = check_path.rsplit('/').next().unwrap();
    sqlx::query_as(
        "SELECT status, score, completed_at, answers FROM screening_checks WHERE id = $1",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

/// The CSI answers of a caregiver with 7 times "ja": items 1, 2, 3, 5, 8, 9 and 12.
pub const CSI_SEVEN: [&str; 13] = [
    "ja", "ja", "ja", "nee", "ja", "nee", "nee", "ja", "ja", "nee", "nee", "ja", "nee",
];

#[tokio::test]
async fn completing_a_check_scores_it_as_computed_by_hand() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let ria = d.browser_as(Role::Caregiver).await;
        // The caregiver's menu entry takes her to her own network's Signaleren page.
        let home = text(ria.get("/").await).await;
        assert!(home.contains("href=\"/hoe-gaat-het\""), "{be:?}");
        let r = ria.get("/hoe-gaat-het").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), d.path(""));
        let html = text(ria.get(&d.path("")).await).await;
        assert!(html.contains("Hoe gaat het met u?"), "{be:?}");
        assert!(html.contains("Nog niet ingevuld"));
        assert!(
            html.contains("aria-current=\"page\">Signaleren</a>"),
            "the tab"
        );

        // CSI: 7 × ja = 7, the first score of the "high" band (7–13, Robinson 1983).
        let check = start(&d, &ria, "csi", "lijst").await;
        let r = post_owned(&ria, &check, &list_form(&CSI_SEVEN, "afronden")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(location(&r), check);
        let (status, score, completed, _) = stored(&d.app.store, &check).await;
        assert_eq!((status.as_str(), score), ("complete", Some(7)), "{be:?}");
        assert!(completed.is_some());
        let html = text(ria.get(&check).await).await;
        assert!(html.contains("Uw uitslag"), "{be:?}");
        assert!(html.contains("7 van de 13"));
        assert!(html.contains("Tekenen van overbelasting"));
        assert!(html.contains("Robinson 1983"), "the source");
        assert!(
            html.contains("Praat erover met iemand"),
            "a high score: talk to someone"
        );
        assert!(
            html.contains("Marieke Jansen"),
            "someone in her kring to talk to"
        );
        assert!(html.contains("href=\"/kaart?soort=mantelzorgconsulent\""));
        assert!(html.contains("href=\"/kaart?soort=respijtzorg\""));
        // The signal rules ran in the same transaction: a signal for this check.
        let (signals,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM signals WHERE network_id = $1 AND rule = 'score_high' AND cause = $2",
        )
        .bind(&d.network)
        .bind(format!("score_high:{}", check.rsplit('/').next().unwrap()))
        .fetch_one(d.app.store.pool())
        .await
        .unwrap();
        assert_eq!(signals, 1, "{be:?}: the signal is there at once");

        // CSI: 6 × ja = 6, the highest score of the "low" band; no "talk to someone" step.
        let mut six = CSI_SEVEN;
        six[0] = "nee";
        let low = start(&d, &ria, "csi", "lijst").await;
        let r = post_owned(&ria, &low, &list_form(&six, "afronden")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&d.app.store, &low).await.1, Some(6));
        let html = text(ria.get(&low).await).await;
        assert!(html.contains("6 van de 13") && html.contains("Geen tekenen van overbelasting"));
        assert!(!html.contains("Praat erover met iemand"));
        assert!(html.contains("Lager dan de vorige keer (7 op"), "the trend");
        assert!(html.contains("href=\"/kaart?soort=lotgenotencontact\""));

        // EDIZ with every answer option: Nee! 0, Nee 0, Min of meer 1, Ja 1, Ja! 1 → 5.
        let ediz = start(&d, &ria, "ediz", "lijst").await;
        let answers = [
            "nee!",
            "nee",
            "min-of-meer",
            "ja",
            "ja!",
            "nee",
            "ja",
            "nee!",
            "min-of-meer",
        ];
        let r = post_owned(&ria, &ediz, &list_form(&answers, "afronden")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&d.app.store, &ediz).await.1, Some(5), "{be:?}");
        let html = text(ria.get(&ediz).await).await;
        assert!(html.contains("5 van de 9"));
        assert!(html.contains("Voor deze lijst van 9 vragen is geen vastgestelde grens bekend"));
        assert!(html.contains("Pot AM"), "the source");
        assert!(
            !html.contains("Praat erover met iemand"),
            "no invented cut-off"
        );

        // The Signaleren page: the latest score per instrument, its band or the note, the trend.
        let html = text(ria.get(&d.path("")).await).await;
        assert!(
            html.contains("6 van de 13") && html.contains("5 van de 9"),
            "{be:?}"
        );
        assert!(html.contains("Geen tekenen van overbelasting"));
        assert!(html.contains("aria-hidden=\"true\">↓</span>"));
        assert!(html.contains("CSI opnieuw invullen"));
        assert!(html.contains(&format!("href=\"{}\"", d.path("signalen"))));
        assert!(html.contains(&format!("href=\"{}\"", d.path("contact"))));
        // A complete check cannot be changed: a form sent to it goes to its result.
        let r = post_owned(&ria, &ediz, &list_form(&["nee"; 9], "afronden")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(&d.app.store, &ediz).await.1, Some(5));
    }
}

#[tokio::test]
async fn an_incomplete_check_is_not_scored() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        let check = start(&d, &ria, "csi", "lijst").await;
        let mut twelve = CSI_SEVEN;
        twelve[12] = "";
        twelve[3] = "";
        let r = post_owned(&ria, &check, &list_form(&twelve, "afronden")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let html = text(r).await;
        assert!(
            html.contains("U heeft nog niet alle vragen beantwoord. Nog open: vraag 4 en 13."),
            "{html}"
        );
        assert!(html.contains("Alleen een lijst met een antwoord op elke vraag krijgt een score"));
        assert!(
            html.contains("id=\"vraag-4-fout\""),
            "the open question is marked"
        );
        assert!(html.contains("href=\"#v4-1\""), "the summary links to it");
        let (status, score, completed, answers) = stored(&d.app.store, &check).await;
        assert_eq!(status, "draft");
        assert_eq!((score, completed), (None, None), "not scored");
        assert_eq!(
            answers, "ja,ja,ja,,ja,nee,nee,ja,ja,nee,nee,ja,",
            "but saved"
        );
        // One question per screen: the message, on the first open question.
        let r = ria
            .post(
                &check,
                &[("weergave", "stap"), ("vraag", "13"), ("actie", "afronden")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let html = text(r).await;
        assert!(html.contains("Vraag 4 van 13"), "{html}");
        assert!(html.contains(&format!("href=\"{check}?vraag=4\"")));
        // No result and no FHIR for a draft; no signal.
        assert_eq!(
            ria.get(&format!("{check}/fhir")).await.status(),
            StatusCode::NOT_FOUND
        );
        // (The demo's worker may raise signals of its own meanwhile: count this check's.)
        let check_id = check.rsplit('/').next().unwrap();
        let (signals,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM signals WHERE cause LIKE $1 OR detail LIKE $1")
                .bind(format!("%{check_id}%"))
                .fetch_one(d.app.store.pool())
                .await
                .unwrap();
        assert_eq!(signals, 0);
        // An answer that is not an option: 400, nothing saved.
        let r = ria
            .post(&check, &[("v4", "misschien"), ("actie", "afronden")])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(text(r).await.contains("Dit antwoord kennen we niet"));
        assert_eq!(stored(&d.app.store, &check).await.3, answers);
        // An unknown instrument.
        let r = ria.post(&d.path("checks"), &[("lijst", "zarit")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(text(r).await.contains("Deze vragenlijst kennen we niet"));
    }
}

#[tokio::test]
async fn saving_half_way_and_continuing_one_question_per_screen() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        // Her naaste's name in item 9.
        let mut tx = d.app.store.begin_write().await.unwrap();
        members::add_naaste(
            &mut tx,
            &d.network,
            "Henk",
            "de Vries",
            mantelkring_core::network::Relation::Partner,
            Some(1944),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let check = start(&d, &ria, "csi", "stap").await;
        let html = text(ria.get(&format!("{check}?weergave=stap&vraag=1")).await).await;
        assert!(html.contains("Vraag 1 van 13"));
        assert!(html.contains("Mijn nachtrust is verstoord"));
        assert!(
            !html.contains("Ik vind het lichamelijk zwaar"),
            "one question"
        );
        assert!(html.contains("value=\"volgende\""));
        assert!(
            !html.contains("value=\"vorige\""),
            "no previous on the first"
        );
        for (n, answer) in CSI_SEVEN.iter().take(3).enumerate() {
            let question = (n + 1).to_string();
            let field = format!("v{}", n + 1);
            let r = ria
                .post(
                    &check,
                    &[
                        ("weergave", "stap"),
                        ("vraag", &question),
                        (&field, answer),
                        ("actie", "volgende"),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                location(&r),
                format!("{check}?weergave=stap&vraag={}", n + 2)
            );
        }
        // "Opslaan en later verder" on question 4, with its answer.
        let r = ria
            .post(
                &check,
                &[
                    ("weergave", "stap"),
                    ("vraag", "4"),
                    ("v4", "nee"),
                    ("actie", "opslaan"),
                ],
            )
            .await;
        assert_eq!(location(&r), format!("{}?gedaan=opgeslagen", d.path("")));
        assert_eq!(
            stored(&d.app.store, &check).await.3,
            "ja,ja,ja,nee,,,,,,,,,"
        );

        // Another day, another session: the draft is there, to continue where she left off.
        let again = d.browser_as(Role::Caregiver).await;
        let html = text(again.get(&d.path("")).await).await;
        assert!(html.contains("Nog niet afgemaakt"));
        assert!(html.contains("Beantwoord: 4/13"));
        let continue_href = format!("{check}?vraag=5");
        assert!(
            html.contains(&format!("href=\"{continue_href}\"")),
            "{html}"
        );
        let html = text(again.get(&check).await).await;
        assert!(html.contains("Vraag 5 van 13"), "the first open question");
        // Back to question 2: her answer is still chosen.
        let html = text(again.get(&format!("{check}?vraag=2")).await).await;
        assert!(html.contains("value=\"ja\" checked"), "{html}");
        let r = again
            .post(
                &check,
                &[("weergave", "stap"), ("vraag", "5"), ("actie", "vorige")],
            )
            .await;
        assert_eq!(location(&r), format!("{check}?weergave=stap&vraag=4"));
        // Item 9 names her naaste.
        let html = text(again.get(&format!("{check}?vraag=9")).await).await;
        assert!(html.contains("Het gedrag van Henk maakt me soms van streek"));
        // Switch to the list: answers kept, the choice remembered in a cookie.
        let r = again
            .post(
                &check,
                &[
                    ("weergave", "stap"),
                    ("vraag", "5"),
                    ("v5", "ja"),
                    ("actie", "lijst"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            r.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .starts_with("mk_vragen=lijst")
        );
        let html = text(again.get(&check).await).await;
        assert!(
            html.contains("Ik vind het lichamelijk zwaar")
                && html.contains("We leven onder financiële druk"),
            "the whole list"
        );
        // The rest, one by one, then complete on the last screen.
        for n in 6..=13 {
            let question = n.to_string();
            let field = format!("v{n}");
            let action = if n == 13 { "afronden" } else { "volgende" };
            let r = again
                .post(
                    &check,
                    &[
                        ("weergave", "stap"),
                        ("vraag", &question),
                        (&field, CSI_SEVEN[n - 1]),
                        ("actie", action),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "question {n}");
        }
        let (status, score, _, _) = stored(&d.app.store, &check).await;
        assert_eq!((status.as_str(), score), ("complete", Some(7)));
        let html = text(again.get(&d.path("")).await).await;
        assert!(!html.contains("Nog niet afgemaakt"));
    }
}

#[tokio::test]
async fn a_professional_fills_in_a_check_together_with_the_caregiver() {
    let d = demo_on(TestDatabase::sqlite()).await;
    let marieke = d.browser_as(Role::Professional).await;
    let html = text(marieke.get(&d.path("")).await).await;
    assert!(html.contains("Signaleren"));
    assert!(html.contains("CSI samen invullen"), "{html}");
    assert!(html.contains("Een link sturen"));
    let check = start(&d, &marieke, "csi", "lijst").await;
    let html = text(marieke.get(&check).await).await;
    assert!(html.contains("Samen met Ria de Vries invullen"));
    let r = post_owned(&marieke, &check, &list_form(&CSI_SEVEN, "afronden")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (mode, by): (String, String) =
        sqlx::query_as("SELECT mode, entered_by_user_id FROM screening_checks WHERE id = $1")
            .bind(check.rsplit('/').next().unwrap())
            .fetch_one(d.app.store.pool())
            .await
            .unwrap();
    assert_eq!(mode, "conversation");
    assert_eq!(
        by,
        user_id(&d.app.store, email_of(Role::Professional)).await
    );
    let html = text(marieke.get(&check).await).await;
    assert!(html.contains("Uitslag van Ria de Vries"));
    assert!(html.contains("samen met Marieke Jansen"));
    // Ria sees it too, as hers.
    let ria = d.browser_as(Role::Caregiver).await;
    let html = text(ria.get(&check).await).await;
    assert!(html.contains("Uw uitslag") && html.contains("7 van de 13"));
    // The FHIR response names the professional as author, the caregiver as subject and source.
    let r = marieke.get(&format!("{check}/fhir")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let qr: Value = r.json().await.unwrap();
    assert_eq!(qr["author"]["type"], "Practitioner");
    assert_eq!(qr["author"]["display"], "Marieke Jansen");
    assert_eq!(
        qr["subject"]["reference"],
        format!("RelatedPerson/{}", d.ria)
    );
}

/// A member of the network with `categories`, as Ria would add them (kind and all).
pub async fn add_member(
    d: &Demo,
    email: &str,
    kind: MemberKind,
    categories: &[DataCategory],
) -> String {
    let store = &d.app.store;
    let ria_user = user_id(store, email_of(Role::Caregiver)).await;
    let user = user_id(store, email).await;
    let mut tx = store.begin_write().await.unwrap();
    let consent = network::record_consent(
        &mut tx,
        &d.ria,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        &ria_user,
    )
    .await
    .unwrap();
    let member = members::add(
        &mut tx,
        &NewMember {
            network_id: &d.network,
            user_id: &user,
            organisation_id: None,
            kind,
            field: None,
            role_label: "",
            categories,
            notify: NotifyMode::Off,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: &ria_user,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    member
}

/// Joris de Boer, a professional at Marieke's organisation with a second factor, in another
/// caregiver's network (Gerda's) with every category; logged in. Also used by the signal tests.
pub(crate) async fn professional_elsewhere(app: &TestApp) -> (Browser<'_>, String) {
    use mantelkring_core::identity::totp;
    use mantelkring_store::base::NewPerson;
    const SECRET: &str = "SIGNALERENJORISDEBOERAAAAAAAAAAA";
    let (hash, organisation): (String, String) = sqlx::query_as(
        "SELECT u.password_hash, m.organisation_id FROM users u \
         JOIN memberships m ON m.user_id = u.id WHERE u.email = $1",
    )
    .bind(email_of(Role::Professional))
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
    let gerda = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Gerda",
            family_name: "Smit",
            email: None,
            phone: None,
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap();
    let gerda_network = network::network_of(&mut tx, &gerda).await.unwrap();
    let joris = base::insert_user(
        &mut tx,
        &base::NewUser {
            email: "joris.deboer@demo.mantelkring.nl",
            display_name: "Joris de Boer",
            person_id: None,
            password_hash: Some(&hash),
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    base::add_membership(&mut tx, &joris, &organisation, Role::Professional)
        .await
        .unwrap();
    mantelkring_store::identity::enable_totp(&mut tx, &joris, SECRET)
        .await
        .unwrap();
    let consent = network::record_consent(
        &mut tx,
        &gerda,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Verbal,
        &joris,
    )
    .await
    .unwrap();
    members::add(
        &mut tx,
        &NewMember {
            network_id: &gerda_network,
            user_id: &joris,
            organisation_id: Some(&organisation),
            kind: MemberKind::Professional,
            field: None,
            role_label: "wijkcoach",
            categories: &DataCategory::GRANTABLE,
            notify: NotifyMode::Off,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: &joris,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let b = Browser::new(app);
    let r = b
        .login("joris.deboer@demo.mantelkring.nl", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let code = format!(
        "{:06}",
        totp::code_at(
            &totp::decode_secret(SECRET).unwrap(),
            crate::identity::unix_now()
        )
    );
    let r = b.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "second factor");
    (b, gerda_network)
}

async fn denied(store: &Store, user: &str, purpose: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND user_id = $1 \
         AND data_category = 'checks' AND purpose = $2",
    )
    .bind(user)
    .bind(purpose)
    .fetch_one(store.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn who_may_not_see_a_score() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let ria = d.browser_as(Role::Caregiver).await;
        let check = start(&d, &ria, "csi", "lijst").await;
        let r = post_owned(&ria, &check, &list_form(&CSI_SEVEN, "afronden")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let draft = start(&d, &ria, "ediz", "stap").await;
        let pages = [
            d.path(""),
            check.clone(),
            format!("{check}/fhir"),
            draft.clone(),
            d.path("verloop?lijst=csi"),
        ];
        let posts = [
            (d.path("checks"), vec![("lijst", "csi")]),
            (draft.clone(), vec![("v1", "ja"), ("actie", "opslaan")]),
            (
                d.path("links"),
                vec![
                    ("lijst", "csi"),
                    ("aan", "ander"),
                    ("email", "x@example.org"),
                ],
            ),
        ];

        // Marieke (professional, checks granted, second factor passed) sees it all.
        let marieke = d.browser_as(Role::Professional).await;
        for p in &pages {
            assert_eq!(marieke.get(p).await.status(), StatusCode::OK, "{be:?} {p}");
        }
        assert!(
            text(marieke.get(&check).await)
                .await
                .contains("7 van de 13")
        );

        // Sanne (her daughter; agenda and messages, not checks): 403 and a 'denied' record.
        let sanne = d.browser_as(Role::NetworkMember).await;
        let sanne_id = user_id(&d.app.store, email_of(Role::NetworkMember)).await;
        for p in &pages {
            let r = sanne.get(p).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} sanne {p}");
            assert!(!text(r).await.contains("van de 13"));
        }
        for (p, form) in &posts {
            assert_eq!(
                sanne.post(p, form).await.status(),
                StatusCode::FORBIDDEN,
                "{be:?} sanne POST {p}"
            );
        }
        assert_eq!(
            denied(&d.app.store, &sanne_id, "category_not_granted").await,
            (pages.len() + posts.len()) as i64,
            "{be:?}: every refusal is logged"
        );
        // The tab is not shown to her.
        let agenda = text(sanne.get(&format!("/kringen/{}/agenda", d.network)).await).await;
        assert!(
            !agenda.contains("/signaleren\""),
            "no Signaleren tab for Sanne"
        );
        assert!(
            text(ria.get(&format!("/kringen/{}/agenda", d.network)).await)
                .await
                .contains(&format!("href=\"{}\"", d.path(""))),
            "but for Ria"
        );

        // A professional of another network: 403 everywhere, logged.
        let (joris, gerda_network) = professional_elsewhere(&d.app).await;
        let joris_id = user_id(&d.app.store, "joris.deboer@demo.mantelkring.nl").await;
        assert_eq!(
            joris
                .get(&format!("/kringen/{gerda_network}/signaleren"))
                .await
                .status(),
            StatusCode::OK,
            "his own network's"
        );
        for p in &pages {
            assert_eq!(
                joris.get(p).await.status(),
                StatusCode::FORBIDDEN,
                "{be:?} joris {p}"
            );
        }
        for (p, form) in &posts {
            assert_eq!(joris.post(p, form).await.status(), StatusCode::FORBIDDEN);
        }
        assert_eq!(
            denied(&d.app.store, &joris_id, "no_relationship").await,
            (pages.len() + posts.len()) as i64
        );
        // A check of Ria's network cannot be reached through Gerda's either.
        let check_id = check.rsplit('/').next().unwrap();
        assert_eq!(
            joris
                .get(&format!(
                    "/kringen/{gerda_network}/signaleren/checks/{check_id}"
                ))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // A professional without the second factor: to the code step, and logged.
        let half = Browser::new(&d.app);
        let r = half
            .login(email_of(Role::Professional), demo::DEMO_PASSWORD)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let marieke_id = user_id(&d.app.store, email_of(Role::Professional)).await;
        for p in &pages {
            let r = half.get(p).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?} {p}");
            assert!(location(&r).starts_with("/inloggen/code"));
        }
        assert_eq!(
            denied(&d.app.store, &marieke_id, "second_factor_required").await,
            pages.len() as i64
        );

        // Not logged in: to the login page, nothing shown.
        for p in &pages {
            let r = d.app.get(p).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{p}");
            assert!(location(&r).starts_with("/inloggen"));
        }

        // A volunteer who sees the checks may read them, but not export them (FHIR): only the
        // caregiver and professional members.
        add_member(
            &d,
            email_of(Role::Volunteer),
            MemberKind::Volunteer,
            &[DataCategory::Checks],
        )
        .await;
        let youssef = d.browser_as(Role::Volunteer).await;
        assert_eq!(youssef.get(&check).await.status(), StatusCode::OK);
        assert_eq!(
            youssef.get(&format!("{check}/fhir")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert!(!text(youssef.get(&check).await).await.contains("/fhir\""));
        // Nor send links: that is for the professionals.
        assert_eq!(
            youssef.post(&posts[2].0, &posts[2].1).await.status(),
            StatusCode::FORBIDDEN
        );
        let youssef_id = user_id(&d.app.store, email_of(Role::Volunteer)).await;
        assert_eq!(
            denied(&d.app.store, &youssef_id, "action_not_allowed").await,
            1
        );
        assert_eq!(
            denied(&d.app.store, &youssef_id, "not_professional").await,
            1
        );
        assert_eq!(
            ria.get(&format!("{check}/fhir")).await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_chart_has_one_point_per_complete_check() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        let scores = [3, 9, 7];
        for score in scores {
            let answers: Vec<&str> = (0..13)
                .map(|n| if n < score { "ja" } else { "nee" })
                .collect();
            let check = start(&d, &ria, "csi", "lijst").await;
            let r = post_owned(&ria, &check, &list_form(&answers, "afronden")).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        // A draft is not a point.
        start(&d, &ria, "csi", "stap").await;
        let html = text(ria.get(&d.path("verloop?lijst=csi")).await).await;
        let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("stroke-dasharray"), "the threshold line (7)");
        assert!(svg.contains("grens 7"));
        assert!(svg.contains("De lijst is 3 keer ingevuld."));
        assert!(!svg.contains("style="));
        // The table alternative: one row per check, newest first.
        let table = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
        assert_eq!(table.matches("<tr>").count(), 3);
        let seven = table.find("7 van de 13").unwrap();
        let three = table.find("3 van de 13").unwrap();
        assert!(seven < three, "newest first");
        assert!(table.contains("Tekenen van overbelasting"));
        assert!(table.contains("Zelf, online"));
        // The EDIZ: no checks, no points; no threshold unless the region sets one.
        let html = text(ria.get(&d.path("verloop?lijst=ediz")).await).await;
        let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
        assert_eq!(svg.matches("<circle").count(), 0);
        assert!(!svg.contains("stroke-dasharray"));
        assert!(html.contains("Deze lijst is nog niet ingevuld."));
        // An unknown list: a clear message, 400.
        let r = ria.get(&d.path("verloop?lijst=zarit")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(text(r).await.contains("Deze vragenlijst kennen we niet"));
    }
}

/// The R4 item types (Questionnaire.item.type, required binding).
const ITEM_TYPES: [&str; 16] = [
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
];

#[tokio::test]
async fn questionnaires_and_responses_are_valid_fhir_r4() {
    use crate::kring_fhir::{report, validate, write};
    let d = demo_on(TestDatabase::sqlite()).await;
    let dir = crate::support::temp_dir("screening-fhir");
    let ria = d.browser_as(Role::Caregiver).await;
    let mut files = Vec::new();
    let mut questionnaires = std::collections::BTreeMap::new();
    for id in ["csi", "ediz"] {
        // Public: the lists themselves hold no one's data.
        let r = d.app.get(&format!("/fhir/Questionnaire/{id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/fhir+json")
        );
        let q: Value = r.json().await.unwrap();
        for item in q["item"].as_array().unwrap() {
            let kind = item["type"].as_str().unwrap();
            assert!(ITEM_TYPES.contains(&kind), "{kind}");
        }
        files.push(write(&dir, &format!("{id}-questionnaire.json"), &q));
        questionnaires.insert(id, q);
    }
    assert_eq!(
        d.app.get("/fhir/Questionnaire/zarit").await.status(),
        StatusCode::NOT_FOUND
    );
    let csi = start(&d, &ria, "csi", "lijst").await;
    post_owned(&ria, &csi, &list_form(&CSI_SEVEN, "afronden")).await;
    let ediz = start(&d, &ria, "ediz", "lijst").await;
    let answers = [
        "nee!",
        "nee",
        "min-of-meer",
        "ja",
        "ja!",
        "nee",
        "ja",
        "nee!",
        "min-of-meer",
    ];
    post_owned(&ria, &ediz, &list_form(&answers, "afronden")).await;
    let marieke = d.browser_as(Role::Professional).await;
    for (id, check, score) in [("csi", &csi, 7), ("ediz", &ediz, 5)] {
        let r = marieke.get(&format!("{check}/fhir")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let qr: Value = r.json().await.unwrap();
        let q = &questionnaires[id];
        assert_eq!(
            qr["questionnaire"],
            format!("{}|1", q["url"].as_str().unwrap())
        );
        assert_eq!(qr["status"], "completed");
        assert_eq!(
            qr["subject"]["reference"],
            format!("RelatedPerson/{}", d.ria)
        );
        let items = qr["item"].as_array().unwrap();
        // Every answer is one of the Questionnaire's options for that item.
        for item in items.iter().filter(|i| i["linkId"] != "score") {
            let link = item["linkId"].as_str().unwrap();
            let q_item = q["item"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["linkId"] == link)
                .unwrap();
            let coding = &item["answer"][0]["valueCoding"];
            assert!(
                q_item["answerOption"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o["valueCoding"] == *coding),
                "{id} {link}: {coding}"
            );
        }
        let total = items.iter().find(|i| i["linkId"] == "score").unwrap();
        assert_eq!(total["answer"][0]["valueInteger"], score);
        files.push(write(&dir, &format!("{id}-response.json"), &qr));
    }
    // The download is logged as an export.
    let (exports,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND data_category = 'checks' \
         AND outcome = 'success' AND subject_person_id = $1",
    )
    .bind(&d.ria)
    .fetch_one(d.app.store.pool())
    .await
    .unwrap();
    assert_eq!(exports, 2);

    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let out = validate(&paths);
    let report_text = report(&out);
    assert!(
        out.status.success(),
        "the validator refused:\n{report_text}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("OK: 4 file(s) valid FHIR R4"),
        "{report_text}"
    );
    assert!(stdout.contains("Questionnaire 2") && stdout.contains("QuestionnaireResponse 2"));

    // The validator does check them: a broken response is refused.
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&files[2]).unwrap()).unwrap();
    type Break = fn(&mut Value);
    let cases: [(&str, Break, &str); 3] = [
        (
            "status",
            |r| r["status"] = Value::from("klaar"),
            "'klaar' is not one of",
        ),
        (
            "coding",
            |r| r["item"][0]["answer"][0]["valueCoding"]["kleur"] = Value::from("rood"),
            "extra fields not permitted",
        ),
        (
            "authored",
            |r| r["authored"] = Value::from("gisteren"),
            "invalid datetime format",
        ),
    ];
    for (name, break_it, expect) in cases {
        let mut broken = good.clone();
        break_it(&mut broken);
        let bad = write(&dir, &format!("broken-{name}.json"), &broken);
        let out = validate(&[&bad]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", report(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(expect), "{name}: {stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
