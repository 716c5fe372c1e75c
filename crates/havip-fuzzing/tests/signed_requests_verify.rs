//! Round trips of the signature schemes: whatever a client-side signer (emulating the
//! official SDK) produces for arbitrary parameters, written out as the fuzz targets' text
//! form and read back, parses and verifies at its own time, and passes its target's check.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use havip_fuzzing::{request, targets};
use havip_signature::aliyun::{self, AliyunCall, RpcFlavor};
use havip_signature::huawei::{self, HuaweiCall};
use havip_signature::volcengine::{self, VolcCall};
use havip_signature::{Credentials, OwnedRequest, ParsedAuth, RequestParts, SignatureError};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;

const SECRET: &str = targets::SECRET;
const HOST: &str = "127.0.0.1:8080";

/// Parameter names (prefixed so that none is a name the schemes reserve).
fn key() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ._~*%&=+-]{0,10}".prop_map(|k| format!("P{k}"))
}

/// Values with reserved characters, spaces and non-ASCII text.
fn value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ._~*'!()%&=+;,/?:@#$中é-]{0,16}"
}

fn params() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(key(), value(), 0..6)
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (1_600_000_000i64..2_000_000_000)
        .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
}

fn token() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z0-9+/=]{1,40}")
}

fn pairs(m: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Writes `req` out as text, reads it back, and checks that it parses and verifies at
/// `time`; then runs the target's own check on the text.
fn verifies(
    req: &OwnedRequest,
    time: DateTime<Utc>,
    parse: fn(&RequestParts<'_>) -> Result<ParsedAuth, SignatureError>,
    verify: fn(&RequestParts<'_>, &ParsedAuth, &str, DateTime<Utc>) -> Result<(), SignatureError>,
    target: &str,
) -> Result<(), TestCaseError> {
    let text = request::to_bytes(req);
    let back = request::parse(&text);
    let auth = parse(&back.parts()).map_err(|e| TestCaseError::fail(format!("parse: {e:?}")))?;
    prop_assert_eq!(verify(&back.parts(), &auth, SECRET, time), Ok(()));
    if let Some(check) = targets::by_name(target) {
        check(&text);
    }
    Ok(())
}

proptest! {
    #[test]
    fn acs3_signed_requests_verify(
        query in params(), form in params(), time in time(), token in token(),
    ) {
        let creds = Credentials { access_key_id: "AKFUZZ", secret: SECRET, security_token: token.as_deref() };
        let (query, form) = (pairs(&query), pairs(&form));
        let call = AliyunCall {
            host: HOST, action: "DescribeHaVips", version: "2016-04-28",
            params: &query, form: &form, nonce: "0123456789abcdef0123456789abcdef", time,
        };
        let req = aliyun::sign_acs3(&call, &creds);
        verifies(&req, time, aliyun::parse_acs3, aliyun::verify_acs3, "sig_aliyun_acs3")?;
        verifies(&req, time, aliyun::parse, aliyun::verify, "aliyun_params")?;
    }

    #[test]
    fn rpc_signed_requests_verify(
        query in params(), form in params(), time in time(), token in token(), legacy in any::<bool>(),
    ) {
        let creds = Credentials { access_key_id: "AKFUZZ", secret: SECRET, security_token: token.as_deref() };
        let (query, form) = (pairs(&query), pairs(&form));
        let call = AliyunCall {
            host: HOST, action: "AssociateHaVip", version: "2016-04-28",
            params: &query, form: &form, nonce: "0123456789abcdef0123456789abcdef", time,
        };
        let flavor = if legacy { RpcFlavor::Legacy } else { RpcFlavor::NewSdkV2 };
        let req = aliyun::sign_rpc(&call, &creds, flavor);
        verifies(&req, time, aliyun::parse_rpc, aliyun::verify_rpc, "sig_aliyun_rpc")?;
        verifies(&req, time, aliyun::parse, aliyun::verify, "aliyun_params")?;
    }

    #[test]
    fn volcengine_signed_requests_verify(
        query in params(), time in time(), token in token(),
        region in "[a-z0-9-]{0,12}",
    ) {
        let creds = Credentials { access_key_id: "AKFUZZ", secret: SECRET, security_token: token.as_deref() };
        let query = pairs(&query);
        let call = VolcCall {
            host: HOST, action: "DescribeHaVips", version: "2020-04-01", region: &region,
            service: "vpc", params: &query, invocation_id: "0f0e0d0c-0b0a-0908-0706-050403020100", time,
        };
        let req = volcengine::sign(&call, &creds);
        verifies(&req, time, volcengine::parse, volcengine::verify, "sig_volcengine")?;
        if let Some(check) = targets::by_name("volcengine_params") {
            check(&request::to_bytes(&req));
        }
    }

    #[test]
    fn huawei_signed_requests_verify(
        segments in proptest::collection::vec(value(), 0..4),
        query in proptest::collection::vec((key(), value()), 0..5),
        body in proptest::option::of(value()),
        time in time(), token in token(), project in proptest::option::of("[0-9a-f]{32}"),
    ) {
        let creds = Credentials { access_key_id: "AKFUZZ", secret: SECRET, security_token: token.as_deref() };
        let path: String = std::iter::once("/v2.0/ports".to_string())
            .chain(segments.iter().map(|s| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()))
            .collect::<Vec<_>>()
            .join("/");
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = body.map(|b| serde_json::json!({"port": {"name": b}}).to_string()).unwrap_or_default();
        let call = HuaweiCall {
            method: if body.is_empty() { "GET" } else { "PUT" },
            host: HOST, path: &path, query: &query, project_id: project.as_deref(),
            content_type: "application/json;charset=utf-8", body: body.as_bytes(), time,
        };
        let req = huawei::sign(&call, &creds);
        verifies(&req, time, huawei::parse, huawei::verify, "sig_huawei")?;
        if let Some(check) = targets::by_name("huawei_ports") {
            check(&request::to_bytes(&req));
        }
    }
}
