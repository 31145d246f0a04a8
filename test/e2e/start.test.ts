// `npm start` end to end: the real command starts the stack, its printed curl commands work, Ctrl-C stops everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireServerlessLock } from './support/serverless-lock';
import { freePort } from './support/stack';

let child: ChildProcess | undefined;
let output = '';
let exit: Promise<number | null>;
let dir: string;
let release: (() => Promise<void>) | undefined;
const ports = { api: 0, issuer: 0, service: 0, lambda: 0, orders: 0, payments: 0 };

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function killGroup(signal: NodeJS.Signals): void {
  try {
    if (child?.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

describe('meshgate start (npm start)', () => {
  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'meshgate-start-'));
      for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
      release = await acquireServerlessLock();
      // Its own process group, so a failing test can still kill the command and everything it started.
      child = spawn(
        process.execPath,
        [
          'bin/meshgate.cjs',
          'start',
          '--port',
          `${ports.api}`,
          '--issuer-port',
          `${ports.issuer}`,
          '--service-port',
          `${ports.service}`,
          '--lambda-port',
          `${ports.lambda}`,
          '--orders-port',
          `${ports.orders}`,
          '--payments-port',
          `${ports.payments}`,
          '--keys-file',
          join(dir, 'keys.json'),
        ],
        { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'ERROR' } },
      );
      exit = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready within 90 s:\n${output}`)), 90_000);
        const poll = setInterval(() => {
          if (output.includes('Ctrl-C stops everything')) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve();
          }
        }, 100);
        void exit.then((code) => {
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before it was ready:\n${output}`));
        });
      });
    },
    { timeout: 300_000 },
  );

  after(async () => {
    killGroup('SIGKILL');
    await release?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a curl for GET /whoami that answers 200 with the identity the demo service trusted', async () => {
    const m = /curl -H "authorization: Bearer ([\w.-]+)" (http:\/\/127\.0\.0\.1:\d+\/whoami)/.exec(output);
    assert.ok(m, output);
    assert.equal(m[2], `http://127.0.0.1:${ports.api}/whoami`);

    const res = await fetch(m[2], { headers: { authorization: `Bearer ${m[1]}` } });

    assert.equal(res.status, 200);
    const body = (await res.json()) as { trusted: { sub: string; srcIss: string } };
    assert.equal(body.trusted.sub, 'demo-client');
    assert.equal(body.trusted.srcIss, `http://127.0.0.1:${ports.issuer}`);
  });

  it('prints a POST /orders example that the API accepts', async () => {
    const m = /curl -X POST -H "authorization: Bearer ([\w.-]+)" -H "content-type: application\/json" -d '([^']+)' (\S+\/orders)/.exec(
      output,
    );
    assert.ok(m, output);

    const res = await fetch(m[3]!, {
      method: 'POST',
      headers: { authorization: `Bearer ${m[1]}`, 'content-type': 'application/json' },
      body: m[2],
    });

    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as { body: unknown }).body, JSON.parse(m[2]!));
  });

  /** The banner's curl for `path`: its bearer token and body, sent as printed. */
  async function postAsPrinted(path: string): Promise<{ status: number; body: Record<string, any> }> {
    const m = new RegExp(
      `curl -X POST -H "authorization: Bearer ([\\w.-]+)" -H "content-type: application/json" -d '([^']+)' (http://127\\.0\\.0\\.1:${ports.api}${path})\\n`,
    ).exec(output);
    assert.ok(m, output);
    const res = await fetch(m[3]!, {
      method: 'POST',
      headers: { authorization: `Bearer ${m[1]}`, 'content-type': 'application/json' },
      body: m[2],
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it('prints a two-hop curl: caller → orders → payments, and payments shows the chain it trusted', async () => {
    const { status, body } = await postAsPrinted('/checkout');

    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.orders.trusted.sub, 'demo-shopper');
    assert.deepEqual(body.orders.trusted.chain, []);
    const trusted = body.payments.trusted;
    assert.equal(trusted.sub, 'demo-shopper', 'payments trusted the original caller');
    assert.equal(trusted.actor, 'orders-service');
    assert.deepEqual(trusted.chain, ['orders-service']);
    assert.equal(trusted.txn, body.orders.trusted.jti, 'txn is the hop-0 jti');
    assert.deepEqual(trusted.scopes, ['payments:charge']);
    assert.deepEqual(body.payments.body, { amount: 5, currency: 'EUR' });
  });

  it('prints an undeclared-hop curl that the exchange refuses with invalid_target', async () => {
    const { status, body } = await postAsPrinted('/refunds');

    assert.equal(status, 403, JSON.stringify(body));
    assert.equal(body.refused.code, 'exchange_refused');
    assert.equal(body.refused.error, 'invalid_target');
    assert.equal(body.payments, undefined, 'payments was never called');
  });

  it('prints a token curl per client that, pasted into a shell, returns a token POST /orders takes for demo-client only', async () => {
    const lines = [...output.matchAll(/^ {2}(curl -s -u (demo-\w+):\S+ -d grant_type=client_credentials .*?)\s+# /gm)];
    assert.deepEqual(
      lines.map((l) => l[2]),
      ['demo-client', 'demo-reader', 'demo-shopper'],
      output,
    );
    const order = JSON.stringify({ sku: 'SKU-1001', quantity: 1 });
    const statuses: Record<string, number> = {};
    for (const [, line, client] of lines) {
      const pasted = await new Promise<string>((resolve, reject) =>
        execFile('sh', ['-c', line!], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      const token = (JSON.parse(pasted) as { access_token: string }).access_token;
      const res = await fetch(`http://127.0.0.1:${ports.api}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: order,
      });
      statuses[client!] = res.status;
    }
    assert.deepEqual(statuses, { 'demo-client': 200, 'demo-reader': 403, 'demo-shopper': 200 });
  });

  it('stops everything on SIGINT (Ctrl-C) and exits 0', async () => {
    child!.kill('SIGINT');
    const code = await Promise.race([exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);

    assert.equal(code, 0, output);
    for (const [name, port] of Object.entries(ports)) assert.equal(await portOpen(port), false, `${name} port ${port} still open`);
  });
});
