import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodKey, periodError, selectionOf, thisMonth, yearsUpTo } from './periods.js';

test('each kind of period is named as the server parses it', () => {
  const sel = thisMonth('2026-12-06');
  assert.equal(periodKey(sel), '2026-12');
  assert.equal(periodKey({ ...sel, kind: 'quarter' }), '2026Q4');
  assert.equal(periodKey({ ...sel, kind: 'half', year: 2021, half: 1 }), '2021H1'); // seed 001's notice
  assert.equal(periodKey({ ...sel, kind: 'year' }), '2026');
  assert.equal(periodKey({ kind: 'range', start: '2026-03-05', end: '2026-04-20' }), '2026-03-05..2026-04-20');
});

test('a key read back gives the same selection, keeping the fields it does not set', () => {
  const fallback = thisMonth('2026-12-06');
  for (const key of ['2021H1', '2026Q3', '2026-02', '2025', '2026-03-05..2026-04-20']) {
    assert.equal(periodKey(selectionOf(key, fallback)), key);
  }
  assert.equal(selectionOf('2021H1', fallback).month, 12);
  assert.equal(selectionOf('2021H3', fallback), null);
  assert.equal(selectionOf('', fallback), null);
});

test('an impossible period says why in Chinese and has no key', () => {
  assert.equal(periodError({ kind: 'range', start: '2026-05-01', end: '2026-04-01' }), '结束日期不能早于开始日期');
  assert.equal(periodError({ kind: 'range', start: '2026-05-01' }), '请填写开始和结束日期');
  assert.equal(periodError({ kind: 'month', year: 1999, month: 1 }), '年份应在 2000–2100 之间');
  assert.equal(periodError({ kind: 'month', year: 2026, month: 13 }), '请选择月份');
  assert.equal(periodError({ kind: 'fortnight', year: 2026 }), '请选择期间类型');
  assert.equal(periodKey({ kind: 'half', year: 2026, half: 3 }), null);
});

test('years offered run from this year back to 2020', () => {
  assert.deepEqual(yearsUpTo(2022), [2022, 2021, 2020]);
});
