//! Security on every request: response headers, and CSRF protection for every state-changing request.
//!
//! CSRF: each browser gets a random `mk_csrf` cookie; forms carry a token that is the HMAC of that
//! cookie under the installation's secret key (kept in the database, the same on every node).
//! A POST, PUT, PATCH or DELETE must carry the token in the form field `csrf` or the header
//! `X-CSRF-Token`, or it is refused with 403 before any handler runs. An attacker's page can
//! neither read the cookie nor compute the HMAC, and a planted cookie does not help without the key.

use crate::AppState;
use crate::errors::error_response;
use crate::pages::lang_of;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const CSRF_COOKIE: &str = "mk_csrf";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The token a form must send back; put in the request extensions for the page handlers.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the security headers to every response, error pages included.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    response
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235),
/// if the request carries one. Such requests are API calls with an API token: they skip the CSRF
/// check and never use a session cookie (see [`csrf`] and `identity::load_session`).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn token_for(key: &[u8], seed: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"csrf:");
    mac.update(seed.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn valid_seed(seed: &str) -> bool {
    seed.len() == 32 && seed.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Finds `csrf=…` in an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], field: &str) -> Option<String> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let text = std::str::from_utf8(pair).ok()?;
        let (k, v) = text.split_once('=')?;
        (k == field).then(|| v.to_string())
    })
}

pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let existing = cookie_value(request.headers(), CSRF_COOKIE)
        .filter(|s| valid_seed(s))
        .map(str::to_string);
    let (seed, is_new) = match existing {
        Some(seed) => (seed, false),
        None => (hex::encode(rand::random::<[u8; 16]>()), true),
    };
    let expected = token_for(state.secret_key(), &seed);
    let (mut parts, body) = request.into_parts();

    // A request with `Authorization: Bearer …` is exempt: browsers never attach that header by
    // themselves (a cross-site page can only add it through fetch with a CORS preflight, which
    // this server never grants), so a forged request cannot carry it. Such a request is
    // authenticated by its API token alone; `identity::load_session` ignores its session cookie.
    let exempt = bearer_token(&parts.headers).is_some();
    let body = if is_state_changing(&parts.method) && !exempt {
        let lang = lang_of(&parts.headers);
        let from_header = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let (sent, body) = match from_header {
            Some(token) => (Some(token), body),
            None if is_form => match to_bytes(body, state.settings().max_body_bytes).await {
                Ok(bytes) => (form_field(&bytes, CSRF_FIELD), Body::from(bytes)),
                Err(_) => {
                    return error_response(
                        &state,
                        lang,
                        parts.uri.path(),
                        &expected,
                        StatusCode::PAYLOAD_TOO_LARGE,
                    );
                }
            },
            None => (None, body),
        };
        let ok =
            !is_new && sent.is_some_and(|t| constant_time_eq(t.as_bytes(), expected.as_bytes()));
        if !ok {
            tracing::info!(
                path = parts.uri.path(),
                "refused: missing or invalid CSRF token"
            );
            return error_response(
                &state,
                lang,
                parts.uri.path(),
                &expected,
                StatusCode::FORBIDDEN,
            );
        }
        body
    } else {
        body
    };

    parts.extensions.insert(CsrfToken(expected));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if is_new {
        let secure = if state.settings().secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!("{CSRF_COOKIE}={seed}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_seed() {
        let a = token_for(b"key-one", "00112233445566778899aabbccddeeff");
        assert_eq!(a, token_for(b"key-one", "00112233445566778899aabbccddeeff"));
        assert_ne!(a, token_for(b"key-two", "00112233445566778899aabbccddeeff"));
        assert_ne!(a, token_for(b"key-one", "ffeeddccbbaa99887766554433221100"));
    }

    #[test]
    fn form_field_is_found_among_others() {
        assert_eq!(
            form_field(b"lang=en&csrf=abc&x=1", "csrf").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"lang=en", "csrf"), None);
        assert_eq!(
            form_field(b"\xff\xfe=1&csrf=z", "csrf").as_deref(),
            Some("z")
        );
    }

    #[test]
    fn only_a_bearer_authorization_counts_as_an_api_token() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert_eq!(bearer_token(&with("Bearer mk_abc")), Some("mk_abc"));
        assert_eq!(bearer_token(&with("bearer   mk_abc ")), Some("mk_abc"));
        assert_eq!(bearer_token(&with("Basic dXNlcjpwdw==")), None);
        assert_eq!(bearer_token(&with("Bearer ")), None);
        assert_eq!(bearer_token(&with("Bearer")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn only_well_formed_seeds_are_accepted() {
        assert!(valid_seed("00112233445566778899aabbccddeeff"));
        assert!(!valid_seed("short"));
        assert!(!valid_seed("zz112233445566778899aabbccddeeff"));
    }
}
