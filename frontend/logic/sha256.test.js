import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256 } from './sha256.js';

test('the fallback SHA-256 matches node:crypto on empty, block-edge and random inputs', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 300000]) {
    const bytes = new Uint8Array(randomBytes(n));
    assert.equal(sha256(bytes), createHash('sha256').update(bytes).digest('hex'), `length ${n}`);
  }
  assert.equal(sha256(new TextEncoder().encode('abc')),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
