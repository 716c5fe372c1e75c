"""The Alibaba face on the wire: signature failures, Action/Version,
Format=XML, form bodies and the error envelope.

The SDKs cover what they can reach (unknown AK, bad secret); the rest is sent by the two
small signers below, written from wire-aliyun.md (2.2 ACS3-HMAC-SHA256, 2.3 RPC
HMAC-SHA1) independently of the server's Rust verifier, so that a test can send exactly
the clock, nonce or method it needs.
"""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
import requests

from conftest import AK, SK
from test_aliyun import HAVIP, I1, I2, REGION, Ali, AliError

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkvpc.request.v20160428.DescribeHaVipsRequest import DescribeHaVipsRequest

VERSION = "2016-04-28"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _enc(value):
    return quote(str(value), safe="~")


def _now(offset_minutes=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=offset_minutes)
    return t.strftime(DATE_FORMAT)


def rpc(server, action, params=None, *, version=VERSION, ak=AK, sk=SK, timestamp=None, nonce=None,
        method="HMAC-SHA1", form=None, fmt="JSON", sign=True, drop=()):
    """POST an RPC-signed request as the legacy SDK does; `drop` removes common params."""
    query = {"Action": action, "Version": version, "Format": fmt, "RegionId": REGION,
             "Timestamp": timestamp or _now(), "SignatureMethod": method, "SignatureVersion": "1.0",
             "SignatureNonce": nonce or uuid.uuid4().hex, "AccessKeyId": ak}
    query.update(params or {})
    query = {k: v for k, v in query.items() if k not in drop and v is not None}
    if not sign:
        for k in ("Timestamp", "SignatureMethod", "SignatureVersion", "SignatureNonce", "AccessKeyId"):
            query.pop(k, None)
    form = form or {}
    if sign:
        everything = {**query, **form}
        canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(everything.items()))
        string_to_sign = "POST&%2F&" + _enc(canonical)
        mac = hmac.new((sk + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
        query["Signature"] = base64.b64encode(mac).decode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
    return requests.post(f"http://{server.endpoint}/?{urlencode(query)}", data=urlencode(form) if form else b"",
                         headers=headers, timeout=30)


def acs3(server, action, params=None, *, version=VERSION, ak=AK, sk=SK, date=None, nonce=None,
         algorithm="ACS3-HMAC-SHA256", body=b"", content_sha=None, region=REGION):
    """POST an ACS3-signed request as the new SDK does (parameters in the query)."""
    params = {"RegionId": region, **(params or {})}
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {
        "host": server.endpoint,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or _now(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": content_sha or payload_hash,
        "accept": "application/json",
    }
    signed = sorted(headers)
    canonical_query = "&".join(f"{k}={_enc(v)}" for k, v in sorted(params.items()))
    canonical_headers = "".join(f"{h}:{headers[h].strip()}\n" for h in signed)
    canonical_request = "\n".join(["POST", "/", canonical_query, canonical_headers, ";".join(signed),
                                   headers["x-acs-content-sha256"]])
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
    signature = hmac.new(sk.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"{algorithm} Credential={ak},SignedHeaders={';'.join(signed)},Signature={signature}"
    return requests.post(f"http://{server.endpoint}/?{urlencode(params)}", data=body, headers=headers, timeout=30)


def check_error(resp, code, status):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["Code"] == code, body
    # The envelope every Alibaba error carries.
    assert set(body) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert resp.headers["x-acs-request-id"] == body["RequestId"]
    return body


# ----------------------------------------------------------------------------------------
# The signers themselves work (so the failures below are the ones intended).


def test_raw_signers_are_accepted(server):
    r = rpc(server, "DescribeHaVips")
    assert r.status_code == 200 and r.json()["TotalCount"] == 1
    r = acs3(server, "DescribeHaVips", {"PageSize": "5"})
    assert r.status_code == 200 and r.json()["PageSize"] == 5
    assert r.headers["content-type"].startswith("application/json")


# ----------------------------------------------------------------------------------------
# Credentials and signatures, through the SDKs


@pytest.mark.parametrize("mode", ["acs3", "v2", "legacy"])
def test_unknown_access_key(server, mode):
    with pytest.raises(AliError) as e:
        Ali(server, mode, ak="AKNOSUCHKEY00001").describe()
    assert (e.value.code, e.value.status) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("mode", ["acs3", "v2"])
def test_bad_secret_new_sdk(server, mode):
    with pytest.raises(AliError) as e:
        Ali(server, mode, sk="wrong-secret").describe()
    assert (e.value.code, e.value.status) == ("SignatureDoesNotMatch", 400)
    assert "string to sign is:" in e.value.message


def test_bad_secret_legacy_sdk_recognises_our_string_to_sign(server):
    """The legacy SDK compares Message.split(':')[1] with its own string to sign and, when
    they are equal, reports InvalidAccessKeySecret: proof that the message has the form
    it parses and that our string to sign is the SDK's."""
    with pytest.raises(AliError) as e:
        Ali(server, "legacy", sk="wrong-secret").describe()
    assert (e.value.code, e.value.status) == ("InvalidAccessKeySecret", 400)


# ----------------------------------------------------------------------------------------
# Signature failures on the wire


def test_rpc_bad_signature_message_has_the_string_to_sign(server):
    body = check_error(rpc(server, "DescribeHaVips", sk="wrong"), "SignatureDoesNotMatch", 400)
    assert body["Message"].split(":")[1].startswith("POST&%2F&AccessKeyId%3D")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_rpc_timestamp_outside_window(server, minutes):
    check_error(rpc(server, "DescribeHaVips", timestamp=_now(minutes)), "InvalidTimeStamp.Expired", 400)


def test_rpc_timestamp_inside_window(server):
    assert rpc(server, "DescribeHaVips", timestamp=_now(-14)).status_code == 200
    assert rpc(server, "DescribeHaVips", timestamp=_now(14)).status_code == 200


def test_rpc_timestamp_malformed(server):
    check_error(rpc(server, "DescribeHaVips", timestamp="yesterday"), "InvalidTimeStamp.Format", 400)


def test_rpc_nonce_reused(server):
    nonce = uuid.uuid4().hex
    assert rpc(server, "DescribeHaVips", nonce=nonce).status_code == 200
    check_error(rpc(server, "DescribeHaVips", nonce=nonce), "SignatureNonceUsed", 400)


def test_rpc_nonce_reuse_changes_nothing(server):
    nonce = uuid.uuid4().hex
    params = {"HaVipId": HAVIP, "InstanceId": I1}
    assert rpc(server, "AssociateHaVip", params, nonce=nonce).status_code == 200
    params = {"HaVipId": HAVIP, "InstanceId": I2}
    check_error(rpc(server, "AssociateHaVip", params, nonce=nonce), "SignatureNonceUsed", 400)
    assert Ali(server, "acs3").one(HAVIP)["AssociatedInstances"]["associatedInstance"] == [I1]


def test_rpc_unsupported_signature_method(server):
    check_error(rpc(server, "DescribeHaVips", method="HMAC-SHA256"), "InvalidSignatureMethod", 400)


def test_rpc_unknown_access_key(server):
    check_error(rpc(server, "DescribeHaVips", ak="AKNOSUCHKEY00001"), "InvalidAccessKeyId.NotFound", 404)


def test_acs3_bad_signature(server):
    check_error(acs3(server, "DescribeHaVips", sk="wrong"), "SignatureDoesNotMatch", 400)


def test_acs3_body_hash_mismatch(server):
    check_error(acs3(server, "DescribeHaVips", content_sha="0" * 64), "SignatureDoesNotMatch", 400)


@pytest.mark.parametrize("minutes", [-16, 16])
def test_acs3_date_outside_window(server, minutes):
    check_error(acs3(server, "DescribeHaVips", date=_now(minutes)), "InvalidTimeStamp.Expired", 400)


def test_acs3_nonce_reused(server):
    nonce = uuid.uuid4().hex
    assert acs3(server, "DescribeHaVips", nonce=nonce).status_code == 200
    check_error(acs3(server, "DescribeHaVips", nonce=nonce), "SignatureNonceUsed", 400)


def test_acs3_unsupported_algorithm(server):
    check_error(acs3(server, "DescribeHaVips", algorithm="ACS3-HMAC-SM3"), "InvalidSignatureMethod", 400)


def test_acs3_malformed_authorization(server):
    r = requests.post(f"http://{server.endpoint}/?RegionId={REGION}", timeout=30, headers={
        "x-acs-action": "DescribeHaVips", "x-acs-version": VERSION,
        "Authorization": "ACS3-HMAC-SHA256 Credential=AKDEMO0000000001"})
    check_error(r, "IncompleteSignature", 400)


def test_unsigned_request_is_refused(server):
    check_error(rpc(server, "DescribeHaVips", sign=False), "MissingParameter", 400)


def test_insecure_no_auth_serves_unsigned_requests(havip_server):
    server = havip_server(extra_args=["--insecure-no-auth"])
    r = rpc(server, "DescribeHaVips", sign=False)
    assert r.status_code == 200 and r.json()["TotalCount"] == 1
    # Signed requests are still verified.
    check_error(rpc(server, "DescribeHaVips", sk="wrong"), "SignatureDoesNotMatch", 400)


# ----------------------------------------------------------------------------------------
# Action and Version


def test_missing_action(server):
    body = check_error(rpc(server, "DescribeHaVips", drop=("Action",)), "MissingParameter", 400)
    assert '"Action"' in body["Message"]


def test_missing_version(server):
    body = check_error(rpc(server, "DescribeHaVips", drop=("Version",)), "MissingParameter", 400)
    assert '"Version"' in body["Message"]


def test_wrong_version(server):
    check_error(rpc(server, "DescribeHaVips", version="2014-05-26"), "InvalidVersion", 400)
    check_error(acs3(server, "DescribeHaVips", version="2014-05-26"), "InvalidVersion", 400)


def test_unknown_action(server):
    check_error(rpc(server, "DescribeVpcs"), "InvalidAction.NotFound", 404)
    check_error(acs3(server, "describehavips"), "InvalidAction.NotFound", 404)


def test_missing_region(server):
    body = check_error(rpc(server, "DescribeHaVips", drop=("RegionId",)), "MissingParameter", 400)
    assert '"RegionId"' in body["Message"]


def test_unknown_region(server):
    check_error(acs3(server, "DescribeHaVips", region="cn-nowhere"), "InvalidRegionId.NotFound", 404)
    # Another cloud's region of the same account holds no Alibaba HaVips, but it exists.
    assert acs3(server, "DescribeHaVips", region="cn-beijing").json()["TotalCount"] == 0


# ----------------------------------------------------------------------------------------
# Parameters: form bodies, booleans


def test_form_body_parameters_are_merged_and_signed(server):
    r = rpc(server, "AssociateHaVip", {"HaVipId": HAVIP}, form={"InstanceId": I1})
    assert r.status_code == 200, r.text
    r = rpc(server, "UnassociateHaVip", {"HaVipId": HAVIP}, form={"InstanceId": I1, "Force": "TRUE"})
    assert r.status_code == 200, r.text


def test_form_body_tampering_breaks_the_signature(server):
    # Signed with one InstanceId, sent with another.
    query = {"Action": "AssociateHaVip", "Version": VERSION, "Format": "JSON", "RegionId": REGION,
             "Timestamp": _now(), "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
             "SignatureNonce": uuid.uuid4().hex, "AccessKeyId": AK, "HaVipId": HAVIP}
    canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted({**query, "InstanceId": I1}.items()))
    mac = hmac.new((SK + "&").encode(), ("POST&%2F&" + _enc(canonical)).encode(), hashlib.sha1).digest()
    query["Signature"] = base64.b64encode(mac).decode()
    r = requests.post(f"http://{server.endpoint}/?{urlencode(query)}", data=urlencode({"InstanceId": I2}),
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    check_error(r, "SignatureDoesNotMatch", 400)


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_booleans_in_any_case(server, value):
    assert rpc(server, "AssociateHaVip", {"HaVipId": HAVIP, "InstanceId": I1}).status_code == 200
    r = rpc(server, "UnassociateHaVip", {"HaVipId": HAVIP, "InstanceId": I1, "Force": value})
    assert r.status_code == 200, r.text


def test_spaces_and_symbols_survive_both_schemes(server):
    name = "a*b~c/d e+f=g&h%i'中文!()"
    hid = Ali(server, "acs3").create("vsw-uf6demo0001", name=name)["HaVipId"]
    assert rpc(server, "ModifyHaVipAttribute", {"HaVipId": hid, "Description": name}).status_code == 200
    h = Ali(server, "legacy").one(hid)
    assert (h["Name"], h["Description"]) == (name, name)


def test_body_too_large(server):
    r = requests.post(f"http://{server.endpoint}/?Action=DescribeHaVips", data=b"x" * (1 << 20 | 1),
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    check_error(r, "RequestEntityTooLarge", 413)


# ----------------------------------------------------------------------------------------
# Format=XML


def test_xml_success(server):
    Ali(server, "acs3").tag([HAVIP], {"env": "prod"})
    r = rpc(server, "DescribeHaVips", fmt="XML")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "DescribeHaVipsResponse"
    assert root.findtext("RequestId") and root.findtext("TotalCount") == "1"
    havip = root.find("HaVips/HaVip")
    assert havip.findtext("HaVipId") == HAVIP
    assert havip.findtext("Tags/Tag/Key") == "env"


def test_xml_error(server):
    r = rpc(server, "DeleteHaVip", {"HaVipId": "havip-nope"}, fmt="xml")
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/xml;charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == "Error"
    assert [c.tag for c in root] == ["RequestId", "HostId", "Code", "Message", "Recommend"]
    assert root.findtext("Code") == "InvalidHaVipId.NotFound"


@pytest.mark.filterwarnings("ignore:do_action\\(\\) method is deprecated:DeprecationWarning")
def test_xml_with_the_legacy_sdk(server):
    """The legacy SDK's deprecated do_action honours set_accept_format('XML')."""
    client = AcsClient(AK, SK, REGION)
    client.add_endpoint(REGION, "Vpc", server.endpoint)
    req = DescribeHaVipsRequest()
    req.set_accept_format("XML")
    root = ET.fromstring(client.do_action(req))
    assert root.tag == "DescribeHaVipsResponse" and root.findtext("HaVips/HaVip/HaVipId") == HAVIP


def test_json_error_envelope(server):
    body = check_error(rpc(server, "DeleteHaVip", {"HaVipId": "havip-nope"}), "InvalidHaVipId.NotFound", 404)
    assert body["HostId"] == server.endpoint
    assert body["Message"] == "The specified HaVip does not exist in the specified region."
    assert "InvalidHaVipId.NotFound" in body["Recommend"]
    json.dumps(body)


def test_legacy_sdk_reads_the_error_fields(server):
    client = AcsClient(AK, SK, REGION)
    client.add_endpoint(REGION, "Vpc", server.endpoint)
    from aliyunsdkvpc.request.v20160428.DeleteHaVipRequest import DeleteHaVipRequest
    req = DeleteHaVipRequest()
    req.set_HaVipId("havip-nope")
    with pytest.raises(ServerException) as e:
        client.do_action_with_exception(req)
    assert e.value.get_error_code() == "InvalidHaVipId.NotFound"
    assert e.value.get_http_status() == 404
    assert e.value.get_request_id()


def test_duplicated_tag_key(server):
    r = rpc(server, "TagResources", {"ResourceType": "HAVIP", "ResourceId.1": HAVIP,
                                     "Tag.1.Key": "k", "Tag.1.Value": "a", "Tag.2.Key": "k", "Tag.2.Value": "b"})
    check_error(r, "DuplicatedParam.TagKey", 400)


def test_legacy_common_request_with_a_form_body(server):
    """CommonRequest.add_body_params sends (and signs) an x-www-form-urlencoded body."""
    from aliyunsdkcore.request import CommonRequest
    client = AcsClient(AK, SK, REGION)
    req = CommonRequest(domain=server.endpoint, version=VERSION, action_name="AssociateHaVip")
    req.set_method("POST")
    req.add_body_params("HaVipId", HAVIP)
    req.add_body_params("InstanceId", I1)
    assert json.loads(client.do_action_with_exception(req))["RequestId"]
    assert Ali(server, "acs3").one(HAVIP)["AssociatedInstances"]["associatedInstance"] == [I1]
