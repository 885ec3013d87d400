import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localBoard } from './dashboard.js';

const compounds = [
  { id: 'c1', name: '金桂园', street_id: 's1', street_name: 'XX镇', community_id: 'm1', community_name: '桂园社区', company_id: 'p1', company_name: '甲物业' },
  { id: 'c2', name: '银杏苑', street_id: 's1', street_name: 'XX镇', community_id: 'm2', community_name: '杏林社区', company_id: 'p2', company_name: '乙物业' },
  { id: 'c3', name: '翠竹苑', street_id: 's2', street_name: 'YY街道', community_id: 'm3', community_name: '竹林社区', company_id: null },
];
const now = Date.parse('2026-12-04T10:00:00+08:00');
const past = '2026-12-01T17:30:00+08:00';
const future = '2026-12-09T17:30:00+08:00';
const tickets = [
  { id: 't1', compound_id: 'c1', state: 'open', due_at: past, company_id: 'p1' },
  { id: 't2', compound_id: 'c1', state: 'open', due_at: past, company_id: 'p1' },
  { id: 't3', compound_id: 'c2', state: 'rectified', due_at: past, rectified_at: '2026-11-30T09:00:00+08:00', company_id: 'p2' }, // in time
  { id: 't4', compound_id: 'c2', state: 'open', due_at: future, company_id: 'p2' },
  { id: 't5', compound_id: 'c3', state: 'open', due_at: past },
  { id: 't6', compound_id: 'c3', state: 'closed', due_at: past, rectified_at: future }, // late, closed: not open
];

test('the district board counts overdue tickets by street, as the server does', () => {
  const board = localBoard(tickets, compounds, {}, now);
  assert.equal(board.level, 'street');
  assert.deepEqual(board.rows.map((r) => [r.name, r.overdue]), [['XX镇', 2], ['YY街道', 1]]);
  assert.equal(board.total, 3); // open work only: the late but closed t6 is no longer chased
  assert.equal(board.open, 5);
  assert.deepEqual(board.by_company.map((r) => [r.name, r.overdue]), [['甲物业', 2], ['无物业', 1]]);
  assert.equal(board.companies, 1); // 无物业 is not a company
  assert.deepEqual(board.path, []);
  assert.deepEqual(board.overdue.map((t) => t.id), ['t1', 't2', 't5']); // the list, by due time
});

test('a street drills to its communities, a community to its compounds, a compound to nothing', () => {
  const street = localBoard(tickets, compounds, { street_id: 's1' }, now);
  assert.equal(street.level, 'community');
  assert.deepEqual(street.rows.map((r) => [r.name, r.overdue]), [['桂园社区', 2]]);
  assert.deepEqual(street.path, [{ key: 'street_id', id: 's1', name: 'XX镇' }]);
  const community = localBoard(tickets, compounds, { street_id: 's1', community_id: 'm1' }, now);
  assert.equal(community.level, 'compound');
  assert.deepEqual(community.rows.map((r) => [r.id, r.name, r.overdue]), [['c1', '金桂园', 2]]);
  const one = localBoard(tickets, compounds, { street_id: 's1', community_id: 'm1', compound_id: 'c1' }, now);
  assert.equal(one.level, null);
  assert.deepEqual(one.rows, []);
  assert.equal(one.total, 2);
  assert.deepEqual(one.overdue.map((t) => t.id), ['t1', 't2']);
  assert.deepEqual(one.path.map((p) => p.name), ['XX镇', '桂园社区', '金桂园']);
});
