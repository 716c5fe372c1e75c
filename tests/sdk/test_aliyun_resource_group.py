"""MoveResourceGroup for HaVips through both Alibaba SDKs, and the Terraform provider's
`alicloud_havip` request sequence replayed as the provider sends it (RPC, every
parameter in a signed form body): create, read by paging DescribeHaVips 20 at a time
until the HaVip is found and Available, modify, delete, read until it is gone."""

from alibabacloud_vpc20160428 import models as M
from aliyunsdkcore.request import CommonRequest
from aliyunsdkvpc.request.v20160428 import MoveResourceGroupRequest
from darabonba.runtime import RuntimeOptions

from test_aliyun import REGION, VSW, Ali, _set, expect

VERSION = "2016-04-28"


def move_new_sdk(server, havip_id, group, kind="HaVip"):
    a = Ali(server, "acs3")
    return a._new(a.client.move_resource_group_with_options, M.MoveResourceGroupRequest(
        region_id=REGION, resource_id=havip_id, resource_type=kind, new_resource_group_id=group))


def move_legacy(server, havip_id, group, kind="HaVip"):
    req = _set(MoveResourceGroupRequest.MoveResourceGroupRequest(), ResourceId=havip_id,
               ResourceType=kind, NewResourceGroupId=group)
    return Ali(server, "legacy")._legacy(req)


def group_of(server, havip_id):
    return Ali(server, "acs3").one(havip_id)["ResourceGroupId"]


def test_move_resource_group_through_both_sdks(server):
    a = Ali(server, "acs3")
    havip_id = a.create(VSW)["HaVipId"]
    assert move_new_sdk(server, havip_id, "rg-aaa")["RequestId"]
    assert group_of(server, havip_id) == "rg-aaa"
    assert move_legacy(server, havip_id, "rg-bbb", kind="havip")["RequestId"]
    assert group_of(server, havip_id) == "rg-bbb"
    found = a.client.describe_ha_vips_with_options(
        M.DescribeHaVipsRequest(region_id=REGION, resource_group_id="rg-bbb"), RuntimeOptions()).body
    assert [h.ha_vip_id for h in found.ha_vips.ha_vip] == [havip_id]


def test_move_resource_group_errors(server):
    a = Ali(server, "acs3")
    havip_id = a.create(VSW)["HaVipId"]
    expect("InvalidResourceId.NotFound", 404, move_new_sdk, server, "havip-absent000001", "rg-1")
    expect("InvalidResourceType.NotFound", 400, move_new_sdk, server, havip_id, "rg-1", kind="Vpc")
    expect("MissingParameter", 400, move_new_sdk, server, havip_id, None)
    expect("MissingParameter", 400, move_legacy, server, None, "rg-1")
    assert group_of(server, havip_id) == ""


def provider_call(server, action, **params):
    """One call as the provider's `conn.DoRequest(action, nil, "POST", "2016-04-28", "AK",
    nil, request)` makes it: RPC signature, the parameters in a form body."""
    req = CommonRequest(domain=server.endpoint, version=VERSION, action_name=action)
    req.set_method("POST")
    req.set_protocol_type("http")
    req.add_body_params("RegionId", REGION)
    for k, v in params.items():
        req.add_body_params(k, str(v))
    return Ali(server, "legacy")._legacy(req)


def provider_read(server, havip_id):
    """`VpcService.DescribeHavip`: DescribeHaVips pages of 20 until the id is found; None
    when no page holds it (the provider's NotFound)."""
    page = 1
    while True:
        body = provider_call(server, "DescribeHaVips", PageNumber=page, PageSize=20)
        items = body["HaVips"]["HaVip"]
        for h in items:
            if h["HaVipId"] == havip_id:
                return h
        if len(items) < 20:
            return None
        page += 1


def test_terraform_alicloud_havip_sequence(server):
    # Enough HaVips ahead of it that the provider's read must page.
    a = Ali(server, "acs3")
    for _ in range(22):
        a.create(VSW)
    created = provider_call(server, "CreateHaVip", VSwitchId=VSW, Name="tf-havip",
                            Description="made by terraform")
    havip_id = created["HaVipId"]
    read = provider_read(server, havip_id)
    assert read is not None and read["Status"] == "Available"
    assert (read["Name"], read["Description"], read["VSwitchId"]) == (
        "tf-havip", "made by terraform", VSW)
    assert read["IpAddress"] == created["IpAddress"]
    provider_call(server, "ModifyHaVipAttribute", HaVipId=havip_id, Name="tf-havip-2")
    assert provider_read(server, havip_id)["Name"] == "tf-havip-2"
    provider_call(server, "DeleteHaVip", HaVipId=havip_id)
    assert provider_read(server, havip_id) is None
    # A second delete gets the code the provider takes for "already gone".
    expect("InvalidHaVipId.NotFound", 404, provider_call, server, "DeleteHaVip", HaVipId=havip_id)
