import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuid7, uuid7Time } from './uuid7.js';

test('uuid7 has version 7, RFC variant and the timestamp in its first 48 bits', () => {
  const id = uuid7(1763700000000);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuid7Time(id), 1763700000000);
});

test('ids made in the same millisecond, or after the clock steps back, still sort in order', () => {
  const ids = [];
  for (let i = 0; i < 50; i++) ids.push(uuid7(1763700001000));
  ids.push(uuid7(1763700000500)); // clock went back
  ids.push(uuid7(1763700002000));
  assert.deepEqual(ids.slice().sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
