// The overdue dashboard's board (backend OverdueBoard, GET /api/dashboard/overdue) counted on
// the phone from the synced tickets, for when the server cannot be reached: the same shape,
// so that one screen draws either. Levels drill street → community → compound.
import { isOverdue, isOpen } from './tickets.js';

const LEVELS = [['street_id', 'street', 'street_name'], ['community_id', 'community', 'community_name'],
  ['compound_id', 'compound', 'name']];
const COMPANIES = 20; // as the server's TOP_COMPANIES
const collator = new Intl.Collator('zh-CN');

function counted(tickets, keyOf, nameOf, missing) {
  const counts = new Map();
  for (const t of tickets) {
    const id = keyOf(t) || null;
    counts.set(id, (counts.get(id) || 0) + 1);
  }
  return [...counts].map(([id, overdue]) => ({ id, name: (id && nameOf(id)) || missing, overdue }))
    .sort((a, b) => b.overdue - a.overdue || collator.compare(a.name, b.name));
}

/** The board of the selection `chosen` ({street_id, community_id, compound_id}) from the
 * tickets and compounds cached on the phone, at `nowMs`. */
export function localBoard(tickets, compounds, chosen, nowMs) {
  const byId = new Map(compounds.map((c) => [c.id, c]));
  const place = (t, key) => (key === 'compound_id' ? t.compound_id : (byId.get(t.compound_id) || {})[key]);
  const selected = tickets.filter((t) => LEVELS.every(([key]) => !chosen[key] || place(t, key) === chosen[key]));
  // open work past due, as the server's overdue_clause: a closed ticket is no longer chased
  const overdue = selected.filter((t) => isOpen(t) && isOverdue(t, nowMs));
  const depth = LEVELS.findIndex(([key]) => !chosen[key]);
  const nameOf = (key, nameKey) => (id) => {
    const c = compounds.find((x) => (key === 'compound_id' ? x.id : x[key]) === id);
    return c && c[nameKey];
  };
  const next = depth >= 0 ? LEVELS[depth] : null;
  const companies = counted(overdue, (t) => t.company_id || (byId.get(t.compound_id) || {}).company_id,
    nameOf('company_id', 'company_name'), '无物业');
  return {
    total: overdue.length,
    open: selected.filter(isOpen).length,
    level: next ? next[1] : null,
    rows: next ? counted(overdue, (t) => place(t, next[0]), nameOf(next[0], next[2]), '未分社区') : [],
    by_company: companies.slice(0, COMPANIES),
    companies: companies.length,
    path: LEVELS.filter(([key]) => chosen[key]).map(([key, , nameKey]) => ({ key, id: chosen[key], name: nameOf(key, nameKey)(chosen[key]) || '未知' })),
  };
}
