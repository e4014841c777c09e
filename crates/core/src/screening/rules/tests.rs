use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

const NOW: Millis = 1_800_000_000_000;

fn check(id: &str, instrument: &str, score: u32, days_ago: i64) -> CheckFact {
    CheckFact {
        id: id.into(),
        instrument: instrument.into(),
        score,
        completed_at: NOW - days_ago * DAY_MS,
    }
}

fn csi_thresholds() -> BTreeMap<String, u32> {
    thresholds(
        &RuleSettings::default(),
        [("csi".to_string(), Some(7)), ("ediz".to_string(), None)],
    )
}

fn causes(raised: &[Raised]) -> Vec<&str> {
    raised.iter().map(|r| r.cause.as_str()).collect()
}

#[test]
fn a_high_latest_score_raises_one_signal_named_by_the_check() {
    let facts = Facts {
        checks: vec![check("a", "csi", 5, 60), check("b", "csi", 8, 2)],
        last_contact: Some(("k1".into(), NOW - DAY_MS)),
        ..Facts::default()
    };
    let raised = evaluate(&RuleSettings::default(), &csi_thresholds(), &facts, NOW);
    assert_eq!(causes(&raised), ["score_high:b", "score_rose:b"]);
    assert_eq!(raised[0].detail.threshold, Some(7));
    assert_eq!(raised[1].detail.previous, Some(5));
}

#[test]
fn the_ediz_has_no_threshold_until_a_region_sets_one() {
    let facts = Facts {
        checks: vec![check("e", "ediz", 9, 1)],
        ..Facts::default()
    };
    assert!(evaluate(&RuleSettings::default(), &csi_thresholds(), &facts, NOW).is_empty());
    let mut settings = RuleSettings::default();
    settings.thresholds.insert("ediz".into(), 6);
    let set = thresholds(&settings, [("ediz".to_string(), None)]);
    assert_eq!(
        causes(&evaluate(&settings, &set, &facts, NOW)),
        ["score_high:e"]
    );
}

#[test]
fn no_contact_counts_from_the_last_contact_or_else_the_high_check() {
    let settings = RuleSettings::default(); // 28 days
    let mut facts = Facts {
        checks: vec![check("c", "csi", 9, 40)],
        last_contact: Some(("k".into(), NOW - 28 * DAY_MS)),
        ..Facts::default()
    };
    let only_no_contact = |facts: &Facts| {
        evaluate(&settings, &csi_thresholds(), facts, NOW)
            .into_iter()
            .filter(|r| r.rule == Rule::NoContact)
            .map(|r| r.cause)
            .collect::<Vec<_>>()
    };
    assert!(
        only_no_contact(&facts).is_empty(),
        "exactly 28 days is not more than 28"
    );
    facts.last_contact = Some(("k".into(), NOW - 28 * DAY_MS - 1));
    assert_eq!(only_no_contact(&facts), ["no_contact:k"]);
    facts.last_contact = None;
    assert_eq!(only_no_contact(&facts), ["no_contact:geen"]);
    // A low last score: no signal, however long ago the contact.
    facts.checks.push(check("d", "csi", 3, 30));
    assert!(only_no_contact(&facts).is_empty());
}

#[test]
fn kring_rules_count_days() {
    let facts = Facts {
        regie_missing_since: Some(NOW - 14 * DAY_MS),
        open_questions: vec![
            ("q1".into(), NOW - 7 * DAY_MS),
            ("q2".into(), NOW - 6 * DAY_MS),
        ],
        unfilled_tasks: vec![("t1".into(), NOW - 8 * DAY_MS)],
        cannot_cope: vec![("k9".into(), NOW - 1000)],
        ..Facts::default()
    };
    let raised = evaluate(&RuleSettings::default(), &BTreeMap::new(), &facts, NOW);
    assert_eq!(
        causes(&raised),
        [
            format!("no_regiehouder:{}", NOW - 14 * DAY_MS).as_str(),
            "question:q1",
            format!("task:t1:{}", NOW - 8 * DAY_MS).as_str(),
            "cannot_cope:k9",
        ]
    );
}

#[test]
fn rules_switched_off_raise_nothing() {
    let settings = RuleSettings {
        score_at_or_over: false,
        thresholds: BTreeMap::new(),
        rise_by: None,
        no_contact_days: None,
        no_regiehouder_days: None,
        question_days: None,
        task_unfilled_days: None,
        cannot_cope: false,
    };
    let facts = Facts {
        checks: vec![check("a", "csi", 0, 90), check("b", "csi", 13, 60)],
        regie_missing_since: Some(0),
        open_questions: vec![("q".into(), 0)],
        unfilled_tasks: vec![("t".into(), 0)],
        cannot_cope: vec![("k".into(), 0)],
        ..Facts::default()
    };
    assert!(evaluate(&settings, &csi_thresholds(), &facts, NOW).is_empty());
}

#[test]
fn settings_are_checked() {
    let instruments = [("csi", 13), ("ediz", 9)];
    assert_eq!(RuleSettings::default().check(&instruments), Ok(()));
    let mut s = RuleSettings::default();
    s.thresholds.insert("ediz".into(), 10);
    assert!(matches!(
        s.check(&instruments),
        Err(SettingsError::Threshold(_, 9))
    ));
    let mut s = RuleSettings::default();
    s.thresholds.insert("zarit".into(), 10);
    assert!(matches!(
        s.check(&instruments),
        Err(SettingsError::UnknownInstrument(_))
    ));
    let s = RuleSettings {
        question_days: Some(0),
        ..RuleSettings::default()
    };
    assert!(matches!(s.check(&instruments), Err(SettingsError::Days(_))));
    let s = RuleSettings {
        no_regiehouder_days: Some(0),
        ..RuleSettings::default()
    };
    assert_eq!(s.check(&instruments), Ok(()));
    let s = RuleSettings {
        rise_by: Some(0),
        ..RuleSettings::default()
    };
    assert_eq!(s.check(&instruments), Err(SettingsError::Rise));
    // Stored as TOML/JSON and read back.
    let json = serde_json::to_string(&RuleSettings::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<RuleSettings>(&json).unwrap(),
        RuleSettings::default()
    );
}

// ---- Property tests over generated histories -------------------------------------------------

fn arb_settings() -> impl Strategy<Value = RuleSettings> {
    (
        any::<bool>(),
        proptest::option::of(0u32..=9),
        proptest::option::of(1u32..=6),
        proptest::option::of(1u32..=60),
        proptest::option::of(0u32..=30),
        proptest::option::of(1u32..=20),
        proptest::option::of(1u32..=20),
        any::<bool>(),
    )
        .prop_map(
            |(
                score_at_or_over,
                ediz,
                rise_by,
                no_contact_days,
                regie,
                question,
                task,
                cannot_cope,
            )| {
                RuleSettings {
                    score_at_or_over,
                    thresholds: ediz.map(|t| ("ediz".to_string(), t)).into_iter().collect(),
                    rise_by,
                    no_contact_days,
                    no_regiehouder_days: regie,
                    question_days: question,
                    task_unfilled_days: task,
                    cannot_cope,
                }
            },
        )
}

fn arb_facts() -> impl Strategy<Value = Facts> {
    let check = (prop_oneof![Just("csi"), Just("ediz")], 0u32..=13, 0i64..400);
    (
        proptest::collection::vec(check, 0..8),
        proptest::option::of(0i64..120 * DAY_MS),
        proptest::option::of(0i64..60 * DAY_MS),
        proptest::collection::vec(0i64..30 * DAY_MS, 0..4),
        proptest::collection::vec(0i64..30 * DAY_MS, 0..4),
        proptest::collection::vec(0i64..30 * DAY_MS, 0..3),
    )
        .prop_map(|(checks, contact, regie, questions, tasks, cope)| Facts {
            checks: checks
                .into_iter()
                .enumerate()
                .map(|(n, (instrument, score, days_ago))| CheckFact {
                    id: format!("c{n}"),
                    instrument: instrument.to_string(),
                    score: if instrument == "ediz" {
                        score.min(9)
                    } else {
                        score
                    },
                    // Distinct times: n minutes apart on top of whole days.
                    completed_at: NOW - days_ago * DAY_MS / 4 - n as i64 * 60_000,
                })
                .collect(),
            last_contact: contact.map(|ago| ("k".to_string(), NOW - ago)),
            regie_missing_since: regie.map(|ago| NOW - ago),
            open_questions: questions
                .into_iter()
                .enumerate()
                .map(|(n, ago)| (format!("q{n}"), NOW - ago))
                .collect(),
            unfilled_tasks: tasks
                .into_iter()
                .enumerate()
                .map(|(n, ago)| (format!("t{n}"), NOW - ago))
                .collect(),
            cannot_cope: cope
                .into_iter()
                .enumerate()
                .map(|(n, ago)| (format!("k{n}"), NOW - ago))
                .collect(),
        })
}

/// The rules written out once more, as the issue states them, to compare against.
fn expected(settings: &RuleSettings, facts: &Facts) -> BTreeSet<String> {
    let th = |instrument: &str| -> Option<u32> {
        settings
            .thresholds
            .get(instrument)
            .copied()
            .or((instrument == "csi").then_some(7))
    };
    let mut out = BTreeSet::new();
    let history = |instrument: &str| {
        let mut h: Vec<&CheckFact> = facts
            .checks
            .iter()
            .filter(|c| c.instrument == instrument)
            .collect();
        h.sort_by_key(|c| std::cmp::Reverse(c.completed_at));
        h
    };
    for instrument in ["csi", "ediz"] {
        let h = history(instrument);
        if let Some(latest) = h.first() {
            if settings.score_at_or_over && th(instrument).is_some_and(|t| latest.score >= t) {
                out.insert(format!("score_high:{}", latest.id));
            }
            if let (Some(rise), Some(prev)) = (settings.rise_by, h.get(1))
                && latest.score as i64 - prev.score as i64 >= rise as i64
            {
                out.insert(format!("score_rose:{}", latest.id));
            }
        }
    }
    let last = facts.checks.iter().max_by_key(|c| c.completed_at);
    if let (Some(days), Some(last)) = (settings.no_contact_days, last)
        && th(&last.instrument).is_some_and(|t| last.score >= t)
    {
        let quiet_since = facts
            .last_contact
            .as_ref()
            .map(|c| c.1)
            .unwrap_or(last.completed_at);
        let quiet_days = (NOW - quiet_since) as f64 / DAY_MS as f64;
        if quiet_days > days as f64 {
            let name = facts
                .last_contact
                .as_ref()
                .map(|c| c.0.as_str())
                .unwrap_or("geen");
            out.insert(format!("no_contact:{name}"));
        }
    }
    let at_least = |since: Millis, days: u32| (NOW - since) as f64 / DAY_MS as f64 >= days as f64;
    if let (Some(days), Some(since)) = (settings.no_regiehouder_days, facts.regie_missing_since)
        && at_least(since, days)
    {
        out.insert(format!("no_regiehouder:{since}"));
    }
    for (id, at) in &facts.open_questions {
        if settings.question_days.is_some_and(|d| at_least(*at, d)) {
            out.insert(format!("question:{id}"));
        }
    }
    for (id, at) in &facts.unfilled_tasks {
        if settings
            .task_unfilled_days
            .is_some_and(|d| at_least(*at, d))
        {
            out.insert(format!("task:{id}:{at}"));
        }
    }
    if settings.cannot_cope {
        for (id, _) in &facts.cannot_cope {
            out.insert(format!("cannot_cope:{id}"));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Each rule fires exactly when the issue says it should, and each cause once.
    #[test]
    fn each_rule_fires_exactly_when_it_should(settings in arb_settings(), facts in arb_facts()) {
        let th = thresholds(&settings, [("csi".to_string(), Some(7)), ("ediz".to_string(), None)]);
        let raised = evaluate(&settings, &th, &facts, NOW);
        let got: Vec<String> = raised.iter().map(|r| r.cause.clone()).collect();
        let unique: BTreeSet<String> = got.iter().cloned().collect();
        prop_assert_eq!(got.len(), unique.len(), "a cause raised twice: {:?}", got);
        prop_assert_eq!(unique, expected(&settings, &facts));
        for r in &raised {
            let prefix = match r.rule {
                Rule::ScoreHigh => "score_high:",
                Rule::ScoreRose => "score_rose:",
                Rule::NoContact => "no_contact:",
                Rule::NoRegiehouder => "no_regiehouder:",
                Rule::QuestionUnanswered => "question:",
                Rule::TaskUnfilled => "task:",
                Rule::CannotCope => "cannot_cope:",
                Rule::Manual => "manual:",
            };
            prop_assert!(r.cause.starts_with(prefix), "{} is not a {:?}", r.cause, r.rule);
        }
    }

    /// Evaluating again later, with nothing new, gives no new cause for the score rules: a
    /// signal already raised for a check is not raised again.
    #[test]
    fn later_evaluations_find_the_same_score_causes(settings in arb_settings(), facts in arb_facts(), later in 0i64..90) {
        let th = thresholds(&settings, [("csi".to_string(), Some(7)), ("ediz".to_string(), None)]);
        let score = |now| evaluate(&settings, &th, &facts, now)
            .into_iter()
            .filter(|r| matches!(r.rule, Rule::ScoreHigh | Rule::ScoreRose))
            .map(|r| r.cause)
            .collect::<Vec<_>>();
        prop_assert_eq!(score(NOW), score(NOW + later * DAY_MS));
    }
}
