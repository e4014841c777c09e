//! Pure rules of the background job queue: kinds and retry back-off.

use std::time::Duration;

/// Job kinds. The payload of each kind is JSON whose shape belongs to the handler of that kind.
pub mod kind {
    /// Send one e-mail (payload: `mantelkring::mail::EmailJob`).
    pub const EMAIL: &str = "email";
    /// Remind organisation editors of their sociale-kaart entries not checked for a long time
    /// (payload: `{}`; queued daily by the worker, or run with `mantelkring jobs reminders`).
    pub const DIRECTORY_REMINDERS: &str = "directory_reminders";
}

/// The payload of an [`kind::EMAIL`] job: one plain-text message to one address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailJob {
    pub to: String,
    pub subject: String,
    pub body_text: String,
}

/// Delay before retry number `attempt` (1-based: the delay after the first failure is `base`),
/// doubling each time and capped at one day so a long outage does not push a job out for weeks.
pub fn retry_delay(attempt: u32, base: Duration) -> Duration {
    const CAP: Duration = Duration::from_secs(24 * 60 * 60);
    let exponent = attempt.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << exponent).min(CAP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delay_doubles_from_base() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(1, base), Duration::from_secs(30));
        assert_eq!(retry_delay(2, base), Duration::from_secs(60));
        assert_eq!(retry_delay(4, base), Duration::from_secs(240));
    }

    proptest! {
        #[test]
        fn delay_is_monotonic_and_capped(attempt in 1u32..200, base_ms in 0u64..10_000_000) {
            let base = Duration::from_millis(base_ms);
            let this = retry_delay(attempt, base);
            let next = retry_delay(attempt + 1, base);
            prop_assert!(next >= this);
            prop_assert!(this <= Duration::from_secs(86_400));
        }
    }
}
