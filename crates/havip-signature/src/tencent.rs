//! Tencent Cloud API 3.0 request signature, TC3-HMAC-SHA256 (see `docs/tencent.md`):
//! `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<yyyy-mm-dd>/<service>/tc3_request,
//! SignedHeaders=content-type;host, Signature=...` with the clock in `X-TC-Timestamp` (unix
//! seconds), a date/service/tc3_request key chain rooted at `"TC3" + secret`, and the action,
//! version, region and session token in `X-TC-*` headers. Also a client-side signer that
//! produces what `tencentcloud-sdk-python` sends.
//!
//! The clock window is Tencent's own, [`MAX_CLOCK_SKEW_MINUTES`] (5 minutes), narrower than
//! the crate-wide one: check it with [`check_clock_window`] of this module.

use chrono::{DateTime, Utc};
use http::HeaderMap;

use crate::{
    assemble_canonical_request, authorization_fields, canonical_headers, check_hex_signature,
    client_signature, ensure_parsed_from, header_str, hmac_sha256, push_header, require_signed,
    rfc3986_encode, sha256_hex, split_signed_headers, Credentials, OwnedRequest, ParsedAuth,
    RequestParts, Scheme, SignatureError,
};

/// The algorithm token of the `Authorization` header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The last element of the credential scope and of the key chain.
pub const TERMINATOR: &str = "tc3_request";
/// Format of the credential-scope date (the UTC date of `X-TC-Timestamp`).
pub const SCOPE_DATE_FORMAT: &str = "%Y-%m-%d";
/// Allowed distance, in minutes, between `X-TC-Timestamp` and the server clock (in both
/// directions). This is Tencent's own window, not the crate's 15 minutes: the signature
/// document says a timestamp more than five minutes off the server time fails, and
/// `AuthFailure.SignatureExpire` reads "Timestamp and server time cannot differ by more than
/// five minutes" (Signature v3 and Error Codes pages, cited in `docs/tencent.md`).
pub const MAX_CLOCK_SKEW_MINUTES: i64 = 5;

/// Read the credentials: SecretId, credential scope (date, service), signed headers,
/// `X-TC-Timestamp`, `X-TC-Region` (into `region`, `None` when absent) and `X-TC-Token`.
///
/// `content-type` and `host` must be signed (Tencent: "content-type and host are required
/// headers"); nothing else need be, because the SDKs sign exactly those two. So
/// `X-TC-Action`, `X-TC-Version`, `X-TC-Region` and `X-TC-Token` are not covered by the
/// signature unless a client lists them.
pub fn parse(parts: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    let headers = parts.headers;
    let [credential, signed, signature] = authorization_fields(
        headers,
        ALGORITHM,
        ["Credential", "SignedHeaders", "Signature"],
    )?;

    // <SecretId>/<yyyy-mm-dd>/<service>/tc3_request
    let malformed = || {
        SignatureError::Malformed(format!(
            "credential {credential:?} is not <SecretId>/<yyyy-mm-dd>/<service>/{TERMINATOR}"
        ))
    };
    let mut scope = credential.rsplitn(4, '/');
    let (terminal, service, scope_date, access_key_id) =
        match (scope.next(), scope.next(), scope.next(), scope.next()) {
            (Some(t), Some(s), Some(d), Some(a)) => (t, s, d, a),
            _ => return Err(malformed()),
        };
    if terminal != TERMINATOR || service.is_empty() || access_key_id.is_empty() {
        return Err(malformed());
    }
    // Strictly `yyyy-mm-dd`: chrono alone would also take `2026-1-2`.
    match chrono::NaiveDate::parse_from_str(scope_date, SCOPE_DATE_FORMAT) {
        Ok(d) if d.format(SCOPE_DATE_FORMAT).to_string() == scope_date => {}
        _ => return Err(malformed()),
    }

    let signed_headers = split_signed_headers(signed)?;
    require_signed(&signed_headers, "content-type")?;
    require_signed(&signed_headers, "host")?;

    let date = header_str(headers, "x-tc-timestamp")?
        .ok_or_else(|| SignatureError::Malformed("missing header X-TC-Timestamp".into()))?;
    let timestamp = parse_timestamp(date)?;
    // "Date ... should match the UTC date converted by the common parameter X-TC-Timestamp".
    if scope_date != scope_date_of(timestamp) {
        return Err(SignatureError::Malformed(
            "credential scope date differs from the UTC date of X-TC-Timestamp".into(),
        ));
    }
    Ok(ParsedAuth {
        scheme: Scheme::Tencent,
        access_key_id: access_key_id.to_string(),
        date: date.to_string(),
        timestamp,
        nonce: None,
        region: header_str(headers, "x-tc-region")?.map(str::to_string),
        service: Some(service.to_string()),
        security_token: header_str(headers, "x-tc-token")?.map(str::to_string),
        signed_headers,
        signature: signature.to_string(),
    })
}

/// `X-TC-Timestamp`: unix seconds, decimal digits only.
fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, SignatureError> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::TimestampMalformed);
    }
    s.parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or(SignatureError::TimestampMalformed)
}

/// The credential-scope date of a timestamp: its UTC date, `yyyy-mm-dd`.
fn scope_date_of(timestamp: DateTime<Utc>) -> String {
    timestamp.format(SCOPE_DATE_FORMAT).to_string()
}

/// The canonical request, as Tencent defines it:
/// - the method as received;
/// - the canonical URI, which API 3.0 fixes to `/`: the path as received is used (empty is
///   `/`), so that a request the SDK sent to `/` verifies and one to any other path does not;
/// - the canonical query string, the query exactly as received. Tencent's document says it is
///   "always an empty string for the POST request" because the SDKs send no query with a POST
///   (they sign `""` then); taking the raw query for every method means a POST that does
///   carry one only verifies when the client signed it;
/// - `name:value\n` for each signed header, name and value lowercased and trimmed, in the
///   order of `SignedHeaders` (which the client sorted);
/// - the signed header names, lowercased, joined with `;`;
/// - the hex SHA-256 of the body.
fn canonical_request(
    parts: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<Vec<u8>, SignatureError> {
    let path = if parts.path.is_empty() {
        "/"
    } else {
        parts.path
    };
    let signed: Vec<String> = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    Ok(assemble_canonical_request(
        parts.method,
        path,
        parts.query,
        canonical_headers(parts.headers, &signed, false, |_, value| {
            value.to_ascii_lowercase()
        })?,
        &signed,
        payload_hash,
    ))
}

fn string_to_sign(timestamp: &str, scope: &str, canonical_request: &[u8]) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request)
    )
}

/// `HMAC("TC3" + secret, date)`, then the service, then `tc3_request`.
fn signing_key(secret: &str, date: &str, service: &str) -> Vec<u8> {
    let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

/// The payload hash: always the hash of the raw body. `X-TC-Content-SHA256`, when sent, must
/// be that hash; `UNSIGNED-PAYLOAD` (the SDKs' opt-in `unsignedPayload` profile, which signs
/// the literal string instead of the body) is refused so that the body is always covered.
fn payload_hash(parts: &RequestParts<'_>) -> Result<String, SignatureError> {
    crate::signed_payload_hash(parts, "x-tc-content-sha256")
}

/// Verify a request parsed by [`parse`]: the signature over method, path, query, signed
/// headers and raw body, then Tencent's clock window ([`MAX_CLOCK_SKEW_MINUTES`]).
pub fn verify(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    ensure_parsed_from(parts, auth, parse)?;
    let hash = payload_hash(parts)?;
    let service = auth.service.as_deref().unwrap_or_default();
    let day = scope_date_of(auth.timestamp);
    let scope = format!("{day}/{service}/{TERMINATOR}");
    let canonical = canonical_request(parts, &auth.signed_headers, &hash)?;
    let string_to_sign = string_to_sign(&auth.date, &scope, &canonical);
    let key = signing_key(secret, &day, service);
    // The shared check compares the signature, then applies the crate's 15-minute window;
    // Tencent's 5 minutes, inside it, come after.
    check_hex_signature(auth, &key, string_to_sign, &canonical, now)?;
    check_clock_window(auth, now)
}

/// Whether a parsed request's `X-TC-Timestamp` is inside Tencent's window
/// ([`MAX_CLOCK_SKEW_MINUTES`], inclusive) at `now`: what can be checked before the body has
/// been read. Use this rather than the crate-wide `check_clock_window` for this scheme.
pub fn check_clock_window(parsed: &ParsedAuth, now: DateTime<Utc>) -> Result<(), SignatureError> {
    crate::check_clock_within(parsed.timestamp, now, MAX_CLOCK_SKEW_MINUTES)
}

// ---------------------------------------------------------------------------------------
// Client-side signer (for tests of the face)

/// The `Authorization` value for a request that already carries its `X-TC-Timestamp`,
/// signing the listed headers (lowercased and sorted) for the given service.
pub fn authorization(
    parts: &RequestParts<'_>,
    signed_headers: &[&str],
    service: &str,
    creds: &Credentials<'_>,
) -> Result<String, SignatureError> {
    let timestamp = header_str(parts.headers, "x-tc-timestamp")?
        .ok_or_else(|| SignatureError::Malformed("missing header X-TC-Timestamp".into()))?;
    let day = scope_date_of(parse_timestamp(timestamp)?);
    let scope = format!("{day}/{service}/{TERMINATOR}");
    let (signed, signature) = client_signature(
        signed_headers,
        parts.body,
        |signed, payload_hash| canonical_request(parts, signed, payload_hash),
        &signing_key(creds.secret, &day, service),
        |canonical| string_to_sign(timestamp, &scope, canonical),
    )?;
    Ok(format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
        creds.access_key_id,
    ))
}

/// One Tencent Cloud API 3.0 call, as a client wants to send it.
#[derive(Debug, Clone, Copy)]
pub struct TencentCall<'a> {
    /// `POST` (the SDK's default: JSON body) or `GET` (parameters in the query).
    pub method: &'a str,
    /// `Host` header value, `127.0.0.1:PORT`.
    pub host: &'a str,
    pub action: &'a str,
    /// `2017-03-12` for VPC.
    pub version: &'a str,
    /// Credential-scope service, `vpc` for the HaVip API.
    pub service: &'a str,
    /// `X-TC-Region`; the SDK leaves the header out when its region is empty.
    pub region: Option<&'a str>,
    /// POST: the JSON body as it goes on the wire (`json.dumps` of the parameters).
    pub body: &'a [u8],
    /// GET: the flattened parameters (`HaVipIds.0=...`, zero-based), sent urlencoded.
    pub query: &'a [(&'a str, &'a str)],
    /// `X-TC-TraceId` (a UUID in the SDK).
    pub trace_id: &'a str,
    pub time: DateTime<Utc>,
}

/// The request `tencentcloud-sdk-python` 3.1 sends: `X-TC-*` headers, `Content-Type:
/// application/json` for a POST or `application/x-www-form-urlencoded` for a GET, and
/// `content-type;host` signed.
pub fn sign(call: &TencentCall<'_>, creds: &Credentials<'_>) -> OwnedRequest {
    let get = call.method.eq_ignore_ascii_case("GET");
    let query = if get {
        call.query
            .iter()
            // urllib's urlencode: quote_plus, so a space is `+`.
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    rfc3986_encode(k).replace("%20", "+"),
                    rfc3986_encode(v).replace("%20", "+")
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    } else {
        String::new()
    };
    let content_type = if get {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let mut headers = HeaderMap::new();
    push_header(&mut headers, "user-agent", "python-requests/2.32.3");
    push_header(&mut headers, "accept-encoding", "gzip, deflate");
    push_header(&mut headers, "accept", "*/*");
    push_header(&mut headers, "connection", "keep-alive");
    push_header(&mut headers, "x-tc-traceid", call.trace_id);
    push_header(&mut headers, "content-type", content_type);
    push_header(&mut headers, "host", call.host);
    push_header(&mut headers, "x-tc-action", call.action);
    push_header(&mut headers, "x-tc-requestclient", "SDK_PYTHON_3.1.193");
    push_header(
        &mut headers,
        "x-tc-timestamp",
        &call.time.timestamp().to_string(),
    );
    push_header(&mut headers, "x-tc-version", call.version);
    if let Some(region) = call.region {
        push_header(&mut headers, "x-tc-region", region);
    }
    if let Some(token) = creds.security_token {
        push_header(&mut headers, "x-tc-token", token);
    }
    push_header(&mut headers, "x-tc-language", "zh-CN");
    let mut req = OwnedRequest {
        method: call.method.to_ascii_uppercase(),
        path: "/".into(),
        query,
        headers,
        body: if get { Vec::new() } else { call.body.to_vec() },
    };
    if let Ok(a) = authorization(&req.parts(), &["content-type", "host"], call.service, creds) {
        push_header(&mut req.headers, "authorization", &a);
    }
    if !get {
        let len = req.body.len().to_string();
        push_header(&mut req.headers, "content-length", &len);
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    use crate::header_map as headers;

    /// The worked example of Tencent's "Signature v3" document (DescribeInstances on CVM).
    const DOC_BODY: &[u8] =
        br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const DOC_SECRET: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    const DOC_SIGNATURE: &str = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";

    fn doc_headers(signature: &str) -> HeaderMap {
        let auth = format!("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature={signature}");
        headers(&[
            ("Authorization", &auth),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
            ("X-TC-Action", "DescribeInstances"),
            ("X-TC-Version", "2017-03-12"),
            ("X-TC-Timestamp", "1551113065"),
            ("X-TC-Region", "ap-guangzhou"),
        ])
    }

    fn post<'a>(h: &'a HeaderMap, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts {
            method: "POST",
            path: "/",
            query: "",
            headers: h,
            body,
        }
    }

    #[test]
    fn doc_example_canonical_request_and_signature() {
        let h = doc_headers(DOC_SIGNATURE);
        let p = post(&h, DOC_BODY);
        let auth = parse(&p).unwrap();
        assert_eq!(auth.scheme, Scheme::Tencent);
        assert_eq!(auth.access_key_id, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(auth.date, "1551113065");
        assert_eq!(auth.service.as_deref(), Some("cvm"));
        assert_eq!(auth.region.as_deref(), Some("ap-guangzhou"));
        assert_eq!(auth.security_token, None);
        assert_eq!(
            sha256_hex(DOC_BODY),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let canonical = canonical_request(&p, &auth.signed_headers, &sha256_hex(DOC_BODY)).unwrap();
        assert_eq!(
            String::from_utf8(canonical.clone()).unwrap(),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            string_to_sign(&auth.date, "2019-02-25/cvm/tc3_request", &canonical),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        verify(&p, &auth, DOC_SECRET, auth.timestamp).unwrap();
        assert!(matches!(
            verify(&p, &auth, "other", auth.timestamp),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn header_names_and_values_are_lowercased() {
        // Tencent: "both the key and value of the header should be converted to lowercase".
        let mut h = doc_headers(DOC_SIGNATURE);
        h.insert("host", "CVM.TencentCloudAPI.com".parse().unwrap());
        h.insert(
            "content-type",
            " Application/JSON; charset=UTF-8 ".parse().unwrap(),
        );
        let a = h
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .replace("content-type;host", "Content-Type;Host");
        h.insert("authorization", a.parse().unwrap());
        let p = post(&h, DOC_BODY);
        let auth = parse(&p).unwrap();
        verify(&p, &auth, DOC_SECRET, auth.timestamp).unwrap();
    }

    const CREDS: Credentials<'static> = Credentials {
        access_key_id: "AKID1",
        secret: "SK1",
        security_token: None,
    };

    fn call<'a>(
        method: &'a str,
        body: &'a [u8],
        query: &'a [(&'a str, &'a str)],
        time: &str,
    ) -> TencentCall<'a> {
        TencentCall {
            method,
            host: "127.0.0.1:8080",
            action: "DescribeHaVips",
            version: "2017-03-12",
            service: "vpc",
            region: Some("ap-guangzhou"),
            body,
            query,
            trace_id: "11111111-2222-3333-4444-555555555555",
            time: DateTime::parse_from_rfc3339(time).unwrap().to_utc(),
        }
    }

    const BODY: &[u8] = br#"{"HaVipIds": ["havip-9o233uri"], "Offset": 0, "Limit": 20}"#;
    const QUERY: &[(&str, &str)] = &[
        ("HaVipIds.0", "havip-9o233uri"),
        ("Filters.0.Values.0", "a b/*~\u{fc}"),
    ];

    #[test]
    fn signer_round_trip_post_get_and_token() {
        let token = Credentials {
            security_token: Some("sess"),
            ..CREDS
        };
        for (method, c) in [("POST", CREDS), ("GET", token), ("POST", token)] {
            let req = sign(&call(method, BODY, QUERY, "2026-12-01T23:59:59Z"), &c);
            if method == "GET" {
                assert_eq!(
                    req.query,
                    "HaVipIds.0=havip-9o233uri&Filters.0.Values.0=a+b%2F%2A~%C3%BC"
                );
                assert!(req.body.is_empty());
            } else {
                assert_eq!(req.query, "");
                assert_eq!(req.body, BODY);
            }
            let auth = parse(&req.parts()).unwrap();
            assert_eq!(auth.access_key_id, "AKID1");
            assert_eq!(auth.date, "1796169599");
            assert_eq!(auth.service.as_deref(), Some("vpc"));
            assert_eq!(auth.region.as_deref(), Some("ap-guangzhou"));
            assert_eq!(auth.security_token.as_deref(), c.security_token);
            assert_eq!(auth.signed_headers, ["content-type", "host"]);
            assert!(req
                .headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Credential=AKID1/2026-12-01/vpc/tc3_request, "));
            verify(&req.parts(), &auth, "SK1", auth.timestamp).unwrap();
            assert!(matches!(
                verify(&req.parts(), &auth, "SK2", auth.timestamp),
                Err(SignatureError::Mismatch { .. })
            ));
            // One changed byte of query or body.
            let mut other = req.clone();
            if method == "GET" {
                other.query = other.query.replacen("havip-9", "havip-8", 1);
            } else {
                other.body[3] = b'X';
            }
            assert!(matches!(
                verify(&other.parts(), &auth, "SK1", auth.timestamp),
                Err(SignatureError::Mismatch { .. })
            ));
            // Another path or method.
            let mut other = req.clone();
            other.path = "/v2".into();
            assert!(matches!(
                verify(&other.parts(), &auth, "SK1", auth.timestamp),
                Err(SignatureError::Mismatch { .. })
            ));
        }
    }

    #[test]
    fn clock_window_is_tencents_five_minutes() {
        let req = sign(&call("POST", BODY, &[], "2026-12-01T12:00:00Z"), &CREDS);
        let auth = parse(&req.parts()).unwrap();
        for off in [-300, -1, 0, 1, 300] {
            let now = auth.timestamp + TimeDelta::seconds(off);
            verify(&req.parts(), &auth, "SK1", now).unwrap();
            check_clock_window(&auth, now).unwrap();
        }
        for off in [-301, 301, -16 * 60, 16 * 60] {
            let now = auth.timestamp + TimeDelta::seconds(off);
            assert_eq!(
                verify(&req.parts(), &auth, "SK1", now),
                Err(SignatureError::TimestampExpired),
                "{off}"
            );
            assert_eq!(
                check_clock_window(&auth, now),
                Err(SignatureError::TimestampExpired)
            );
        }
        // A bad signature is a mismatch whatever the clock.
        assert!(matches!(
            verify(
                &req.parts(),
                &auth,
                "SK2",
                auth.timestamp + TimeDelta::hours(1)
            ),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn scope_date_must_be_the_utc_date_of_the_timestamp() {
        // 23:59:59 UTC on 2026-12-01 is 07:59:59 on 2026-12-02 in UTC+8: the scope is the
        // UTC date.
        let req = sign(&call("POST", BODY, &[], "2026-12-01T23:59:59Z"), &CREDS);
        let good = req
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for date in ["2026-12-02", "2026-11-30"] {
            let mut h = req.headers.clone();
            h.insert(
                "authorization",
                good.replace("/2026-12-01/", &format!("/{date}/"))
                    .parse()
                    .unwrap(),
            );
            assert!(
                matches!(
                    parse(&post(&h, BODY)),
                    Err(SignatureError::Malformed(m)) if m.contains("scope date")
                ),
                "{date}"
            );
        }
        // A timestamp one second later moves to the next UTC day: the scope no longer fits.
        let mut h = req.headers.clone();
        h.insert("x-tc-timestamp", "1796169600".parse().unwrap());
        assert!(matches!(
            parse(&post(&h, BODY)),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn missing_unknown_and_malformed() {
        let req = sign(&call("POST", BODY, &[], "2026-12-01T12:00:00Z"), &CREDS);
        let good = req
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let mut h = req.headers.clone();
        h.remove("authorization");
        assert_eq!(parse(&post(&h, BODY)), Err(SignatureError::Missing));

        for (other, token) in [
            ("HMAC-SHA256 Credential=a", "HMAC-SHA256"),
            // The SDK's SkipSign option.
            ("SKIP", "SKIP"),
        ] {
            h.insert("authorization", other.parse().unwrap());
            assert_eq!(
                parse(&post(&h, BODY)),
                Err(SignatureError::UnsupportedMethod(token.into()))
            );
        }
        let bads = [
            "TC3-HMAC-SHA256".to_string(),
            good.replace("/tc3_request,", "/request,"),
            good.replace("AKID1/", "/"),
            good.replace("/vpc/", "//"),
            good.replace("/2026-12-01/", "/20261201/"),
            good.replace("/2026-12-01/", "/2026-12-1/"),
            good.replace("/2026-12-01/", "/2026-13-01/"),
            good.replace("AKID1/2026-12-01/vpc/", "AKID1/2026-12-01/"),
            good.replace(", Signature=", ", Sig="),
            good.replace("SignedHeaders=", "SignedHeaders=;"),
            // The cloudbase variant appends Timestamp= and Token=; the API gateway does not.
            format!("{good}, Timestamp=1796169599"),
        ];
        for bad in bads {
            h.insert("authorization", bad.parse().unwrap());
            assert!(
                matches!(parse(&post(&h, BODY)), Err(SignatureError::Malformed(_))),
                "{bad}"
            );
        }
        for (bad, unsigned) in [
            (good.replace("content-type;host", "host"), "content-type"),
            (good.replace("content-type;host", "content-type"), "host"),
        ] {
            h.insert("authorization", bad.parse().unwrap());
            assert_eq!(
                parse(&post(&h, BODY)),
                Err(SignatureError::HeaderNotSigned(unsigned.into())),
                "{bad}"
            );
        }

        let mut h = req.headers.clone();
        h.remove("x-tc-timestamp");
        assert!(matches!(
            parse(&post(&h, BODY)),
            Err(SignatureError::Malformed(_))
        ));
        for bad in [
            "2026-12-01T12:00:00Z",
            "-1",
            "+1796169599",
            "1796169599.5",
            "9999999999999",
        ] {
            let mut h = req.headers.clone();
            h.insert("x-tc-timestamp", bad.parse().unwrap());
            assert_eq!(
                parse(&post(&h, BODY)),
                Err(SignatureError::TimestampMalformed),
                "{bad}"
            );
        }
        let mut h = req.headers.clone();
        h.append("x-tc-timestamp", "1796169599".parse().unwrap());
        assert!(matches!(
            parse(&post(&h, BODY)),
            Err(SignatureError::Malformed(_))
        ));

        // A signed header that is not there.
        let mut h = req.headers.clone();
        h.remove("content-type");
        let p = post(&h, BODY);
        let auth = parse(&p).unwrap();
        assert!(matches!(
            verify(&p, &auth, "SK1", auth.timestamp),
            Err(SignatureError::Malformed(_))
        ));
        // Credentials parsed from another request.
        let other = sign(&call("POST", b"{}", &[], "2026-12-01T12:00:00Z"), &CREDS);
        let other_auth = parse(&other.parts()).unwrap();
        assert!(matches!(
            verify(&req.parts(), &other_auth, "SK1", other_auth.timestamp),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn content_sha256_header() {
        let mut req = sign(&call("POST", BODY, &[], "2026-12-01T12:00:00Z"), &CREDS);
        req.headers
            .insert("x-tc-content-sha256", "UNSIGNED-PAYLOAD".parse().unwrap());
        let auth = parse(&req.parts()).unwrap();
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", auth.timestamp),
            Err(SignatureError::UnsupportedMethod("UNSIGNED-PAYLOAD".into()))
        );
        req.headers
            .insert("x-tc-content-sha256", sha256_hex(b"x").parse().unwrap());
        assert_eq!(
            verify(&req.parts(), &auth, "SK1", auth.timestamp),
            Err(SignatureError::ContentHashMismatch)
        );
        req.headers
            .insert("x-tc-content-sha256", sha256_hex(BODY).parse().unwrap());
        verify(&req.parts(), &auth, "SK1", auth.timestamp).unwrap();
    }

    #[test]
    fn unsigned_headers_are_free() {
        // X-TC-Action, X-TC-Region and X-TC-Token are not signed by the SDK.
        let req = sign(&call("POST", BODY, &[], "2026-12-01T12:00:00Z"), &CREDS);
        let mut h = req.headers.clone();
        h.insert("x-tc-action", "DeleteHaVip".parse().unwrap());
        h.insert("x-tc-region", "ap-beijing".parse().unwrap());
        h.insert("x-tc-token", "t".parse().unwrap());
        let p = post(&h, BODY);
        let auth = parse(&p).unwrap();
        assert_eq!(auth.region.as_deref(), Some("ap-beijing"));
        assert_eq!(auth.security_token.as_deref(), Some("t"));
        verify(&p, &auth, "SK1", auth.timestamp).unwrap();
        // The SDK leaves X-TC-Region out when its region is empty.
        let mut h = req.headers.clone();
        h.remove("x-tc-region");
        assert_eq!(parse(&post(&h, BODY)).unwrap().region, None);
    }
}
