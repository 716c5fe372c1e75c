//! Bearer-token authentication of the native API: the token must equal one of the admin
//! tokens, compared in constant time.

use http::{header, HeaderMap};
use subtle::ConstantTimeEq;

/// Whether the request carries `Authorization: Bearer <token>` with an accepted token.
pub fn authorized(headers: &HeaderMap, admin_tokens: &[String]) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return false;
    };
    let Some(token) = value.as_bytes().strip_prefix(b"Bearer ") else {
        return false;
    };
    let token = token.trim_ascii();
    if token.is_empty() {
        return false;
    }
    // Check every token (no early exit) so the time taken says nothing about which matched.
    admin_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .fold(subtle::Choice::from(0), |any, t| {
            any | t.as_bytes().ct_eq(token)
        })
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_auth(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn accepts_only_a_known_bearer_token() {
        let tokens = vec!["secret-1".to_string(), "secret-2".to_string()];
        assert!(authorized(&with_auth("Bearer secret-1"), &tokens));
        assert!(authorized(&with_auth("Bearer secret-2"), &tokens));
        assert!(!authorized(&with_auth("Bearer secret-3"), &tokens));
        assert!(!authorized(&with_auth("Bearer secret-"), &tokens));
        assert!(!authorized(&with_auth("Basic secret-1"), &tokens));
        assert!(!authorized(&with_auth("Bearer "), &tokens));
        assert!(!authorized(&HeaderMap::new(), &tokens));
        assert!(!authorized(&with_auth("Bearer "), &[String::new()]));
    }
}
