//! "Mijn situatie" through HTTP, on the demo region (Ria's kring: Marieke, professional with every
//! category; Sanne, her daughter, with agenda and messages only): versions and the comparison,
//! proposals accepted and declined (once), who may NOT see or do what, bad input, the audit
//! records. The main scenarios run on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.

use crate::accounts::wait_for_mail;
use crate::identity::{Browser, count, email_of};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::situation::{self, ProposalStatus};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, base};
use reqwest::StatusCode;

/// The demo on one database: the app, Ria's person id and her network's id.
struct Demo {
    app: TestApp,
    ria: String,
    network: String,
}

async fn demo_on(db: TestDatabase) -> Demo {
    let app = TestApp::on(db).await;
    let seeded = demo::seed(&app.store).await.unwrap();
    crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
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

async fn demo_sqlite() -> Demo {
    demo_on(TestDatabase::sqlite()).await
}

impl Demo {
    fn path(&self, rest: &str) -> String {
        format!("/kringen/{}/situatie{rest}", self.network)
    }

    async fn browser_as(&self, role: Role) -> Browser<'_> {
        let b = Browser::new(&self.app);
        b.login_as(role).await;
        b
    }

    async fn versions(&self) -> i64 {
        let mut conn = self.app.store.pool().acquire().await.unwrap();
        situation::current_number(&mut conn, &self.network)
            .await
            .unwrap()
    }
}

async fn user_id(store: &Store, email: &str) -> String {
    base::find_user_by_email(store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Puts the volunteer Youssef in Ria's network with `categories`, as Ria would; returns the
/// member id.
async fn add_volunteer(d: &Demo, categories: &[DataCategory], acts_for_caregiver: bool) -> String {
    let store = &d.app.store;
    let ria_user = user_id(store, email_of(Role::Caregiver)).await;
    let youssef = user_id(store, email_of(Role::Volunteer)).await;
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
            user_id: &youssef,
            organisation_id: None,
            kind: MemberKind::Volunteer,
            field: None,
            role_label: "vrijwilliger",
            categories,
            notify: NotifyMode::Off,
            acts_for_caregiver,
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

/// A full form: the summary's fields, the version it starts from, and a note.
fn form<'a>(versie: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("naaste", "Henk heeft dementie.\nHij vergeet veel."),
        ("care_tasks", "Boodschappen\nMedicijnen klaarzetten"),
        ("hours_per_week", "20"),
        ("since", "sinds maart 2023"),
        ("living_together", "ja"),
        ("responsibilities", "Ik werk twee dagen per week."),
        ("going_well", "Sanne helpt op zaterdag."),
        ("hard", "De nachten.\nHet wassen."),
        ("wishes", ""),
        ("agreements", ""),
        ("emergency_plan", "Sanne neemt het over."),
        ("other", ""),
        ("versie", versie),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn audit_count(store: &Store, outcome: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE data_category = 'situation' AND outcome = $1",
    )
    .bind(outcome)
    .fetch_one(store.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn versions_increase_and_old_versions_stay_readable() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        let html = text(ria.get(&d.path("")).await).await;
        assert!(html.contains("Mijn situatie"), "{html}");
        assert!(html.contains("U heeft nog niets ingevuld"));
        assert!(html.contains("Er is nog geen noodplan"));

        let form_html = text(ria.get(&d.path("/bewerken")).await).await;
        assert!(form_html.contains("name=\"versie\" value=\"0\""));
        let r = ria.post(&d.path("/bewerken"), &form("0", &[])).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            d.path("?gedaan=opgeslagen")
        );
        let html = text(ria.get(&d.path("?gedaan=opgeslagen")).await).await;
        assert!(html.contains("opgeslagen als nieuwe versie"));
        assert!(html.contains("Versie 1, bijgewerkt door Ria de Vries op"));
        assert!(html.contains("Sanne neemt het over."));
        assert!(html.contains("20 uur per week"));
        assert!(html.contains("Ja, ze wonen samen"));
        assert!(!html.contains("namens de mantelzorger"));

        let r = ria
            .post(
                &d.path("/bewerken"),
                &form(
                    "1",
                    &[
                        ("hours_per_week", "30"),
                        ("emergency_plan", "Sanne en de buren."),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(d.versions().await, 2);
        let html = text(ria.get(&d.path("")).await).await;
        assert!(html.contains("Versie 2, bijgewerkt door Ria de Vries"));
        assert!(html.contains("Sanne en de buren.") && html.contains("30 uur per week"));

        // Version 1 is still there, as it was.
        let r = ria.get(&d.path("/versies/1")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let old = text(r).await;
        assert!(old.contains("Versie 1, bijgewerkt door Ria de Vries"));
        assert!(old.contains("Sanne neemt het over.") && old.contains("20 uur per week"));
        assert!(old.contains("Dit is een oude versie"));
        let list = text(ria.get(&d.path("/versies")).await).await;
        assert!(list.contains("Versie 2") && list.contains("Versie 1"));
        assert!(list.contains(&d.path("/vergelijken?van=1&")) && list.contains("tot=2\""));

        // A save from version 1 now clashes with version 2: nothing written, the text kept.
        let r = ria
            .post(
                &d.path("/bewerken"),
                &form("1", &[("wishes", "Een dag vrij.")]),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let html = text(r).await;
        assert!(html.contains("Iemand anders heeft de situatie net opgeslagen (nu versie 2)"));
        assert!(html.contains("Een dag vrij."));
        assert!(html.contains("name=\"versie\" value=\"2\""));
        assert_eq!(d.versions().await, 2);
    }
}

#[tokio::test]
async fn the_comparison_shows_exactly_the_changed_fields() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        ria.post(&d.path("/bewerken"), &form("0", &[])).await;
        ria.post(
            &d.path("/bewerken"),
            &form(
                "1",
                &[
                    ("hours_per_week", "30"),
                    ("hard", "De nachten.\nDe vermoeidheid."),
                ],
            ),
        )
        .await;
        assert_eq!(d.versions().await, 2);
        let r = ria.get(&d.path("/vergelijken?van=1&tot=2")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = text(r).await;
        assert!(html.contains("Versie 1 en versie 2 vergeleken"));
        let changed: Vec<&str> = html
            .split("<section class=\"mk-diff\"")
            .skip(1)
            .filter_map(|s| s.split("</h2>").next())
            .filter_map(|h| h.rsplit('>').next())
            .collect();
        assert_eq!(changed, ["Uren zorg per week", "Wat is zwaar"]);
        // Short values before and after; long texts line by line, in words and in markup.
        assert!(html.contains("<del>20 uur per week</del>"));
        assert!(html.contains("<ins>30 uur per week</ins>"));
        assert!(html.contains("weggehaald:</span> <del>Het wassen.</del>"));
        assert!(html.contains("nieuw:</span> <ins>De vermoeidheid.</ins>"));
        assert!(
            !html.contains("<del>De nachten.</del>"),
            "an unchanged line stays plain"
        );
        assert!(
            !html.contains("Sanne neemt het over."),
            "unchanged fields are not shown"
        );

        for (query, message) in [
            ("?van=1&tot=9", "Versie 9 bestaat niet."),
            ("?van=twee&tot=1", "Kies twee versies om te vergelijken."),
            ("?van=0&tot=1", "Kies twee versies om te vergelijken."),
            ("?tot=1", "Kies twee versies om te vergelijken."),
            ("", "Kies twee versies om te vergelijken."),
            ("?van=2&tot=2", "Kies twee verschillende versies"),
        ] {
            let r = ria.get(&d.path(&format!("/vergelijken{query}"))).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
            assert!(text(r).await.contains(message), "{query}");
        }
        for (n, message) in [
            ("7", "Versie 7 bestaat niet."),
            ("x", "geen goed versienummer"),
        ] {
            let r = ria.get(&d.path(&format!("/versies/{n}"))).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{n}");
            assert!(text(r).await.contains(message), "{n}");
        }
    }
}

#[tokio::test]
async fn an_accepted_proposal_becomes_a_version_and_keeps_the_caregivers_later_edit() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        ria.post(&d.path("/bewerken"), &form("0", &[])).await;

        // Marieke proposes a new emergency plan, from version 1.
        let marieke = d.browser_as(Role::Professional).await;
        let page = text(marieke.get(&d.path("")).await).await;
        assert!(page.contains("Een wijziging voorstellen"));
        assert!(!page.contains("Situatie aanpassen"));
        let proposal_form = text(marieke.get(&d.path("/voorstel")).await).await;
        assert!(proposal_form.contains("name=\"versie\" value=\"1\""));
        assert!(proposal_form.contains("Sanne neemt het over."));
        let r = marieke
            .post(
                &d.path("/voorstel"),
                &form(
                    "1",
                    &[
                        ("emergency_plan", "Sanne, en anders buurvrouw Els."),
                        ("toelichting", "Besproken bij het huisbezoek."),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(d.versions().await, 1, "a proposal is no version");
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let proposals = situation::proposals(&mut conn, &d.network, None)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(proposals.len(), 1);
        let pid = proposals[0].id.clone();

        // Ria hears of it by e-mail: that there is a proposal and where, not what it says.
        let mail = wait_for_mail(&d.app, email_of(Role::Caregiver), "voorstel").await;
        assert!(mail.contains(&format!(
            "/kringen/{}/situatie/voorstellen/{pid}",
            d.network
        )));
        assert!(!mail.contains("Els") && !mail.contains("huisbezoek") && !mail.contains("Sanne"));

        // Meanwhile Ria changes the hours herself (version 2).
        ria.post(
            &d.path("/bewerken"),
            &form("1", &[("hours_per_week", "25")]),
        )
        .await;
        assert_eq!(d.versions().await, 2);

        let page = text(ria.get(&d.path("")).await).await;
        assert!(page.contains("Voorstellen die op u wachten"));
        assert!(page.contains("Voorstel van Marieke Jansen"));
        assert!(page.contains(&format!(
            "{}/aannemen",
            d.path(&format!("/voorstellen/{pid}"))
        )));
        let page = text(ria.get(&d.path(&format!("/voorstellen/{pid}"))).await).await;
        assert!(page.contains("Vergeleken met versie 1"));
        assert!(page.contains("<ins>Sanne, en anders buurvrouw Els.</ins>"));
        assert!(page.contains("<del>Sanne neemt het over.</del>"));
        assert!(page.contains("Besproken bij het huisbezoek."));

        let r = ria
            .post(&d.path(&format!("/voorstellen/{pid}/aannemen")), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(d.versions().await, 3);
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let now = situation::current(&mut conn, &d.network)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            now.situation.emergency_plan,
            "Sanne, en anders buurvrouw Els."
        );
        assert_eq!(
            now.situation.hours_per_week,
            Some(25),
            "Ria's own change is kept"
        );
        assert_eq!(now.proposal_id.as_deref(), Some(pid.as_str()));
        let p = situation::proposal(&mut conn, &d.network, &pid)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        assert_eq!(p.status, ProposalStatus::Accepted);
        assert_eq!(p.accepted_as, Some(3));
        let page = text(ria.get(&d.path("")).await).await;
        assert!(page.contains("Het komt uit een voorstel van Marieke Jansen."));
        assert!(!page.contains("Voorstellen die op u wachten"));

        // Decided once: neither accepting nor declining again changes anything.
        for action in ["aannemen", "afwijzen"] {
            let r = ria
                .post(&d.path(&format!("/voorstellen/{pid}/{action}")), &[])
                .await;
            assert_eq!(r.status(), StatusCode::CONFLICT, "{action}");
            assert!(text(r).await.contains("Over dit voorstel is al beslist"));
        }
        assert_eq!(d.versions().await, 3);

        // Marieke sees what became of her proposal.
        let page = text(marieke.get(&d.path("")).await).await;
        assert!(page.contains("Uw voorstellen") && page.contains("Aangenomen, in versie 3"));
    }
}

#[tokio::test]
async fn a_declined_proposal_makes_no_version_and_the_member_reads_why() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let ria = d.browser_as(Role::Caregiver).await;
        ria.post(&d.path("/bewerken"), &form("0", &[])).await;
        let marieke = d.browser_as(Role::Professional).await;
        marieke
            .post(
                &d.path("/voorstel"),
                &form(
                    "1",
                    &[
                        ("wishes", "Dagbesteding voor Henk."),
                        ("toelichting", "Idee."),
                    ],
                ),
            )
            .await;
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let pid = situation::proposals(&mut conn, &d.network, None)
            .await
            .unwrap()[0]
            .id
            .clone();
        drop(conn);
        let r = ria
            .post(
                &d.path(&format!("/voorstellen/{pid}/afwijzen")),
                &[("toelichting", "Dat wil Henk niet.")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            d.path("?gedaan=afgewezen")
        );
        assert_eq!(d.versions().await, 1, "declining makes no version");
        let page = text(marieke.get(&d.path(&format!("/voorstellen/{pid}"))).await).await;
        assert!(page.contains("Niet aangenomen"));
        assert!(page.contains("Dat wil Henk niet."));
        assert!(!page.contains("/aannemen"), "nothing left to decide");
        let r = ria
            .post(&d.path(&format!("/voorstellen/{pid}/aannemen")), &[])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(d.versions().await, 1);
    }
}

#[tokio::test]
async fn a_member_may_propose_but_not_edit_or_decide() {
    let d = demo_sqlite().await;
    let ria = d.browser_as(Role::Caregiver).await;
    ria.post(&d.path("/bewerken"), &form("0", &[])).await;
    let marieke = d.browser_as(Role::Professional).await;
    assert_eq!(
        marieke.get(&d.path("/bewerken")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = marieke
        .post(&d.path("/bewerken"), &form("1", &[("wishes", "Rust.")]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(d.versions().await, 1);
    marieke
        .post(
            &d.path("/voorstel"),
            &form("1", &[("wishes", "Rust."), ("toelichting", "Zei Ria.")]),
        )
        .await;
    let mut conn = d.app.store.pool().acquire().await.unwrap();
    let pid = situation::proposals(&mut conn, &d.network, None)
        .await
        .unwrap()[0]
        .id
        .clone();
    drop(conn);
    for action in ["aannemen", "afwijzen"] {
        let r = marieke
            .post(&d.path(&format!("/voorstellen/{pid}/{action}")), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action}");
    }
    let mut conn = d.app.store.pool().acquire().await.unwrap();
    let p = situation::proposal(&mut conn, &d.network, &pid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, ProposalStatus::Open);
    assert_eq!(d.versions().await, 1);
    // The caregiver edits; a proposal page of her own sends her there.
    let r = ria.get(&d.path("/voorstel")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        d.path("/bewerken")
    );
}

#[tokio::test]
async fn a_member_acting_for_the_caregiver_edits_and_it_says_so() {
    let d = demo_sqlite().await;
    add_volunteer(&d, &[DataCategory::Situation], true).await;
    let youssef = d.browser_as(Role::Volunteer).await;
    let html = text(youssef.get(&d.path("/bewerken")).await).await;
    assert!(html.contains("namens Ria de Vries"));
    let r = youssef.post(&d.path("/bewerken"), &form("0", &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = text(youssef.get(&d.path("")).await).await;
    assert!(html.contains("Versie 1, bijgewerkt door Youssef Amrani"));
    assert!(html.contains("Dit was namens de mantelzorger."));
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE data_category = 'situation' AND action = 'update' \
         AND outcome = 'success' AND on_behalf_of = $1",
    )
    .bind(&d.ria)
    .fetch_one(d.app.store.pool())
    .await
    .unwrap();
    assert!(n >= 2, "the form and the save, both on Ria's behalf");
}

/// Every page and form of "Mijn situatie" of kring `network`.
fn routes_of(network: &str, pid: &str) -> Vec<(&'static str, String)> {
    let p = |rest: &str| format!("/kringen/{network}/situatie{rest}");
    vec![
        ("GET", p("")),
        ("GET", p("/bewerken")),
        ("POST", p("/bewerken")),
        ("GET", p("/voorstel")),
        ("POST", p("/voorstel")),
        ("GET", p(&format!("/voorstellen/{pid}"))),
        ("POST", p(&format!("/voorstellen/{pid}/aannemen"))),
        ("POST", p(&format!("/voorstellen/{pid}/afwijzen"))),
        ("GET", p("/versies")),
        ("GET", p("/versies/1")),
        ("GET", p("/vergelijken?van=1&tot=2")),
    ]
}

fn every_route(d: &Demo, pid: &str) -> Vec<(&'static str, String)> {
    routes_of(&d.network, pid)
}

async fn refused_everywhere(d: &Demo, b: &Browser<'_>, pid: &str, who: &str) {
    let valid = form(
        "2",
        &[("wishes", "Iets anders."), ("toelichting", "Zomaar.")],
    );
    for (method, path) in every_route(d, pid) {
        let r = if method == "GET" {
            b.get(&path).await
        } else {
            b.post(&path, &valid).await
        };
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}: {method} {path}");
    }
}

/// A kring with two versions and one open proposal (by Marieke).
async fn with_versions_and_a_proposal(d: &Demo) -> String {
    let ria = d.browser_as(Role::Caregiver).await;
    ria.post(&d.path("/bewerken"), &form("0", &[])).await;
    ria.post(
        &d.path("/bewerken"),
        &form("1", &[("hours_per_week", "25")]),
    )
    .await;
    let mut tx = d.app.store.begin_write().await.unwrap();
    let marieke = user_id(&d.app.store, email_of(Role::Professional)).await;
    let mut proposed = situation::current(&mut tx, &d.network)
        .await
        .unwrap()
        .unwrap()
        .situation;
    proposed.other = "Henk houdt van muziek.".into();
    let pid = situation::propose(&mut tx, &d.network, 2, &proposed, "Tip.", &marieke)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    pid
}

#[tokio::test]
async fn who_may_not_see_or_change_the_situation() {
    let d = demo_sqlite().await;
    let pid = with_versions_and_a_proposal(&d).await;
    let before = (
        d.versions().await,
        count(&d.app.store, "situation_proposals").await,
    );

    // Sanne is in the kring, but without "Mijn situatie".
    let sanne = d.browser_as(Role::NetworkMember).await;
    refused_everywhere(&d, &sanne, &pid, "a member without the category").await;

    // A professional of another kring: Marieke opens Gerda's (she is only in Ria's).
    let store = &d.app.store;
    let mut tx = store.begin_write().await.unwrap();
    let gerda = base::insert_person(
        &mut tx,
        &base::NewPerson {
            given_name: "Gerda",
            family_name: "Smit",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let other = network::network_of(&mut tx, &gerda).await.unwrap();
    tx.commit().await.unwrap();
    let marieke = d.browser_as(Role::Professional).await;
    for (method, path) in routes_of(&other, &pid) {
        let r = if method == "GET" {
            marieke.get(&path).await
        } else {
            marieke
                .post(&path, &form("0", &[("toelichting", "x")]))
                .await
        };
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "professional of another kring: {method} {path}"
        );
    }
    // Staff outside the kring, after their second factor.
    let coordinator = d.browser_as(Role::NetworkCoordinator).await;
    refused_everywhere(&d, &coordinator, &pid, "a coordinator outside the kring").await;
    // The volunteer, not in Ria's kring at all.
    let youssef = d.browser_as(Role::Volunteer).await;
    refused_everywhere(&d, &youssef, &pid, "someone outside the kring").await;

    assert_eq!(
        (
            d.versions().await,
            count(&d.app.store, "situation_proposals").await
        ),
        before,
        "nothing written by anyone refused"
    );
    let mut conn = store.pool().acquire().await.unwrap();
    let p = situation::proposal(&mut conn, &d.network, &pid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, ProposalStatus::Open);
}

#[tokio::test]
async fn a_removed_member_is_refused_at_once() {
    let d = demo_sqlite().await;
    let pid = with_versions_and_a_proposal(&d).await;
    let member = add_volunteer(&d, &[DataCategory::Situation], false).await;
    let youssef = d.browser_as(Role::Volunteer).await;
    let r = youssef.get(&d.path("")).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a member with the category reads it"
    );
    assert!(text(r).await.contains("De situatie van Ria de Vries"));
    assert_eq!(
        youssef
            .get(&d.path("/vergelijken?van=1&tot=2"))
            .await
            .status(),
        StatusCode::OK
    );
    // He may not see Marieke's proposal (only his own).
    assert_eq!(
        youssef
            .get(&d.path(&format!("/voorstellen/{pid}")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let ria_user = user_id(&d.app.store, email_of(Role::Caregiver)).await;
    let mut tx = d.app.store.begin_write().await.unwrap();
    assert!(
        members::remove(
            &mut tx,
            &d.network,
            &member,
            By {
                user_id: &ria_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    refused_everywhere(&d, &youssef, &pid, "a removed member").await;
}

#[tokio::test]
async fn a_logged_out_visitor_is_sent_to_the_login_page() {
    let d = demo_sqlite().await;
    let pid = with_versions_and_a_proposal(&d).await;
    let b = Browser::new(&d.app);
    for (method, path) in every_route(&d, &pid) {
        let r = if method == "GET" {
            b.get(&path).await
        } else {
            b.post(&path, &form("2", &[("toelichting", "x")])).await
        };
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{method} {path}");
        let location = r.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("/inloggen?terug="),
            "{method} {path}: {location}"
        );
    }
    assert_eq!(d.versions().await, 2);
}

#[tokio::test]
async fn bad_input_gets_every_problem_at_once_and_writes_nothing() {
    let d = demo_sqlite().await;
    let pid = with_versions_and_a_proposal(&d).await;
    let ria = d.browser_as(Role::Caregiver).await;
    let long = "x".repeat(4001);
    let long_since = "y".repeat(101);
    let r = ria
        .post(
            &d.path("/bewerken"),
            &form(
                "2",
                &[
                    ("hours_per_week", "200"),
                    ("living_together", "misschien"),
                    ("hard", &long),
                    ("since", &long_since),
                ],
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = text(r).await;
    for message in [
        "Er gaat iets mis in het formulier",
        "Vul een heel getal in van 0 tot en met 168",
        "Kies ja, nee of",
        "Gebruik hoogstens 4000 tekens",
        "Gebruik hoogstens 100 tekens",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(
        html.contains("Henk heeft dementie."),
        "the form keeps what was typed"
    );
    // No version number, or a broken one.
    for versie in ["", "abc", "-1"] {
        let r = ria.post(&d.path("/bewerken"), &form(versie, &[])).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{versie:?}");
        assert!(text(r).await.contains("niet compleet verstuurd"));
    }
    assert_eq!(d.versions().await, 2);

    // A proposal without a note, or that changes nothing.
    let marieke = d.browser_as(Role::Professional).await;
    let proposals_before = count(&d.app.store, "situation_proposals").await;
    let r = marieke
        .post(
            &d.path("/voorstel"),
            &form("2", &[("hours_per_week", "25"), ("wishes", "Rust.")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(r)
            .await
            .contains("Schrijf kort waarom u dit voorstelt")
    );
    let r = marieke
        .post(
            &d.path("/voorstel"),
            &form(
                "2",
                &[("hours_per_week", "25"), ("toelichting", "Niets nieuws.")],
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("Uw voorstel verandert nog niets"));
    let r = marieke
        .post(
            &d.path("/voorstel"),
            &form(
                "9",
                &[
                    ("wishes", "Rust."),
                    ("toelichting", "Van een versie die er niet is."),
                ],
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        count(&d.app.store, "situation_proposals").await,
        proposals_before
    );

    // A decline note that is too long: the proposal page again, the proposal still open.
    let long_note = "z".repeat(1001);
    let r = ria
        .post(
            &d.path(&format!("/voorstellen/{pid}/afwijzen")),
            &[("toelichting", long_note.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("De toelichting is te lang"));
    let mut conn = d.app.store.pool().acquire().await.unwrap();
    let p = situation::proposal(&mut conn, &d.network, &pid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, ProposalStatus::Open);
    drop(conn);
    // An unknown proposal is not found.
    let r = ria
        .post(&d.path("/voorstellen/onbekend/aannemen"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(d.versions().await, 2);
    // A kring that does not exist is refused like one she is not in.
    assert_eq!(
        ria.get("/kringen/bestaat-niet/situatie").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_access_leaves_an_audit_record_with_category_situation() {
    let d = demo_sqlite().await;
    let pid = with_versions_and_a_proposal(&d).await;
    let store = &d.app.store;
    let ria = d.browser_as(Role::Caregiver).await;
    for path in [
        d.path(""),
        d.path("/bewerken"),
        d.path(&format!("/voorstellen/{pid}")),
        d.path("/versies"),
        d.path("/versies/1"),
        d.path("/vergelijken?van=1&tot=2"),
    ] {
        let before = audit_count(store, "success").await;
        assert_eq!(ria.get(&path).await.status(), StatusCode::OK, "{path}");
        assert_eq!(audit_count(store, "success").await, before + 1, "{path}");
    }
    let before = audit_count(store, "success").await;
    let r = ria
        .post(&d.path(&format!("/voorstellen/{pid}/aannemen")), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_count(store, "success").await, before + 1);
    let ria_user = user_id(store, email_of(Role::Caregiver)).await;
    let (action, subject, purpose): (String, String, String) = sqlx::query_as(
        "SELECT action, subject_person_id, purpose FROM audit_log WHERE user_id = $1 \
         AND data_category = 'situation' ORDER BY seq DESC LIMIT 1",
    )
    .bind(&ria_user)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), subject.as_str(), purpose.as_str()),
        ("update", d.ria.as_str(), "own_data")
    );

    // A refusal is a record too.
    let sanne = d.browser_as(Role::NetworkMember).await;
    let denied = audit_count(store, "denied").await;
    assert_eq!(sanne.get(&d.path("")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(audit_count(store, "denied").await, denied + 1);
}
