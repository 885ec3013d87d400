import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dec, ZERO, dec, max, min, sum } from './decimal.js';

const s = (x) => dec(x).toString();

test('0.1 + 0.2 is exactly 0.3, and 0.3 - 0.1 - 0.2 is 0', () => {
  assert.equal(dec('0.1').add(dec('0.2')).toString(), '0.3');
  assert.equal(dec(0.1).add(dec(0.2)).toString(), '0.3');
  assert.equal(dec('0.3').sub(dec('0.1')).sub(dec('0.2')).cmp(ZERO), 0);
});

test('text like the server fmt: integers without decimals, trailing zeros dropped, no exponent', () => {
  assert.equal(s('98'), '98');
  assert.equal(s('98.000'), '98');
  assert.equal(s('86.10'), '86.1');
  assert.equal(s('0.30'), '0.3');
  assert.equal(s('-1.50'), '-1.5');
  assert.equal(s('1E+2'), '100');
  assert.equal(s('.5'), '0.5');
  assert.equal(s(1e21), '1000000000000000000000');
  assert.equal(s(1e-7), '0.0000001');
  assert.equal(s(72.5), '72.5');
  assert.equal(s(12n), '12');
});

test('not a decimal: null', () => {
  for (const x of ['', 'abc', '1.2.3', '--1', null, undefined, true, NaN, Infinity, {}, [1]]) assert.equal(dec(x), null, String(x));
});

test('money: area × rate × months to the fen, ROUND_HALF_UP (ties away from zero)', () => {
  assert.equal(dec(52000).mul(dec('0.20')).mul(dec(6)).fixed(2), '62400.00');
  assert.equal(dec('12345.67').mul(dec('0.15')).mul(dec(5)).fixed(2), '9259.25'); // 9259.2525
  assert.equal(dec('0.125').fixed(2), '0.13');
  assert.equal(dec('0.135').fixed(2), '0.14');
  assert.equal(dec('0.1249999').fixed(2), '0.12');
  assert.equal(dec('-0.125').fixed(2), '-0.13');
  assert.equal(dec('7').fixed(2), '7.00');
  assert.equal(dec('0').fixed(2), '0.00');
});

test('division to 28 significant digits, half-even, as Python Decimal', () => {
  assert.equal(dec(130 * 100).div(dec(1000)).toString(), '13');
  assert.equal(dec(100).div(dec(3)).toString(), '33.33333333333333333333333333');
  assert.equal(dec(2).div(dec(3)).toString(), '0.6666666666666666666666666667');
  assert.equal(dec(99 * 100).div(dec(1000)).toString(), '9.9');
  assert.equal(dec(0).div(dec(7)).toString(), '0');
  assert.equal(dec('1e30').div(dec(1)).toString(), '1000000000000000000000000000000');
});

test('compare, sum, min, max', () => {
  assert.equal(dec('80').cmp(dec('79.9')), 1);
  assert.equal(dec('80.0').cmp(dec(80)), 0);
  assert.equal(dec('-1').cmp(dec('0.5')), -1);
  assert.equal(sum(['0.1', '0.2', '0.4'].map(dec)).toString(), '0.7');
  assert.equal(sum([]).toString(), '0');
  assert.equal(min(dec(6), dec('5')).toString(), '5');
  assert.equal(max(dec(0), dec('-3')).toString(), '0');
  assert.ok(new Dec(5n, -2).cmp(dec(500)) === 0);
});
