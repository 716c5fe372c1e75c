'use strict';
// The Huawei Cloud face, judged by the official Node.js SDKs: @huaweicloud/huaweicloud-sdk-vpc
// creates and reads the VIP port (Neutron /v2.0/ports and VPC v1 /v1/{project_id}/ports),
// @huaweicloud/huaweicloud-sdk-ecs binds it to a server's NIC and unbinds it. Errors are
// the SDK's ClientRequestException (httpStatusCode, errorCode, requestId).
// Expected codes and statuses are those of tests/sdk/test_huawei.py and test_huawei_wire.py.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientRequestException } = require('@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException');
const ecs = require('@huaweicloud/huaweicloud-sdk-ecs');
const vpc = require('@huaweicloud/huaweicloud-sdk-vpc');
// The SDK logs every error answer, with its request, to stdout; the tests check the exceptions.
require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger').Logger4jInstance.level = 'off';

const { AK, HUAWEI_PROJECT, SK, rejection, startServer } = require('./havip');

const NET1 = '20000000-0000-4000-8000-000000000001'; // 192.168.1.0/24
const NET2 = '20000000-0000-4000-8000-000000000002'; // 192.168.2.0/24
const SRV1 = '30000000-0000-4000-8000-000000000001';
const NIC1 = '40000000-0000-4000-8000-000000000001'; // primary NIC of SRV1, 192.168.1.11
const NIC1_MAC = 'fa:16:3e:03:00:01';
const NIC2 = '40000000-0000-4000-8000-000000000002'; // primary NIC of the second server

let server;
before(async () => { server = await startServer(); });
after(() => server && server.stop());

function credentials({ sk = SK } = {}) {
  return new BasicCredentials().withAk(AK).withSk(sk).withProjectId(HUAWEI_PROJECT);
}

const ecsClient = (options) => ecs.EcsClient.newBuilder()
  .withCredential(credentials(options)).withEndpoint(`http://${server.endpoint}`).build();
const vpcClient = (options) => vpc.VpcClient.newBuilder()
  .withCredential(credentials(options)).withEndpoint(`http://${server.endpoint}`).build();

function bind(client, nicId, ip, subnetId = NET1) {
  const option = new ecs.AssociateServerVirtualIpOption().withSubnetId(subnetId).withIpAddress(ip).withReverseBinding(true);
  return client.associateServerVirtualIp(new ecs.AssociateServerVirtualIpRequest()
    .withNicId(nicId).withBody(new ecs.AssociateServerVirtualIpRequestBody().withNic(option)));
}

function unbind(client, nicId) {
  const option = new ecs.DisassociateServerVirtualIpOption().withSubnetId('').withIpAddress('').withReverseBinding(false);
  return client.disassociateServerVirtualIp(new ecs.DisassociateServerVirtualIpRequest()
    .withNicId(nicId).withBody(new ecs.DisassociateServerVirtualIpRequestBody().withNic(option)));
}

async function neutronCreateVip(client, networkId = NET1) {
  const option = new vpc.NeutronCreatePortOption().withNetworkId(networkId).withDeviceOwner('neutron:VIP_PORT');
  return client.neutronCreatePort(new vpc.NeutronCreatePortRequest()
    .withBody(new vpc.NeutronCreatePortRequestBody().withPort(option)));
}

async function port(client, portId) {
  return (await client.neutronShowPort(new vpc.NeutronShowPortRequest().withPortId(portId))).port;
}

async function vipPorts(client) {
  return (await client.neutronListPorts(new vpc.NeutronListPortsRequest().withDeviceOwner('neutron:VIP_PORT'))).ports;
}

const pairIps = (p) => (p.allowed_address_pairs || []).map((a) => a.ip_address);

async function expectError(status, code, call) {
  const err = await rejection(call);
  assert.ok(err instanceof ClientRequestException, String(err && err.stack));
  assert.deepEqual([err.httpStatusCode, err.errorCode], [status, code], err.errorMsg);
  assert.ok(err.requestId, 'every answer carries X-Request-Id');
}

describe('Huawei Cloud', () => {
  test('Neutron VIP port: create, bind through ECS, show ACTIVE, unbind, delete', async () => {
    const v = vpcClient();
    const c = ecsClient();
    const created = await neutronCreateVip(v);
    assert.equal(created.httpStatusCode, 201);
    const vip = created.port;
    assert.deepEqual([vip.device_owner, vip.network_id, vip.status, vip.tenant_id],
      ['neutron:VIP_PORT', NET1, 'DOWN', HUAWEI_PROJECT]);
    const ip = vip.fixed_ips[0].ip_address;
    assert.match(ip, /^192\.168\.1\.\d+$/);

    const bound = await bind(c, NIC1, ip);
    assert.deepEqual([bound.httpStatusCode, bound.port_id], [200, NIC1]);
    let shown = await port(v, vip.id);
    assert.equal(shown.status, 'ACTIVE');
    // reverse_binding: the NIC's IP and MAC are in the VIP port's allowed_address_pairs...
    assert.deepEqual(shown.allowed_address_pairs.map((a) => [a.ip_address, a.mac_address]), [['192.168.1.11', NIC1_MAC]]);
    // ...and the NIC lists the VIP in its own.
    const nic = await port(v, NIC1);
    assert.deepEqual([nic.device_id, nic.device_owner], [SRV1, 'compute:cn-north-4a']);
    assert.ok(pairIps(nic).includes(ip));
    let havip = await server.havip(vip.id);
    assert.deepEqual([havip.status, havip.master, havip.members.map((m) => m.id)], ['InUse', NIC1, [NIC1]]);

    const unbound = await unbind(c, NIC1);
    assert.deepEqual([unbound.httpStatusCode, unbound.port_id], [200, NIC1]);
    shown = await port(v, vip.id);
    assert.deepEqual([shown.status, pairIps(shown)], ['DOWN', []]);
    assert.ok(!pairIps(await port(v, NIC1)).includes(ip));
    havip = await server.havip(vip.id);
    assert.deepEqual([havip.status, havip.members], ['Available', []]);

    const deleted = await v.neutronDeletePort(new vpc.NeutronDeletePortRequest().withPortId(vip.id));
    assert.equal(deleted.httpStatusCode, 204);
    assert.deepEqual(await vipPorts(v), []);
  });

  test('VPC v1 VIP port: create, bind through ECS, show ACTIVE, unbind, delete', async () => {
    const v = vpcClient();
    const c = ecsClient();
    const option = new vpc.CreatePortOption().withNetworkId(NET1).withDeviceOwner('neutron:VIP_PORT').withName('node-vip');
    const created = await v.createPort(new vpc.CreatePortRequest().withBody(new vpc.CreatePortRequestBody().withPort(option)));
    assert.equal(created.httpStatusCode, 200);
    const vip = created.port;
    assert.deepEqual([vip.name, vip.device_owner, vip.network_id, vip.zone_id],
      ['node-vip', 'neutron:VIP_PORT', NET1, 'cn-north-4a']);
    await bind(c, NIC2, vip.fixed_ips[0].ip_address);
    const shown = (await v.showPort(new vpc.ShowPortRequest().withPortId(vip.id))).port;
    assert.equal(shown.status, 'ACTIVE');
    assert.deepEqual((await server.havip(vip.id)).members.map((m) => m.id), [NIC2]);
    await unbind(c, NIC2);
    const deleted = await v.deletePort(new vpc.DeletePortRequest().withPortId(vip.id));
    assert.equal(deleted.httpStatusCode, 204);
    // havip answers VPC.2502 in the VPC v1 envelope, {"code", "message"} (test_huawei.py sees the
    // code); this SDK reads codes from {"error": {"code"}} and {"error_code"} only, so it gives
    // the status and the request id here, and no code.
    const err = await rejection(() => v.showPort(new vpc.ShowPortRequest().withPortId(vip.id)));
    assert.ok(err instanceof ClientRequestException, String(err && err.stack));
    assert.deepEqual([err.httpStatusCode, err.errorCode], [404, undefined]);
    assert.ok(err.requestId);
  });

  test('a NIC that does not exist: Ecs.0307, 400', async () => {
    const vipsBefore = await vipPorts(vpcClient());
    await expectError(400, 'Ecs.0307', () => bind(ecsClient(), '40000000-0000-4000-8000-00000000ffff', '192.168.1.200'));
    await expectError(400, 'Ecs.0307', () => unbind(ecsClient(), 'no-such-nic'));
    assert.deepEqual(await vipPorts(vpcClient()), vipsBefore, 'no VIP port was made');
  });

  test('a subnet other than the NIC\'s: Ecs.0014, 400', async () => {
    const vipsBefore = await vipPorts(vpcClient());
    await expectError(400, 'Ecs.0014', () => bind(ecsClient(), NIC1, '192.168.2.100', NET2));
    assert.deepEqual(await vipPorts(vpcClient()), vipsBefore, 'no VIP port was made');
  });

  test('a wrong secret: APIGW.0301, 401', async () => {
    const vipsBefore = await vipPorts(vpcClient());
    await expectError(401, 'APIGW.0301', () => bind(ecsClient({ sk: 'not-the-secret' }), NIC1, '192.168.1.200'));
    await expectError(401, 'APIGW.0301', () => vipPorts(vpcClient({ sk: 'not-the-secret' })));
    assert.deepEqual(await vipPorts(vpcClient()), vipsBefore, 'no VIP port was made');
  });
});
