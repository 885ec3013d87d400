// Orderings and filters for lists: nearest compounds, tickets by due time, catalog search,
// overdue counts for the supervisor's dashboard. Pure: `now` and positions are parameters.

const EARTH_M = 6371000;

export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.sqrt(h));
}

const collator = new Intl.Collator('zh-Hans-CN');

// Nearest first when a position is known; compounds without coordinates go last, by name.
export function compoundsByDistance(compounds, position) {
  const rows = compounds.map((c) => ({
    ...c,
    distance: position && c.latitude != null && c.longitude != null
      ? distanceM(position, c) : null,
  }));
  return rows.sort((a, b) => {
    if (a.distance != null && b.distance != null) return a.distance - b.distance;
    if (a.distance != null) return -1;
    if (b.distance != null) return 1;
    return collator.compare(a.name || '', b.name || '');
  });
}

export function formatDistance(m) {
  if (m == null) return '';
  return m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`;
}

export function matchText(haystack, query) {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return q.split(/\s+/).every((part) => haystack.toLowerCase().includes(part));
}

export function filterCompounds(compounds, query) {
  return compounds.filter((c) => matchText(
    [c.name, c.address, c.street_name, c.community_name, c.company_name].join(' '), query));
}

// Catalog types by search; with an empty query the recently used codes come first.
export function searchCatalog(types, query, recentCodes = []) {
  if (!query.trim()) {
    const recent = recentCodes.map((code) => types.find((t) => t.code === code)).filter(Boolean);
    const rest = types.filter((t) => !recentCodes.includes(t.code));
    return [...recent, ...rest];
  }
  return types.filter((t) => matchText(
    [t.code, t.name, t.category, t.condition].filter(Boolean).join(' '), query));
}

export function rememberRecent(recentCodes, code, keep = 6) {
  return [code, ...recentCodes.filter((c) => c !== code)].slice(0, keep);
}

export const OPEN_STATES = ['open', 'rectified'];

export function isOpen(ticket) {
  return OPEN_STATES.includes(ticket.state);
}

export function isOverdue(ticket, nowMs) {
  if (!ticket.due_at || ticket.state !== 'open') return false;
  return nowMs > Date.parse(ticket.due_at);
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

// Overdue counts by a key (street, compound, company), largest first.
export function overdueCounts(tickets, keyOf, nowMs) {
  const counts = new Map();
  for (const t of tickets) {
    if (!isOverdue(t, nowMs)) continue;
    const key = keyOf(t) || '未知';
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return [...counts.entries()].map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || collator.compare(a.name, b.name));
}

export const STATE_LABELS = {
  open: '待整改', rectified: '待核验', closed: '已办结', cancelled: '已撤销',
};

export const EVENT_LABELS = {
  dispatch: '派单', rectify: '整改', close: '核验通过', reject: '退回', cancel: '撤销',
  due_recomputed: '时限重算',
};

// Merge pulled records into the cache by id (later version wins).
export function mergeById(existing, incoming) {
  const map = new Map(existing.map((r) => [r.id, r]));
  for (const r of incoming) {
    const old = map.get(r.id);
    if (!old || (r.version ?? 0) >= (old.version ?? 0)) map.set(r.id, r);
  }
  return [...map.values()];
}
