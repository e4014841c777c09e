//! API tokens for integrations, without I/O: what a token may be used for (scopes), which scopes
//! a user may put on a token given their roles, which scope an action needs, and the shape of the
//! secret. The random bytes of a secret come from the caller; only a hash of the secret is stored
//! (`identity::token_hash`).
//!
//! A scope only narrows: a request made with a token is still decided by the access policy
//! (`access::may`) as if the owner made it, and is refused when the token lacks the scope the
//! action needs.

use crate::access::{Action, Actor, DataCategory, Resource};
use crate::base::Role;
use data_encoding::BASE32_NOPAD;

/// Every secret starts with this, so a leaked one is easy to recognise (and to search for).
pub const SECRET_PREFIX: &str = "mk_";
/// Random bytes in a secret: 256 bits.
pub const SECRET_BYTES: usize = 32;
/// Length of a secret: the prefix and 52 base32 characters.
pub const SECRET_LEN: usize = 3 + 52;
/// Longest token name.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest validity that can be chosen, in days.
pub const MAX_DAYS: i64 = 365;

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiScope {
    /// Read a person's basic data (and contact details where the person shares them), through
    /// the access policy: only people whose data the owner may see.
    PeopleRead,
    /// Search and read the NEN 7513 access log. Log administrators only.
    AuditRead,
    /// Read the care networks the owner is a member of (members, "Mijn situatie", agenda,
    /// timeline, as far as the caregiver shares them) and export the care team as FHIR.
    NetworkRead,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("onbekende toegang '{0}' (kies uit people:read, audit:read, network:read) / unknown scope")]
pub struct UnknownScope(pub String);

impl ApiScope {
    pub const ALL: [ApiScope; 3] = [
        ApiScope::PeopleRead,
        ApiScope::AuditRead,
        ApiScope::NetworkRead,
    ];

    /// The stable name, as stored and as used in the API documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::PeopleRead => "people:read",
            ApiScope::AuditRead => "audit:read",
            ApiScope::NetworkRead => "network:read",
        }
    }

    pub fn parse(s: &str) -> Result<ApiScope, UnknownScope> {
        ApiScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| UnknownScope(s.trim().chars().take(40).collect()))
    }

    /// Parses a comma-separated list given by a person: every name must be known. The result is
    /// sorted and without duplicates; an empty list is allowed here (callers decide if it is).
    pub fn parse_list(s: &str) -> Result<Vec<ApiScope>, UnknownScope> {
        let mut scopes = s
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(ApiScope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort();
        scopes.dedup();
        Ok(scopes)
    }

    /// Reads the list stored with a token. A name this version does not know (a scope that was
    /// removed) grants nothing, so it is dropped rather than failing the request.
    pub fn from_stored(s: &str) -> Vec<ApiScope> {
        let mut scopes: Vec<ApiScope> = s
            .split(',')
            .filter_map(|part| ApiScope::parse(part).ok())
            .collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    pub fn join(scopes: &[ApiScope]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The role a user needs to put this scope on a token.
    pub fn required_role(self) -> Role {
        match self {
            ApiScope::PeopleRead => Role::Professional,
            ApiScope::AuditRead => Role::LogAdministrator,
            ApiScope::NetworkRead => Role::Professional,
        }
    }
}

/// The scopes `actor` may put on a token. Only roles that log in with a second factor get any:
/// a token is made from a session that passed it, and acts without it afterwards.
///
/// - `people:read`: professionals (they are members of caregivers' networks, with consent).
/// - `audit:read`: log administrators.
pub fn scopes_allowed_for(actor: &Actor) -> Vec<ApiScope> {
    ApiScope::ALL
        .into_iter()
        .filter(|scope| {
            let role = scope.required_role();
            role.requires_two_factor() && actor.has_role(role)
        })
        .collect()
}

/// Checks that `actor` may grant every scope in `requested`; returns the first one they may not.
pub fn check_grant(actor: &Actor, requested: &[ApiScope]) -> Result<(), ApiScope> {
    let allowed = scopes_allowed_for(actor);
    match requested.iter().find(|s| !allowed.contains(s)) {
        Some(scope) => Err(*scope),
        None => Ok(()),
    }
}

/// The scopes a token carries that its owner still may grant: when a role is taken away, the
/// owner's tokens lose what came with it at once.
pub fn effective_scopes(token_scopes: &[ApiScope], owner: &Actor) -> Vec<ApiScope> {
    let allowed = scopes_allowed_for(owner);
    token_scopes
        .iter()
        .copied()
        .filter(|s| allowed.contains(s))
        .collect()
}

/// The scope a token needs for `action` on `resource`; `None` when no token may do it at all.
pub fn required_scope(action: Action, resource: &Resource<'_>) -> Option<ApiScope> {
    match (resource, action) {
        (
            Resource::PersonData {
                category: DataCategory::Basic | DataCategory::Contact,
                ..
            },
            Action::Read,
        ) => Some(ApiScope::PeopleRead),
        (
            Resource::PersonData {
                category: DataCategory::Situation | DataCategory::Agenda | DataCategory::Messages,
                ..
            },
            Action::Read,
        )
        | (
            Resource::PersonData {
                category: DataCategory::Basic,
                ..
            },
            Action::Export,
        ) => Some(ApiScope::NetworkRead),
        (Resource::AuditLog, Action::Read | Action::Search) => Some(ApiScope::AuditRead),
        _ => None,
    }
}

/// The secret for `random` bytes: `mk_` and the bytes in lower-case base32 without padding.
pub fn format_secret(random: &[u8; SECRET_BYTES]) -> String {
    format!(
        "{SECRET_PREFIX}{}",
        BASE32_NOPAD.encode(random).to_ascii_lowercase()
    )
}

/// Whether `s` has the shape of a secret (checked before any database lookup).
pub fn looks_like_secret(s: &str) -> bool {
    s.len() == SECRET_LEN
        && s.starts_with(SECRET_PREFIX)
        && s[SECRET_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// Why a token name or validity is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenInputProblem {
    #[error("geef de sleutel een naam / give the token a name")]
    NameMissing,
    #[error(
        "de naam is te lang (hoogstens 100 tekens) / the name is too long (at most 100 characters)"
    )]
    NameTooLong,
    #[error(
        "de naam mag geen regeleinden of stuurtekens bevatten / the name may not contain line breaks or control characters"
    )]
    NameControl,
    #[error(
        "het aantal dagen moet een getal van 1 tot en met 365 zijn / the number of days must be 1 to 365"
    )]
    BadDays,
}

/// A token name as stored: trimmed, 1 to 100 characters, no control characters.
pub fn parse_name(input: &str) -> Result<String, TokenInputProblem> {
    let name = input.trim();
    if name.is_empty() {
        return Err(TokenInputProblem::NameMissing);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(TokenInputProblem::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(TokenInputProblem::NameControl);
    }
    Ok(name.to_string())
}

/// The validity in days as typed: empty means "does not expire"; otherwise 1 to [`MAX_DAYS`].
pub fn parse_days(input: &str) -> Result<Option<i64>, TokenInputProblem> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match input.parse::<i64>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(TokenInputProblem::BadDays),
    }
}

/// Milliseconds in `days` days.
pub fn days_ms(days: i64) -> i64 {
    days * 24 * 60 * 60 * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Relationship;

    fn actor(personal: &[Role], org: &[Role]) -> Actor {
        Actor {
            user_id: "u".into(),
            person_id: Some("p".into()),
            personal_roles: personal.to_vec(),
            memberships: org.iter().map(|r| ("org".to_string(), *r)).collect(),
            second_factor: true,
        }
    }

    #[test]
    fn scope_names_round_trip_and_unknown_names_are_refused() {
        for scope in ApiScope::ALL {
            assert_eq!(ApiScope::parse(scope.as_str()), Ok(scope));
        }
        assert_eq!(
            ApiScope::parse_list(" audit:read ,people:read,audit:read"),
            Ok(vec![ApiScope::PeopleRead, ApiScope::AuditRead])
        );
        assert_eq!(ApiScope::parse_list(""), Ok(vec![]));
        assert_eq!(
            ApiScope::parse_list("people:read,people:write"),
            Err(UnknownScope("people:write".into()))
        );
        assert!(ApiScope::parse("PEOPLE:READ").is_err(), "names are exact");
        assert_eq!(
            ApiScope::join(&[ApiScope::PeopleRead, ApiScope::AuditRead]),
            "people:read,audit:read"
        );
        // Stored lists drop what this version does not know.
        assert_eq!(
            ApiScope::from_stored("audit:read,old:scope"),
            vec![ApiScope::AuditRead]
        );
    }

    #[test]
    fn only_professionals_and_log_administrators_may_grant_scopes() {
        for role in Role::ALL {
            let allowed = scopes_allowed_for(&actor(&[], &[role]));
            let expected: Vec<ApiScope> = match role {
                Role::Professional => vec![ApiScope::PeopleRead, ApiScope::NetworkRead],
                Role::LogAdministrator => vec![ApiScope::AuditRead],
                _ => vec![],
            };
            assert_eq!(allowed, expected, "{role:?}");
        }
        // Personal roles (no second factor) never get a scope.
        let caregiver = actor(&[Role::Caregiver, Role::NetworkMember], &[]);
        assert!(scopes_allowed_for(&caregiver).is_empty());
        assert_eq!(
            check_grant(&caregiver, &[ApiScope::AuditRead]),
            Err(ApiScope::AuditRead)
        );
        let both = actor(&[], &[Role::Professional, Role::LogAdministrator]);
        assert_eq!(check_grant(&both, &ApiScope::ALL), Ok(()));
        let pro = actor(&[], &[Role::Professional]);
        assert_eq!(
            check_grant(&pro, &[ApiScope::PeopleRead, ApiScope::AuditRead]),
            Err(ApiScope::AuditRead)
        );
    }

    #[test]
    fn a_role_taken_away_takes_its_scopes_from_existing_tokens() {
        let token = [ApiScope::PeopleRead, ApiScope::AuditRead];
        let now = actor(&[], &[Role::LogAdministrator]);
        assert_eq!(effective_scopes(&token, &now), vec![ApiScope::AuditRead]);
        assert!(effective_scopes(&token, &actor(&[Role::Caregiver], &[])).is_empty());
    }

    #[test]
    fn each_action_needs_its_scope_and_the_rest_none() {
        let rel = Relationship::default();
        let person = |category| Resource::PersonData {
            category,
            relationship: &rel,
        };
        assert_eq!(
            required_scope(Action::Read, &person(DataCategory::Basic)),
            Some(ApiScope::PeopleRead)
        );
        assert_eq!(
            required_scope(Action::Read, &person(DataCategory::Contact)),
            Some(ApiScope::PeopleRead)
        );
        for category in [
            DataCategory::Situation,
            DataCategory::Agenda,
            DataCategory::Messages,
        ] {
            assert_eq!(
                required_scope(Action::Read, &person(category)),
                Some(ApiScope::NetworkRead)
            );
        }
        assert_eq!(
            required_scope(Action::Export, &person(DataCategory::Basic)),
            Some(ApiScope::NetworkRead)
        );
        for category in [DataCategory::Checks, DataCategory::AccessLog] {
            assert_eq!(required_scope(Action::Read, &person(category)), None);
        }
        for action in [Action::Update, Action::Delete, Action::Create] {
            assert_eq!(required_scope(action, &person(DataCategory::Basic)), None);
            assert_eq!(required_scope(action, &Resource::AuditLog), None);
        }
        assert_eq!(
            required_scope(Action::Search, &Resource::AuditLog),
            Some(ApiScope::AuditRead)
        );
        assert_eq!(
            required_scope(Action::Read, &Resource::Administration),
            None
        );
        assert_eq!(required_scope(Action::Read, &Resource::Insight), None);
    }

    #[test]
    fn secrets_have_a_recognisable_fixed_shape() {
        let secret = format_secret(&[0u8; SECRET_BYTES]);
        assert_eq!(secret, format!("mk_{}", "a".repeat(52)));
        let secret = format_secret(&[0xa5; SECRET_BYTES]);
        assert_eq!(secret.len(), SECRET_LEN);
        assert!(looks_like_secret(&secret), "{secret}");
        assert!(!looks_like_secret(&secret.to_ascii_uppercase()));
        assert!(!looks_like_secret(&secret[..SECRET_LEN - 1]));
        assert!(!looks_like_secret(&format!("xx_{}", &secret[3..])));
        assert!(!looks_like_secret(&format!("{secret}a")));
        assert!(!looks_like_secret("mk_"));
        assert!(!looks_like_secret(&format!("mk_{}1", "a".repeat(51))));
    }

    #[test]
    fn names_and_days_are_checked() {
        assert_eq!(parse_name("  Koppeling ECD "), Ok("Koppeling ECD".into()));
        assert_eq!(parse_name("   "), Err(TokenInputProblem::NameMissing));
        assert_eq!(
            parse_name(&"x".repeat(101)),
            Err(TokenInputProblem::NameTooLong)
        );
        assert_eq!(
            parse_name(&"é".repeat(100)).map(|n| n.chars().count()),
            Ok(100)
        );
        assert_eq!(parse_name("a\nb"), Err(TokenInputProblem::NameControl));
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 30 "), Ok(Some(30)));
        assert_eq!(parse_days("365"), Ok(Some(365)));
        for bad in ["0", "-1", "366", "dertig", "1.5", "99999999999999999999"] {
            assert_eq!(parse_days(bad), Err(TokenInputProblem::BadDays), "{bad}");
        }
        assert_eq!(days_ms(1), 86_400_000);
    }
}
