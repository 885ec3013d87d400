// The 12345 hotline import screen's pure pieces (views/hotline.js): how times, time limits,
// changes and errors read, what the import form sends as its mapping, and the error list as a
// CSV file an official can open in Excel.

import { wallClock } from './worktime.js';

const pad = (n) => String(n).padStart(2, '0');

/** A time as ux.md writes it: 11月16日 09:15 this year, 2025年11月16日 09:15 another year. */
export function shortTime(iso, now = new Date()) {
  if (!iso) return '';
  const t = wallClock(iso);
  if (Number.isNaN(t.year)) return String(iso);
  const day = `${t.month}月${t.day}日 ${pad(t.hour)}:${pad(t.minute)}`;
  return t.year === wallClock(now).year ? day : `${t.year}年${day}`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value the platform stated (a time, a time limit [amount, unit], text), for reading. */
export function statedValue(value, now = new Date()) {
  if (value == null || value === '') return '（空）';
  if (Array.isArray(value)) return limitText(value);
  if (typeof value === 'string' && ISO_TIME.test(value)) return shortTime(value, now);
  return String(value);
}

/** 办理时限 as stated: a duration ["3", "工作日"] or a time. */
export function limitText(limit, dueAt, now = new Date()) {
  if (Array.isArray(limit) && limit.length === 2) return `${Number(limit[0])}${limit[1]}`;
  return dueAt ? shortTime(dueAt, now) : '';
}

/** One change a published period kept out: "工单状态：处理中 → 办结"; a new order of that period
 * ({field: "新工单", to: its number}) was not made a case. */
export function changeText(change, now = new Date()) {
  if (change.field === '新工单') return '新工单，未建案卷';
  if (!('from' in change)) return `${change.field}：${statedValue(change.to, now)}`;
  return `${change.field}：${statedValue(change.from, now)} → ${statedValue(change.to, now)}`;
}

/** Where an error is: 第 3 行, or the file as a whole (line 0). */
export function lineLabel(line) {
  return line ? `第 ${line} 行` : '整个文件';
}

/** The `mapping` form value of a preview or an import: the saved mapping's name while the
 * official has not changed it, else the columns themselves (field → column label) as JSON;
 * empty (the server's saved or guessed mapping) before a first preview. */
export function mappingValue({ columns, name, edited }) {
  if (name && !edited) return name;
  if (!columns) return '';
  const chosen = Object.fromEntries(Object.entries(columns).filter(([, label]) => label));
  return JSON.stringify(chosen);
}

/** The fields the mapping needs but does not give a column. */
export function missingFields(fields, columns) {
  return fields.filter((f) => f.required && !(columns || {})[f.field]).map((f) => f.label);
}

/** A column may serve one field: choosing it for one field frees it from another. */
export function assignColumn(columns, field, label) {
  const next = {};
  for (const [f, l] of Object.entries(columns || {})) if (l && f !== field && l !== label) next[f] = l;
  if (label) next[field] = label;
  return next;
}

function csvCell(value) {
  const text = value == null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The errors of an import as a CSV file (with a BOM, so Excel reads it as UTF-8). */
export function errorsCsv(filename, errors) {
  const rows = [['文件', '行号', '列', '原因'],
    ...errors.map((e) => [filename, e.line || '', e.column || '', e.message])];
  return `\ufeff${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The counts of the report of an import, in the order an official reads them: {key, label, value,
 * unit, kind}, kind '' (plain), 'warn' (needs a look) or 'error'. */
export function reportCounts(report) {
  const errors = Array.isArray(report.errors) ? report.errors.length : (report.errors || 0);
  const count = (key, label, value, unit, kind = '') => ({ key, label, value: value || 0, unit, kind: value ? kind : '' });
  return [
    count('lines', '共', report.lines, '行'),
    count('created', '新建案卷', report.created, '件'),
    count('updated', '更新', report.updated, '件'),
    count('unchanged', '无变化', report.unchanged, '件'),
    count('review', '待核对', report.review, '件', 'warn'),
    count('conflicts', '冲突', report.conflicts, '件', 'warn'),
    count('duplicates', '重复行', report.duplicates, '行'),
    count('errors', '错误', errors, '条', 'error'),
  ];
}

/** The similarity of a candidate compound (0–100), as a whole number. */
export function scoreText(score) {
  return `相似度 ${Math.round(Number(score) || 0)}`;
}
