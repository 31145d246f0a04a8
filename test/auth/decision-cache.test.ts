// The verified-token cache: an entry lives until its expiry (exclusive) and the cache never holds more than its bound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedTokenCache } from '../../src/auth/decision-cache';

describe('Class: VerifiedTokenCache', () => {
  it('returns an entry before its expiry and forgets it at exactly its expiry', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('t', 'alice', 1_000, 0);
    assert.equal(cache.get('t', 999), 'alice');
    assert.equal(cache.size, 1);
    assert.equal(cache.get('t', 1_000), undefined, 'expired at exactly expiresAtMs');
    assert.equal(cache.size, 0, 'an expired entry is dropped when it is found');
    assert.equal(cache.get('t', 0), undefined, 'and stays gone, whatever the clock says later');
  });

  it('returns undefined for a token it never held', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('t', 'alice', 1_000, 0);
    assert.equal(cache.get('other', 0), undefined);
  });

  it('does not store an entry that has already expired, or expires now', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('past', 'a', 999, 1_000);
    cache.set('now', 'b', 1_000, 1_000);
    assert.equal(cache.size, 0);
    assert.equal(cache.get('past', 0), undefined);
    assert.equal(cache.get('now', 0), undefined);
    cache.set('later', 'c', 1_001, 1_000);
    assert.equal(cache.get('later', 1_000), 'c');
  });

  it('stores nothing when its bound is 0', () => {
    const cache = new VerifiedTokenCache<string>(0);
    cache.set('t', 'alice', 1_000, 0);
    assert.equal(cache.size, 0);
    assert.equal(cache.get('t', 0), undefined);
  });

  it('holds at most maxEntries, evicting the oldest insertion first', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('a', 'A', 1_000, 0);
    cache.set('b', 'B', 1_000, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), 'A', 'full, not over: nothing evicted yet');
    cache.set('c', 'C', 1_000, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), undefined, 'the oldest insertion went first');
    assert.equal(cache.get('b', 0), 'B');
    assert.equal(cache.get('c', 0), 'C');
  });

  it('keeps one entry per token: setting it again replaces the value and the expiry', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('a', 'old', 1_000, 0);
    cache.set('a', 'new', 2_000, 0);
    assert.equal(cache.size, 1);
    assert.equal(cache.get('a', 1_500), 'new');
  });
});
