// 作息时间: the working schedules deadlines are counted in (rubrics/worktime.yaml until the
// admin saves their own): each schedule's windows and its summer or winter hours, which one is
// the default, which catalog types and responsible units follow another, and how N 工作日 is
// counted. Saving makes a new settings version; tickets dispatched afterwards use it.
import { useState } from '../../vendor/hooks.js';
import { html, Notice } from '../ui.js';
import { api } from '../../api.js';
import { parseWindows, windowsText } from '../../logic/admin.js';

const DAYS = [['working', '工作日（含调休上班日）'], ['every', '每天（含节假日）']];
const RULES = [['civil', '按民法典：次日起算，第 N 个工作日下班时截止'], ['hours', '按小时：N × 每日工作时长']];

function Mapping({ label, entries, schedules, options, onChange }) {
  // rows as typed (a name being retyped stays a row); the schedule file's mapping without blanks
  const [rows, setRows] = useState(() => Object.entries(entries || {}));
  const put = (next) => { setRows(next); onChange(Object.fromEntries(next.filter(([k]) => k.trim()))); };
  return html`<fieldset class="admin-section"><legend>${label}</legend>
    ${rows.length ? rows.map(([key, value], i) => html`<div class="entry-row" key=${i}>
      <label class="field">${options ? '问题类型' : '责任单位'}${options
        ? html`<select value=${key} onChange=${(e) => put(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}>
            ${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select>`
        : html`<input value=${key} onInput=${(e) => put(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />`}</label>
      <label class="field">作息<select value=${value} onChange=${(e) => put(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}>
        ${schedules.map(([k, n]) => html`<option value=${k}>${n}</option>`)}</select></label>
      <button type="button" class="button button-small button-secondary" onClick=${() => put(rows.filter((_, j) => j !== i))}>删除</button>
    </div>`) : html`<p class="hint">无：均按默认作息</p>`}
    <button type="button" class="button button-small button-secondary" onClick=${() => put([...rows,
      [options ? options[0][0] : '新单位', schedules[0][0]]])}>添加</button></fieldset>`;
}

// The windows as the admin types them: the text is kept as typed (a re-render never rewrites it
// mid-edit) and every keystroke is committed parsed, so saving never misses the last edit.
function WindowsInput({ windows, onWindows }) {
  const [text, setText] = useState(() => windowsText(windows));
  const shown = windowsText(parseWindows(text)) === windowsText(windows) ? text : windowsText(windows);
  return html`<input value=${shown} onInput=${(e) => { setText(e.target.value); onWindows(parseWindows(e.target.value)); }} />`;
}

export function Schedules({ ctx, settings, onSaved }) {
  const [doc, setDoc] = useState(() => JSON.parse(JSON.stringify(settings.schedules || {})));
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const schedules = Object.entries(doc.schedules || {});
  const names = schedules.map(([k, s]) => [k, s.name || k]);
  const types = ((ctx.data.catalog && ctx.data.catalog.types) || []).map((t) => [t.code, `${t.code} ${t.name}`]);
  // Updates are functional: two edits between renders (typing, then leaving the field) both stay.
  const putSchedule = (key, changes) => setDoc((d) => ({ ...d, schedules: { ...d.schedules,
    [key]: { ...d.schedules[key], ...(typeof changes === 'function' ? changes(d.schedules[key]) : changes) } } }));
  const putPeriod = (key, i, changes) => putSchedule(key, (cur) => ({
    periods: cur.periods.map((x, j) => (j === i ? { ...x, ...changes } : x)) }));
  async function save(event) {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      const answer = await api('/api/settings/schedules', { method: 'PUT', token: ctx.token,
        body: { schedules: doc, reason, base_version: settings.version } });
      await onSaved();
      setReason('');
      setMessage(`已保存为第 ${answer.version} 版设置：此后派发的工单按新作息计算期限，已派发的不变（临时到期的在补录节假日时按新作息重算）`);
    } catch (e) { setError(e.message); }
  }
  return html`<form class="admin-section" onSubmit=${save} aria-labelledby="schedules-h">
    <h2 id="schedules-h">作息时间</h2>
    <p class="hint">${settings.schedules_configured ? '按本系统设置' : '按标准文件 rubrics/worktime.yaml'}。工作时和工作日期限按这些时段计算。</p>
    <div class="admin-form">
      <label class="field">默认作息<select value=${doc.default} onChange=${(e) => setDoc((d) => ({ ...d, default: e.target.value }))}>
        ${names.map(([k, n]) => html`<option value=${k}>${n}</option>`)}</select></label>
      <label class="field">工作日期限的算法<select value=${doc.workday_rule || 'civil'} onChange=${(e) => setDoc((d) => ({ ...d, workday_rule: e.target.value }))}>
        ${RULES.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
    </div>
    ${schedules.map(([key, s]) => html`<fieldset class="admin-section" key=${key} data-testid=${`schedule-${key}`}><legend>${s.name || key}</legend>
      <div class="admin-form">
        <label class="field">名称<input value=${s.name || ''} onInput=${(e) => putSchedule(key, { name: e.target.value })} /></label>
        <label class="field">适用日期<select value=${s.days || 'working'} onChange=${(e) => putSchedule(key, { days: e.target.value })}>
          ${DAYS.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
        <label class="field wide">工作时段（如 08:30-12:00, 13:30-17:30）<${WindowsInput} windows=${s.windows}
          onWindows=${(w) => putSchedule(key, { windows: w })} /></label>
      </div>
      ${(s.periods || []).map((p, i) => html`<div class="entry-row" key=${i}>
        <label class="field">起始（MM-DD 每年，或 YYYY-MM-DD）<input value=${p.from} onInput=${(e) => putPeriod(key, i, { from: e.target.value })} /></label>
        <label class="field">名称<input value=${p.name || ''} onInput=${(e) => putPeriod(key, i, { name: e.target.value })} /></label>
        <label class="field">时段<${WindowsInput} windows=${p.windows} onWindows=${(w) => putPeriod(key, i, { windows: w })} /></label>
        <button type="button" class="button button-small button-secondary" onClick=${() => putSchedule(key, (cur) => ({
          periods: cur.periods.filter((_, j) => j !== i) }))}>删除</button></div>`)}
      <button type="button" class="button button-small button-secondary" onClick=${() => putSchedule(key, (cur) => ({
        periods: [...(cur.periods || []), { from: '05-01', name: '夏令作息', windows: cur.windows }] }))}>添加夏令/冬令作息</button>
    </fieldset>`)}
    <${Mapping} label="按问题类型指定作息（优先）" entries=${doc.catalog_types} schedules=${names} options=${types}
      onChange=${(m) => setDoc((d) => ({ ...d, catalog_types: m }))} />
    <${Mapping} label="按责任单位指定作息" entries=${doc.responsible_units} schedules=${names}
      onChange=${(m) => setDoc((d) => ({ ...d, responsible_units: m }))} />
    <label class="field">修改原因（记入日志）<input required minlength="2" maxlength="500" value=${reason}
      placeholder="例如：5月1日起执行夏令作息" onInput=${(e) => setReason(e.target.value)} /></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    <button class="button" type="submit">保存作息时间</button>
  </form>`;
}
