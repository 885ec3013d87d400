import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingError, findingPayload } from './finding.js';

const manhole = { code: 'JC04', name: '井盖缺损' };
const at = '2026-11-20T10:03:00+08:00';

const other = { code: 'QT01', name: '其他问题', catch_all: true };

test('a finding needs a compound and a type: a description alone has no deadline', () => {
  assert.equal(findingError({}), '请先选择小区');
  assert.equal(findingError({ compoundId: 'c' }), '请选择问题类型；目录里没有的，选“其他问题”');
  assert.equal(findingError({ compoundId: 'c', description: '消防通道堵塞' }), '请选择问题类型；目录里没有的，选“其他问题”');
  assert.equal(findingError({ compoundId: 'c', type: manhole }), null);
});

test('其他问题 needs words saying what the problem is', () => {
  for (const description of [undefined, '  ', '其他问题']) {
    assert.equal(findingError({ compoundId: 'c', type: other, description }), '选择“其他问题”时请写明是什么问题');
  }
  assert.equal(findingError({ compoundId: 'c', type: other, description: '单元门禁对讲机损坏' }), null);
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

import { nearDuplicates } from './finding.js';
import { distanceM } from './sorting.js';

const ticket = (id, fields, state = 'open') => ({ id, compound_id: 'c', catalog_code: 'JC04', state,
  finding: { building: null, latitude: null, longitude: null, ...fields } });

test('an open finding of the same type at the same compound and building is a near-duplicate', () => {
  const tickets = [ticket('same', { building: '3号楼' }), ticket('other-building', { building: '5号楼' }),
    ticket('closed', { building: '3号楼' }, 'closed'), { ...ticket('other-type', { building: '3号楼' }), catalog_code: 'HJ01' }];
  const found = nearDuplicates(tickets, { compoundId: 'c', type: manhole, building: ' 3号楼' });
  assert.deepEqual(found.map((d) => d.ticket.id), ['same']);
  assert.deepEqual(nearDuplicates(tickets, { compoundId: 'c', type: null, building: '3号楼' }), []);
});

test('within ~30 m when both have GPS, closest first; farther is another problem', () => {
  const here = { latitude: 31.2301, longitude: 121.4737 };
  const tickets = [ticket('20m', { latitude: 31.23028, longitude: 121.4737 }),
    ticket('5m', { latitude: 31.23014, longitude: 121.4737 }),
    ticket('60m', { latitude: 31.23064, longitude: 121.4737 })];
  const found = nearDuplicates(tickets, { compoundId: 'c', type: manhole }, here);
  assert.deepEqual(found.map((d) => d.ticket.id), ['5m', '20m']);
  assert.ok(Math.abs(distanceM(here, tickets[2].finding) - 60) < 2);
});
