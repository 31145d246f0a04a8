// Authorizer cost per fresh RS256 token and per repeated token, beside raw crypto.verify of the same tokens.
import { verify } from 'node:crypto';
import { buildAuthorizer, authorizeEvent } from '../src/auth/authorizer';
import { decide, readAuthorizerEvent, respond } from '../src/auth/authorize';
import { loadAuthorizerConfig } from '../functions/authorizer/config';
import { snapshotFileEntry } from '../src/auth/jwks-snapshot';
import { measure, measurePair, ratio, type Ratio } from './harness';
import { nowSeconds, rsaKey, signJwt } from '../test/support/tokens';
import routes from '../config/routes.json';

export async function benchAuthorizer(): Promise<Ratio[]> {
  const key = rsaKey('bench');
  const issuer = 'https://idp.bench.example/';
  const jwksUri = `${issuer}.well-known/jwks.json`;
  const env = { MESHGATE_ISSUERS: JSON.stringify([{ issuer, audience: ['meshgate'] }]) };
  // The issuer's JWKS snapshotted just now, as `npm run snapshot-jwks` writes it: no fetch, no background refresh.
  const snapshot = { [jwksUri]: snapshotFileEntry({ keys: [key.jwk] }, new Date()) };
  const authorizer = buildAuthorizer(() => loadAuthorizerConfig(env, routes, snapshot));
  if (!authorizer.ok) throw authorizer.error;
  const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/1';
  const n = 32000;
  const tokens = Array.from({ length: n }, (_, i) =>
    signJwt(key, {
      iss: issuer,
      aud: 'meshgate',
      sub: `user-${i}`,
      iat: nowSeconds(),
      exp: nowSeconds() + 3600,
      scope: 'orders:read orders:write',
      client_id: 'web',
    }),
  );
  const parts = tokens.map((t) => {
    const [h, p, s] = t.split('.') as [string, string, string];
    return { data: Buffer.from(`${h}.${p}`), sig: Buffer.from(s, 'base64url') };
  });
  const events = tokens.map((t) => ({ type: 'TOKEN', authorizationToken: `Bearer ${t}`, methodArn }));

  const rawVerify = (i: number): void => {
    const p = parts[i % n]!;
    if (!verify('sha256', p.data, key.publicKey, p.sig)) throw new Error('bad');
  };

  // Fresh tokens: each call sees a token it has never verified (cache miss, then insert); 16 000 distinct tokens
  // cover the 15 rounds of 1000 calls.
  const core = authorizer.core;
  const [coreFresh, raw] = await measurePair(
    'authorizer core, fresh token',
    async (i) => {
      const request = readAuthorizerEvent(events[i % n]!);
      const res = respond(core, request, await decide(core, request));
      if (res.kind !== 'response') throw new Error('denied');
    },
    'raw crypto.verify RS256',
    rawVerify,
  );
  const shellCore = buildAuthorizer(() => loadAuthorizerConfig(env, routes, snapshot));
  const [shellFresh, rawForShell] = await measurePair(
    'authorizer handler incl. decision log line, fresh token',
    async (i) => {
      const res = await authorizeEvent(shellCore, events[i % n]!);
      if (res.kind !== 'response') throw new Error('denied');
    },
    'raw crypto.verify RS256',
    rawVerify,
  );
  const repeated = await measure(
    'authorizer core, repeated token',
    async () => {
      const request = readAuthorizerEvent(events[0]!);
      respond(core, request, await decide(core, request));
    },
    { batch: 20000 },
  );

  return [
    ratio('authorizer', 'fresh RS256 token (core) vs raw verify', coreFresh, raw, { maxRatio: 1.8, aimRatio: 1.5 }),
    ratio('authorizer', 'fresh RS256 token (handler, with log line) vs raw verify', shellFresh, rawForShell, {
      maxRatio: 1.8,
      aimRatio: 1.5,
    }),
    ratio('authorizer', 'repeated token (core) vs raw verify', repeated, raw, { maxValue: 5 }),
  ];
}
