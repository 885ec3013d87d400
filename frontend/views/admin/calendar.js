// 日历: which years the holiday calendar covers, the warning when the coming year is not yet
// covered (deadlines reaching into it are 临时, weekends-only), and the recomputation of those
// provisional due times once the year is added (each change an audited ticket event).
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice } from '../ui.js';
import { api } from '../../api.js';

export function CalendarView({ ctx }) {
  const [status, setStatus] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const read = () => api('/api/calendar/status', { token: ctx.token }).then(setStatus, (e) => setError(e.message));
  useEffect(() => { read(); }, []);
  async function recompute() {
    setBusy(true);
    setError(null);
    try {
      const answer = await api('/api/calendar/recompute', { method: 'POST', token: ctx.token });
      setResult(answer.changes);
      read();
    } catch (e) { setError(e.message); }
    setBusy(false);
  }
  return html`<main class="screen admin-screen">
    <${TopBar} title="节假日日历" />
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${status ? html`<dl class="facts">
        <dt>已覆盖</dt><dd data-testid="covered">${status.covered.map(([a, b]) => (a === b ? `${a} 年` : `${a}–${b} 年`)).join('、')}</dd>
        <dt>未覆盖</dt><dd>${status.missing.length ? status.missing.map((y) => `${y} 年`).join('、') : '无'}</dd>
      </dl>
      ${status.warning ? html`<${Notice} kind="warn">${status.warning}</${Notice}>` : html`<${Notice} kind="ok">今明两年的节假日安排均已录入</${Notice}>`}` : html`<p class="hint">正在读取…</p>`}
    <section class="admin-section" aria-labelledby="recompute-h">
      <h2 id="recompute-h">重算临时到期时间</h2>
      <p class="hint">补录某年的节假日后，到期时间落入该年、标注“临时”的工单按正式日历重算；每一项改动记入工单历史和操作日志。</p>
      <button type="button" class="button" disabled=${busy} onClick=${recompute}>${busy ? '正在重算…' : '重算'}</button>
      ${result ? html`<${Notice} kind="ok">已重算：${result.length} 张工单的到期时间有变化</${Notice}>` : null}
    </section>
  </main>`;
}
