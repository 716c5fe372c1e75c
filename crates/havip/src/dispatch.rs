//! One listener, every face: the request itself tells which face answers it. Huawei paths
//! (`/v2.0/...`, `/v1/{project}/cloudservers/...`, `/v1/{project}/ports...`) and the
//! SDK-HMAC-SHA256 scheme go to the Huawei face; at `/`, the signature scheme and headers
//! tell Alibaba (ACS3 / `x-acs-*` / RPC `Signature*`, Version 2016-04-28) from Volcengine
//! (HMAC-SHA256 Credential, Version 2020-04-01); other `/v1/...` paths are the native API.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use havip_api::SharedState;
use http::{HeaderMap, StatusCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Native,
    Aliyun,
    Volcengine,
    Huawei,
}

/// First path segments under `/v1/` that belong to the native API.
const NATIVE_COLLECTIONS: &[&str] = &[
    "openapi.json",
    "accounts",
    "access-keys",
    "huawei-projects",
    "regions",
    "vpcs",
    "subnets",
    "instances",
    "enis",
    "havips",
    "operations",
    "seed",
];

fn query_has(query: &str, key: &str, value: Option<&str>) -> bool {
    query.split('&').any(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        k == key && value.is_none_or(|want| v == want)
    })
}

pub fn classify(path: &str, query: &str, headers: &HeaderMap) -> Face {
    let auth = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if path.starts_with("/v2.0/") || path == "/v2.0" || auth.starts_with("SDK-HMAC-") {
        return Face::Huawei;
    }
    if let Some(rest) = path.strip_prefix("/v1/") {
        let mut segs = rest.split('/');
        let first = segs.next().unwrap_or("");
        let second = segs.next().unwrap_or("");
        let huawei_shape = matches!(second, "cloudservers" | "ports");
        if huawei_shape && !NATIVE_COLLECTIONS.contains(&first) && !auth.starts_with("Bearer ") {
            return Face::Huawei;
        }
        return Face::Native;
    }
    if path == "/v1" {
        return Face::Native;
    }
    if auth.starts_with("ACS3-") || headers.contains_key("x-acs-action") {
        return Face::Aliyun;
    }
    if auth.starts_with("HMAC-SHA256") {
        return Face::Volcengine;
    }
    if query_has(query, "Version", Some("2020-04-01")) || headers.contains_key("x-date") {
        return Face::Volcengine;
    }
    Face::Aliyun
}

pub async fn dispatch(State(state): State<SharedState>, req: Request) -> Response {
    let face = classify(
        req.uri().path(),
        req.uri().query().unwrap_or(""),
        req.headers(),
    );
    match face {
        Face::Native => havip_native::handle(state, req).await,
        Face::Aliyun => havip_aliyun::handle(state, req).await,
        Face::Volcengine => havip_volcengine::handle(state, req).await,
        Face::Huawei => havip_huawei::handle(state, req).await,
    }
}

pub async fn healthz(State(state): State<SharedState>) -> Response {
    match state.service.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store unavailable: {e}\n"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, http::HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn classifies_each_face() {
        assert_eq!(classify("/v1/havips", "", &h(&[])), Face::Native);
        assert_eq!(classify("/v1/openapi.json", "", &h(&[])), Face::Native);
        assert_eq!(
            classify("/v1/0a1b/cloudservers/nics/x", "", &h(&[])),
            Face::Huawei
        );
        assert_eq!(classify("/v1/0a1b/ports", "", &h(&[])), Face::Huawei);
        assert_eq!(classify("/v2.0/ports", "", &h(&[])), Face::Huawei);
        assert_eq!(
            classify("/", "", &h(&[("x-acs-action", "AssociateHaVip")])),
            Face::Aliyun
        );
        assert_eq!(
            classify("/", "Action=X&SignatureMethod=HMAC-SHA1", &h(&[])),
            Face::Aliyun
        );
        assert_eq!(
            classify(
                "/",
                "",
                &h(&[("authorization", "HMAC-SHA256 Credential=a/b")])
            ),
            Face::Volcengine
        );
        assert_eq!(
            classify("/", "Action=X&Version=2020-04-01", &h(&[])),
            Face::Volcengine
        );
        assert_eq!(classify("/", "", &h(&[])), Face::Aliyun);
    }
}
