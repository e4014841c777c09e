//! The volunteer coordinator through HTTP (issue 7), on the demo region with Peter Bakker
//! (Vrijwilligerscentrale Rijnstreek): the workflow end to end — a request made on the form, the
//! ranked candidates with their why-line, a proposal sent with the e-mail holding the accept and
//! decline links (file transport), the volunteer's decline, the next proposal, the job that
//! expires an unanswered proposal and proposes the next candidate with its e-mail — the batch
//! proposal page sending the ticked pairs and skipping what changed meanwhile, and who may NOT use
//! the coordinator's pages (a volunteer, a caregiver, a coordinator without the second factor or
//! of another region). On SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

use crate::accounts::wait_for_mail;
use crate::identity::{Browser, count, email_of, unix_now};
use crate::matching_requests::{form, new_user, stored_request, tomorrow, volunteer};
use crate::screening_checks::{demo_on, location, text, user_id};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::base::{OrganisationKind, Role};
use mantelkring_core::identity::{token_hash, totp};
use mantelkring_core::matching::workflow::{ProposalStatus, RequestStatus};
use mantelkring_core::matching::{Language, Languages};
use mantelkring_core::time::now_ms;
use mantelkring_store::Store;
use mantelkring_store::base::{self, NewOrganisation};
use mantelkring_store::matching::{proposals, requests};
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

/// (volunteer user id, status, proposed by) of a request's proposals, oldest first.
async fn proposals_of(store: &Store, request_id: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT volunteer_user_id, status, proposed_by_user_id FROM match_proposals \
         WHERE request_id = $1 ORDER BY proposed_at, id",
    )
    .bind(request_id)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

async fn status_of(store: &Store, request_id: &str) -> RequestStatus {
    let mut conn = store.pool().acquire().await.unwrap();
    requests::status(&mut conn, request_id)
        .await
        .unwrap()
        .unwrap()
}

/// The answer link in the e-mail to `to` (`/hulp/antwoord/<64 hex>`), with both choices.
async fn answer_link(app: &TestApp, to: &str) -> (String, String) {
    let mail = wait_for_mail(app, to, "/hulp/antwoord/").await;
    let start = mail.find("/hulp/antwoord/").unwrap();
    let link = mail[start..start + "/hulp/antwoord/".len() + 64].to_string();
    assert!(mail.contains(&format!("{link}?keuze=ja")), "{mail}");
    assert!(mail.contains(&format!("{link}?keuze=nee")), "{mail}");
    (link, mail)
}

/// The second factor for an account with `secret`.
async fn second_factor(b: &Browser<'_>, secret: &str) {
    let code = format!(
        "{:06}",
        totp::code_at(&totp::decode_secret(secret).unwrap(), unix_now())
    );
    let r = b.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "second factor");
}

#[tokio::test]
async fn the_workflow_from_request_to_proposal_decline_expiry_and_next_candidate() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let store = &d.app.store;
        let nl = Languages::EMPTY.with(Language::Nl).with(Language::Pap);
        let en = Languages::EMPTY.with(Language::En).with(Language::Pap);
        let v1 = volunteer(&d.app, "amina@example.org", "Amina Bakr", "2323", en).await;
        let v2 = volunteer(&d.app, "bram@example.org", "Bram Vos", "2322", nl).await;
        let v3 = volunteer(&d.app, "chris@example.org", "Chris Wit", "2312", nl).await;
        // Ria asks for help on the form.
        let ria = d.browser_as(Role::Caregiver).await;
        let date = tomorrow().iso();
        let r = ria
            .post(
                &format!("/kringen/{}/hulpvragen/nieuw", d.network),
                &form(&date, &[]),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let page = location(&r).split('?').next().unwrap().to_string();
        let id = page.trim_start_matches("/hulpvragen/").to_string();

        // Peter sees it in the region's overview and its ranked candidates with the why-line.
        let peter = d.browser_as(Role::VolunteerCoordinator).await;
        let html = text(peter.get("/vrijwilligers/hulpvragen").await).await;
        assert!(html.contains(&page), "{be:?}: in the overview");
        let r = peter.get(&page).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Passende vrijwilligers"), "{be:?}");
        for name in ["Amina Bakr", "Bram Vos", "Chris Wit"] {
            assert!(html.contains(name), "{be:?}: {name} is a candidate");
        }
        assert!(html.contains(" km · kan "), "{be:?}: the why-line");
        assert!(html.contains("spreekt Papiaments"));
        assert!(html.contains("Voorstel sturen"));
        // Peter proposes Amina.
        let r = peter
            .post(&format!("{page}/voorstel"), &[("vrijwilliger", &v1)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(location(&r), format!("{page}?klaar=verstuurd"));
        assert_eq!(status_of(store, &id).await, RequestStatus::Proposed);
        // Her e-mail (in English: she does not speak Dutch) holds both links and only what she
        // may see before accepting.
        let (link, mail) = answer_link(&d.app, "amina@example.org").await;
        assert!(mail.contains("Can you help?"), "{mail}");
        assert!(mail.contains("For: Ria, 2324"), "{mail}");
        assert!(
            !mail.contains("de Vries") && !mail.contains("2324 KD"),
            "{mail}"
        );
        assert!(!mail.contains("071 555"), "no phone before accepting");
        let secret = link.rsplit('/').next().unwrap();
        let (hash,): (String,) = sqlx::query_as(
            "SELECT token_hash FROM match_proposals WHERE request_id = $1 AND volunteer_user_id = $2",
        )
        .bind(&id)
        .bind(&v1)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(hash, token_hash(secret), "only the hash is stored");
        // A second proposal while one waits is refused, nothing written.
        let r = peter
            .post(&format!("{page}/voorstel"), &[("vrijwilliger", &v2)])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}");
        assert_eq!(proposals_of(store, &id).await.len(), 1);

        // Amina declines through her link (the store, as Helper B's page does).
        let mut tx = store.begin_write().await.unwrap();
        proposals::answer_by_link(&mut tx, secret, false, now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(status_of(store, &id).await, RequestStatus::Open);
        // She is no longer a candidate; Peter proposes Bram, the next one.
        let html = text(peter.get(&page).await).await;
        assert!(html.contains("Nee gezegd"), "{be:?}");
        assert!(
            !html.contains(&format!("name=\"vrijwilliger\" value=\"{v1}\"")),
            "{be:?}: a decline is not asked again"
        );
        let r = peter
            .post(&format!("{page}/voorstel"), &[("vrijwilliger", &v1)])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}: not Amina again");
        let r = peter
            .post(&format!("{page}/voorstel"), &[("vrijwilliger", &v2)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let (_, mail) = answer_link(&d.app, "bram@example.org").await;
        assert!(mail.contains("Kunt u helpen?"), "Dutch for Bram: {mail}");
        assert!(mail.contains("Voor: Ria, 2324"), "{mail}");

        // Bram does not answer: his answer time passes and the job moves on by itself.
        sqlx::query("UPDATE match_proposals SET respond_by = $2 WHERE request_id = $1 AND volunteer_user_id = $3")
            .bind(&id)
            .bind(now_ms() - 1000)
            .bind(&v2)
            .execute(store.pool())
            .await
            .unwrap();
        let moved = mantelkring::matching_expiry::run(store, "http://127.0.0.1")
            .await
            .unwrap();
        assert_eq!(moved.expired, 1, "{be:?}");
        assert_eq!(moved.proposed, 1, "{be:?}");
        let list = proposals_of(store, &id).await;
        let statuses: Vec<&str> = list.iter().map(|(_, s, _)| s.as_str()).collect();
        assert_eq!(statuses, ["declined", "expired", "proposed"], "{be:?}");
        let (next, _, by) = &list[2];
        assert!(next != &v1 && next != &v2, "{be:?}: the next candidate");
        assert_eq!(next, &v3, "{be:?}: Chris is the only one left who fits");
        assert_eq!(by, &None, "proposed by the job");
        assert_eq!(status_of(store, &id).await, RequestStatus::Proposed);
        answer_link(&d.app, "chris@example.org").await;
        // Running again does nothing new.
        let again = mantelkring::matching_expiry::run(store, "http://127.0.0.1")
            .await
            .unwrap();
        assert_eq!((again.expired, again.proposed), (0, 0));

        // Chris accepts; Peter marks the help as given.
        let mut tx = store.begin_write().await.unwrap();
        let chris = proposals::of_request(&mut tx, &id).await.unwrap();
        let waiting = chris
            .iter()
            .find(|p| p.status == ProposalStatus::Proposed)
            .unwrap()
            .id
            .clone();
        proposals::answer(&mut tx, &waiting, &v3, true, now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let html = text(peter.get(&page).await).await;
        assert!(html.contains("Hulp is gegeven"), "{be:?}");
        let r = peter
            .post(
                &format!("{page}/stap"),
                &[("voorstel", &waiting), ("stap", "uitgevoerd")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(status_of(store, &id).await, RequestStatus::Done);
        // Ria sees the history.
        let html = text(ria.get(&page).await).await;
        assert!(html.contains("Uitgevoerd") && html.contains("Vrijwilliger gevonden"));
    }
}

/// The values of the batch page's checkboxes (`request:volunteer`).
fn ticked(html: &str) -> Vec<String> {
    html.split("name=\"koppel\" type=\"checkbox\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_batch_proposal_sends_the_ticked_pairs_and_skips_what_changed() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let store = &d.app.store;
        let pap = Languages::EMPTY.with(Language::Nl).with(Language::Pap);
        let v1 = volunteer(&d.app, "amina@example.org", "Amina Bakr", "2323", pap).await;
        let v2 = volunteer(&d.app, "bram@example.org", "Bram Vos", "2322", pap).await;
        let a = stored_request(&d).await;
        let b = stored_request(&d).await;
        let peter = d.browser_as(Role::VolunteerCoordinator).await;
        let r = peter.get("/vrijwilligers/koppelen").await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Verstuur voorstellen"), "{be:?}");
        assert!(html.contains("Totale score"), "{be:?}");
        let mine: Vec<String> = ticked(&html)
            .into_iter()
            .filter(|v| v.starts_with(&format!("{a}:")) || v.starts_with(&format!("{b}:")))
            .collect();
        assert_eq!(mine.len(), 2, "{be:?}: both requests proposed: {mine:?}");
        assert!(mine.iter().all(|v| v.ends_with(&v1) || v.ends_with(&v2)));
        assert!(html.contains(" km · kan "), "{be:?}: why-line");
        // Meanwhile Ria cancels request a.
        let ria = user_id(store, email_of(Role::Caregiver)).await;
        let mut tx = store.begin_write().await.unwrap();
        requests::cancel(
            &mut tx,
            &a,
            mantelkring_store::matching::Actor::user(&ria),
            "",
            now_ms(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut fields: Vec<(&str, &str)> = mine.iter().map(|v| ("koppel", v.as_str())).collect();
        fields.push(("regio", ""));
        let r = peter.post("/vrijwilligers/koppelen", &fields).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("1 voorstel is verstuurd"), "{be:?}: {html}");
        assert!(html.contains("de hulpvraag staat niet meer open"), "{be:?}");
        assert_eq!(status_of(store, &b).await, RequestStatus::Proposed);
        assert_eq!(status_of(store, &a).await, RequestStatus::Cancelled);
        let sent_to = &proposals_of(store, &b).await[0].0;
        let email = if sent_to == &v1 {
            "amina@example.org"
        } else {
            "bram@example.org"
        };
        answer_link(&d.app, email).await;
        // Nothing ticked: a clear message.
        let r = peter
            .post("/vrijwilligers/koppelen", &[("regio", "")])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(text(r).await.contains("Vink minstens één koppeling aan."));
    }
}

/// Who may NOT use the coordinator's pages and steps: a volunteer, the caregiver, a coordinator
/// without the second factor (sent to it), a coordinator of another region (their own region's
/// pages do not show this request). Nothing is written.
#[tokio::test]
async fn who_may_not_use_the_coordinators_pages() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let store = &d.app.store;
        let pap = Languages::EMPTY.with(Language::Nl).with(Language::Pap);
        let v1 = volunteer(&d.app, "amina@example.org", "Amina Bakr", "2323", pap).await;
        let id = stored_request(&d).await;
        let page = format!("/hulpvragen/{id}");

        // A coordinator of another region, with a second factor.
        const SECRET: &str = "MATCHINGOTHERREGIONCOORDINATORAA";
        let other = new_user(&d.app, "olga@example.org", "Olga Groen").await;
        let mut tx = store.begin_write().await.unwrap();
        let region = base::insert_region(&mut tx, "Regio Elders").await.unwrap();
        let org = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name: "Vrijwilligerscentrale Elders",
                kind: OrganisationKind::VolunteerOrganisation,
                municipality_id: None,
                website: None,
            },
        )
        .await
        .unwrap();
        base::add_membership(&mut tx, &other, &org.id, Role::VolunteerCoordinator)
            .await
            .unwrap();
        mantelkring_store::identity::enable_totp(&mut tx, &other, SECRET)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let olga = Browser::new(&d.app);
        olga.login("olga@example.org", demo::DEMO_PASSWORD).await;
        second_factor(&olga, SECRET).await;
        // Peter without his second factor.
        let peter_half = Browser::new(&d.app);
        let r = peter_half
            .login(email_of(Role::VolunteerCoordinator), demo::DEMO_PASSWORD)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let youssef = d.browser_as(Role::Volunteer).await;
        let ria = d.browser_as(Role::Caregiver).await;

        let proposals_before = count(store, "match_proposals").await;
        let events_before = count(store, "help_request_events").await;
        let jobs_before = count(
            store,
            "jobs WHERE kind = 'email' AND payload LIKE '%/hulp/antwoord/%'",
        )
        .await;
        let pair = format!("{id}:{v1}");
        let gets = [
            "/vrijwilligers/hulpvragen".to_string(),
            "/vrijwilligers/koppelen".to_string(),
            page.clone(),
        ];
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                format!("{page}/voorstel"),
                vec![("vrijwilliger", v1.as_str())],
            ),
            (
                format!("{page}/stap"),
                vec![("voorstel", "x"), ("stap", "intrekken")],
            ),
            (
                "/vrijwilligers/koppelen".to_string(),
                vec![("koppel", pair.as_str()), ("regio", "")],
            ),
        ];
        // The volunteer: refused everywhere.
        for path in &gets {
            let r = youssef.get(path).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} volunteer {path}");
        }
        for (path, fields) in &posts {
            let r = youssef.post(path, fields).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} volunteer {path}");
        }
        // Without the second factor: to the second-factor step, every time.
        for path in &gets {
            let r = peter_half.get(path).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?} no 2FA {path}");
            assert!(location(&r).starts_with("/inloggen/code"), "{be:?} {path}");
        }
        for (path, fields) in &posts {
            let r = peter_half.post(path, fields).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?} no 2FA {path}");
            assert!(location(&r).starts_with("/inloggen/code"));
        }
        // Another region: not this request, not in the lists.
        assert_eq!(
            olga.get(&page).await.status(),
            StatusCode::FORBIDDEN,
            "{be:?}"
        );
        for (path, fields) in posts.iter().take(2) {
            let r = olga.post(path, fields).await;
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{be:?} other region {path}"
            );
        }
        for path in ["/vrijwilligers/hulpvragen", "/vrijwilligers/koppelen"] {
            let r = olga.get(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{be:?}: her own region");
            assert!(!text(r).await.contains(&id), "{be:?}: not our request");
        }
        let r = olga.post("/vrijwilligers/koppelen", &posts[2].1).await;
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{be:?}: skipped, not sent"
        );
        // The caregiver reads her request but takes no coordinator step.
        assert_eq!(ria.get(&page).await.status(), StatusCode::OK);
        for (path, fields) in &posts {
            let r = ria.post(path, fields).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} caregiver {path}");
        }
        assert_eq!(
            ria.get("/vrijwilligers/koppelen").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            count(store, "match_proposals").await,
            proposals_before,
            "{be:?}"
        );
        assert_eq!(count(store, "help_request_events").await, events_before);
        assert_eq!(
            count(
                store,
                "jobs WHERE kind = 'email' AND payload LIKE '%/hulp/antwoord/%'"
            )
            .await,
            jobs_before,
            "{be:?}: no e-mail"
        );
        assert_eq!(status_of(store, &id).await, RequestStatus::Open);
    }
}
