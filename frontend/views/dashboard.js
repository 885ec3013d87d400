// Supervisor: overdue tickets counted in work time, drilled street → community → compound, with
// the companies of the selection beside, then the list. The server counts the whole district
// (GET /api/dashboard/overdue, one level per request); offline, the same board is counted from
// the tickets synced to this phone (logic/dashboard.js). Every count opens in the worklist.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty, addStyles } from './ui.js';
import { api } from '../api.js';
import { withPending, timeLeft } from '../logic/tickets.js';
import { localBoard } from '../logic/dashboard.js';
import { worklistParams } from '../logic/worklist.js';

addStyles(new URL('./desk.css', import.meta.url).href);

const PLACES = ['street_id', 'community_id', 'compound_id'];
const LEVEL = { street: ['street_id', '按街道/镇'], community: ['community_id', '按社区'], compound: ['compound_id', '按小区'] };
const LIST = 20;

function Counts({ title, rows, href }) {
  return html`<section class="counts">
    <h2 class="section-title">${title}</h2>
    ${rows.length ? html`<ul class="counts-list">${rows.map((r) => {
      const link = r.id && href(r.id);
      return html`<li key=${r.id || r.name}>
        ${link ? html`<a class="counts-pick" href=${link}>${r.name}</a>` : html`<span>${r.name}</span>`}
        <b class="counts-value">${r.overdue}</b></li>`;
    })}</ul>` : html`<p class="hint">无超期</p>`}
  </section>`;
}

function offlineState(ctx, chosen) {
  const tickets = ctx.data.tickets.map((t) => withPending(t, ctx.data.items));
  const board = localBoard(tickets, ctx.data.compounds, chosen, Date.now());
  return { board, list: board.overdue.slice(0, LIST), listTotal: board.total, offline: true };
}

export function DashboardView({ ctx }) {
  const chosen = Object.fromEntries(PLACES.map((key) => [key, ctx.route.query.get(key)]).filter(([, v]) => v));
  const params = worklistParams(chosen);
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    setState((old) => ({ ...old, loading: true }));
    Promise.all([api(`/api/dashboard/overdue?${params}`, { token: ctx.token }),
      api(`/api/tickets?${worklistParams({ ...chosen, overdue: 'true' })}&limit=${LIST}`, { token: ctx.token }),
      api(`/api/dashboard/ladder?${params}`, { token: ctx.token }).catch(() => null)]) // 催办 → 督办
      .then(([board, list, ladder]) => live && setState({ board, list: list.items, listTotal: list.total, ladder }),
        (err) => live && setState(err.status === 0 ? offlineState(ctx, chosen) : { error: err }));
    return () => { live = false; };
  }, [params]);
  const [review, setReview] = useState(null); // 12345 orders waiting for the supervisor (issue 18)
  useEffect(() => { api('/api/hotline/review?limit=1', { token: ctx.token }).then((p) => setReview(p.total), () => {}); }, []);
  const { board, list, listTotal, ladder, offline, error, loading } = state;
  const drill = (key) => (id) => `#/dashboard?${worklistParams({ ...chosen, [key]: id })}`;
  const worklist = (extra) => `#/worklist?${worklistParams({ ...chosen, overdue: 'true', ...extra })}`;
  let body = null;
  if (error) body = html`<${Notice} kind="error">${error.message}</${Notice}>`;
  else if (!board) body = html`<p class="hint">正在统计…</p>`;
  else {
    const level = board.level && LEVEL[board.level];
    const crumbs = board.path.filter((p) => PLACES.includes(p.key));
    body = html`
      <nav class="crumbs" aria-label="范围"><a href="#/dashboard">全部</a>${crumbs.map((c, i) => html` › <a key=${c.key} href=${`#/dashboard?${worklistParams(Object.fromEntries(crumbs.slice(0, i + 1).map((p) => [p.key, p.id])))}`}>${c.name}</a>`)}</nav>
      <p class="big-number" role="status"><b class=${board.total ? 'time-left-overdue' : ''}>${board.total}</b> 张工单已超期 · 未办结 ${board.open} 张</p>
      ${ladder && (ladder.urged || ladder.yellow || ladder.red) ? html`<p class="hint" data-testid="ladder-counts">已催办 ${ladder.urged} 张 · 黄牌督办 <b>${ladder.yellow}</b> 张 · 红牌督办 <b class="time-left-overdue">${ladder.red}</b> 张</p>` : null}
      ${offline ? null : html`<a class="button button-secondary" href=${worklist({})}>在工单查询中打开</a>`}
      <div class="counts-pair">
        ${level ? html`<${Counts} title=${level[1]} rows=${board.rows} href=${drill(level[0])} />` : null}
        <${Counts} title=${board.companies > board.by_company.length ? `按物业公司（超期最多的 ${board.by_company.length} 家，共 ${board.companies} 家）` : '按物业公司'}
          rows=${board.by_company} href=${(id) => (offline ? null : worklist({ company_id: id }))} />
      </div>
      <h2 class="section-title">超期清单${listTotal > list.length ? `（最早到期的 ${list.length} 张，共 ${listTotal} 张）` : ''}</h2>
      ${list.length ? html`<ul class="list">${list.map((t) => html`<li key=${t.id}>
        <a class="list-item ticket-row ticket-row-overdue" href=${`#/ticket/${t.id}`}>
          <span class="list-item-title">${t.catalog_name || (t.finding && t.finding.description) || '问题'}</span>
          <span class="list-item-meta">${t.compound_name || ''}</span>
          <span class="list-item-aside time-left time-left-overdue">${timeLeft(t, ctx.data.calendar).text}</span>
        </a></li>`)}</ul>` : html`<${Empty}>没有超期工单</${Empty}>`}
      ${!offline && listTotal > list.length ? html`<a class="button button-secondary" href=${worklist({})}>查看全部 ${listTotal} 张</a>` : null}`;
  }
  return html`<main class="screen screen-wide" aria-busy=${loading ? 'true' : 'false'}>
    <${TopBar} title="超期总览" />
    <a class="list-item hotline-link" href="#/hotline"><span class="list-item-title">12345热线工单：导入与待核对</span>
      <span class="list-item-aside">${review ? html`<span class="badge badge-warn">${review} 件待核对</span>` : null} ›</span></a>
    ${offline ? html`<p class="hint" role="status">离线：以下按本机已同步的工单统计</p>` : null}
    ${body}
  </main>`;
}
