import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as s from './sorting.js';

const compounds = [
  { id: 1, name: '锦绣花园', latitude: 31.2301, longitude: 121.4737 },
  { id: 2, name: '翠竹苑', latitude: 31.2312, longitude: 121.4761 },
  { id: 3, name: '无坐标苑', latitude: null, longitude: null },
];

test('nearest compound first; compounds without coordinates last', () => {
  const here = { latitude: 31.2313, longitude: 121.4762 };
  assert.deepEqual(s.compoundsByDistance(compounds, here).map((c) => c.id), [2, 1, 3]);
  assert.ok(s.compoundsByDistance(compounds, here)[0].distance < 20);
  assert.equal(s.compoundsByDistance(compounds, null).at(-1).distance, null);
});

test('catalog: recent codes first with no query; search matches code, name and condition', () => {
  const types = [{ code: 'JC01', name: '外立面破损' }, { code: 'JC04', name: '井盖缺损',
    condition: '各类井盖（含雨水箅子）破损' }, { code: 'HJ01', name: '垃圾堆放' }];
  assert.deepEqual(s.searchCatalog(types, '', ['HJ01']).map((t) => t.code), ['HJ01', 'JC01', 'JC04']);
  assert.deepEqual(s.searchCatalog(types, '雨水').map((t) => t.code), ['JC04']);
  assert.deepEqual(s.searchCatalog(types, 'jc04').map((t) => t.code), ['JC04']);
  assert.deepEqual(s.rememberRecent(['A', 'B'], 'B'), ['B', 'A']);
});

test('mergeById keeps the newer version', () => {
  const merged = s.mergeById([{ id: 1, version: 2, v: 'old' }], [{ id: 1, version: 1, v: 'stale' },
    { id: 2, version: 0 }]);
  assert.equal(merged.find((r) => r.id === 1).v, 'old');
  assert.equal(merged.length, 2);
});
