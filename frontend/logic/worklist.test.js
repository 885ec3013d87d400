import { test } from 'node:test';
import assert from 'node:assert/strict';
import { worklistParams, sortRows } from './worklist.js';

test('filters become the server query: known keys, no blanks, a stable order', () => {
  assert.equal(worklistParams({ q: ' 井盖 ', source: 'hotline', street_id: '', offset: 0, junk: 'x', state: 'open' }),
    'state=open&source=hotline&q=%E4%BA%95%E7%9B%96');
  assert.equal(worklistParams({ offset: 50 }), 'offset=50');
  assert.equal(worklistParams({}), '');
});

test('a page sorts by a column; rows without the value go last both ways', () => {
  const rows = [{ id: 1, due_at: '2026-12-07T09:00:00+08:00', compound_name: '银杏苑' },
    { id: 2, due_at: null, compound_name: '金桂园' },
    { id: 3, due_at: '2026-12-01T09:00:00+08:00', compound_name: '翠竹苑' }];
  assert.deepEqual(sortRows(rows, 'due_at').map((r) => r.id), [3, 1, 2]);
  assert.deepEqual(sortRows(rows, 'due_at', true).map((r) => r.id), [1, 3, 2]);
  assert.deepEqual(sortRows(rows, 'compound_name').map((r) => r.compound_name), ['翠竹苑', '金桂园', '银杏苑']);
  assert.equal(rows[0].id, 1); // the page itself is left as it was
});

test('scores sort as numbers, though the server sends decimals as strings', () => {
  const rows = [{ total: '95.50' }, { total: '100.00' }, { total: null }, { total: '9.5' }];
  assert.deepEqual(sortRows(rows, 'total').map((r) => r.total), ['9.5', '95.50', '100.00', null]);
  assert.deepEqual(sortRows(rows, 'total', true).map((r) => r.total), ['100.00', '95.50', '9.5', null]);
});
