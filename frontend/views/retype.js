// A supervisor corrects the finding's catalog type, with the reason (online: POST
// /api/tickets/{id}/retype): 其他问题 that the catalog does list, or a wrong pick. The due time
// then follows the new type from the dispatch (a 12345 case keeps its work order's). Loaded
// when a supervisor opens a live ticket.
import { useState } from '../vendor/hooks.js';
import { html, Notice } from './ui.js';
import { CatalogPicker } from './finding.js';
import { api } from '../api.js';
import * as sync from '../sync.js';

export function Retype({ ctx, ticket }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const types = ((ctx.data.catalog && ctx.data.catalog.types) || []).filter((t) => t.code !== ticket.catalog_code);
  if (!open) {
    return html`<div class="retype">${done ? html`<${Notice} kind="ok">${done}</${Notice}>` : null}
      <button type="button" class="button button-secondary" onClick=${() => { setOpen(true); setDone(null); }}>更正问题类型</button></div>`;
  }
  async function submit(e) {
    e.preventDefault();
    if (!type) { setError('请选择正确的问题类型'); return; }
    if (!note.trim()) { setError('请填写更正原因'); return; }
    const timing = ticket.source === 'hotline' ? '热线案卷保留工单的办理时限。'
      : `整改时限改为 ${type.deadline.amount} ${type.deadline.unit}，从派单时起算。`;
    if (!confirm(`由“${ticket.catalog_name || ticket.catalog_code}”改为“${type.name}”，按新类型计分；${timing}确定更正？`)) return;
    try {
      await api(`/api/tickets/${ticket.id}/retype`, { method: 'POST', token: ctx.token, body: { catalog_code: type.code, note: note.trim() } });
      await sync.pull();
      setOpen(false); setType(null); setNote(''); setError(null);
      setDone(`已更正为“${type.name}”，处理记录中可见`);
    } catch (err) {
      setError(err.status === 0 ? '更正类型需要联网，请联网后再试' : err.message);
    }
  }
  return html`<form class="form retype" onSubmit=${submit} aria-label="更正问题类型">
    <b>更正问题类型（现为 ${ticket.catalog_code} ${ticket.catalog_name || ''}）</b>
    <${CatalogPicker} types=${types} recent=${[]} value=${type} onChange=${setType} />
    <label class="field">更正原因（必填）<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <div class="button-row"><button class="button" type="submit">确认更正</button>
      <button class="button button-secondary" type="button" onClick=${() => { setOpen(false); setError(null); }}>取消</button></div>
  </form>`;
}
