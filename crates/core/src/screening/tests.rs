use super::*;

#[test]
fn closing_a_signal_needs_a_note() {
    let today = Day(20_000);
    assert_eq!(
        check_update(SignalStatus::Done, "  ", None, today),
        Err(UpdateProblem::NoteNeededToClose)
    );
    assert_eq!(
        check_update(
            SignalStatus::Done,
            "Gebeld, respijtzorg geregeld",
            None,
            today
        ),
        Ok(())
    );
    assert_eq!(
        check_update(SignalStatus::InProgress, "", None, today),
        Ok(())
    );
    assert_eq!(
        check_update(SignalStatus::New, "", Some(Day(19_999)), today),
        Err(UpdateProblem::FollowUpInPast)
    );
    assert_eq!(
        check_update(SignalStatus::New, "", Some(today), today),
        Ok(())
    );
    assert_eq!(
        check_update(SignalStatus::New, &"x".repeat(NOTE_MAX + 1), None, today),
        Err(UpdateProblem::NoteTooLong)
    );
}

#[test]
fn the_next_contact_is_due_after_the_last_reached_one() {
    let start = Day(100);
    // Never reached: due the day the plan began.
    assert_eq!(next_contact_due(14, start, None, None), Day(100));
    // Reached on day 110: due on day 124.
    assert_eq!(next_contact_due(14, start, Some(Day(110)), None), Day(124));
    // No answer on the due day: try again the next day.
    assert_eq!(
        next_contact_due(14, start, Some(Day(110)), Some(Day(124))),
        Day(125)
    );
    // An attempt before the due day changes nothing.
    assert_eq!(
        next_contact_due(14, start, Some(Day(110)), Some(Day(115))),
        Day(124)
    );
    // Never reached and not answered on day 103: again on day 104.
    assert_eq!(next_contact_due(7, start, None, Some(Day(103))), Day(104));
}

#[test]
fn codes_read_back() {
    for rule in Rule::ALL {
        assert_eq!(Rule::parse(rule.as_str()), Some(*rule));
    }
    assert!(!ContactKind::NoAnswer.reached());
    assert!(ContactKind::FrontGarden.reached());
    assert_eq!(
        ContactKind::parse("front_garden"),
        Some(ContactKind::FrontGarden)
    );
}
