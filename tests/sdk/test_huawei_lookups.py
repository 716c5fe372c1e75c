"""The lookups Huawei HA tooling makes before it binds a VIP, through the official SDKs:
VPC v1 subnets (show, list with vpc_id/limit/marker; what `huaweicloud_networking_vip`
reads first) and a server's NICs (ECS `os-interface`), against the example seed's
cn-north-4 inventory."""

import pytest
from huaweicloudsdkecs.v2 import ListServerInterfacesRequest
from huaweicloudsdkvpc.v2 import ListSubnetsRequest, ShowSubnetRequest

from test_huawei import (
    NET1,
    NET2,
    NIC1,
    NIC1_SECOND,
    NIC3,
    NIC_SERVICE,
    SRV1,
    SRV3,
    bind,
    ecs,
    expect,
    port,
    vpc,
)

VPC_ID = "10000000-0000-4000-8000-000000000001"

# Both ECS NIC methods are flagged deprecated by the SDK (they still work).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_show_subnet_reads_what_the_provider_reads(server):
    s = vpc(server).show_subnet(ShowSubnetRequest(subnet_id=NET1)).subnet
    assert (s.id, s.vpc_id, s.cidr, s.gateway_ip, s.status) == (
        NET1, VPC_ID, "192.168.1.0/24", "192.168.1.1", "ACTIVE")
    assert s.availability_zone == "cn-north-4a"
    assert s.neutron_network_id == NET1
    # The id ports name in fixed_ips[].subnet_id.
    assert port(vpc(server), NIC1).fixed_ips[0].subnet_id == s.neutron_subnet_id
    assert s.dhcp_enable is True and s.primary_dns and s.dns_list


def test_list_subnets_by_vpc_and_by_page(server):
    client = vpc(server)
    every = client.list_subnets(ListSubnetsRequest()).subnets
    assert [s.id for s in every] == [NET1, NET2]
    assert [s.id for s in client.list_subnets(ListSubnetsRequest(vpc_id=VPC_ID)).subnets] == [NET1, NET2]
    assert client.list_subnets(ListSubnetsRequest(vpc_id="no-such-vpc")).subnets == []
    first = client.list_subnets(ListSubnetsRequest(limit=1)).subnets
    assert [s.id for s in first] == [NET1]
    rest = client.list_subnets(ListSubnetsRequest(limit=1, marker=first[0].id)).subnets
    assert [s.id for s in rest] == [NET2]


def test_subnet_errors(server):
    expect(404, "VPC.0202", vpc(server).show_subnet, ShowSubnetRequest(subnet_id="no-such-subnet"))
    expect(400, "VPC.2500", vpc(server).list_subnets, ListSubnetsRequest(limit=0))
    # Another project's (here: no project's) subnets are not the caller's.
    expect(403, "APIGW.0302", vpc(server, project="0" * 32).show_subnet,
           ShowSubnetRequest(subnet_id=NET1))


def test_server_interfaces_list_the_primary_nic_first(server):
    nics = ecs(server).list_server_interfaces(
        ListServerInterfacesRequest(server_id=SRV1)).interface_attachments
    assert [n.port_id for n in nics] == [NIC1, NIC1_SECOND]
    primary = nics[0]
    assert (primary.net_id, primary.port_state) == (NET1, "ACTIVE")
    assert primary.fixed_ips[0].subnet_id == NET1
    assert primary.fixed_ips[0].ip_address == port(vpc(server), NIC1).fixed_ips[0].ip_address
    assert primary.mac_addr == port(vpc(server), NIC1).mac_address
    # A VIP bound to the NIC is not one of the server's interfaces.
    bind(ecs(server), NIC1, "192.168.1.200")
    again = ecs(server).list_server_interfaces(ListServerInterfacesRequest(server_id=SRV1))
    assert [n.port_id for n in again.interface_attachments] == [NIC1, NIC1_SECOND]
    # A service-managed NIC attached to a server is one of its interfaces too.
    third = ecs(server).list_server_interfaces(ListServerInterfacesRequest(server_id=SRV3))
    assert [n.port_id for n in third.interface_attachments] == [NIC3, NIC_SERVICE]


def test_server_interfaces_of_an_unknown_server(server):
    expect(404, "Ecs.0114", ecs(server).list_server_interfaces,
           ListServerInterfacesRequest(server_id="30000000-0000-4000-8000-0000000000ff"))


def test_terraform_huaweicloud_networking_vip_sequence(server):
    """`huaweicloud_networking_vip` as the provider drives it (VPC v1 API): read the subnet
    of `network_id` for its `neutron_subnet_id`, create a VIP port with that subnet id in
    `fixed_ips`, read it until its status is DOWN or ACTIVE, rename it, delete it, and
    read until 404."""
    from huaweicloudsdkvpc.v2 import (
        CreatePortOption,
        CreatePortRequest,
        CreatePortRequestBody,
        DeletePortRequest,
        FixedIp,
        ShowPortRequest,
        UpdatePortOption,
        UpdatePortRequest,
        UpdatePortRequestBody,
    )

    client = vpc(server)
    subnet = client.show_subnet(ShowSubnetRequest(subnet_id=NET1)).subnet
    option = CreatePortOption(name="tf-vip", device_owner="neutron:VIP_PORT", network_id=NET1,
                              fixed_ips=[FixedIp(subnet_id=subnet.neutron_subnet_id,
                                                 ip_address="192.168.1.230")])
    created = client.create_port(CreatePortRequest(body=CreatePortRequestBody(port=option))).port
    shown = client.show_port(ShowPortRequest(port_id=created.id)).port
    assert shown.status in ("DOWN", "ACTIVE")
    assert (shown.name, shown.device_owner, shown.network_id) == ("tf-vip", "neutron:VIP_PORT", NET1)
    assert (shown.fixed_ips[0].ip_address, shown.fixed_ips[0].subnet_id) == (
        "192.168.1.230", subnet.neutron_subnet_id)
    assert shown.mac_address
    client.update_port(UpdatePortRequest(port_id=created.id, body=UpdatePortRequestBody(
        port=UpdatePortOption(name="tf-vip-2"))))
    assert client.show_port(ShowPortRequest(port_id=created.id)).port.name == "tf-vip-2"
    client.delete_port(DeletePortRequest(port_id=created.id))
    expect(404, "VPC.2502", client.show_port, ShowPortRequest(port_id=created.id))
