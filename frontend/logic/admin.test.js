import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTree, pathOf, filterTree, parentLevels, errorFile } from './admin.js';

const UNITS = [
  { id: 'g1', parent_id: 'c1', level: 'grid', name: '第一网格' },
  { id: 'd', parent_id: null, level: 'district', name: 'XX区' },
  { id: 't', parent_id: 'd', level: 'town', name: 'XX镇' },
  { id: 's', parent_id: 'd', level: 'street', name: '东街道' },
  { id: 'c1', parent_id: 't', level: 'community', name: '中心社区' },
];

test('the organisation nests district → street/town → community → grid, siblings by name', () => {
  const [district] = buildTree(UNITS);
  assert.equal(district.unit.name, 'XX区');
  assert.deepEqual(district.children.map((n) => n.unit.name), ['东街道', 'XX镇'].sort((a, b) => a.localeCompare(b, 'zh-CN')));
  const town = district.children.find((n) => n.unit.id === 't');
  assert.equal(town.children[0].children[0].unit.name, '第一网格');
});

test('a unit is named by its path from the district down', () => {
  assert.deepEqual(pathOf(UNITS, 'g1').map((u) => u.name), ['XX区', 'XX镇', '中心社区', '第一网格']);
  assert.deepEqual(pathOf(UNITS, 'missing'), []);
});

test('searching the tree keeps the matches and the way to them', () => {
  const [district] = filterTree(buildTree(UNITS), '网格');
  assert.equal(district.children.length, 1);
  assert.equal(district.children[0].children[0].children[0].unit.name, '第一网格');
  assert.deepEqual(filterTree(buildTree(UNITS), '没有'), []);
  assert.equal(filterTree(buildTree(UNITS), ' ').length, 1);
});

test('a community moves under a street or a town, a grid under a community, a district nowhere', () => {
  assert.deepEqual(parentLevels('community'), ['street', 'town']);
  assert.deepEqual(parentLevels('grid'), ['community']);
  assert.deepEqual(parentLevels('district'), []);
});

test('the error file repeats the refused lines with their number, column and reason', () => {
  const text = errorFile(['区', '小区', '建筑面积'], [
    { line: 19, column: '建筑面积', reason: '建筑面积 应为数字，而不是 “很大”', values: ['新区', '坏小区, 一期', '很大'] },
    { line: 21, column: null, reason: '列数 4 多于表头的 3 列', values: ['新区'] }]);
  assert.ok(text.startsWith('\ufeff区,小区,建筑面积,原行号,错误列,错误原因\r\n'));
  const lines = text.slice(1).trim().split('\r\n');
  assert.equal(lines[1], '新区,"坏小区, 一期",很大,19,建筑面积,建筑面积 应为数字，而不是 “很大”');
  assert.equal(lines[2], '新区,,,21,,列数 4 多于表头的 3 列');
});

test('a month shows the admin\'s holidays and make-up working days over the weekends', async () => {
  const { monthGrid } = await import('./admin.js');
  const entries = [{ start: '2027-02-06', end: '2027-02-12', name: '春节', kind: 'holiday' },
    { start: '2027-02-20', end: '2027-02-20', name: '春节调休', kind: 'workday' }];
  const weeks = monthGrid(2027, 2, entries);
  assert.equal(weeks[0][0].date, '2027-02-01'); // 1 February 2027 is a Monday
  const cells = weeks.flat().filter(Boolean);
  assert.equal(cells.length, 28);
  const kind = (d) => cells.find((c) => c.date === d).kind;
  assert.equal(kind('2027-02-06'), 'off');
  assert.equal(kind('2027-02-12'), 'off');
  assert.equal(kind('2027-02-13'), 'weekend');
  assert.equal(kind('2027-02-20'), 'on');
  assert.equal(kind('2027-02-15'), 'work');
  assert.equal(monthGrid(2026, 12, [])[0].filter((c) => c === null).length, 1); // a Tuesday
});

test('working windows are typed as officials write them and sent as the schedule file has them', async () => {
  const { parseWindows, windowsText } = await import('./admin.js');
  assert.deepEqual(parseWindows('08:30-12:00，13：30—17:30'), ['08:30-12:00', '13:30-17:30']);
  assert.deepEqual(parseWindows('  '), []);
  assert.equal(windowsText(['08:30-12:00', '13:30-17:30']), '08:30-12:00, 13:30-17:30');
});
