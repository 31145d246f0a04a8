// End to end (issue 5): rotating the local key set while the stack serves fails no request and breaks no assertion.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createAssertionVerifier } from '@meshgate/consumer';
import { bearer, rawRequest, unverifiedJwsHeader } from './support/client';
import { DEMO_AUDIENCE, useStack, type RecordedRequest } from './support/stack';

const stack = useStack();
const run = promisify(execFile);

async function whoami(token: string): Promise<number> {
  return (await rawRequest(`${stack().api}/whoami`, { headers: [bearer(token)] })).status;
}

function lastAssertion(): { request: RecordedRequest; jws: string } {
  const request = stack().recorder!.requests.at(-1);
  assert.ok(request, 'a request reached the service');
  return { request, jws: String(request.headers['x-identity-assertion']) };
}

describe('key rotation while the local stack serves', () => {
  it('keeps every request succeeding, switches to the next key, and still verifies assertions signed before', async () => {
    const token = await stack().issuer.issueToken();
    const before = await stack().keyStore.load();
    assert.equal(await whoami(token), 200);
    const old = lastAssertion();
    assert.equal(unverifiedJwsHeader(old.jws).kid, before.current.kid);

    // Traffic keeps flowing through the rotation; every answer is recorded.
    const statuses: number[] = [];
    let load = true;
    const traffic = (async () => {
      while (load) statuses.push(await whoami(token));
    })();

    let after;
    try {
      await run(process.execPath, ['bin/meshgate.cjs', 'rotate', '--local', '--keys-file', stack().keysFile], { timeout: 60_000 });
      after = await stack().keyStore.load();
      assert.equal(after.current.kid, before.next.kid, 'the published next key becomes current');
      assert.equal(after.previous?.kid, before.current.kid, 'the old current key is kept as previous');

      // The ingress picks the new key set up within its cache time; bounded wait, one request at a time.
      const deadline = Date.now() + 60_000;
      while (unverifiedJwsHeader(lastAssertion().jws).kid !== after.current.kid) {
        assert.ok(Date.now() < deadline, 'the ingress did not start signing with the new current key within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      load = false;
      await traffic;
    }

    assert.ok(statuses.length > 0);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
      'no request failed during the rotation',
    );

    // What is guaranteed at once: the JWKS function has its own short cache, filled at another moment than the
    // ingress's, but even a stale copy holds the new current key (it was published as `next` before it signed
    // anything) and the old current key. The new `next` key appears within that cache's lifetime: poll for it.
    const jwksKids = async (): Promise<Set<string>> =>
      new Set((await rawRequest(`${stack().api}/.well-known/jwks.json`)).json<{ keys: Array<{ kid: string }> }>().keys.map((k) => k.kid));
    const served = await jwksKids();
    assert.ok(served.has(after.current.kid), 'the JWKS serves the key the ingress signs with');
    assert.ok(after.previous && served.has(after.previous.kid), 'the JWKS still serves the key that signed before the rotation');
    const jwksDeadline = Date.now() + 30_000;
    while (!(await jwksKids()).has(after.next.kid)) {
      assert.ok(Date.now() < jwksDeadline, 'the JWKS did not publish the new next key within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await jwksKids(), new Set([after.previous.kid, after.current.kid, after.next.kid]));

    // A consumer that fetches the JWKS only now still accepts the assertion signed before the rotation.
    const freshConsumer = createAssertionVerifier({
      issuer: stack().api,
      audience: DEMO_AUDIENCE,
      jwksUri: `${stack().api}/.well-known/jwks.json`,
    });
    const identity = await freshConsumer.verify({ method: old.request.method, path: old.request.url, headers: old.request.headers });
    assert.equal(identity.sub, 'demo-client');
    const fresh = await freshConsumer.verify({
      method: lastAssertion().request.method,
      path: lastAssertion().request.url,
      headers: lastAssertion().request.headers,
    });
    assert.equal(fresh.sub, 'demo-client');
  });
});
