//! Table-driven tests over `shared/vectors/signatures.json`: requests captured byte for
//! byte from the official SDKs. Each must verify with the clock at its own date header,
//! and must be refused once any signed byte changes or the clock is 16 minutes off.

use chrono::{DateTime, TimeDelta, Utc};
use havip_signature::{
    aliyun, huawei, volcengine, OwnedRequest, ParsedAuth, RequestParts, Scheme, SignatureError,
};
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
    access_key_id: String,
    access_key_secret: String,
    request: Request,
    security_token: Option<String>,
}

fn load() -> Option<File> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/signatures.json"
    );
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(e) => {
            eprintln!("skipping signature vectors: cannot read {path}: {e}");
            None
        }
    }
}

fn request(v: &Vector) -> OwnedRequest {
    v.request.owned()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Acs3,
    Rpc,
    Volc,
    Huawei,
}

fn kind(v: &Vector) -> Kind {
    match v.scheme.as_str() {
        "aliyun-acs3-hmac-sha256" => Kind::Acs3,
        "aliyun-rpc-hmac-sha1" => Kind::Rpc,
        "volcengine-hmac-sha256" => Kind::Volc,
        "huawei-sdk-hmac-sha256" => Kind::Huawei,
        other => panic!("unknown scheme {other}"),
    }
}

fn parse(k: Kind, p: &RequestParts<'_>) -> Result<ParsedAuth, SignatureError> {
    match k {
        // The Alibaba face dispatches on the request itself.
        Kind::Acs3 | Kind::Rpc => aliyun::parse(p),
        Kind::Volc => volcengine::parse(p),
        Kind::Huawei => huawei::parse(p),
    }
}

fn parse_and_verify(
    k: Kind,
    p: &RequestParts<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let auth = parse(k, p)?;
    match k {
        Kind::Acs3 | Kind::Rpc => aliyun::verify(p, &auth, secret, now),
        Kind::Volc => volcengine::verify(p, &auth, secret, now),
        Kind::Huawei => huawei::verify(p, &auth, secret, now),
    }
}

/// Change one character to another of the same class (digit, lower, upper letter), so that
/// the text keeps its shape (a date stays a valid date one second later).
fn bump(c: u8) -> u8 {
    match c {
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        _ => c + 1,
    }
}

/// Flip the last digit of a value (the seconds of a date), or its last letter when it
/// has no digit.
fn flip_last(value: &[u8]) -> Vec<u8> {
    let mut v = value.to_vec();
    let i = v
        .iter()
        .rposition(u8::is_ascii_digit)
        .or_else(|| v.iter().rposition(u8::is_ascii_alphanumeric))
        .unwrap();
    v[i] = bump(v[i]);
    v
}

/// Flip the first alphanumeric byte of the first parameter value of a query or form body.
fn flip_first_value(text: &[u8]) -> Vec<u8> {
    let mut v = text.to_vec();
    let eq = v.iter().position(|&b| b == b'=').unwrap_or(0);
    let i = eq + v[eq..].iter().position(u8::is_ascii_alphanumeric).unwrap();
    v[i] = bump(v[i]);
    v
}

fn assert_mismatch(r: Result<(), SignatureError>, what: &str) {
    assert!(
        matches!(r, Err(SignatureError::Mismatch { .. })),
        "{what}: expected Mismatch, got {r:?}"
    );
}

/// The header named by the date of each scheme.
fn date_header(k: Kind) -> Option<&'static str> {
    match k {
        Kind::Acs3 => Some("x-acs-date"),
        Kind::Rpc => None,
        Kind::Volc => Some("x-date"),
        Kind::Huawei => Some("x-sdk-date"),
    }
}

fn is_content_hash_header(name: &str) -> bool {
    matches!(name, "x-acs-content-sha256" | "x-content-sha256")
}

#[test]
fn every_vector_verifies_at_its_own_date() {
    let Some(file) = load() else { return };
    assert_eq!(file.vectors.len(), 18);
    for v in &file.vectors {
        let k = kind(v);
        let req = request(v);
        let p = req.parts();
        let auth = parse(k, &p).unwrap_or_else(|e| panic!("{}: parse: {e:?}", v.note));
        assert_eq!(auth.access_key_id, v.access_key_id, "{}", v.note);
        assert_eq!(auth.security_token, v.security_token, "{}", v.note);
        let expected_scheme = match k {
            Kind::Acs3 => Scheme::AliyunAcs3,
            Kind::Rpc => Scheme::AliyunRpc,
            Kind::Volc => Scheme::Volcengine,
            Kind::Huawei => Scheme::Huawei,
        };
        assert_eq!(auth.scheme, expected_scheme, "{}", v.note);
        // The clock is the request's own date header (`Timestamp` for RPC).
        let own_date = match date_header(k) {
            Some(h) => req.headers.get(h).unwrap().to_str().unwrap().to_string(),
            None => {
                aliyun::request_params(&p)
                    .unwrap()
                    .into_iter()
                    .find(|(k, _)| k == "Timestamp")
                    .unwrap()
                    .1
            }
        };
        assert_eq!(auth.date, own_date, "{}", v.note);
        match k {
            Kind::Acs3 => assert_eq!(
                auth.nonce.as_deref(),
                req.headers
                    .get("x-acs-signature-nonce")
                    .map(|h| h.to_str().unwrap()),
                "{}",
                v.note
            ),
            Kind::Rpc => assert_eq!(auth.nonce.as_ref().map(String::len), Some(32)),
            Kind::Volc => {
                assert_eq!(auth.region.as_deref(), Some("cn-beijing"));
                assert_eq!(auth.service.as_deref(), Some("vpc"));
            }
            Kind::Huawei => assert_eq!(auth.nonce, None),
        }
        let now = auth.timestamp;
        parse_and_verify(k, &p, &v.access_key_secret, now)
            .unwrap_or_else(|e| panic!("{} ({}): {e:?}", v.note, v.scheme));
        // Anywhere inside the ±15 minute window is fine.
        for off in [-14, 14] {
            parse_and_verify(k, &p, &v.access_key_secret, now + TimeDelta::minutes(off))
                .unwrap_or_else(|e| panic!("{} at {off} min: {e:?}", v.note));
        }
    }
}

#[test]
fn every_vector_is_refused_outside_the_clock_window() {
    let Some(file) = load() else { return };
    for v in &file.vectors {
        let k = kind(v);
        let req = request(v);
        let p = req.parts();
        let date = parse(k, &p).unwrap().timestamp;
        for off in [16, -16] {
            assert_eq!(
                parse_and_verify(k, &p, &v.access_key_secret, date + TimeDelta::minutes(off)),
                Err(SignatureError::TimestampExpired),
                "{} at {off} min",
                v.note
            );
        }
    }
}

#[test]
fn every_vector_is_refused_with_another_secret() {
    let Some(file) = load() else { return };
    for v in &file.vectors {
        let k = kind(v);
        let req = request(v);
        let p = req.parts();
        let now = parse(k, &p).unwrap().timestamp;
        let wrong = format!("{}x", v.access_key_secret);
        assert_mismatch(parse_and_verify(k, &p, &wrong, now), &v.note);
    }
}

#[test]
fn every_vector_is_refused_once_a_signed_byte_changes() {
    let Some(file) = load() else { return };
    let mut flips = 0;
    for v in &file.vectors {
        let k = kind(v);
        let req = request(v);
        let auth = parse(k, &req.parts()).unwrap();
        let now = auth.timestamp;
        let secret = &v.access_key_secret;

        // The query.
        if !req.query.is_empty() {
            let mut t = req.clone();
            t.query = String::from_utf8(flip_first_value(req.query.as_bytes())).unwrap();
            assert_mismatch(
                parse_and_verify(k, &t.parts(), secret, now),
                &format!("{}: query {}", v.note, t.query),
            );
            flips += 1;
        }

        // Huawei signs the path (the others sign `/` or nothing).
        if k == Kind::Huawei {
            let mut t = req.clone();
            t.path = String::from_utf8(flip_last(req.path.as_bytes())).unwrap();
            assert_mismatch(
                parse_and_verify(k, &t.parts(), secret, now),
                &format!("{}: path {}", v.note, t.path),
            );
            flips += 1;
        }

        // Each signed header.
        for name in &auth.signed_headers {
            let mut t = req.clone();
            let old = t.headers.get(name.as_str()).unwrap().as_bytes().to_vec();
            let new = flip_last(&old);
            t.headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(&new).unwrap(),
            );
            let r = parse_and_verify(k, &t.parts(), secret, now);
            let what = format!(
                "{}: header {name}: {}",
                v.note,
                String::from_utf8_lossy(&new)
            );
            if is_content_hash_header(name) {
                assert_eq!(r, Err(SignatureError::ContentHashMismatch), "{what}");
            } else {
                assert_mismatch(r, &what);
            }
            flips += 1;
        }

        // The body.
        if !req.body.is_empty() {
            let mut t = req.clone();
            t.body = flip_first_value(&req.body);
            let r = parse_and_verify(k, &t.parts(), secret, now);
            let what = format!("{}: body {}", v.note, String::from_utf8_lossy(&t.body));
            if k == Kind::Acs3 {
                assert_eq!(r, Err(SignatureError::ContentHashMismatch), "{what}");
            } else {
                assert_mismatch(r, &what);
            }
            flips += 1;
        }

        // The signature itself.
        let mut t = req.clone();
        match k {
            Kind::Rpc => {
                let i = t.query.find("&Signature=").unwrap() + "&Signature=".len();
                let mut q = t.query.into_bytes();
                q[i] = bump(q[i]);
                t.query = String::from_utf8(q).unwrap();
            }
            _ => {
                let a = t.headers.get("authorization").unwrap().as_bytes().to_vec();
                t.headers.insert(
                    "authorization",
                    HeaderValue::from_bytes(&flip_last(&a)).unwrap(),
                );
            }
        }
        assert_mismatch(
            parse_and_verify(k, &t.parts(), secret, now),
            &format!("{}: signature", v.note),
        );
    }
    assert!(flips > 100, "only {flips} flips");
}

/// Unsigned headers (added by the HTTP library) may change freely.
#[test]
fn unsigned_headers_do_not_matter() {
    let Some(file) = load() else { return };
    for v in &file.vectors {
        let k = kind(v);
        let mut req = request(v);
        let now = parse(k, &req.parts()).unwrap().timestamp;
        req.headers
            .insert("accept-encoding", HeaderValue::from_static("br"));
        req.headers
            .insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        if k == Kind::Rpc {
            req.headers
                .insert("user-agent", HeaderValue::from_static("curl/8"));
        }
        parse_and_verify(k, &req.parts(), &v.access_key_secret, now)
            .unwrap_or_else(|e| panic!("{}: {e:?}", v.note));
    }
}

/// The Alibaba face reads its parameters from `aliyun::request_params`: query and form
/// body merged and decoded (`+` is a space).
#[test]
fn aliyun_parameters_of_the_vectors() {
    let Some(file) = load() else { return };
    let get = |params: &[(String, String)], key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let mut seen_form = false;
    for v in &file.vectors {
        let k = kind(v);
        if !matches!(k, Kind::Acs3 | Kind::Rpc) {
            continue;
        }
        let req = request(v);
        let params = aliyun::request_params(&req.parts()).unwrap();
        if v.note.contains("space in InstanceId") || v.note == "legacy SDK AssociateHaVip" {
            assert_eq!(get(&params, "InstanceId").as_deref(), Some("i-xyz 789"));
        }
        if v.note.contains("reserved characters") {
            assert_eq!(
                get(&params, "Tags.1.Value").as_deref(),
                Some("a*b~c/d e+f=g&h%i'中文!()")
            );
        }
        if v.note.contains("form-body") {
            seen_form = true;
            assert_eq!(get(&params, "HaVipId").as_deref(), Some("havip-abc123"));
            assert_eq!(get(&params, "Name").as_deref(), Some("new name*"));
            assert_eq!(
                get(&params, "Action").as_deref(),
                Some("ModifyHaVipAttribute")
            );
        }
    }
    assert!(seen_form);
}
