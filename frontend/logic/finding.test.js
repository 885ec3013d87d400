import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingError, findingPayload } from './finding.js';

const manhole = { code: 'JC04', name: '井盖缺损' };
const at = '2026-11-20T10:03:00+08:00';

test('a finding needs a compound, and a type or a description', () => {
  assert.equal(findingError({}), '请先选择小区');
  assert.equal(findingError({ compoundId: 'c' }), '请选择问题类型或填写说明');
  assert.equal(findingError({ compoundId: 'c', description: '  ' }), '请选择问题类型或填写说明');
  assert.equal(findingError({ compoundId: 'c', type: manhole }), null);
  assert.equal(findingError({ compoundId: 'c', description: '消防通道堵塞' }), null);
});

test('a hotline case needs its case number', () => {
  assert.equal(findingError({ compoundId: 'c', type: manhole, source: 'hotline' }), '热线案卷请填写案卷号');
  assert.equal(findingError({ compoundId: 'c', type: manhole, source: 'hotline', caseNo: 'RX2026' }), null);
});

test('the payload: the type names an empty description, blanks become null, position rounded', () => {
  const p = findingPayload({ compoundId: 'c', type: manhole, building: ' 3号楼 ', caseNo: 'x' },
    { id: 'i', observedAt: at, position: { latitude: 31.2, longitude: 121.4, accuracy: 12.6 } });
  assert.deepEqual(p, {
    id: 'i', compound_id: 'c', catalog_code: 'JC04', inspection_id: null, rubric_item: null,
    description: '井盖缺损', building: '3号楼', location_text: null, latitude: 31.2,
    longitude: 121.4, accuracy_m: 13, source: 'patrol', case_no: null, case_level: null,
    observed_at: at,
  });
});

test('a rubric inspection finding carries its inspection and item', () => {
  const p = findingPayload({ compoundId: 'c', description: '楼道堆物', inspectionId: 'r', rubricItem: '2.1',
    source: 'announced' }, { id: 'i', observedAt: at });
  assert.equal(p.inspection_id, 'r');
  assert.equal(p.rubric_item, '2.1');
  assert.equal(p.catalog_code, null);
  assert.equal(p.latitude, null);
});
