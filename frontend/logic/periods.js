// Assessment periods as the server names them (backend/reports/periods.py parse_period):
// 2026-03 (month), 2026Q1, 2026H1, 2026 (year) and 2026-03-05..2026-04-20 (a custom range).
// The picker works on a selection {kind, year, month, quarter, half, start, end}.

export const KINDS = [['month', '月'], ['quarter', '季度'], ['half', '半年'], ['year', '年'], ['range', '自定义']];

const pad = (n) => String(n).padStart(2, '0');
const isDate = (s) => typeof s === 'string' && /^\d{4}-\d\d-\d\d$/.test(s);

/** The selection for this month (the screen's default). `today`: 'YYYY-MM-DD'. */
export function thisMonth(today) {
  const [y, m] = today.split('-').map(Number);
  return { kind: 'month', year: y, month: m, quarter: Math.ceil(m / 3), half: m <= 6 ? 1 : 2,
    start: `${y}-${pad(m)}-01`, end: today };
}

/** The server's key of a selection, or null while it is incomplete or wrong (periodError). */
export function periodKey(sel) {
  if (periodError(sel)) return null;
  switch (sel.kind) {
    case 'month': return `${sel.year}-${pad(sel.month)}`;
    case 'quarter': return `${sel.year}Q${sel.quarter}`;
    case 'half': return `${sel.year}H${sel.half}`;
    case 'year': return `${sel.year}`;
    default: return `${sel.start}..${sel.end}`;
  }
}

/** Why a selection names no period, in the supervisor's words; null when it does. */
export function periodError(sel) {
  if (!sel || !KINDS.some(([k]) => k === sel.kind)) return '请选择期间类型';
  if (sel.kind === 'range') {
    if (!isDate(sel.start) || !isDate(sel.end)) return '请填写开始和结束日期';
    if (sel.end < sel.start) return '结束日期不能早于开始日期';
    return null;
  }
  if (!Number.isInteger(sel.year) || sel.year < 2000 || sel.year > 2100) return '年份应在 2000–2100 之间';
  if (sel.kind === 'month' && !(sel.month >= 1 && sel.month <= 12)) return '请选择月份';
  if (sel.kind === 'quarter' && !(sel.quarter >= 1 && sel.quarter <= 4)) return '请选择季度';
  if (sel.kind === 'half' && ![1, 2].includes(sel.half)) return '请选择上半年或下半年';
  return null;
}

/** The selection a key names (the inverse of periodKey), or null for a key it cannot read.
 * `fallback` fills the fields the key does not set (the picker keeps them when the kind changes). */
export function selectionOf(key, fallback) {
  const base = { ...fallback };
  let m;
  if ((m = /^(\d{4})-(\d{2})$/.exec(key))) return { ...base, kind: 'month', year: +m[1], month: +m[2] };
  if ((m = /^(\d{4})Q([1-4])$/.exec(key))) return { ...base, kind: 'quarter', year: +m[1], quarter: +m[2] };
  if ((m = /^(\d{4})H([12])$/.exec(key))) return { ...base, kind: 'half', year: +m[1], half: +m[2] };
  if ((m = /^(\d{4})$/.exec(key))) return { ...base, kind: 'year', year: +m[1] };
  if ((m = /^(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)$/.exec(key))) return { ...base, kind: 'range', start: m[1], end: m[2] };
  return null;
}

/** Years a picker offers: from 2020 (seed 001's assessments are of 2021) to this year. */
export function yearsUpTo(year) {
  const out = [];
  for (let y = year; y >= 2020; y -= 1) out.push(y);
  return out;
}
