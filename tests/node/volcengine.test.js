'use strict';
// The Volcengine VPC face, judged by Volcengine's official Node.js SDK, @volcengine/openapi.
// It has no VPC client, so the calls go through its generic signed API, as a user would:
// `new Service({serviceName: 'vpc', ...}).createAPI(Action)` (GET, parameters in the
// query) and `createUrlEncodeAPI(Action)` (POST, form body). That API answers with the
// response body whatever the HTTP status, so the errors are also sent through the SDK's
// `Signer` (its documented "sign by HTTP header" use) and fetch, to see the status.
// Expected codes and statuses are those of tests/sdk/test_volcengine*.py.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { Service, Signer } = require('@volcengine/openapi');

const { AK, ACCOUNT, SK, startServer } = require('./havip');

const REGION = 'cn-beijing';
const VERSION = '2020-04-01';
const VPC = 'vpc-13fdemo0001';
const SUBNET = 'subnet-13fdemo0001';
const I1 = 'i-13fdemo0001';
const I2 = 'i-13fdemo0002';
const I_OTHER_SUBNET = 'i-13fdemo0005'; // in subnet-13fdemo0002

let server;
before(async () => { server = await startServer(); });
after(() => server && server.stop());

function service({ sk = SK } = {}) {
  return new Service({
    serviceName: 'vpc',
    defaultVersion: VERSION,
    region: REGION,
    host: server.endpoint,
    protocol: 'http:',
    accessKeyId: AK,
    secretKey: sk,
  });
}

/** One action through the SDK's Service: the Result, or an Error thrown with the envelope's code. */
async function call(action, params = {}, { post = false, sk } = {}) {
  const svc = service({ sk });
  const api = post ? svc.createUrlEncodeAPI(action) : svc.createAPI(action);
  const body = await api(params);
  const meta = body.ResponseMetadata;
  assert.equal(meta.Action, action);
  assert.ok(meta.RequestId);
  if (meta.Error) {
    throw Object.assign(new Error(`${meta.Error.Code}: ${meta.Error.Message}`), meta.Error);
  }
  return body.Result;
}

/** The same action signed by the SDK's Signer and sent with fetch: HTTP status and body. */
async function signedFetch(action, params = {}, { sk = SK } = {}) {
  const request = {
    region: REGION, method: 'GET', pathname: '/', headers: {}, params: { Action: action, Version: VERSION, ...params },
  };
  new Signer(request, 'vpc').addAuthorization({ accessKeyId: AK, secretKey: sk });
  const r = await fetch(`${server.url('/')}?${new URLSearchParams(request.params)}`, { headers: request.headers });
  return { status: r.status, body: await r.json() };
}

async function expectError(status, code, action, params, options) {
  await assert.rejects(call(action, params, options), (err) => {
    assert.equal(err.Code, code, err.message);
    assert.equal(typeof err.CodeN, 'number');
    return true;
  });
  const raw = await signedFetch(action, params, options);
  assert.deepEqual([raw.status, raw.body.ResponseMetadata.Error.Code], [status, code], JSON.stringify(raw.body));
}

async function find(haVipId) {
  return (await call('DescribeHaVips', { 'HaVipIds.1': haVipId }, { post: true })).HaVips;
}

async function one(haVipId) {
  const found = await find(haVipId);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0];
}

describe('Volcengine', () => {
  test('create, associate two instances, describe InUse, disassociate, delete', async () => {
    const created = await call('CreateHaVip', { SubnetId: SUBNET, HaVipName: 'node-vip', Description: 'from node' });
    assert.match(created.HaVipId, /^havip-/);
    assert.match(created.IpAddress, /^192\.168\.1\.\d+$/);
    const id = created.HaVipId;
    let h = await one(id);
    assert.deepEqual(
      [h.Status, h.IpAddress, h.VpcId, h.SubnetId, h.HaVipName, h.Description, h.AccountId],
      ['Available', created.IpAddress, VPC, SUBNET, 'node-vip', 'from node', ACCOUNT]);
    assert.deepEqual(h.AssociatedInstanceIds, []);

    await call('AssociateHaVip', { HaVipId: id, InstanceId: I1, InstanceType: 'EcsInstance' });
    await call('AssociateHaVip', { HaVipId: id, InstanceId: I2 }); // InstanceType defaults to EcsInstance
    h = await one(id);
    assert.deepEqual([h.Status, h.AssociatedInstanceIds, h.MasterInstanceId, h.AssociatedInstanceType],
      ['InUse', [I1, I2], I1, 'EcsInstance']);

    // No Force on Volcengine: the master goes, the next member takes over.
    await call('DisassociateHaVip', { HaVipId: id, InstanceId: I1, InstanceType: 'EcsInstance' });
    h = await one(id);
    assert.deepEqual([h.AssociatedInstanceIds, h.MasterInstanceId], [[I2], I2]);
    await call('DisassociateHaVip', { HaVipId: id, InstanceId: I2 });
    h = await one(id);
    assert.deepEqual([h.Status, h.AssociatedInstanceIds, h.MasterInstanceId], ['Available', [], '']);

    await call('DeleteHaVip', { HaVipId: id });
    assert.deepEqual(await find(id), []);
  });

  test('a HaVip that does not exist: InvalidHaVip.NotFound, 404', async () => {
    await expectError(404, 'InvalidHaVip.NotFound', 'AssociateHaVip', { HaVipId: 'havip-missing', InstanceId: I1 });
    await expectError(404, 'InvalidHaVip.NotFound', 'DeleteHaVip', { HaVipId: 'havip-missing' });
  });

  test('an instance of another subnet: InvalidInstance.HaVipMismatch, 400', async () => {
    const { HaVipId } = await call('CreateHaVip', { SubnetId: SUBNET });
    await expectError(400, 'InvalidInstance.HaVipMismatch', 'AssociateHaVip', { HaVipId, InstanceId: I_OTHER_SUBNET });
    const h = await one(HaVipId);
    assert.deepEqual([h.Status, h.AssociatedInstanceIds], ['Available', []]);
    await call('DeleteHaVip', { HaVipId });
  });

  test('a wrong secret: SignatureDoesNotMatch, 401', async () => {
    await expectError(401, 'SignatureDoesNotMatch', 'DescribeHaVips', {}, { sk: 'wrong-secret' });
  });
});
