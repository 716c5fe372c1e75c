//! Alibaba Cloud request signatures (see `shared/design/wire-aliyun.md`, section 2):
//! ACS3-HMAC-SHA256 (the new SDK's default, `Authorization` header plus `x-acs-*` headers)
//! and the RPC HMAC-SHA1 scheme (`Signature*` parameters; the legacy SDK, and the new SDK
//! with `signature_algorithm='v2'`). Also the merged query + form-body parameter view that
//! the Alibaba face needs, and client-side signers emulating both SDKs.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha1::Sha1;
use std::collections::HashMap;

use crate::{
    assemble_canonical_request, authorization_fields, canonical_headers, check_clock,
    check_hex_signature, checked_payload_hash, client_signature, decode_pairs, ensure_parsed_from,
    header_str, parse_utc, push_header, require_signed, require_signed_if_present, rfc3986_encode,
    sha256_hex, split_signed_headers, Credentials, OwnedRequest, ParsedAuth, RequestParts, Scheme,
    SignatureError,
};

/// The only V3 algorithm verified here.
pub const ACS3_ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// Format of `x-acs-date` and of the RPC `Timestamp` parameter.
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Headers an ACS3 request must sign: they carry the operation, the clock and the nonce,
/// and `host`, which every official SDK signs (darabonba-openapi and openapi-util keep
/// `x-acs-*`, `host` and `content-type` in Go, Java, TypeScript, C#, PHP and C++; the
/// Python SDK signs every header it sets, `host` among them).
const ACS3_REQUIRED_SIGNED: [&str; 5] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
];

// ---------------------------------------------------------------------------------------
// Parameters

/// Collapse repeated keys the way the SDKs' dicts do: a later value replaces an earlier
/// one, and the key keeps the position where it first appeared.
fn collapse(pairs: Vec<(String, String)>, into: &mut Vec<(String, String)>) {
    let mut index: HashMap<String, usize> = into
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    for (k, v) in pairs {
        match index.get(&k) {
            Some(&i) => into[i].1 = v,
            None => {
                index.insert(k.clone(), into.len());
                into.push((k, v));
            }
        }
    }
}

fn is_form_body(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The decoded query parameters (form rules: `+` is a space), repeated keys collapsed.
fn query_params(parts: &RequestParts<'_>) -> Result<Vec<(String, String)>, SignatureError> {
    let mut out = Vec::new();
    collapse(decode_pairs(parts.query, true)?, &mut out);
    Ok(out)
}

/// All request parameters as the Alibaba SDKs sign them and as the face must read them:
/// the query, then the body when it is `application/x-www-form-urlencoded`, both decoded
/// with form rules (`+` is a space, then `%XX`).
///
/// Repeated keys are collapsed as the SDKs' dicts do (`sign_params.update(body_params)` in
/// the legacy SDK, `merge(query, body)` in the new one): the last value wins, a body value
/// replaces a query value, and each key stays where it first appeared. Use this same list
/// for the operation's parameters so that the face reads exactly what was signed.
pub fn request_params(parts: &RequestParts<'_>) -> Result<Vec<(String, String)>, SignatureError> {
    let mut out = query_params(parts)?;
    if is_form_body(parts.headers) && !parts.body.is_empty() {
        let body = std::str::from_utf8(parts.body)
            .map_err(|_| SignatureError::Malformed("form body is not UTF-8".into()))?;
        collapse(decode_pairs(body, true)?, &mut out);
    }
    Ok(out)
}

fn param<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------------------------------
// Dispatch

/// Parse whichever Alibaba scheme the request uses (wire-aliyun.md 2.4): an
/// `Authorization: ACS3-...` header means ACS3; otherwise `Signature`/`AccessKeyId`
/// parameters mean RPC; neither means [`SignatureError::Missing`].
pub fn parse(parts: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    let authorization = header_str(parts.headers, "authorization")?;
    if let Some(a) = authorization {
        if a.starts_with("ACS3-") {
            return parse_acs3(parts);
        }
    }
    let params = request_params(parts)?;
    if param(&params, "Signature").is_some() || param(&params, "AccessKeyId").is_some() {
        return parse_rpc(parts);
    }
    match authorization {
        Some(a) => Err(SignatureError::UnsupportedMethod(
            a.split_whitespace().next().unwrap_or_default().to_string(),
        )),
        None => Err(SignatureError::Missing),
    }
}

/// Verify a request parsed by [`parse`], with the scheme it was parsed as.
pub fn verify(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    match auth.scheme {
        Scheme::AliyunAcs3 => verify_acs3(parts, auth, secret, now),
        Scheme::AliyunRpc => verify_rpc(parts, auth, secret, now),
        other => Err(SignatureError::Malformed(format!(
            "{other:?} credentials given to the Alibaba verifier"
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// ACS3-HMAC-SHA256

/// Read the ACS3 credentials: `Authorization: ACS3-HMAC-SHA256 Credential=<AK>,
/// SignedHeaders=<h1;h2>,Signature=<hex>`, plus `x-acs-date`, `x-acs-signature-nonce` and
/// `x-acs-security-token`.
pub fn parse_acs3(parts: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    let headers = parts.headers;
    let [credential, signed, signature] = authorization_fields(
        headers,
        ACS3_ALGORITHM,
        ["Credential", "SignedHeaders", "Signature"],
    )?;
    let signed_headers = split_signed_headers(signed)?;
    for name in ACS3_REQUIRED_SIGNED {
        require_signed(&signed_headers, name)?;
    }
    require_signed_if_present(headers, &signed_headers, "x-acs-security-token")?;
    let date = header_str(headers, "x-acs-date")?
        .ok_or_else(|| SignatureError::Malformed("missing header x-acs-date".into()))?;
    let timestamp = parse_utc(date, DATE_FORMAT)?;
    let nonce = header_str(headers, "x-acs-signature-nonce")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| SignatureError::Malformed("missing header x-acs-signature-nonce".into()))?;
    let security_token = header_str(headers, "x-acs-security-token")?.map(str::to_string);
    Ok(ParsedAuth {
        scheme: Scheme::AliyunAcs3,
        access_key_id: credential.to_string(),
        date: date.to_string(),
        timestamp,
        nonce: Some(nonce.to_string()),
        region: None,
        service: None,
        security_token,
        signed_headers,
        signature: signature.to_string(),
    })
}

/// ACS3 canonical request (wire-aliyun.md 2.2, steps 2 to 5).
fn acs3_canonical_request(
    parts: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<Vec<u8>, SignatureError> {
    Ok(assemble_canonical_request(
        parts.method,
        path_or_root(parts.path),
        &acs3_canonical_query(query_params(parts)?),
        canonical_headers(parts.headers, signed_headers, true, |_, v| v.to_vec())?,
        signed_headers,
        payload_hash,
    ))
}

/// The ACS3 canonical query string, as Alibaba's V3 signature documentation defines it:
/// parameters sorted by name (the decoded name, by code point, as every SDK sorts its
/// keys), then the name and the value each RFC 3986-encoded, joined `name=value` with
/// `&`. Encoding the names matters: a name holding `=` or `&` would otherwise let a
/// request with other parameters have the same canonical form (`A%3D1%26B=2` and
/// `A=1&B=2`). The SDKs that do not encode names (Python, Go, TypeScript) send only names
/// made of unreserved characters, which encode to themselves.
fn acs3_canonical_query(mut params: Vec<(String, String)>) -> String {
    // Repeated names were collapsed by `query_params`, so names are unique here.
    params.sort_by(|a, b| a.0.cmp(&b.0));
    params
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986_encode(k), rfc3986_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn path_or_root(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

fn acs3_string_to_sign(canonical_request: &[u8]) -> String {
    format!("{ACS3_ALGORITHM}\n{}", sha256_hex(canonical_request))
}

/// Verify an ACS3 request: the declared `x-acs-content-sha256` against the body, the
/// signature, then the clock window.
pub fn verify_acs3(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    ensure_parsed_from(parts, auth, parse_acs3)?;
    let payload_hash = checked_payload_hash(parts, "x-acs-content-sha256")?;
    let canonical = acs3_canonical_request(parts, &auth.signed_headers, &payload_hash)?;
    let string_to_sign = acs3_string_to_sign(&canonical);
    check_hex_signature(auth, secret.as_bytes(), string_to_sign, &canonical, now)
}

// ---------------------------------------------------------------------------------------
// RPC HMAC-SHA1

/// Read the RPC credentials from the merged parameters ([`request_params`]):
/// `AccessKeyId`, `Signature`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`,
/// `SignatureNonce`, `Timestamp` and the optional `SecurityToken`.
pub fn parse_rpc(parts: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    let params = request_params(parts)?;
    let signature = param(&params, "Signature");
    let access_key_id = param(&params, "AccessKeyId");
    let (signature, access_key_id) = match (signature, access_key_id) {
        (None, None) => return Err(SignatureError::Missing),
        (Some(s), Some(a)) if !s.is_empty() && !a.is_empty() => (s, a),
        (s, _) if s.is_none_or(str::is_empty) => {
            return Err(SignatureError::Malformed(
                "missing parameter Signature".into(),
            ))
        }
        _ => {
            return Err(SignatureError::Malformed(
                "missing parameter AccessKeyId".into(),
            ))
        }
    };
    let required = |key: &str| {
        param(&params, key)
            .ok_or_else(|| SignatureError::Malformed(format!("missing parameter {key}")))
    };
    let method = required("SignatureMethod")?;
    if method != "HMAC-SHA1" {
        return Err(SignatureError::UnsupportedMethod(method.to_string()));
    }
    let version = required("SignatureVersion")?;
    if version != "1.0" {
        return Err(SignatureError::UnsupportedMethod(format!(
            "SignatureVersion {version}"
        )));
    }
    let date = required("Timestamp")?;
    let timestamp = parse_utc(date, DATE_FORMAT)?;
    let nonce = required("SignatureNonce")?;
    if nonce.is_empty() {
        return Err(SignatureError::Malformed(
            "empty parameter SignatureNonce".into(),
        ));
    }
    Ok(ParsedAuth {
        scheme: Scheme::AliyunRpc,
        access_key_id: access_key_id.to_string(),
        date: date.to_string(),
        timestamp,
        nonce: Some(nonce.to_string()),
        region: None,
        service: None,
        security_token: param(&params, "SecurityToken").map(str::to_string),
        signed_headers: Vec::new(),
        signature: signature.to_string(),
    })
}

/// RPC string to sign (wire-aliyun.md 2.3): `METHOD&%2F&enc(k1=v1&k2=v2...)` over every
/// parameter but `Signature`, sorted by key, keys and values RFC 3986-encoded.
fn rpc_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let canonicalized = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986_encode(k), rfc3986_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{method}&{}&{}",
        rfc3986_encode("/"),
        rfc3986_encode(&canonicalized)
    )
}

fn rpc_mac(secret: &str, string_to_sign: &str) -> Option<Hmac<Sha1>> {
    let key = format!("{secret}&");
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(string_to_sign.as_bytes());
    Some(mac)
}

/// Verify an RPC request: the signature over all query and form parameters, then the
/// clock window.
pub fn verify_rpc(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    ensure_parsed_from(parts, auth, parse_rpc)?;
    let params = request_params(parts)?;
    let string_to_sign = rpc_string_to_sign(parts.method, &params);
    let sent = base64::engine::general_purpose::STANDARD.decode(auth.signature.as_bytes());
    let ok = match (rpc_mac(secret, &string_to_sign), sent) {
        // `verify_slice` compares in constant time.
        (Some(mac), Ok(sent)) => mac.verify_slice(&sent).is_ok(),
        _ => false,
    };
    if !ok {
        return Err(SignatureError::Mismatch {
            string_to_sign,
            canonical_request: None,
        });
    }
    check_clock(auth.timestamp, now)
}

// ---------------------------------------------------------------------------------------
// Client-side signers (for tests of the face)

/// One Alibaba API call, as a client wants to send it.
#[derive(Debug, Clone, Copy)]
pub struct AliyunCall<'a> {
    /// `Host` header value, `127.0.0.1:PORT`.
    pub host: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    /// Business parameters, sent in the query.
    pub params: &'a [(&'a str, &'a str)],
    /// Parameters sent as an `application/x-www-form-urlencoded` body (the legacy
    /// `CommonRequest.add_body_params`); usually empty.
    pub form: &'a [(&'a str, &'a str)],
    /// `x-acs-signature-nonce` / `SignatureNonce` (32 hex characters in the SDKs).
    pub nonce: &'a str,
    pub time: DateTime<Utc>,
}

/// Which SDK's RPC request [`sign_rpc`] imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpcFlavor {
    /// `aliyun-python-sdk-core` (`Format=JSON`, `SignatureType=`, space as `%20`).
    Legacy,
    /// The new SDK with `signature_algorithm='v2'` (`Format=json`, space as `+`).
    NewSdkV2,
}

/// Python's `urlencode` value encoding (`quote_plus`): RFC 3986 with space as `+`.
fn form_encode(s: &str) -> String {
    rfc3986_encode(s).replace("%20", "+")
}

fn form_encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const NEW_SDK_USER_AGENT: &str = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2";
const LEGACY_USER_AGENT: &str =
    "AlibabaCloud (Linux;x86_64) Python/3.11.7 Core/2.16.1 python-requests/2.18.3";
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The `Authorization` value for an ACS3 request, signing the listed headers (lowercase).
pub fn acs3_authorization(
    parts: &RequestParts<'_>,
    signed_headers: &[&str],
    creds: &Credentials<'_>,
) -> Result<String, SignatureError> {
    let (signed, signature) = client_signature(
        signed_headers,
        parts.body,
        |signed, payload_hash| acs3_canonical_request(parts, signed, payload_hash),
        creds.secret.as_bytes(),
        acs3_string_to_sign,
    )?;
    Ok(format!(
        "{ACS3_ALGORITHM} Credential={},SignedHeaders={signed},Signature={signature}",
        creds.access_key_id,
    ))
}

/// The request the new SDK (`alibabacloud_tea_openapi`, default V3 signature) sends:
/// `POST /?<params>` with `x-acs-*` headers and `Authorization: ACS3-HMAC-SHA256 ...`
/// signing every header the SDK sets itself.
pub fn sign_acs3(call: &AliyunCall<'_>, creds: &Credentials<'_>) -> OwnedRequest {
    let body = form_encode_pairs(call.form.iter().copied()).into_bytes();
    let mut headers = HeaderMap::new();
    push_header(&mut headers, "accept-encoding", "identity");
    push_header(&mut headers, "host", call.host);
    push_header(&mut headers, "x-acs-version", call.version);
    push_header(&mut headers, "x-acs-action", call.action);
    push_header(&mut headers, "user-agent", NEW_SDK_USER_AGENT);
    push_header(
        &mut headers,
        "x-acs-date",
        &call.time.format(DATE_FORMAT).to_string(),
    );
    push_header(&mut headers, "x-acs-signature-nonce", call.nonce);
    push_header(&mut headers, "accept", "application/json");
    push_header(&mut headers, "x-acs-content-sha256", &sha256_hex(&body));
    if !body.is_empty() {
        push_header(&mut headers, "content-type", FORM_CONTENT_TYPE);
    }
    match creds.security_token {
        Some(token) => {
            push_header(&mut headers, "x-acs-credentials-provider", "static_sts");
            push_header(&mut headers, "x-acs-accesskey-id", creds.access_key_id);
            push_header(&mut headers, "x-acs-security-token", token);
        }
        None => push_header(&mut headers, "x-acs-credentials-provider", "static_ak"),
    }
    let signed: Vec<String> = headers
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k != "accept-encoding")
        .collect();
    let mut req = OwnedRequest {
        method: "POST".into(),
        path: "/".into(),
        query: form_encode_pairs(call.params.iter().copied()),
        headers,
        body,
    };
    let signed: Vec<&str> = signed.iter().map(String::as_str).collect();
    if let Ok(authorization) = acs3_authorization(&req.parts(), &signed, creds) {
        push_header(&mut req.headers, "authorization", &authorization);
    }
    req
}

/// The request an RPC client sends (`POST /?...&Signature=...`), legacy SDK or new SDK in
/// v2 mode; `call.form` goes in a form body and is signed too.
pub fn sign_rpc(call: &AliyunCall<'_>, creds: &Credentials<'_>, flavor: RpcFlavor) -> OwnedRequest {
    let timestamp = call.time.format(DATE_FORMAT).to_string();
    let mut query: Vec<(&str, &str)> = Vec::new();
    match flavor {
        RpcFlavor::Legacy => {
            query.extend(call.params.iter().copied());
            query.extend([
                ("Version", call.version),
                ("Action", call.action),
                ("Format", "JSON"),
                ("Timestamp", timestamp.as_str()),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureType", ""),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", call.nonce),
                ("AccessKeyId", creds.access_key_id),
            ]);
        }
        RpcFlavor::NewSdkV2 => {
            query.extend([
                ("Action", call.action),
                ("Format", "json"),
                ("Version", call.version),
                ("Timestamp", timestamp.as_str()),
                ("SignatureNonce", call.nonce),
            ]);
            query.extend(call.params.iter().copied());
            query.extend([
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("AccessKeyId", creds.access_key_id),
            ]);
        }
    }
    if let Some(token) = creds.security_token {
        query.push(("SecurityToken", token));
    }
    let mut merged = Vec::new();
    collapse(
        query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        &mut merged,
    );
    collapse(
        call.form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        &mut merged,
    );
    let string_to_sign = rpc_string_to_sign("POST", &merged);
    let signature = rpc_mac(creds.secret, &string_to_sign)
        .map(|m| base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    query.push(("Signature", signature.as_str()));
    let query = match flavor {
        RpcFlavor::Legacy => query
            .iter()
            .map(|(k, v)| format!("{}={}", rfc3986_encode(k), rfc3986_encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
        RpcFlavor::NewSdkV2 => form_encode_pairs(query.iter().copied()),
    };
    let body = form_encode_pairs(call.form.iter().copied()).into_bytes();
    let mut headers = HeaderMap::new();
    push_header(&mut headers, "host", call.host);
    match flavor {
        RpcFlavor::Legacy => {
            push_header(&mut headers, "user-agent", LEGACY_USER_AGENT);
            push_header(&mut headers, "accept", "*/*");
            push_header(&mut headers, "x-acs-action", call.action);
            push_header(&mut headers, "x-acs-version", call.version);
            let invoke = if body.is_empty() { "normal" } else { "common" };
            push_header(&mut headers, "x-sdk-invoke-type", invoke);
            push_header(&mut headers, "x-sdk-client", "python/2.0.0");
        }
        RpcFlavor::NewSdkV2 => {
            push_header(&mut headers, "x-acs-version", call.version);
            push_header(&mut headers, "x-acs-action", call.action);
            push_header(&mut headers, "user-agent", NEW_SDK_USER_AGENT);
            push_header(&mut headers, "x-acs-credentials-provider", "static_ak");
        }
    }
    if !body.is_empty() {
        push_header(&mut headers, "content-type", FORM_CONTENT_TYPE);
    }
    OwnedRequest {
        method: "POST".into(),
        path: "/".into(),
        query,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    use crate::header_map as headers;

    fn at(s: &str) -> DateTime<Utc> {
        parse_utc(s, DATE_FORMAT).unwrap()
    }

    /// wire-aliyun.md 2.1: the new SDK's raw AssociateHaVip request (testAK / testSK).
    fn doc_acs3_headers() -> HeaderMap {
        headers(&[
            ("Accept-Encoding", "identity"),
            ("host", "127.0.0.1:18555"),
            ("x-acs-version", "2016-04-28"),
            ("x-acs-action", "AssociateHaVip"),
            ("user-agent", NEW_SDK_USER_AGENT),
            ("x-acs-date", "2026-11-21T23:34:56Z"),
            ("x-acs-signature-nonce", "b9711d779998c556be7e792c7350a1e5"),
            ("accept", "application/json"),
            (
                "x-acs-content-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ("x-acs-credentials-provider", "static_ak"),
            ("Authorization", "ACS3-HMAC-SHA256 Credential=testAK,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=7b080e3733819f11d48ceeacd3db809b296e5c347c3d8f1ed4c99a97c7da1a97"),
            ("Content-Length", "0"),
        ])
    }

    const DOC_ACS3_QUERY: &str =
        "ClientToken=tok-1&HaVipId=havip-abc123&InstanceId=i-xyz+789&InstanceType=EcsInstance&RegionId=cn-hangzhou";

    fn parts<'a>(
        method: &'a str,
        query: &'a str,
        h: &'a HeaderMap,
        body: &'a [u8],
    ) -> RequestParts<'a> {
        RequestParts {
            method,
            path: "/",
            query,
            headers: h,
            body,
        }
    }

    #[test]
    fn acs3_doc_canonical_request_and_signature() {
        let h = doc_acs3_headers();
        let p = parts("POST", DOC_ACS3_QUERY, &h, b"");
        let auth = parse_acs3(&p).unwrap();
        assert_eq!(auth.access_key_id, "testAK");
        assert_eq!(
            auth.nonce.as_deref(),
            Some("b9711d779998c556be7e792c7350a1e5")
        );
        assert_eq!(auth.security_token, None);
        let canonical = acs3_canonical_request(&p, &auth.signed_headers, &sha256_hex(b"")).unwrap();
        let expected = "POST\n/\nClientToken=tok-1&HaVipId=havip-abc123&InstanceId=i-xyz%20789&InstanceType=EcsInstance&RegionId=cn-hangzhou\naccept:application/json\nhost:127.0.0.1:18555\nuser-agent:AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2\nx-acs-action:AssociateHaVip\nx-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-acs-credentials-provider:static_ak\nx-acs-date:2026-11-21T23:34:56Z\nx-acs-signature-nonce:b9711d779998c556be7e792c7350a1e5\nx-acs-version:2016-04-28\n\naccept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(String::from_utf8(canonical).unwrap(), expected);
        verify_acs3(&p, &auth, "testSK", at("2026-11-21T23:34:56Z")).unwrap();
        let err = verify_acs3(&p, &auth, "otherSK", at("2026-11-21T23:34:56Z")).unwrap_err();
        match err {
            SignatureError::Mismatch {
                string_to_sign,
                canonical_request,
            } => {
                assert!(string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
                assert_eq!(canonical_request.as_deref(), Some(expected));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// wire-aliyun.md 2.3: the legacy SDK's raw request and the server string to sign.
    const DOC_LEGACY_QUERY: &str = "HaVipId=havip-abc123&InstanceId=i-xyz%20789&InstanceType=EcsInstance&ClientToken=tok-1&Version=2016-04-28&Action=AssociateHaVip&Format=JSON&RegionId=cn-hangzhou&Timestamp=2026-11-21T23%3A35%3A10Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=2bab6ffe5bd625a38166970232cda7c7&AccessKeyId=testAK&Signature=NUUd583z3Hl2cP2oIwQieVgHV0Y%3D";

    #[test]
    fn rpc_doc_string_to_sign_and_signature() {
        let h = headers(&[("Host", "127.0.0.1:18555"), ("Content-Length", "0")]);
        let p = parts("POST", DOC_LEGACY_QUERY, &h, b"");
        let params = request_params(&p).unwrap();
        assert_eq!(
            rpc_string_to_sign("POST", &params),
            "POST&%2F&AccessKeyId%3DtestAK%26Action%3DAssociateHaVip%26ClientToken%3Dtok-1%26Format%3DJSON%26HaVipId%3Dhavip-abc123%26InstanceId%3Di-xyz%2520789%26InstanceType%3DEcsInstance%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D2bab6ffe5bd625a38166970232cda7c7%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-21T23%253A35%253A10Z%26Version%3D2016-04-28"
        );
        let auth = parse(&p).unwrap();
        assert_eq!(auth.scheme, Scheme::AliyunRpc);
        assert_eq!(auth.access_key_id, "testAK");
        assert_eq!(auth.signature, "NUUd583z3Hl2cP2oIwQieVgHV0Y=");
        assert_eq!(
            auth.nonce.as_deref(),
            Some("2bab6ffe5bd625a38166970232cda7c7")
        );
        verify(&p, &auth, "testSK", at("2026-11-21T23:35:10Z")).unwrap();
        // The legacy SDK needs the string to sign in the error message, with no raw ':'.
        match verify(&p, &auth, "bad", at("2026-11-21T23:35:10Z")) {
            Err(SignatureError::Mismatch {
                string_to_sign,
                canonical_request: None,
            }) => assert!(!string_to_sign.contains(':')),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn request_params_merge_query_and_form_body() {
        let h = headers(&[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )]);
        let p = parts("POST", "A=1&B=x+y&A=2&C=q", &h, b"C=body&D=new+name%2A");
        assert_eq!(
            request_params(&p).unwrap(),
            vec![
                ("A".to_string(), "2".to_string()),
                ("B".to_string(), "x y".to_string()),
                ("C".to_string(), "body".to_string()),
                ("D".to_string(), "new name*".to_string()),
            ]
        );
        // A body of another type is not parameters.
        let h = headers(&[("Content-Type", "application/json")]);
        let p = parts("POST", "A=1", &h, b"C=body");
        assert_eq!(request_params(&p).unwrap().len(), 1);
    }

    fn creds() -> Credentials<'static> {
        Credentials {
            access_key_id: "AK1",
            secret: "SK1",
            security_token: None,
        }
    }

    fn call<'a>(
        params: &'a [(&'a str, &'a str)],
        form: &'a [(&'a str, &'a str)],
    ) -> AliyunCall<'a> {
        AliyunCall {
            host: "127.0.0.1:8080",
            action: "DescribeHaVips",
            version: "2016-04-28",
            params,
            form,
            nonce: "0123456789abcdef0123456789abcdef",
            time: at("2026-01-02T03:04:05Z"),
        }
    }

    #[test]
    fn signers_round_trip() {
        let params = [("RegionId", "cn-hangzhou"), ("Tags.1.Value", "a b*c/~'中")];
        let form = [("Name", "x y")];
        let now = at("2026-01-02T03:10:00Z");
        let sts = Credentials {
            security_token: Some("STS.tok"),
            ..creds()
        };
        for c in [creds(), sts] {
            for f in [&[][..], &form[..]] {
                let req = sign_acs3(&call(&params, f), &c);
                let auth = parse(&req.parts()).unwrap();
                assert_eq!(auth.scheme, Scheme::AliyunAcs3);
                assert_eq!(auth.security_token.as_deref(), c.security_token);
                verify(&req.parts(), &auth, "SK1", now).unwrap();
                for flavor in [RpcFlavor::Legacy, RpcFlavor::NewSdkV2] {
                    let req = sign_rpc(&call(&params, f), &c, flavor);
                    let auth = parse(&req.parts()).unwrap();
                    assert_eq!(auth.scheme, Scheme::AliyunRpc);
                    assert_eq!(auth.security_token.as_deref(), c.security_token);
                    verify(&req.parts(), &auth, "SK1", now).unwrap();
                    let p = request_params(&req.parts()).unwrap();
                    assert!(p.contains(&("Tags.1.Value".into(), "a b*c/~'中".into())));
                }
            }
        }
    }

    #[test]
    fn rpc_form_body_is_signed() {
        let form = [("Name", "x y")];
        let mut req = sign_rpc(&call(&[], &form), &creds(), RpcFlavor::Legacy);
        req.body = b"Name=x+z".to_vec();
        let auth = parse(&req.parts()).unwrap();
        assert!(matches!(
            verify(&req.parts(), &auth, "SK1", at("2026-01-02T03:04:05Z")),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn acs3_body_is_covered_by_content_hash() {
        let form = [("Name", "x y")];
        let mut req = sign_acs3(&call(&[], &form), &creds());
        req.body = b"Name=x+z".to_vec();
        let auth = parse(&req.parts()).unwrap();
        let now = at("2026-01-02T03:04:05Z");
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", now),
            Err(SignatureError::ContentHashMismatch)
        );
        // Without the declared hash the body still counts: it is hashed into the request.
        req.headers.remove("x-acs-content-sha256");
        let auth_line = req.headers.get("authorization").unwrap().to_str().unwrap();
        let auth_line = auth_line.replace("x-acs-content-sha256;", "");
        req.headers
            .insert("authorization", auth_line.parse().unwrap());
        let auth = parse(&req.parts()).unwrap();
        assert!(matches!(
            verify(&req.parts(), &auth, "SK1", now),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn clock_window() {
        let req = sign_acs3(&call(&[("RegionId", "cn-hangzhou")], &[]), &creds());
        let auth = parse(&req.parts()).unwrap();
        let t = auth.timestamp;
        assert!(verify(&req.parts(), &auth, "SK1", t + TimeDelta::minutes(15)).is_ok());
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", t + TimeDelta::minutes(16)),
            Err(SignatureError::TimestampExpired)
        );
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", t - TimeDelta::minutes(16)),
            Err(SignatureError::TimestampExpired)
        );
    }

    #[test]
    fn missing_unknown_and_malformed() {
        let h = HeaderMap::new();
        assert_eq!(
            parse(&parts("POST", "RegionId=x", &h, b"")),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            parse_acs3(&parts("POST", "", &h, b"")),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            parse_rpc(&parts("POST", "", &h, b"")),
            Err(SignatureError::Missing)
        );

        let h = headers(&[("Authorization", "Bearer abc")]);
        assert_eq!(
            parse(&parts("POST", "", &h, b"")),
            Err(SignatureError::UnsupportedMethod("Bearer".into()))
        );

        let mut h = doc_acs3_headers();
        h.insert(
            "authorization",
            "ACS3-HMAC-SM3 Credential=testAK,SignedHeaders=host,Signature=00"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            parse(&parts("POST", "", &h, b"")),
            Err(SignatureError::UnsupportedMethod("ACS3-HMAC-SM3".into()))
        );

        for bad in [
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 Credential=testAK",
            "ACS3-HMAC-SHA256 Credential=testAK,SignedHeaders=,Signature=00",
            "ACS3-HMAC-SHA256 garbage",
        ] {
            h.insert("authorization", bad.parse().unwrap());
            assert!(
                matches!(
                    parse(&parts("POST", "", &h, b"")),
                    Err(SignatureError::Malformed(_))
                ),
                "{bad}"
            );
        }

        // A signed header that is absent.
        let mut h = doc_acs3_headers();
        h.remove("accept");
        let p = parts("POST", DOC_ACS3_QUERY, &h, b"");
        let auth = parse(&p).unwrap();
        assert!(matches!(
            verify(&p, &auth, "testSK", at("2026-11-21T23:34:56Z")),
            Err(SignatureError::Malformed(_))
        ));

        // Unparseable date.
        let mut h = doc_acs3_headers();
        h.insert(
            "x-acs-date",
            "Sat, 21 Nov 2026 23:34:56 GMT".parse().unwrap(),
        );
        assert_eq!(
            parse(&parts("POST", "", &h, b"")),
            Err(SignatureError::TimestampMalformed)
        );
        let mut h = doc_acs3_headers();
        h.remove("x-acs-signature-nonce");
        assert!(matches!(
            parse(&parts("POST", "", &h, b"")),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn rpc_unknown_method_and_missing_pieces() {
        let base = DOC_LEGACY_QUERY;
        let h = HeaderMap::new();
        let q = base.replace("SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256");
        assert_eq!(
            parse(&parts("POST", &q, &h, b"")),
            Err(SignatureError::UnsupportedMethod("HMAC-SHA256".into()))
        );
        let q = base.replace("SignatureVersion=1.0", "SignatureVersion=2.0");
        assert!(matches!(
            parse(&parts("POST", &q, &h, b"")),
            Err(SignatureError::UnsupportedMethod(_))
        ));
        for drop in [
            "&SignatureNonce=2bab6ffe5bd625a38166970232cda7c7",
            "&Timestamp=2026-11-21T23%3A35%3A10Z",
            "&SignatureMethod=HMAC-SHA1",
            "&AccessKeyId=testAK",
            "&Signature=NUUd583z3Hl2cP2oIwQieVgHV0Y%3D",
        ] {
            let q = base.replace(drop, "");
            assert!(
                matches!(
                    parse(&parts("POST", &q, &h, b"")),
                    Err(SignatureError::Malformed(_))
                ),
                "{drop}"
            );
        }
        let q = base.replace("2026-11-21T23%3A35%3A10Z", "yesterday");
        assert_eq!(
            parse(&parts("POST", &q, &h, b"")),
            Err(SignatureError::TimestampMalformed)
        );
        // A signature that is not even base64 is a mismatch, not a crash.
        let q = base.replace("NUUd583z3Hl2cP2oIwQieVgHV0Y%3D", "%%%");
        let p = parts("POST", &q, &h, b"");
        let auth = parse(&p).unwrap();
        assert!(matches!(
            verify(&p, &auth, "testSK", at("2026-11-21T23:35:10Z")),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn auth_from_another_request_is_refused() {
        let a = sign_acs3(&call(&[("RegionId", "a")], &[]), &creds());
        let b = sign_rpc(
            &call(&[("RegionId", "a")], &[]),
            &creds(),
            RpcFlavor::Legacy,
        );
        let auth_b = parse(&b.parts()).unwrap();
        assert!(matches!(
            verify(&a.parts(), &auth_b, "SK1", at("2026-01-02T03:04:05Z")),
            Err(SignatureError::Malformed(_))
        ));
    }

    /// Every header ACS3 requires, in the order the SDK signs them.
    const DOC_SIGNED: [&str; 9] = [
        "accept",
        "host",
        "user-agent",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-credentials-provider",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ];

    #[test]
    fn acs3_required_headers_must_be_signed() {
        // x-acs-action carries the operation, host is signed by every official SDK: a
        // request that leaves one of them out of SignedHeaders names it in the error.
        for name in [
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
        ] {
            let signed: Vec<&str> = DOC_SIGNED.iter().copied().filter(|h| *h != name).collect();
            let mut h = doc_acs3_headers();
            h.insert(
                "authorization",
                format!(
                    "ACS3-HMAC-SHA256 Credential=testAK,SignedHeaders={},Signature=00",
                    signed.join(";")
                )
                .parse()
                .unwrap(),
            );
            assert_eq!(
                parse(&parts("POST", DOC_ACS3_QUERY, &h, b"")),
                Err(SignatureError::HeaderNotSigned(name.to_string())),
                "{name}"
            );
        }
        // Headers the SDKs sign but ACS3 does not require may be left out.
        let mut h = doc_acs3_headers();
        let p = parts("POST", DOC_ACS3_QUERY, &h, b"");
        let minimal = [
            "host",
            "x-acs-action",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version",
        ];
        let creds = Credentials {
            access_key_id: "testAK",
            secret: "testSK",
            security_token: None,
        };
        let authorization = acs3_authorization(&p, &minimal, &creds).unwrap();
        h.insert("authorization", authorization.parse().unwrap());
        let p = parts("POST", DOC_ACS3_QUERY, &h, b"");
        let auth = parse(&p).unwrap();
        verify(&p, &auth, "testSK", at("2026-11-21T23:34:56Z")).unwrap();
    }

    /// The canonical query string of ACS3 as it was before names were encoded: raw names,
    /// encoded values. Kept here only to show the collision it allowed.
    fn canonical_query_with_raw_names(query: &str) -> String {
        let mut params = decode_pairs(query, true).unwrap();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        params
            .iter()
            .map(|(k, v)| format!("{k}={}", rfc3986_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    #[test]
    fn acs3_names_are_encoded_so_parameters_cannot_be_folded_away() {
        // A signed ModifyHaVipAttribute, rewritten so that ClientToken and Description
        // become part of one parameter *name* ("ClientToken=tok&Description") whose value
        // is the description. With raw names both requests had one canonical form, so the
        // signature of the first carried over to the second, which drops two parameters.
        let params = [
            ("ClientToken", "tok-1"),
            ("Description", "d"),
            ("HaVipId", "havip-1"),
            ("Name", "n"),
            ("RegionId", "cn-hangzhou"),
        ];
        let mut c = call(&params, &[]);
        c.action = "ModifyHaVipAttribute";
        let signed = sign_acs3(&c, &creds());
        assert_eq!(
            signed.query,
            "ClientToken=tok-1&Description=d&HaVipId=havip-1&Name=n&RegionId=cn-hangzhou"
        );
        let mut forged = signed.clone();
        forged.query =
            "ClientToken%3Dtok-1%26Description=d&HaVipId=havip-1&Name=n&RegionId=cn-hangzhou"
                .to_string();
        assert_eq!(
            canonical_query_with_raw_names(&signed.query),
            canonical_query_with_raw_names(&forged.query),
            "the collision this test guards against"
        );
        let forged_params = request_params(&forged.parts()).unwrap();
        assert_ne!(forged_params, request_params(&signed.parts()).unwrap());
        assert!(!forged_params.iter().any(|(k, _)| k == "ClientToken"));
        assert!(!forged_params.iter().any(|(k, _)| k == "Description"));

        let now = at("2026-01-02T03:04:05Z");
        let auth = parse(&signed.parts()).unwrap();
        verify(&signed.parts(), &auth, "SK1", now).unwrap();
        let auth = parse(&forged.parts()).unwrap();
        assert!(matches!(
            verify(&forged.parts(), &auth, "SK1", now),
            Err(SignatureError::Mismatch { .. })
        ));
        // Names are encoded like values, and sorted by the decoded name.
        assert_eq!(
            acs3_canonical_query(vec![
                ("b".into(), "1".into()),
                ("a=1&c".into(), "x y".into()),
            ]),
            "a%3D1%26c=x%20y&b=1"
        );
    }
}
