//! Request extractors of the native API whose rejections are problem JSON (never axum's
//! plain-text ones): a JSON body, the query string as pairs, and a resource id in the path.

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use bytes::Bytes;
use havip_core::{validate, DomainError};
use http::{header, request::Parts, HeaderMap};
use serde::de::DeserializeOwned;

use crate::problem::NativeError;

/// A JSON request body. An empty body reads as `{}` (so bodies of optional fields may be
/// left out); a non-empty body must be `application/json` (or `+json`).
pub struct JsonBody<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = NativeError;

    async fn from_request(req: Request, state: &S) -> Result<Self, NativeError> {
        let json = is_json(req.headers());
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| NativeError::InvalidBody(e.body_text()))?;
        if bytes.is_empty() {
            return serde_json::from_slice(b"{}")
                .map(JsonBody)
                .map_err(|e| NativeError::InvalidBody(e.to_string()));
        }
        if !json {
            return Err(NativeError::UnsupportedMediaType);
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| NativeError::InvalidBody(e.to_string()))
    }
}

/// The query string as decoded (name, value) pairs, with helpers that refuse unknown or
/// repeated parameters and malformed numbers.
#[derive(Debug, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = NativeError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, NativeError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(QueryPairs)
            .map_err(|e| DomainError::invalid("query", e.to_string()).into())
    }
}

impl QueryPairs {
    /// Refuses any parameter not in `known`.
    pub fn allow(&self, known: &[&str]) -> Result<(), NativeError> {
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some((k, _)) => Err(DomainError::invalid(
                "query",
                format!("unknown parameter {k:?}; known: {}", known.join(", ")),
            )
            .into()),
        }
    }

    /// Every value given for `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The one value of `name`, if given; given twice is refused.
    pub fn one(&self, name: &'static str) -> Result<Option<String>, NativeError> {
        let mut values = self.all(name);
        match values.len() {
            0 => Ok(None),
            1 => Ok(values.pop()),
            _ => Err(DomainError::invalid(name, "given more than once").into()),
        }
    }

    /// A whole number in `min..=max`, `default` when absent.
    pub fn number(
        &self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, NativeError> {
        let Some(text) = self.one(name)? else {
            return Ok(default);
        };
        match text.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(DomainError::invalid(
                name,
                format!("must be a whole number from {min} to {max}"),
            )
            .into()),
        }
    }
}

/// The `{id}` segment of a path, percent-decoded. Its syntax is checked by the handler
/// (with [`checked_id`]) so that a malformed id answers that resource's "not found".
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = NativeError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, NativeError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PathId(id))
            .map_err(|_| NativeError::RouteNotFound(parts.uri.path().to_string()))
    }
}

/// The id if it has the syntax of an id; otherwise the resource's "not found", without
/// a lookup.
pub fn checked_id(id: String, not_found: fn(String) -> DomainError) -> Result<String, NativeError> {
    if validate::id_syntax(&id) {
        Ok(id)
    } else {
        Err(not_found(id).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/merge-patch+json"),
        );
        assert!(is_json(&h));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json(&h));
    }

    #[test]
    fn numbers_are_bounded() {
        let q = QueryPairs(vec![("page_size".into(), "99999999999999999999999".into())]);
        assert!(q.number("page_size", 50, 1, 500).is_err());
        let q = QueryPairs(vec![("page".into(), "-1".into())]);
        assert!(q.number("page", 1, 1, u64::MAX).is_err());
        let q = QueryPairs(vec![("page".into(), "3".into())]);
        assert_eq!(q.number("page", 1, 1, u64::MAX).ok(), Some(3));
        assert_eq!(QueryPairs::default().number("page", 1, 1, 9).ok(), Some(1));
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let q = QueryPairs(vec![("a".into(), "1".into()), ("a".into(), "2".into())]);
        assert!(q.allow(&["a"]).is_ok());
        assert!(q.allow(&["b"]).is_err());
        assert!(q.one("a").is_err());
        assert_eq!(q.all("a"), vec!["1".to_string(), "2".to_string()]);
    }
}
