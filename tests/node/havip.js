'use strict';
// A real `havip serve` for a test file: a free port, a data directory of its own, the
// example seed, no transition delay. The binary is $HAVIP_BIN, or target/debug/havip.
//
//   const { before, after } = require('node:test');
//   let server;
//   before(async () => { server = await startServer(); });
//   after(() => server.stop());
//
// Every start gets an --id-seed of its own (the test process id and a counter), so ids
// and addresses are reproducible and no two servers of one run draw the same ids.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..', '..');
const SEED = path.join(ROOT, 'examples', 'seed.toml');

// Identities of the example seed (examples/seed.toml).
const AK = 'AKDEMO0000000001';
const SK = 'demo-secret-0000000000000001';
const ACCOUNT = '1000000000000001';
const HUAWEI_PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

let starts = 0;
const running = new Set();

// A server left running by a test process that dies is killed with it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function havipBinary() {
  const bin = process.env.HAVIP_BIN || path.join(ROOT, 'target', 'debug', 'havip');
  if (!fs.existsSync(bin)) {
    throw new Error(`havip binary not found at ${bin}: run \`cargo build -p havip\` first or set HAVIP_BIN`);
  }
  return bin;
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    const timer = setTimeout(() => reject(new Error('havip printed nothing within 60 s')), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      child.stdout.resume(); // keep draining stdout so the server never blocks on it
      resolve(line.trim());
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`havip exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}

async function startServer({ seed = SEED, transitionDelay = '0s' } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'havip-node-test-'));
  starts += 1;
  const idSeed = String(process.pid * 1000 + starts);
  const child = spawn(havipBinary(), [
    'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--seed', seed,
    '--transition-delay', transitionDelay, '--id-seed', idSeed,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const server = new Server(child, dataDir);
  try {
    const line = await firstLine(child);
    const match = /^listening on http:\/\/([^\s]+):(\d+)$/.exec(line);
    if (!match) throw new Error(`havip did not start: ${JSON.stringify(line)}`);
    server.port = Number(match[2]);
    await server.waitHealthy();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

class Server {
  constructor(child, dataDir) {
    this.child = child;
    this.dataDir = dataDir;
    this.port = null;
  }

  /** host:port, the form the Alibaba and Volcengine SDKs want. */
  get endpoint() {
    return `127.0.0.1:${this.port}`;
  }

  url(p) {
    return `http://127.0.0.1:${this.port}${p}`;
  }

  async waitHealthy() {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(this.url('/healthz'), { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return;
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('havip /healthz never answered 200');
  }

  get adminToken() {
    return fs.readFileSync(path.join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  /** The native (operator) API, to look at what the faces did. */
  async native(method, p, body) {
    const r = await fetch(this.url(p), {
      method,
      headers: { Authorization: `Bearer ${this.adminToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  async havip(id) {
    const r = await this.native('GET', `/v1/havips/${encodeURIComponent(id)}`);
    if (r.status !== 200) throw new Error(`GET /v1/havips/${id}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** SIGTERM, then SIGKILL after 15 s; the data directory is removed. */
  async stop() {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Runs `call`, which must fail; returns what it threw. */
async function rejection(call) {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded; an error was expected');
}

module.exports = { startServer, rejection, AK, SK, ACCOUNT, HUAWEI_PROJECT, SEED };
