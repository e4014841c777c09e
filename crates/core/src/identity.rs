//! Identity rules without I/O: e-mail addresses, password strength, TOTP (RFC 6238),
//! and the hashing of secrets that are stored (session tokens, recovery codes, one-time links).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// An e-mail address as stored: Unicode NFKC, trimmed, lower-cased, and of a plausible shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ongeldig e-mailadres: vul een adres in zoals naam@voorbeeld.nl")]
pub struct InvalidEmail;

impl Email {
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        let normal: String = input.trim().nfkc().collect::<String>().to_lowercase();
        let (local, domain) = normal.split_once('@').ok_or(InvalidEmail)?;
        let ok = normal.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !normal.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            });
        if ok {
            Ok(Email(normal))
        } else {
            Err(InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a new password is refused. The messages are shown as they are (Dutch, B1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Uw wachtwoord is te kort. Gebruik minstens 12 tekens.")]
    TooShort,
    #[error("Uw wachtwoord is te lang. Gebruik hoogstens 256 tekens.")]
    TooLong,
    #[error(
        "Dit wachtwoord is te makkelijk te raden. Kies een langere zin van een paar gewone woorden."
    )]
    TooWeak { score: u8 },
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password: length, then strength (zxcvbn score 3 of 4 or better), taking the
/// person's own name and e-mail into account so those do not count as strength.
pub fn check_new_password(password: &str, personal_words: &[&str]) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let score = u8::from(zxcvbn::zxcvbn(password, personal_words).score());
    if score < 3 {
        Err(PasswordProblem::TooWeak { score })
    } else {
        Ok(())
    }
}

/// Hex SHA-256 of a secret token: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// TOTP, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits.
pub mod totp {
    use super::*;
    use sha1::Sha1;

    pub const STEP_SECS: u64 = 30;

    /// Decodes a base32 secret (as shown to people and put in authenticator apps).
    pub fn decode_secret(base32: &str) -> Option<Vec<u8>> {
        let cleaned: String = base32
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .collect::<String>()
            .to_uppercase();
        data_encoding::BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .ok()
            .filter(|s| !s.is_empty())
    }

    pub fn encode_secret(secret: &[u8]) -> String {
        data_encoding::BASE32_NOPAD.encode(secret)
    }

    /// The code for time step `step` (= unix seconds / 30), with `digits` digits.
    pub fn code_at_step(secret: &[u8], step: u64, digits: u32) -> u32 {
        let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("any key length");
        mac.update(&step.to_be_bytes());
        let hash = mac.finalize().into_bytes();
        let offset = (hash[hash.len() - 1] & 0x0f) as usize;
        let binary = u32::from_be_bytes([
            hash[offset] & 0x7f,
            hash[offset + 1],
            hash[offset + 2],
            hash[offset + 3],
        ]);
        binary % 10u32.pow(digits)
    }

    /// The 6-digit code for a moment (unix seconds).
    pub fn code_at(secret: &[u8], unix_secs: u64) -> u32 {
        code_at_step(secret, unix_secs / STEP_SECS, 6)
    }

    /// Checks `code` at `unix_secs`, allowing one step of clock difference either way.
    /// Returns the matched step, so the caller can refuse a step that was already used.
    pub fn verify(secret: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
        let code = code.trim().replace(' ', "");
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let wanted: u32 = code.parse().ok()?;
        let now = unix_secs / STEP_SECS;
        [now, now.saturating_sub(1), now + 1]
            .into_iter()
            .find(|&step| code_at_step(secret, step, 6) == wanted)
    }

    /// The otpauth URI that authenticator apps read from the QR code.
    pub fn otpauth_uri(secret_base32: &str, account: &str, issuer: &str) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        format!(
            "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period=30",
            enc(issuer),
            enc(account),
            enc(issuer)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn totp_matches_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, 8 digits, secret "12345678901234567890".
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(
                totp::code_at_step(secret, time / 30, 8),
                expected,
                "t={time}"
            );
        }
    }

    #[test]
    fn totp_accepts_one_step_of_drift_and_nothing_more() {
        let secret = totp::decode_secret("DEMOPROFESSIONALMANTELKRINGAAAAA").unwrap();
        let now = 1_800_000_000;
        let code = format!("{:06}", totp::code_at(&secret, now));
        assert_eq!(totp::verify(&secret, &code, now), Some(now / 30));
        assert!(totp::verify(&secret, &code, now + 30).is_some());
        assert!(totp::verify(&secret, &code, now + 90).is_none());
        assert!(totp::verify(&secret, "12345", now).is_none());
        assert!(totp::verify(&secret, "abcdef", now).is_none());
    }

    #[test]
    fn e_mail_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ria@Example.NL ").unwrap().as_str(),
            "ria@example.nl"
        );
        // Full-width letters fold to ASCII under NFKC.
        assert_eq!(
            Email::parse("ｒｉａ@example.nl").unwrap().as_str(),
            "ria@example.nl"
        );
        for bad in [
            "",
            "ria",
            "ria@",
            "@example.nl",
            "ria@example",
            "ria @example.nl",
            "a@b@c.nl",
            "ria@.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_checked_for_length_and_strength() {
        assert_eq!(
            check_new_password("kort", &[]),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password(&"a".repeat(10_000), &[]),
            Err(PasswordProblem::TooLong)
        );
        assert!(matches!(
            check_new_password("wachtwoord12", &[]),
            Err(PasswordProblem::TooWeak { .. })
        ));
        assert!(matches!(
            check_new_password("riadevries1950", &["riadevries"]),
            Err(PasswordProblem::TooWeak { .. })
        ));
        assert_eq!(
            check_new_password("fiets paraplu koffie molen", &[]),
            Ok(())
        );
    }

    proptest! {
        #[test]
        fn email_parse_never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
        }

        #[test]
        fn totp_codes_have_six_digits_and_verify(secret in proptest::collection::vec(any::<u8>(), 10..40), t in 0u64..4_000_000_000) {
            let code = totp::code_at(&secret, t);
            prop_assert!(code < 1_000_000);
            let text = format!("{:06}", code);
            prop_assert!(totp::verify(&secret, &text, t).is_some());
        }
    }
}
