//! Table-driven tests over `tencent_vectors.json`: requests captured byte for byte from the
//! official `tencentcloud-sdk-python` (POST with a JSON body, GET with the parameters in the
//! query, with and without a session token). Each must verify with the clock at its own
//! `X-TC-Timestamp`, and must be refused once one signed byte changes, with another secret,
//! or with the clock outside Tencent's 5-minute window.

use chrono::{DateTime, TimeDelta, Utc};
use havip_signature::{tencent, Credentials, OwnedRequest, RequestParts, Scheme, SignatureError};
use http::{HeaderName, HeaderValue};
use serde::Deserialize;

mod common;
use common::Request;

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    scheme: String,
    note: String,
    action: String,
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    region: String,
    service: String,
    request: Request,
}

fn load() -> File {
    let text = include_str!("tencent_vectors.json");
    let file: File = serde_json::from_str(text).unwrap();
    for v in &file.vectors {
        assert_eq!(v.scheme, "tencent-tc3-hmac-sha256", "{}", v.note);
    }
    file
}

/// A header of `req`, which the vector sends.
fn header<'a>(req: &'a OwnedRequest, name: &str) -> &'a str {
    req.headers.get(name).unwrap().to_str().unwrap()
}

fn request(v: &Vector) -> OwnedRequest {
    v.request.owned()
}

fn parse_and_verify(
    p: &RequestParts<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let auth = tencent::parse(p)?;
    tencent::verify(p, &auth, secret, now)
}

fn assert_mismatch(r: Result<(), SignatureError>, what: &str) {
    assert!(
        matches!(r, Err(SignatureError::Mismatch { .. })),
        "{what}: expected Mismatch, got {r:?}"
    );
}

/// Change one character to another of the same class (digit, lower, upper letter).
fn bump(c: u8) -> u8 {
    match c {
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        _ => c + 1,
    }
}

/// Bump the last alphanumeric byte of a value.
fn flip_last(value: &[u8]) -> Vec<u8> {
    let mut v = value.to_vec();
    let i = v.iter().rposition(u8::is_ascii_alphanumeric).unwrap();
    v[i] = bump(v[i]);
    v
}

/// Bump the first alphanumeric byte after the first `=` (query) or `:` (JSON body).
fn flip_first_value(text: &[u8]) -> Vec<u8> {
    let mut v = text.to_vec();
    let at = v.iter().position(|&b| b == b'=' || b == b':').unwrap();
    let i = at + v[at..].iter().position(u8::is_ascii_alphanumeric).unwrap();
    v[i] = bump(v[i]);
    v
}

fn creds(v: &Vector) -> Credentials<'_> {
    Credentials {
        access_key_id: &v.access_key_id,
        secret: &v.access_key_secret,
        security_token: v.security_token.as_deref(),
    }
}

#[test]
fn the_vectors_cover_post_get_and_a_session_token() {
    let file = load();
    assert_eq!(file.vectors.len(), 6);
    let count = |f: &dyn Fn(&Vector) -> bool| file.vectors.iter().filter(|v| f(v)).count();
    assert!(count(&|v| v.request.method == "POST") >= 3);
    assert!(count(&|v| v.request.method == "GET") >= 2);
    assert!(count(&|v| v.security_token.is_some()) >= 2);
    for action in ["CreateHaVip", "DescribeHaVips", "HaVipAssociateAddressIp"] {
        assert!(count(&|v| v.action == action) >= 1, "{action}");
    }
}

#[test]
fn every_vector_verifies_at_its_own_timestamp() {
    for v in &load().vectors {
        let req = request(v);
        let p = req.parts();
        let auth = tencent::parse(&p).unwrap_or_else(|e| panic!("{}: parse: {e:?}", v.note));
        assert_eq!(auth.scheme, Scheme::Tencent, "{}", v.note);
        assert_eq!(auth.access_key_id, v.access_key_id, "{}", v.note);
        assert_eq!(auth.security_token, v.security_token, "{}", v.note);
        assert_eq!(
            auth.region.as_deref(),
            Some(v.region.as_str()),
            "{}",
            v.note
        );
        assert_eq!(
            auth.service.as_deref(),
            Some(v.service.as_str()),
            "{}",
            v.note
        );
        assert_eq!(auth.date, header(&req, "x-tc-timestamp"), "{}", v.note);
        assert_eq!(auth.nonce, None);
        assert_eq!(auth.signed_headers, ["content-type", "host"], "{}", v.note);
        assert_eq!(header(&req, "x-tc-action"), v.action, "{}", v.note);
        assert_eq!(header(&req, "x-tc-version"), "2017-03-12", "{}", v.note);
        assert_eq!(
            auth.timestamp.timestamp().to_string(),
            header(&req, "x-tc-timestamp")
        );
        let now = auth.timestamp;
        tencent::verify(&p, &auth, &v.access_key_secret, now)
            .unwrap_or_else(|e| panic!("{}: {e:?}", v.note));
        // Anywhere inside the ±5 minute window is fine, its edges included.
        for off in [-300, -299, 299, 300] {
            let at = now + TimeDelta::seconds(off);
            parse_and_verify(&p, &v.access_key_secret, at)
                .unwrap_or_else(|e| panic!("{} at {off} s: {e:?}", v.note));
            tencent::check_clock_window(&auth, at).unwrap();
        }
    }
}

#[test]
fn every_vector_is_refused_outside_the_clock_window() {
    for v in &load().vectors {
        let req = request(v);
        let p = req.parts();
        let auth = tencent::parse(&p).unwrap();
        for off in [-301, 301, -6 * 60, 6 * 60, -16 * 60, 16 * 60] {
            let at = auth.timestamp + TimeDelta::seconds(off);
            assert_eq!(
                parse_and_verify(&p, &v.access_key_secret, at),
                Err(SignatureError::TimestampExpired),
                "{} at {off} s",
                v.note
            );
            assert_eq!(
                tencent::check_clock_window(&auth, at),
                Err(SignatureError::TimestampExpired)
            );
        }
    }
}

#[test]
fn every_vector_is_refused_with_another_secret() {
    for v in &load().vectors {
        let req = request(v);
        let p = req.parts();
        let now = tencent::parse(&p).unwrap().timestamp;
        for wrong in [
            format!("{}x", v.access_key_secret),
            v.access_key_secret[1..].to_string(),
            String::new(),
        ] {
            assert_mismatch(parse_and_verify(&p, &wrong, now), &v.note);
        }
    }
}

#[test]
fn every_vector_is_refused_once_a_signed_byte_changes() {
    let mut flips = 0;
    for v in &load().vectors {
        let req = request(v);
        let auth = tencent::parse(&req.parts()).unwrap();
        let now = auth.timestamp;
        let secret = &v.access_key_secret;

        // One byte of the body (POST) or of the query (GET, whose body is empty).
        if req.body.is_empty() {
            let mut t = req.clone();
            t.query = String::from_utf8(flip_first_value(req.query.as_bytes())).unwrap();
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!("{}: query {}", v.note, t.query),
            );
            // A body the client did not sign.
            let mut t = req.clone();
            t.body = b"{}".to_vec();
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!("{}: added body", v.note),
            );
        } else {
            assert!(req.query.is_empty());
            let mut t = req.clone();
            t.body = flip_first_value(&req.body);
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!("{}: body {}", v.note, String::from_utf8_lossy(&t.body)),
            );
            let mut t = req.clone();
            t.body.push(b' ');
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!("{}: body with a trailing space", v.note),
            );
            // An unsigned query added to a POST.
            let mut t = req.clone();
            t.query = "HaVipId=havip-other".into();
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!("{}: added query", v.note),
            );
        }
        flips += 1;

        // The method and the path.
        let mut t = req.clone();
        t.method = if req.method == "GET" { "POST" } else { "GET" }.into();
        assert_mismatch(
            parse_and_verify(&t.parts(), secret, now),
            &format!("{}: method", v.note),
        );
        let mut t = req.clone();
        t.path = "/x".into();
        assert_mismatch(
            parse_and_verify(&t.parts(), secret, now),
            &format!("{}: path", v.note),
        );

        // Each signed header.
        for name in &auth.signed_headers {
            let mut t = req.clone();
            let new = flip_last(t.headers.get(name.as_str()).unwrap().as_bytes());
            t.headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(&new).unwrap(),
            );
            assert_mismatch(
                parse_and_verify(&t.parts(), secret, now),
                &format!(
                    "{}: header {name}: {}",
                    v.note,
                    String::from_utf8_lossy(&new)
                ),
            );
            flips += 1;
        }

        // The timestamp (one second later, same day, inside the window).
        let mut t = req.clone();
        let ts = (auth.timestamp + TimeDelta::seconds(1))
            .timestamp()
            .to_string();
        t.headers
            .insert("x-tc-timestamp", HeaderValue::from_str(&ts).unwrap());
        assert_mismatch(
            parse_and_verify(&t.parts(), secret, now),
            &format!("{}: timestamp {ts}", v.note),
        );

        // The signature itself.
        let mut t = req.clone();
        let a = flip_last(t.headers.get("authorization").unwrap().as_bytes());
        t.headers
            .insert("authorization", HeaderValue::from_bytes(&a).unwrap());
        assert_mismatch(
            parse_and_verify(&t.parts(), secret, now),
            &format!("{}: signature", v.note),
        );
        flips += 1;
    }
    assert!(flips >= 24, "only {flips} flips");
}

/// Headers outside `SignedHeaders` may change freely: the HTTP library's, and the `X-TC-*`
/// headers the SDK does not sign.
#[test]
fn unsigned_headers_do_not_matter() {
    for v in &load().vectors {
        let mut req = request(v);
        let now = tencent::parse(&req.parts()).unwrap().timestamp;
        for (name, value) in [
            ("accept-encoding", "br"),
            ("user-agent", "curl/8"),
            ("x-forwarded-for", "10.0.0.1"),
            ("x-tc-traceid", "00000000-0000-0000-0000-000000000000"),
            ("x-tc-language", "en-US"),
        ] {
            req.headers.insert(name, HeaderValue::from_static(value));
        }
        parse_and_verify(&req.parts(), &v.access_key_secret, now)
            .unwrap_or_else(|e| panic!("{}: {e:?}", v.note));
    }
}

/// Decode an `application/x-www-form-urlencoded` query (`+` is a space).
fn form_decode(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The client-side signer produces what the SDK sent: the same `Authorization` for the same
/// request, and the same query, body and `Authorization` from the same call.
#[test]
fn the_client_signer_reproduces_the_sdk() {
    for v in &load().vectors {
        let req = request(v);
        let sent = header(&req, "authorization");

        let mut unsigned = req.clone();
        unsigned.headers.remove("authorization");
        let a = tencent::authorization(
            &unsigned.parts(),
            &["content-type", "host"],
            &v.service,
            &creds(v),
        )
        .unwrap();
        assert_eq!(a, sent, "{}", v.note);

        let pairs = form_decode(&req.query);
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, val)| (k.as_str(), val.as_str()))
            .collect();
        let auth = tencent::parse(&req.parts()).unwrap();
        let call = tencent::TencentCall {
            method: &req.method,
            host: header(&req, "host"),
            action: &v.action,
            version: header(&req, "x-tc-version"),
            service: &v.service,
            region: Some(&v.region),
            body: &req.body,
            query: &pairs,
            trace_id: header(&req, "x-tc-traceid"),
            time: auth.timestamp,
        };
        let signed = tencent::sign(&call, &creds(v));
        assert_eq!(signed.method, req.method, "{}", v.note);
        assert_eq!(signed.target(), v.request.target, "{}", v.note);
        assert_eq!(signed.body, req.body, "{}", v.note);
        assert_eq!(
            signed.headers.get("authorization").unwrap(),
            sent,
            "{}",
            v.note
        );
        // Every header the SDK sent, with the same value (names are case-insensitive).
        for (name, value) in &v.request.headers {
            assert_eq!(
                signed
                    .headers
                    .get(name.as_str())
                    .map(|h| h.to_str().unwrap()),
                Some(value.as_str()),
                "{}: header {name}",
                v.note
            );
        }
        assert_eq!(signed.headers.len(), v.request.headers.len(), "{}", v.note);
    }
}
