// Supervisor: overdue counts by street, compound and company, then the list; and the period's
// scores when the server has them.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty } from './ui.js';
import { overdueCounts, ticketsByDue, isOverdue, withPending, timeLeft } from '../logic/tickets.js';
import { api } from '../api.js';

function Counts({ title, rows }) {
  return html`<section class="counts">
    <h2 class="section-title">${title}</h2>
    ${rows.length ? html`<ul class="counts-list">${rows.map((r) => html`<li key=${r.name}>
      <span>${r.name}</span><b class="counts-value">${r.count}</b></li>`)}</ul>` : html`<p class="hint">无超期</p>`}
  </section>`;
}

export function DashboardView({ ctx }) {
  const now = Date.now();
  const tickets = ctx.data.tickets.map((t) => withPending(t, ctx.data.items));
  const byId = new Map(ctx.data.compounds.map((c) => [c.id, c]));
  const compoundOf = (t) => byId.get(t.compound_id) || {};
  const overdue = ticketsByDue(tickets.filter((t) => isOverdue(t, now)));
  return html`<main class="screen">
    <${TopBar} title="超期总览" />
    ${ctx.syncStatus.pull === 'missing' ? html`<${Notice} kind="warn">服务器暂未提供工单同步，暂无数据</${Notice}>` : null}
    <p class="big-number" role="status"><b class=${overdue.length ? 'time-left-overdue' : ''}>${overdue.length}</b> 张工单已超期 · 未办结 ${tickets.filter((t) => ['open', 'rectified'].includes(t.state)).length} 张</p>
    <${Counts} title="按街道" rows=${overdueCounts(tickets, (t) => compoundOf(t).street_name, now)} />
    <${Counts} title="按小区" rows=${overdueCounts(tickets, (t) => t.compound_name || compoundOf(t).name, now)} />
    <${Counts} title="按物业公司" rows=${overdueCounts(tickets, (t) => compoundOf(t).company_name, now)} />
    <h2 class="section-title">超期清单</h2>
    ${overdue.length ? html`<ul class="list">${overdue.map((t) => html`<li key=${t.id}>
      <a class="list-item ticket-row ticket-row-overdue" href=${`#/ticket/${t.id}`}>
        <span class="list-item-title">${t.catalog_name || (t.finding && t.finding.description) || '问题'}</span>
        <span class="list-item-meta">${t.compound_name || ''}</span>
        <span class="list-item-aside time-left time-left-overdue">${timeLeft(t, ctx.data.calendar).text}</span>
      </a></li>`)}</ul>` : html`<${Empty}>没有超期工单</${Empty}>`}
  </main>`;
}

export function ScoresView({ ctx }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    api('/api/scores', { token: ctx.token })
      .then((data) => setState({ data }))
      .catch((err) => setState({ error: err }));
  }, []);
  let body;
  if (state.loading) body = html`<p class="hint">正在读取…</p>`;
  else if (state.error && state.error.code === 'endpoint_missing') body = html`<${Notice} kind="warn">评分与排名功能即将上线：服务器暂未提供该接口</${Notice}>`;
  else if (state.error) body = html`<${Notice} kind="error">${state.error.status === 0 ? '离线：评分需联网查看' : state.error.message}</${Notice}>`;
  else {
    const data = state.data;
    const rows = data.items || [];
    body = html`<p class="hint">${data.period ? data.period.label : ''} · ${data.scope ? data.scope.name : ''}${data.frozen ? ' · 已发布' : ''}</p>
      ${rows.length ? html`<ol class="list ranking">${rows.map((r, i) => html`<li class="list-item" key=${i} data-testid="score-row">
      <span class="list-item-title">${r.rank ? `${r.rank}. ` : ''}${r.name}</span>
      ${Object.keys(r.inspections || {}).length ? html`<span class="list-item-meta">${Object.entries(r.inspections).map(([rid, iid]) => html`
        <a key=${rid} href=${`#/inspect/view/${iid}`} data-testid="inspection-link">细则${rid}检查详情</a> `)}</span>` : null}
      <span class="list-item-meta">${r.prize || ''}${r.score == null && !r.old_compound ? '本期未考核物业管理（细则P），不参加排名' : ''}
        ${r.old_compound && r.old_compound.total != null ? `老旧小区考核 ${Number(r.old_compound.total)} 分${r.old_compound.grade ? ` · ${r.old_compound.grade}` : ''}${
          r.old_compound.subsidy && r.old_compound.subsidy.amount != null ? ` · 补贴 ${Number(r.old_compound.subsidy.amount).toLocaleString('zh-CN', { minimumFractionDigits: 2 })} 元` : ''}` : ''}</span>
      <span class="list-item-aside">${r.score != null ? Number(r.score).toFixed(2) : r.old_compound && r.old_compound.total != null ? Number(r.old_compound.total) : '—'}</span></li>`)}</ol>`
        : html`<${Empty}>本期暂无评分</${Empty}>`}`;
  }
  return html`<main class="screen"><${TopBar} title="本期评分与排名" />${body}</main>`;
}
