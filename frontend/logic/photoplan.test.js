import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitWithin, firstAttempt, nextAttempt, MAX_BYTES } from './photoplan.js';

test('a 12-megapixel 4000x3000 photo is planned at 1600x1200; small photos keep their size', () => {
  assert.deepEqual(fitWithin(4000, 3000), { width: 1600, height: 1200, scale: 0.4 });
  assert.deepEqual(fitWithin(3000, 4000).height, 1600);
  assert.deepEqual(fitWithin(800, 600), { width: 800, height: 600, scale: 1 });
});

test('too big: quality steps down first, then the edge shrinks by 15%', () => {
  let a = firstAttempt(4000, 3000);
  assert.equal(a.quality, 0.82);
  assert.equal(nextAttempt(a, MAX_BYTES), null);
  a = nextAttempt(a, MAX_BYTES + 1);
  assert.equal(a.quality, 0.72);
  a = nextAttempt(nextAttempt(a, 9e6), 9e6);
  assert.equal(a.quality, 0.52);
  a = nextAttempt(a, 9e6);
  assert.equal(a.width, 1360);
  assert.equal(a.height, 1020);
});

test('shrinking ends at a 320 px long edge', () => {
  let a = { width: 320, height: 240, quality: 0.52, step: 9 };
  assert.equal(nextAttempt(a, 9e6), null);
});
