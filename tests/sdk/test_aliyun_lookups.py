"""DescribeVSwitches through both Alibaba SDKs (the new one with ACS3, the legacy one with
the RPC signature): the lookup HA scripts make to find a HaVip's vSwitch and its free
addresses, with the filters and paging the SDKs send, against the example seed's
cn-shanghai inventory."""

from alibabacloud_vpc20160428 import models as M
from aliyunsdkvpc.request.v20160428 import DescribeVSwitchesRequest

from test_aliyun import REGION, VPC, VSW, VSW2, Ali, _set, expect


def new_sdk(server, **kw):
    a = Ali(server, "acs3")
    return a._new(a.client.describe_vswitches_with_options,
                  M.DescribeVSwitchesRequest(region_id=REGION, **kw))


def legacy(server, **params):
    req = _set(DescribeVSwitchesRequest.DescribeVSwitchesRequest(), **params)
    return Ali(server, "legacy")._legacy(req)


def ids(body):
    return [v["VSwitchId"] for v in body["VSwitches"]["VSwitch"]]


def test_describe_vswitches_reads_what_scripts_read(server):
    body = new_sdk(server, v_switch_id=VSW)
    assert body["TotalCount"] == 1
    v = body["VSwitches"]["VSwitch"][0]
    assert (v["VSwitchId"], v["VpcId"], v["CidrBlock"], v["ZoneId"], v["Status"]) == (
        VSW, VPC, "192.168.1.0/24", "cn-shanghai-b", "Available")
    before = v["AvailableIpAddressCount"]
    Ali(server, "acs3").create(VSW)
    after = new_sdk(server, v_switch_id=VSW)["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]
    assert after == before - 1  # a HaVip takes an address of the vSwitch


def test_describe_vswitches_filters_and_pages_in_both_sdks(server):
    assert ids(new_sdk(server, vpc_id=VPC)) == [VSW, VSW2]
    assert ids(legacy(server, VpcId=VPC)) == [VSW, VSW2]
    assert ids(new_sdk(server, zone_id="cn-shanghai-e")) == [VSW2]
    assert ids(new_sdk(server, vpc_id="vpc-none")) == []
    assert ids(new_sdk(server, is_default=True)) == []
    page = legacy(server, VpcId=VPC, PageNumber=2, PageSize=1)
    assert (page["TotalCount"], page["PageNumber"], page["PageSize"], ids(page)) == (2, 2, 1, [VSW2])


def test_describe_vswitches_errors(server):
    expect("InvalidParameter", 400, new_sdk, server, page_size=51)
    a = Ali(server, "acs3", region="cn-nowhere-1")
    expect("InvalidRegionId.NotFound", 404, a._new, a.client.describe_vswitches_with_options,
           M.DescribeVSwitchesRequest(region_id="cn-nowhere-1"))
