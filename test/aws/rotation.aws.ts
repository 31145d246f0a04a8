// Against moto over HTTP: the rotate function rotates the signing key set and a random-token secret through the four
// steps, several rotations in a row with each step run twice; after every rotation the JWKS function serves the
// published public set and the ingress signs with the key it reads from Secrets Manager, which a consumer verifies. The
// rotate bundle as packaged (its own AWS SDK and credential chain) runs a rotation too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAssertionVerifier } from '@meshgate/consumer';
import { bundleFunction } from '../../scripts/bundles';
import { newKeySet, parseKeySet, publicJwks, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import type { HttpResult } from '../../src/http/problem';
import { restEvent } from '../support/events';
import { startUpstream, type UpstreamServer } from '../support/upstream-server';
import { quietly, startMoto, useMotoInThisProcess, type Moto } from './support/moto';
import { driveSteps, stages, startRotation, valueAt, versionCount, type StepInvoker } from './support/rotation-driver';

const KEY_SECRET = 'meshgate/awstest/signing-keys';
const PUBLIC_JWKS_SECRET = 'meshgate/awstest/public-jwks';
const TOKEN_SECRET = 'meshgate/awstest/upstream-token';
const BUNDLE_TOKEN_SECRET = 'meshgate/awstest/bundle-token';
const ROTATIONS = 3;

type Handler<E, R> = (event: E) => Promise<R>;

let moto: Moto;
let client: SecretsManagerClient;
let upstream: UpstreamServer;
let jwksServer: Server;
let issuer: string;
let rotate: Handler<unknown, void>;
let jwks: Handler<unknown, HttpResult>;
let ingress: Handler<unknown, HttpResult>;

before(
  async () => {
    moto = await startMoto();
    useMotoInThisProcess(moto);
    client = new SecretsManagerClient(moto.clientConfig);
    upstream = await startUpstream();
    // The JWKS function behind a loopback HTTP server: what the consumer fetches as <issuer>/.well-known/jwks.json.
    jwksServer = createServer((req, res) => {
      jwks({ httpMethod: 'GET', path: req.url, headers: {}, requestContext: { requestId: 'jwks-req' } })
        .then((r) => res.writeHead(r.statusCode, r.headers).end(r.body))
        .catch((err: Error) => res.writeHead(500).end(err.message));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      MESHGATE_KEY_STORE: 'secrets-manager',
      MESHGATE_KEY_SECRET_ID: KEY_SECRET,
      MESHGATE_PUBLIC_JWKS_SECRET_ID: PUBLIC_JWKS_SECRET,
      // Re-read AWSCURRENT on every call, so each check sees the rotation that just finished (no waiting on a TTL).
      MESHGATE_KEY_CACHE_TTL_MS: '0',
      MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url, orders: upstream.url }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: issuer,
      POWERTOOLS_DEV: 'false',
    });
    // The handler modules read the environment when they load: after the lines above.
    rotate = (require('../../functions/rotate/handler') as { handler: Handler<unknown, void> }).handler;
    jwks = (require('../../functions/jwks/handler') as { handler: Handler<unknown, HttpResult> }).handler;
    ingress = (require('../../functions/ingress/handler') as { handler: Handler<unknown, HttpResult> }).handler;
  },
  { timeout: 90_000 },
);

after(async () => {
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
  await upstream?.close();
  await moto?.stop();
});

/** Runs the rotate handler (the source module, or `handler` when given) and returns what it logged as the step's `action`. */
function invokeRecording(actions: string[], handler: Handler<unknown, void> = rotate): StepInvoker {
  return async (event) => {
    const { logs, lines } = await quietly(() => handler(event));
    const done = logs.find((e) => e.message === 'rotation step done');
    assert.ok(done, `no 'rotation step done' line for ${event.Step}: ${lines.join('\n')}`);
    actions.push(`${event.Step}:${String(done.action)}`);
  };
}

const kidsOf = (set: SigningKeySet) =>
  [set.current.kid, set.next.kid, set.previous?.kid].filter((k): k is string => k !== undefined).sort();

describe('Rotation over HTTP (moto): the signing key set, then JWKS and ingress with the rotated keys', () => {
  it(`rotates ${ROTATIONS} times in a row, each step twice, with zero-downtime key continuity`, async () => {
    let before = newKeySet();
    await client.send(
      new CreateSecretCommand({
        Name: KEY_SECRET,
        SecretString: serializeKeySet(before),
        Tags: [
          { Key: 'meshgate:managed', Value: 'true' },
          { Key: 'meshgate:strategy', Value: 'signing-key-set' },
        ],
      }),
    );
    // Created empty, as CloudFormation does; the first setSecret fills it.
    await client.send(new CreateSecretCommand({ Name: PUBLIC_JWKS_SECRET, Tags: [{ Key: 'meshgate:public', Value: 'true' }] }));

    for (let i = 1; i <= ROTATIONS; i++) {
      const publishedVersions = await versionCount(client, PUBLIC_JWKS_SECRET);
      const token = await startRotation(client, KEY_SECRET);
      const actions: string[] = [];
      await driveSteps(invokeRecording(actions), KEY_SECRET, token);

      assert.deepEqual(
        actions,
        [
          'createSecret:pending-created',
          'createSecret:pending-exists',
          'setSecret:set',
          'setSecret:set',
          'testSecret:tested',
          'testSecret:tested',
          'finishSecret:finished',
          'finishSecret:already-current',
        ],
        `rotation ${i}`,
      );
      const labels = await stages(client, KEY_SECRET);
      assert.ok(labels[token]?.includes('AWSCURRENT'), `rotation ${i}: the token's version is AWSCURRENT`);
      const current = parseKeySet(await valueAt(client, KEY_SECRET, 'AWSCURRENT'));
      assert.equal(current.current.kid, before.next.kid, 'the key published as next signs now');
      assert.equal(current.previous?.kid, before.current.kid, 'the old signing key stays published');
      assert.ok(![before.current.kid, before.next.kid, before.previous?.kid].includes(current.next.kid), 'a fresh next key');
      assert.equal(
        parseKeySet(await valueAt(client, KEY_SECRET, 'AWSPREVIOUS')).current.kid,
        before.current.kid,
        'AWSPREVIOUS holds the set before',
      );

      // setSecret ran twice and published once: the same token is the public JWKS version id.
      assert.equal(await versionCount(client, PUBLIC_JWKS_SECRET), publishedVersions + 1, 'one public JWKS version per rotation');
      const published = JSON.parse(await valueAt(client, PUBLIC_JWKS_SECRET, 'AWSCURRENT')) as { keys: Record<string, unknown>[] };
      assert.deepEqual(published, publicJwks(current));
      assert.ok(
        published.keys.every((k) => !('d' in k)),
        'no private member is published',
      );

      await assertJwksServes(current);
      await assertIngressSignsWith(current);
      before = current;
    }
  });
});

/** The JWKS function serves exactly the public keys of the current set (current, next, previous). */
async function assertJwksServes(set: SigningKeySet): Promise<void> {
  const { result: served } = await quietly(() =>
    jwks({ httpMethod: 'GET', path: '/.well-known/jwks.json', headers: {}, requestContext: { requestId: 'r1' } }),
  );
  assert.equal(served.statusCode, 200, served.body);
  const body = JSON.parse(served.body) as { keys: { kid: string; d?: string }[] };
  assert.deepEqual(body.keys.map((k) => k.kid).sort(), kidsOf(set));
  assert.ok(body.keys.every((k) => k.d === undefined));
}

/** The ingress forwards with an assertion signed by the set's current key; the consumer verifies it over HTTP. */
async function assertIngressSignsWith(set: SigningKeySet): Promise<void> {
  const seenBefore = upstream.requests.length;
  const { result } = await quietly(() => ingress(restEvent({ method: 'GET', path: '/whoami' })));
  assert.equal(result.statusCode, 200, result.body);
  const seen = upstream.requests[seenBefore];
  assert.ok(seen, 'the request reached the upstream');
  const assertion = String(seen.headers['x-identity-assertion']);
  const header = JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString()) as { kid: string };
  assert.equal(header.kid, set.current.kid, 'signed with the current key read from Secrets Manager');
  // A fresh verifier each time: it fetches the JWKS the JWKS function serves now.
  const verifier = createAssertionVerifier({ issuer, audience: 'demo-service', jwksUri: `${issuer}/.well-known/jwks.json` });
  const trusted = await verifier.verify({ method: seen.method, path: seen.url, headers: seen.headers });
  assert.equal(trusted.sub, 'user-123');
}

/** What each step reports when run twice on a random-token secret (the second run of each is a no-op). */
const RANDOM_TOKEN_STEPS_TWICE = [
  'createSecret:pending-created',
  'createSecret:pending-exists',
  'setSecret:set-skipped',
  'setSecret:set-skipped',
  'testSecret:tested',
  'testSecret:tested',
  'finishSecret:finished',
  'finishSecret:already-current',
];

/** A managed secret that the random-token strategy rotates. */
async function createRandomTokenSecret(name: string, value: string): Promise<void> {
  await client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [
        { Key: 'meshgate:managed', Value: 'true' },
        { Key: 'meshgate:strategy', Value: 'random-token' },
      ],
    }),
  );
}

describe('Rotation over HTTP (moto): a random-token secret', () => {
  it(`rotates ${ROTATIONS} times in a row, each step twice; every token is new and the old one stays AWSPREVIOUS`, async () => {
    let before = JSON.stringify({ token: Buffer.alloc(32, 7).toString('base64url') });
    await createRandomTokenSecret(TOKEN_SECRET, before);
    const seen = new Set([before]);
    for (let i = 1; i <= ROTATIONS; i++) {
      const token = await startRotation(client, TOKEN_SECRET);
      const actions: string[] = [];
      await driveSteps(invokeRecording(actions), TOKEN_SECRET, token);
      assert.deepEqual(actions, RANDOM_TOKEN_STEPS_TWICE, `rotation ${i}`);
      const current = await valueAt(client, TOKEN_SECRET, 'AWSCURRENT');
      assert.equal(Buffer.from((JSON.parse(current) as { token: string }).token, 'base64url').length, 32);
      assert.ok(!seen.has(current), `rotation ${i}: a new token`);
      assert.equal(await valueAt(client, TOKEN_SECRET, 'AWSPREVIOUS'), before);
      seen.add(current);
      before = current;
    }
  });
});

describe('Rotation over HTTP (moto): the rotate bundle as packaged', () => {
  it('rotates with the AWS SDK and credential chain it bundles, requiring no package at run time', async () => {
    await mkdir('.bench', { recursive: true });
    const dir = await mkdtemp(join('.bench', 'rotate-bundle-'));
    try {
      const bundle = await bundleFunction('rotate', dir);
      assert.deepEqual(bundle.externals, [], 'the Lambda runtime provides no package this bundle needs');
      assert.equal(
        bundle.inputs.some((i) => i.includes('credential-provider-sso') || i.includes('nested-clients')),
        false,
        'no SSO or STS client for credential sources Lambda never uses',
      );
      const bundled = (require(resolve(bundle.file)) as { handler: Handler<unknown, void> }).handler;
      const before = JSON.stringify({ token: Buffer.alloc(32, 9).toString('base64url') });
      await createRandomTokenSecret(BUNDLE_TOKEN_SECRET, before);
      const token = await startRotation(client, BUNDLE_TOKEN_SECRET);
      const actions: string[] = [];
      await driveSteps(invokeRecording(actions, bundled), BUNDLE_TOKEN_SECRET, token);
      assert.deepEqual(actions, RANDOM_TOKEN_STEPS_TWICE);
      assert.ok((await stages(client, BUNDLE_TOKEN_SECRET))[token]?.includes('AWSCURRENT'));
      assert.equal(await valueAt(client, BUNDLE_TOKEN_SECRET, 'AWSPREVIOUS'), before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
