//! Signature verification for the request-signing schemes of the clouds havip speaks:
//! Alibaba Cloud ACS3-HMAC-SHA256 and RPC HMAC-SHA1, Volcengine HMAC-SHA256 and Huawei
//! SDK-HMAC-SHA256. Pure functions over the bytes of a received request; no I/O.
//!
//! Every scheme is verified in two steps so that the caller can look the secret up by
//! access key in its own store: `parse*` reads the credentials out of the request
//! ([`ParsedAuth`]), then `verify*` recomputes the signature with the secret and checks
//! the clock window ([`MAX_CLOCK_SKEW_MINUTES`]). Each module also holds a client-side
//! signer that produces what the official SDK would send, for tests of the API faces.
//!
//! The canonicalisation rules follow `shared/design/wire-*.md` and are pinned by the
//! requests captured from the SDKs in `shared/vectors/signatures.json`.

#![forbid(unsafe_code)]

use chrono::{DateTime, TimeDelta, Utc};
use http::HeaderMap;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

pub mod aliyun;
pub mod huawei;
pub mod tencent;
pub mod volcengine;

/// Allowed distance, in minutes, between a request's own date and the server clock
/// (in both directions).
pub const MAX_CLOCK_SKEW_MINUTES: i64 = 15;

/// A view of a received request, as the HTTP layer saw it.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The request method as received (`GET`, `POST`, ...).
    pub method: &'a str,
    /// The raw path, still percent-encoded as received, without the query.
    pub path: &'a str,
    /// The raw query string, without the leading `?` (empty when there is none).
    pub query: &'a str,
    /// The received headers.
    pub headers: &'a HeaderMap,
    /// The raw body bytes.
    pub body: &'a [u8],
}

/// An owned request, as produced by the client-side signers (`sign*` functions).
#[derive(Debug, Clone, Default)]
pub struct OwnedRequest {
    pub method: String,
    /// Percent-encoded path as it goes on the wire.
    pub path: String,
    /// Query string as it goes on the wire, without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl OwnedRequest {
    /// Borrow this request as the verifiers' input.
    pub fn parts(&self) -> RequestParts<'_> {
        RequestParts {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// `path?query` (or just the path when the query is empty).
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

/// The key pair (and optional session token) a client signs with.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    /// STS / temporary-credential token, sent in the scheme's token header or parameter.
    pub security_token: Option<&'a str>,
}

/// Which signing scheme a [`ParsedAuth`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Alibaba Cloud V3 signature (`Authorization: ACS3-HMAC-SHA256 ...`).
    AliyunAcs3,
    /// Alibaba Cloud RPC signature (`Signature*` parameters, HMAC-SHA1).
    AliyunRpc,
    /// Volcengine `HMAC-SHA256` with a date/region/service credential scope.
    Volcengine,
    /// Huawei Cloud `SDK-HMAC-SHA256`.
    Huawei,
    /// Tencent Cloud API 3.0 `TC3-HMAC-SHA256` with a date/service credential scope.
    Tencent,
}

/// Credentials read out of a request by a `parse*` function, before the secret is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    pub scheme: Scheme,
    /// The access key id the request claims (`Credential=`, `AccessKeyId`, `Access=`).
    pub access_key_id: String,
    /// The request's own date, exactly as sent (`x-acs-date`, `Timestamp`, `X-Date`,
    /// `X-Sdk-Date`).
    pub date: String,
    /// That date, parsed.
    pub timestamp: DateTime<Utc>,
    /// Alibaba replay nonce (`x-acs-signature-nonce` or `SignatureNonce`); `None` elsewhere.
    pub nonce: Option<String>,
    /// Volcengine credential-scope region (may be empty: the SDK allows it); `None` elsewhere.
    pub region: Option<String>,
    /// Volcengine credential-scope service (`vpc`); `None` elsewhere.
    pub service: Option<String>,
    /// Session / STS token, when the request carries one.
    pub security_token: Option<String>,
    /// Header names from `SignedHeaders=`, as sent (empty for the RPC scheme).
    pub signed_headers: Vec<String>,
    /// The signature as sent (hex, or base64 for the RPC scheme).
    pub signature: String,
}

/// Why a request's signature was refused. Each API face maps these to its cloud's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request carries no credentials at all.
    #[error("the request carries no credentials")]
    Missing,
    /// The authorization header or parameters cannot be parsed, or a required piece is
    /// absent.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// A header the scheme requires to be signed (lowercase name) is not listed in
    /// `SignedHeaders`.
    #[error("header {0} must be signed: list it in SignedHeaders")]
    HeaderNotSigned(String),
    /// Algorithm or signature method other than the supported one.
    #[error("unsupported signature method: {0}")]
    UnsupportedMethod(String),
    /// The request's date cannot be parsed.
    #[error("the request timestamp is not well formatted")]
    TimestampMalformed,
    /// The request's date is more than [`MAX_CLOCK_SKEW_MINUTES`] away from the server clock.
    #[error("the request timestamp is outside the allowed window")]
    TimestampExpired,
    /// The declared payload hash does not match the body.
    #[error("the declared content hash does not match the body")]
    ContentHashMismatch,
    /// The signature differs from the server's calculation.
    #[error("signature does not match; server string to sign is: {string_to_sign}")]
    Mismatch {
        /// The server-side string to sign (Alibaba's legacy SDK wants it in the message).
        string_to_sign: String,
        /// The server-side canonical request, for the schemes that have one.
        canonical_request: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the scheme modules.

/// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` is `%XX` (uppercase hex).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Python's `quote(s, safe='~')` / `quote(s, safe='-_.~')` on a UTF-8 string.
pub(crate) fn rfc3986_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Percent-decode (invalid `%` sequences are kept as they are, like Python's `unquote`);
/// the result must be UTF-8.
pub(crate) fn percent_decode(s: &str) -> Result<String, SignatureError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| SignatureError::Malformed("percent-decoded text is not UTF-8".into()))
}

/// Split a raw query or form body into decoded `(key, value)` pairs, in order, keeping
/// blank values. With `plus_is_space` (form rules) `+` decodes to a space.
pub(crate) fn decode_pairs(
    raw: &str,
    plus_is_space: bool,
) -> Result<Vec<(String, String)>, SignatureError> {
    let mut out = Vec::new();
    for piece in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let (k, v) = if plus_is_space {
            (
                percent_decode(&k.replace('+', " "))?,
                percent_decode(&v.replace('+', " "))?,
            )
        } else {
            (percent_decode(k)?, percent_decode(v)?)
        };
        out.push((k, v));
    }
    Ok(out)
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The single value of a header, or `None` when absent. A header sent more than once is
/// malformed for our purposes (which value would count?).
pub(crate) fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h [u8]>, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(SignatureError::Malformed(format!(
            "header {name} is repeated"
        )));
    }
    Ok(first.map(|v| v.as_bytes()))
}

/// Like [`single_header`] but the value must be UTF-8 text; surrounding spaces are trimmed.
pub(crate) fn header_str<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, SignatureError> {
    match single_header(headers, name)? {
        None => Ok(None),
        Some(b) => std::str::from_utf8(b)
            .map(|s| Some(s.trim()))
            .map_err(|_| SignatureError::Malformed(format!("header {name} is not UTF-8"))),
    }
}

/// Trim ASCII whitespace on both ends (Python's `str.strip()` for the values SDKs send).
pub(crate) fn trim_bytes(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() || *first == 0x0b {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() || *last == 0x0b {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// `Method\nPath\nQuery\nCanonicalHeaders\nSignedHeaders\nPayloadHash`: the canonical
/// request of ACS3, Volcengine and Huawei (`canonical_headers` ends in its own newline).
pub(crate) fn assemble_canonical_request(
    method: &str,
    path: &str,
    query: &str,
    canonical_headers: Vec<u8>,
    signed_headers: &[String],
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [method, path, query] {
        out.extend_from_slice(part.as_bytes());
        out.push(b'\n');
    }
    out.extend(canonical_headers);
    out.push(b'\n');
    out.extend_from_slice(signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// The hex SHA-256 of the body; when the client declared one in `header`, it must match.
pub(crate) fn checked_payload_hash(
    parts: &RequestParts<'_>,
    header: &str,
) -> Result<String, SignatureError> {
    let payload_hash = sha256_hex(parts.body);
    if let Some(declared) = header_str(parts.headers, header)? {
        if !declared.eq_ignore_ascii_case(&payload_hash) {
            return Err(SignatureError::ContentHashMismatch);
        }
    }
    Ok(payload_hash)
}

/// [`checked_payload_hash`] for schemes whose SDKs may opt out of signing the body with
/// `UNSIGNED-PAYLOAD` in `header`: refused, so that the body is always covered.
pub(crate) fn signed_payload_hash(
    parts: &RequestParts<'_>,
    header: &str,
) -> Result<String, SignatureError> {
    if header_str(parts.headers, header)?
        .is_some_and(|v| v.eq_ignore_ascii_case("UNSIGNED-PAYLOAD"))
    {
        return Err(SignatureError::UnsupportedMethod("UNSIGNED-PAYLOAD".into()));
    }
    checked_payload_hash(parts, header)
}

/// The first step of every `verify*`: `auth` must be what `parse` reads from this very
/// request, or the credentials were parsed from another one (`Malformed`).
pub(crate) fn ensure_parsed_from(
    parts: &RequestParts<'_>,
    auth: &ParsedAuth,
    parse: fn(&RequestParts<'_>) -> Result<ParsedAuth, SignatureError>,
) -> Result<(), SignatureError> {
    if parse(parts).as_ref() != Ok(auth) {
        return Err(SignatureError::Malformed(
            "credentials were parsed from another request".into(),
        ));
    }
    Ok(())
}

/// The last steps of verifying ACS3, Volcengine and Huawei: the HMAC-SHA256 of
/// `string_to_sign` under `key` against the hex signature sent (else `Mismatch`, carrying
/// the server's string to sign and canonical request), then the clock window.
pub(crate) fn check_hex_signature(
    auth: &ParsedAuth,
    key: &[u8],
    string_to_sign: String,
    canonical_request: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let expected = hmac_sha256(key, string_to_sign.as_bytes());
    if !hex_signature_matches(&auth.signature, &expected) {
        return Err(SignatureError::Mismatch {
            string_to_sign,
            canonical_request: Some(String::from_utf8_lossy(canonical_request).into_owned()),
        });
    }
    check_clock(auth.timestamp, now)
}

/// The client side of ACS3, Volcengine and Huawei: the listed header names lowercased and
/// sorted, the canonical request over them and the hash of `body`, and the HMAC-SHA256
/// under `key` of the string to sign made from that canonical request. Returns the
/// `SignedHeaders` value (`a;b;c`) and the hex signature.
pub(crate) fn client_signature(
    signed_headers: &[&str],
    body: &[u8],
    canonical_request: impl FnOnce(&[String], &str) -> Result<Vec<u8>, SignatureError>,
    key: &[u8],
    string_to_sign: impl FnOnce(&[u8]) -> String,
) -> Result<(String, String), SignatureError> {
    let mut signed: Vec<String> = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    signed.sort();
    let canonical = canonical_request(&signed, &sha256_hex(body))?;
    let mac = hmac_sha256(key, string_to_sign(&canonical).as_bytes());
    Ok((signed.join(";"), hex::encode(mac)))
}

/// Reads the `Authorization` header of a scheme whose algorithm token is `algorithm` and
/// returns its three `k=v` fields named in `wanted`, in that order. No header is
/// `Missing`; another algorithm is `UnsupportedMethod`.
pub(crate) fn authorization_fields<'h>(
    headers: &'h http::HeaderMap,
    algorithm: &str,
    wanted: [&str; 3],
) -> Result<[&'h str; 3], SignatureError> {
    let authorization = header_str(headers, "authorization")?.ok_or(SignatureError::Missing)?;
    let (given, rest) = authorization
        .split_once(char::is_whitespace)
        .unwrap_or((authorization, ""));
    if given != algorithm {
        if given.is_empty() {
            return Err(SignatureError::Malformed(
                "empty Authorization header".into(),
            ));
        }
        return Err(SignatureError::UnsupportedMethod(given.to_string()));
    }
    auth_fields(rest, wanted)
}

/// Parse the `k=v` parts of an authorization header after its algorithm token:
/// `Credential=..., SignedHeaders=..., Signature=...` (separated by `,` with optional
/// spaces). Returns the three values named in `wanted`, in that order.
pub(crate) fn auth_fields<'a>(
    rest: &'a str,
    wanted: [&str; 3],
) -> Result<[&'a str; 3], SignatureError> {
    let mut found: [Option<&'a str>; 3] = [None; 3];
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').ok_or_else(|| {
            SignatureError::Malformed(format!("authorization part {part:?} has no '='"))
        })?;
        let k = k.trim();
        let v = v.trim();
        let idx = wanted.iter().position(|w| *w == k).ok_or_else(|| {
            SignatureError::Malformed(format!("unknown authorization part {k:?}"))
        })?;
        if found[idx].replace(v).is_some() {
            return Err(SignatureError::Malformed(format!(
                "authorization part {k} is repeated"
            )));
        }
    }
    let mut out = [""; 3];
    for (i, slot) in found.iter().enumerate() {
        match slot {
            Some(v) if !v.is_empty() => out[i] = v,
            _ => {
                return Err(SignatureError::Malformed(format!(
                    "authorization lacks {}",
                    wanted[i]
                )))
            }
        }
    }
    Ok(out)
}

/// Split `SignedHeaders=a;b;c` into names; empty names are malformed.
pub(crate) fn split_signed_headers(list: &str) -> Result<Vec<String>, SignatureError> {
    let names: Vec<String> = list.split(';').map(|s| s.trim().to_string()).collect();
    if names.iter().any(|n| n.is_empty()) {
        return Err(SignatureError::Malformed(
            "SignedHeaders has an empty name".into(),
        ));
    }
    Ok(names)
}

/// Fail unless `name` (lowercase) is among the signed headers.
pub(crate) fn require_signed(signed: &[String], name: &str) -> Result<(), SignatureError> {
    if signed.iter().any(|s| s.eq_ignore_ascii_case(name)) {
        Ok(())
    } else {
        Err(SignatureError::HeaderNotSigned(name.to_ascii_lowercase()))
    }
}

/// Fail when `name` is present in the request but not signed.
pub(crate) fn require_signed_if_present(
    headers: &HeaderMap,
    signed: &[String],
    name: &str,
) -> Result<(), SignatureError> {
    if headers.contains_key(name) {
        require_signed(signed, name)
    } else {
        Ok(())
    }
}

/// Parse a UTC date in the given `strftime` format (for example `%Y%m%dT%H%M%SZ`).
pub(crate) fn parse_utc(s: &str, format: &str) -> Result<DateTime<Utc>, SignatureError> {
    chrono::NaiveDateTime::parse_from_str(s, format)
        .map(|n| n.and_utc())
        .map_err(|_| SignatureError::TimestampMalformed)
}

/// Fail with [`SignatureError::TimestampExpired`] when `ts` is more than
/// [`MAX_CLOCK_SKEW_MINUTES`] away from `now`.
pub(crate) fn check_clock(ts: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), SignatureError> {
    check_clock_within(ts, now, MAX_CLOCK_SKEW_MINUTES)
}

/// Whether `ts` is at most `minutes` away from `now`, either way (inclusive).
pub(crate) fn check_clock_within(
    ts: DateTime<Utc>,
    now: DateTime<Utc>,
    minutes: i64,
) -> Result<(), SignatureError> {
    let window = TimeDelta::minutes(minutes);
    let skew = now.signed_duration_since(ts);
    if skew > window || skew < -window {
        Err(SignatureError::TimestampExpired)
    } else {
        Ok(())
    }
}

/// Whether a parsed request's own date is inside the clock window at `now`: what can be
/// checked before the body has been read and the signature can be.
pub fn check_clock_window(parsed: &ParsedAuth, now: DateTime<Utc>) -> Result<(), SignatureError> {
    check_clock(parsed.timestamp, now)
}

/// Compare a hex signature sent by the client with the expected MAC in constant time.
pub(crate) fn hex_signature_matches(sent: &str, expected: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    match hex::decode(sent) {
        Ok(bytes) => bytes.len() == expected.len() && bool::from(bytes.ct_eq(expected)),
        Err(_) => false,
    }
}

pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(msg);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Canonical header block (`name:value\n` per signed header, in the given order) for the
/// SigV4-like schemes. Values are trimmed; `map_value` may adjust one (Volcengine strips
/// `:80` from host). A repeated header is malformed unless `join_repeated`, in which case
/// its trimmed values are sorted and joined with `,` (ACS3).
pub(crate) fn canonical_headers(
    headers: &HeaderMap,
    signed: &[String],
    join_repeated: bool,
    map_value: impl Fn(&str, &[u8]) -> Vec<u8>,
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    for name in signed {
        let lower = name.to_ascii_lowercase();
        let mut values: Vec<&[u8]> = headers
            .get_all(lower.as_str())
            .iter()
            .map(|v| trim_bytes(v.as_bytes()))
            .collect();
        let value = match values.len() {
            0 => {
                return Err(SignatureError::Malformed(format!(
                    "signed header {name} is absent"
                )))
            }
            1 => values[0].to_vec(),
            _ if join_repeated => {
                values.sort();
                values.join(&b","[..])
            }
            _ => {
                return Err(SignatureError::Malformed(format!(
                    "signed header {name} is repeated"
                )))
            }
        };
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(&map_value(&lower, &value));
        out.push(b'\n');
    }
    Ok(out)
}

/// Build a header map from `(name, value)` pairs, skipping pairs that are not valid HTTP
/// (the signers only pass valid ones).
pub(crate) fn push_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        http::header::HeaderName::from_bytes(name.as_bytes()),
        http::header::HeaderValue::from_str(value),
    ) {
        headers.append(n, v);
    }
}

/// A header map of `(name, value)` pairs, for the schemes' tests.
#[cfg(test)]
pub(crate) fn header_map(list: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in list {
        push_header(&mut h, k, v);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986_matches_python_quote_safe_tilde() {
        assert_eq!(
            rfc3986_encode("a*b~c/d e+f=g&h%i'中文!()"),
            "a%2Ab~c%2Fd%20e%2Bf%3Dg%26h%25i%27%E4%B8%AD%E6%96%87%21%28%29"
        );
        assert_eq!(rfc3986_encode("AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn decode_pairs_form_and_plain() {
        let form = decode_pairs("a=x+y%2B&b=&c&&d=%E4%B8%AD", true).unwrap();
        assert_eq!(
            form,
            vec![
                ("a".into(), "x y+".into()),
                ("b".into(), "".into()),
                ("c".into(), "".into()),
                ("d".into(), "中".into()),
            ]
        );
        let plain = decode_pairs("a=x+y", false).unwrap();
        assert_eq!(plain, vec![("a".into(), "x+y".into())]);
        assert!(matches!(
            decode_pairs("a=%FF", true),
            Err(SignatureError::Malformed(_))
        ));
        // Invalid escapes are kept as they are, like Python's unquote.
        assert_eq!(
            decode_pairs("a=%zz", true).unwrap(),
            vec![("a".into(), "%zz".into())]
        );
    }

    #[test]
    fn clock_window_is_inclusive_15_minutes() {
        let ts = parse_utc("20261121T234632Z", "%Y%m%dT%H%M%SZ").unwrap();
        assert!(check_clock(ts, ts + TimeDelta::minutes(15)).is_ok());
        assert!(check_clock(ts, ts - TimeDelta::minutes(15)).is_ok());
        assert_eq!(
            check_clock(ts, ts + TimeDelta::seconds(15 * 60 + 1)),
            Err(SignatureError::TimestampExpired)
        );
        assert_eq!(
            check_clock(ts, ts - TimeDelta::seconds(15 * 60 + 1)),
            Err(SignatureError::TimestampExpired)
        );
    }

    #[test]
    fn auth_fields_parsing() {
        let w = ["Access", "SignedHeaders", "Signature"];
        assert_eq!(
            auth_fields("Access=AK, SignedHeaders=a;b, Signature=00", w).unwrap(),
            ["AK", "a;b", "00"]
        );
        assert!(matches!(
            auth_fields("Access=AK, SignedHeaders=a;b", w),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            auth_fields("Access=AK, Access=AK, SignedHeaders=a, Signature=00", w),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            auth_fields("Access=AK, Foo=1, SignedHeaders=a, Signature=00", w),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            auth_fields("Access AK", w),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn trim_bytes_trims_ascii_space() {
        assert_eq!(trim_bytes(b" \t a b \r\n"), b"a b");
        assert_eq!(trim_bytes(b"   "), b"");
    }
}
