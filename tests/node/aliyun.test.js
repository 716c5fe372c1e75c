'use strict';
// The Alibaba Cloud VPC face, judged by the official Node.js SDKs, in three modes:
//   acs3    @alicloud/vpc20160428 on @alicloud/openapi-core, default ACS3-HMAC-SHA256
//   v2      the same client with signatureAlgorithm 'v2' (RPC HMAC-SHA1)
//   legacy  @alicloud/pop-core's RPCClient (RPC HMAC-SHA1), the SDK's own request()
// Expected codes and statuses are those of tests/sdk/test_aliyun.py and test_aliyun_wire.py.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const Vpc = require('@alicloud/vpc20160428');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const { RPCClient } = require('@alicloud/pop-core');

const { AK, SK, rejection, startServer } = require('./havip');

const REGION = 'cn-shanghai';
const VPC = 'vpc-uf6demo0001';
const VSW = 'vsw-uf6demo0001';
const HAVIP = 'havip-uf6demo0001'; // seeded, Available
const I1 = 'i-uf6demo0001';
const I2 = 'i-uf6demo0002';
const I_OTHER_SUBNET = 'i-uf6demo0005'; // in vsw-uf6demo0002

let server;
before(async () => { server = await startServer(); });
after(() => server && server.stop());

/** An SDK's error, whichever SDK raised it. */
function aliError(code, status, requestId) {
  return Object.assign(new Error(`${status} ${code}`), { code, status, requestId });
}

/** The new SDK (ACS3, or RPC with signatureAlgorithm 'v2'), answers as typed models. */
class NewSdk {
  constructor(mode, { sk = SK } = {}) {
    const config = new $OpenApiUtil.Config({
      accessKeyId: AK, accessKeySecret: sk, endpoint: server.endpoint, protocol: 'http', regionId: REGION,
    });
    if (mode === 'v2') config.signatureAlgorithm = 'v2';
    this.client = new Vpc.default(config);
  }

  async call(method, request) {
    try {
      const response = await this.client[method](request);
      assert.equal(response.statusCode, 200);
      return response.body;
    } catch (err) {
      if (err.code === undefined) throw err;
      throw aliError(err.code, err.statusCode, err.requestId);
    }
  }

  async create(vSwitchId, name) {
    const body = await this.call('createHaVip', new Vpc.CreateHaVipRequest({ regionId: REGION, vSwitchId, name }));
    return { id: body.haVipId, ip: body.ipAddress, requestId: body.requestId };
  }

  associate(haVipId, instanceId, instanceType) {
    return this.call('associateHaVip', new Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId, instanceId, instanceType }));
  }

  unassociate(haVipId, instanceId, force) {
    return this.call('unassociateHaVip', new Vpc.UnassociateHaVipRequest({ regionId: REGION, haVipId, instanceId, force }));
  }

  delete(haVipId) {
    return this.call('deleteHaVip', new Vpc.DeleteHaVipRequest({ regionId: REGION, haVipId }));
  }

  /** DescribeHaVips filtered by id: the HaVips found, read from the SDK's typed model. */
  async find(haVipId) {
    const filter = [new Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: [haVipId] })];
    const body = await this.call('describeHaVips', new Vpc.DescribeHaVipsRequest({ regionId: REGION, filter }));
    return body.haVips.haVip.map((h) => ({
      id: h.haVipId,
      status: h.status,
      ip: h.ipAddress,
      vpc: h.vpcId,
      vSwitch: h.vSwitchId,
      name: h.name,
      instances: h.associatedInstances.associatedInstance,
      master: h.masterInstanceId,
      type: h.associatedInstanceType,
    }));
  }
}

/** @alicloud/pop-core: plain JSON answers; changes are sent as POST, reads as GET. */
class PopCore {
  constructor(_mode, { sk = SK } = {}) {
    this.client = new RPCClient({
      accessKeyId: AK, accessKeySecret: sk, endpoint: `http://${server.endpoint}`, apiVersion: '2016-04-28',
    });
  }

  async call(action, params, method = 'POST') {
    const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    try {
      return await this.client.request(action, { RegionId: REGION, ...defined }, { method });
    } catch (err) {
      if (err.code === undefined) throw err;
      throw aliError(err.code, err.entry.response.statusCode, err.data.RequestId);
    }
  }

  async create(VSwitchId, Name) {
    const body = await this.call('CreateHaVip', { VSwitchId, Name });
    return { id: body.HaVipId, ip: body.IpAddress, requestId: body.RequestId };
  }

  associate(HaVipId, InstanceId, InstanceType) {
    return this.call('AssociateHaVip', { HaVipId, InstanceId, InstanceType });
  }

  unassociate(HaVipId, InstanceId, Force) {
    return this.call('UnassociateHaVip', { HaVipId, InstanceId, Force });
  }

  delete(HaVipId) {
    return this.call('DeleteHaVip', { HaVipId });
  }

  async find(haVipId) {
    const body = await this.call('DescribeHaVips', { Filter: [{ Key: 'HaVipId', Value: [haVipId] }] }, 'GET');
    return body.HaVips.HaVip.map((h) => ({
      id: h.HaVipId,
      status: h.Status,
      ip: h.IpAddress,
      vpc: h.VpcId,
      vSwitch: h.VSwitchId,
      name: h.Name,
      instances: h.AssociatedInstances.associatedInstance,
      master: h.MasterInstanceId,
      type: h.AssociatedInstanceType,
    }));
  }
}

const MODES = { acs3: NewSdk, v2: NewSdk, legacy: PopCore };
const client = (mode, options) => new MODES[mode](mode, options);

async function one(ali, haVipId) {
  const found = await ali.find(haVipId);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0];
}

async function expectError(code, status, call) {
  const err = await rejection(call);
  assert.deepEqual({ code: err.code, status: err.status }, { code, status }, String(err.stack));
  assert.ok(err.requestId, 'every error carries a RequestId');
}

for (const mode of Object.keys(MODES)) {
  describe(`Alibaba Cloud, ${mode}`, () => {
    test('create, associate two instances, describe InUse, unassociate, delete', async () => {
      const ali = client(mode);
      const created = await ali.create(VSW, `node-${mode}`);
      assert.match(created.id, /^havip-/);
      assert.match(created.ip, /^192\.168\.1\.\d+$/);
      assert.ok(created.requestId);
      let h = await one(ali, created.id);
      assert.deepEqual([h.status, h.ip, h.vpc, h.vSwitch, h.name], ['Available', created.ip, VPC, VSW, `node-${mode}`]);
      assert.deepEqual(h.instances, []);

      await ali.associate(created.id, I1);
      await ali.associate(created.id, I2, 'EcsInstance');
      h = await one(ali, created.id);
      assert.deepEqual([h.status, h.instances, h.master, h.type], ['InUse', [I1, I2], I1, 'EcsInstance']);
      const native = await server.havip(created.id);
      assert.equal(native.master, I1);

      await ali.unassociate(created.id, I2);
      assert.deepEqual((await one(ali, created.id)).instances, [I1]);
      await ali.unassociate(created.id, I1, 'True'); // the master goes with Force only
      h = await one(ali, created.id);
      assert.deepEqual([h.status, h.instances, h.master], ['Available', [], '']);

      await ali.delete(created.id);
      assert.deepEqual(await ali.find(created.id), []);
    });

    test('a HaVip that does not exist: InvalidHaVipId.NotFound, 404', async () => {
      const ali = client(mode);
      await expectError('InvalidHaVipId.NotFound', 404, () => ali.associate('havip-nope', I1));
      await expectError('InvalidHaVipId.NotFound', 404, () => ali.delete('havip-nope'));
    });

    test('an instance of another vSwitch: OperationUnsupported.BindOnMultipleVswitch, 400', async () => {
      const ali = client(mode);
      await expectError('OperationUnsupported.BindOnMultipleVswitch', 400, () => ali.associate(HAVIP, I_OTHER_SUBNET));
      const h = await one(ali, HAVIP);
      assert.deepEqual([h.status, h.instances], ['Available', []]);
    });

    test('a wrong secret: SignatureDoesNotMatch, 400', async () => {
      await expectError('SignatureDoesNotMatch', 400, () => client(mode, { sk: 'wrong-secret' }).find(HAVIP));
    });
  });
}
