// The overdue dashboard's board (backend OverdueBoard, GET /api/dashboard/overdue) counted on
// the phone from the synced tickets, for when the server cannot be reached: the same shape,
// so that one screen draws either. Levels drill street → community → compound.
import { isOverdue, isOpen, ticketsByDue } from './tickets.js';
import { collator } from './sorting.js';

const LEVELS = [['street_id', 'street', 'street_name'], ['community_id', 'community', 'community_name'],
  ['compound_id', 'compound', 'name']];
const COMPANIES = 20; // as the server's TOP_COMPANIES

function counted(tickets, keyOf, names, missing) {
  const counts = new Map();
  for (const t of tickets) {
    const id = keyOf(t) || null;
    counts.set(id, (counts.get(id) || 0) + 1);
  }
  return [...counts].map(([id, overdue]) => ({ id, name: (id && names.get(id)) || missing, overdue }))
    .sort((a, b) => b.overdue - a.overdue || collator.compare(a.name, b.name));
}

/** The board of the selection `chosen` ({street_id, community_id, compound_id}) from the
 * tickets and compounds cached on the phone, at `nowMs`; with `overdue`, the selection's
 * overdue tickets by due time (the list under the board). */
export function localBoard(tickets, compounds, chosen, nowMs) {
  const byId = new Map(compounds.map((c) => [c.id, c]));
  // every place's and company's name, in one pass over the compounds
  const names = { company_id: new Map() };
  for (const [key, , nameKey] of LEVELS) names[key] = new Map();
  for (const c of compounds) {
    for (const [key, , nameKey] of LEVELS) names[key].set(key === 'compound_id' ? c.id : c[key], c[nameKey]);
    if (c.company_id) names.company_id.set(c.company_id, c.company_name);
  }
  const place = (t, key) => (key === 'compound_id' ? t.compound_id : (byId.get(t.compound_id) || {})[key]);
  const selected = tickets.filter((t) => LEVELS.every(([key]) => !chosen[key] || place(t, key) === chosen[key]));
  // open work past due, as the server's overdue_clause: a closed ticket is no longer chased
  const overdue = selected.filter((t) => isOpen(t) && isOverdue(t, nowMs));
  const next = LEVELS.find(([key]) => !chosen[key]);
  const companies = counted(overdue, (t) => t.company_id || (byId.get(t.compound_id) || {}).company_id,
    names.company_id, '无物业');
  return {
    total: overdue.length,
    open: selected.filter(isOpen).length,
    level: next ? next[1] : null,
    rows: next ? counted(overdue, (t) => place(t, next[0]), names[next[0]], '未分社区') : [],
    by_company: companies.slice(0, COMPANIES),
    companies: companies.filter((c) => c.id).length, // 无物业 is no company
    path: LEVELS.filter(([key]) => chosen[key]).map(([key]) => ({ key, id: chosen[key], name: names[key].get(chosen[key]) || '未知' })),
    overdue: ticketsByDue(overdue),
  };
}
