// 日历: the working schedules (schedules.js), which years the holiday calendar covers and a warning for the coming year when it is
// not yet covered (deadlines reaching into it are 临时, weekends only); the admin's own entries
// (a new year from the State Council notice, a local holiday, make-up working days) edited as a
// list and seen month by month; saving them recomputes the provisional due times, each change
// audited. The entries are a version of the settings (规则), like every rule.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice } from '../ui.js';
import { api } from '../../api.js';
import { monthGrid } from '../../logic/admin.js';
import { wallClock } from '../../logic/worktime.js';
import { Schedules } from './schedules.js';

const WEEK = ['一', '二', '三', '四', '五', '六', '日'];
const KIND_LABELS = { holiday: '放假', workday: '调休上班' };

function Year({ year, entries }) {
  return html`<div class="cal-grid" aria-label=${`${year} 年日历`}>${Array.from({ length: 12 }, (_, i) => html`<div class="cal-month" key=${i}>
    <h3>${year} 年 ${i + 1} 月</h3>
    <div class="cal-days">${WEEK.map((w) => html`<span class="cal-head">${w}</span>`)}
      ${monthGrid(year, i + 1, entries).flat().map((c) => (c ? html`<span class=${`cal-${c.kind}`} title=${c.date}>${c.day}</span>` : html`<span></span>`))}</div>
  </div>`)}</div>`;
}

export function CalendarView({ ctx }) {
  const [status, setStatus] = useState(null);
  const [settings, setSettings] = useState(null);
  const [form, setForm] = useState(null);
  const [reason, setReason] = useState('');
  const [shown, setShown] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const read = () => Promise.all([api('/api/calendar/status', { token: ctx.token }), api('/api/settings', { token: ctx.token })])
    .then(([s, settings]) => {
      setStatus(s);
      setSettings(settings);
      setForm({ years: settings.calendar.years, entries: settings.calendar.entries });
      setShown((old) => old || s.missing[0] || wallClock(Date.now()).year);
    }, (e) => setError(e.message));
  useEffect(() => { read(); }, []);
  const put = (i, changes) => setForm({ ...form, entries: form.entries.map((e, j) => (j === i ? { ...e, ...changes } : e)) });
  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await api('/api/settings/calendar', { method: 'PUT', token: ctx.token,
        body: { ...form, reason, base_version: settings.version } });
      setResult(`已保存为第 ${answer.version} 版设置；${answer.changes.length} 张工单的到期时间已按新日历重算（记入工单历史和操作日志）`);
      setReason('');
      read();
    } catch (e) { setError(e.message); }
    setBusy(false);
  }
  return html`<main class="screen admin-screen">
    <${TopBar} title="节假日日历" />
    ${status ? html`<dl class="facts">
        <dt>已覆盖</dt><dd data-testid="covered">${status.covered.map(([a, b]) => (a === b ? `${a} 年` : `${a}–${b} 年`)).join('、')}</dd>
        <dt>未覆盖</dt><dd>${status.missing.length ? status.missing.map((y) => `${y} 年`).join('、') : '无'}</dd>
      </dl>
      ${status.warning ? html`<${Notice} kind="warn">${status.warning}</${Notice}>` : html`<${Notice} kind="ok">今明两年的节假日安排均已录入</${Notice}>`}` : html`<p class="hint">正在读取…</p>`}
    ${result ? html`<${Notice} kind="ok">${result}</${Notice}>` : null}
    ${form ? html`<form class="admin-section" onSubmit=${save} aria-labelledby="entries-h">
      <h2 id="entries-h">本地录入的节假日</h2>
      <p class="hint">按国务院办公厅当年的节假日安排通知录入放假和调休上班日期，并勾选“完整覆盖”的年份；也可录入本地的临时放假。未列出的日期按周一至周五上班。</p>
      <fieldset><legend>完整覆盖的年份</legend>
        ${[...new Set([...form.years, ...(status ? status.missing : [])])].sort().map((y) => html`<label class="check" key=${y}><span>
          <input type="checkbox" checked=${form.years.includes(y)} onChange=${(e) => setForm({ ...form,
            years: e.target.checked ? [...form.years, y] : form.years.filter((x) => x !== y) })} /> ${y} 年</span></label>`)}
      </fieldset>
      ${form.entries.map((e, i) => html`<div class="entry-row" key=${i}>
        <label class="field">开始<input type="date" required value=${e.start} onChange=${(ev) => put(i, { start: ev.target.value, end: e.end || ev.target.value })} /></label>
        <label class="field">结束<input type="date" required value=${e.end} onChange=${(ev) => put(i, { end: ev.target.value })} /></label>
        <label class="field">名称<input required maxlength="50" value=${e.name} placeholder="例如：春节" onInput=${(ev) => put(i, { name: ev.target.value })} /></label>
        <label class="field">类型<select value=${e.kind} onChange=${(ev) => put(i, { kind: ev.target.value })}>
          ${Object.entries(KIND_LABELS).map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
        <button type="button" class="button button-small button-secondary" aria-label=${`删除第 ${i + 1} 项`}
          onClick=${() => setForm({ ...form, entries: form.entries.filter((_, j) => j !== i) })}>删除</button>
      </div>`)}
      <div class="button-row"><button type="button" class="button button-secondary" onClick=${() => setForm({ ...form,
        entries: [...form.entries, { start: '', end: '', name: '', kind: 'holiday' }] })}>添加一项</button></div>
      <label class="field">依据（记入日志）<input required minlength="2" maxlength="500" value=${reason}
        placeholder="例如：国办发明电〔2026〕X号 关于2027年部分节假日安排的通知" onInput=${(e) => setReason(e.target.value)} /></label>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <button class="button" type="submit" disabled=${busy}>${busy ? '正在保存…' : '保存并重算到期时间'}</button>
    </form>
    <section class="admin-section" aria-labelledby="year-h">
      <h2 id="year-h">按月查看</h2>
      <div class="period-fields"><label class="field field-inline">年份<input type="number" min="2000" max="2199" value=${shown}
        onInput=${(e) => setShown(Number(e.target.value))} /></label></div>
      <p class="cal-legend"><span class="cal-off">放假</span><span class="cal-on">调休上班</span><span class="cal-weekend">周末</span>（仅显示本地录入项；国务院已发布年份由系统内置）</p>
      ${shown >= 2000 && shown <= 2199 ? html`<${Year} year=${shown} entries=${form.entries.filter((e) => e.start && e.end)} />` : null}
    </section>` : null}
    ${settings ? html`<${Schedules} ctx=${ctx} settings=${settings} onSaved=${read} />` : null}
  </main>`;
}
