import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from './tickets.js';
import { localBoard } from './dashboard.js';

const bj = (s) => `${s}:00+08:00`;
const now = Date.parse(bj('2026-11-20T10:00'));

test('open tickets first by due time; overdue counts by street', () => {
  const rows = [
    { id: 'a', state: 'closed', due_at: bj('2026-11-01T10:00'), rectified_at: bj('2026-10-30T10:00'), street: 'X' },
    { id: 'b', state: 'open', due_at: bj('2026-11-25T10:00'), street: 'X' },
    { id: 'c', state: 'open', due_at: bj('2026-11-19T10:00'), street: 'Y' },
    { id: 'd', state: 'open', due_at: null, street: 'Y' },
    { id: 'e', state: 'open', due_at: bj('2026-11-18T10:00'), street: 'Y' },
  ];
  assert.deepEqual(t.ticketsByDue(rows).map((x) => x.id), ['e', 'c', 'b', 'd', 'a']);
  const compounds = ['X', 'Y'].map((s) => ({ id: `c${s}`, street_id: s, street_name: s }));
  const board = localBoard(rows.map((x) => ({ ...x, compound_id: `c${x.street}` })), compounds, {}, now);
  assert.deepEqual(board.rows.map((r) => ({ name: r.name, count: r.overdue })), [{ name: 'Y', count: 2 }]);
});

test('a ticket closed on a late rectification is overdue; rectified in time is not', () => {
  const due = bj('2026-11-18T10:00');
  assert.equal(t.isOverdue({ state: 'closed', due_at: due, rectified_at: bj('2026-11-19T10:00') }, now), true);
  assert.equal(t.isOverdue({ state: 'closed', due_at: due, rectified_at: bj('2026-11-17T10:00') }, now), false);
  assert.equal(t.isOverdue({ state: 'rectified', due_at: due, rectified_at: bj('2026-11-17T10:00') }, now), false);
  assert.equal(t.isOverdue({ state: 'rectified', due_at: due, rectified_at: bj('2026-11-19T10:00') }, now), true);
  assert.equal(t.isOverdue({ state: 'cancelled', due_at: due }, now), false);
});

test('unsent actions move the ticket as the server will', () => {
  const ticket = { id: 'x', state: 'open', rectified_at: null };
  const item = (kind, extra = {}) => ({ kind: 'event', state: 'pending', payload: { ticket_id: 'x', kind, ...extra } });
  const moved = t.withPending(ticket, [item('rectify', { at: bj('2026-11-20T09:00') })]);
  assert.equal(moved.state, 'rectified');
  assert.equal(moved.rectified_at, bj('2026-11-20T09:00'));
  assert.equal(t.withPending(ticket, []).pending.length, 0);
  // a second action that would not apply to the state reached is left to the server
  assert.equal(t.withPending(ticket, [item('close')]).state, 'open');
});

test('actions by role and state, with the words of ux.md', () => {
  assert.deepEqual(t.nextActions({ state: 'open' }, 'property_manager'), ['rectify']);
  assert.deepEqual(t.nextActions({ state: 'rectified' }, 'inspector'), ['close', 'reject', 'supplement']);
  assert.deepEqual(t.nextActions({ state: 'rectified' }, 'supervisor'),
    ['close', 'reject', 'cancel', 'merge', 'supplement', 'retype']);
  assert.deepEqual(t.nextActions({ state: 'closed' }, 'admin'), []);
  assert.equal(t.STATE_LABELS.rectified, '待核查');
  assert.equal(t.EVENT_LABELS.close, '核查通过');
  assert.equal(t.EVENT_LABELS.supplement, '补充照片');
});

test('an unsent supplement leaves the state as it is', () => {
  const items = [{ kind: 'event', state: 'pending', payload: { ticket_id: 'x', kind: 'supplement', at: 'now' } }];
  assert.equal(t.withPending({ id: 'x', state: 'open' }, items).state, 'open');
});

test('an after-photo taken before the dispatch is caught before it is queued', () => {
  const ticket = { dispatched_at: '2026-12-01T10:00:00+08:00' };
  assert.equal(t.takenBeforeDispatch({ takenAt: '2026-11-30T16:20:00+08:00' }, ticket), true);
  assert.equal(t.takenBeforeDispatch({ takenAt: '2026-12-01T09:57:00+08:00' }, ticket), false); // a clock 3 min behind
  assert.equal(t.takenBeforeDispatch({ takenAt: '2026-12-02T09:00:00+08:00' }, ticket), false);
  assert.equal(t.takenBeforeDispatch({ takenAt: null }, ticket), false); // no time: the verifier is told
  // a camera's time without an offset is Beijing time, as the server reads it, on a phone set to any zone
  process.env.TZ = 'America/New_York';
  assert.equal(t.takenBeforeDispatch({ takenAt: '2026-12-01T09:50:00' }, ticket), true);
  assert.equal(t.takenBeforeDispatch({ takenAt: '2026-12-01T09:58:00' }, ticket), false);
  assert.equal(t.takenBeforeDispatch({ takenAt: 'garbage' }, ticket), false);
});
