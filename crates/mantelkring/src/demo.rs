//! The demo region: a fictional care network in real municipalities around Leiden, with one
//! account per role. Everything here is made up; only municipality names and CBS codes are real.

use argon2::password_hash::{PasswordHasher, SaltString};
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewOrganisation, NewPerson, NewUser};
use mantelkring_store::{Store, StoreError, identity, jobs};
use std::collections::HashMap;
use std::path::Path;

/// The password of every demo account. Demo only.
pub const DEMO_PASSWORD: &str = "demo-mantelkring-2026";

pub const REGION: &str = "Regio Leiden (demo)";

pub(crate) const MUNICIPALITIES: &[(&str, &str)] = &[
    ("GM0546", "Leiden"),
    ("GM0547", "Leiderdorp"),
    ("GM0579", "Oegstgeest"),
    ("GM0638", "Zoeterwoude"),
    ("GM0537", "Katwijk"),
    ("GM0575", "Noordwijk"),
    ("GM1525", "Teylingen"),
    ("GM1884", "Kaag en Braassem"),
];

/// (name, kind, CBS code of the municipality it sits in)
pub(crate) const ORGANISATIONS: &[(&str, OrganisationKind, &str)] = &[
    (
        "Steunpunt Mantelzorg Rijnstreek",
        OrganisationKind::Welfare,
        "GM0546",
    ),
    ("Welzijn Aan de Rijn", OrganisationKind::Welfare, "GM0547"),
    ("Thuiszorg Lindenhof", OrganisationKind::Care, "GM0546"),
    (
        "Huisartsenpraktijk De Meerburg",
        OrganisationKind::Medical,
        "GM0638",
    ),
    (
        "Casemanagement Dementie Rijnland",
        OrganisationKind::Care,
        "GM0579",
    ),
    (
        "Vrijwilligerscentrale Rijnstreek",
        OrganisationKind::VolunteerOrganisation,
        "GM0546",
    ),
    (
        "Buurtkring Zeehos",
        OrganisationKind::CitizenInitiative,
        "GM0537",
    ),
    ("Gemeente Leiden", OrganisationKind::Municipality, "GM0546"),
];

/// One demo login.
pub struct DemoAccount {
    pub role: Role,
    pub role_label: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    /// Index into ORGANISATIONS for organisation roles.
    organisation: Option<usize>,
    /// Fixed TOTP secret (base32) for roles that need a second factor. Demo only.
    pub totp_secret: Option<&'static str>,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Caregiver,
        role_label: "mantelzorger",
        email: "ria.devries@demo.mantelkring.nl",
        name: "Ria de Vries",
        organisation: None,
        totp_secret: None,
    },
    DemoAccount {
        role: Role::NetworkMember,
        role_label: "netwerklid (dochter)",
        email: "sanne.devries@demo.mantelkring.nl",
        name: "Sanne de Vries",
        organisation: None,
        totp_secret: None,
    },
    DemoAccount {
        role: Role::Volunteer,
        role_label: "vrijwilliger",
        email: "youssef.amrani@demo.mantelkring.nl",
        name: "Youssef Amrani",
        organisation: None,
        totp_secret: None,
    },
    DemoAccount {
        role: Role::Professional,
        role_label: "professional (mantelzorgconsulent)",
        email: "marieke.jansen@demo.mantelkring.nl",
        name: "Marieke Jansen",
        organisation: Some(0),
        totp_secret: Some("DEMOPROFESSIONALMANTELKRINGAAAAA"),
    },
    DemoAccount {
        role: Role::VolunteerCoordinator,
        role_label: "coördinator vrijwilligerscentrale",
        email: "peter.bakker@demo.mantelkring.nl",
        name: "Peter Bakker",
        organisation: Some(5),
        totp_secret: Some("DEMOCOORDINATORMANTELKRINGAAAAAA"),
    },
    DemoAccount {
        role: Role::OrganisationEditor,
        role_label: "redacteur sociale kaart",
        email: "anouk.visser@demo.mantelkring.nl",
        name: "Anouk Visser",
        organisation: Some(1),
        totp_secret: None,
    },
    DemoAccount {
        role: Role::OrganisationEditor,
        role_label: "redacteur sociale kaart (steunpunt)",
        email: "lotte.hendriks@demo.mantelkring.nl",
        name: "Lotte Hendriks",
        organisation: Some(0),
        totp_secret: None,
    },
    DemoAccount {
        role: Role::NetworkCoordinator,
        role_label: "coördinator samenwerkingsverband",
        email: "karin.mulder@demo.mantelkring.nl",
        name: "Karin Mulder",
        organisation: Some(7),
        totp_secret: Some("DEMONETWERKCOORDINATORMANTELKRIN"),
    },
    DemoAccount {
        role: Role::Administrator,
        role_label: "beheerder",
        email: "beheer@demo.mantelkring.nl",
        name: "Beheerder Mantelkring",
        organisation: Some(7),
        totp_secret: Some("DEMOBEHEERDERMANTELKRINGAAAAAAAA"),
    },
    DemoAccount {
        role: Role::LogAdministrator,
        role_label: "logbeheerder (NEN 7513)",
        email: "logbeheer@demo.mantelkring.nl",
        name: "Logbeheerder Mantelkring",
        organisation: Some(7),
        totp_secret: Some("DEMOLOGBEHEERDERMANTELKRINGAAAAA"),
    },
];

/// Removes the demo database files in `data_dir`, so every demo starts fresh.
pub fn remove_demo_database(data_dir: &Path) -> std::io::Result<()> {
    for name in ["demo.db", "demo.db-wal", "demo.db-shm"] {
        match std::fs::remove_file(data_dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

pub fn demo_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}/demo.db", data_dir.display())
}

/// What the demo made that a visitor may want to open.
pub struct Seeded {
    /// The person id of the demo caregiver (Ria), whose page her network can open.
    pub caregiver_person_id: String,
    /// The care networks of the demo (`demo/kring.toml`).
    pub kring: crate::demo_kring::KringSeeded,
    /// Signaleren: checks, contact plans, contacts and signals (`demo_screening`).
    pub screening: crate::demo_screening::ScreeningSeeded,
    /// Hulpvraag en aanbod: volunteers, requests and proposals (`demo_matching`).
    pub matching: crate::demo_matching::MatchingSeeded,
}

/// Fills an empty, migrated store with the demo region, in one transaction.
pub async fn seed(store: &Store) -> Result<Seeded, StoreError> {
    // One hash for all demo accounts keeps the demo start fast; real accounts each get their own salt.
    let password_hash = argon2::Argon2::default()
        .hash_password(
            DEMO_PASSWORD.as_bytes(),
            &SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|e| StoreError::Conflict(e.to_string()))?,
        )
        .map_err(|e| StoreError::Conflict(e.to_string()))?
        .to_string();

    let mut tx = store.begin_write().await?;
    let region = base::insert_region(&mut tx, REGION).await?;
    let mut municipality_ids = Vec::new();
    for (code, name) in MUNICIPALITIES {
        let code = CbsCode::parse(code).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let m = base::insert_municipality(&mut tx, Some(&region.id), &code, name).await?;
        municipality_ids.push((m.cbs_code, m.id));
    }
    let municipality = |code: &str| {
        municipality_ids
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| id.clone())
    };

    let mut organisation_ids = Vec::new();
    for (name, kind, code) in ORGANISATIONS {
        let m = municipality(code);
        let org = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name,
                kind: *kind,
                municipality_id: m.as_deref(),
                website: None,
            },
        )
        .await?;
        organisation_ids.push(org.id);
    }

    let mut users = Vec::new();
    let mut people = Vec::new();
    for account in ACCOUNTS {
        let (given, family) = account.name.split_once(' ').unwrap_or((account.name, ""));
        let (phone, postcode, municipality) = match account.role {
            Role::Caregiver => (
                Some("071 555 0101"),
                Some("2324 KD"),
                municipality("GM0546"),
            ),
            _ => (None, None, None),
        };
        let person = base::insert_person(
            &mut tx,
            &NewPerson {
                given_name: given,
                family_name: family,
                email: Some(account.email),
                phone,
                postcode,
                municipality_id: municipality.as_deref(),
            },
        )
        .await?;
        let user = base::insert_user(
            &mut tx,
            &NewUser {
                email: account.email,
                display_name: account.name,
                person_id: Some(&person),
                password_hash: Some(&password_hash),
                totp_secret: account.totp_secret,
            },
        )
        .await?;
        match account.organisation {
            Some(i) => {
                base::add_membership(&mut tx, &user, &organisation_ids[i], account.role).await?
            }
            None => identity::add_personal_role(&mut tx, &user, account.role).await?,
        }
        if let Some(secret) = account.totp_secret {
            identity::enable_totp(&mut tx, &user, secret).await?;
        }
        users.push(user);
        people.push(person);
    }

    // The sociale kaart: about forty organisations with their places and services.
    let existing: Vec<(&str, String)> = ORGANISATIONS
        .iter()
        .map(|(name, _, _)| *name)
        .zip(organisation_ids.iter().cloned())
        .collect();
    crate::demo_map::seed(&mut tx, &region.id, &municipality_ids, &existing).await?;

    // The kring of twenty caregivers (Ria's among them), with the demo accounts in them.
    let accounts: HashMap<String, (String, String)> = ACCOUNTS
        .iter()
        .zip(users.iter().zip(&people))
        .map(|(a, (user, person))| (a.email.to_string(), (user.clone(), person.clone())))
        .collect();
    let now = now_ms();
    let kring = crate::demo_kring::seed(
        &mut tx,
        &crate::demo_kring::SeedInput {
            now,
            password_hash: &password_hash,
            municipalities: &municipality_ids,
            organisations: &crate::demo_map::organisation_ids(&existing),
            accounts: &accounts,
        },
    )
    .await?;

    // Signaleren: check histories, contact plans and contacts, signals (after the kring, whose
    // networks and members it uses).
    let screening = crate::demo_screening::seed(
        &mut tx,
        now,
        &mantelkring_core::screening::instrument::Catalogue::built_in(),
    )
    .await?;

    // Hulpvraag en aanbod: volunteers and help requests (after the kring, whose tasks marked
    // "hulp gezocht" it escalates).
    let user_of = |role: Role| {
        ACCOUNTS
            .iter()
            .position(|a| a.role == role)
            .map(|i| users[i].clone())
            .ok_or_else(|| StoreError::Conflict(format!("no demo account for {role:?}")))
    };
    let matching = crate::demo_matching::seed(
        &mut tx,
        &crate::demo_matching::MatchingInput {
            now,
            region_id: &region.id,
            password_hash: &password_hash,
            youssef_user_id: &user_of(Role::Volunteer)?,
            coordinator_user_id: &user_of(Role::VolunteerCoordinator)?,
        },
    )
    .await?;

    // A first e-mail through the job queue, so the demo shows mail arriving in DATA_DIR/mail.
    let welcome = EmailJob {
        to: "beheer@demo.mantelkring.nl".into(),
        subject: "Welkom bij de demo van Mantelkring".into(),
        body_text: "De demoregio is klaar. Dit bericht is via de takenwachtrij verstuurd.".into(),
    };
    jobs::enqueue(&mut tx, kind::EMAIL, &welcome, 5).await?;
    tx.commit().await?;
    let ria = ACCOUNTS
        .iter()
        .position(|a| a.role == Role::Caregiver)
        .expect("a demo caregiver");
    Ok(Seeded {
        caregiver_person_id: people[ria].clone(),
        kring,
        screening,
        matching,
    })
}

/// What the demo prints: where it runs and how to log in.
pub fn banner(url: &str, data_dir: &Path, mail_dir: &Path, seeded: &Seeded) -> String {
    let mut out = String::new();
    out.push_str(&format!("\nMantelkring demo: {url}\n"));
    out.push_str(&format!(
        "  database (SQLite): {}\n",
        data_dir.join("demo.db").display()
    ));
    out.push_str(&format!(
        "  e-mail (.eml-bestanden / files): {}\n\n",
        mail_dir.display()
    ));
    out.push_str(&format!(
        "Inloggen / logins (alleen demo / demo only) — wachtwoord / password: {DEMO_PASSWORD}\n"
    ));
    out.push_str(&format!(
        "  {:<36} {:<38} {}\n",
        "rol / role", "e-mail", "TOTP-geheim / secret (2FA)"
    ));
    for a in ACCOUNTS {
        out.push_str(&format!(
            "  {:<36} {:<38} {}\n",
            a.role_label,
            a.email,
            a.totp_secret.unwrap_or("-")
        ));
    }
    out.push_str(&format!(
        "\nDe pagina van mantelzorger Ria / caregiver Ria's page: {url}/personen/{}\n",
        seeded.caregiver_person_id
    ));
    out.push_str(
        "  (Marieke ziet alles wat Ria deelt, Sanne alleen agenda en berichten, anderen niets)\n",
    );
    out.push_str(&format!(
        "Kringen / care networks: {} mantelzorgers, {} leden; elk e-mailadres uit demo/kring.toml \
         logt in met hetzelfde wachtwoord / every address in demo/kring.toml logs in with the same \
         password\n",
        seeded.kring.networks, seeded.kring.members
    ));
    out.push_str(&format!(
        "Signaleren: {} checks, {} contactplannen / contact plans, {} signalen / signals; \
         bellijst van Marieke / Marieke's call list: {url}/bellen\n",
        seeded.screening.checks, seeded.screening.plans, seeded.screening.signals
    ));
    let m = &seeded.matching;
    out.push_str(&format!(
        "Hulpvraag en aanbod / help requests: {} vrijwilligers / volunteers ({} wachten op intake \
         / awaiting intake), {} open hulpvragen / open requests ({} uit de kring-agenda / from \
         kring tasks), {} voorstellen / proposals; koppelen / matching (Peter): \
         {url}/vrijwilligers/koppelen\n  antwoordlink van Youssef / Youssef's answer link: \
         {url}/hulp/antwoord/{}\n",
        m.volunteers,
        m.awaiting_intake,
        m.open_requests,
        m.escalated,
        m.proposals,
        m.youssef_answer_secret
    ));
    out.push_str("\nStoppen / stop: Ctrl-C\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_demo_account_and_staff_have_a_second_factor() {
        for role in Role::ALL {
            let account = ACCOUNTS
                .iter()
                .find(|a| a.role == role)
                .unwrap_or_else(|| panic!("no demo account for {role:?}"));
            assert_eq!(
                account.totp_secret.is_some(),
                role.requires_two_factor(),
                "{role:?}"
            );
            assert_eq!(
                account.organisation.is_some(),
                role.is_organisation_role(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn totp_secrets_are_valid_base32_of_160_bits() {
        for secret in ACCOUNTS.iter().filter_map(|a| a.totp_secret) {
            assert_eq!(secret.len(), 32, "{secret}");
            assert!(
                secret
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
                "{secret}"
            );
        }
    }

    #[test]
    fn demo_municipality_codes_are_valid() {
        for (code, _) in MUNICIPALITIES {
            CbsCode::parse(code).unwrap();
        }
        for (_, _, code) in ORGANISATIONS {
            assert!(MUNICIPALITIES.iter().any(|(c, _)| c == code));
        }
    }
}
