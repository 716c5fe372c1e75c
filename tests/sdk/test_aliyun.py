"""The Alibaba Cloud VPC face, judged by the official SDKs.

Every test drives a real `havip serve` with the example seed's cn-shanghai inventory
through one of the three ways the SDKs call:
  acs3    alibabacloud_vpc20160428 (new SDK), default ACS3-HMAC-SHA256 signature
  v2      the new SDK with Config(signature_algorithm='v2') (RPC HMAC-SHA1)
  legacy  aliyun-python-sdk-vpc on aliyun-python-sdk-core (RPC HMAC-SHA1)
`Ali` below hides which one, so a test can run against all three; errors come back as
`AliError(code, status, message)` whichever SDK raised them.

Signature failures and the raw wire are in test_aliyun_wire.py; the README snippets are
run by test_aliyun_docs.py.
"""

import json
import time

import pytest

from conftest import AK, SK

from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_vpc20160428 import models as M
from alibabacloud_vpc20160428.client import Client
from darabonba.runtime import RuntimeOptions

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkvpc.request.v20160428 import (
    AssociateHaVipRequest,
    CreateHaVipRequest,
    DeleteHaVipRequest,
    DescribeHaVipsRequest,
    ListTagResourcesRequest,
    ModifyHaVipAttributeRequest,
    TagResourcesRequest,
    UnassociateHaVipRequest,
    UnTagResourcesRequest,
)

REGION = "cn-shanghai"
VPC = "vpc-uf6demo0001"
VSW = "vsw-uf6demo0001"
VSW2 = "vsw-uf6demo0002"
HAVIP = "havip-uf6demo0001"  # seeded, Available, 192.168.1.100
I1, I2, I3 = "i-uf6demo0001", "i-uf6demo0002", "i-uf6demo0003"
I_STOPPED = "i-uf6demo0004"
I_OTHER_SUBNET = "i-uf6demo0005"
ENI1 = "eni-uf6demo0001"  # primary ENI of i-uf6demo0001
ENI1_SECOND = "eni-uf6demo0011"  # secondary ENI of i-uf6demo0001
ENI_FREE = "eni-uf6demo0012"
ENI_SERVICE = "eni-uf6demo0013"
ENI2 = "eni-uf6demo0002"  # primary ENI of i-uf6demo0002

MODES = ["acs3", "v2", "legacy"]


class AliError(Exception):
    def __init__(self, code, status, message, request_id):
        super().__init__(f"{status} {code}: {message}")
        self.code, self.status, self.message, self.request_id = code, status, message, request_id


def _set(req, **values):
    for name, value in values.items():
        if value is not None:
            getattr(req, f"set_{name}")(value)
    return req


class Ali:
    """One SDK client against a havip server, with the same calls in every mode."""

    def __init__(self, server, mode, ak=AK, sk=SK, region=REGION):
        self.mode, self.region = mode, region
        if mode == "legacy":
            self.legacy = AcsClient(ak, sk, region)
            self.legacy.add_endpoint(region, "Vpc", server.endpoint)
        else:
            config = open_api_models.Config(access_key_id=ak, access_key_secret=sk,
                                            endpoint=server.endpoint, protocol="http", region_id=region)
            if mode == "v2":
                config.signature_algorithm = "v2"
            self.client = Client(config)

    # --- plumbing ------------------------------------------------------------------
    def _legacy(self, req):
        try:
            return json.loads(self.legacy.do_action_with_exception(req))
        except ServerException as e:
            raise AliError(e.get_error_code(), e.get_http_status(), e.get_error_msg(), e.get_request_id())

    def _new(self, method, req):
        try:
            resp = method(req, RuntimeOptions())
        except AlibabaCloudException as e:
            raise AliError(e.code, e.status_code, (e.data or {}).get("Message"), e.request_id)
        assert resp.status_code == 200
        return resp.body.to_map()

    def _call(self, legacy_req, new_method, new_req):
        return self._legacy(legacy_req) if self.mode == "legacy" else self._new(new_method, new_req)

    # --- operations ------------------------------------------------------------------
    def create(self, vswitch_id, ip=None, name=None, description=None, tags=None, client_token=None):
        tags = tags or {}
        legacy = _set(CreateHaVipRequest.CreateHaVipRequest(), VSwitchId=vswitch_id, IpAddress=ip, Name=name,
                      Description=description, ClientToken=client_token)
        if tags:
            legacy.set_Tags([{"Key": k, "Value": v} for k, v in tags.items()])
        new = M.CreateHaVipRequest(region_id=self.region, v_switch_id=vswitch_id, ip_address=ip, name=name,
                                   description=description, client_token=client_token,
                                   tag=[M.CreateHaVipRequestTag(key=k, value=v) for k, v in tags.items()] or None)
        return self._call(legacy, getattr(self, "client", None) and self.client.create_ha_vip_with_options, new)

    def delete(self, havip_id, client_token=None):
        legacy = _set(DeleteHaVipRequest.DeleteHaVipRequest(), HaVipId=havip_id, ClientToken=client_token)
        new = M.DeleteHaVipRequest(region_id=self.region, ha_vip_id=havip_id, client_token=client_token)
        return self._call(legacy, getattr(self, "client", None) and self.client.delete_ha_vip_with_options, new)

    def modify(self, havip_id, name=None, description=None):
        legacy = _set(ModifyHaVipAttributeRequest.ModifyHaVipAttributeRequest(), HaVipId=havip_id, Name=name,
                      Description=description)
        new = M.ModifyHaVipAttributeRequest(region_id=self.region, ha_vip_id=havip_id, name=name,
                                            description=description)
        return self._call(legacy, getattr(self, "client", None) and self.client.modify_ha_vip_attribute_with_options,
                          new)

    def associate(self, havip_id, instance_id, instance_type=None, client_token=None):
        legacy = _set(AssociateHaVipRequest.AssociateHaVipRequest(), HaVipId=havip_id, InstanceId=instance_id,
                      InstanceType=instance_type, ClientToken=client_token)
        new = M.AssociateHaVipRequest(region_id=self.region, ha_vip_id=havip_id, instance_id=instance_id,
                                      instance_type=instance_type, client_token=client_token)
        return self._call(legacy, getattr(self, "client", None) and self.client.associate_ha_vip_with_options, new)

    def unassociate(self, havip_id, instance_id, instance_type=None, force=None, client_token=None):
        legacy = _set(UnassociateHaVipRequest.UnassociateHaVipRequest(), HaVipId=havip_id, InstanceId=instance_id,
                      InstanceType=instance_type, Force=force, ClientToken=client_token)
        new = M.UnassociateHaVipRequest(region_id=self.region, ha_vip_id=havip_id, instance_id=instance_id,
                                        instance_type=instance_type, force=force, client_token=client_token)
        return self._call(legacy, getattr(self, "client", None) and self.client.unassociate_ha_vip_with_options, new)

    def describe(self, filters=None, tags=None, page_number=None, page_size=None):
        """filters: [(key, [values])]; tags: [(key, value-or-None)]."""
        filters, tags = filters or [], tags or []
        legacy = _set(DescribeHaVipsRequest.DescribeHaVipsRequest(), PageNumber=page_number, PageSize=page_size)
        if filters:
            legacy.set_Filters([{"Key": k, "Value": v} for k, v in filters])
        if tags:
            legacy.set_Tagss([{"Key": k, "Value": v} if v is not None else {"Key": k} for k, v in tags])
        new = M.DescribeHaVipsRequest(
            region_id=self.region, page_number=page_number, page_size=page_size,
            filter=[M.DescribeHaVipsRequestFilter(key=k, value=v) for k, v in filters] or None,
            tags=[M.DescribeHaVipsRequestTags(key=k, value=v) for k, v in tags] or None)
        return self._call(legacy, getattr(self, "client", None) and self.client.describe_ha_vips_with_options, new)

    def tag(self, ids, tags, resource_type="HAVIP"):
        legacy = _set(TagResourcesRequest.TagResourcesRequest(), ResourceType=resource_type)
        legacy.set_ResourceIds(ids)
        legacy.set_Tags([{"Key": k, "Value": v} for k, v in tags.items()])
        new = M.TagResourcesRequest(region_id=self.region, resource_type=resource_type, resource_id=ids,
                                    tag=[M.TagResourcesRequestTag(key=k, value=v) for k, v in tags.items()])
        return self._call(legacy, getattr(self, "client", None) and self.client.tag_resources_with_options, new)

    def untag(self, ids, keys=None, all=None, resource_type="HAVIP"):
        legacy = _set(UnTagResourcesRequest.UnTagResourcesRequest(), ResourceType=resource_type, All=all)
        legacy.set_ResourceIds(ids)
        if keys:
            legacy.set_TagKeys(keys)
        new = M.UnTagResourcesRequest(region_id=self.region, resource_type=resource_type, resource_id=ids,
                                      tag_key=keys, all=all)
        return self._call(legacy, getattr(self, "client", None) and self.client.un_tag_resources_with_options, new)

    def list_tags(self, ids=None, tags=None, max_results=None, next_token=None, resource_type="HAVIP"):
        tags = tags or {}
        legacy = _set(ListTagResourcesRequest.ListTagResourcesRequest(), ResourceType=resource_type,
                      MaxResults=max_results, NextToken=next_token)
        if ids:
            legacy.set_ResourceIds(ids)
        if tags:
            legacy.set_Tags([{"Key": k, "Value": v} for k, v in tags.items()])
        new = M.ListTagResourcesRequest(region_id=self.region, resource_type=resource_type, resource_id=ids,
                                        max_results=max_results, next_token=next_token,
                                        tag=[M.ListTagResourcesRequestTag(key=k, value=v)
                                             for k, v in tags.items()] or None)
        return self._call(legacy, getattr(self, "client", None) and self.client.list_tag_resources_with_options, new)

    # --- conveniences ----------------------------------------------------------------
    def one(self, havip_id):
        items = self.describe(filters=[("HaVipId", [havip_id])])["HaVips"]["HaVip"]
        assert len(items) == 1, items
        return items[0]


def expect(code, status, call, *args, **kwargs):
    """Run `call` and check that it fails with this code and HTTP status."""
    with pytest.raises(AliError) as e:
        call(*args, **kwargs)
    assert (e.value.code, e.value.status) == (code, status), str(e.value)
    assert e.value.request_id
    return e.value


@pytest.fixture(params=MODES)
def ali(request, server):
    return Ali(server, request.param)


@pytest.fixture
def acs3(server):
    return Ali(server, "acs3")


def wait_status(ali, havip_id, wanted, timeout=60):
    """Poll DescribeHaVips until the HaVip shows `wanted` (None: until it is gone)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        items = ali.describe(filters=[("HaVipId", [havip_id])])["HaVips"]["HaVip"]
        status = items[0]["Status"] if items else None
        if status == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"{havip_id} never became {wanted}")


def free_ip(server, subnet):
    """An address of the subnet that no ENI or HaVip holds: the seed gives some ENIs
    random addresses, so a fixed one could be taken."""
    used = {e["ip"] for e in server.native("GET", f"/v1/enis?subnet={subnet}").json()["items"]}
    used |= {h["ip"] for h in server.native("GET", "/v1/havips").json()["items"]}
    prefix = {VSW: "192.168.1", VSW2: "192.168.2"}[subnet]
    return next(f"{prefix}.{n}" for n in range(50, 250) if f"{prefix}.{n}" not in used)


def instances(h):
    return h["AssociatedInstances"]["associatedInstance"]


# ----------------------------------------------------------------------------------------
# Happy paths, in every mode


def test_lifecycle_every_action(ali, server):
    ip = free_ip(server, VSW)
    created = ali.create(VSW, ip=ip, name="vip-a", description="pair a",
                         tags={"env": "test", "empty": ""}, client_token="create-1")
    hid = created["HaVipId"]
    assert created["IpAddress"] == ip and created["RequestId"]
    h = ali.one(hid)
    assert h["Status"] == "Available"
    assert (h["RegionId"], h["VpcId"], h["VSwitchId"], h["IpAddress"]) == (REGION, VPC, VSW, ip)
    assert (h["Name"], h["Description"]) == ("vip-a", "pair a")
    assert sorted((t["Key"], t["Value"]) for t in h["Tags"]["Tag"]) == [("empty", ""), ("env", "test")]
    assert instances(h) == [] and h["AssociatedEipAddresses"]["associatedEipAddresse"] == []
    assert h["CreateTime"].endswith("Z") and "T" in h["CreateTime"]
    # The same ClientToken with the same parameters: the first answer, nothing more.
    assert ali.create(VSW, ip=ip, name="vip-a", description="pair a",
                      tags={"env": "test", "empty": ""}, client_token="create-1")["HaVipId"] == hid

    ali.modify(hid, name="vip-b", description="pair b")
    h = ali.one(hid)
    assert (h["Name"], h["Description"]) == ("vip-b", "pair b")

    ali.associate(hid, I1)
    ali.associate(hid, I2, instance_type="EcsInstance")
    h = ali.one(hid)
    assert h["Status"] == "InUse"
    assert instances(h) == [I1, I2]
    assert h["MasterInstanceId"] == I1
    assert h["AssociatedInstanceType"] == "EcsInstance"

    ali.unassociate(hid, I2)
    assert instances(ali.one(hid)) == [I1]
    ali.unassociate(hid, I1, force="True")
    h = ali.one(hid)
    assert h["Status"] == "Available" and instances(h) == [] and h["MasterInstanceId"] == ""

    ali.delete(hid)
    assert ali.describe(filters=[("HaVipId", [hid])])["HaVips"]["HaVip"] == []
    expect("InvalidHaVipId.NotFound", 404, ali.delete, hid)


def test_create_assigns_a_free_ip(ali):
    created = ali.create(VSW)
    ip = created["IpAddress"]
    assert ip.startswith("192.168.1.") and ip not in ("192.168.1.0", "192.168.1.1", "192.168.1.255")
    assert ali.one(created["HaVipId"])["IpAddress"] == ip


def test_new_sdk_models_read_every_field(server):
    """The new SDK's from_map fills the typed model: the JSON keys are the ones it reads."""
    a = Ali(server, "acs3")
    hid = a.create(VSW, tags={"env": "prod"})["HaVipId"]
    a.associate(hid, I1)
    body = a.client.describe_ha_vips_with_options(
        M.DescribeHaVipsRequest(region_id=REGION, filter=[M.DescribeHaVipsRequestFilter(key="HaVipId", value=[hid])]),
        RuntimeOptions()).body
    assert (body.total_count, body.page_number, body.page_size) == (1, 1, 10)
    h = body.ha_vips.ha_vip[0]
    assert (h.ha_vip_id, h.status, h.master_instance_id, h.vpc_id, h.v_switch_id) == (hid, "InUse", I1, VPC, VSW)
    assert h.associated_instances.associated_instance == [I1]
    assert h.associated_eip_addresses.associated_eip_addresse == []
    assert h.associated_instance_type == "EcsInstance"
    assert [(t.key, t.value) for t in h.tags.tag] == [("env", "prod")]
    assert h.charge_type and h.create_time and h.region_id == REGION


def test_enis_associate_and_unassociate(ali):
    ali.associate(HAVIP, ENI1, instance_type="NetworkInterface")
    ali.associate(HAVIP, ENI2, instance_type="NetworkInterface")
    h = ali.one(HAVIP)
    assert h["AssociatedInstanceType"] == "NetworkInterface"
    assert instances(h) == [ENI1, ENI2] and h["MasterInstanceId"] == ENI1
    ali.unassociate(HAVIP, ENI2, instance_type="NetworkInterface")
    ali.unassociate(HAVIP, ENI1, instance_type="NetworkInterface", force="True")
    assert ali.one(HAVIP)["Status"] == "Available"


# ----------------------------------------------------------------------------------------
# DescribeHaVips: paging and filters


def test_paging_defaults_and_bounds(ali):
    for i in range(11):
        ali.create(VSW, name=f"page-{i:02d}")
    first = ali.describe()
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (12, 1, 10)
    assert len(first["HaVips"]["HaVip"]) == 10
    second = ali.describe(page_number=2)
    assert len(second["HaVips"]["HaVip"]) == 2 and second["PageNumber"] == 2
    ids = [h["HaVipId"] for h in first["HaVips"]["HaVip"] + second["HaVips"]["HaVip"]]
    assert len(set(ids)) == 12
    big = ali.describe(page_size=50)
    assert big["PageSize"] == 50 and len(big["HaVips"]["HaVip"]) == 12
    assert ali.describe(page_number=3)["HaVips"]["HaVip"] == []
    expect("InvalidParameter", 400, ali.describe, page_size=51)
    expect("InvalidParameter", 400, ali.describe, page_size=0)
    expect("InvalidParameter", 400, ali.describe, page_number=0)


def test_filters_and_tags(ali, server):
    a = ali.create(VSW, tags={"env": "prod", "team": "a"})["HaVipId"]
    b_ip = free_ip(server, VSW2)
    b = ali.create(VSW2, ip=b_ip, tags={"env": "test"})["HaVipId"]
    ali.associate(HAVIP, I1)

    def ids(**kw):
        return sorted(h["HaVipId"] for h in ali.describe(**kw)["HaVips"]["HaVip"])

    assert ids(filters=[("VpcId", [VPC])]) == sorted([HAVIP, a, b])
    assert ids(filters=[("VSwitchId", [VSW2])]) == [b]
    assert ids(filters=[("VSwitchId", [VSW, VSW2])]) == sorted([HAVIP, a, b])
    assert ids(filters=[("Status", ["InUse"])]) == [HAVIP]
    assert ids(filters=[("Status", ["Available"])]) == sorted([a, b])
    assert ids(filters=[("HaVipAddress", [b_ip])]) == [b]
    assert ids(filters=[("HaVipId", [a, b])]) == sorted([a, b])
    # Different keys are ANDed.
    assert ids(filters=[("HaVipId", [a, b]), ("VSwitchId", [VSW])]) == [a]
    assert ids(tags=[("env", "prod")]) == [a]
    assert ids(tags=[("env", None)]) == sorted([a, b])
    assert ids(tags=[("env", "prod"), ("team", "a")]) == [a]
    assert ids(tags=[("nope", "x")]) == []
    expect("InvalidFilterKey.ValueNotSupported", 400, ali.describe, filters=[("Name", ["x"])])


# ----------------------------------------------------------------------------------------
# Tags


def test_tag_untag_list(ali):
    a = ali.create(VSW)["HaVipId"]
    ali.tag([HAVIP, a], {"env": "prod", "owner": "ops"})
    rows = ali.list_tags(ids=[HAVIP])["TagResources"]["TagResource"]
    assert sorted((r["ResourceId"], r["TagKey"], r["TagValue"]) for r in rows) == [
        (HAVIP, "env", "prod"), (HAVIP, "owner", "ops")]
    assert all(r["ResourceType"] == "HAVIP" for r in rows)
    by_tag = ali.list_tags(tags={"env": "prod"})["TagResources"]["TagResource"]
    assert sorted({r["ResourceId"] for r in by_tag}) == sorted([HAVIP, a])
    # A key given again replaces its value.
    ali.tag([a], {"env": "test"})
    assert {r["TagKey"]: r["TagValue"] for r in ali.list_tags(ids=[a])["TagResources"]["TagResource"]} == {
        "env": "test", "owner": "ops"}
    ali.untag([a], keys=["owner"])
    assert [r["TagKey"] for r in ali.list_tags(ids=[a])["TagResources"]["TagResource"]] == ["env"]
    ali.untag([HAVIP], all=True)
    listed = ali.list_tags(ids=[HAVIP])
    assert listed["TagResources"]["TagResource"] == [] and listed["NextToken"] == ""
    # Tags show in DescribeHaVips too.
    assert ali.one(a)["Tags"]["Tag"] == [{"Key": "env", "Value": "test"}]


def test_list_tags_pages_with_next_token(ali):
    ali.tag([HAVIP], {f"k{i:02d}": str(i) for i in range(5)})
    page1 = ali.list_tags(ids=[HAVIP], max_results=2)
    assert len(page1["TagResources"]["TagResource"]) == 2 and page1["NextToken"]
    page2 = ali.list_tags(ids=[HAVIP], max_results=2, next_token=page1["NextToken"])
    page3 = ali.list_tags(ids=[HAVIP], max_results=2, next_token=page2["NextToken"])
    assert page3["NextToken"] == ""
    keys = [r["TagKey"] for p in (page1, page2, page3) for r in p["TagResources"]["TagResource"]]
    assert keys == [f"k{i:02d}" for i in range(5)]


def test_tag_errors(ali):
    expect("InvalidResourceType.NotFound", 400, ali.tag, [HAVIP], {"k": "v"}, resource_type="VPC")
    expect("InvalidResourceId.NotFound", 404, ali.tag, ["havip-nope"], {"k": "v"})
    expect("InvalidTagKey", 400, ali.tag, [HAVIP], {"aliyun-x": "v"})
    expect("InvalidTagValue", 400, ali.tag, [HAVIP], {"k": "v" * 129})
    expect("QuotaExceeded.TagNum", 400, ali.tag, [HAVIP], {f"k{i}": "" for i in range(21)})
    ali.tag([HAVIP], {f"k{i}": "" for i in range(15)})
    expect("QuotaExceeded.TagNum", 400, ali.tag, [HAVIP], {f"x{i}": "" for i in range(6)})
    expect("MissingParameter", 400, ali.list_tags)
    # ResourceType in any case.
    ali.tag([HAVIP], {"k0": "lower"}, resource_type="havip")


# ----------------------------------------------------------------------------------------
# Errors of AssociateHaVip (seed 003)


def test_associate_errors(ali, server):
    expect("InvalidHaVipId.NotFound", 404, ali.associate, "havip-nope", I1)
    expect("InvalidInstanceId.NotFound", 400, ali.associate, HAVIP, "i-nope")
    expect("InvalidNetworkInterfaceId.NotFound", 400, ali.associate, HAVIP, "eni-nope",
           instance_type="NetworkInterface")
    expect("IllegalParam.InstanceType", 400, ali.associate, HAVIP, I1, instance_type="Router")
    expect("OperationUnsupported.BindOnMultipleVswitch", 400, ali.associate, HAVIP, I_OTHER_SUBNET)
    expect("OperationUnsupported.BindOnFreeNetworkInterface", 400, ali.associate, HAVIP, ENI_FREE,
           instance_type="NetworkInterface")
    expect("IllegalParam.InstanceType", 400, ali.associate, HAVIP, ENI_SERVICE, instance_type="NetworkInterface")
    expect("InvalidRegionId.NotFound", 404, Ali(server, ali.mode, region="cn-nowhere").associate, HAVIP, I1)
    # A stopped instance can carry a HaVip.
    ali.associate(HAVIP, I_STOPPED)
    expect("InvalidHaVip.Exist", 404, ali.associate, HAVIP, I_STOPPED)
    expect("OperationUnsupported.BindMultipleType", 400, ali.associate, HAVIP, ENI1,
           instance_type="NetworkInterface")
    ali.associate(HAVIP, I1)
    # Alibaba's default limit: 2 instances per HaVip.
    expect("CountLimitExceeded.HaVipOnECSInstance", 400, ali.associate, HAVIP, I2)
    # Nothing was written by the refused calls.
    assert instances(ali.one(HAVIP)) == [I_STOPPED, I1]


def test_two_enis_of_one_instance(ali):
    ali.associate(HAVIP, ENI1, instance_type="NetworkInterface")
    expect("OperationUnsupported.BindOnSameEcs", 400, ali.associate, HAVIP, ENI1_SECOND,
           instance_type="NetworkInterface")


def test_havips_per_instance_limit(ali):
    for i in range(5):
        hid = ali.create(VSW)["HaVipId"]
        ali.associate(hid, I3)
    expect("CountLimitExceed.HaVipOnInstance", 400, ali.associate, HAVIP, I3)


def test_client_token_mismatch_and_shape(ali):
    ali.associate(HAVIP, I1, client_token="tok-assoc")
    # Same token, same parameters: the first answer again.
    ali.associate(HAVIP, I1, client_token="tok-assoc")
    expect("IdempotenceParamNotMatch", 400, ali.associate, HAVIP, I2, client_token="tok-assoc")
    expect("InvalidParameter", 400, ali.associate, HAVIP, I2, client_token="t" * 65)
    assert instances(ali.one(HAVIP)) == [I1]


def test_missing_parameters(ali):
    expect("MissingParameter", 400, ali.associate, HAVIP, None)
    expect("MissingParameter", 400, ali.associate, None, I1)
    expect("MissingParameter", 400, ali.create, None)
    expect("MissingParameter", 400, ali.delete, None)


# ----------------------------------------------------------------------------------------
# Errors of UnassociateHaVip (seed 002)


def test_unassociate_errors(ali):
    expect("IncorrectHaVipStatus", 400, ali.unassociate, HAVIP, I1)
    ali.associate(HAVIP, I1)
    ali.associate(HAVIP, I2)
    expect("InvalidHaVipId.NotFound", 404, ali.unassociate, "havip-nope", I1)
    expect("InvalidInstanceId.NotFound", 404, ali.unassociate, HAVIP, "i-nope")
    expect("InvalidNetworkInterfaceId.NotFound", 400, ali.unassociate, HAVIP, "eni-nope",
           instance_type="NetworkInterface")
    expect("IllegalParam.InstanceType", 400, ali.unassociate, HAVIP, I1, instance_type="Vpn")
    expect("ResourceNotAssociated", 400, ali.unassociate, HAVIP, I3)
    expect("Forbidden.UnassociateMaster", 400, ali.unassociate, HAVIP, I1)
    expect("Forbidden.UnassociateMaster", 400, ali.unassociate, HAVIP, I1, force="False")
    expect("InvalidParameter", 400, ali.unassociate, HAVIP, I1, force="maybe")
    assert instances(ali.one(HAVIP)) == [I1, I2]


def test_force_moves_the_master(ali):
    ali.associate(HAVIP, I1)
    ali.associate(HAVIP, I2)
    # Booleans in any case.
    ali.unassociate(HAVIP, I1, force="true")
    h = ali.one(HAVIP)
    assert instances(h) == [I2] and h["MasterInstanceId"] == I2 and h["Status"] == "InUse"


# ----------------------------------------------------------------------------------------
# Errors of Create / Delete / Modify (wire-aliyun.md 4.3)


def test_create_errors(ali):
    expect("InvalidVSwitch.NotFound", 400, ali.create, "vsw-nope")
    expect("InvalidVSwitch.NotFound", 400, ali.create, "subnet-13fdemo0001")  # another region's
    expect("InvalidIPAddress.OutOfRange", 400, ali.create, VSW, ip="10.0.0.5")
    expect("InvalidIPAddress.NotAvailable", 400, ali.create, VSW, ip="192.168.1.255")
    expect("InvalidIPAddress.AlreadyUsed", 400, ali.create, VSW, ip="192.168.1.11")
    expect("InvalidIPAddress.AlreadyUsed", 400, ali.create, VSW, ip="192.168.1.100")
    expect("InvalidIPAddress.Malformed", 400, ali.create, VSW, ip="192.168.1.300")
    expect("Abs.Vpc.InvalidName.Malformed", 400, ali.create, VSW, name="http://x")
    expect("InvalidDescription.Malformed", 400, ali.create, VSW, description="d" * 256)
    expect("InvalidTagKey", 400, ali.create, VSW, tags={"acs:x": "v"})
    assert ali.describe()["TotalCount"] == 1


def test_delete_and_modify_errors(ali):
    expect("InvalidHaVipId.NotFound", 404, ali.modify, "havip-nope", name="x")
    expect("Abs.Vpc.InvalidName.Malformed", 400, ali.modify, HAVIP, name="x" * 129)
    expect("InvalidDescription.Malformed", 400, ali.modify, HAVIP, description="https://x")
    ali.associate(HAVIP, I1)
    expect("IncorrectStatus", 400, ali.delete, HAVIP)
    assert ali.one(HAVIP)["Status"] == "InUse"


# ----------------------------------------------------------------------------------------
# Asynchrony (--transition-delay 1s)


def test_async_states(havip_server):
    server = havip_server(transition_delay="1h")
    ali = Ali(server, "acs3")
    ali.associate(HAVIP, I1)
    assert ali.one(HAVIP)["Status"] == "Associating"
    # A second change meanwhile is refused.
    expect("IncorrectHaVipStatus", 400, ali.associate, HAVIP, I2)
    expect("IncorrectHaVipStatus", 400, ali.unassociate, HAVIP, I1, force="True")
    expect("IncorrectHaVipStatus", 400, ali.delete, HAVIP)
    expect("IncorrectStatus", 400, ali.modify, HAVIP, name="busy")
    server.complete(HAVIP)
    wait_status(ali, HAVIP, "InUse")
    h = ali.one(HAVIP)
    assert (h["Status"], instances(h), h["MasterInstanceId"]) == ("InUse", [I1], I1)

    ali.associate(HAVIP, I2)
    server.complete(HAVIP)
    wait_status(ali, HAVIP, "InUse")
    ali.unassociate(HAVIP, I2)
    assert ali.one(HAVIP)["Status"] == "Unassociating"
    expect("IncorrectHaVipStatus", 400, ali.associate, HAVIP, I3)
    server.complete(HAVIP)
    wait_status(ali, HAVIP, "InUse")
    assert instances(ali.one(HAVIP)) == [I1]

    ali.unassociate(HAVIP, I1, force="True")
    assert ali.one(HAVIP)["Status"] == "Unassociating"
    server.complete(HAVIP)
    wait_status(ali, HAVIP, "Available")

    ali.delete(HAVIP)
    assert ali.one(HAVIP)["Status"] == "Deleting"
    expect("IncorrectHaVipStatus", 400, ali.delete, HAVIP)
    server.complete(HAVIP)
    wait_status(ali, HAVIP, None)


def test_create_is_asynchronous(havip_server):
    server = havip_server(transition_delay="1h")
    ali = Ali(server, "legacy")
    hid = ali.create(VSW)["HaVipId"]
    assert ali.one(hid)["Status"] == "Creating"
    server.complete(hid)
    wait_status(ali, hid, "Available")


# ----------------------------------------------------------------------------------------
# Needs the native API (set_instance_status, failover)


def test_instance_status(ali, server):
    server.set_instance_status(I2, "Starting")
    expect("IncorrectInstanceStatus", 400, ali.associate, HAVIP, I2)
    ali.associate(HAVIP, I1)
    ali.associate(HAVIP, I3)
    server.set_instance_status(I3, "Stopping")
    expect("IncorrectInstanceStatus", 400, ali.unassociate, HAVIP, I3)
    server.set_instance_status(I3, "Running")
    ali.unassociate(HAVIP, I3)


def test_failover_moves_the_master(ali, server):
    ali.associate(HAVIP, I1)
    ali.associate(HAVIP, I2)
    assert ali.one(HAVIP)["MasterInstanceId"] == I1
    server.failover(HAVIP, to=I2)
    assert ali.one(HAVIP)["MasterInstanceId"] == I2
    # The old master goes without Force; the new one needs it.
    ali.unassociate(HAVIP, I1)
    expect("Forbidden.UnassociateMaster", 400, ali.unassociate, HAVIP, I2)
    ali.unassociate(HAVIP, I2, force="True")
    assert ali.one(HAVIP)["Status"] == "Available"


# ----------------------------------------------------------------------------------------
# Rarer errors


TINY_SEED = """
[[account]]
id = "1000000000000001"
[[access_key]]
account = "1000000000000001"
id = "AKDEMO0000000001"
secret = "demo-secret-0000000000000001"
[[vpc]]
id = "vpc-tiny"
account = "1000000000000001"
region = "cn-shanghai"
cidr = "10.0.0.0/16"
[[subnet]]
id = "vsw-tiny"
vpc = "vpc-tiny"
zone = "cn-shanghai-b"
cidr = "10.0.0.0/29"
"""


def test_subnet_exhausted(havip_server, tmp_path):
    seed = tmp_path / "tiny.toml"
    seed.write_text(TINY_SEED)
    ali = Ali(havip_server(seed=seed), "legacy")
    # A /29 keeps the network, gateway and broadcast addresses: 5 are left.
    for _ in range(5):
        ali.create("vsw-tiny")
    expect("InvalidVSwitchId.IpNotEnough", 400, ali.create, "vsw-tiny")


def test_invalid_next_token(ali):
    expect("InvalidNextToken", 400, ali.list_tags, ids=[HAVIP], next_token="not-a-token")


def test_resource_group(server):
    a = Ali(server, "acs3")
    a.client.create_ha_vip_with_options(
        M.CreateHaVipRequest(region_id=REGION, v_switch_id=VSW, resource_group_id="rg-1"), RuntimeOptions())
    in_group = a.client.describe_ha_vips_with_options(
        M.DescribeHaVipsRequest(region_id=REGION, resource_group_id="rg-1"), RuntimeOptions()).body
    assert in_group.total_count == 1 and in_group.ha_vips.ha_vip[0].resource_group_id == "rg-1"
    assert a.describe()["TotalCount"] == 2


def test_client_token_retry_while_in_flight(havip_server):
    """Alibaba answers a retry of a change still in flight as the first request did."""
    server = havip_server(transition_delay="1h")
    ali = Ali(server, "v2")
    ali.associate(HAVIP, I1, client_token="retry-1")
    ali.associate(HAVIP, I1, client_token="retry-1")
    assert ali.one(HAVIP)["Status"] == "Associating"
    expect("IdempotenceParamNotMatch", 400, ali.associate, HAVIP, I2, client_token="retry-1")
    server.complete(HAVIP)
    wait_status(ali, HAVIP, "InUse")
    assert instances(ali.one(HAVIP)) == [I1]
