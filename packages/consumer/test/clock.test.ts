// The verifier's clock rules at their boundaries, with a fixed clock: expiry (exp + skew), iat and nbf in the
// future (beyond now + skew), and the assertion's lifetime.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, rejectsWith, type Fixture } from './support/fixture.js';

const NOW = 1_800_000_000;

interface ClockCase {
  readonly name: string;
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
  /** undefined: accepted. */
  readonly code?: string;
  readonly reason?: string;
}

function casesFor(skew: number): ClockCase[] {
  return [
    { name: 'now = exp + skew - 1: accepted', iat: NOW - skew - 59, exp: NOW - skew + 1 },
    { name: 'now = exp + skew: expired', iat: NOW - skew - 60, exp: NOW - skew, code: 'assertion_expired', reason: 'expired' },
    { name: 'now = exp + skew + 1: expired', iat: NOW - skew - 61, exp: NOW - skew - 1, code: 'assertion_expired', reason: 'expired' },
    { name: 'iat = now + skew: accepted', iat: NOW + skew, exp: NOW + skew + 60 },
    {
      name: 'iat = now + skew + 1: in the future',
      iat: NOW + skew + 1,
      exp: NOW + skew + 61,
      code: 'assertion_invalid',
      reason: 'iat_in_future',
    },
    { name: 'nbf = now + skew: accepted', iat: NOW, exp: NOW + 60, nbf: NOW + skew },
    {
      name: 'nbf = now + skew + 1: not yet valid',
      iat: NOW,
      exp: NOW + 60,
      nbf: NOW + skew + 1,
      code: 'assertion_invalid',
      reason: 'not_yet_valid',
    },
    { name: 'nbf in the past: accepted', iat: NOW, exp: NOW + 60, nbf: NOW - 300 },
    { name: 'lifetime of 300 s: accepted', iat: NOW, exp: NOW + 300 },
    { name: 'lifetime of 301 s: too long', iat: NOW, exp: NOW + 301, code: 'assertion_invalid', reason: 'lifetime_too_long' },
    { name: 'lifetime of 1 s: accepted', iat: NOW, exp: NOW + 1 },
    { name: 'lifetime of 0 s: invalid', iat: NOW, exp: NOW, code: 'assertion_invalid', reason: 'lifetime_invalid' },
    { name: 'exp before iat: invalid', iat: NOW, exp: NOW - 1, code: 'assertion_invalid', reason: 'lifetime_invalid' },
  ];
}

for (const skew of [0, 30]) {
  describe(`Consumer: clock boundaries, clock skew ${skew} s`, () => {
    let f: Fixture;
    before(async () => {
      f = await fixture({ clockSkewSeconds: skew, now: () => NOW * 1000 });
    });
    after(() => f.close());

    for (const c of casesFor(skew)) {
      it(c.name, async () => {
        const assertion = f.sign({ iat: c.iat, exp: c.exp, ...(c.nbf === undefined ? {} : { nbf: c.nbf }) });
        if (c.code === undefined) {
          const identity = await f.verify(assertion);
          assert.equal(identity.exp, c.exp);
          assert.equal(identity.iat, c.iat);
        } else {
          await rejectsWith(f.verify(assertion), c.code, c.reason);
        }
      });
    }
  });
}
