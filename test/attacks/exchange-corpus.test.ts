// Token exchange attacks as data (exchange.json): each gets its RFC 6749 / 8693 error and reason, never a 500, never a token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_TOKEN_TYPE, DELEGATED_ASSERTION_TYP } from '@meshgate/consumer';
import corpus from './exchange.json';
import { assertNoSecretsLogged, captureLogs } from '../support/logs';
import {
  actorToken,
  delegatedClaims,
  exchangeForm,
  foreignKeySet,
  hop0Claims,
  keySet,
  nowSeconds,
  roleSession,
  runExchange,
  signRaw,
  signSubject,
  testExchange,
  type EventSpec,
} from '../exchange/support';

interface AttackCase {
  readonly name: string;
  readonly actor: { iam?: string; arn?: string; token?: string; claims?: Record<string, unknown> };
  readonly subject: { aud?: string; chain?: string[]; claims?: Record<string, unknown>; typ?: string; signer?: string; raw?: string };
  readonly form?: Record<string, string | null>;
  readonly rawBody?: string;
  readonly contentType?: string | string[] | null;
  readonly method?: string;
  readonly expect: { status: number; error?: string; reason?: string };
}

/** Small `iat`/`exp` numbers in the data are offsets from now; `null` removes a claim. */
function resolveClaims(base: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete out[k];
    else out[k] = (k === 'iat' || k === 'exp') && typeof v === 'number' && Math.abs(v) < 100_000 ? now + v : v;
  }
  return out;
}

function subjectOf(spec: AttackCase['subject']): string {
  if (spec.raw !== undefined) return spec.raw;
  const aud = spec.aud ?? 'orders-service';
  const base = spec.chain === undefined ? hop0Claims(aud) : delegatedClaims(aud, spec.chain);
  const claims = resolveClaims(base, spec.claims);
  const typ = spec.typ ?? (spec.chain === undefined ? undefined : DELEGATED_ASSERTION_TYP);
  if (spec.signer === 'foreign' || spec.signer === 'foreign-with-our-kid') {
    const kid = spec.signer === 'foreign' ? foreignKeySet.current.kid : keySet.current.kid;
    return signRaw({ alg: 'ES256', typ: typ ?? 'identity+jwt', kid }, claims, foreignKeySet.current.privateJwk);
  }
  return signSubject(claims, { ...(typ === undefined ? {} : { typ }), ...(spec.signer === 'next' ? { key: 'next' as const } : {}) });
}

function eventOf(c: AttackCase): { spec: EventSpec; secrets: string[] } {
  const subject = subjectOf(c.subject);
  const actorTok = c.actor.token === undefined ? undefined : actorToken(c.actor.token, resolveClaims({}, c.actor.claims));
  const overrides = Object.fromEntries(
    Object.entries(c.form ?? {}).map(([k, v]) => [k, v === null ? undefined : v === '$subject' ? subject : v]),
  ) as Record<string, string | undefined>;
  const form = exchangeForm(subject, {
    ...(actorTok === undefined ? {} : { actor_token: actorTok, actor_token_type: ACCESS_TOKEN_TYPE }),
    ...overrides,
  });
  const encoded = new URLSearchParams(form).toString();
  const body =
    c.rawBody === undefined
      ? encoded
      : c.rawBody
          .replace('$form', encoded)
          .replace('$subject', encodeURIComponent(subject))
          .replace(/\$pad(\d+)/, (_, n: string) => 'x'.repeat(Number(n)));
  const callerArn = c.actor.arn ?? (c.actor.iam === undefined ? undefined : roleSession(c.actor.iam));
  return {
    spec: {
      form: body,
      ...(callerArn === undefined ? {} : { callerArn }),
      ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
      ...(c.method === undefined ? {} : { method: c.method }),
    },
    secrets: [subject, ...(actorTok === undefined ? [] : [actorTok])],
  };
}

describe('Token exchange attack corpus (test/attacks/exchange.json)', () => {
  const exchange = testExchange();
  for (const c of corpus.cases as AttackCase[]) {
    it(c.name, async () => {
      const { spec, secrets } = eventOf(c);
      const logs = captureLogs();
      let res;
      try {
        res = await runExchange(exchange, spec);
      } finally {
        logs.stop();
      }
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
      assert.equal(res.status, c.expect.status, JSON.stringify(res.json));
      const decision = logs.entries().find((e) => e.message === 'exchange decision');
      assert.ok(decision, 'one decision line per exchange');
      assertNoSecretsLogged(logs, secrets);
      if (c.expect.status === 200) {
        assert.equal(typeof res.json.access_token, 'string');
        assert.equal(decision.outcome, 'issued');
        return;
      }
      assert.equal(res.json.access_token, undefined, 'a refusal never carries a token');
      assert.deepEqual(Object.keys(res.json).sort(), ['error', 'error_description']);
      assert.equal(res.json.error, c.expect.error);
      assert.equal(decision.reason, c.expect.reason);
      assert.equal(decision.outcome, 'refused');
    });
  }
});
