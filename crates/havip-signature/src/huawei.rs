//! Huawei Cloud API Gateway request signature (see `shared/design/wire-huawei.md`, 2.3):
//! `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=..., Signature=...` with
//! `X-Sdk-Date`, a canonical URI re-encoded per segment with a trailing slash, a sorted
//! query, the headers named in the Authorization header and the hash of the raw body.
//! Also a client-side signer that produces what `huaweicloudsdkcore` sends.

use chrono::{DateTime, Utc};
use http::HeaderMap;

use crate::{
    assemble_canonical_request, authorization_fields, canonical_headers, check_hex_signature,
    client_signature, decode_pairs, ensure_parsed_from, header_str, parse_utc, percent_decode,
    push_header, require_signed, require_signed_if_present, rfc3986_encode, sha256_hex,
    split_signed_headers, Credentials, OwnedRequest, ParsedAuth, RequestParts, Scheme,
    SignatureError,
};

/// The algorithm token of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Format of `X-Sdk-Date`.
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// Read the credentials: `Access=` AK, signed headers, `X-Sdk-Date` and
/// `X-Security-Token`.
pub fn parse(parts: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    let headers = parts.headers;
    let [access, signed, signature] =
        authorization_fields(headers, ALGORITHM, ["Access", "SignedHeaders", "Signature"])?;
    let signed_headers = split_signed_headers(signed)?;
    // The SDKs sign every header they set; these must be among them when they are sent:
    // they carry the clock, the tenant and the session. Host is not required: the Go SDK
    // (huaweicloud-sdk-go-v3 `core/auth/signer/signer.go`, `extractSignedHeaders`) signs
    // only the header parameters it set itself, and Host is not one of them.
    require_signed(&signed_headers, "x-sdk-date")?;
    for name in ["x-project-id", "x-security-token", "x-sdk-content-sha256"] {
        require_signed_if_present(headers, &signed_headers, name)?;
    }
    let date = header_str(headers, "x-sdk-date")?
        .ok_or_else(|| SignatureError::Malformed("missing header X-Sdk-Date".into()))?;
    let timestamp = parse_utc(date, DATE_FORMAT)?;
    Ok(ParsedAuth {
        scheme: Scheme::Huawei,
        access_key_id: access.to_string(),
        date: date.to_string(),
        timestamp,
        nonce: None,
        region: None,
        service: None,
        security_token: header_str(headers, "x-security-token")?.map(str::to_string),
        signed_headers,
        signature: signature.to_string(),
    })
}

/// Canonical URI: percent-decode the raw path, split on `/` (so an encoded `%2F` in a path
/// parameter becomes a separator, as in the SDK), re-encode each segment with
/// `quote(safe='~')`, join with `/` and end with `/`.
fn canonical_uri(raw_path: &str) -> Result<String, SignatureError> {
    let decoded = percent_decode(raw_path)?;
    let mut uri = decoded
        .split('/')
        .map(rfc3986_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Ok(uri)
}

/// Canonical query: percent-decode (the SDK never sends `+` for a space, so `+` stays a
/// `+`), sort the decoded `(key, value)` pairs, re-encode with `quote(safe='~')`; repeated
/// keys stay repeated.
fn canonical_query(raw: &str) -> Result<String, SignatureError> {
    let mut pairs = decode_pairs(raw, false)?;
    pairs.sort();
    Ok(pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986_encode(k), rfc3986_encode(v)))
        .collect::<Vec<_>>()
        .join("&"))
}

fn canonical_request(
    parts: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<Vec<u8>, SignatureError> {
    Ok(assemble_canonical_request(
        &parts.method.to_ascii_uppercase(),
        &canonical_uri(parts.path)?,
        &canonical_query(parts.query)?,
        canonical_headers(parts.headers, signed_headers, false, |_, v| v.to_vec())?,
        signed_headers,
        payload_hash,
    ))
}

fn string_to_sign(date: &str, canonical_request: &[u8]) -> String {
    format!("{ALGORITHM}\n{date}\n{}", sha256_hex(canonical_request))
}

/// The payload hash of the canonical request: always the hash of the raw body. An
/// `X-Sdk-Content-Sha256` header, when sent, must be that hash; `UNSIGNED-PAYLOAD` (which
/// the SDK uses only for non-JSON bodies) is refused so that the body is always covered.
fn payload_hash(parts: &RequestParts<'_>) -> Result<String, SignatureError> {
    crate::signed_payload_hash(parts, "x-sdk-content-sha256")
}

/// Verify a request parsed by [`parse`]: the signature over method, path, query, signed
/// headers and raw body, then the clock window.
pub fn verify(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    ensure_parsed_from(parts, auth, parse)?;
    let hash = payload_hash(parts)?;
    let canonical = canonical_request(parts, &auth.signed_headers, &hash)?;
    let string_to_sign = string_to_sign(&auth.date, &canonical);
    check_hex_signature(auth, secret.as_bytes(), string_to_sign, &canonical, now)
}

// ---------------------------------------------------------------------------------------
// Client-side signer (for tests of the face)

/// The `Authorization` value for a request that already carries its `X-Sdk-Date`,
/// signing the listed headers (lowercase).
pub fn authorization(
    parts: &RequestParts<'_>,
    signed_headers: &[&str],
    creds: &Credentials<'_>,
) -> Result<String, SignatureError> {
    let date = header_str(parts.headers, "x-sdk-date")?
        .ok_or_else(|| SignatureError::Malformed("missing header X-Sdk-Date".into()))?;
    let (signed, signature) = client_signature(
        signed_headers,
        parts.body,
        |signed, payload_hash| canonical_request(parts, signed, payload_hash),
        creds.secret.as_bytes(),
        |canonical| string_to_sign(date, canonical),
    )?;
    Ok(format!(
        "{ALGORITHM} Access={}, SignedHeaders={signed}, Signature={signature}",
        creds.access_key_id,
    ))
}

/// One Huawei API call, as a client wants to send it.
#[derive(Debug, Clone, Copy)]
pub struct HuaweiCall<'a> {
    pub method: &'a str,
    /// `Host` header value, `127.0.0.1:PORT`.
    pub host: &'a str,
    /// Resource path as it goes on the wire: path parameters already encoded with
    /// `quote(v, safe='')` (so a `/` in a parameter is `%2F`).
    pub path: &'a str,
    /// Query parameters (decoded); repeated keys allowed.
    pub query: &'a [(&'a str, &'a str)],
    /// Sent as `X-Project-Id` when set.
    pub project_id: Option<&'a str>,
    /// `Content-Type` (`application/json;charset=utf-8` for calls with a body).
    pub content_type: &'a str,
    pub body: &'a [u8],
    pub time: DateTime<Utc>,
}

const USER_AGENT: &str = "huaweicloud-usdk-python/3.0; os/Linux##1_SMP_PREEMPT_DYNAMIC_@0#x86_64 python/3.11.7 impl/CPython";

/// The request `huaweicloudsdkcore` sends: the canonical query as the URL query, and
/// every header the SDK sets (content-type, host, user-agent, x-project-id, x-sdk-date,
/// x-security-token) signed.
pub fn sign(call: &HuaweiCall<'_>, creds: &Credentials<'_>) -> OwnedRequest {
    let mut pairs: Vec<(&str, &str)> = call.query.to_vec();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986_encode(k), rfc3986_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = HeaderMap::new();
    push_header(&mut headers, "user-agent", USER_AGENT);
    push_header(&mut headers, "accept-encoding", "gzip, deflate");
    push_header(&mut headers, "accept", "*/*");
    push_header(&mut headers, "connection", "keep-alive");
    push_header(&mut headers, "content-type", call.content_type);
    if let Some(project) = call.project_id {
        push_header(&mut headers, "x-project-id", project);
    }
    if let Some(token) = creds.security_token {
        push_header(&mut headers, "x-security-token", token);
    }
    push_header(
        &mut headers,
        "x-sdk-date",
        &call.time.format(DATE_FORMAT).to_string(),
    );
    push_header(&mut headers, "host", call.host);
    let mut req = OwnedRequest {
        method: call.method.to_string(),
        path: call.path.to_string(),
        query,
        headers,
        body: call.body.to_vec(),
    };
    let signed = [
        "content-type",
        "host",
        "user-agent",
        "x-project-id",
        "x-sdk-date",
        "x-security-token",
    ];
    let signed: Vec<&str> = signed
        .into_iter()
        .filter(|h| req.headers.contains_key(*h))
        .collect();
    if let Ok(a) = authorization(&req.parts(), &signed, creds) {
        push_header(&mut req.headers, "authorization", &a);
    }
    if !req.body.is_empty() || req.method != "GET" {
        let len = req.body.len().to_string();
        push_header(&mut req.headers, "content-length", &len);
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn canonical_uri_examples_from_the_doc() {
        assert_eq!(
            canonical_uri("/v1/0123456789abcdef0123456789abcdef/cloudservers/nics/d0f8e3b4-1111-2222-3333-444444444444").unwrap(),
            "/v1/0123456789abcdef0123456789abcdef/cloudservers/nics/d0f8e3b4-1111-2222-3333-444444444444/"
        );
        assert_eq!(canonical_uri("/v2.0/ports").unwrap(), "/v2.0/ports/");
        assert_eq!(
            canonical_uri("/v2.0/ports/vip-port-1").unwrap(),
            "/v2.0/ports/vip-port-1/"
        );
        // A path parameter holding '/' and ' ' is split on the decoded '/'.
        assert_eq!(
            canonical_uri("/v2.0/ports/a%2Fb%20c").unwrap(),
            "/v2.0/ports/a/b%20c/"
        );
        assert_eq!(canonical_uri("/").unwrap(), "/");
        assert_eq!(canonical_uri("/a+b/").unwrap(), "/a%2Bb/");
    }

    #[test]
    fn canonical_query_example_from_the_doc() {
        let sent = "admin_state_up=true&fixed_ips=ip_address%3D10.0.0.5&name=a%20b%2Fc%2Bd~e&security_groups=a&security_groups=z";
        // The SDK sends its canonical query as the URL query.
        assert_eq!(canonical_query(sent).unwrap(), sent);
        // Order on the wire does not matter; repeated keys are sorted by value.
        assert_eq!(
            canonical_query("security_groups=z&name=a%20b%2Fc%2Bd~e&security_groups=a&fixed_ips=ip_address%3D10.0.0.5&admin_state_up=true").unwrap(),
            sent
        );
        assert_eq!(canonical_query("").unwrap(), "");
    }

    #[test]
    fn doc_body_hash() {
        // wire-huawei.md 2.3, step 9: the hash of the ECS bind body.
        let body = br#"{"nic": {"subnet_id": "a1b2c3d4-5555-6666-7777-888888888888", "ip_address": "192.168.0.100", "reverse_binding": true}}"#;
        assert_eq!(
            sha256_hex(body),
            "c13a3d96480201e7ca34d6ddcd15e05b4507041e1979e7fcbf3f3709f498d5ba"
        );
    }

    const CREDS: Credentials<'static> = Credentials {
        access_key_id: "AK1",
        secret: "SK1",
        security_token: None,
    };

    fn call<'a>(body: &'a [u8], query: &'a [(&'a str, &'a str)]) -> HuaweiCall<'a> {
        HuaweiCall {
            method: "PUT",
            host: "127.0.0.1:443",
            path: "/v2.0/ports/a%2Fb%20c",
            query,
            project_id: Some("p1"),
            content_type: "application/json;charset=utf-8",
            body,
            time: parse_utc("20260102T030405Z", DATE_FORMAT).unwrap(),
        }
    }

    #[test]
    fn signer_round_trip() {
        let token = Credentials {
            security_token: Some("tok"),
            ..CREDS
        };
        let q = [
            ("fixed_ips", "subnet_id=b"),
            ("fixed_ips", "ip_address=a"),
            ("n", "x y+"),
        ];
        for c in [CREDS, token] {
            let req = sign(&call(b"{\"port\": {}}", &q), &c);
            assert_eq!(
                req.query,
                "fixed_ips=ip_address%3Da&fixed_ips=subnet_id%3Db&n=x%20y%2B"
            );
            let auth = parse(&req.parts()).unwrap();
            assert_eq!(auth.access_key_id, "AK1");
            assert_eq!(auth.security_token.as_deref(), c.security_token);
            verify(&req.parts(), &auth, "SK1", auth.timestamp).unwrap();
            assert_eq!(
                verify(
                    &req.parts(),
                    &auth,
                    "SK1",
                    auth.timestamp - TimeDelta::minutes(16)
                ),
                Err(SignatureError::TimestampExpired)
            );
            let mut other = req.clone();
            other.body = b"{\"port\": {}} ".to_vec();
            assert!(matches!(
                verify(&other.parts(), &auth, "SK1", auth.timestamp),
                Err(SignatureError::Mismatch { .. })
            ));
        }
    }

    #[test]
    fn content_sha256_header() {
        let mut req = sign(&call(b"{}", &[]), &CREDS);
        req.headers
            .insert("x-sdk-content-sha256", "UNSIGNED-PAYLOAD".parse().unwrap());
        let signed = [
            "content-type",
            "host",
            "user-agent",
            "x-project-id",
            "x-sdk-content-sha256",
            "x-sdk-date",
        ];
        let a = authorization(&req.parts(), &signed, &CREDS).unwrap();
        req.headers.insert("authorization", a.parse().unwrap());
        let auth = parse(&req.parts()).unwrap();
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", auth.timestamp),
            Err(SignatureError::UnsupportedMethod("UNSIGNED-PAYLOAD".into()))
        );
        req.headers.insert(
            "x-sdk-content-sha256",
            sha256_hex(b"other").parse().unwrap(),
        );
        let auth = parse(&req.parts()).unwrap();
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", auth.timestamp),
            Err(SignatureError::ContentHashMismatch)
        );
        // The header is not signed: refused.
        let mut req = sign(&call(b"{}", &[]), &CREDS);
        req.headers
            .insert("x-sdk-content-sha256", sha256_hex(b"{}").parse().unwrap());
        assert_eq!(
            parse(&req.parts()),
            Err(SignatureError::HeaderNotSigned(
                "x-sdk-content-sha256".into()
            ))
        );
    }

    #[test]
    fn unknown_algorithm_malformed_and_missing() {
        let req = sign(&call(b"{}", &[]), &CREDS);
        let good = req
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let mut h = req.headers.clone();
        let p = |h: &HeaderMap| {
            parse(&RequestParts {
                method: "PUT",
                path: "/",
                query: "",
                headers: h,
                body: b"",
            })
        };
        h.remove("authorization");
        assert_eq!(p(&h), Err(SignatureError::Missing));
        h.insert(
            "authorization",
            good.replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3")
                .parse()
                .unwrap(),
        );
        assert_eq!(
            p(&h),
            Err(SignatureError::UnsupportedMethod("SDK-HMAC-SM3".into()))
        );
        for bad in [
            "SDK-HMAC-SHA256".to_string(),
            good.replace("Access=AK1, ", ""),
            good.replace("Access=", "Access "),
        ] {
            h.insert("authorization", bad.parse().unwrap());
            assert!(matches!(p(&h), Err(SignatureError::Malformed(_))), "{bad}");
        }
        for (bad, unsigned) in [
            (good.replace("x-sdk-date", "x-other"), "x-sdk-date"),
            (good.replace("x-project-id;", ""), "x-project-id"),
        ] {
            h.insert("authorization", bad.parse().unwrap());
            assert_eq!(
                p(&h),
                Err(SignatureError::HeaderNotSigned(unsigned.into())),
                "{bad}"
            );
        }
        let mut h = req.headers.clone();
        h.insert("x-sdk-date", "2026-01-02 03:04:05".parse().unwrap());
        assert_eq!(p(&h), Err(SignatureError::TimestampMalformed));
        let mut h = req.headers.clone();
        h.remove("x-sdk-date");
        assert!(matches!(p(&h), Err(SignatureError::Malformed(_))));
        // A signed header that is not there.
        let mut h = req.headers.clone();
        h.remove("user-agent");
        let parts = RequestParts {
            headers: &h,
            ..req.parts()
        };
        let auth = parse(&parts).unwrap();
        assert!(matches!(
            verify(&parts, &auth, "SK1", auth.timestamp),
            Err(SignatureError::Malformed(_))
        ));
    }
}
