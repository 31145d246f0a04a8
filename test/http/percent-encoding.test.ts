import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentEncode } from '../../src/http/percent-encoding';

describe('Function: percentEncode', () => {
  it('encodes each unsafe match as UTF-8 and keeps the rest', () => {
    assert.equal(percentEncode('Zoë x/y', /[^A-Za-z/]/gu), 'Zo%C3%AB%20x/y');
    assert.equal(percentEncode('😀', /[^A-Za-z]/gu), '%F0%9F%98%80');
    assert.equal(decodeURIComponent(percentEncode('a%b,c', /[%, ]/g)), 'a%b,c');
  });

  it("encodes !'()* when the pattern marks them, though encodeURIComponent leaves them as they are", () => {
    assert.equal(percentEncode("a!'()*b", /[^A-Za-z0-9\-._~]/gu), 'a%21%27%28%29%2Ab');
    assert.equal(percentEncode("a!'()*b", /[^A-Za-z!'()*]/gu), "a!'()*b");
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    assert.equal(percentEncode('a\uD800b', /[^A-Za-z]/gu), 'a%EF%BF%BDb');
  });
});
