// The user's own recent records (findings and ticket actions) with their sync state.
import { useState } from '../vendor/hooks.js';
import { html, TopBar, Empty, Notice, PhotoThumb, formatTime } from './ui.js';
import { stateLabel, stateClass, FAILED, isUnsent } from '../logic/outbox.js';
import { EVENT_LABELS } from '../logic/tickets.js';
import * as sync from '../sync.js';

function title(item, ctx) {
  if (item.kind === 'inspection') {
    const c = ctx.data.compounds.find((x) => x.id === item.payload.compound_id);
    const r = ((ctx.data.rubrics && ctx.data.rubrics.rubrics) || []).find((x) => x.id === item.payload.rubric_id);
    return `考核检查 · ${c ? c.name : '街道/镇'} · ${r ? r.name : item.payload.rubric_id}`;
  }
  if (item.kind === 'event') return `${EVENT_LABELS[item.payload.kind] || item.payload.kind}：${item.payload.note || ''}`;
  const compound = ctx.data.compounds.find((c) => c.id === item.payload.compound_id);
  const type = ctx.data.catalog && ctx.data.catalog.types.find((t) => t.code === item.payload.catalog_code);
  return `${compound ? compound.name : '小区'} · ${type ? type.name : (item.payload.description || '问题')}`;
}

// Where an entry leads once the server holds it: the finding's (or event's) ticket, the
// inspection's result.
function linkOf(item, ctx) {
  if (item.kind === 'inspection') return item.state === 'sent' ? `#/inspect/done/${item.payload.id}` : null;
  const ticketId = item.kind === 'event' ? item.payload.ticket_id : item.payload.id;
  return ctx.data.tickets.some((t) => t.id === ticketId) ? `#/ticket/${ticketId}` : null;
}

function OutboxItem({ item, ctx }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(item.payload.description || item.payload.note || '');
  const field = item.kind === 'event' ? 'note' : 'description';
  const link = linkOf(item, ctx);
  return html`<li class="outbox-item">
    <div class="outbox-item-photos">
      ${item.photos.slice(0, 3).map((sha) => html`<${PhotoThumb} key=${sha} owner=${item.owner} sha=${sha} token=${ctx.token} />`)}
    </div>
    <div class="outbox-item-body">
      <p class="list-item-title">${link ? html`<a href=${link}>${title(item, ctx)}</a>` : title(item, ctx)}</p>
      <p class="list-item-meta">${formatTime(item.payload.observed_at || item.payload.at || item.payload.submitted_at)}${item.payload.description && item.kind === 'finding' ? ` · ${item.payload.description}` : ''}</p>
      <span class=${`state-badge ${stateClass(item)}`} data-state=${item.state}>${stateLabel(item, ctx.online)}</span>
      ${item.state === FAILED ? html`<div class="button-row">
        <button type="button" class="button button-small" onClick=${() => sync.retryItem(item.id)}>重试</button>
        ${item.kind !== 'inspection' ? html`<button type="button" class="button button-small button-secondary" onClick=${() => setEditing(!editing)}>修改</button>` : null}
        <button type="button" class="button button-small button-danger"
          onClick=${() => confirm('删除后无法恢复，确定删除这条记录？') && sync.discardItem(item.id)}>删除</button>
      </div>` : null}
      ${editing ? html`<form class="form" onSubmit=${async (e) => { e.preventDefault(); await sync.editItem(item.id, { [field]: text }); setEditing(false); }}>
        <label class="field">说明<textarea rows="2" value=${text} onInput=${(e) => setText(e.target.value)}></textarea></label>
        <button class="button button-small" type="submit">保存并重新发送</button>
      </form>` : null}
    </div>
  </li>`;
}

export function FindingsView({ ctx }) {
  const items = ctx.data.items.slice().sort((a, b) => b.createdAt - a.createdAt);
  const unsent = items.filter(isUnsent).length;
  const failed = items.filter((i) => i.state === FAILED).length;
  return html`<main class="screen">
    <${TopBar} title="我的记录" />
    ${ctx.route.query.get('saved') ? html`<${Notice} kind="ok">已保存到本机${!unsent ? '，已发送' : ctx.online ? '，正在发送' : '，联网后自动发送'}</${Notice}>` : null}
    <p class="hint" role="status" data-testid="outbox-summary">
      ${unsent ? `${unsent} 条未发送${failed ? `（其中 ${failed} 条失败，需处理）` : ''}` : '全部已发送'}${ctx.syncStatus.running ? ' · 正在同步…' : ''}
    </p>
    ${unsent ? html`<div class="button-row"><button type="button" class="button button-secondary" onClick=${() => sync.runOutbox({ force: true })}>立即发送</button>
      <a class="button button-secondary" href="#/me">导出待发送</a></div>` : null}
    ${items.length ? html`<ul class="list">${items.slice(0, 100).map((i) => html`<${OutboxItem} key=${i.id} item=${i} ctx=${ctx} />`)}</ul>`
      : html`<${Empty}>本机还没有记录。已登记的问题见“工单”的“我登记的”。</${Empty}>`}
  </main>`;
}
