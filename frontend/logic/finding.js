// A finding as the phone sends it (POST /api/sync/findings; the server's FindingIn): the one
// place its payload is built from what was entered, on the finding form and during a rubric
// inspection. Adding a field to a finding: the server's FindingBase, a migration, the form and
// here (backend/findings/models.py). tests/frontend/test_finding_payload.py validates what this
// builds against the server's model.

import { distanceM } from './sorting.js';

// ux.md's words
export const SOURCES = [['patrol', '巡查'], ['announced', '明查'], ['unannounced', '暗访'], ['hotline', '12345热线']];

const trimmed = (s) => (s || '').trim();

/** Why the entry cannot be saved yet, in the inspector's words, or null. The type sets the
 * deadline, so there is always one: 其他问题 (catch_all) for what the catalog does not list, said
 * in words, as the server requires (backend/findings/service.py). */
export function findingError(entry) {
  if (!entry.compoundId) return '请先选择小区';
  if (!entry.type) return '请选择问题类型；目录里没有的，选“其他问题”';
  const said = trimmed(entry.description);
  if (entry.type.catch_all && (!said || said === entry.type.name)) return '选择“其他问题”时请写明是什么问题';
  if (entry.source === 'hotline' && !trimmed(entry.caseNo)) return '热线案卷请填写案卷号';
  return null;
}

/**
 * The payload of a new finding. `entry`: what the form holds ({compoundId, type, description,
 * building, source, caseNo, caseLevel, inspectionId, rubricItem}); `id` and `observedAt` (ISO 8601 with
 * offset) are the phone's; `position` a GeolocationCoordinates-like object or null.
 */
export function findingPayload(entry, { id, observedAt, position = null }) {
  const type = entry.type || null;
  const source = entry.source || 'patrol';
  return {
    id,
    compound_id: entry.compoundId,
    catalog_code: type ? type.code : null,
    inspection_id: entry.inspectionId || null,
    rubric_item: entry.rubricItem || null,
    description: trimmed(entry.description) || (type ? type.name : ''),
    building: trimmed(entry.building) || null,
    location_text: trimmed(entry.locationText) || null,
    latitude: position ? position.latitude : null,
    longitude: position ? position.longitude : null,
    accuracy_m: position ? Math.round(position.accuracy) : null,
    source,
    case_no: source === 'hotline' ? trimmed(entry.caseNo) || null : null,
    case_level: source === 'hotline' ? entry.caseLevel || null : null,
    observed_at: observedAt,
  };
}

// ------------------------------------------------------------------ near-duplicates at capture

const NEAR_METRES = 30;

const norm = (s) => (s || '').replace(/\s+/g, '').toLowerCase();

/**
 * Open tickets that are likely the same problem as the one being logged: the same compound and
 * catalog type, and the same building, or within ~30 m when both have GPS. Closest first.
 * `tickets`: the pulled tickets (with their finding); `entry`: {compoundId, type, building};
 * `position`: {latitude, longitude} or null.
 */
export function nearDuplicates(tickets, entry, position = null) {
  if (!entry.compoundId || !entry.type) return [];
  const out = [];
  for (const t of tickets) {
    const f = t.finding || {};
    if (String(t.compound_id) !== String(entry.compoundId) || t.catalog_code !== entry.type.code) continue;
    if (t.state !== 'open' && t.state !== 'rectified') continue;
    const sameBuilding = norm(entry.building) !== '' && norm(entry.building) === norm(f.building);
    const metres = position && f.latitude != null && f.longitude != null
      ? distanceM(position, f) : null;
    if (sameBuilding || (metres != null && metres <= NEAR_METRES)) out.push({ ticket: t, metres, sameBuilding });
  }
  return out.sort((a, b) => (a.metres ?? Infinity) - (b.metres ?? Infinity));
}
