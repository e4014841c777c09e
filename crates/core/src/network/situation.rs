//! "Mijn situatie": the caregiver's own summary, so they do not have to tell their story ten
//! times. Every save is a new version; two versions are compared field by field.

use super::{LONG_TEXT_MAX, multi_line};
use serde::{Deserialize, Serialize};

/// The fields, in the order the page shows them. The key is stored (JSON) and used in forms and
/// message ids (`situation-field-<key>`).
pub const FIELDS: [&str; 12] = [
    "naaste",
    "care_tasks",
    "hours_per_week",
    "since",
    "living_together",
    "responsibilities",
    "going_well",
    "hard",
    "wishes",
    "agreements",
    "emergency_plan",
    "other",
];

/// One version of the summary. Every field may be empty: a caregiver fills in what they want.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Situation {
    /// The naaste's situation: illness, what they can and cannot do.
    pub naaste: String,
    /// The care tasks the caregiver does.
    pub care_tasks: String,
    /// Hours of care per week.
    pub hours_per_week: Option<u16>,
    /// Since when they give care, as they say it ("sinds maart 2023").
    pub since: String,
    /// Whether the caregiver and the naaste live together.
    pub living_together: Option<bool>,
    /// Other responsibilities: work, children, other family.
    pub responsibilities: String,
    pub going_well: String,
    pub hard: String,
    pub wishes: String,
    /// Important agreements (with family, care providers).
    pub agreements: String,
    /// Who takes over when the caregiver drops out.
    pub emergency_plan: String,
    /// Anything else.
    pub other: String,
}

/// The form as typed: every value a string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SituationInput {
    pub naaste: String,
    pub care_tasks: String,
    pub hours_per_week: String,
    pub since: String,
    /// `ja`, `nee` or empty.
    pub living_together: String,
    pub responsibilities: String,
    pub going_well: String,
    pub hard: String,
    pub wishes: String,
    pub agreements: String,
    pub emergency_plan: String,
    pub other: String,
}

/// A problem with one field of the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SituationProblem {
    /// The field key (one of [`FIELDS`]).
    pub field: &'static str,
    pub problem: String,
}

/// Most hours in a week.
pub const MAX_HOURS: u16 = 168;

impl SituationInput {
    /// Checks every field; all problems at once, so the form can show them together.
    pub fn check(&self) -> Result<Situation, Vec<SituationProblem>> {
        let mut problems = Vec::new();
        let mut text = |field: &'static str, value: &str, max: usize| match multi_line(value, max) {
            Ok(v) => v,
            Err(p) => {
                problems.push(SituationProblem {
                    field,
                    problem: p.to_string(),
                });
                String::new()
            }
        };
        let mut situation = Situation {
            naaste: text("naaste", &self.naaste, LONG_TEXT_MAX),
            care_tasks: text("care_tasks", &self.care_tasks, LONG_TEXT_MAX),
            since: text("since", &self.since, 100),
            responsibilities: text("responsibilities", &self.responsibilities, LONG_TEXT_MAX),
            going_well: text("going_well", &self.going_well, LONG_TEXT_MAX),
            hard: text("hard", &self.hard, LONG_TEXT_MAX),
            wishes: text("wishes", &self.wishes, LONG_TEXT_MAX),
            agreements: text("agreements", &self.agreements, LONG_TEXT_MAX),
            emergency_plan: text("emergency_plan", &self.emergency_plan, LONG_TEXT_MAX),
            other: text("other", &self.other, LONG_TEXT_MAX),
            ..Situation::default()
        };
        let hours = self.hours_per_week.trim();
        if !hours.is_empty() {
            match hours.parse::<u16>() {
                Ok(h) if h <= MAX_HOURS => situation.hours_per_week = Some(h),
                _ => problems.push(SituationProblem {
                    field: "hours_per_week",
                    problem: format!("vul een heel getal in van 0 tot en met {MAX_HOURS}"),
                }),
            }
        }
        match self.living_together.trim() {
            "" => {}
            "ja" => situation.living_together = Some(true),
            "nee" => situation.living_together = Some(false),
            _ => problems.push(SituationProblem {
                field: "living_together",
                problem: "kies ja of nee".into(),
            }),
        }
        if problems.is_empty() {
            Ok(situation)
        } else {
            Err(problems)
        }
    }

    /// The form filled with a saved version (to edit it, or to propose a change to it).
    pub fn from_situation(s: &Situation) -> SituationInput {
        SituationInput {
            naaste: s.naaste.clone(),
            care_tasks: s.care_tasks.clone(),
            hours_per_week: s.hours_per_week.map(|h| h.to_string()).unwrap_or_default(),
            since: s.since.clone(),
            living_together: match s.living_together {
                Some(true) => "ja".into(),
                Some(false) => "nee".into(),
                None => String::new(),
            },
            responsibilities: s.responsibilities.clone(),
            going_well: s.going_well.clone(),
            hard: s.hard.clone(),
            wishes: s.wishes.clone(),
            agreements: s.agreements.clone(),
            emergency_plan: s.emergency_plan.clone(),
            other: s.other.clone(),
        }
    }
}

impl Situation {
    /// The value of a field as text (`ja`/`nee` for living together, the number for hours), in
    /// the order of [`FIELDS`].
    pub fn values(&self) -> [(&'static str, String); 12] {
        let input = SituationInput::from_situation(self);
        [
            ("naaste", input.naaste),
            ("care_tasks", input.care_tasks),
            ("hours_per_week", input.hours_per_week),
            ("since", input.since),
            ("living_together", input.living_together),
            ("responsibilities", input.responsibilities),
            ("going_well", input.going_well),
            ("hard", input.hard),
            ("wishes", input.wishes),
            ("agreements", input.agreements),
            ("emergency_plan", input.emergency_plan),
            ("other", input.other),
        ]
    }

    pub fn is_empty(&self) -> bool {
        *self == Situation::default()
    }

    /// Stored as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a situation serialises")
    }

    /// Reads a stored version; a field this version does not know is ignored, a missing one is
    /// empty, so older and newer versions stay readable.
    pub fn from_json(s: &str) -> Result<Situation, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SituationChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// The fields that differ from `before` to `after`, in page order.
pub fn compare(before: &Situation, after: &Situation) -> Vec<SituationChange> {
    before
        .values()
        .into_iter()
        .zip(after.values())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| SituationChange {
            field,
            before: a,
            after: b,
        })
        .collect()
}

/// A line-level comparison of one long text, for the readable comparison view: each line of the
/// old and the new text marked as kept, removed or added (longest common subsequence of lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LineChange {
    Same(String),
    Removed(String),
    Added(String),
}

/// Lines of `before` and `after` in order, marked. Texts are short (a few thousand characters),
/// so the quadratic table is fine.
pub fn compare_lines(before: &str, after: &str) -> Vec<LineChange> {
    let a: Vec<&str> = if before.is_empty() {
        Vec::new()
    } else {
        before.lines().collect()
    };
    let b: Vec<&str> = if after.is_empty() {
        Vec::new()
    } else {
        after.lines().collect()
    };
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(LineChange::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(LineChange::Added(b[j].to_string()));
            j += 1;
        } else {
            out.push(LineChange::Removed(a[i].to_string()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> SituationInput {
        SituationInput {
            naaste: "Mijn man Henk heeft dementie.".into(),
            hours_per_week: " 20 ".into(),
            living_together: "ja".into(),
            emergency_plan: "Onze dochter Sanne.".into(),
            ..SituationInput::default()
        }
    }

    #[test]
    fn a_good_form_is_checked_into_a_situation() {
        let s = input().check().unwrap();
        assert_eq!(s.hours_per_week, Some(20));
        assert_eq!(s.living_together, Some(true));
        assert_eq!(s.emergency_plan, "Onze dochter Sanne.");
        assert_eq!(SituationInput::from_situation(&s).check().unwrap(), s);
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let bad = SituationInput {
            hours_per_week: "200".into(),
            living_together: "misschien".into(),
            hard: "x".repeat(LONG_TEXT_MAX + 1),
            ..SituationInput::default()
        };
        let problems = bad.check().unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["hard", "hours_per_week", "living_together"]);
        assert!(
            SituationInput {
                hours_per_week: "-1".into(),
                ..SituationInput::default()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn comparison_lists_only_changed_fields_in_page_order() {
        let before = input().check().unwrap();
        let mut after = before.clone();
        after.hours_per_week = Some(30);
        after.wishes = "Een dag per week vrij.".into();
        let changes = compare(&before, &after);
        assert_eq!(
            changes,
            vec![
                SituationChange {
                    field: "hours_per_week",
                    before: "20".into(),
                    after: "30".into()
                },
                SituationChange {
                    field: "wishes",
                    before: "".into(),
                    after: "Een dag per week vrij.".into()
                },
            ]
        );
        assert!(compare(&after, &after).is_empty());
    }

    #[test]
    fn stored_json_reads_back_and_tolerates_unknown_fields() {
        let s = input().check().unwrap();
        assert_eq!(Situation::from_json(&s.to_json()).unwrap(), s);
        let older = Situation::from_json(r#"{"naaste":"x","future_field":1}"#).unwrap();
        assert_eq!(older.naaste, "x");
        assert!(Situation::default().is_empty());
    }

    #[test]
    fn lines_are_compared() {
        let changes = compare_lines("a\nb\nc", "a\nc\nd");
        assert_eq!(
            changes,
            vec![
                LineChange::Same("a".into()),
                LineChange::Removed("b".into()),
                LineChange::Same("c".into()),
                LineChange::Added("d".into()),
            ]
        );
        assert_eq!(compare_lines("", "x"), vec![LineChange::Added("x".into())]);
    }

    proptest! {
        #[test]
        fn line_comparison_rebuilds_both_texts(a in proptest::collection::vec("[abc]{0,2}", 0..8),
                                               b in proptest::collection::vec("[abc]{0,2}", 0..8)) {
            let (a, b) = (a.join("\n"), b.join("\n"));
            let changes = compare_lines(&a, &b);
            let old: Vec<&str> = changes.iter().filter_map(|c| match c {
                LineChange::Same(s) | LineChange::Removed(s) => Some(s.as_str()), _ => None }).collect();
            let new: Vec<&str> = changes.iter().filter_map(|c| match c {
                LineChange::Same(s) | LineChange::Added(s) => Some(s.as_str()), _ => None }).collect();
            let expect_old: Vec<&str> = if a.is_empty() { vec![] } else { a.lines().collect() };
            let expect_new: Vec<&str> = if b.is_empty() { vec![] } else { b.lines().collect() };
            prop_assert_eq!(old, expect_old);
            prop_assert_eq!(new, expect_new);
        }
    }
}
