// Orderings and filters for lists: nearest compounds, catalog search, merging pulled records.
// Pure: positions are parameters. The tickets' rules are tickets.js's.

const EARTH_M = 6371000;

export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.sqrt(h));
}

// Chinese names in the order officials expect (pinyin); one for every list on the phone.
export const collator = new Intl.Collator('zh-Hans-CN');

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

// Merge pulled records into the cache by id (later version wins).
export function mergeById(existing, incoming) {
  const map = new Map(existing.map((r) => [r.id, r]));
  for (const r of incoming) {
    const old = map.get(r.id);
    if (!old || (r.version ?? 0) >= (old.version ?? 0)) map.set(r.id, r);
  }
  return [...map.values()];
}
