//! Signaleren, signals (issue 6) on the demo region, on SQLite and on PostgreSQL: every rule
//! raises through the job `screening_signals` exactly once for its cause; the batch agrees with
//! the one-network evaluation; who a signal goes to; following a signal up and closing it (only
//! with a note); who may NOT see signals; the region's rules change what fires; the worklist, the
//! meeting view and their audit records.

use crate::identity::{Browser, demo_app, email_of};
use crate::support::{TestApp, reset_ria_kring};
use mantelkring::demo;
use mantelkring::screening_signals;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::jobs::EmailJob;
use mantelkring_core::network::{MemberKind, MemberStatus, NotifyMode};
use mantelkring_core::screening::instrument::Catalogue;
use mantelkring_core::screening::rules::{DAY_MS, evaluate};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod, regie};
use mantelkring_store::screening::{self, batch, signals};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, audit, new_id};
use reqwest::StatusCode;

const MARIEKE: &str = "marieke.jansen@demo.mantelkring.nl";

/// Nothing of signaleren in the database (whatever the demo or the start-up run wrote).
async fn clear_screening(store: &Store) {
    for table in [
        "signal_events",
        "signals",
        "help_request_markers",
        "screening_links",
        "screening_checks",
        "contacts",
        "contact_plans",
        "signal_rule_settings",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(store.pool())
            .await
            .unwrap();
    }
}

/// The demo on every backend, Ria's kring as the kring tests have it (Marieke with every
/// category, Sanne with agenda and messages, no regiehouder), the start-up jobs done and no
/// signaleren data: (app, Ria's person id, her network id).
async fn demo_apps() -> Vec<(TestApp, String, String)> {
    let mut apps = Vec::new();
    for db in TestDatabase::all().await {
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        apps.push(prepare(app, seeded.caregiver_person_id).await);
    }
    apps
}

async fn prepare(app: TestApp, ria_person: String) -> (TestApp, String, String) {
    crate::support::settle_start_up_jobs(&app.store).await;
    reset_ria_kring(&app.store, &ria_person).await;
    clear_screening(&app.store).await;
    let mut conn = app.store.pool().acquire().await.unwrap();
    let network = network::network_of(&mut conn, &ria_person).await.unwrap();
    drop(conn);
    (app, ria_person, network)
}

async fn user_id(store: &Store, email: &str) -> String {
    base::find_user_by_email(store, email)
        .await
        .unwrap()
        .expect("user")
        .id
}

async fn member_id(store: &Store, network: &str, name: &str) -> String {
    let mut conn = store.pool().acquire().await.unwrap();
    members::list(&mut conn, network, Some(MemberStatus::Active))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name}"))
        .id
}

async fn check(store: &Store, network: &str, instrument: &str, score: i64, at: i64) -> String {
    let id = new_id();
    sqlx::query(
        "INSERT INTO screening_checks (id, network_id, instrument, instrument_version, answers, \
           status, score, mode, started_at, updated_at, completed_at) \
         VALUES ($1, $2, $3, '1', '', 'complete', $4, 'conversation', $5, $5, $5)",
    )
    .bind(&id)
    .bind(network)
    .bind(instrument)
    .bind(score)
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

async fn contact(
    store: &Store,
    network: &str,
    kind: &str,
    cannot_cope: bool,
    by: &str,
    at: i64,
) -> String {
    let id = new_id();
    sqlx::query(
        "INSERT INTO contacts (id, network_id, kind, happened_at, note, cannot_cope, by_user_id, \
           created_at) VALUES ($1, $2, $3, $4, '', $5, $6, $4)",
    )
    .bind(&id)
    .bind(network)
    .bind(kind)
    .bind(at)
    .bind(i64::from(cannot_cope))
    .bind(by)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

async fn question(store: &Store, network: &str, by: &str, at: i64) -> String {
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_messages (id, network_id, author_user_id, kind, body, to_all, \
           created_at) VALUES ($1, $2, $3, 'question', 'Wie kan dinsdag rijden?', 1, $4)",
    )
    .bind(&id)
    .bind(network)
    .bind(by)
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

async fn unfilled_task(store: &Store, network: &str, by: &str, since: i64) -> String {
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_tasks (id, network_id, title, weekly, first_on, needed, \
           created_by_user_id, created_at, help_wanted_at) \
         VALUES ($1, $2, 'Boodschappen', 1, '2026-01-05', 1, $3, $4, $4)",
    )
    .bind(&id)
    .bind(network)
    .bind(by)
    .bind(since)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

/// Leaves only the signals of `network` (the demo's other kringen may raise their own).
async fn only_in(store: &Store, network: &str) {
    for sql in [
        "DELETE FROM signal_events WHERE signal_id IN \
           (SELECT id FROM signals WHERE network_id <> $1)",
        "DELETE FROM signals WHERE network_id <> $1",
    ] {
        sqlx::query(sql)
            .bind(network)
            .execute(store.pool())
            .await
            .unwrap();
    }
}

async fn run(store: &Store, now: i64) -> screening_signals::Evaluated {
    screening_signals::run_at(store, &Catalogue::built_in(), "http://127.0.0.1", now)
        .await
        .unwrap()
}

/// (rule, cause) of a network's signals, sorted.
async fn causes(store: &Store, network: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT rule, cause FROM signals WHERE network_id = $1 ORDER BY rule, cause")
        .bind(network)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

async fn emails_after(store: &Store, after_job: i64) -> Vec<EmailJob> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'email' AND id > $1 ORDER BY id")
            .bind(after_job)
            .fetch_all(store.pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(p,)| serde_json::from_str(&p).unwrap())
        .collect()
}

async fn last_job(store: &Store) -> i64 {
    let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM jobs")
        .fetch_one(store.pool())
        .await
        .unwrap();
    id.unwrap_or(0)
}

#[tokio::test]
async fn every_rule_raises_once_for_its_cause_through_the_job() {
    for (app, _, net) in demo_apps().await {
        let be = app.store.backend().name();
        let store = &app.store;
        let marieke = user_id(store, MARIEKE).await;
        let now = now_ms();
        // CSI 5, then 9 (at or over 7, and a rise of 4 ≥ 3) forty days ago; the last contact in
        // which Ria was reached fifty days ago, when she said "het gaat niet meer"; a question
        // open for ten days, a task unfilled for eight; no regiehouder since Marieke and Sanne
        // joined (now) — fifteen days on, that is over the default 14.
        check(store, &net, "csi", 5, now - 60 * DAY_MS).await;
        let high = check(store, &net, "csi", 9, now - 40 * DAY_MS).await;
        let coping = contact(store, &net, "phone", true, &marieke, now - 50 * DAY_MS).await;
        contact(store, &net, "no_answer", false, &marieke, now - 5 * DAY_MS).await;
        let q = question(store, &net, &marieke, now - 10 * DAY_MS).await;
        let task_since = now - 8 * DAY_MS;
        let task = unfilled_task(store, &net, &marieke, task_since).await;
        let later = now + 15 * DAY_MS;
        let (regie_since,): (i64,) = sqlx::query_as(
            "SELECT MIN(joined_at) FROM network_members WHERE network_id = $1 AND status = 'active'",
        )
        .bind(&net)
        .fetch_one(store.pool())
        .await
        .unwrap();

        let before = last_job(store).await;
        let first = run(store, later).await;
        let mut expected = vec![
            ("cannot_cope".to_string(), format!("cannot_cope:{coping}")),
            ("no_contact".to_string(), format!("no_contact:{coping}")),
            (
                "no_regiehouder".to_string(),
                format!("no_regiehouder:{regie_since}"),
            ),
            ("question_unanswered".to_string(), format!("question:{q}")),
            ("score_high".to_string(), format!("score_high:{high}")),
            ("score_rose".to_string(), format!("score_rose:{high}")),
            (
                "task_unfilled".to_string(),
                format!("task:{task}:{task_since}"),
            ),
        ];
        expected.sort();
        assert_eq!(causes(store, &net).await, expected, "{be}");
        assert!(first.raised >= 7, "{be}: {first:?}");
        let (events,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM signal_events e JOIN signals s ON s.id = e.signal_id \
             WHERE s.network_id = $1 AND e.status = 'new' AND e.by_user_id IS NULL",
        )
        .bind(&net)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(events, 7, "{be}: each signal starts its history");

        // One e-mail per recipient for the run: Marieke (no regiehouder: the professionals),
        // with the count and the link, and nothing about the caregiver's health.
        let mails = emails_after(store, before).await;
        let to_marieke: Vec<_> = mails.iter().filter(|m| m.to == MARIEKE).collect();
        assert_eq!(to_marieke.len(), 1, "{be}: {mails:?}");
        let body = &to_marieke[0].body_text;
        assert!(body.contains("http://127.0.0.1/signalen"), "{body}");
        assert!(body.contains("nieuwe signalen"), "{body}");
        for secret in ["CSI", "Ria", "score", "het gaat niet meer"] {
            assert!(!body.contains(secret), "{be}: {secret} in {body}");
        }

        // Again: nothing new, no e-mail.
        let before = last_job(store).await;
        let second = run(store, later).await;
        assert_eq!(second.raised, 0, "{be}");
        assert_eq!(second.emails, 0, "{be}");
        assert!(emails_after(store, before).await.is_empty(), "{be}");
        assert_eq!(causes(store, &net).await, expected, "{be}");

        // A new check is a new cause (and a rise from 9 to 12 too); the old ones stay single.
        let newer = check(store, &net, "csi", 12, now - DAY_MS).await;
        let third = run(store, later).await;
        let after = causes(store, &net).await;
        assert!(after.contains(&("score_high".into(), format!("score_high:{newer}"))));
        assert!(after.contains(&("score_rose".into(), format!("score_rose:{newer}"))));
        assert_eq!(after.len(), 9, "{be}: {after:?}");
        assert_eq!(third.raised, 2, "{be}");
    }
}

/// A small deterministic random source for generated networks.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

#[tokio::test]
async fn the_batch_finds_the_same_causes_as_evaluating_each_network() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let be = store.backend().name();
        let now = now_ms();
        let mut tx = store.begin_write().await.unwrap();
        let region = base::insert_region(&mut tx, "Regio Test").await.unwrap();
        let code = mantelkring_core::base::CbsCode::parse("GM0546").unwrap();
        let municipality = base::insert_municipality(&mut tx, Some(&region.id), &code, "Leiden")
            .await
            .unwrap();
        let helper = base::insert_user(
            &mut tx,
            &NewUser {
                email: "hulp@example.org",
                display_name: "Hulp",
                person_id: None,
                password_hash: None,
                totp_secret: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The region has its own rules: an EDIZ threshold and shorter days.
        let mut conn = store.pool().acquire().await.unwrap();
        let mut own = mantelkring_core::screening::rules::RuleSettings::default();
        own.thresholds.insert("ediz".into(), 4);
        own.question_days = Some(3);
        own.no_contact_days = Some(10);
        screening::save_region_settings(&mut conn, &region.id, &own, &helper)
            .await
            .unwrap();
        drop(conn);

        let mut rng = Rng(7);
        let mut networks = Vec::new();
        for i in 0..60 {
            let mut tx = store.begin_write().await.unwrap();
            let in_region = rng.below(2) == 0;
            let person = base::insert_person(
                &mut tx,
                &NewPerson {
                    given_name: "Mantelzorger",
                    family_name: &format!("{i}"),
                    email: None,
                    phone: None,
                    postcode: None,
                    municipality_id: in_region.then_some(municipality.id.as_str()),
                },
            )
            .await
            .unwrap();
            let net = network::network_of(&mut tx, &person).await.unwrap();
            if rng.below(3) > 0 {
                let consent = network::record_consent(
                    &mut tx,
                    &person,
                    network::MEMBERSHIP_SCOPE,
                    ConsentMethod::Verbal,
                    &helper,
                )
                .await
                .unwrap();
                let member = members::add(
                    &mut tx,
                    &NewMember {
                        network_id: &net,
                        user_id: &helper,
                        organisation_id: None,
                        kind: MemberKind::Professional,
                        field: None,
                        role_label: "",
                        categories: &DataCategory::GRANTABLE,
                        notify: NotifyMode::Digest,
                        acts_for_caregiver: false,
                    },
                    &consent,
                    By {
                        user_id: &helper,
                        on_behalf: false,
                    },
                )
                .await
                .unwrap();
                sqlx::query("UPDATE network_members SET joined_at = $1 WHERE id = $2")
                    .bind(now - rng.below(40) as i64 * DAY_MS)
                    .bind(&member)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                if rng.below(3) == 0 {
                    regie::appoint(
                        &mut tx,
                        &net,
                        &member,
                        "",
                        By {
                            user_id: &helper,
                            on_behalf: false,
                        },
                    )
                    .await
                    .unwrap()
                    .unwrap();
                }
            }
            tx.commit().await.unwrap();
            for _ in 0..rng.below(7) {
                let instrument = if rng.below(2) == 0 { "csi" } else { "ediz" };
                let score = rng.below(14) as i64;
                let at = now - rng.below(90) as i64 * DAY_MS - rng.below(1000) as i64;
                check(&store, &net, instrument, score, at).await;
            }
            for _ in 0..rng.below(4) {
                let kind = ["phone", "home_visit", "no_answer"][rng.below(3) as usize];
                let coping = kind != "no_answer" && rng.below(4) == 0;
                let at = now - rng.below(60) as i64 * DAY_MS;
                contact(&store, &net, kind, coping, &helper, at).await;
            }
            for _ in 0..rng.below(3) {
                question(&store, &net, &helper, now - rng.below(20) as i64 * DAY_MS).await;
            }
            if rng.below(3) == 0 {
                unfilled_task(&store, &net, &helper, now - rng.below(15) as i64 * DAY_MS).await;
            }
            networks.push(net);
        }
        let catalogue = Catalogue::built_in();
        let mut conn = store.pool().acquire().await.unwrap();
        let rules = screening::rule_context(&mut conn, &catalogue)
            .await
            .unwrap();
        let evaluated = batch::evaluate_all(&mut conn, store.backend(), &rules, now)
            .await
            .unwrap();
        let mut fired = 0;
        for net in &networks {
            let facts = signals::facts(&mut conn, net).await.unwrap();
            let region = signals::region_of(&mut conn, net).await.unwrap();
            let (settings, thresholds) = rules.for_region(region.as_deref());
            let mut one: Vec<String> = evaluate(settings, &thresholds, &facts, now)
                .into_iter()
                .map(|r| r.cause)
                .collect();
            let mut all: Vec<String> = evaluated
                .iter()
                .find(|e| e.network_id == *net)
                .map(|e| e.causes.iter().map(|r| r.cause.clone()).collect())
                .unwrap_or_default();
            one.sort();
            all.sort();
            assert_eq!(all, one, "{be}: network {net}");
            // And what `evaluate_network` (the one-network path after a write) raises.
            let mut tx = store.begin_write().await.unwrap();
            signals::evaluate_network(&mut tx, &rules, net, now)
                .await
                .unwrap();
            let mut raised: Vec<String> =
                sqlx::query_as::<_, (String,)>("SELECT cause FROM signals WHERE network_id = $1")
                    .bind(net)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|(c,)| c)
                    .collect();
            tx.rollback().await.unwrap();
            raised.sort();
            assert_eq!(all, raised, "{be}: network {net}");
            fired += one.len();
        }
        assert!(
            fired > 30,
            "{be}: the generated networks exercise the rules ({fired})"
        );
        // The region's EDIZ threshold made some EDIZ signal fire.
        assert!(
            evaluated
                .iter()
                .flat_map(|e| &e.causes)
                .any(|r| r.detail.instrument.as_deref() == Some("ediz")),
            "{be}"
        );
        // And raising twice raises once.
        let raised = batch::raise_new(&store, &evaluated, now).await.unwrap();
        assert_eq!(raised.len(), fired, "{be}");
        assert!(
            batch::raise_new(&store, &evaluated, now)
                .await
                .unwrap()
                .is_empty()
        );
        drop(conn);
        store.close().await;
    }
}

#[tokio::test]
async fn signals_go_to_the_regiehouder_or_else_the_professionals() {
    for (app, _, net) in demo_apps().await {
        let be = app.store.backend().name();
        let store = &app.store;
        let ria = user_id(store, email_of(Role::Caregiver)).await;
        let by_ria = By {
            user_id: &ria,
            on_behalf: false,
        };
        let recipients = |store: &Store, net: String| {
            let store = store.clone();
            async move {
                let mut conn = store.pool().acquire().await.unwrap();
                let one = signals::recipients(&mut conn, &net).await.unwrap();
                let many = batch::recipients_of(&mut conn, &[net.as_str()])
                    .await
                    .unwrap();
                assert_eq!(many.get(&net).cloned().unwrap_or_default(), one);
                let streamed = batch::recipients_streamed(&mut conn, &[net.as_str()])
                    .await
                    .unwrap();
                assert_eq!(streamed.get(&net).cloned().unwrap_or_default(), one);
                one.into_iter().map(|r| r.email).collect::<Vec<_>>()
            }
        };
        // No regiehouder: the professionals who see checks (Marieke).
        assert_eq!(recipients(store, net.clone()).await, [MARIEKE], "{be}");
        // Sanne becomes regiehouder, but does not see checks: still Marieke.
        let sanne = member_id(store, &net, "Sanne de Vries").await;
        let mut tx = store.begin_write().await.unwrap();
        regie::appoint(&mut tx, &net, &sanne, "", by_ria)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(recipients(store, net.clone()).await, [MARIEKE], "{be}");
        // With checks and signals shared with her, the regiehouder alone.
        let mut tx = store.begin_write().await.unwrap();
        members::set_categories(
            &mut tx,
            &net,
            &sanne,
            &[
                DataCategory::Agenda,
                DataCategory::Messages,
                DataCategory::Checks,
            ],
            false,
            by_ria,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let sanne_email = email_of(Role::NetworkMember);
        assert_eq!(recipients(store, net.clone()).await, [sanne_email], "{be}");
        // The job: the signal is hers (owner) and so is the e-mail. (What the demo's other
        // kringen raise is raised first.)
        let now = now_ms();
        run(store, now).await;
        check(store, &net, "csi", 10, now - DAY_MS).await;
        let before = last_job(store).await;
        run(store, now).await;
        let (owner,): (Option<String>,) = sqlx::query_as(
            "SELECT owner_user_id FROM signals WHERE network_id = $1 AND rule = 'score_high'",
        )
        .bind(&net)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(owner, Some(user_id(store, sanne_email).await), "{be}");
        let mails = emails_after(store, before).await;
        assert!(mails.iter().any(|m| m.to == sanne_email), "{be}");
        assert!(!mails.iter().any(|m| m.to == MARIEKE), "{be}: {mails:?}");
    }
}

/// Marieke, logged in with her second factor.
async fn marieke(app: &TestApp) -> Browser<'_> {
    let b = Browser::new(app);
    b.login_as(Role::Professional).await;
    b
}

async fn signal_id(store: &Store, net: &str, rule: &str) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM signals WHERE network_id = $1 AND rule = $2")
            .bind(net)
            .bind(rule)
            .fetch_one(store.pool())
            .await
            .unwrap();
    id
}

#[tokio::test]
async fn a_signal_is_followed_up_and_closed_only_with_a_note() {
    for (app, _, net) in demo_apps().await {
        let be = app.store.backend().name();
        let store = &app.store;
        let now = now_ms();
        check(store, &net, "csi", 9, now - 3 * DAY_MS).await;
        run(store, now).await;
        let id = signal_id(store, &net, "score_high").await;
        let b = marieke(&app).await;
        let page = format!("/kringen/{net}/signaleren/signalen");
        let r = b.get(&page).await;
        assert_eq!(r.status(), StatusCode::OK, "{be}");
        let html = r.text().await.unwrap();
        assert!(html.contains("CSI-score 9, grens 7"), "{be}: {html}");
        assert!(html.contains("Nieuw"), "{be}");

        let marieke_id = user_id(store, MARIEKE).await;
        let form = format!("{page}/{id}");
        // In progress, with Marieke as owner and a follow-up date.
        let follow_up = mantelkring_core::network::agenda::Day::local(now)
            .plus(7)
            .iso();
        let r = b
            .post(
                &form,
                &[
                    ("status", "in_progress"),
                    ("eigenaar", &marieke_id),
                    ("opvolgen", &follow_up),
                    ("notitie", "Ik bel Ria deze week."),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("{page}#signaal-{id}")
        );
        // Closing without a note: refused in Dutch, nothing written.
        let r = b
            .post(
                &form,
                &[
                    ("status", "done"),
                    ("eigenaar", &marieke_id),
                    ("notitie", "  "),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Schrijf op wat er is gedaan voordat u het signaal afrondt."),
            "{be}"
        );
        let (status, events): (String, i64) = sqlx::query_as(
            "SELECT s.status, (SELECT COUNT(*) FROM signal_events e WHERE e.signal_id = s.id) \
             FROM signals s WHERE s.id = $1",
        )
        .bind(&id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!((status.as_str(), events), ("in_progress", 2), "{be}");
        // A follow-up date in the past, an owner who is not in the kring: refused.
        let r = b
            .post(
                &form,
                &[("status", "in_progress"), ("opvolgen", "2020-01-01")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("ligt in het verleden"));
        let stranger = user_id(store, email_of(Role::Administrator)).await;
        let r = b
            .post(&form, &[("status", "in_progress"), ("eigenaar", &stranger)])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        // Closing with a note: done, and in the history.
        let r = b
            .post(
                &form,
                &[
                    ("status", "done"),
                    ("eigenaar", &marieke_id),
                    ("notitie", "Gebeld; respijtzorg aangevraagd."),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let (status, closed): (String, Option<i64>) =
            sqlx::query_as("SELECT status, closed_at FROM signals WHERE id = $1")
                .bind(&id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(status, "done", "{be}");
        assert!(closed.is_some(), "{be}");
        let html = b.get(&page).await.text().await.unwrap();
        assert!(html.contains("Afgeronde signalen"), "{be}");
        assert!(
            html.contains("“Gebeld; respijtzorg aangevraagd.”"),
            "{be}: history"
        );
        assert!(html.contains("“Ik bel Ria deze week.”"), "{be}: history");
        // The job does not raise the closed cause again.
        assert_eq!(run(store, now).await.raised, 0, "{be}");
        // Every read and write of the page went through the checks category in the log.
        let records = audit::all(store).await.unwrap();
        assert!(records.iter().any(|r| r.action == "update"
            && r.outcome == "success"
            && r.data_category.as_deref() == Some("checks")));
    }
}

async fn last_audit(store: &Store) -> (String, String, String) {
    let last = audit::all(store).await.unwrap().pop().unwrap();
    (last.action, last.outcome, last.purpose)
}

#[tokio::test]
async fn who_may_not_see_a_signal() {
    for (app, _, net) in demo_apps().await {
        let be = app.store.backend().name();
        let store = &app.store;
        let now = now_ms();
        check(store, &net, "csi", 11, now - DAY_MS).await;
        run(store, now).await;
        let id = signal_id(store, &net, "score_high").await;
        let page = format!("/kringen/{net}/signaleren/signalen");
        let form = format!("{page}/{id}");

        // Not logged in: to the login page.
        let anonymous = Browser::new(&app);
        for path in [page.as_str(), "/signalen", "/signalen/overleg"] {
            let r = anonymous.get(path).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}: {path}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/inloggen"),
                "{be}"
            );
        }

        // Sanne is a member without checks and signals.
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let r = sanne.get(&page).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        assert_eq!(
            last_audit(store).await,
            (
                "read".into(),
                "denied".into(),
                "category_not_granted".into()
            ),
            "{be}"
        );
        let r = sanne
            .post(&form, &[("status", "done"), ("notitie", "x")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        let html = sanne.get("/signalen").await.text().await.unwrap();
        assert!(
            html.contains("U bent nog geen lid van een kring waarin u checks en signalen ziet."),
            "{be}"
        );
        assert!(!html.contains("CSI"), "{be}");

        // A professional outside the network.
        let (joris, _) = crate::screening_checks::professional_elsewhere(&app).await;
        let r = joris.get(&page).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        assert_eq!(
            last_audit(store).await,
            ("read".into(), "denied".into(), "no_relationship".into()),
            "{be}"
        );
        let r = joris
            .post(&form, &[("status", "done"), ("notitie", "x")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        for path in ["/signalen", "/signalen/overleg"] {
            let r = joris.get(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{be}");
            let html = r.text().await.unwrap();
            assert!(
                !html.contains("Ria"),
                "{be}: {path} lists only his networks"
            );
        }

        // Marieke without her second factor: to the code step, logged as refused.
        let half = Browser::new(&app);
        let r = half.login(MARIEKE, demo::DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        for path in [page.as_str(), "/signalen", "/signalen/overleg"] {
            let r = half.get(path).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}: {path}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/inloggen/code"),
                "{be}: {path}"
            );
            assert_eq!(
                last_audit(store).await,
                (
                    "read".into(),
                    "denied".into(),
                    "second_factor_required".into()
                ),
                "{be}: {path}"
            );
        }
        let (status,): (String,) = sqlx::query_as("SELECT status FROM signals WHERE id = $1")
            .bind(&id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(status, "new", "{be}: nobody refused changed it");
    }
}

#[tokio::test]
async fn the_region_rules_change_what_fires() {
    for (app, _, net) in demo_apps().await {
        let be = app.store.backend().name();
        let store = &app.store;
        let now = now_ms();
        let ediz = check(store, &net, "ediz", 5, now - DAY_MS).await;
        run(store, now).await;
        assert!(
            causes(store, &net).await.is_empty(),
            "{be}: the EDIZ has no threshold of its own"
        );
        let admin = Browser::new(&app);
        admin.login_as(Role::Administrator).await;
        let html = admin
            .get("/beheer/signaalregels")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Grens voor EDIZ"), "{be}");
        let region: (String,) = sqlx::query_as("SELECT id FROM regions ORDER BY name LIMIT 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let region = region.0;
        let mut fields = vec![
            ("regio", region.as_str()),
            ("score_hoog", "1"),
            ("grens_ediz", "4"),
            ("stijging_aan", "1"),
            ("stijging", "3"),
            ("gaat_niet_meer", "1"),
        ];
        // A threshold over the highest score: refused in Dutch, nothing stored.
        let mut bad = fields.clone();
        bad.push(("grens_csi", "99"));
        let r = admin.post("/beheer/signaalregels", &bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("De grens voor CSI is hoger dan de hoogste score (13)."),
            "{be}"
        );
        let mut bad = fields.clone();
        bad.extend([("vraag_aan", "1"), ("vraag", "zeven")]);
        let r = admin.post("/beheer/signaalregels", &bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("vul een heel getal in"));
        let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM signal_rule_settings")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(stored, 0, "{be}");

        fields.push(("grens_csi", ""));
        let r = admin.post("/beheer/signaalregels", &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let mut conn = store.pool().acquire().await.unwrap();
        let settings = screening::region_settings(&mut conn, &region)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(settings.thresholds.get("ediz"), Some(&4), "{be}");
        assert_eq!(settings.no_contact_days, None, "{be}: switched off");
        assert_eq!(settings.rise_by, Some(3), "{be}");
        let html = admin
            .get(&format!(
                "/beheer/signaalregels?regio={region}&opgeslagen=1"
            ))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("zijn opgeslagen"), "{be}");

        // Ria lives in the region: her EDIZ 5 is now at or over 4.
        run(store, now).await;
        assert_eq!(
            causes(store, &net).await,
            [("score_high".to_string(), format!("score_high:{ediz}"))],
            "{be}"
        );
        // Only administrators.
        let marieke = marieke(&app).await;
        let r = marieke.get("/beheer/signaalregels").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        let r = marieke.post("/beheer/signaalregels", &fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
    }
}

#[tokio::test]
async fn the_worklist_and_the_meeting_show_the_signals_of_my_networks_with_one_record_each() {
    let (app, ria_person) = demo_app().await;
    let (app, ria_person, net) = prepare(app, ria_person).await;
    let store = &app.store;
    let now = now_ms();
    check(store, &net, "csi", 8, now - 2 * DAY_MS).await;
    let marieke_id = user_id(store, MARIEKE).await;
    contact(store, &net, "phone", true, &marieke_id, now - DAY_MS).await;
    run(store, now).await;
    only_in(store, &net).await;
    let b = marieke(&app).await;

    let records_before = audit::all(store).await.unwrap().len();
    let r = b.get("/signalen").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ria de Vries: Score hoog"), "{html}");
    assert!(
        html.contains("Ria de Vries: “Het gaat niet meer”"),
        "{html}"
    );
    assert!(html.contains("2 signalen"), "{html}");
    let records = audit::all(store).await.unwrap();
    let new: Vec<_> = records[records_before..].iter().collect();
    // One record for the one caregiver shown (Ria), whatever the number of her signals.
    let about_ria: Vec<_> = new
        .iter()
        .filter(|r| r.subject_person_id.as_deref() == Some(ria_person.as_str()))
        .collect();
    assert_eq!(about_ria.len(), 1, "{new:?}");
    assert_eq!(about_ria[0].data_category.as_deref(), Some("checks"));
    assert_eq!(about_ria[0].action, "read");
    assert_eq!(
        audit::verify(store).await.unwrap(),
        Ok(records.len() as i64)
    );

    // "Mine": none yet; after Marieke takes one, that one.
    let html = b.get("/signalen?mijn=1").await.text().await.unwrap();
    assert!(html.contains("Er zijn geen signalen die bij deze keuze passen."));
    let id = signal_id(store, &net, "score_high").await;
    let r = b
        .post(
            &format!("/kringen/{net}/signaleren/signalen/{id}"),
            &[("status", "in_progress"), ("eigenaar", &marieke_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b.get("/signalen?mijn=1").await.text().await.unwrap();
    assert!(
        html.contains("1 signaal") && html.contains("Score hoog"),
        "{html}"
    );
    assert!(!html.contains("Het gaat niet meer"));
    let html = b.get("/signalen?status=done").await.text().await.unwrap();
    assert!(html.contains("Er zijn geen signalen die bij deze keuze passen."));

    // Pages of 50: 55 signals raised by hand more make 57 open ones over two pages.
    let mut tx = store.begin_write().await.unwrap();
    for i in 0..55 {
        let raised = signals::manual(&format!("Gesprek {i}"), None);
        signals::raise(&mut tx, &net, &raised, Some(&marieke_id), now - i * 60_000)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let html = b.get("/signalen").await.text().await.unwrap();
    assert!(html.contains("57 signalen"), "{html}");
    assert_eq!(html.matches("<li class=\"mk-signal").count(), 50);
    assert!(
        html.contains("href=\"/signalen?status=open&#38;pagina=2\""),
        "{html}"
    );
    let html = b.get("/signalen?pagina=2").await.text().await.unwrap();
    assert_eq!(html.matches("<li class=\"mk-signal").count(), 7);
    let html = b.get("/signalen?pagina=9").await.text().await.unwrap();
    assert_eq!(
        html.matches("<li class=\"mk-signal").count(),
        7,
        "past the end: the last page"
    );
    sqlx::query("DELETE FROM signal_events WHERE signal_id IN (SELECT id FROM signals WHERE rule = 'manual')")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM signals WHERE rule = 'manual'")
        .execute(store.pool())
        .await
        .unwrap();

    // The meeting, by caregiver and by rule, and the printable agenda (logged as print).
    let html = b.get("/signalen/overleg").await.text().await.unwrap();
    assert!(
        html.contains("<h2 class=\"mk-heading-2\" id=\"groep-"),
        "{html}"
    );
    assert!(html.contains("Ria de Vries <span"), "{html}");
    assert!(html.contains("2 open signalen"));
    let html = b
        .get("/signalen/overleg?groep=regel")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Score hoog <span"), "{html}");
    let r = b.get("/signalen/overleg/afdrukken?groep=regel").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Agenda signaaloverleg"), "{html}");
    assert!(html.contains("Afspraak:"));
    let last = audit::all(store).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.subject_person_id.as_deref()),
        ("print", Some(ria_person.as_str()))
    );
}
