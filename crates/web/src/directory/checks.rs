//! Checks at the edge for the editors' forms: text as typed becomes a trimmed value or a problem,
//! never a 500. The messages are chosen by the form that calls these.

use mantelkring_core::identity::Email;

/// The problems found in one form, each with the id of the field it is about (the error summary
/// links to it) and its message in the visitor's language.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: String) {
        self.0.push((field.into(), message));
    }

    /// The first message about `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Text without control characters (a line break and a tab are allowed when `multiline`).
fn clean(s: &str, multiline: bool) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// Required text: trimmed, `min..=max` characters.
pub fn required(input: &str, min: usize, max: usize, multiline: bool) -> Option<String> {
    let s = input.trim();
    let n = s.chars().count();
    ((min..=max).contains(&n) && clean(s, multiline)).then(|| s.replace("\r\n", "\n"))
}

/// Optional text: empty is `None`; otherwise trimmed and at most `max` characters.
pub fn optional(input: &str, max: usize, multiline: bool) -> Result<Option<String>, ()> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max || !clean(s, multiline) {
        return Err(());
    }
    Ok(Some(s.replace("\r\n", "\n")))
}

/// A web address: http(s), no spaces, at most 300 characters; empty is `None`.
pub fn url(input: &str) -> Result<Option<String>, ()> {
    let url = input.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let ok = url.len() <= 300
        && url
            .split_once("://")
            .is_some_and(|(scheme, rest)| matches!(scheme, "https" | "http") && rest.len() > 2)
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(Some(url.to_string()))
    } else {
        Err(())
    }
}

/// An e-mail address; empty is `None`.
pub fn email(input: &str) -> Result<Option<String>, ()> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    Email::parse(input)
        .map(|e| Some(e.as_str().to_string()))
        .map_err(|_| ())
}

/// A phone number as people write it: digits, spaces, `+`, `-`, `(`, `)`, with 3 to 15 digits
/// (the Dutch municipal number "14 071" has five).
pub fn phone(input: &str) -> Option<String> {
    let s = input.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
    (allowed && (3..=15).contains(&digits) && s.len() <= 30).then(|| s.to_string())
}

/// A full Dutch postcode (`2312 AB`, `2312ab`), written as `2312 AB`.
pub fn postcode(input: &str) -> Option<String> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() != 6 {
        return None;
    }
    let (number, letters) = s.split_at_checked(4)?;
    mantelkring_core::geo::Pc4::parse(number).ok()?;
    letters
        .bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then(|| format!("{number} {}", letters.to_ascii_uppercase()))
}

/// An age in years, 0 to 120; empty is `None`.
pub fn age(input: &str) -> Result<Option<u16>, ()> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u16>() {
        Ok(n) if n <= 120 => Ok(Some(n)),
        _ => Err(()),
    }
}

/// A decimal number as typed, with a point or a comma.
pub fn decimal(input: &str) -> Option<f64> {
    input
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_clean() {
        assert_eq!(
            required("  Koffie  ", 2, 10, false).as_deref(),
            Some("Koffie")
        );
        assert_eq!(required("K", 2, 10, false), None);
        assert_eq!(required("Twee\nregels", 2, 20, false), None);
        assert_eq!(
            required("Twee\r\nregels", 2, 20, true).as_deref(),
            Some("Twee\nregels")
        );
        assert_eq!(optional("  ", 5, false), Ok(None));
        assert_eq!(optional("zes te", 5, false), Err(()));
    }

    #[test]
    fn web_and_mail_addresses() {
        assert_eq!(url(""), Ok(None));
        assert_eq!(
            url(" https://www.steunpunt.nl/logeren "),
            Ok(Some("https://www.steunpunt.nl/logeren".into()))
        );
        assert!(url("javascript:alert(1)").is_err());
        assert!(url("https://a b.nl").is_err());
        assert!(url("ftp://x.nl").is_err());
        assert_eq!(email(""), Ok(None));
        assert!(email("info@@steunpunt").is_err());
        assert_eq!(
            email(" Info@Steunpunt.nl ").unwrap().as_deref(),
            Some("info@steunpunt.nl")
        );
    }

    #[test]
    fn phones_postcodes_ages_and_numbers() {
        assert_eq!(phone(" 071 123 45 67 ").as_deref(), Some("071 123 45 67"));
        assert_eq!(phone("14 071").as_deref(), Some("14 071"));
        assert_eq!(
            phone("+31 (0)71-1234567").as_deref(),
            Some("+31 (0)71-1234567")
        );
        assert_eq!(phone("bel mij"), None);
        assert_eq!(phone("12"), None);
        assert_eq!(postcode("2312ab").as_deref(), Some("2312 AB"));
        assert_eq!(postcode(" 2312 AB ").as_deref(), Some("2312 AB"));
        assert_eq!(postcode("2312"), None);
        assert_eq!(postcode("0312 AB"), None);
        assert_eq!(postcode("2312 A1"), None);
        assert_eq!(age(""), Ok(None));
        assert_eq!(age("65"), Ok(Some(65)));
        assert!(age("121").is_err() && age("-1").is_err() && age("tien").is_err());
        assert_eq!(decimal("52,16"), Some(52.16));
        assert_eq!(decimal("NaN"), None);
    }
}
