//! What an editor (or an import) writes: a service, a location or an organisation's public
//! profile, already checked. Each draft lists its fields as text, so every change is versioned
//! field by field (who, when, which fields, before and after) with one generic diff.

use uuid::Uuid;

use super::model::{Funding, Location, OpeningHours, ServiceRecord, ServiceStatus};
use super::model::{TimeOfDay, Weekday};
use crate::geo::Coordinates;

/// Namespace for the ids of child entities (phones, schedules, areas, …).
const CHILD_NAMESPACE: Uuid = Uuid::from_u128(0x6d6b_6368_696c_6400_8000_6873_6473_3330);

/// The HSDS id of a child entity: stable for the same parent and content, so an export and its
/// re-import give the same ids without storing them.
pub fn child_id(parent: Uuid, kind: &str, key: &str) -> Uuid {
    let mut name = Vec::with_capacity(16 + kind.len() + key.len() + 1);
    name.extend_from_slice(parent.as_bytes());
    name.extend_from_slice(kind.as_bytes());
    name.push(b':');
    name.extend_from_slice(key.as_bytes());
    Uuid::new_v5(&CHILD_NAMESPACE, &name)
}

/// One weekly period as written in a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeeklyHours {
    pub weekday: Weekday,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

impl WeeklyHours {
    /// "ma 09:00-17:00"
    pub fn parse(s: &str) -> Option<WeeklyHours> {
        let (day, times) = s.trim().split_once(' ')?;
        let (opens, closes) = times.trim().split_once('-')?;
        let hours = WeeklyHours {
            weekday: Weekday::from_code(day)?,
            opens: TimeOfDay::parse(opens)?,
            closes: TimeOfDay::parse(closes)?,
        };
        (hours.opens < hours.closes).then_some(hours)
    }

    pub fn with_id(self, service_id: Uuid) -> OpeningHours {
        OpeningHours {
            id: child_id(service_id, "schedule", &self.to_string()),
            weekday: self.weekday,
            opens: self.opens,
            closes: self.closes,
        }
    }
}

impl std::fmt::Display for WeeklyHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}-{}", self.weekday.code(), self.opens, self.closes)
    }
}

/// A phone number with what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneDraft {
    pub number: String,
    pub description: Option<String>,
}

/// Everything an editor can change about a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDraft {
    pub organisation_id: Uuid,
    pub name: String,
    pub alternate_name: Option<String>,
    pub description: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub status: ServiceStatus,
    pub application_process: Option<String>,
    pub fees_description: Option<String>,
    pub eligibility_description: Option<String>,
    pub minimum_age: Option<u16>,
    pub maximum_age: Option<u16>,
    pub online: bool,
    /// Taxonomy codes, sorted, without doubles.
    pub categories: Vec<String>,
    pub funding: Vec<Funding>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub phones: Vec<PhoneDraft>,
    pub hours: Vec<WeeklyHours>,
    pub schedule_note: Option<String>,
    /// This organisation's locations where the service is given, in display order.
    pub location_ids: Vec<Uuid>,
    /// Municipality ids (database ids) the service serves.
    pub area_ids: Vec<Uuid>,
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn num(n: Option<u16>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

impl ServiceDraft {
    /// Puts lists in a fixed order so that equal content compares (and versions) equal.
    pub fn normalise(mut self) -> ServiceDraft {
        self.categories.sort();
        self.categories.dedup();
        self.funding.sort();
        self.funding.dedup();
        self.languages.sort();
        self.languages.dedup();
        self.hours.sort();
        self.hours.dedup();
        let mut seen = std::collections::HashSet::new();
        self.location_ids.retain(|id| seen.insert(*id));
        self.area_ids.sort();
        self.area_ids.dedup();
        self
    }

    /// The draft of an existing service (to edit it, or to compare with a new draft).
    pub fn from_record(r: &ServiceRecord) -> ServiceDraft {
        ServiceDraft {
            organisation_id: r.organisation.id,
            name: r.name.clone(),
            alternate_name: r.alternate_name.clone(),
            description: r.description.clone(),
            url: r.url.clone(),
            email: r.email.clone(),
            status: r.status,
            application_process: r.application_process.clone(),
            fees_description: r.fees_description.clone(),
            eligibility_description: r.eligibility_description.clone(),
            minimum_age: r.minimum_age,
            maximum_age: r.maximum_age,
            online: r.online,
            categories: r.categories.clone(),
            funding: r.funding.clone(),
            languages: r.languages.iter().map(|l| l.code.clone()).collect(),
            phones: r
                .phones
                .iter()
                .map(|p| PhoneDraft {
                    number: p.number.clone(),
                    description: p.description.clone(),
                })
                .collect(),
            hours: r
                .opening_hours
                .iter()
                .map(|h| WeeklyHours {
                    weekday: h.weekday,
                    opens: h.opens,
                    closes: h.closes,
                })
                .collect(),
            schedule_note: r.schedule_note.clone(),
            location_ids: r.locations.iter().map(|l| l.location.id).collect(),
            area_ids: r.areas.iter().map(|a| a.municipality_id).collect(),
        }
        .normalise()
    }

    /// The fields as text, for versioning (the names are those of the edit form).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let join = |v: Vec<String>| v.join(", ");
        vec![
            ("name", self.name.clone()),
            ("alternate_name", opt(&self.alternate_name)),
            ("description", self.description.clone()),
            ("url", opt(&self.url)),
            ("email", opt(&self.email)),
            ("status", self.status.as_str().to_string()),
            ("application_process", opt(&self.application_process)),
            ("fees_description", opt(&self.fees_description)),
            (
                "eligibility_description",
                opt(&self.eligibility_description),
            ),
            ("minimum_age", num(self.minimum_age)),
            ("maximum_age", num(self.maximum_age)),
            ("online", if self.online { "ja" } else { "nee" }.to_string()),
            ("categories", self.categories.join(", ")),
            (
                "funding",
                join(self.funding.iter().map(|f| f.as_str().into()).collect()),
            ),
            ("languages", self.languages.join(", ")),
            (
                "phones",
                join(
                    self.phones
                        .iter()
                        .map(|p| match &p.description {
                            Some(d) => format!("{} ({d})", p.number),
                            None => p.number.clone(),
                        })
                        .collect(),
                ),
            ),
            (
                "hours",
                join(self.hours.iter().map(ToString::to_string).collect()),
            ),
            ("schedule_note", opt(&self.schedule_note)),
            (
                "locations",
                join(self.location_ids.iter().map(ToString::to_string).collect()),
            ),
            (
                "areas",
                join(self.area_ids.iter().map(ToString::to_string).collect()),
            ),
        ]
    }
}

/// Everything an editor can change about a location.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationDraft {
    pub organisation_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// When absent, the store takes the centroid of the postcode's PC4 area.
    pub coordinates: Option<Coordinates>,
    pub wheelchair_accessible: bool,
}

impl LocationDraft {
    pub fn from_location(l: &Location) -> LocationDraft {
        LocationDraft {
            organisation_id: l.organisation_id,
            name: l.name.clone(),
            description: l.description.clone(),
            street: l.street.clone(),
            postcode: l.postcode.clone(),
            city: l.city.clone(),
            coordinates: l.coordinates,
            wheelchair_accessible: l.wheelchair_accessible,
        }
    }

    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("description", opt(&self.description)),
            ("street", self.street.clone()),
            ("postcode", self.postcode.clone()),
            ("city", self.city.clone()),
            (
                "coordinates",
                self.coordinates
                    .map(|c| format!("{:.5}, {:.5}", c.latitude(), c.longitude()))
                    .unwrap_or_default(),
            ),
            (
                "wheelchair_accessible",
                if self.wheelchair_accessible {
                    "ja"
                } else {
                    "nee"
                }
                .to_string(),
            ),
        ]
    }
}

/// The public profile of an organisation on the map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrganisationProfile {
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl OrganisationProfile {
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("description", opt(&self.description)),
            ("website", opt(&self.website)),
            ("email", opt(&self.email)),
            ("phone", opt(&self.phone)),
        ]
    }
}

/// One changed field of a version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields that differ between two field lists of the same kind of draft. `before = None`
/// (a new entry) lists every field that is not empty.
pub fn diff(
    before: Option<&[(&'static str, String)]>,
    after: &[(&'static str, String)],
) -> Vec<FieldChange> {
    after
        .iter()
        .filter_map(|(field, new)| {
            let old = before
                .and_then(|b| b.iter().find(|(f, _)| f == field))
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            (old != new).then(|| FieldChange {
                field: (*field).to_string(),
                before: old.to_string(),
                after: new.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ServiceDraft {
        ServiceDraft {
            organisation_id: Uuid::nil(),
            name: "Koffie-inloop".into(),
            alternate_name: None,
            description: "Elke week koffie.".into(),
            url: None,
            email: None,
            status: ServiceStatus::Active,
            application_process: None,
            fees_description: None,
            eligibility_description: None,
            minimum_age: None,
            maximum_age: None,
            online: false,
            categories: vec!["lotgenotencontact".into(), "emotionele-steun".into()],
            funding: vec![Funding::Free],
            languages: vec!["nl".into()],
            phones: vec![],
            hours: vec![WeeklyHours::parse("di 10:00-12:00").unwrap()],
            schedule_note: None,
            location_ids: vec![],
            area_ids: vec![],
        }
        .normalise()
    }

    #[test]
    fn weekly_hours_read_and_write_the_same_text() {
        let h = WeeklyHours::parse("ma 09:00-17:30").unwrap();
        assert_eq!(h.to_string(), "ma 09:00-17:30");
        assert_eq!(
            WeeklyHours::parse(" vr 9:00-12:00").unwrap().to_string(),
            "vr 09:00-12:00"
        );
        for bad in [
            "ma 17:00-09:00",
            "xx 09:00-10:00",
            "ma 09:00",
            "ma 25:00-26:00",
            "ma 9-10",
        ] {
            assert!(WeeklyHours::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn child_ids_are_stable_and_depend_on_parent_kind_and_key() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_eq!(child_id(a, "phone", "071"), child_id(a, "phone", "071"));
        assert_ne!(child_id(a, "phone", "071"), child_id(b, "phone", "071"));
        assert_ne!(child_id(a, "phone", "071"), child_id(a, "area", "071"));
        assert_ne!(child_id(a, "phone", "071"), child_id(a, "phone", "072"));
    }

    #[test]
    fn a_diff_names_exactly_the_changed_fields() {
        let before = draft();
        let mut after = before.clone();
        after.name = "Koffie-inloop De Linde".into();
        after.funding.push(Funding::Wmo);
        let after = after.normalise();
        let changes = diff(Some(&before.fields()), &after.fields());
        let names: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["name", "funding"]);
        assert_eq!(changes[1].before, "gratis");
        assert_eq!(changes[1].after, "wmo, gratis");
        assert!(diff(Some(&before.fields()), &before.fields()).is_empty());
        // A new entry lists its filled fields only.
        let created = diff(None, &before.fields());
        assert!(created.iter().any(|c| c.field == "name"));
        assert!(!created.iter().any(|c| c.field == "url"));
    }

    #[test]
    fn normalising_makes_list_order_irrelevant() {
        let mut a = draft();
        a.categories = vec!["b".into(), "a".into(), "a".into()];
        let mut b = draft();
        b.categories = vec!["a".into(), "b".into()];
        assert_eq!(a.normalise(), b.normalise());
    }
}
