//! Checks of the four signature schemes: the `Authorization` / `Signature*` readers
//! (`parse*`), the canonical request builders and verifiers (`verify*`), and, where the
//! crate has a client-side signer for an already-built request, the round trip "a request
//! re-signed with the parsed signed headers verifies".

use chrono::{DateTime, TimeDelta, Utc};
use havip_aliyun::errors::{table, FaceError};
use havip_signature::{
    aliyun, huawei, volcengine, Credentials, OwnedRequest, ParsedAuth, RequestParts, SignatureError,
};
use http::HeaderValue;

use super::SECRET;
use crate::request;

type Parse = fn(&RequestParts<'_>) -> Result<ParsedAuth, SignatureError>;
type Verify = fn(&RequestParts<'_>, &ParsedAuth, &str, DateTime<Utc>) -> Result<(), SignatureError>;

/// ACS3-HMAC-SHA256: `Authorization: ACS3-HMAC-SHA256 ...` and the `x-acs-*` headers.
pub fn sig_aliyun_acs3(data: &[u8]) {
    let req = request::parse(data);
    aliyun_refusals_are_4xx(&req);
    let Some(auth) = parse_and_verify(&req, aliyun::parse_acs3, aliyun::verify_acs3) else {
        return;
    };
    resign_verifies(
        &req,
        &auth,
        aliyun::parse_acs3,
        aliyun::verify_acs3,
        |parts, signed| aliyun::acs3_authorization(parts, signed, &creds(&auth)),
    );
}

/// The RPC HMAC-SHA1 scheme: `Signature*` parameters in the query or a form body.
pub fn sig_aliyun_rpc(data: &[u8]) {
    let req = request::parse(data);
    aliyun_refusals_are_4xx(&req);
    parse_and_verify(&req, aliyun::parse_rpc, aliyun::verify_rpc);
}

/// Volcengine HMAC-SHA256 with its date/region/service credential scope.
pub fn sig_volcengine(data: &[u8]) {
    let req = request::parse(data);
    let Some(auth) = parse_and_verify(&req, volcengine::parse, volcengine::verify) else {
        return;
    };
    let region = auth.region.clone().unwrap_or_default();
    let service = auth.service.clone().unwrap_or_default();
    resign_verifies(
        &req,
        &auth,
        volcengine::parse,
        volcengine::verify,
        |parts, signed| volcengine::authorization(parts, signed, &region, &service, &creds(&auth)),
    );
}

/// Huawei SDK-HMAC-SHA256.
pub fn sig_huawei(data: &[u8]) {
    let req = request::parse(data);
    let Some(auth) = parse_and_verify(&req, huawei::parse, huawei::verify) else {
        return;
    };
    resign_verifies(
        &req,
        &auth,
        huawei::parse,
        huawei::verify,
        |parts, signed| huawei::authorization(parts, signed, &creds(&auth)),
    );
}

fn creds(auth: &ParsedAuth) -> Credentials<'_> {
    Credentials {
        access_key_id: &auth.access_key_id,
        secret: SECRET,
        security_token: auth.security_token.as_deref(),
    }
}

/// Parses; when that succeeds, verifies at the request's own time and far from it. A
/// request whose signature verifies is still refused 16 minutes later.
fn parse_and_verify(req: &OwnedRequest, parse: Parse, verify: Verify) -> Option<ParsedAuth> {
    let parts = req.parts();
    let auth = parse(&parts).ok()?;
    let now = auth.timestamp;
    let at_its_time = verify(&parts, &auth, SECRET, now);
    for later in [TimeDelta::minutes(16), TimeDelta::minutes(-16)] {
        let Some(then) = now.checked_add_signed(later) else {
            continue;
        };
        let result = verify(&parts, &auth, SECRET, then);
        if at_its_time.is_ok() {
            assert_eq!(result, Err(SignatureError::TimestampExpired));
        }
    }
    Some(auth)
}

/// Re-signs `req` with the client-side signer over the headers the request says it
/// signed, then checks that the verifier does not find the signature wrong: signer and
/// verifier build the same canonical request. Requests that list `Authorization` among
/// their signed headers (no client can sign that) are skipped.
fn resign_verifies(
    req: &OwnedRequest,
    auth: &ParsedAuth,
    parse: Parse,
    verify: Verify,
    authorization: impl Fn(&RequestParts<'_>, &[&str]) -> Result<String, SignatureError>,
) {
    if auth
        .signed_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("authorization"))
    {
        return;
    }
    let signed: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let Ok(value) = authorization(&req.parts(), &signed) else {
        return;
    };
    let Ok(value) = HeaderValue::from_str(&value) else {
        return;
    };
    let mut resigned = req.clone();
    resigned.headers.insert(http::header::AUTHORIZATION, value);
    let parts = resigned.parts();
    let again = match parse(&parts) {
        Ok(a) => a,
        Err(e) => panic!("a re-signed request no longer parses: {e:?}"),
    };
    // The request may still be refused for what it is (a repeated or wrong content-hash
    // header, ...), but never because the signature differs.
    if let Err(e @ SignatureError::Mismatch { .. }) =
        verify(&parts, &again, SECRET, again.timestamp)
    {
        panic!("a re-signed request does not verify: {e:?}");
    }
}

/// Whatever the Alibaba reader refuses is answered 4xx by the face's error table.
fn aliyun_refusals_are_4xx(req: &OwnedRequest) {
    if let Err(e) = aliyun::parse(&req.parts()) {
        let reply = table(&FaceError::Signature(e.clone()), None);
        assert!(
            reply.status.is_client_error(),
            "{e:?} answers {}",
            reply.status
        );
    }
}
