//! The kring's overview, members and regiehouder through HTTP on the demo region: who may NOT
//! see them, the caregiver's approval before anyone joins, removal at any time, one regiehouder
//! with hand-over history.

use crate::identity::{Browser, demo_app, email_of};
use crate::support::TestApp;
use mantelkring_core::base::Role;
use mantelkring_store::audit;
use mantelkring_store::network::{self, regie};
use reqwest::StatusCode;

pub async fn network_of(app: &TestApp, person: &str) -> String {
    let mut tx = app.store.begin_write().await.unwrap();
    let id = network::network_of(&mut tx, person).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// The member id of a demo account in a network.
pub async fn member_id(app: &TestApp, network_id: &str, role: Role) -> Option<String> {
    let mut tx = app.store.begin_write().await.unwrap();
    let all = network::members::list(&mut tx, network_id, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    all.into_iter()
        .filter(|m| m.status == mantelkring_core::network::MemberStatus::Active)
        .find(|m| m.email == email_of(role))
        .map(|m| m.id)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn who_may_not_see_a_kring() {
    let (app, ria) = demo_app().await;
    let net = network_of(&app, &ria).await;
    let pages = [
        format!("/kringen/{net}"),
        format!("/kringen/{net}/leden"),
        format!("/kringen/{net}/regie"),
    ];
    // Logged out: to the login page, nothing shown.
    for page in &pages {
        let r = app.get(page).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(location(&r).starts_with("/inloggen"), "{page}");
    }
    // Staff and people outside the network: refused and logged.
    for role in [
        Role::NetworkCoordinator,
        Role::VolunteerCoordinator,
        Role::Volunteer,
    ] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        for page in &pages {
            let r = b.get(page).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?} {page}");
            assert!(!r.text().await.unwrap().contains("Ria de Vries"));
        }
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.outcome.as_str(), last.subject_person_id.as_deref()),
            ("denied", Some(ria.as_str()))
        );
        // An unknown network is refused the same way.
        assert_eq!(
            b.get("/kringen/bestaat-niet").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // A member sees the overview, with the picture first and the list.
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let r = sanne.get(&pages[0]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let picture = html.find("<svg").expect("the circles picture");
    assert!(picture < html.find("kring-lijst").unwrap(), "picture first");
    assert!(html.contains("Marieke Jansen"));
    // But may not manage members or choose a regiehouder.
    let marieke = member_id(&app, &net, Role::Professional).await.unwrap();
    for (path, fields) in [
        (
            format!("/kringen/{net}/leden/{marieke}/verwijderen"),
            vec![],
        ),
        (
            format!("/kringen/{net}/leden/{marieke}/zicht"),
            vec![("zien", "situation")],
        ),
        (
            format!("/kringen/{net}/regie/kiezen"),
            vec![("lid", marieke.as_str())],
        ),
    ] {
        let r = sanne.post(&path, &fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn joining_needs_the_caregivers_approval_and_removal_ends_access() {
    let (app, ria) = demo_app().await;
    let net = network_of(&app, &ria).await;
    let overview = format!("/kringen/{net}");
    let youssef = Browser::new(&app);
    youssef.login_as(Role::Volunteer).await;
    assert_eq!(youssef.get(&overview).await.status(), StatusCode::FORBIDDEN);

    // Sanne proposes Youssef; he still sees nothing.
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let r = sanne
        .post(
            &format!("/kringen/{net}/leden"),
            &[
                ("email", email_of(Role::Volunteer)),
                ("soort", "volunteer"),
                ("rol", "Helpt met boodschappen"),
                ("toelichting", "Hij woont om de hoek"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(youssef.get(&overview).await.status(), StatusCode::FORBIDDEN);
    // Sanne cannot approve it herself.
    let mut tx = app.store.begin_write().await.unwrap();
    let proposed = network::members::list(
        &mut tx,
        &net,
        Some(mantelkring_core::network::MemberStatus::Proposed),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let proposal = proposed
        .iter()
        .find(|m| m.email == email_of(Role::Volunteer))
        .expect("proposed")
        .id
        .clone();
    let approve = format!("/kringen/{net}/leden/{proposal}/goedkeuren");
    assert_eq!(
        sanne.post(&approve, &[("zien", "agenda")]).await.status(),
        StatusCode::FORBIDDEN
    );
    // Ria sees the proposal and approves it with the agenda only.
    let ria_b = Browser::new(&app);
    ria_b.login_as(Role::Caregiver).await;
    let html = ria_b
        .get(&format!("/kringen/{net}/leden"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Hij woont om de hoek"));
    let r = ria_b.post(&approve, &[("zien", "agenda")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(youssef.get(&overview).await.status(), StatusCode::OK);
    // Approving twice is a clear 400, not a 500.
    assert_eq!(
        ria_b.post(&approve, &[("zien", "agenda")]).await.status(),
        StatusCode::BAD_REQUEST
    );

    // Ria removes Sanne: from then on Sanne is refused everywhere in the network.
    let sanne_id = member_id(&app, &net, Role::NetworkMember).await.unwrap();
    let r = ria_b
        .post(&format!("/kringen/{net}/leden/{sanne_id}/verwijderen"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for page in ["", "/leden", "/regie"] {
        assert_eq!(
            sanne.get(&format!("{overview}{page}")).await.status(),
            StatusCode::FORBIDDEN,
            "removed member on {page}"
        );
    }
    // The history says who did what.
    let html = ria_b
        .get(&format!("/kringen/{net}/leden"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("is uit de kring gehaald door Ria de Vries"));
    assert!(html.contains("is voorgesteld door Sanne de Vries"));
    assert!(html.contains("is toegelaten door Ria de Vries"));

    // Bad input gets a Dutch message and writes nothing.
    let before = crate::identity::count(&app.store, "network_members").await;
    let r = ria_b
        .post(
            &format!("/kringen/{net}/leden"),
            &[("email", "geen-adres"), ("soort", "own")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Dit e-mailadres klopt niet")
    );
    let r = ria_b
        .post(
            &format!("/kringen/{net}/leden"),
            &[
                ("email", "nieuw@example.nl"),
                ("soort", "professional"),
                ("vakgebied", "zorg"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "unknown professional");
    assert_eq!(
        crate::identity::count(&app.store, "network_members").await,
        before
    );
    // A new family member by e-mail gets an account and an invitation.
    let r = ria_b
        .post(
            &format!("/kringen/{net}/leden"),
            &[
                ("email", "kees.devries@example.nl"),
                ("naam", "Kees de Vries"),
                ("soort", "own"),
                ("rol", "Zoon"),
                ("zien", "agenda"),
                ("zien", "messages"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let jobs: Vec<(String,)> = sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'email'")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert!(
        jobs.iter()
            .any(|(p,)| p.contains("kees.devries@example.nl") && p.contains("wachtwoord-instellen"))
    );
}

#[tokio::test]
async fn one_regiehouder_and_hand_over_keeps_history() {
    let (app, ria) = demo_app().await;
    let net = network_of(&app, &ria).await;
    let marieke = member_id(&app, &net, Role::Professional).await.unwrap();
    let sanne = member_id(&app, &net, Role::NetworkMember).await.unwrap();
    let ria_b = Browser::new(&app);
    ria_b.login_as(Role::Caregiver).await;
    // Start from a network without a regiehouder: it is visibly marked.
    let mut tx = app.store.begin_write().await.unwrap();
    let had = regie::current(&mut tx, &net).await.unwrap();
    tx.commit().await.unwrap();
    if had.is_some() {
        let r = ria_b
            .post(
                &format!("/kringen/{net}/regie/stoppen"),
                &[("toelichting", "")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let html = ria_b
        .get(&format!("/kringen/{net}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Deze kring heeft nog geen regiehouder"));

    // Ria chooses Marieke.
    let r = ria_b
        .post(
            &format!("/kringen/{net}/regie/kiezen"),
            &[
                ("lid", marieke.as_str()),
                ("toelichting", "Marieke kent ons al lang"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Marieke hands over to Sanne with a note; it waits for Ria.
    let m = Browser::new(&app);
    m.login_as(Role::Professional).await;
    let r = m
        .post(
            &format!("/kringen/{net}/regie/voorstellen"),
            &[
                ("lid", sanne.as_str()),
                ("toelichting", "Ik ga met pensioen"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without a note a hand-over is refused with a message.
    let r = m
        .post(
            &format!("/kringen/{net}/regie/voorstellen"),
            &[("lid", sanne.as_str()), ("toelichting", " ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let mut tx = app.store.begin_write().await.unwrap();
    assert_eq!(
        regie::current(&mut tx, &net)
            .await
            .unwrap()
            .unwrap()
            .member_id,
        marieke
    );
    tx.commit().await.unwrap();
    // Marieke cannot accept her own proposal; Ria can.
    assert_eq!(
        m.post(&format!("/kringen/{net}/regie/voorstel/aannemen"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = ria_b
        .post(&format!("/kringen/{net}/regie/voorstel/aannemen"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let mut tx = app.store.begin_write().await.unwrap();
    let now = regie::current(&mut tx, &net).await.unwrap().unwrap();
    let history = regie::history(&mut tx, &net).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(now.member_id, sanne);
    let (active,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM network_regie WHERE network_id = '{net}' AND status = 'active'"
    )))
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(active, 1, "only one active regiehouder");
    let marieke_term = history
        .iter()
        .find(|t| t.member_id == marieke && t.note == "Marieke kent ons al lang")
        .expect("Marieke's term is kept");
    assert_eq!(marieke_term.end_note.as_deref(), Some("Ik ga met pensioen"));
    let html = ria_b
        .get(&format!("/kringen/{net}/regie"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sanne de Vries is de regiehouder"));
    assert!(html.contains("Ik ga met pensioen"));
}
