// The size budget counted against the head a client actually writes: every byte of the request line, each header
// line (Node's own Host, Connection and Content-Length included) and the blank line; refused one byte past a limit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_ASSERTION_LENGTH } from '@meshgate/consumer';
import { MeshgateError } from '../../src/errors';
import type { OutgoingHeaders } from '../../src/ingress/headers';
import { checkForwardBudget, forwardedHeadBytes, UPSTREAM_MAX_HEADER_BYTES, type ForwardedHead } from '../../src/ingress/size-budget';

/** The request head written out as HTTP/1.1 puts it on the wire. */
function wireHead(head: ForwardedHead): string {
  let text = `${head.method} ${head.target} HTTP/1.1\r\n`;
  text += `host: ${head.host}\r\nconnection: keep-alive\r\ncontent-length: ${head.bodyBytes}\r\n`;
  for (const [name, value] of Object.entries(head.headers))
    for (const v of typeof value === 'string' ? [value] : value) text += `${name}: ${v}\r\n`;
  return `${text}\r\n`;
}

const base: ForwardedHead = { method: 'GET', target: '/', host: 'svc:8080', headers: {}, bodyBytes: 0 };

function refusedCode(assertion: string, head: ForwardedHead): string {
  try {
    checkForwardBudget(assertion, head);
  } catch (err) {
    assert.ok(err instanceof MeshgateError);
    return err.code;
  }
  assert.fail('the request was within the budget');
}

describe('forwardedHeadBytes', () => {
  const table: readonly (readonly [string, ForwardedHead, number])[] = [
    ['the documented example', base, 77],
    ['a POST with a query and a body', { ...base, method: 'POST', target: '/orders?a=1', host: 'svc', bodyBytes: 1234 }, 86],
    ['one header', { ...base, headers: { 'x-a': 'bc' } }, 77 + 9],
    ['a header sent twice', { ...base, headers: { 'set-cookie': ['a=1', 'b=22'] } }, 77 + 17 + 18],
  ];
  for (const [what, head, bytes] of table)
    it(`counts ${bytes} bytes for ${what}, as written on the wire`, () => {
      assert.equal(forwardedHeadBytes(head), bytes);
      assert.equal(wireHead(head).length, bytes);
    });
  it('counts exactly the bytes of the written head, for any headers', () => {
    const token = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    const value = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
    const headers = fc.dictionary(token, fc.oneof(value, fc.array(value, { maxLength: 3 }))) as fc.Arbitrary<OutgoingHeaders>;
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/),
        fc.stringMatching(/^[a-z0-9.]{1,30}(:[0-9]{1,5})?$/),
        headers,
        fc.nat(),
        (method, target, host, hs, bodyBytes) => {
          const head = { method, target, host, headers: hs, bodyBytes };
          assert.equal(forwardedHeadBytes(head), wireHead(head).length);
        },
      ),
    );
  });
});

describe('checkForwardBudget', () => {
  it(`forwards an assertion of ${MAX_ASSERTION_LENGTH} characters and refuses one more with headers_too_large`, () => {
    checkForwardBudget('a'.repeat(MAX_ASSERTION_LENGTH), base);
    assert.equal(refusedCode('a'.repeat(MAX_ASSERTION_LENGTH + 1), base), 'headers_too_large');
  });
  it(`forwards a head of exactly ${UPSTREAM_MAX_HEADER_BYTES} bytes and refuses one byte more with headers_too_large`, () => {
    const padded = (extra: number): ForwardedHead => {
      const pad = UPSTREAM_MAX_HEADER_BYTES - forwardedHeadBytes(base) - 'x-pad: \r\n'.length + extra;
      return { ...base, headers: { 'x-pad': 'p'.repeat(pad) } };
    };
    assert.equal(forwardedHeadBytes(padded(0)), UPSTREAM_MAX_HEADER_BYTES);
    checkForwardBudget('a', padded(0));
    assert.equal(refusedCode('a', padded(1)), 'headers_too_large');
  });
});
