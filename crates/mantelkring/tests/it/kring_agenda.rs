//! The kring's care agenda over HTTP, on the demo region (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set): agreements, one-off and weekly tasks, signing up for one
//! occurrence with a real form button, bad input refused with a Dutch message and nothing
//! written, the unfilled pass (as a job and from the command line), the iCalendar file, and who
//! may NOT see or change the agenda.

use crate::identity::{Browser, count, email_of};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::network::agenda::{ClockTime, Day, Schedule};
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_core::time::now_ms;
use mantelkring_store::Store;
use mantelkring_store::base::{self, NewPerson};
use mantelkring_store::network::agenda::{self, NewTask};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

const DAY_MS: i64 = 86_400_000;

/// The demo region on every configured backend: the app and Ria's person id.
async fn demo_apps() -> Vec<(TestApp, String)> {
    let mut out = Vec::new();
    for db in TestDatabase::all().await {
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
        crate::support::settle_start_up_jobs(&app.store).await;
        out.push((app, seeded.caregiver_person_id));
    }
    out
}

fn backend(app: &TestApp) -> &'static str {
    app.store.backend().name()
}

async fn user_id(store: &Store, role: Role) -> String {
    base::find_user_by_email(store, email_of(role))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn ria_network(store: &Store, ria: &str) -> String {
    let mut conn = store.pool().acquire().await.unwrap();
    network::network_of(&mut conn, ria).await.unwrap()
}

/// Puts the demo user of `role` in the network with `categories` (with Ria's consent).
async fn add_member(
    store: &Store,
    network_id: &str,
    ria: &str,
    role: Role,
    kind: MemberKind,
    categories: &[DataCategory],
) -> String {
    let ria_user = user_id(store, Role::Caregiver).await;
    let member_user = user_id(store, role).await;
    let mut tx = store.begin_write().await.unwrap();
    let consent = network::record_consent(
        &mut tx,
        ria,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        &ria_user,
    )
    .await
    .unwrap();
    let id = members::add(
        &mut tx,
        &NewMember {
            network_id,
            user_id: &member_user,
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
    id
}

/// Sanne's member id in Ria's network.
async fn member_id_of(store: &Store, network_id: &str, role: Role) -> String {
    let user = user_id(store, role).await;
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM network_members WHERE network_id = $1 AND user_id = $2 AND status = 'active'",
    )
    .bind(network_id)
    .bind(&user)
    .fetch_one(store.pool())
    .await
    .unwrap();
    id
}

/// A task written straight to the store, by Ria.
async fn store_task(
    store: &Store,
    network_id: &str,
    title: &str,
    schedule: Schedule,
    start: Option<&str>,
    needed: u32,
) -> String {
    let ria_user = user_id(store, Role::Caregiver).await;
    let mut tx = store.begin_write().await.unwrap();
    let id = agenda::add_task(
        &mut tx,
        &NewTask {
            network_id,
            title,
            details: "",
            schedule,
            start: start.map(|s| ClockTime::parse(s).unwrap()),
            end: None,
            needed,
        },
        By {
            user_id: &ria_user,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn today() -> Day {
    Day::local(now_ms())
}

/// "di 24 nov", as the Dutch page writes a day in a button's accessible name.
fn short_nl(day: Day) -> String {
    let weekday = ["ma", "di", "wo", "do", "vr", "za", "zo"][day.weekday().number() as usize - 1];
    let iso = day.iso();
    let month: usize = iso[5..7].parse().unwrap();
    let dom: u32 = iso[8..10].parse().unwrap();
    let mon = [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ][month - 1];
    format!("{weekday} {dom} {mon}")
}

async fn active_signups(store: &Store) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM network_task_signups WHERE withdrawn_at IS NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
    n
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The one task (by title) the store has, for its id.
async fn task_id(store: &Store, title: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM network_tasks WHERE title = $1")
        .bind(title)
        .fetch_one(store.pool())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_member_adds_tasks_and_signs_up_with_a_real_button_then_withdraws() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;

        let page = sanne.get(&agenda_path).await;
        assert_eq!(page.status(), StatusCode::OK, "{be}");
        let html = page.text().await.unwrap();
        assert!(html.contains("Zorgagenda van Ria de Vries"), "{be}");
        assert!(html.contains("geen taken in de agenda"), "{be}");
        let form = sanne.get(&format!("{agenda_path}/taken/nieuw")).await;
        assert_eq!(form.status(), StatusCode::OK, "{be}");
        assert!(form.text().await.unwrap().contains("name=\"titel\""));

        // A one-off task the day after tomorrow, a weekly one from tomorrow for three weeks.
        let t = today();
        let r = sanne
            .post(
                &format!("{agenda_path}/taken"),
                &[
                    ("titel", "Naar de huisarts"),
                    ("details", "Afspraak om half elf, graag 10 minuten eerder."),
                    ("soort", "eenmalig"),
                    ("datum", &t.plus(2).iso()),
                    ("begin", "10:15"),
                    ("eind", "11:30"),
                    ("aantal", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(
            location(&r),
            format!("{agenda_path}?klaar=taak#dag-{}", t.plus(2).iso())
        );
        let r = sanne
            .post(
                &format!("{agenda_path}/taken"),
                &[
                    ("titel", "Boodschappen"),
                    ("soort", "wekelijks"),
                    ("datum", &t.plus(1).iso()),
                    ("tot", &t.plus(15).iso()),
                    ("begin", "9:00"),
                    ("aantal", "2"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");

        // The store's view: occurrences over a range.
        let mut conn = app.store.pool().acquire().await.unwrap();
        let list = agenda::occurrences(&mut conn, &network_id, t, t.plus(27))
            .await
            .unwrap();
        drop(conn);
        let days: Vec<(i64, &str)> = list
            .iter()
            .map(|o| (o.day.0 - t.0, o.title.as_str()))
            .collect();
        assert_eq!(
            days,
            vec![
                (1, "Boodschappen"),
                (2, "Naar de huisarts"),
                (8, "Boodschappen"),
                (15, "Boodschappen")
            ],
            "{be}"
        );
        assert!(list[0].weekly && !list[1].weekly);
        assert_eq!(list[1].end.map(ClockTime::hhmm).as_deref(), Some("11:30"));

        // The page: unfilled occurrences visible as text, a real form with a button per occurrence.
        let html = sanne
            .get(&format!("{agenda_path}?klaar=taak"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("De taak staat in de agenda."), "{be}");
        assert!(html.contains("nog niemand"), "{be}");
        assert!(html.contains("Nog 2 mensen nodig"), "{be}");
        assert!(html.contains("Nog 1 persoon nodig"), "{be}");
        assert!(html.contains("Er is nog 4 keer iemand nodig."), "{be}");
        let shop = task_id(&app.store, "Boodschappen").await;
        let day = t.plus(8);
        let action = format!("{agenda_path}/taken/{shop}/{}/aanmelden", day.iso());
        let form_start = html
            .find(&format!(
                "<form class=\"mk-inline-form\" method=\"post\" action=\"{action}\">"
            ))
            .unwrap_or_else(|| panic!("{be}: no sign-up form for {action}"));
        let form_html = &html[form_start..form_start + html[form_start..].find("</form>").unwrap()];
        assert!(form_html.contains("name=\"csrf\""));
        assert!(
            form_html.contains(&format!(
                "<button class=\"mk-button\" type=\"submit\">Ik doe het<span class=\"mk-visually-hidden\"> — Boodschappen, {}</span></button>",
                short_nl(day)
            )),
            "{be}: the button names task and date: {form_html}"
        );

        // Sign up: back to the agenda at that day; the name and a withdraw button appear.
        let r = sanne.post(&action, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(
            location(&r),
            format!("{agenda_path}?klaar=aangemeld#dag-{}", day.iso())
        );
        assert_eq!(active_signups(&app.store).await, 1);
        let html = sanne.get(&agenda_path).await.text().await.unwrap();
        assert!(html.contains("Sanne de Vries"), "{be}");
        assert!(html.contains(&format!(
            "action=\"{agenda_path}/taken/{shop}/{}/afmelden\"",
            day.iso()
        )));
        assert!(html.contains("Nog 1 persoon nodig"), "{be}: one of two");

        // Twice: 400 with a Dutch message, nothing written.
        let r = sanne.post(&action, &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("U bent al aangemeld voor deze taak op deze datum.")
        );
        assert_eq!(active_signups(&app.store).await, 1);

        // Withdraw, returning to a page of this site named in `terug` (the overview posts so).
        let withdraw = format!("{agenda_path}/taken/{shop}/{}/afmelden", day.iso());
        let r = sanne
            .post(&withdraw, &[("terug", &format!("/kringen/{network_id}"))])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(location(&r), format!("/kringen/{network_id}"));
        assert_eq!(active_signups(&app.store).await, 0);
        // Another host is never a place to return to.
        let r = sanne
            .post(&action, &[("terug", "//elders.example/pagina")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(location(&r), "/");
        // Withdrawing what is not signed up: 400.
        let r = sanne.post(&withdraw, &[]).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{be}: still signed up from above"
        );
        let r = sanne.post(&withdraw, &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("U was niet aangemeld"));
    }
}

#[tokio::test]
async fn bad_sign_ups_are_refused_with_a_dutch_message_and_nothing_is_written() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let t = today();
        let weekly = store_task(
            &app.store,
            &network_id,
            "Wandelen",
            Schedule::Weekly {
                from: t.plus(-7),
                until: None,
            },
            None,
            1,
        )
        .await;
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let audit_before = count(&app.store, "audit_log").await;
        for (day, message) in [
            (t.plus(1).iso(), "Op deze datum is deze taak er niet."),
            (t.plus(-7).iso(), "Deze datum is al geweest."),
            ("morgen".to_string(), "Deze datum klopt niet."),
            ("2026-02-30".to_string(), "Deze datum klopt niet."),
        ] {
            let r = sanne
                .post(
                    &format!("{agenda_path}/taken/{weekly}/{day}/aanmelden"),
                    &[],
                )
                .await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}: {day}");
            let html = r.text().await.unwrap();
            assert!(html.contains(message), "{be}: {day}: {html}");
            assert!(html.contains("Terug naar de zorgagenda"));
        }
        let r = sanne
            .post(
                &format!(
                    "{agenda_path}/taken/0190-onbekend/{}/aanmelden",
                    t.plus(7).iso()
                ),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("Deze taak bestaat niet"));
        assert_eq!(active_signups(&app.store).await, 0, "{be}");
        assert_eq!(
            count(&app.store, "audit_log").await,
            audit_before,
            "{be}: a refused change leaves no record of a change"
        );

        // A full occurrence cannot take one more.
        let sanne_member = member_id_of(&app.store, &network_id, Role::NetworkMember).await;
        add_member(
            &app.store,
            &network_id,
            &ria,
            Role::Volunteer,
            MemberKind::Volunteer,
            &[DataCategory::Agenda],
        )
        .await;
        let mut tx = app.store.begin_write().await.unwrap();
        agenda::sign_up(&mut tx, &network_id, &weekly, t.plus(7), &sanne_member, t)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let youssef = Browser::new(&app);
        youssef.login_as(Role::Volunteer).await;
        let page = youssef.get(&agenda_path).await.text().await.unwrap();
        assert!(page.contains("Genoeg mensen"), "{be}");
        assert!(
            !page.contains(&format!("{weekly}/{}/aanmelden", t.plus(7).iso())),
            "{be}: no button for a full occurrence"
        );
        let r = youssef
            .post(
                &format!("{agenda_path}/taken/{weekly}/{}/aanmelden", t.plus(7).iso()),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("al genoeg mensen"));
        assert_eq!(active_signups(&app.store).await, 1, "{be}");

        // The caregiver has no sign-up of her own: she sees who signed up, and no button.
        let ria_browser = Browser::new(&app);
        ria_browser.login_as(Role::Caregiver).await;
        let html = ria_browser.get(&agenda_path).await.text().await.unwrap();
        assert!(html.contains("Sanne de Vries"), "{be}");
        assert!(!html.contains("Ik doe het"), "{be}");
        assert!(html.contains("Mensen uit uw kring kunnen zich zelf aanmelden"));
        let r = ria_browser
            .post(
                &format!(
                    "{agenda_path}/taken/{weekly}/{}/aanmelden",
                    t.plus(14).iso()
                ),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Als mantelzorger hoeft u zich niet aan te melden")
        );
        assert_eq!(active_signups(&app.store).await, 1, "{be}");
    }
}

#[tokio::test]
async fn bad_task_and_agreement_forms_are_refused_and_nothing_is_written() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let t = today();
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let good = [
            ("titel", "Boodschappen"),
            ("soort", "eenmalig"),
            ("datum", ""),
            ("begin", ""),
            ("eind", ""),
            ("aantal", "1"),
        ];
        let past = t.plus(-1).iso();
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("titel", "  ")], "Schrijf wat er moet gebeuren."),
            (vec![("datum", &past)], "Deze datum is al geweest."),
            (vec![("datum", "31-02-2027")], "Deze datum klopt niet."),
            (
                vec![("begin", "10:00"), ("eind", "09:00")],
                "De eindtijd moet na de begintijd liggen.",
            ),
            (vec![("begin", "25:00")], "Deze tijd klopt niet."),
            (
                vec![("aantal", "0")],
                "Vul een aantal in van 1 tot en met 10.",
            ),
            (
                vec![("soort", "maandelijks")],
                "Kies: één keer of elke week.",
            ),
            (vec![("titel", "Boodschappen\u{7}")], "Gebruik gewone tekst"),
        ];
        let tomorrow = t.plus(1).iso();
        for (changes, message) in cases {
            let mut fields: Vec<(&str, &str)> = good.to_vec();
            fields.retain(|(k, _)| k != &"datum");
            fields.push(("datum", &tomorrow));
            for (k, v) in &changes {
                fields.retain(|(f, _)| f != k);
                fields.push((k, v));
            }
            let r = sanne.post(&format!("{agenda_path}/taken"), &fields).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}: {changes:?}");
            let html = r.text().await.unwrap();
            assert!(html.contains(message), "{be}: {changes:?}: {html}");
            assert!(html.contains("Er klopt iets niet"), "{be}: the summary");
            assert!(html.contains("aria-invalid=\"true\""), "{be}");
        }
        assert_eq!(count(&app.store, "network_tasks").await, 0, "{be}");

        let r = sanne
            .post(
                &format!("{agenda_path}/afspraken"),
                &[
                    ("wat", "Boodschappen op dinsdag"),
                    ("wie", ""),
                    ("vanaf", &t.iso()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(r.text().await.unwrap().contains("Kies wie het doet."));
        let r = sanne
            .post(
                &format!("{agenda_path}/afspraken"),
                &[
                    ("wat", "Boodschappen op dinsdag"),
                    ("wie", "anders"),
                    ("wie_anders", ""),
                    ("vanaf", &t.iso()),
                    ("bespreken", &t.plus(-1).iso()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Schrijf de naam van wie het doet."), "{be}");
        assert!(html.contains("ligt voor de startdatum"), "{be}");
        let r = sanne
            .post(
                &format!("{agenda_path}/afspraken"),
                &[
                    ("wat", "Iets"),
                    ("wie", "0190-geen-lid"),
                    ("vanaf", &t.iso()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("hoort niet (meer) bij de kring")
        );
        assert_eq!(count(&app.store, "network_agreements").await, 0, "{be}");
    }
}

#[tokio::test]
async fn agreements_show_who_what_from_when_and_when_to_discuss_them() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let t = today();
        let sanne_member = member_id_of(&app.store, &network_id, Role::NetworkMember).await;
        let ria_browser = Browser::new(&app);
        ria_browser.login_as(Role::Caregiver).await;
        let form = ria_browser
            .get(&format!("{agenda_path}/afspraken/nieuw"))
            .await;
        assert_eq!(form.status(), StatusCode::OK, "{be}");
        let form = form.text().await.unwrap();
        assert!(form.contains(&format!(
            "<option value=\"{sanne_member}\">Sanne de Vries</option>"
        )));
        assert!(form.contains("Ria de Vries (mantelzorger)"));

        let r = ria_browser
            .post(
                &format!("{agenda_path}/afspraken"),
                &[
                    ("wat", "Sanne doet elke dinsdag de boodschappen"),
                    ("wie", &sanne_member),
                    ("vanaf", &t.plus(-14).iso()),
                    ("bespreken", &t.iso()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert_eq!(location(&r), format!("{agenda_path}?klaar=afspraak"));
        let r = ria_browser
            .post(
                &format!("{agenda_path}/afspraken"),
                &[
                    ("wat", "Medicijnen klaarzetten in de baxterrol"),
                    ("wie", "anders"),
                    ("wie_anders", "De thuiszorg"),
                    ("vanaf", &t.iso()),
                    ("bespreken", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");

        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let html = sanne.get(&agenda_path).await.text().await.unwrap();
        assert!(
            html.contains("Sanne doet elke dinsdag de boodschappen"),
            "{be}"
        );
        assert!(html.contains("De thuiszorg"), "{be}");
        assert!(
            html.contains("<p class=\"mk-badge mk-badge--stale\">Bespreken</p>"),
            "{be}: due for review"
        );
        assert_eq!(
            html.matches(">Bespreken</p>").count(),
            1,
            "{be}: only the due one"
        );
        assert!(
            !html.contains("Afspraak beëindigen"),
            "{be}: Sanne did not make them and does not speak for Ria"
        );

        // Sanne cannot end Ria's agreement by posting anyway: 403, and the refusal is logged.
        let ids: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM network_agreements ORDER BY starts_on")
                .fetch_all(app.store.pool())
                .await
                .unwrap();
        let end = format!("{agenda_path}/afspraken/{}/beeindigen", ids[0].0);
        let r = sanne.post(&end, &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        let (denied,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND data_category = 'agenda' \
             AND user_id = $1",
        )
        .bind(user_id(&app.store, Role::NetworkMember).await)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(denied, 1, "{be}");

        // Ria ends it.
        let r = ria_browser.post(&end, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let html = ria_browser.get(&agenda_path).await.text().await.unwrap();
        assert!(!html.contains("Sanne doet elke dinsdag"), "{be}");
        assert!(html.contains("Medicijnen klaarzetten"), "{be}");
        let r = ria_browser.post(&end, &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}: once");
    }
}

#[tokio::test]
async fn the_creator_or_the_caregiver_cancels_a_task() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let t = today();
        let rias = store_task(
            &app.store,
            &network_id,
            "Gras maaien",
            Schedule::Once { on: t.plus(3) },
            None,
            1,
        )
        .await;
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let r = sanne
            .post(
                &format!("{agenda_path}/taken"),
                &[
                    ("titel", "Ramen lappen"),
                    ("soort", "eenmalig"),
                    ("datum", &t.plus(4).iso()),
                    ("aantal", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let sannes = task_id(&app.store, "Ramen lappen").await;
        let html = sanne.get(&agenda_path).await.text().await.unwrap();
        assert!(html.contains(&format!("taken/{sannes}/annuleren")), "{be}");
        assert!(!html.contains(&format!("taken/{rias}/annuleren")), "{be}");

        let r = sanne
            .post(&format!("{agenda_path}/taken/{rias}/annuleren"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        let r = sanne
            .post(&format!("{agenda_path}/taken/{sannes}/annuleren"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let ria_browser = Browser::new(&app);
        ria_browser.login_as(Role::Caregiver).await;
        let r = ria_browser
            .post(&format!("{agenda_path}/taken/{rias}/annuleren"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        let (cancelled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM network_tasks WHERE cancelled_at IS NOT NULL")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert_eq!(cancelled, 2, "{be}");
        let html = ria_browser.get(&agenda_path).await.text().await.unwrap();
        assert!(!html.contains("Gras maaien") && !html.contains("Ramen lappen"));
    }
}

#[tokio::test]
async fn a_task_that_stays_unfilled_is_marked_for_volunteers_and_shown() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let t = today();
        let lonely = store_task(
            &app.store,
            &network_id,
            "Naar het ziekenhuis",
            Schedule::Once { on: t.plus(5) },
            Some("13:00"),
            1,
        )
        .await;
        let filled = store_task(
            &app.store,
            &network_id,
            "Boodschappen",
            Schedule::Weekly {
                from: t.plus(2),
                until: Some(t.plus(2)),
            },
            None,
            1,
        )
        .await;
        let recent = store_task(
            &app.store,
            &network_id,
            "Net toegevoegd",
            Schedule::Once { on: t.plus(1) },
            None,
            1,
        )
        .await;
        // The first two have been in the agenda for three days.
        sqlx::query("UPDATE network_tasks SET created_at = $1 WHERE id = $2 OR id = $3")
            .bind(now_ms() - 3 * DAY_MS)
            .bind(&lonely)
            .bind(&filled)
            .execute(app.store.pool())
            .await
            .unwrap();
        let sanne_member = member_id_of(&app.store, &network_id, Role::NetworkMember).await;
        let mut tx = app.store.begin_write().await.unwrap();
        agenda::sign_up(&mut tx, &network_id, &filled, t.plus(2), &sanne_member, t)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();

        // The worker queues the same pass at start and may have run it already: at most one
        // task is newly marked here, and afterwards exactly the lonely one is.
        assert!(
            mantelkring::kring_unfilled::run(&app.store).await.unwrap() <= 1,
            "{be}"
        );
        let mut conn = app.store.pool().acquire().await.unwrap();
        let wanted: Vec<_> = agenda::help_wanted_tasks(&mut conn, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|w| w.0 == network_id)
            .collect();
        drop(conn);
        assert_eq!(wanted.len(), 1, "{be}: {wanted:?}");
        assert_eq!(
            (wanted[0].0.as_str(), wanted[0].1.as_str()),
            (network_id.as_str(), lonely.as_str())
        );
        assert!(wanted.iter().all(|w| w.1 != filled && w.1 != recent));

        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let html = sanne
            .get(&format!("/kringen/{network_id}/agenda"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(html.matches(">Hulp gezocht</p>").count(), 1, "{be}");
        assert!(
            html.contains("vrijwilligerscentrale om hulp vragen"),
            "{be}"
        );
        let at = html.find("Naar het ziekenhuis").unwrap();
        let item = &html[at..at + html[at..].find("</li>").unwrap()];
        assert!(
            item.contains("Hulp gezocht") && item.contains("nog niemand"),
            "{be}"
        );
    }
}

#[tokio::test]
async fn the_worker_queues_and_runs_the_unfilled_pass_and_the_cli_runs_it_too() {
    use mantelkring::worker::{Ran, Worker};
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let lonely = store_task(
            &app.store,
            &network_id,
            "Naar de tandarts",
            Schedule::Once {
                on: today().plus(3),
            },
            None,
            1,
        )
        .await;
        sqlx::query("UPDATE network_tasks SET created_at = $1 WHERE id = $2")
            .bind(now_ms() - 5 * DAY_MS)
            .bind(&lonely)
            .execute(app.store.pool())
            .await
            .unwrap();
        // The running app's worker ran the pass it queued at start (`settle_start_up_jobs`); a worker of our
        // own queues one (once, however often asked) and runs it.
        let dir = crate::support::temp_dir("unfilled");
        let from: lettre::message::Mailbox = "Mantelkring <noreply@localhost>".parse().unwrap();
        let worker = Worker {
            store: app.store.clone(),
            mailer: mantelkring::mail::Mailer::new(&mantelkring::mail::MailSettings {
                smtp_url: None,
                mail_dir: dir.join("mail"),
                from: from.clone(),
            })
            .unwrap(),
            mail_from: from,
            retry_base: std::time::Duration::ZERO,
            poll: std::time::Duration::from_millis(20),
            wakeup: std::sync::Arc::new(tokio::sync::Notify::new()),
            public_url: "http://127.0.0.1".into(),
            stale_after_days: 183,
            instruments: std::sync::Arc::new(
                mantelkring_core::screening::instrument::Catalogue::built_in(),
            ),
        };
        sqlx::query("UPDATE network_tasks SET help_wanted_at = NULL")
            .execute(app.store.pool())
            .await
            .unwrap();
        worker.schedule_kring_unfilled().await;
        worker.schedule_kring_unfilled().await;
        let (queued,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'kring_unfilled' AND status = 'queued'",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert!(queued <= 1, "{be}: at most one waiting");
        // Run until the queue is empty (the app's worker may take it first).
        for _ in 0..100 {
            match worker.run_once().await.unwrap() {
                Ran::Nothing => {
                    let (left,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM jobs WHERE kind = 'kring_unfilled' AND status IN ('queued', 'running')",
                    )
                    .fetch_one(app.store.pool())
                    .await
                    .unwrap();
                    if left == 0 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Ran::Done(_) => {}
                other => panic!("{be}: {other:?}"),
            }
        }
        let (marked,): (Option<i64>,) =
            sqlx::query_as("SELECT help_wanted_at FROM network_tasks WHERE id = $1")
                .bind(&lonely)
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert!(marked.is_some(), "{be}: the job marked the task");
        let _ = std::fs::remove_dir_all(dir);

        // By hand: `mantelkring jobs unfilled`.
        sqlx::query("UPDATE network_tasks SET help_wanted_at = NULL")
            .execute(app.store.pool())
            .await
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mantelkring"))
            .args([
                "--database-url",
                &app.config.database_url,
                "jobs",
                "unfilled",
            ])
            .env("MANTELKRING_LOG", "warn")
            .env_remove("MANTELKRING_CONFIG")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{be}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("kring: 1 taak/taken gemarkeerd"),
            "{be}: {stdout}"
        );
    }
}

/// Content lines after unfolding (RFC 5545 3.1).
fn unfold(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_agenda_downloads_as_a_valid_icalendar_file() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let t = today();
        let ria_user = user_id(&app.store, Role::Caregiver).await;
        let mut tx = app.store.begin_write().await.unwrap();
        let weekly = agenda::add_task(
            &mut tx,
            &NewTask {
                network_id: &network_id,
                title: "Boodschappen; melk, brood en koffie",
                details: "Lijstje ligt op het aanrecht.\nBonnetje in de la\\kast. Ook graag even vragen of de buurvrouw nog iets nodig heeft, want zij komt slecht de deur uit sinds haar val.",
                schedule: Schedule::Weekly {
                    from: t.plus(1),
                    until: Some(t.plus(22)),
                },
                start: ClockTime::parse("09:30"),
                end: ClockTime::parse("11:00"),
                needed: 1,
            },
            By {
                user_id: &ria_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        store_task(
            &app.store,
            &network_id,
            "Verjaardag van moeder",
            Schedule::Once { on: t.plus(6) },
            None,
            2,
        )
        .await;
        store_task(
            &app.store,
            &network_id,
            "Wandelen",
            Schedule::Weekly {
                from: t.plus(3),
                until: None,
            },
            Some("14:00"),
            1,
        )
        .await;
        let sanne_member = member_id_of(&app.store, &network_id, Role::NetworkMember).await;
        let mut tx = app.store.begin_write().await.unwrap();
        agenda::sign_up(&mut tx, &network_id, &weekly, t.plus(8), &sanne_member, t)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();

        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let page = sanne
            .get(&format!("/kringen/{network_id}/agenda"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("href=\"/kringen/{network_id}/agenda.ics\"")));
        let r = sanne
            .get(&format!("/kringen/{network_id}/agenda.ics"))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{be}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar"),
            "{be}"
        );
        assert_eq!(r.headers()["cache-control"], "no-store");
        let ics = r.text().await.unwrap();

        // Every line ends with CRLF, none is longer than 75 octets.
        assert!(ics.ends_with("\r\n"));
        for line in ics.split("\r\n") {
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "{be}: bare line break"
            );
            assert!(line.len() <= 75, "{be}: {} octets: {line}", line.len());
        }
        assert!(
            ics.contains("\r\n "),
            "{be}: the long description is folded"
        );
        let lines = unfold(&ics);
        // BEGIN/END pairs nest properly.
        let mut stack: Vec<&str> = Vec::new();
        for line in &lines {
            if let Some(name) = line.strip_prefix("BEGIN:") {
                stack.push(name);
            } else if let Some(name) = line.strip_prefix("END:") {
                assert_eq!(stack.pop(), Some(name), "{be}: END:{name}");
            } else {
                assert!(
                    !stack.is_empty(),
                    "{be}: property outside a component: {line}"
                );
                assert!(line.contains(':'), "{be}: not a content line: {line}");
            }
        }
        assert!(stack.is_empty(), "{be}");
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        assert!(lines.iter().any(|l| l == "VERSION:2.0"));
        assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
        assert!(lines.iter().any(|l| l == "TZID:Europe/Amsterdam"));
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);
        // Each event has a UID and a DTSTAMP.
        let events: Vec<&[String]> = lines
            .split(|l| l == "BEGIN:VEVENT")
            .skip(1)
            .map(|rest| &rest[..rest.iter().position(|l| l == "END:VEVENT").unwrap()])
            .collect();
        for e in &events {
            assert!(
                e.iter()
                    .any(|l| l.starts_with("UID:") && l.ends_with("@mantelkring"))
            );
            assert!(
                e.iter()
                    .any(|l| l.starts_with("DTSTAMP:") && l.ends_with('Z'))
            );
            assert!(e.iter().any(|l| l.starts_with("DTSTART")));
        }
        let shop = events
            .iter()
            .find(|e| e.iter().any(|l| l == &format!("UID:{weekly}@mantelkring")))
            .unwrap();
        let first = t.plus(1).iso().replace('-', "");
        assert!(shop.contains(&format!("DTSTART;TZID=Europe/Amsterdam:{first}T093000")));
        assert!(shop.contains(&format!("DTEND;TZID=Europe/Amsterdam:{first}T110000")));
        // UNTIL: the last second of the last day, local time, in UTC.
        let until = mantelkring_core::time::rfc3339(t.plus(23).start_ms() - 1000);
        let until: String = until[..19]
            .chars()
            .filter(|c| *c != '-' && *c != ':')
            .collect();
        let rule = shop.iter().find(|l| l.starts_with("RRULE:")).unwrap();
        assert_eq!(rule, &format!("RRULE:FREQ=WEEKLY;UNTIL={until}Z"), "{be}");
        assert!(
            until.ends_with("T225959") || until.ends_with("T215959"),
            "{until}"
        );
        assert!(shop.contains(&"SUMMARY:Boodschappen\\; melk\\, brood en koffie".to_string()));
        let description = shop.iter().find(|l| l.starts_with("DESCRIPTION:")).unwrap();
        assert!(description.contains("Lijstje ligt op het aanrecht.\\nBonnetje in de la\\\\kast."));
        assert!(
            description.contains(&format!("{}: Sanne de Vries", short_nl(t.plus(8)))),
            "{be}: who signed up: {description}"
        );
        let birthday = events
            .iter()
            .find(|e| e.iter().any(|l| l.starts_with("SUMMARY:Verjaardag")))
            .unwrap();
        assert!(birthday.contains(&format!(
            "DTSTART;VALUE=DATE:{}",
            t.plus(6).iso().replace('-', "")
        )));
        assert!(!birthday.iter().any(|l| l.starts_with("RRULE")));
        let walk = events
            .iter()
            .find(|e| e.iter().any(|l| l.starts_with("SUMMARY:Wandelen")))
            .unwrap();
        assert!(
            walk.contains(&"RRULE:FREQ=WEEKLY".to_string()),
            "{be}: no end"
        );
    }
}

#[tokio::test]
async fn who_may_not_see_or_change_the_agenda() {
    for (app, ria) in demo_apps().await {
        let be = backend(&app);
        let network_id = ria_network(&app.store, &ria).await;
        let agenda_path = format!("/kringen/{network_id}/agenda");
        let t = today();
        let task = store_task(
            &app.store,
            &network_id,
            "Boodschappen",
            Schedule::Once { on: t.plus(2) },
            None,
            1,
        )
        .await;
        let sign_up = format!("{agenda_path}/taken/{task}/{}/aanmelden", t.plus(2).iso());

        // Logged out: to the login page, for pages, the file and posts alike.
        let anonymous = Browser::new(&app);
        for path in [
            agenda_path.clone(),
            format!("{agenda_path}.ics"),
            format!("{agenda_path}/taken/nieuw"),
        ] {
            let r = anonymous.get(&path).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}: {path}");
            assert!(location(&r).starts_with("/inloggen"), "{be}: {path}");
        }
        let r = anonymous.post(&sign_up, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be}");
        assert!(location(&r).starts_with("/inloggen"));

        // A volunteer in the network who sees only messages, not the agenda.
        add_member(
            &app.store,
            &network_id,
            &ria,
            Role::Volunteer,
            MemberKind::Volunteer,
            &[DataCategory::Messages],
        )
        .await;
        let youssef = Browser::new(&app);
        youssef.login_as(Role::Volunteer).await;
        for path in [
            agenda_path.clone(),
            format!("{agenda_path}.ics"),
            format!("{agenda_path}/taken/nieuw"),
            format!("{agenda_path}/afspraken/nieuw"),
        ] {
            assert_eq!(
                youssef.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{be}: {path}"
            );
        }
        assert_eq!(
            youssef.post(&sign_up, &[]).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        let r = youssef
            .post(
                &format!("{agenda_path}/taken"),
                &[
                    ("titel", "Iets"),
                    ("soort", "eenmalig"),
                    ("datum", &t.plus(1).iso()),
                    ("aantal", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be}");
        assert_eq!(count(&app.store, "network_tasks").await, 1, "{be}");
        assert_eq!(active_signups(&app.store).await, 0, "{be}");
        let (denied,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND user_id = $1 \
             AND data_category = 'agenda' AND purpose = 'category_not_granted'",
        )
        .bind(user_id(&app.store, Role::Volunteer).await)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(denied, 6, "{be}: every refusal is logged");

        // A professional of another network: Marieke is in Ria's network, not in Els's.
        let ria_user = user_id(&app.store, Role::Caregiver).await;
        let mut tx = app.store.begin_write().await.unwrap();
        let els = base::insert_person(
            &mut tx,
            &NewPerson {
                given_name: "Els",
                family_name: "Bakker",
                email: None,
                phone: None,
                postcode: None,
                municipality_id: None,
            },
        )
        .await
        .unwrap();
        let els_network = network::network_of(&mut tx, &els).await.unwrap();
        let els_task = agenda::add_task(
            &mut tx,
            &NewTask {
                network_id: &els_network,
                title: "Bij Els",
                details: "",
                schedule: Schedule::Once { on: t.plus(2) },
                start: None,
                end: None,
                needed: 1,
            },
            By {
                user_id: &ria_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let marieke = Browser::new(&app);
        marieke.login_as(Role::Professional).await;
        assert_eq!(
            marieke.get(&agenda_path).await.status(),
            StatusCode::OK,
            "{be}: her own network's agenda"
        );
        let els_path = format!("/kringen/{els_network}/agenda");
        assert_eq!(
            marieke.get(&els_path).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        assert_eq!(
            marieke.get(&format!("{els_path}.ics")).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        assert_eq!(
            marieke
                .post(
                    &format!("{els_path}/taken/{els_task}/{}/aanmelden", t.plus(2).iso()),
                    &[]
                )
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        // A task of Els's network cannot be reached through Ria's either.
        let r = marieke
            .post(
                &format!(
                    "{agenda_path}/taken/{els_task}/{}/aanmelden",
                    t.plus(2).iso()
                ),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be}");
        assert_eq!(active_signups(&app.store).await, 0, "{be}");
        // An unknown network: refused like any network one is not in (no hint it exists).
        assert_eq!(
            marieke
                .get("/kringen/0190-geen-kring/agenda")
                .await
                .status(),
            StatusCode::FORBIDDEN
        );

        // A removed member: Sanne, once Ria removed her.
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        assert_eq!(sanne.get(&agenda_path).await.status(), StatusCode::OK);
        let sanne_member = member_id_of(&app.store, &network_id, Role::NetworkMember).await;
        let mut tx = app.store.begin_write().await.unwrap();
        members::remove(
            &mut tx,
            &network_id,
            &sanne_member,
            By {
                user_id: &ria_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            sanne.get(&agenda_path).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        assert_eq!(
            sanne.get(&format!("{agenda_path}.ics")).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        assert_eq!(
            sanne.post(&sign_up, &[]).await.status(),
            StatusCode::FORBIDDEN,
            "{be}"
        );
        assert_eq!(active_signups(&app.store).await, 0, "{be}");
    }
}
