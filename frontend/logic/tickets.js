// The rectification ticket's rules on the phone: states and their words, which actions a role
// may take, the ticket as this phone knows it (with its unsent actions), time left, and when a
// ticket is overdue. The server's rules are backend/findings/tickets.py and overdue.py;
// tests/frontend/test_ticket_parity.py holds these equal to them.

import { isUnsent } from './outbox.js';
import { prepareSchedule, timeLeftLabel, scheduleKeyFor, instantOf } from './worktime.js';

export const OPEN_STATES = ['open', 'rectified'];

// ../shared/ux.md's words (backend/findings/tickets.py STATE_LABELS, KIND_LABELS)
export const STATE_LABELS = {
  open: '待整改', rectified: '待核查', closed: '已办结', cancelled: '已撤销',
};
export const EVENT_LABELS = {
  dispatch: '派单', rectify: '整改', close: '核查通过', reject: '退回', cancel: '撤销',
  due_recomputed: '时限重算', retimed: '记录时间更正', supplement: '补充照片', merge: '合并为重复问题',
  hotline_update: '热线工单更新', retype: '更正问题类型',
};

// kind → [states it may start from, resulting state (null: unchanged), roles that may do it]
const VERIFIERS = ['inspector', 'grid_worker', 'supervisor', 'admin'];
const LIVE = ['open', 'rectified'];
export const TRANSITIONS = {
  rectify: [['open'], 'rectified', ['property_manager', 'admin']],
  close: [['rectified'], 'closed', VERIFIERS],
  reject: [['rectified'], 'open', VERIFIERS],
  cancel: [LIVE, 'cancelled', ['supervisor', 'admin']],
  merge: [LIVE, 'cancelled', ['supervisor', 'admin']], // online: names the finding it repeats
  supplement: [LIVE, null, VERIFIERS], // more photos of the same problem
  retype: [LIVE, null, ['supervisor', 'admin']], // online: names the corrected type
};
export const NEEDS_REASON = ['reject', 'cancel', 'retype'];

export function isOpen(ticket) {
  return OPEN_STATES.includes(ticket.state);
}

// The actions `role` may take on the ticket in its present state.
export function nextActions(ticket, role) {
  return Object.entries(TRANSITIONS)
    .filter(([, [from, , roles]]) => from.includes(ticket.state) && roles.includes(role))
    .map(([kind]) => kind);
}

const at = (iso) => (iso ? instantOf(iso) : null);

// Seed 002 §四(一): overdue counts double. The company is judged by when it rectified:
// never without a due time or once cancelled; closed: rectified after the due time; rectified
// in time and awaiting verification: no; otherwise once the due time has passed.
export function isOverdue(ticket, nowMs) {
  const due = at(ticket.due_at);
  const rectified = at(ticket.rectified_at);
  if (due == null || ticket.state === 'cancelled') return false;
  if (ticket.state === 'closed') return rectified == null || rectified > due;
  if (ticket.state === 'rectified' && rectified != null && rectified <= due) return false;
  return nowMs > due;
}

// The ticket as this phone knows it: the server's state, moved by this user's unsent actions
// (an offline rectification counts from when it was done).
export function withPending(ticket, items) {
  const pending = items.filter((i) => i.kind === 'event' && i.payload.ticket_id === ticket.id && isUnsent(i));
  if (!pending.length) return { ...ticket, pending: [] };
  let next = { ...ticket, pending };
  for (const item of pending) {
    const rule = TRANSITIONS[item.payload.kind];
    if (!rule || !rule[0].includes(next.state)) continue;
    if (rule[1]) next = { ...next, state: rule[1] };
    if (item.payload.kind === 'rectify') next.rectified_at = item.payload.at;
    if (item.payload.kind === 'reject') next.rectified_at = null;
  }
  return next;
}

// Open tickets first, by due time (soonest, i.e. most overdue, first); no due time last.
export function ticketsByDue(tickets) {
  const due = (t) => (t.due_at ? Date.parse(t.due_at) : Infinity);
  return tickets.slice().sort((a, b) => {
    const oa = isOpen(a) ? 0 : 1;
    const ob = isOpen(b) ? 0 : 1;
    return oa - ob || due(a) - due(b) || String(a.id).localeCompare(String(b.id));
  });
}

// {text, overdue} of the work time left, counted on the phone from the cached calendar.
export function timeLeft(ticket, calendar, nowMs = Date.now(), plans = new Map()) {
  const key = scheduleKeyFor(calendar, ticket);
  if (!plans.has(key)) plans.set(key, prepareSchedule(calendar || {}, key));
  return timeLeftLabel(nowMs, at(ticket.due_at), plans.get(key), ticket.deadline_unit);
}

// Issue 15 §1: an after-photo whose camera time lies before the dispatch cannot show the
// repair; the server refuses it (backend/findings/evidence.py, with the same five minutes'
// grace for a phone clock behind the server's), so the picker says so before it is queued.
// A photo without a capture time is left to the verifier. A camera's time without an offset
// is read in the deployment's zone, as the server reads it (`instantOf`).
export const CLOCK_GRACE_MS = 5 * 60 * 1000;

export function takenBeforeDispatch(photo, ticket, graceMs = CLOCK_GRACE_MS) {
  const taken = at(photo.takenAt);
  const dispatched = at(ticket.dispatched_at);
  return taken != null && dispatched != null && !Number.isNaN(taken) && taken < dispatched - graceMs;
}
