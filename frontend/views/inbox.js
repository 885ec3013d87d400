// 消息: what the server told this person (new tickets, rejections, 催办 and 督办, digests), from
// the last pull, so it reads offline too. Opening a message opens its ticket, which marks it read;
// a digest (no ticket) is read once shown here.
import { useEffect } from '../vendor/hooks.js';
import { html, TopBar, Empty, formatTime } from './ui.js';
import * as sync from '../sync.js';

const RULES = { dispatched: '新工单', rejected: '退回', rectified: '待核查', due_soon: '即将到期', urged: '催办',
  yellow: '黄牌督办', red: '红牌督办', digest: '逾期汇总', test: '测试' };

export function InboxView({ ctx }) {
  const { unread, items } = ctx.data.inbox;
  // a digest is about no ticket: seen here, it is read
  useEffect(() => { sync.markRead(null).then((read) => read && ctx.reload()); }, []);
  async function readAll() {
    for (const id of new Set(items.filter((n) => !n.read_at && n.ticket_id).map((n) => n.ticket_id))) {
      await sync.markRead(id);
    }
    ctx.reload();
  }
  return html`<main class="screen">
    <${TopBar} title="消息" />
    <p class="hint" aria-live="polite">${unread ? `${unread} 条未读` : '没有未读消息'}${ctx.syncStatus.lastSync ? ` · 同步于 ${formatTime(ctx.syncStatus.lastSync)}` : ''}</p>
    ${items.length ? html`<ul class="list inbox" aria-label="消息列表">
      ${items.map((n) => html`<li key=${n.id} class=${n.read_at ? 'inbox-read' : 'inbox-unread'}>
        <a class="list-item" href=${n.ticket_id ? `#/ticket/${n.ticket_id}` : '#/inbox'}>
          <span class="list-item-title">${n.read_at ? null : html`<span class="visually-hidden">未读：</span>`}<span class=${`badge${n.rule === 'red' ? ' badge-danger' : n.rule === 'yellow' ? ' badge-warn' : ''}`}>${RULES[n.rule] || n.rule}</span> ${n.title.replace(/^【[^】]*】|^[^：]*：/, '')}</span>
          <span class="list-item-meta">${formatTime(n.created_at)}${n.ticket_id ? '' : ` · ${n.body.split('\n').slice(1).join('；')}`}</span>
        </a></li>`)}</ul>
      ${unread ? html`<div class="button-row"><button type="button" class="button button-secondary" onClick=${readAll}>全部标为已读</button></div>` : null}`
    : html`<${Empty}>有需要你处理的工单时，消息会出现在这里。</${Empty}>`}
  </main>`;
}
