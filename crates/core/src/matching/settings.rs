//! A region's matching settings: the weights of the soft score, the time a volunteer has to
//! answer a proposal, and how long a VOG counts as valid. Stored as JSON per region; a region
//! without its own uses the defaults. [`RegionSettings::check`] refuses what makes no sense,
//! with the field it is about, so the form can say it in the visitor's language.

use super::Weights;
use super::workflow::{DEFAULT_ANSWER_HOURS, DEFAULT_VOG_VALID_YEARS};
use serde::{Deserialize, Serialize};

/// The largest weight: scores stay far inside i64 and the flow's costs.
pub const WEIGHT_MAX: u32 = 1000;
/// Answer time limits, in hours (4 hours to 2 weeks).
pub const ANSWER_HOURS: (u32, u32) = (4, 336);
/// VOG validity limits, in years.
pub const VOG_YEARS: (u32, u32) = (1, 10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegionSettings {
    pub distance: u32,
    pub continuity: u32,
    pub skills: u32,
    pub language: u32,
    pub load: u32,
    pub urgency: u32,
    pub answer_hours: u32,
    pub vog_years: u32,
}

impl Default for RegionSettings {
    fn default() -> RegionSettings {
        let w = Weights::default();
        RegionSettings {
            distance: w.distance,
            continuity: w.continuity,
            skills: w.skills,
            language: w.language,
            load: w.load,
            urgency: w.urgency,
            answer_hours: DEFAULT_ANSWER_HOURS,
            vog_years: DEFAULT_VOG_VALID_YEARS,
        }
    }
}

/// What is wrong with settings: the field (its form name) and its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange {
    pub field: &'static str,
    pub min: u32,
    pub max: u32,
}

impl RegionSettings {
    /// The weights of the soft score.
    pub fn weights(&self) -> Weights {
        Weights {
            distance: self.distance,
            continuity: self.continuity,
            skills: self.skills,
            language: self.language,
            load: self.load,
            urgency: self.urgency,
        }
    }

    /// The fields with their form names, in form order.
    pub fn fields(&self) -> [(&'static str, u32); 8] {
        [
            ("afstand", self.distance),
            ("eerder_geholpen", self.continuity),
            ("vaardigheden", self.skills),
            ("taal", self.language),
            ("spreiding", self.load),
            ("urgentie", self.urgency),
            ("antwoordtijd", self.answer_hours),
            ("vog_jaren", self.vog_years),
        ]
    }

    /// The limits of a field by its form name.
    pub fn limits(field: &str) -> (u32, u32) {
        match field {
            "antwoordtijd" => ANSWER_HOURS,
            "vog_jaren" => VOG_YEARS,
            _ => (0, WEIGHT_MAX),
        }
    }

    /// Sets a field by its form name; false for an unknown name.
    pub fn set(&mut self, field: &str, value: u32) -> bool {
        let slot = match field {
            "afstand" => &mut self.distance,
            "eerder_geholpen" => &mut self.continuity,
            "vaardigheden" => &mut self.skills,
            "taal" => &mut self.language,
            "spreiding" => &mut self.load,
            "urgentie" => &mut self.urgency,
            "antwoordtijd" => &mut self.answer_hours,
            "vog_jaren" => &mut self.vog_years,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Every value within its limits, and at least one weight above zero (else every pair
    /// scores the same and the proposal says nothing).
    pub fn check(&self) -> Result<(), OutOfRange> {
        for (field, value) in self.fields() {
            let (min, max) = RegionSettings::limits(field);
            if value < min || value > max {
                return Err(OutOfRange { field, min, max });
            }
        }
        let w = self.weights();
        if [
            w.distance,
            w.continuity,
            w.skills,
            w.language,
            w.load,
            w.urgency,
        ]
        .iter()
        .all(|&x| x == 0)
        {
            return Err(OutOfRange {
                field: "afstand",
                min: 1,
                max: WEIGHT_MAX,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_engines_and_pass_the_check() {
        let d = RegionSettings::default();
        assert_eq!(d.weights(), Weights::default());
        assert_eq!(d.answer_hours, 48);
        assert_eq!(d.vog_years, 3);
        assert_eq!(d.check(), Ok(()));
    }

    #[test]
    fn values_out_of_range_are_refused_by_field() {
        let mut s = RegionSettings::default();
        assert!(s.set("antwoordtijd", 2));
        assert_eq!(s.check().unwrap_err().field, "antwoordtijd");
        let mut s = RegionSettings::default();
        assert!(s.set("taal", WEIGHT_MAX + 1));
        assert_eq!(s.check().unwrap_err().field, "taal");
        let mut s = RegionSettings::default();
        assert!(s.set("vog_jaren", 0));
        assert_eq!(s.check().unwrap_err().field, "vog_jaren");
        assert!(!s.set("onbekend", 1));
        let mut zero = RegionSettings::default();
        for (field, _) in RegionSettings::default().fields().into_iter().take(6) {
            zero.set(field, 0);
        }
        assert!(zero.check().is_err(), "all weights zero");
    }

    #[test]
    fn stored_json_reads_back_and_missing_fields_take_the_default() {
        let mut s = RegionSettings::default();
        s.set("eerder_geholpen", 300);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<RegionSettings>(&json).unwrap(), s);
        let partial: RegionSettings = serde_json::from_str(r#"{"answer_hours": 24}"#).unwrap();
        assert_eq!(partial.answer_hours, 24);
        assert_eq!(partial.distance, Weights::default().distance);
    }
}
