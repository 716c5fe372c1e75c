"""Every answer of every face, compared key by key with the official SDK's response model.

An answer that lacks a key the SDK model declares leaves that attribute `None` in the
user's script, while the real cloud fills it: a script that passes here would break
there, or the other way round. `model_check.check` walks each answer's JSON along the
model class tree (Volcengine `attribute_map`/`swagger_types`, Huawei `attribute_map`/
`openapi_types`, Alibaba Tea `from_map`) and fails on a missing key. The keys havip leaves
out on purpose are listed per face below, each with its reason, and each test checks that
every one of them is still left out (a stale reason fails too).

The answers are fetched raw (signed by the small signers of the wire tests) so that the
JSON is checked as sent, before any SDK fills defaults. Each face runs once with changes
completing at once and once with changes left in flight (`--transition-delay 1h`, finished
through the native API), since some keys only appear while a change is in flight.
"""

import json

import alibabacloud_vpc20160428.models as ali_models
import huaweicloudsdkecs.v2.model as ecs_models
import huaweicloudsdkvpc.v2.model as vpc_models
import pytest
import volcenginesdkvpc.models as volc_models

import model_check
from conftest import HUAWEI_PROJECT
from test_aliyun import I1 as ALI_I1, VSW as ALI_VSW
from test_aliyun_wire import rpc
from test_huawei import NET1, NIC1, SRV1, free_ips
from test_huawei_wire import send, signed
from test_volcengine import SUBNET as VOLC_SUBNET, I1 as VOLC_I1, sign_raw

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DELAYS = ["0s", "1h"]


def finish(server, havip_id, delay):
    if delay != "0s":
        server.complete(havip_id)


def assert_every_allowed_key_is_still_left_out(allowed, seen):
    stale = set(allowed) - seen
    assert not stale, f"these keys are now in every answer; drop them from the allowed list: {stale}"


# --- the checker itself ----------------------------------------------------------------------


def test_the_checker_finds_missing_keys_at_every_depth():
    # Swagger models (Volcengine, Huawei): a key missing inside a list element is found.
    answer = {"HaVips": [{"HaVipId": "h", "Tags": [{"Key": "k"}]}], "RequestId": "r"}
    found = dict(model_check.missing_keys(answer, volc_models.DescribeHaVipsResponse, volc_models))
    assert found["TagForDescribeHaVipsOutput.Value"] == "$.HaVips[0].Tags[0]"
    assert found["HaVipForDescribeHaVipsOutput.Status"] == "$.HaVips[0]"
    port = {"port": {"binding:vif_details": {}, "id": "p"}}
    found = dict(model_check.missing_keys(port, vpc_models.ShowPortResponse, vpc_models))
    assert found["Port.enable_efi"] == "$.port"
    assert found["BindingVifDetails.vlan_id"] == "$.port.binding:vif_details"
    # Tea models (Alibaba): keys are the ones `from_map` reads, in every nested model.
    answer = {"RequestId": "r", "HaVips": {"HaVip": [{"HaVipId": "h", "Tags": {}}]}}
    found = dict(model_check.missing_keys(answer, ali_models.DescribeHaVipsResponseBody))
    assert found["DescribeHaVipsResponseBodyHaVipsHaVip.Status"] == "$.HaVips.HaVip[0]"
    assert found["DescribeHaVipsResponseBodyHaVipsHaVipTags.Tag"] == "$.HaVips.HaVip[0].Tags"
    assert "DescribeHaVipsResponseBody.RequestId" not in found
    # An allowed key is named with its reason; any other missing key fails.
    with pytest.raises(AssertionError, match="HaVipId"):
        model_check.check({}, volc_models.CreateHaVipResponse, {"CreateHaVipResponse.AsyncTaskId": "r"},
                          volc_models)


# --- Volcengine ----------------------------------------------------------------------------

# Keys of the Volcengine models that havip leaves out, and why.
VOLC_ALLOWED = {
    # ModifyHaVipAttributes changes the name and description inside the request: no
    # change is left in flight, so there is no task to name (the docs list only RequestId).
    "ModifyHaVipAttributesResponse.AsyncTaskId": "Modify leaves no change in flight",
    # Paging by MaxResults/NextToken has no page number: PageNumber is in the answer of
    # PageNumber/PageSize paging only (docs/volcengine.md, Paging).
    "DescribeHaVipsResponse.PageNumber": "token paging has no page number",
    # The lookups: what havip does not model (IPv6, ACLs, security groups, EIPs on ENIs,
    # connection tracking timeouts, VPC names, another account's subnets) stays out.
    "SubnetForDescribeSubnetsOutput.Ipv6CidrBlock": "IPv4-only subnets",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.AssociatedElasticIp": "no EIP on ENIs",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.Attachment": "attachment details not modelled",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.IPv6Sets": "IPv4-only ENIs",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.TcpClosedAndTimeWaitTimeout": "no conntrack settings",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.TcpEstablishedTimeout": "no conntrack settings",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.UdpTimeout": "no conntrack settings",
    "NetworkInterfaceSetForDescribeNetworkInterfacesOutput.VpcName": "VPC names not shown",
    "PrivateIpSetForDescribeNetworkInterfacesOutput.AssociatedElasticIp": "no EIP on ENIs",
}
VOLC_ALLOWED_WHEN_IMMEDIATE = {
    # Create/Delete/Associate/Disassociate: the id of the change the request left in
    # flight; with --transition-delay 0s the change completes inside the request, so
    # there is no task to name (wire-volcengine.md 1.1: AsyncTaskId is in the SDK model
    # only, the docs do not list it).
    "CreateHaVipResponse.AsyncTaskId": "no change left in flight",
    "DeleteHaVipResponse.AsyncTaskId": "no change left in flight",
    "AssociateHaVipResponse.AsyncTaskId": "no change left in flight",
    "DisassociateHaVipResponse.AsyncTaskId": "no change left in flight",
}


def volc(server, action, **params):
    r = sign_raw(server, {"Action": action, "Version": "2020-04-01", **params})
    assert r.status_code == 200, r.text
    return r.json()["Result"]


@pytest.mark.parametrize("delay", DELAYS)
def test_volcengine_answers_have_every_key_of_the_sdk_models(havip_server, delay):
    server = havip_server(transition_delay=delay)
    allowed = dict(VOLC_ALLOWED, **(VOLC_ALLOWED_WHEN_IMMEDIATE if delay == "0s" else {}))
    seen = set()

    def check(result, model):
        seen.update(model_check.check(result, model, allowed, volc_models))

    created = volc(server, "CreateHaVip", SubnetId=VOLC_SUBNET, HaVipName="web",
                   **{"Tags.1.Key": "env", "Tags.1.Value": "prod"})
    check(created, volc_models.CreateHaVipResponse)
    hid = created["HaVipId"]
    finish(server, hid, delay)
    check(volc(server, "ModifyHaVipAttributes", HaVipId=hid, Description="d"),
          volc_models.ModifyHaVipAttributesResponse)
    check(volc(server, "AssociateHaVip", HaVipId=hid, InstanceId=VOLC_I1),
          volc_models.AssociateHaVipResponse)
    for params in ({}, {"HaVipIds.1": hid}, {"MaxResults": "1"}, {"PageNumber": "1", "PageSize": "1"}):
        check(volc(server, "DescribeHaVips", **params), volc_models.DescribeHaVipsResponse)
    finish(server, hid, delay)
    described = volc(server, "DescribeHaVips", **{"HaVipIds.1": hid})
    assert described["HaVips"][0]["Tags"], "the tag list is checked too"
    check(described, volc_models.DescribeHaVipsResponse)
    check(volc(server, "DisassociateHaVip", HaVipId=hid, InstanceId=VOLC_I1),
          volc_models.DisassociateHaVipResponse)
    finish(server, hid, delay)
    check(volc(server, "DeleteHaVip", HaVipId=hid), volc_models.DeleteHaVipResponse)
    check(volc(server, "DescribeSubnets", **{"SubnetIds.1": VOLC_SUBNET}), volc_models.DescribeSubnetsResponse)
    check(volc(server, "DescribeNetworkInterfaces", InstanceId=VOLC_I1),
          volc_models.DescribeNetworkInterfacesResponse)
    assert_every_allowed_key_is_still_left_out(allowed, seen)


# --- Alibaba -------------------------------------------------------------------------------

ALI_ALLOWED = {
    # A vSwitch shared from another account shows ShareType `Sharing`; havip shares none.
    "DescribeVSwitchesResponseBodyVSwitchesVSwitch.ShareType": "no shared vSwitches",
}


def ali(server, action, **params):
    r = rpc(server, action, params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("delay", DELAYS)
def test_alibaba_answers_have_every_key_of_the_sdk_models(havip_server, delay):
    server = havip_server(transition_delay=delay)
    allowed = dict(ALI_ALLOWED)
    seen = set()

    def check(body, model):
        seen.update(model_check.check(body, model, allowed))

    created = ali(server, "CreateHaVip", VSwitchId=ALI_VSW, Name="web",
                  **{"Tag.1.Key": "env", "Tag.1.Value": "prod"})
    check(created, ali_models.CreateHaVipResponseBody)
    hid = created["HaVipId"]
    finish(server, hid, delay)
    check(ali(server, "ModifyHaVipAttribute", HaVipId=hid, Description="d"),
          ali_models.ModifyHaVipAttributeResponseBody)
    check(ali(server, "AssociateHaVip", HaVipId=hid, InstanceId=ALI_I1),
          ali_models.AssociateHaVipResponseBody)
    check(ali(server, "DescribeHaVips"), ali_models.DescribeHaVipsResponseBody)
    finish(server, hid, delay)
    described = ali(server, "DescribeHaVips", **{"Filter.1.Key": "HaVipId", "Filter.1.Value.1": hid})
    one = described["HaVips"]["HaVip"][0]
    assert one["Tags"]["Tag"] and one["AssociatedInstances"]["associatedInstance"], "nested lists are checked too"
    check(described, ali_models.DescribeHaVipsResponseBody)
    check(ali(server, "TagResources", ResourceType="HAVIP", **{"ResourceId.1": hid, "Tag.1.Key": "team",
                                                               "Tag.1.Value": "net"}),
          ali_models.TagResourcesResponseBody)
    check(ali(server, "ListTagResources", ResourceType="HAVIP", **{"ResourceId.1": hid}),
          ali_models.ListTagResourcesResponseBody)
    check(ali(server, "UnTagResources", ResourceType="HAVIP", **{"ResourceId.1": hid, "TagKey.1": "team"}),
          ali_models.UnTagResourcesResponseBody)
    check(ali(server, "UnassociateHaVip", HaVipId=hid, InstanceId=ALI_I1, Force="true"),
          ali_models.UnassociateHaVipResponseBody)
    finish(server, hid, delay)
    check(ali(server, "MoveResourceGroup", ResourceType="HaVip", ResourceId=hid, NewResourceGroupId="rg-1"),
          ali_models.MoveResourceGroupResponseBody)
    check(ali(server, "DeleteHaVip", HaVipId=hid), ali_models.DeleteHaVipResponseBody)
    check(ali(server, "DescribeVSwitches", VSwitchId=ALI_VSW), ali_models.DescribeVSwitchesResponseBody)
    assert_every_allowed_key_is_still_left_out(allowed, seen)


# --- Huawei --------------------------------------------------------------------------------

# Keys of the Huawei models that havip leaves out, and why.
HUAWEI_ALLOWED = {
    # `binding:vif_details` is `{}`: havip plugs no port into a hypervisor's virtual
    # switch. Neutron shows `{}` for a port without a binding (vif_type `unbound`), which
    # is what a VIP port is; the keys below describe a hypervisor binding (OVS hybrid
    # plug, trunk VLAN and parent, primary NIC) that havip has nothing to report for.
    **{f"BindingVifDetails.{k}": "no hypervisor binding: Neutron shows {} for unbound ports"
       for k in ("primary_interface", "port_filter", "ovs_hybrid_plug", "vlan_id", "parent_id",
                 "parent_device_id")},
    # VPC v1 `Port.ipv6_bandwidth_id`: the SDK's own docstring says it "is shown only when
    # an IPv6 NIC is bound to a shared bandwidth"; havip ports are IPv4 only, so the real
    # cloud would not show it either.
    "Port.ipv6_bandwidth_id": "only shown for an IPv6 NIC bound to a shared bandwidth",
    # Neutron adds `ports_links` only when the list asks for a `limit`
    # (api_common.get_pagination_links returns no links without one).
    "NeutronListPortsResponse.ports_links": "Neutron links pages only when a limit is given",
    # Subnets are IPv4 only in havip: the IPv6 fields stay out, as Huawei leaves them out
    # of a subnet without IPv6.
    "Subnet.cidr_v6": "IPv4-only subnet",
    "Subnet.gateway_ip_v6": "IPv4-only subnet",
    "Subnet.neutron_subnet_id_v6": "IPv4-only subnet",
    "Subnet.scope": "only shown for edge (CloudPond) subnets",
    "Subnet.enable_network_address_usage_metrics": "not a feature havip models",
    "Subnet.available_ip_address_count": "not counted by havip",
    # A server's NIC has no QoS, multi-queue or PCI placement in havip.
    "InterfaceAttachment.min_rate": "no NIC QoS in havip",
    "InterfaceAttachment.multiqueue_num": "no NIC multi-queue in havip",
    "InterfaceAttachment.pci_address": "no PCI placement in havip",
    "ListServerInterfacesResponse.attachableQuantity": "NIC quotas are not modelled",
}


def huawei(server, method, path, query=(), body=None):
    raw = json.dumps(body).encode() if body is not None else b""
    r = send(signed(server, method, path, list(query), raw))
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


@pytest.mark.parametrize("delay", DELAYS)
def test_huawei_answers_have_every_key_of_the_sdk_models(havip_server, delay):
    server = havip_server(transition_delay=delay)
    allowed = dict(HUAWEI_ALLOWED)
    seen = set()

    def check(body, model, namespace):
        seen.update(model_check.check(body, model, allowed, namespace))

    first, second, third = free_ips(server, 3)
    v1 = f"/v1/{HUAWEI_PROJECT}/ports"
    pairs = [{"ip_address": "192.168.1.11"}]
    created = huawei(server, "POST", "/v2.0/ports", body={"port": {
        "network_id": NET1, "device_owner": "neutron:VIP_PORT", "fixed_ips": [{"ip_address": first}],
        "allowed_address_pairs": pairs}})
    check(created, vpc_models.NeutronCreatePortResponse, vpc_models)
    pid = created["port"]["id"]
    check(huawei(server, "GET", f"/v2.0/ports/{pid}"), vpc_models.NeutronShowPortResponse, vpc_models)
    check(huawei(server, "PUT", f"/v2.0/ports/{pid}", body={"port": {"name": "n"}}),
          vpc_models.NeutronUpdatePortResponse, vpc_models)
    check(huawei(server, "GET", "/v2.0/ports", [("limit", "1")]), vpc_models.NeutronListPortsResponse,
          vpc_models)

    created_v1 = huawei(server, "POST", v1, body={"port": {
        "network_id": NET1, "device_owner": "neutron:VIP_PORT", "fixed_ips": [{"ip_address": second}]}})
    check(created_v1, vpc_models.CreatePortResponse, vpc_models)
    pid_v1 = created_v1["port"]["id"]
    check(huawei(server, "GET", f"{v1}/{pid_v1}"), vpc_models.ShowPortResponse, vpc_models)
    check(huawei(server, "PUT", f"{v1}/{pid_v1}", body={"port": {"allowed_address_pairs": pairs}}),
          vpc_models.UpdatePortResponse, vpc_models)
    check(huawei(server, "GET", v1), vpc_models.ListPortsResponse, vpc_models)

    nic_path = f"/v1/{HUAWEI_PROJECT}/cloudservers/nics/{NIC1}"
    bound = huawei(server, "PUT", nic_path, body={"nic": {"subnet_id": NET1, "ip_address": third,
                                                          "reverse_binding": True}})
    check(bound, ecs_models.AssociateServerVirtualIpResponse, ecs_models)
    # Every port of the project, NIC ports and a bound VIP port (in flight or done) included.
    check(huawei(server, "GET", "/v2.0/ports"), vpc_models.NeutronListPortsResponse, vpc_models)
    check(huawei(server, "GET", v1), vpc_models.ListPortsResponse, vpc_models)
    vip = huawei(server, "GET", "/v2.0/ports", [("fixed_ips", f"ip_address={third}")])["ports"][0]
    finish(server, vip["id"], delay)
    unbound = huawei(server, "PUT", nic_path, body={"nic": {"subnet_id": "", "ip_address": ""}})
    check(unbound, ecs_models.DisassociateServerVirtualIpResponse, ecs_models)
    finish(server, vip["id"], delay)
    assert huawei(server, "DELETE", f"/v2.0/ports/{pid}") is None
    assert huawei(server, "DELETE", f"{v1}/{pid_v1}") is None
    subnets = f"/v1/{HUAWEI_PROJECT}/subnets"
    check(huawei(server, "GET", f"{subnets}/{NET1}"), vpc_models.ShowSubnetResponse, vpc_models)
    check(huawei(server, "GET", subnets), vpc_models.ListSubnetsResponse, vpc_models)
    interfaces = f"/v1/{HUAWEI_PROJECT}/cloudservers/{SRV1}/os-interface"
    check(huawei(server, "GET", interfaces), ecs_models.ListServerInterfacesResponse, ecs_models)
    assert_every_allowed_key_is_still_left_out(allowed, seen)
