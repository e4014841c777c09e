//! How fresh the sociale kaart is: when an entry counts as stale (not checked by its editors for
//! a while), and when its editors may be reminded again. Pure rules on milliseconds since the
//! Unix epoch; the store finds the entries and the worker sends the reminders.

use crate::time::Millis;

/// One day in milliseconds.
pub const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// An entry not checked for this many days is stale (about six months), unless the installation
/// sets `directory_stale_after_days`.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 183;

/// Editors are reminded about the same stale entry at most once in this many days.
pub const REMIND_AGAIN_AFTER_DAYS: u32 = 30;

/// Entries checked before this moment are stale.
pub fn stale_before(now: Millis, stale_after_days: u32) -> Millis {
    now - Millis::from(stale_after_days) * DAY_MS
}

/// Entries whose editors were reminded before this moment (or never) may be reminded again.
pub fn remind_before(now: Millis) -> Millis {
    now - Millis::from(REMIND_AGAIN_AFTER_DAYS) * DAY_MS
}

/// Whether an entry last checked at `last_reviewed_at` is stale at `now`.
pub fn is_stale(last_reviewed_at: Millis, now: Millis, stale_after_days: u32) -> bool {
    last_reviewed_at < stale_before(now, stale_after_days)
}

/// Whole days since `then` (0 for a moment in the future).
pub fn days_since(then: Millis, now: Millis) -> i64 {
    (now - then).max(0) / DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_800_000_000_000;

    #[test]
    fn an_entry_is_stale_only_after_the_configured_days() {
        let days = DEFAULT_STALE_AFTER_DAYS;
        assert!(!is_stale(NOW, NOW, days));
        assert!(!is_stale(NOW - 182 * DAY_MS, NOW, days));
        assert!(
            !is_stale(stale_before(NOW, days), NOW, days),
            "exactly on the edge"
        );
        assert!(is_stale(stale_before(NOW, days) - 1, NOW, days));
        assert!(is_stale(NOW - 184 * DAY_MS, NOW, days));
        assert!(is_stale(NOW - 31 * DAY_MS, NOW, 30));
    }

    #[test]
    fn reminders_wait_thirty_days() {
        assert_eq!(remind_before(NOW), NOW - 30 * DAY_MS);
    }

    #[test]
    fn days_are_counted_whole_and_never_negative() {
        assert_eq!(days_since(NOW - 3 * DAY_MS - 5, NOW), 3);
        assert_eq!(days_since(NOW + DAY_MS, NOW), 0);
    }
}
