"""The lookups Volcengine HA scripts make before they associate, through the official SDK
(volcenginesdkvpc): DescribeSubnets (the subnet of a HaVip, its free addresses) and
DescribeNetworkInterfaces (the ENIs of an instance, its primary one), with the filters
and both paging styles the SDK sends, against the example seed's cn-beijing inventory."""

import volcenginesdkvpc as vpc

from test_volcengine import (  # noqa: F401  (volc and volc_seed are fixtures)
    ENI_FREE,
    ENI_I1_PRIMARY,
    ENI_I1_SECONDARY,
    ENI_SERVICE_FREE,
    I1,
    OTHER_SUBNET,
    SUBNET,
    VPC,
    create,
    expect_error,
    universal,
    volc,
    volc_seed,
    vpc_api,
)


def subnets(api, **kw):
    return api.describe_subnets(vpc.DescribeSubnetsRequest(**kw))


def enis(api, **kw):
    return api.describe_network_interfaces(vpc.DescribeNetworkInterfacesRequest(**kw))


def test_describe_subnets_reads_what_scripts_read(volc):
    api = vpc_api(volc)
    page = subnets(api, subnet_ids=[SUBNET])
    assert page.total_count == 1
    s = page.subnets[0]
    assert (s.subnet_id, s.vpc_id, s.cidr_block, s.status) == (SUBNET, VPC, "192.168.1.0/24", "Available")
    assert s.zone_id and s.project_name == "default" and s.total_ipv4_count == 256
    before = s.available_ip_address_count
    create(api, subnet=SUBNET)
    after = subnets(api, subnet_ids=[SUBNET]).subnets[0].available_ip_address_count
    assert after == before - 1  # a HaVip takes an address of the subnet


def test_describe_subnets_filters_and_pages(volc):
    api = vpc_api(volc)
    ids = [s.subnet_id for s in subnets(api, vpc_id=VPC, page_size=100).subnets]
    assert SUBNET in ids and OTHER_SUBNET in ids and ids == sorted(ids)
    assert [s.subnet_id for s in subnets(api, subnet_ids=[SUBNET, OTHER_SUBNET]).subnets] == sorted(
        [SUBNET, OTHER_SUBNET])
    assert subnets(api, vpc_id="vpc-none").subnets == []
    assert subnets(api, project_name="other").subnets == []
    first = subnets(api, vpc_id=VPC, max_results=1)
    assert len(first.subnets) == 1 and first.next_token
    second = subnets(api, vpc_id=VPC, max_results=1, next_token=first.next_token)
    assert second.subnets[0].subnet_id == ids[1]
    numbered = subnets(api, vpc_id=VPC, page_number=2, page_size=1)
    assert (numbered.page_number, numbered.subnets[0].subnet_id) == (2, ids[1])


def test_describe_network_interfaces_of_an_instance(volc):
    api = vpc_api(volc)
    page = enis(api, instance_id=I1)
    assert [e.network_interface_id for e in page.network_interface_sets] == [ENI_I1_PRIMARY, ENI_I1_SECONDARY]
    primary = enis(api, instance_id=I1, type="primary").network_interface_sets
    assert [e.network_interface_id for e in primary] == [ENI_I1_PRIMARY]
    e = primary[0]
    assert (e.device_id, e.status, e.subnet_id, e.vpc_id, e.primary_ip_address) == (
        I1, "InUse", SUBNET, VPC, "192.168.1.11")
    assert e.private_ip_sets.private_ip_set[0].private_ip_address == "192.168.1.11"
    assert e.mac_address and e.service_managed is False


def test_describe_network_interfaces_filters(volc):
    api = vpc_api(volc)
    free = enis(api, status="Available", subnet_id=SUBNET).network_interface_sets
    assert ENI_FREE in [e.network_interface_id for e in free]
    assert all(e.device_id == "" for e in free)
    by_ip = enis(api, primary_ip_addresses=["192.168.1.21"]).network_interface_sets
    assert [e.network_interface_id for e in by_ip] == [ENI_I1_SECONDARY]
    by_id = enis(api, network_interface_ids=[ENI_SERVICE_FREE]).network_interface_sets
    assert by_id[0].service_managed is True
    assert enis(api, vpc_id="vpc-none").network_interface_sets == []
    assert enis(api, project_name="other").total_count == 0


def test_lookup_errors(volc):
    call = lambda action, params: universal(volc, action, params)  # noqa: E731
    expect_error(400, "InvalidParameter", call, "DescribeNetworkInterfaces", {"Type": "tertiary"})
    expect_error(400, "InvalidParameter", call, "DescribeNetworkInterfaces", {"Status": "Busy"})
    expect_error(400, "InvalidParameter", call, "DescribeSubnets", {"PageSize": "101"})
    expect_error(400, "InvalidParameter", call, "DescribeSubnets", {"NextToken": "x"})
    expect_error(404, "ServiceNotFound", universal, volc, "DescribeSubnets", {}, region="xx-nowhere-1")
