// `meshgate start` options and the port-in-use answer (the full stack is exercised in test/e2e/start.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findBusyPort, parseStartArgs } from '../../src/cli/start';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Function: parseStartArgs', () => {
  it('uses the documented default ports and keys file', () => {
    assert.deepEqual(parseStartArgs([]), {
      port: 3000,
      issuerPort: 4010,
      servicePort: 4001,
      lambdaPort: 3002,
      ordersPort: 4002,
      paymentsPort: 4003,
      keysFile: '.meshgate/keys.json',
    });
  });

  it('reads every option', () => {
    const opts = parseStartArgs([
      '--port',
      '3100',
      '--issuer-port',
      '4110',
      '--service-port',
      '4101',
      '--lambda-port',
      '3102',
      '--orders-port',
      '4102',
      '--payments-port',
      '4103',
      '--keys-file',
      '/tmp/k.json',
    ]);
    assert.deepEqual(opts, {
      port: 3100,
      issuerPort: 4110,
      servicePort: 4101,
      lambdaPort: 3102,
      ordersPort: 4102,
      paymentsPort: 4103,
      keysFile: '/tmp/k.json',
    });
  });

  it('answers undefined for --help', () => {
    assert.equal(parseStartArgs(['--help']), undefined);
  });

  it('rejects a port that is not a number from 1 to 65535, naming the flag', () => {
    for (const bad of ['abc', '0', '65536', '30.5', '-1']) {
      assert.throws(() => parseStartArgs([`--port=${bad}`]), /--port must be a port number/);
    }
  });

  it('rejects two services on one port', () => {
    assert.throws(() => parseStartArgs(['--service-port', '3000']), /--service-port and --port are both 3000/);
  });

  it('rejects unknown options', () => {
    assert.throws(() => parseStartArgs(['--prot', '3000']), /Unknown option/);
  });
});

describe('Function: findBusyPort', () => {
  it('names the busy port and the flag that moves it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const busy = (server.address() as AddressInfo).port;
    try {
      const [port, servicePort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
      const opts = { ...parseStartArgs([])!, port, servicePort, lambdaPort, issuerPort: busy };
      assert.match((await findBusyPort(opts)) ?? '', new RegExp(`port ${busy} \\(OIDC issuer\\) is already in use.*--issuer-port <port>`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('Command: meshgate start', () => {
  it('exits 1 with a clear message when the API port is taken, before starting anything', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const busy = (server.address() as AddressInfo).port;
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, ['bin/meshgate.cjs', 'start', '--port', String(busy)], { timeout: 30_000 }, (err, _stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
        });
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`port ${busy} \\(API \\(serverless offline\\)\\) is already in use: .*--port <port>`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('prints its usage and exits 0 on --help', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['bin/meshgate.cjs', 'start', '--help'], { timeout: 30_000 }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
    assert.match(stdout, /usage: meshgate start/);
    assert.match(stdout, /--issuer-port/);
  });
});
