// A rubric inspection as the phone holds it: a draft from the first tap, the values entered per
// item and clause, the running score (logic/rubric.js evaluates the same rubric data the server
// compiles), and the payload the outbox sends (POST /api/sync/inspections, the server's
// InspectionIn). Pure: the views keep drafts in IndexedDB and call these.
//
// An item the inspector never touched is "not assessed" (sent in not_assessed), never silently
// perfect; marking it 符合 records the values of a clean item (0 occurrences, no deduction).

import { evaluate, itemInputs } from './rubric.js';
import { SOURCES } from './finding.js';

export const SOURCE_LABELS = Object.fromEntries(SOURCES);
export const STATUS_LABELS = { missing: '未完成', open: '待检查', upcoming: '未到期', done: '已完成' };
export const STATUS_ORDER = ['missing', 'open', 'upcoming', 'done'];

/** A plan row's status on `today` (YYYY-MM-DD, the deployment's date) as the inspector reads
 * it: the server's "missing" (the window has begun, nothing submitted) is 未完成 only once the
 * window has ended; while it runs, the inspection is still to do (待检查), not overdue. */
export function planStatus(row, today) {
  return row.status === 'missing' && row.window_end >= today ? 'open' : row.status;
}

/** How many plan rows are in each status on `today`. */
export function planCounts(rows, today) {
  const counts = {};
  for (const row of rows) {
    const status = planStatus(row, today);
    counts[status] = (counts[status] || 0) + 1;
  }
  return counts;
}

const copy = (o) => JSON.parse(JSON.stringify(o));

/** A new draft for a plan row ({subject_kind, subject_id, subject_name, place, rubric_id,
 * source, window_start, window_end, window_label}) and the subject's facts. */
export function newDraft({ id, row, facts = {}, now }) {
  return {
    id, version: 1, amends: null, rubricId: row.rubric_id, rubricName: row.rubric_name || row.rubric_id,
    source: row.source,
    subject: { kind: row.subject_kind, id: row.subject_id, name: row.subject_name, place: row.place || null },
    period: { start: row.window_start, end: row.window_end, label: row.window_label },
    startedAt: now, values: {}, notAssessed: [], notes: {}, photos: {}, findings: [], facts,
  };
}

/** A new version of a submitted inspection, to amend it: the same values, a new id. */
export function amendDraft(submitted, { id, now }) {
  const d = copy(submitted.draft);
  return { ...d, id, version: (d.version || 1) + 1, amends: submitted.id, startedAt: now,
    submittedAt: null };
}

export function touched(draft, itemId) {
  return Object.hasOwn(draft.values, itemId) || draft.notAssessed.includes(itemId);
}

export function setValue(draft, itemId, clauseId, value) {
  const values = copy(draft.values);
  values[itemId] = { ...(values[itemId] || {}) };
  if (value === undefined) delete values[itemId][clauseId];
  else values[itemId][clauseId] = value;
  if (!Object.keys(values[itemId]).length) delete values[itemId];
  return { ...draft, values, notAssessed: draft.notAssessed.filter((i) => i !== itemId) };
}

export function setNotAssessed(draft, itemId, flag) {
  const values = copy(draft.values);
  if (flag) delete values[itemId];
  const notAssessed = draft.notAssessed.filter((i) => i !== itemId);
  return { ...draft, values, notAssessed: flag ? [...notAssessed, itemId] : notAssessed };
}

export function setNote(draft, itemId, text) {
  const notes = { ...draft.notes };
  if (text && text.trim()) notes[itemId] = text;
  else delete notes[itemId];
  return { ...draft, notes };
}

export function addPhotos(draft, itemId, photos) {
  const list = [...(draft.photos[itemId] || [])];
  for (const p of photos) if (!list.some((x) => x.sha === p.sha)) list.push({ sha: p.sha, bytes: p.bytes });
  return { ...draft, photos: { ...draft.photos, [itemId]: list } };
}

export function removePhoto(draft, itemId, sha) {
  const list = (draft.photos[itemId] || []).filter((x) => x.sha !== sha);
  const photos = { ...draft.photos, [itemId]: list };
  if (!list.length) delete photos[itemId];
  return { ...draft, photos };
}

// The values of an item found clean, where the rubric's clauses have one: no occurrence, no
// fixed deduction, full awarded points. null when a clause needs a real entry (a time node, a
// measured value): 符合 is then not offered.
export function compliantValues(rubric, item) {
  const out = {};
  for (const c of item.clauses) {
    if (c.type === 'per_unit') out[c.id] = 0;
    else if (c.type === 'fixed' || c.type === 'veto') out[c.id] = false;
    else if (c.type === 'award') out[c.id] = Number(c.max);
    else return null;
  }
  return out;
}

export function markCompliant(draft, rubric, itemId) {
  const item = rubric.items.find((i) => i.id === itemId);
  const values = compliantValues(rubric, item);
  if (!values) return draft;
  return { ...setNotAssessed(draft, itemId, false), values: { ...draft.values, [itemId]: values } };
}

/** The observations as the engine reads them: untouched items are not assessed. */
export function observationDocument(draft, rubric, asOf) {
  const untouched = rubric.items.filter((i) => !touched(draft, i.id)).map((i) => i.id);
  const doc = { observations: copy(draft.values), not_assessed: [...draft.notAssessed, ...untouched],
    facts: draft.facts || {} };
  if (draft.period && draft.period.start) {
    doc.period = { start: draft.period.start, end: draft.period.end };
    if (asOf && draft.period.start <= asOf && asOf < draft.period.end) doc.as_of = asOf;
  }
  return doc;
}

/** The running score: the phone's evaluation of what was entered so far. */
export function runningScore(draft, rubric, asOf) {
  return evaluate(rubric, observationDocument(draft, rubric, asOf));
}

export function progress(draft, rubric) {
  return { done: rubric.items.filter((i) => touched(draft, i.id)).length, total: rubric.items.length };
}

/** The payload of POST /api/sync/inspections (the server's InspectionIn). */
export function inspectionPayload(draft, rubric, { submittedAt }) {
  const doc = observationDocument(draft, rubric, null);
  const photos = {};
  for (const [itemId, list] of Object.entries(draft.photos)) {
    if (list.length) photos[itemId] = list.map((p) => ({ sha256: p.sha, bytes: p.bytes }));
  }
  return {
    id: draft.id,
    compound_id: draft.subject.kind === 'compound' ? draft.subject.id : null,
    unit_id: draft.subject.kind === 'street' ? draft.subject.id : null,
    rubric_id: draft.rubricId, source: draft.source,
    period_start: draft.period.start || null, period_end: draft.period.end || null,
    started_at: draft.startedAt, submitted_at: submittedAt,
    observations: doc.observations, not_assessed: doc.not_assessed, notes: { ...draft.notes },
    photos, amends: draft.amends || null,
  };
}

/** A problem logged on an item counts toward its per-occurrence clause, when it has one. */
export function countFinding(draft, rubric, itemId, findingId) {
  const item = rubric.items.find((i) => i.id === itemId);
  const clause = item && item.clauses.find((c) => c.type === 'per_unit' && item.kind !== 'bonus');
  let next = { ...draft, findings: [...draft.findings, { id: findingId, item: itemId }] };
  if (clause) {
    const now = (draft.values[itemId] || {})[clause.id] || 0;
    next = setValue(next, itemId, clause.id, now + 1);
  }
  return next;
}

// ------------------------------------------------------------------ checking what is entered

const isDate = (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v);

/** Why a value entered for a clause's input (logic/rubric.js itemInputs) cannot be kept, in
 * the inspector's words; null when it can. `period`: the draft's {start, end}. */
export function inputError(input, value, period, today) {
  switch (input.control) {
    case 'stepper':
    case 'occurrences':
      if (!Number.isInteger(value)) return '请填写整数';
      if (value < 0) return '次数不能小于 0';
      if (input.max_count != null && value > input.max_count) return `最多 ${input.max_count}${input.unit}`;
      return null;
    case 'award': {
      if (typeof value !== 'number' || Number.isNaN(value)) return '请填写分数';
      if (value < 0) return '得分不能小于 0';
      if (value > Number(input.max)) return `得分不能超过本项分值 ${input.max}`;
      return null;
    }
    case 'measure': {
      const { value: pct, sampled, households } = value || {};
      if (typeof pct !== 'number' || Number.isNaN(pct)) return '请填写满意度（%）';
      if (pct < 0) return '百分比不能小于 0';
      if (pct > 100) return '百分比不能超过 100';
      // The households come with the compound; the sample is entered later, or never.
      if (households != null && (!Number.isInteger(households) || households <= 0)) return '总户数应为大于 0 的整数';
      if (sampled != null) {
        if (!Number.isInteger(sampled) || sampled < 0) return '调查户数应为不小于 0 的整数';
        if (households == null) return '请填写小区总户数';
        if (sampled > households) return '调查户数不能超过总户数';
      }
      return null;
    }
    case 'timenode': {
      for (const v of Object.values(value || {})) {
        if (!isDate(v)) continue;
        if (period && (v < period.start || v > period.end)) {
          return `报送日期 ${v} 不在考核期间（${period.start} 至 ${period.end}）内`;
        }
        if (today && v > today) return `报送日期 ${v} 晚于今天`;
      }
      return null;
    }
    default:
      return null;
  }
}

/** The sample a measure's entry gives (in %, one decimal), and whether it reaches the minimum. */
export function sampleOf(input, value) {
  const { sampled, households } = value || {};
  if (!Number.isInteger(sampled) || !Number.isInteger(households) || households <= 0) return null;
  const pct = Math.round((sampled * 1000) / households) / 10;
  const least = input.min_sample != null ? Number(input.min_sample) : null;
  return { pct, enough: least == null || (sampled * 100) / households >= least, least };
}

export { itemInputs };
