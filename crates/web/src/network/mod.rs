//! The kring on the web: the care network around a caregiver. Every page of a network goes
//! through [`open`]: find the network, the visitor's standing in it (the caregiver, an active
//! consented member, or nobody), ask the access policy for the action and data category, and
//! write the NEN 7513 record in the same transaction as what follows.
//!
//! One file per part: overview.rs (the circles picture, today's tasks, open questions),
//! members.rs (membership, naasten, history), regie.rs (the regiehouder), situation.rs
//! ("Mijn situatie"), timeline.rs (messages and questions), agenda.rs (agreements and tasks),
//! fhir.rs (the FHIR R4 export).

mod agenda;
pub mod timeline;

use crate::AppState;
use crate::access::{Subject, also_sees, decide};
use crate::errors::AppError;
use crate::identity::Authenticated;
use axum::Router;
use mantelkring_core::access::{Action, DataCategory, Purpose, Resource, may};
use mantelkring_store::Tx;
use mantelkring_store::network::members::By;
use mantelkring_store::network::{self, NetworkInfo, Standing};

pub mod fhir;
mod members;
mod overview;

pub use members::validate_naaste;
mod regie;
mod situation;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(overview::routes())
        .merge(members::routes())
        .merge(regie::routes())
        .merge(situation::routes())
        .merge(fhir::routes())
        .merge(agenda::routes())
        .merge(timeline::routes())
}

/// A network opened for one request, after the policy allowed it.
pub struct Kring {
    pub network: NetworkInfo,
    pub standing: Standing,
    pub user: Authenticated,
    pub purpose: Purpose,
}

impl Kring {
    /// Who acts, for the records: on the caregiver's behalf when the policy allowed it so.
    pub fn by(&self) -> By<'_> {
        By {
            user_id: &self.user.actor.user_id,
            on_behalf: self.purpose == Purpose::OnBehalfOfCaregiver,
        }
    }

    /// The visitor is the caregiver.
    pub fn is_caregiver(&self) -> bool {
        self.standing.relationship.is_self
    }

    /// The visitor may do what the caregiver does: the caregiver, or a member acting for them.
    pub fn speaks_for_caregiver(&self) -> bool {
        self.standing.relationship.is_self || self.standing.relationship.acts_for_caregiver
    }

    /// Whether the visitor sees a category (asked of the policy, without a record: use it to
    /// choose what to show, after [`open`] logged the access itself).
    pub fn sees(&self, category: DataCategory) -> bool {
        also_sees(&self.user, &self.standing.relationship, category)
    }

    /// Whether the policy allows `action` on `category` (for showing buttons and forms; the
    /// action itself goes through [`open`] again).
    pub fn allows(&self, action: Action, category: DataCategory) -> bool {
        may(
            Some(&self.user.actor),
            action,
            &Resource::PersonData {
                category,
                relationship: &self.standing.relationship,
            },
        )
        .is_allowed()
    }

    /// The member id of the visitor in this network (`None` for the caregiver).
    pub fn member_id(&self) -> Option<&str> {
        self.standing.member_id.as_deref()
    }
}

/// Opens network `network_id` for `action` on `category`: the policy decides (refusals are
/// logged and answered with 403, or the second-factor step for staff; an unknown network is
/// refused the same way) and the access is logged in the returned transaction.
pub async fn open(
    state: &AppState,
    user: &Authenticated,
    network_id: &str,
    action: Action,
    category: DataCategory,
    back_to: &str,
) -> Result<(Tx, Kring), AppError> {
    let mut tx = state.store().begin_write().await?;
    let Some(info) = network::network(&mut tx, network_id).await? else {
        // Refused like any network one is not in, so the answer gives no hint whether it
        // exists; the refusal is logged.
        let nobody = mantelkring_core::access::Relationship::default();
        decide(
            state,
            tx,
            user,
            action,
            &Resource::PersonData {
                category,
                relationship: &nobody,
            },
            &Subject {
                person_id: None,
                categories: category.as_str(),
            },
            back_to,
        )
        .await?;
        return Err(AppError::Forbidden);
    };
    let standing = network::standing(&mut tx, &user.actor, &info).await?;
    let (tx, purpose) = decide(
        state,
        tx,
        user,
        action,
        &Resource::PersonData {
            category,
            relationship: &standing.relationship,
        },
        &Subject {
            person_id: Some(&info.caregiver_person_id),
            categories: category.as_str(),
        },
        back_to,
    )
    .await?;
    Ok((
        tx,
        Kring {
            network: info,
            standing,
            user: user.clone(),
            purpose,
        },
    ))
}

/// Opens the network for one of the caregiver's own decisions (members, naasten, regiehouder:
/// Update on Basic), refusing anyone who does not speak for the caregiver.
pub async fn open_for_caregiver(
    state: &AppState,
    user: &Authenticated,
    id: &str,
    back_to: &str,
) -> Result<(Tx, Kring), AppError> {
    let (tx, kring) = open(
        state,
        user,
        id,
        Action::Update,
        DataCategory::Basic,
        back_to,
    )
    .await?;
    if !kring.speaks_for_caregiver() {
        // The policy allows Update on Basic only to the caregiver and who acts for them.
        return Err(AppError::Forbidden);
    }
    Ok((tx, kring))
}

/// `/kringen/{id}` and what follows it.
pub fn path(network_id: &str, rest: &str) -> String {
    if rest.is_empty() {
        format!("/kringen/{network_id}")
    } else {
        format!("/kringen/{network_id}/{rest}")
    }
}

/// The tabs of a network's pages, as far as the visitor sees them.
pub struct KringNav {
    pub caregiver_name: String,
    /// Whose kring, above the tabs (not on the overview, whose heading says it).
    pub show_name: bool,
    pub links: Vec<(String, String, bool)>,
}

impl KringNav {
    /// The tabs for `kring`, with `current` (the path after `/kringen/{id}`, "" for the
    /// overview) marked.
    pub fn new(kring: &Kring, tr: &crate::i18n::Tr, current: &str) -> KringNav {
        let id = &kring.network.id;
        let tabs: [(&str, &str, Option<DataCategory>); 8] = [
            ("", "kring-tab-overview", None),
            ("leden", "kring-tab-members", None),
            ("regie", "kring-tab-regie", None),
            (
                "situatie",
                "kring-tab-situation",
                Some(DataCategory::Situation),
            ),
            (
                "tijdlijn",
                "kring-tab-timeline",
                Some(DataCategory::Messages),
            ),
            ("agenda", "kring-tab-agenda", Some(DataCategory::Agenda)),
            ("signaleren", "screening-tab", Some(DataCategory::Checks)),
            ("hulpvragen", "matching-req-tab", Some(DataCategory::Agenda)),
        ];
        KringNav {
            caregiver_name: kring.network.caregiver_name.clone(),
            show_name: !current.is_empty(),
            links: tabs
                .into_iter()
                .filter(|(_, _, category)| category.is_none_or(|c| kring.sees(c)))
                .map(|(rest, key, _)| (path(id, rest), tr.t(key), rest == current))
                .collect(),
        }
    }
}

/// Labels of the kring's codes in the visitor's language.
pub mod labels {
    use crate::i18n::Tr;
    use mantelkring_core::access::DataCategory;
    use mantelkring_core::network::{Field, MemberKind, Relation};

    pub fn kind(tr: &Tr, kind: MemberKind) -> String {
        tr.t(&format!("kring-kind-{}", kind.as_str().replace('_', "-")))
    }

    pub fn field(tr: &Tr, field: Field) -> String {
        tr.t(&format!("kring-field-{}", field.as_str()))
    }

    pub fn relation(tr: &Tr, relation: Relation) -> String {
        tr.t(&format!(
            "kring-relation-{}",
            relation.as_str().replace('_', "-")
        ))
    }

    pub fn category(tr: &Tr, category: DataCategory) -> String {
        tr.t(&format!("category-{}", category.as_str().replace('_', "-")))
    }

    /// "agenda en taken, berichten" — or the word for none.
    pub fn categories(tr: &Tr, categories: &[DataCategory]) -> String {
        let shown: Vec<String> = categories
            .iter()
            .filter(|c| DataCategory::GRANTABLE.contains(c))
            .map(|c| category(tr, *c))
            .collect();
        if shown.is_empty() {
            tr.t("kring-categories-none")
        } else {
            shown.join(", ")
        }
    }
}
