"""Every error code of the Volcengine face under its condition, asserting the HTTP status
and Code (and the message where seeds 000/001 give it), through the official SDK
(auto_retry=False) or, where the SDK cannot send the request, a hand-signed one.
A request that fails changes nothing: the tests check the state after each refusal.
"""

import types
from datetime import datetime, timedelta, timezone

import requests
import volcenginesdkvpc
from volcenginesdkcore import signv4

from test_volcengine import (  # noqa: F401  (volc, volc_slow, volc_seed are fixtures)
    AK, ENI_FREE, ENI_I1_PRIMARY, ENI_I1_SECONDARY, ENI_I2_PRIMARY, ENI_OF_STOPPING,
    ENI_SERVICE_ATTACHED, ENI_SERVICE_FREE, I1, I2, I3, I_OTHER_SUBNET, I_PENDING,
    LIMIT_ENIS, LIMIT_INSTANCES, TINY_SUBNET, associate, create, describe, disassociate, expect_error, one,
    raw_error, sign_raw, universal, volc, volc_seed, volc_slow, vpc_api, wait_status,
)

FORBIDDEN_MESSAGES = {
    "associated": "You are not authorized to perform operations on the specified instance. The specified instance is associated with a HaVip.",
    "mixed": "You are not authorized to perform operations on the specified HaVip. Cannot bind HaVip to multiple instance types.",
    "free": "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is not attached to ECS.",
    "service": "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is a service-managed elastic network interface.",
    "two_enis": "You are not authorized to perform operations on the specified elastic network interface. Cannot associate HaVip with two elastic network interface in the same ECS instance.",
}


# --- item 2: signature and gateway codes ----------------------------------------------


def test_missing_authentication_token(volc):
    r = requests.get(volc.url("/?Action=DescribeHaVips&Version=2020-04-01"), timeout=30)
    assert raw_error(r) == (401, "MissingAuthenticationToken")
    assert r.json()["ResponseMetadata"]["Error"]["CodeN"] == 100003


def test_missing_signature(volc):
    r = sign_raw(volc, {"Action": "DescribeHaVips", "Version": "2020-04-01"}, drop_signature=True)
    assert raw_error(r) == (401, "MissingSignature")
    assert r.json()["ResponseMetadata"]["Error"]["CodeN"] == 100005


def test_invalid_access_key(volc):
    got = expect_error(401, "InvalidAccessKey", describe, vpc_api(volc, ak="AKUNKNOWN0000001"))
    assert got[2] == 100009 and "AKUNKNOWN0000001" in got[3]


def test_signature_does_not_match(volc):
    got = expect_error(401, "SignatureDoesNotMatch", describe, vpc_api(volc, sk="wrong-secret"))
    assert got[2] == 100010
    # A signed parameter changed on the way is caught as well.
    r = sign_raw(volc, {"Action": "DescribeHaVips", "Version": "2020-04-01"},
                 headers={"X-Sdk-Request": "attempt=1; max=1"})
    assert r.status_code == 200
    req = requests.Request("GET", r.request.url.replace("DescribeHaVips", "DescribeHaVips&HaVipName=x"),
                           headers=dict(r.request.headers)).prepare()
    assert raw_error(requests.Session().send(req)) == (401, "SignatureDoesNotMatch")


def test_invalid_timestamp(volc, monkeypatch):
    class Skewed(datetime):
        @classmethod
        def utcnow(cls):
            return datetime.utcnow() - timedelta(minutes=16)

    monkeypatch.setattr(signv4, "datetime", types.SimpleNamespace(datetime=Skewed))
    got = expect_error(400, "InvalidTimestamp", describe, vpc_api(volc))
    assert got[2] == 100006
    monkeypatch.undo()
    # Within the 15-minute window it is accepted.
    r = sign_raw(volc, {"Action": "DescribeHaVips", "Version": "2020-04-01"},
                 when=datetime.now(timezone.utc) - timedelta(minutes=14))
    assert r.status_code == 200


def test_invalid_action_or_version(volc):
    got = expect_error(404, "InvalidActionOrVersion", universal, volc, "DescribeHaVipz", {})
    assert got[2] == 100008 and got[3] == "Could not find operation DescribeHaVipz for version 2020-04-01."
    expect_error(404, "InvalidActionOrVersion", universal, volc, "DescribeHaVips", {}, version="2019-01-01")


def test_missing_parameter(volc):
    r = sign_raw(volc, {"Version": "2020-04-01"})
    assert raw_error(r) == (400, "MissingParameter")
    r = sign_raw(volc, {"Action": "DescribeHaVips"})
    assert raw_error(r) == (400, "MissingParameter")
    got = expect_error(400, "MissingParameter", universal, volc, "AssociateHaVip", {"InstanceId": I1})
    assert got[2] == 100002 and got[3] == "The request is missing HaVipId parameter."
    expect_error(400, "MissingParameter", universal, volc, "AssociateHaVip", {"HaVipId": "havip-x"})
    expect_error(400, "MissingParameter", universal, volc, "CreateHaVip", {})
    expect_error(400, "MissingParameter", universal, volc, "DeleteHaVip", {})
    expect_error(400, "MissingParameter", universal, volc, "ModifyHaVipAttributes", {})


def test_invalid_parameter(volc):
    for params in ({"PageSize": "0"}, {"PageSize": "101"}, {"MaxResults": "0"}, {"PageNumber": "x"},
                   {"NextToken": "not-a-token"}, {"Status": "Broken"},
                   {f"HaVipIds.{n}": f"havip-{n}" for n in range(1, 102)}):
        expect_error(400, "InvalidParameter", universal, volc, "DescribeHaVips", params)


def test_region_of_the_scope(volc):
    expect_error(404, "ServiceNotFound", describe, vpc_api(volc, region="us-east-1"))
    expect_error(400, "MissingRequestInfo", describe, vpc_api(volc, region=""))
    expect_error(404, "ServiceNotFound", universal, volc, "DescribeHaVips", {}, service="ecs")


# --- item 3: codes of seeds 000 and 001 -------------------------------------------------------


def test_havip_not_found(volc):
    api = vpc_api(volc)
    msg = "The specified HaVip does not exist."
    assert expect_error(404, "InvalidHaVip.NotFound", associate, api, "havip-missing", I1)[3] == msg
    expect_error(404, "InvalidHaVip.NotFound", disassociate, api, "havip-missing", I1)
    expect_error(404, "InvalidHaVip.NotFound", api.delete_ha_vip,
                 volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id="havip-missing"))
    expect_error(404, "InvalidHaVip.NotFound", api.modify_ha_vip_attributes,
                 volcenginesdkvpc.ModifyHaVipAttributesRequest(ha_vip_id="havip-missing", ha_vip_name="x"))
    expect_error(404, "InvalidHaVip.NotFound", associate, api, "havip/../x", I1)


def test_instance_and_eni_not_found(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    got = expect_error(404, "InvalidInstance.NotFound", associate, api, hid, "i-missing")
    assert got[3] == "The specified instance does not exist."
    got = expect_error(404, "InvalidEniId.NotFound", associate, api, hid, "eni-missing", "NetworkInterface")
    assert got[3] == "The specified elastic network interface does not exist."
    # An ENI id given as an instance is not an instance.
    expect_error(404, "InvalidInstance.NotFound", associate, api, hid, ENI_I1_PRIMARY, "EcsInstance")
    assert one(api, hid).status == "Available"


def test_instance_type_malformed(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    got = expect_error(400, "InvalidInstanceType.Malformed", universal, volc, "AssociateHaVip",
                       {"HaVipId": hid, "InstanceId": I1, "InstanceType": "VirtualMachine"})
    assert got[3] == "The specified instance type is malformed."
    assert one(api, hid).associated_instance_ids == []


def test_client_token_malformed(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    for token in ("t" * 65, "t\u00f6k"):
        got = expect_error(400, "InvalidParameter.ClientTokenMalformed", associate, api, hid, I1, client_token=token)
        assert got[3] == "The specified parameter ClientToken is malformed."
        expect_error(400, "InvalidParameter.ClientTokenMalformed", disassociate, api, hid, I1, client_token=token)
    associate(api, hid, I1, client_token="t" * 64)
    assert one(api, hid).associated_instance_ids == [I1]


def test_havip_invalid_status_while_a_change_is_in_flight(volc_slow):
    api = vpc_api(volc_slow)
    hid = create(api).ha_vip_id
    msg = "The specified HaVip is not in the correct status for the request."
    got = expect_error(400, "InvalidHaVip.InvalidStatus", associate, api, hid, I1)  # Creating
    assert got[3] == msg
    volc_slow.complete(hid)
    wait_status(api, hid, "Available")
    associate(api, hid, I1)
    expect_error(400, "InvalidHaVip.InvalidStatus", associate, api, hid, I2)  # Associating
    expect_error(400, "InvalidHaVip.InvalidStatus", disassociate, api, hid, I1)
    expect_error(400, "InvalidHaVip.InvalidStatus", api.delete_ha_vip,
                 volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id=hid))
    volc_slow.complete(hid)
    h = wait_status(api, hid, "InUse")
    assert h.associated_instance_ids == [I1]


def test_delete_refuses_a_havip_in_use(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, I1)
    expect_error(400, "InvalidHaVip.InvalidStatus", api.delete_ha_vip,
                 volcenginesdkvpc.DeleteHaVipRequest(ha_vip_id=hid))
    assert one(api, hid).status == "InUse"


def test_modify_codes(volc_slow):
    api = vpc_api(volc_slow)
    hid = create(api).ha_vip_id
    modify = lambda **kw: api.modify_ha_vip_attributes(  # noqa: E731
        volcenginesdkvpc.ModifyHaVipAttributesRequest(ha_vip_id=hid, **kw))
    expect_error(400, "InvalidHaVip.InvalidStatus", modify, ha_vip_name="during-creating")
    volc_slow.complete(hid)
    wait_status(api, hid, "Available")
    expect_error(400, "InvalidName.Malformed", modify, ha_vip_name="-starts-with-dash")
    expect_error(400, "InvalidDescription.Malformed", modify, description="semi;colon")
    # Over-long values: the SDK's models refuse them, so they go through UniversalApi.
    expect_error(400, "InvalidName.Malformed", universal, volc_slow, "ModifyHaVipAttributes",
                 {"HaVipId": hid, "HaVipName": "x" * 129})
    expect_error(400, "InvalidDescription.Malformed", universal, volc_slow, "ModifyHaVipAttributes",
                 {"HaVipId": hid, "Description": "d" * 256})
    h = one(api, hid)
    assert h.ha_vip_name == hid and h.description == ""


def test_create_codes(volc):
    api = vpc_api(volc)
    expect_error(404, "InvalidSubnet.NotFound", create, api, subnet="subnet-missing")
    expect_error(400, "InvalidIpAddress.Malformed", create, api, ip_address="192.168.1.300")
    expect_error(400, "InvalidIpAddress.OutOfRange", create, api, ip_address="10.0.0.5")
    expect_error(400, "InvalidIpAddress.Reserved", create, api, ip_address="192.168.1.1")
    expect_error(400, "InvalidIpAddress.InUse", create, api, ip_address="192.168.1.11")  # eni-13fdemo0001
    expect_error(400, "InvalidName.Malformed", create, api, ha_vip_name="bad name")
    expect_error(400, "InvalidTagKey.Duplicated", universal, volc, "CreateHaVip", {
        "SubnetId": "subnet-13fdemo0001", "Tags.1.Key": "k", "Tags.2.Key": "k"})
    expect_error(400, "MissingParameter", universal, volc, "CreateHaVip", {
        "SubnetId": "subnet-13fdemo0001", "Tags.1.Value": "v"})
    assert describe(api).total_count == 0


def test_create_tag_codes(volc):
    api = vpc_api(volc)
    base = {"SubnetId": "subnet-13fdemo0001"}
    expect_error(400, "InvalidTagKey.Malformed", universal, volc, "CreateHaVip",
                 {**base, "Tags.1.Key": "http://x", "Tags.1.Value": "v"})
    expect_error(400, "InvalidTagValue.Malformed", universal, volc, "CreateHaVip",
                 {**base, "Tags.1.Key": "k", "Tags.1.Value": "v" * 129})
    many = {f"Tags.{n}.Key": f"k{n}" for n in range(1, 22)}
    expect_error(400, "LimitExceeded.TagsPerResource", universal, volc, "CreateHaVip", {**base, **many})
    assert describe(api).total_count == 0


def test_insufficient_ip_in_subnet(volc):
    api = vpc_api(volc)
    made = [create(api, subnet=TINY_SUBNET).ip_address for _ in range(5)]
    assert sorted(made) == [f"192.168.9.{n}" for n in range(2, 7)]
    got = expect_error(400, "InsufficientIpInSubnet", create, api, subnet=TINY_SUBNET)
    assert got[3] == "The specified subnet has no available IP address."
    assert describe(api, subnet_id=TINY_SUBNET).total_count == 5


def test_instance_invalid_status(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    got = expect_error(400, "InvalidInstance.InvalidStatus", associate, api, hid, I_PENDING)
    assert got[3] == "The specified instance is not in the correct status for the request."
    assert one(api, hid).associated_instance_ids == []


def test_eni_invalid_status(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    got = expect_error(400, "InvalidEni.InvalidStatus", associate, api, hid, ENI_OF_STOPPING, "NetworkInterface")
    assert got[3] == "The specified elastic network interface is not in the correct status for the request."
    assert one(api, hid).associated_instance_ids == []


def test_havip_instance_mismatch(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    msg = "The specified HaVip and instance are not associated."
    assert expect_error(400, "InvalidHaVip.InstanceMismatch", disassociate, api, hid, I1)[3] == msg  # Available
    associate(api, hid, I1)
    expect_error(400, "InvalidHaVip.InstanceMismatch", disassociate, api, hid, I2)  # InUse, other instance
    assert one(api, hid).associated_instance_ids == [I1]


def test_havip_not_support(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    associate(api, hid, ENI_I2_PRIMARY, "NetworkInterface")
    got = expect_error(400, "InvalidHaVip.NotSupport", disassociate, api, hid, I2, "EcsInstance")
    assert got[3] == "The specified HaVip does not support this operation"
    assert one(api, hid).associated_instance_ids == [ENI_I2_PRIMARY]


def test_instance_havip_mismatch_different_subnet(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    got = expect_error(400, "InvalidInstance.HaVipMismatch", associate, api, hid, I_OTHER_SUBNET)
    assert got[3] == "The specified instance and HaVip are in different subnets."


def test_the_five_forbidden_conditions(volc):
    api = vpc_api(volc)
    ecs = create(api).ha_vip_id
    associate(api, ecs, I1)
    got = expect_error(403, "Forbidden", associate, api, ecs, I1)
    assert got[3] == FORBIDDEN_MESSAGES["associated"]
    got = expect_error(403, "Forbidden", associate, api, ecs, ENI_I2_PRIMARY, "NetworkInterface")
    assert got[3] == FORBIDDEN_MESSAGES["mixed"]

    enis = create(api).ha_vip_id
    got = expect_error(403, "Forbidden", associate, api, enis, ENI_FREE, "NetworkInterface")
    assert got[3] == FORBIDDEN_MESSAGES["free"]
    got = expect_error(403, "Forbidden", associate, api, enis, ENI_SERVICE_ATTACHED, "NetworkInterface")
    assert got[3] == FORBIDDEN_MESSAGES["service"]
    associate(api, enis, ENI_I1_PRIMARY, "NetworkInterface")
    got = expect_error(403, "Forbidden", associate, api, enis, ENI_I1_SECONDARY, "NetworkInterface")
    assert got[3] == FORBIDDEN_MESSAGES["two_enis"]
    # A free service-managed ENI is refused as free first (order of checks).
    expect_error(403, "Forbidden", associate, api, enis, ENI_SERVICE_FREE, "NetworkInterface")
    assert one(api, ecs).associated_instance_ids == [I1]
    assert one(api, enis).associated_instance_ids == [ENI_I1_PRIMARY]


def test_limit_instances_per_havip(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    for instance in LIMIT_INSTANCES:
        associate(api, hid, instance)
    got = expect_error(400, "LimitExceeded.InstancesPerHaVip", associate, api, hid, I1)
    assert got[3] == "You've reached the limit on the number of instances that you can associate with a HaVip."
    assert one(api, hid).associated_instance_ids == LIMIT_INSTANCES


def test_limit_enis_per_havip(volc):
    api = vpc_api(volc)
    hid = create(api).ha_vip_id
    for eni in LIMIT_ENIS:
        associate(api, hid, eni, "NetworkInterface")
    expect_error(400, "LimitExceeded.InstancesPerHaVip", associate, api, hid, ENI_I1_PRIMARY, "NetworkInterface")
    assert one(api, hid).associated_instance_ids == LIMIT_ENIS


def test_limit_havips_per_instance(volc):
    api = vpc_api(volc)
    havips = [create(api).ha_vip_id for _ in range(6)]
    for hid in havips[:5]:
        associate(api, hid, I3)
    got = expect_error(400, "LimitExceeded.HaVipsPerInstance", associate, api, havips[5], I3)
    assert got[3] == "You've reached the limit on the number of HaVips that you can associate with an instance."
    assert one(api, havips[5]).status == "Available"


def test_idempotency_codes(volc_slow):
    api = vpc_api(volc_slow)
    hid = create(api).ha_vip_id
    volc_slow.complete(hid)
    associate(api, hid, I1, client_token="tok-412")
    got = expect_error(412, "IdempotentProcessing", associate, api, hid, I1, client_token="tok-412")
    assert got[3] == "The request uses the same client token as a previous one that is still in process."
    got = expect_error(400, "IdempotentParameterMismatch", associate, api, hid, I2, client_token="tok-412")
    assert got[3] == ("Arguments on this idempotent request are inconsistent with arguments used in "
                      "previous request(s).")
    volc_slow.complete(hid)
    assert one(api, hid).status == "InUse"
    disassociate(api, hid, I1, client_token="tok-dis")
    expect_error(412, "IdempotentProcessing", disassociate, api, hid, I1, client_token="tok-dis")
    assert one(api, hid).status == "InUse"  # as it was, while the change is in flight
    volc_slow.complete(hid)
    assert one(api, hid).status == "Available"


def test_bad_input_never_answers_500(volc):
    for params in ({"HaVipIds.x": "a"}, {"TagFilters.1.Values.1": "v"}, {"TagFilters.1.Nope": "v"},
                   {"PageNumber": "99999999999999999999"}, {"HaVipIds.0": "a"}):
        r = sign_raw(volc, {"Action": "DescribeHaVips", "Version": "2020-04-01", **params})
        assert r.status_code in (400, 404), (params, r.text)
    r = requests.get(volc.url("/?Action=DescribeHaVips&Version=2020-04-01"),
                     headers={"Authorization": "HMAC-SHA256 garbage"}, timeout=30)
    assert r.status_code == 401 and r.json()["ResponseMetadata"]["Error"]["Code"] == "MissingSignature"
    r = requests.get(volc.url("/?Action=DescribeHaVips&Version=2020-04-01"),
                     headers={"Authorization": "HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=ab",
                              "X-Date": "nonsense"}, timeout=30)
    assert r.status_code in (400, 401)
    assert AK  # the demo key stays valid after all of this
