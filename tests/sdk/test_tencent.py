"""The Tencent Cloud VPC face, judged by the official SDK (tencentcloud-sdk-python-common
and -vpc 3.1.193, VpcClient over http) against a real `havip serve`: create, describe
(HaVipIds, filters, paging, POST and GET), modify and delete; the master as `InstanceId`
after an association made through the native API; every error code the face answers
that the seed can bring about, each asserted through `TencentCloudSDKException`; a bad
signature and an expired timestamp; isolation between accounts.

Inventory: the example seed plus TENCENT_EXTRA_SEED below (an `ap-guangzhou` region with
Tencent-style ids, a second VPC, a tiny subnet, a second account); its
`[limits.tencent]` raises the HaVip quota so that paging has room.
"""

import json
import pathlib
import re
import tempfile
import time
import types

import pytest
import requests
from tencentcloud.common import abstract_client, credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vpc.v20170312 import models, vpc_client

from conftest import AK, SEED, SK

REGION = "ap-guangzhou"
VPC, SUBNET, OTHER_SUBNET = "vpc-2at5y1pn", "subnet-qq51iwr4", "subnet-qq51iwr5"
SECOND_VPC, SECOND_SUBNET = "vpc-tcsecond1", "subnet-tcsecond1"
TINY_SUBNET = "subnet-tctiny01"  # a /29: five usable addresses
I1, I2 = "ins-tcdemo01", "ins-tcdemo02"
ENI1, ENI2 = "eni-tcdemo01", "eni-tcdemo02"
OTHER_AK, OTHER_SK = "AKIDTCOTHER00000001", "tc-other-secret-0001"
OTHER_HAVIP = "havip-tcother1"

TENCENT_EXTRA_SEED = """
[limits.tencent]
havips_per_region = 30

[[vpc]]
id = "vpc-2at5y1pn"
account = "1000000000000001"
region = "ap-guangzhou"
cidr = "10.0.0.0/16"

[[subnet]]
id = "subnet-qq51iwr4"
vpc = "vpc-2at5y1pn"
zone = "ap-guangzhou-3"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-qq51iwr5"
vpc = "vpc-2at5y1pn"
zone = "ap-guangzhou-4"
cidr = "10.0.2.0/24"

[[subnet]]
id = "subnet-tctiny01"
vpc = "vpc-2at5y1pn"
zone = "ap-guangzhou-3"
cidr = "10.0.9.0/29"

[[vpc]]
id = "vpc-tcsecond1"
account = "1000000000000001"
region = "ap-guangzhou"
cidr = "172.16.0.0/16"

[[subnet]]
id = "subnet-tcsecond1"
vpc = "vpc-tcsecond1"
zone = "ap-guangzhou-3"
cidr = "172.16.1.0/24"

[[instance]]
id = "ins-tcdemo01"
subnet = "subnet-qq51iwr4"
status = "Running"
primary_eni = "eni-tcdemo01"

[[instance]]
id = "ins-tcdemo02"
subnet = "subnet-qq51iwr4"
status = "Running"
primary_eni = "eni-tcdemo02"

[[account]]
id = "1000000000000003"

[[access_key]]
account = "1000000000000003"
id = "AKIDTCOTHER00000001"
secret = "tc-other-secret-0001"

[[vpc]]
id = "vpc-tcother1"
account = "1000000000000003"
region = "ap-guangzhou"
cidr = "10.0.0.0/16"

[[subnet]]
id = "subnet-tcother1"
vpc = "vpc-tcother1"
zone = "ap-guangzhou-3"
cidr = "10.0.1.0/24"

[[havip]]
id = "havip-tcother1"
subnet = "subnet-tcother1"
name = "other"
"""


@pytest.fixture(scope="session")
def tencent_seed():
    d = pathlib.Path(tempfile.mkdtemp(prefix="havip-tencent-seed-"))
    path = d / "seed.toml"
    path.write_text(SEED.read_text() + TENCENT_EXTRA_SEED)
    return path


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """The SDK sends plain-HTTP requests through HTTP_PROXY unless NO_PROXY names the host."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def tc(havip_server, tencent_seed):
    return havip_server(seed=tencent_seed)


@pytest.fixture
def tc_slow(havip_server, tencent_seed):
    """Changes stay in flight until the test finishes them."""
    return havip_server(transition_delay="1h", seed=tencent_seed)


# --- SDK plumbing ----------------------------------------------------------------------------


def profile(server, method="POST"):
    http = HttpProfile(protocol="http", endpoint=server.endpoint, reqMethod=method)
    return ClientProfile(httpProfile=http)


def client(server, ak=AK, sk=SK, region=REGION, token=None, method="POST"):
    cred = credential.Credential(ak, sk, token) if token else credential.Credential(ak, sk)
    return vpc_client.VpcClient(cred, region, profile(server, method))


def common(server, service="vpc", version="2017-03-12", region=REGION):
    """The SDK's CommonClient, for what VpcClient cannot send (another version, service)."""
    return CommonClient(service, version, credential.Credential(AK, SK), region, profile(server))


def request(model, params):
    req = model()
    req.from_json_string(json.dumps(params))
    return req


def create(c, name="web vip", subnet=SUBNET, vpc=VPC, **extra):
    params = {"VpcId": vpc, "SubnetId": subnet, "HaVipName": name, **extra}
    return c.CreateHaVip(request(models.CreateHaVipRequest, params)).HaVip


def describe(c, **params):
    return c.DescribeHaVips(request(models.DescribeHaVipsRequest, params))


def one(c, havip_id):
    resp = describe(c, HaVipIds=[havip_id])
    assert resp.TotalCount == 1, havip_id
    return resp.HaVipSet[0]


def expect(code, call, *args, **kwargs):
    """The call fails with `code`, as an API error (with its RequestId)."""
    with pytest.raises(TencentCloudSDKException) as info:
        call(*args, **kwargs)
    e = info.value
    assert e.get_code() == code, f"{e}"
    assert e.get_message(), f"{e}"
    assert e.get_request_id(), f"{e}"
    return e


def vname(filters):
    return [{"Name": n, "Values": v} for n, v in filters]


# --- the round trip --------------------------------------------------------------------------


def test_create_describe_modify_delete(tc):
    c = client(tc)
    h = create(c, name="web vip / 中文", Vip="10.0.1.100", Tags=[{"Key": "team", "Value": "a&b=c"}])
    assert re.fullmatch(r"havip-[0-9a-z]{8}", h.HaVipId), h.HaVipId  # Tencent's id shape
    assert (h.HaVipName, h.Vip, h.VpcId, h.SubnetId) == ("web vip / 中文", "10.0.1.100", VPC, SUBNET)
    assert (h.State, h.InstanceId, h.NetworkInterfaceId, h.AddressIp) == ("UNBIND", "", "", "")
    assert h.CheckAssociate is True
    assert h.HaVipAssociationSet == []
    assert h.FlushedTime == "0000-00-00 00:00:00"
    assert len(h.CreatedTime) == 19 and h.CreatedTime[10] == " "
    assert [(t.Key, t.Value) for t in h.TagSet] == [("team", "a&b=c")]

    got = one(c, h.HaVipId)
    assert got.HaVipName == "web vip / 中文"
    assert got.CreatedTime == h.CreatedTime

    resp = c.ModifyHaVipAttribute(request(models.ModifyHaVipAttributeRequest,
                                          {"HaVipId": h.HaVipId, "HaVipName": "renamed"}))
    assert resp.RequestId
    assert one(c, h.HaVipId).HaVipName == "renamed"

    resp = c.DeleteHaVip(request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))
    assert resp.RequestId
    assert describe(c, HaVipIds=[h.HaVipId]).TotalCount == 0
    expect("ResourceNotFound", c.DeleteHaVip, request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))


def test_the_same_calls_by_get(tc):
    c = client(tc, method="GET")
    h = create(c, name="by get", Tags=[{"Key": "k", "Value": "v w"}])
    assert one(c, h.HaVipId).TagSet[0].Value == "v w"
    resp = describe(c, Filters=vname([("havip-name", ["by get"]), ("check-associate", ["TRUE"])]))
    assert [x.HaVipId for x in resp.HaVipSet] == [h.HaVipId]
    c.ModifyHaVipAttribute(request(models.ModifyHaVipAttributeRequest,
                                   {"HaVipId": h.HaVipId, "HaVipName": "a + b"}))
    assert one(c, h.HaVipId).HaVipName == "a + b"
    c.DeleteHaVip(request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))
    assert describe(c, HaVipIds=[h.HaVipId]).TotalCount == 0


def test_answers_carry_every_field_of_the_models(tc):
    """The JSON of each answer has every key the SDK's models read (walked raw, so a key
    left out would not go unnoticed as a None)."""
    c = client(tc)
    created = c.call_json("CreateHaVip", {"VpcId": VPC, "SubnetId": SUBNET, "HaVipName": "m"})["Response"]
    listed = c.call_json("DescribeHaVips", {})["Response"]
    fields = lambda model: {k[1:] for k in vars(model())}  # noqa: E731
    for h in [created["HaVip"], *listed["HaVipSet"]]:
        assert set(h) == fields(models.HaVip), set(h) ^ fields(models.HaVip)
    assert set(created) == fields(models.CreateHaVipResponse)
    assert set(listed) == fields(models.DescribeHaVipsResponse)
    hid = created["HaVip"]["HaVipId"]
    modified = c.call_json("ModifyHaVipAttribute", {"HaVipId": hid, "HaVipName": "n"})["Response"]
    assert set(modified) == fields(models.ModifyHaVipAttributeResponse)
    deleted = c.call_json("DeleteHaVip", {"HaVipId": hid})["Response"]
    assert set(deleted) == fields(models.DeleteHaVipResponse)


def test_paging_offset_limit_and_the_default_of_20(tc):
    c = client(tc)
    ids = [create(c, name=f"p{i:02d}").HaVipId for i in range(22)]
    all_ = describe(c, Limit=100)
    assert all_.TotalCount == 22
    assert [h.HaVipId for h in all_.HaVipSet] == ids
    assert len(describe(c).HaVipSet) == 20, "Limit defaults to 20"
    page = describe(c, Offset=20)
    assert page.TotalCount == 22
    assert [h.HaVipId for h in page.HaVipSet] == ids[20:]
    page = describe(c, Offset=5, Limit=3)
    assert [h.HaVipId for h in page.HaVipSet] == ids[5:8]
    assert describe(c, Offset=30).HaVipSet == []
    # Paging over a filter only this face knows pages the matches.
    page = describe(c, Offset=1, Limit=2, Filters=vname([("type", ["NORMAL"])]))
    assert page.TotalCount == 22
    assert [h.HaVipId for h in page.HaVipSet] == ids[1:3]


def test_filters(tc):
    c = client(tc)
    a = create(c, name="a", Vip="10.0.1.101")
    b = create(c, name="b", Vip="10.0.1.102")
    d = create(c, name="d", subnet=OTHER_SUBNET)
    e = create(c, name="e", subnet=SECOND_SUBNET, vpc=SECOND_VPC)

    def ids(*filters):
        return sorted(h.HaVipId for h in describe(c, Filters=vname(filters), Limit=100).HaVipSet)

    assert ids(("havip-id", [a.HaVipId, d.HaVipId])) == sorted([a.HaVipId, d.HaVipId])
    assert ids(("havip-name", ["a", "b"])) == sorted([a.HaVipId, b.HaVipId])
    assert ids(("vpc-id", [SECOND_VPC])) == [e.HaVipId]
    assert ids(("subnet-id", [OTHER_SUBNET])) == [d.HaVipId]
    assert ids(("vip", ["10.0.1.102"])) == [b.HaVipId]
    # Criteria are ANDed, the values of one criterion ORed.
    assert ids(("vpc-id", [VPC]), ("havip-name", ["a", "e"])) == [a.HaVipId]
    assert ids(("havip-name", ["a", "b"]), ("havip-name", ["b", "d"])) == [b.HaVipId]
    # What havip does not model: no EIP, no CDC, every HaVip NORMAL and checked.
    assert ids(("address-ip", ["203.0.113.10"])) == []
    assert ids(("cdc-id", ["cluster-1"])) == []
    assert ids(("check-associate", ["FALSE"])) == []
    assert len(ids(("check-associate", ["TRUE"]), ("type", ["NORMAL"]))) == 4
    assert len(ids(("termination-protection", ["false"]), ("traffic-protection", ["false"]))) == 4
    assert ids(("type", ["GWLB"])) == []
    # Another account's HaVip does not exist here.
    assert ids(("havip-id", [OTHER_HAVIP])) == []
    assert describe(c, HaVipIds=[OTHER_HAVIP]).TotalCount == 0


def test_the_master_shows_as_instance_id_after_a_native_association(tc):
    c = client(tc)
    h = create(c, name="pair")
    for instance in (I1, I2):
        r = tc.native("POST", f"/v1/havips/{h.HaVipId}/associate", json={"instance_id": instance})
        assert r.status_code == 200, r.text
    got = one(c, h.HaVipId)
    assert (got.State, got.InstanceId, got.NetworkInterfaceId) == ("AVAILABLE", I1, ENI1)
    assert [(x.InstanceId, x.InstanceType, x.HaVipId) for x in got.HaVipAssociationSet] == [
        (I1, "CVM", h.HaVipId), (I2, "CVM", h.HaVipId)]
    found = describe(c, Filters=vname([("havip-association.instance-id", [I2])]))
    assert [x.HaVipId for x in found.HaVipSet] == [h.HaVipId]
    found = describe(c, Filters=vname([("havip-association.instance-type", ["ENI"])]))
    assert found.TotalCount == 0

    tc.failover(h.HaVipId, to=I2)
    got = one(c, h.HaVipId)
    assert (got.State, got.InstanceId, got.NetworkInterfaceId) == ("AVAILABLE", I2, ENI2)

    # A bound HaVip is not deleted; once unbound it is.
    expect("UnsupportedOperation", c.DeleteHaVip, request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))
    for instance in (I1, I2):
        r = tc.native("POST", f"/v1/havips/{h.HaVipId}/disassociate", json={"instance_id": instance})
        assert r.status_code == 200, r.text
    got = one(c, h.HaVipId)
    assert (got.State, got.InstanceId, got.HaVipAssociationSet) == ("UNBIND", "", [])
    c.DeleteHaVip(request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))


def test_client_token(tc):
    c = client(tc)
    first = create(c, name="t", ClientToken="tok-0001")
    again = create(c, name="t", ClientToken="tok-0001")
    assert again.HaVipId == first.HaVipId
    assert describe(c).TotalCount == 1
    expect("InvalidParameterValue.Duplicate", create, c, name="other", ClientToken="tok-0001")
    expect("InvalidParameterValue.Malformed", create, c, ClientToken="x" * 65)


# --- errors ----------------------------------------------------------------------------------


def test_shape_errors(tc):
    c = client(tc)
    create(c, name="taken", Vip="10.0.1.100")
    before = describe(c, Limit=100)
    cases = [
        ("MissingParameter", lambda: c.CreateHaVip(request(models.CreateHaVipRequest,
                                                           {"SubnetId": SUBNET, "HaVipName": "n"}))),
        ("MissingParameter", lambda: c.ModifyHaVipAttribute(request(models.ModifyHaVipAttributeRequest,
                                                                    {"HaVipId": "havip-x"}))),
        ("UnknownParameter", lambda: c.call_json("CreateHaVip", {"VpcId": VPC, "SubnetId": SUBNET,
                                                                 "HaVipName": "n", "Description": "d"})),
        ("InvalidParameter", lambda: c.call_json("DescribeHaVips", {"Limit": "ten"})),
        ("InvalidParameter.Coexist", lambda: describe(c, HaVipIds=["havip-x"],
                                                      Filters=vname([("vip", ["10.0.1.100"])]))),
        ("InvalidParameter.FilterInvalidKey", lambda: describe(c, Filters=vname([("state", ["UNBIND"])]))),
        ("InvalidParameterValue", lambda: describe(c, Filters=vname([("check-associate", ["maybe"])]))),
        ("InvalidParameterValue", lambda: create(c, name="")),
        ("InvalidParameterValue", lambda: create(c, Tags=[{"Key": "qcloud:owner", "Value": "x"}])),
        ("InvalidParameterValue.Duplicate", lambda: create(c, Tags=[{"Key": "k", "Value": "1"},
                                                                   {"Key": "k", "Value": "2"}])),
        ("InvalidParameterValue.LimitExceeded", lambda: describe(c, Filters=vname([("vip", ["x"])] * 11))),
        ("InvalidParameterValue.LimitExceeded", lambda: describe(c, Filters=vname([("vip", list("abcdef"))]))),
        ("InvalidParameterValue.LimitExceeded", lambda: create(
            c, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(21)])),
        ("InvalidParameterValue.Range", lambda: describe(c, Limit=101)),
        ("InvalidParameterValue.Range", lambda: describe(c, Offset=-1)),
        ("InvalidParameterValue.TooLong", lambda: create(c, name="x" * 61)),
        ("InvalidParameterValue.Malformed", lambda: create(c, Vip="10.0.1")),
        ("InvalidParameterValue.Range", lambda: create(c, Vip="10.0.2.20")),
        ("InvalidParameterValue.Reserved", lambda: create(c, Vip="10.0.1.1")),
        ("ResourceInUse", lambda: create(c, Vip="10.0.1.100")),
        ("ResourceNotFound", lambda: create(c, vpc="vpc-nothere")),
        ("UnsupportedOperation.SubnetNotExists", lambda: create(c, subnet="subnet-nothere")),
        ("UnsupportedOperation.SubnetNotExists", lambda: create(c, subnet=SECOND_SUBNET)),
        ("UnsupportedOperation", lambda: create(c, NetworkInterfaceId=ENI1)),
        ("UnsupportedOperation", lambda: create(c, HaVipAssociationSet=[{"InstanceId": I1,
                                                                         "InstanceType": "CVM"}])),
        ("ResourceNotFound", lambda: c.ModifyHaVipAttribute(request(models.ModifyHaVipAttributeRequest,
                                                                    {"HaVipId": "havip-nothere",
                                                                     "HaVipName": "n"}))),
        ("ResourceNotFound", lambda: c.ModifyHaVipAttribute(request(models.ModifyHaVipAttributeRequest,
                                                                    {"HaVipId": OTHER_HAVIP,
                                                                     "HaVipName": "n"}))),
        ("ResourceNotFound", lambda: c.DeleteHaVip(request(models.DeleteHaVipRequest,
                                                           {"HaVipId": OTHER_HAVIP}))),
        ("RequestSizeLimitExceeded", lambda: describe(client(tc, method="GET"), HaVipIds=["h" * 40000])),
    ]
    for code, call in cases:
        expect(code, call)
    after = describe(c, Limit=100)
    assert [h._serialize() for h in after.HaVipSet] == [h._serialize() for h in before.HaVipSet], "nothing changed"


def test_the_subnet_runs_out_of_addresses(tc):
    c = client(tc)
    for i in range(5):
        create(c, name=f"tiny{i}", subnet=TINY_SUBNET)
    expect("ResourceInsufficient", create, c, subnet=TINY_SUBNET)


def test_past_the_quota_is_limit_exceeded(havip_server, tmp_path):
    seed = tmp_path / "seed.toml"
    seed.write_text(SEED.read_text() + TENCENT_EXTRA_SEED.replace("havips_per_region = 30",
                                                                  "havips_per_region = 2"))
    c = client(havip_server(seed=seed))
    create(c, name="q1")
    create(c, name="q2")
    e = expect("LimitExceeded", create, c, name="q3")
    assert e.get_message() == "The HaVip quota of the region is reached: at most 2 HaVips."
    assert describe(c).TotalCount == 2


def test_a_change_in_flight_is_a_running_task(tc_slow):
    c = client(tc_slow)
    h = create(c, name="slow")
    assert h.State == "UNBIND"
    assert tc_slow.havip(h.HaVipId)["status"] == "Creating"
    expect("UnsupportedOperation.MutexOperationTaskRunning", c.ModifyHaVipAttribute,
           request(models.ModifyHaVipAttributeRequest, {"HaVipId": h.HaVipId, "HaVipName": "n"}))
    expect("UnsupportedOperation.MutexOperationTaskRunning", c.DeleteHaVip,
           request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))
    tc_slow.complete(h.HaVipId)
    c.DeleteHaVip(request(models.DeleteHaVipRequest, {"HaVipId": h.HaVipId}))
    # Tencent's delete is asynchronous: until it completes the HaVip is still listed.
    assert one(c, h.HaVipId).State == "UNBIND"
    tc_slow.complete(h.HaVipId)
    assert describe(c, HaVipIds=[h.HaVipId]).TotalCount == 0


def test_eip_actions_answer_as_for_an_account_without_eips(tc):
    c = client(tc)
    h = create(c, name="eip")
    A = models.HaVipAssociateAddressIpRequest
    e = expect("ResourceNotFound", c.HaVipAssociateAddressIp,
               request(A, {"HaVipId": h.HaVipId, "AddressIp": "203.0.113.10"}))
    assert e.get_message() == "The EIP `203.0.113.10` is not found."
    expect("ResourceNotFound", c.HaVipAssociateAddressIp,
           request(A, {"HaVipId": "havip-nothere", "AddressIp": "203.0.113.10"}))
    expect("InvalidParameterValue.Malformed", c.HaVipAssociateAddressIp,
           request(A, {"HaVipId": h.HaVipId, "AddressIp": "eip-m2vw6p9o"}))
    expect("MissingParameter", c.HaVipAssociateAddressIp, request(A, {"HaVipId": h.HaVipId}))
    Dis = models.HaVipDisassociateAddressIpRequest
    expect("UnsupportedOperation.UnbindEIP", c.HaVipDisassociateAddressIp, request(Dis, {"HaVipId": h.HaVipId}))
    expect("ResourceNotFound", c.HaVipDisassociateAddressIp, request(Dis, {"HaVipId": OTHER_HAVIP}))


def test_signature_and_credentials(tc, monkeypatch):
    D = models.DescribeHaVipsRequest
    e = expect("AuthFailure.SignatureFailure", client(tc, sk="not-the-secret").DescribeHaVips, D())
    assert e.get_message() == ("The provided credentials could not be validated. "
                               "Please check your signature is correct.")
    expect("AuthFailure.SecretIdNotFound", client(tc, ak="AKIDNOTHERE0000001").DescribeHaVips, D())
    expect("AuthFailure.TokenFailure", client(tc, token="session-token").DescribeHaVips, D())
    expect("AuthFailure.InvalidAuthorization", common(tc, service="cvm").call_json, "DescribeHaVips", {})
    # The other account's key sees its own HaVip only.
    other = describe(client(tc, ak=OTHER_AK, sk=OTHER_SK))
    assert [h.HaVipId for h in other.HaVipSet] == [OTHER_HAVIP]
    # Tencent's window is five minutes, both ways.
    for skew in (-301, 301):
        fake = types.SimpleNamespace(time=lambda s=skew: time.time() + s, sleep=time.sleep)
        monkeypatch.setattr(abstract_client, "time", fake)
        expect("AuthFailure.SignatureExpire", client(tc).DescribeHaVips, D())
    fake = types.SimpleNamespace(time=lambda: time.time() - 240, sleep=time.sleep)
    monkeypatch.setattr(abstract_client, "time", fake)
    assert client(tc).DescribeHaVips(D()).TotalCount == 0


def test_action_version_and_region(tc):
    expect("InvalidAction", client(tc).call_json, "AssociateHaVip", {})
    expect("InvalidAction", client(tc).call_json, "DescribeVpcTaskResult", {"TaskId": "x"})
    expect("NoSuchVersion", common(tc, version="2020-04-01").call_json, "DescribeHaVips", {})
    expect("UnsupportedRegion", client(tc, region="ap-nowhere").DescribeHaVips, models.DescribeHaVipsRequest())
    # With an empty region the SDK leaves X-TC-Region out.
    e = expect("MissingParameter", client(tc, region="").DescribeHaVips, models.DescribeHaVipsRequest())
    assert e.get_message() == "The request is missing a required parameter `Region`."
    # Any region of the inventory serves: cn-beijing has no Tencent HaVips, but exists.
    assert client(tc, region="cn-beijing").DescribeHaVips(models.DescribeHaVipsRequest()).TotalCount == 0


def test_errors_are_http_200_json_with_a_request_id(tc):
    """What the SDK needs to read an error (docs/tencent.md §3), seen raw; and what it cannot
    send: a method other than GET and POST."""
    headers = {"X-TC-Action": "DescribeHaVips", "X-TC-Version": "2017-03-12", "X-TC-Region": REGION,
               "Content-Type": "application/json"}
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        r = requests.request(method, tc.url("/"), headers=headers, data="{}", timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/json"
        body = r.json()["Response"]
        want = "AuthFailure.InvalidAuthorization" if method == "POST" else "UnsupportedProtocol"
        assert body["Error"]["Code"] == want, body
        assert len(body["RequestId"]) == 36 and body["RequestId"] == body["RequestId"].lower()
