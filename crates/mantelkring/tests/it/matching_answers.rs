//! Hulpvraag en aanbod: answering a proposal, through HTTP on the demo region. By the e-mail's
//! link without an account (`/hulp/antwoord/{token}`: a GET changes nothing, the POST answers
//! once, a used link is 410, an expired one 410, an unknown one 404, every access with its own
//! audit record), and in the app (`/vrijwilliger/voorstellen/{id}`). Before accepting the
//! volunteer sees only first name, neighbourhood, task and time — never the address or phone —
//! and after accepting also those. Who may NOT: another volunteer opening or answering someone
//! else's proposal, anyone evaluating for the wrong side. Both sides evaluate once.

use crate::identity::Browser;
use crate::matching_volunteers::{RIA_PHONE, RIA_POSTCODE, YOUSSEF, records, world};
use crate::screening_checks::{location, text, user_id};
use mantelkring_core::access::{Action, ProposalStanding, Relationship, Resource, may};
use mantelkring_core::base::Role;
use mantelkring_core::time::now_ms;
use mantelkring_store::matching::Actor;
use mantelkring_store::matching::proposals;
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

/// (action, outcome, detail) of the answer-link records, oldest first.
async fn link_records(store: &mantelkring_store::Store) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT action, outcome, detail FROM audit_log \
         WHERE purpose = 'single_use_link' AND data_category = 'help_request' ORDER BY seq",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_answer_link_accepts_once_and_shows_the_address_only_after_accepting() {
    for db in TestDatabase::all().await {
        let w = world(db).await;
        let be = w.app.store.backend();
        let store = &w.app.store;
        let vera = w
            .active_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
            .await;
        let request = w.open_request().await;
        let (proposal, link) = w.propose(&request, &vera).await;
        assert_eq!(link.len(), "/hulp/antwoord/".len() + 64);

        // Without an account: the limited view, two buttons. A GET changes nothing, also with
        // the choice from the e-mail.
        let visitor = Browser::new(&w.app);
        for path in [link.clone(), format!("{link}?keuze=ja")] {
            let r = visitor.get(&path).await;
            assert_eq!(r.status(), StatusCode::OK, "{be:?} {path}");
            let html = text(r).await;
            assert!(html.contains("Ria"), "{be:?}: the first name");
            assert!(html.contains("2312"), "{be:?}: the neighbourhood");
            assert!(html.contains("Boodschappen"), "{be:?}: the task");
            for secret in [RIA_PHONE, RIA_POSTCODE, "de Vries", "ria.devries@"] {
                assert!(!html.contains(secret), "{be:?}: {secret} before accepting");
            }
            assert!(html.contains("name=\"keuze\" value=\"ja\""));
            assert!(html.contains("name=\"keuze\" value=\"nee\""));
        }
        assert!(
            text(visitor.get(&format!("{link}?keuze=ja")).await)
                .await
                .contains("U koos in de e-mail voor ja")
        );
        assert_eq!(w.proposal_status(&proposal).await, "proposed", "{be:?}");

        // A choice that is neither yes nor no: 400 in Dutch, nothing answered.
        let r = visitor.post(&link, &[("keuze", "misschien")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        assert!(text(r).await.contains("Kies ja of nee."));
        assert_eq!(w.proposal_status(&proposal).await, "proposed");

        // Yes: the thank-you page, without the address (not logged in: it says so).
        let r = visitor.post(&link, &[("keuze", "ja")]).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Dank u wel!"), "{be:?}");
        assert!(html.contains("als u bent ingelogd"), "{be:?}");
        assert!(!html.contains(RIA_PHONE) && !html.contains(RIA_POSTCODE));
        assert!(html.contains(&format!("/vrijwilliger/voorstellen/{proposal}")));
        assert_eq!(w.proposal_status(&proposal).await, "accepted", "{be:?}");

        // The link works once: a second GET or POST is 410 with a clear page.
        let r = visitor.get(&link).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        assert!(text(r).await.contains("Deze link is al gebruikt"));
        let r = visitor.post(&link, &[("keuze", "nee")]).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        assert_eq!(w.proposal_status(&proposal).await, "accepted");

        // Logged in as Vera: the in-app page now shows how to reach Ria.
        let b = w.browser_of("vera.vrijwilliger@example.nl").await;
        let r = b
            .get(&format!("/vrijwilliger/voorstellen/{proposal}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(
            html.contains(RIA_PHONE) && html.contains(RIA_POSTCODE),
            "{be:?}"
        );
        assert!(
            html.contains("de Vries"),
            "{be:?}: the full name after accepting"
        );
        let logged = records(store, &vera, "help_request").await;
        assert!(
            logged
                .iter()
                .any(|(o, p)| o == "success" && p == "matched_volunteer"),
            "{logged:?}"
        );

        // Every access by the link has its own record: reads, the refused answer, the answer,
        // the used link.
        let linked = link_records(store).await;
        let detail = format!("match_proposal={proposal}");
        assert!(
            linked.iter().all(|(_, _, d)| d.starts_with(&detail)),
            "{linked:?}"
        );
        assert!(
            linked
                .iter()
                .any(|(a, o, _)| a == "update" && o == "success")
        );
        assert!(
            linked
                .iter()
                .any(|(a, o, d)| a == "read" && o == "denied" && d.ends_with("link_used")),
            "{linked:?}"
        );
        // The request log never shows the token (the filter is unit-tested in the web crate);
        // the database keeps only its hash.
        let token = link.rsplit('/').next().unwrap();
        let (hash,): (String,) =
            sqlx::query_as("SELECT token_hash FROM match_proposals WHERE id = $1")
                .bind(&proposal)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(hash, mantelkring_core::identity::token_hash(token));
    }
}

#[tokio::test]
async fn declining_by_link_expired_and_unknown_links_are_clear_pages() {
    for db in TestDatabase::all().await {
        let w = world(db).await;
        let be = w.app.store.backend();
        let vera = w
            .active_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
            .await;
        let visitor = Browser::new(&w.app);

        // No: declined, and the request goes to the next candidate at once (afgewezen →
        // volgende kandidaat), proposed by the system with its own e-mail and answer links.
        let request = w.open_request().await;
        let (proposal, link) = w.propose(&request, &vera).await;
        let mails_before = crate::identity::count(
            &w.app.store,
            "jobs WHERE kind = 'email' AND payload LIKE '%/hulp/antwoord/%'",
        )
        .await;
        let r = visitor.post(&link, &[("keuze", "nee")]).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        assert!(text(r).await.contains("U heeft nee gezegd"));
        assert_eq!(w.proposal_status(&proposal).await, "declined", "{be:?}");
        let (status,): (String,) = sqlx::query_as("SELECT status FROM help_requests WHERE id = $1")
            .bind(&request)
            .fetch_one(w.app.store.pool())
            .await
            .unwrap();
        assert_eq!(status, "proposed", "{be:?}: on to the next candidate");
        let (next, by): (String, Option<String>) = sqlx::query_as(
            "SELECT volunteer_user_id, proposed_by_user_id FROM match_proposals \
             WHERE request_id = $1 AND status = 'proposed'",
        )
        .bind(&request)
        .fetch_one(w.app.store.pool())
        .await
        .unwrap();
        assert_ne!(next, vera, "{be:?}: not Vera again");
        assert_eq!(by, None, "{be:?}: proposed by the system");
        assert_eq!(
            crate::identity::count(
                &w.app.store,
                "jobs WHERE kind = 'email' AND payload LIKE '%/hulp/antwoord/%'",
            )
            .await,
            mails_before + 1,
            "{be:?}: the next one's e-mail"
        );
        assert_eq!(visitor.get(&link).await.status(), StatusCode::GONE);

        // Past its answer time (still waiting in the database): expired, 410, not answered.
        let late = w.open_request().await;
        let hours_ago = now_ms() - 49 * 3_600_000;
        let (late_proposal, late_link) = w.propose_at(&late, &vera, hours_ago).await;
        let r = visitor.get(&late_link).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        assert!(text(r).await.contains("Deze link is verlopen"));
        let r = visitor.post(&late_link, &[("keuze", "ja")]).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        assert_eq!(w.proposal_status(&late_proposal).await, "proposed");
        // Once the job expired it: still 410.
        let mut tx = w.app.store.begin_write().await.unwrap();
        proposals::expire_overdue(&mut tx, now_ms()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(w.proposal_status(&late_proposal).await, "expired");
        let r = visitor.get(&late_link).await;
        assert_eq!(r.status(), StatusCode::GONE, "{be:?}");
        assert!(text(r).await.contains("Deze link is verlopen"));

        // Unknown or malformed links: 404 with a clear page, never a 500.
        for path in [
            format!("/hulp/antwoord/{}", "ab".repeat(32)),
            "/hulp/antwoord/onzin".to_string(),
        ] {
            let r = visitor.get(&path).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{be:?} {path}");
            assert!(text(r).await.contains("Deze link kennen we niet"));
            let r = visitor.post(&path, &[("keuze", "ja")]).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{be:?} {path}");
        }
    }
}

#[tokio::test]
async fn a_volunteer_answers_in_the_app_and_may_not_open_someone_elses_proposal() {
    for db in TestDatabase::all().await {
        let w = world(db).await;
        let be = w.app.store.backend();
        let store = &w.app.store;
        let vera = w
            .active_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
            .await;
        let request = w.open_request().await;
        let (proposal, _) = w.propose(&request, &vera).await;
        let page = format!("/vrijwilliger/voorstellen/{proposal}");
        let b = w.browser_of("vera.vrijwilliger@example.nl").await;

        // Her list and the limited view.
        let html = text(b.get("/vrijwilliger/voorstellen").await).await;
        assert!(html.contains(&page), "{be:?}");
        let r = b.get(&page).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Ria") && html.contains("Boodschappen"));
        assert!(
            !html.contains(RIA_PHONE) && !html.contains(RIA_POSTCODE),
            "{be:?}"
        );
        assert!(!html.contains("de Vries"), "{be:?}");

        // Someone else: Youssef may not open, answer or evaluate Vera's proposal.
        let youssef = w.browser_as(Role::Volunteer).await;
        assert_eq!(youssef.get(&page).await.status(), StatusCode::FORBIDDEN);
        let r = youssef
            .post(&format!("{page}/antwoord"), &[("keuze", "ja")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?}");
        assert_eq!(
            youssef.get(&format!("{page}/evaluatie")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert!(
            !text(youssef.get("/vrijwilliger/voorstellen").await)
                .await
                .contains(&page)
        );
        // An unknown proposal: refused the same way (no hint that it exists or not).
        assert_eq!(
            youssef
                .get("/vrijwilliger/voorstellen/00000000-0000-0000-0000-000000000000")
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        // The caregiver has no volunteer pages.
        let ria = w.browser_as(Role::Caregiver).await;
        assert_eq!(ria.get(&page).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            ria.get("/vrijwilliger/voorstellen").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(w.proposal_status(&proposal).await, "proposed");
        let youssef_id = user_id(store, YOUSSEF).await;
        let refused = records(store, &youssef_id, "help_request").await;
        assert!(
            refused.iter().filter(|(o, _)| o == "denied").count() >= 3,
            "{refused:?}"
        );
        // The policy for the request itself: a volunteer who was not proposed is refused.
        let mut youssef_actor = mantelkring_core::access::Actor {
            user_id: youssef_id.clone(),
            ..Default::default()
        };
        youssef_actor.personal_roles.push(Role::Volunteer);
        let nobody = Relationship::default();
        for standing in [None, Some(ProposalStanding::Ended)] {
            assert!(
                !may(
                    Some(&youssef_actor),
                    Action::Read,
                    &Resource::HelpRequest {
                        relationship: &nobody,
                        coordinates_region: false,
                        proposal: standing,
                    },
                )
                .is_allowed()
            );
        }

        // Bad choice: 400; then yes: the full view.
        let r = b.post(&format!("{page}/antwoord"), &[("keuze", "")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        assert!(text(r).await.contains("Kies ja of nee."));
        let r = b
            .post(&format!("{page}/antwoord"), &[("keuze", "ja")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(location(&r), format!("{page}?gedaan=ja"));
        let html = text(b.get(&location(&r)).await).await;
        assert!(
            html.contains(RIA_PHONE) && html.contains(RIA_POSTCODE),
            "{be:?}"
        );
        assert_eq!(w.proposal_status(&proposal).await, "accepted");
        // Answering again: a clear refusal.
        let r = b
            .post(&format!("{page}/antwoord"), &[("keuze", "nee")])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}");
        // Still refused to Youssef after she accepted.
        assert_eq!(youssef.get(&page).await.status(), StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn both_sides_evaluate_once_after_the_help_was_given() {
    for db in TestDatabase::all().await {
        let w = world(db).await;
        let be = w.app.store.backend();
        let store = &w.app.store;
        let vera = w
            .active_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
            .await;
        let request = w.open_request().await;
        let (proposal, link) = w.propose(&request, &vera).await;
        let vera_b = w.browser_of("vera.vrijwilliger@example.nl").await;
        let ria = w.browser_as(Role::Caregiver).await;
        let volunteer_form = format!("/vrijwilliger/voorstellen/{proposal}/evaluatie");
        let caregiver_form = format!("/hulpvragen/{request}/evaluatie");

        // Not yet: the help was not given.
        assert_eq!(
            vera_b.get(&volunteer_form).await.status(),
            StatusCode::CONFLICT
        );
        let r = ria.get(&caregiver_form).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}");
        assert!(text(r).await.contains("als de hulp is gegeven"));

        let r = Browser::new(&w.app).post(&link, &[("keuze", "ja")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            vera_b.get(&volunteer_form).await.status(),
            StatusCode::CONFLICT
        );
        let mut tx = store.begin_write().await.unwrap();
        proposals::mark_done(&mut tx, &proposal, Actor::user(&w.peter), now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The volunteer: the form, bad input 400, then once.
        let r = vera_b.get(&volunteer_form).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("U heeft Ria geholpen"), "{be:?}");
        assert!(html.contains("name=\"cijfer\" type=\"radio\" value=\"5\""));
        let r = vera_b
            .post(&volunteer_form, &[("cijfer", "9"), ("opnieuw", "")])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Kies hoe het ging.") && html.contains("Kies ja of nee."));
        let r = vera_b
            .post(
                &volunteer_form,
                &[
                    ("cijfer", "5"),
                    ("opnieuw", "ja"),
                    ("toelichting", "Gezellig!"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let r = vera_b
            .post(&volunteer_form, &[("cijfer", "4"), ("opnieuw", "ja")])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}");
        assert!(text(r).await.contains("maar één keer"));

        // Who may not evaluate for the caregiver: another volunteer, a member who does not act
        // for Ria (Sanne sees the agenda, but may not change requests).
        let youssef = w.browser_as(Role::Volunteer).await;
        assert_eq!(
            youssef.get(&caregiver_form).await.status(),
            StatusCode::FORBIDDEN
        );
        let r = youssef
            .post(&caregiver_form, &[("cijfer", "1"), ("opnieuw", "nee")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let sanne = w.browser_as(Role::NetworkMember).await;
        assert_eq!(
            sanne.get(&caregiver_form).await.status(),
            StatusCode::FORBIDDEN
        );
        let r = sanne
            .post(&caregiver_form, &[("cijfer", "1"), ("opnieuw", "nee")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?}");

        // Ria: once, and "not again" blocks Vera for her kring.
        let html = text(ria.get(&caregiver_form).await).await;
        assert!(html.contains("Vera Visser heeft geholpen"), "{be:?}");
        let r = ria
            .post(&caregiver_form, &[("cijfer", "2"), ("opnieuw", "nee")])
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        assert!(text(r).await.contains("Dank u wel voor uw antwoord"));
        let (status,): (String,) = sqlx::query_as("SELECT status FROM help_requests WHERE id = $1")
            .bind(&request)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(status, "evaluated", "{be:?}");
        let (blocks,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM volunteer_blocks WHERE volunteer_user_id = $1 AND network_id = $2",
        )
        .bind(&vera)
        .bind(&w.network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(blocks, 1, "{be:?}");
        let r = ria
            .post(&caregiver_form, &[("cijfer", "3"), ("opnieuw", "ja")])
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{be:?}");
        let (evaluations,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM match_evaluations WHERE proposal_id = $1")
                .bind(&proposal)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(evaluations, 2);
    }
}
