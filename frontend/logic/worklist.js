// The worklist's filters as the server reads them (GET /api/tickets, backend TicketQuery), and
// sorting a page of tickets by a column on the desk.

const KEYS = ['state', 'overdue', 'street_id', 'community_id', 'compound_id', 'company_id',
  'catalog_code', 'source', 'dispatched_from', 'dispatched_to', 'q', 'offset'];

/** The query string of a filter set: only known, non-empty values, in a fixed order (so the
 * same filters give the same address); `offset` 0 left out. */
export function worklistParams(filters) {
  const out = new URLSearchParams();
  for (const key of KEYS) {
    let v = filters[key];
    if (typeof v === 'string') v = v.trim();
    if (v === undefined || v === null || v === '' || (key === 'offset' && Number(v) === 0)) continue;
    out.set(key, String(v));
  }
  return out.toString();
}

/** A copy of `rows` ordered by `key` (numbers as numbers, even sent as decimal strings; text in
 * Chinese collation; times as instants); rows
 * without the value last, whichever the direction. */
export function sortRows(rows, key, desc = false) {
  const value = (r) => r[key];
  const cmp = (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x == null || x === '') return y == null || y === '' ? 0 : 1;
    if (y == null || y === '') return -1;
    const numbers = typeof x !== 'boolean' && Number.isFinite(Number(x)) && Number.isFinite(Number(y));
    const order = key.endsWith('_at') ? Date.parse(x) - Date.parse(y)
      : numbers ? Number(x) - Number(y) : String(x).localeCompare(String(y), 'zh-CN');
    return desc ? -order : order;
  };
  return rows.slice().sort(cmp);
}
