// Supervisor: overdue tickets (counted in work time, logic/tickets.js isOverdue), drilled down
// street → community → compound, with the companies of the selection beside, then the list;
// each level opens in the worklist (the server's filters) too.
import { html, TopBar, Notice, Empty, go, addStyles } from './ui.js';
import { overdueCounts, ticketsByDue, isOverdue, withPending, timeLeft } from '../logic/tickets.js';
import { worklistParams } from '../logic/worklist.js';

addStyles(new URL('./desk.css', import.meta.url).href);

const LEVELS = [['street_id', 'street_name', '按街道/镇'], ['community_id', 'community_name', '按社区'],
  ['compound_id', 'name', '按小区']];

function Counts({ title, rows, onPick }) {
  return html`<section class="counts">
    <h2 class="section-title">${title}</h2>
    ${rows.length ? html`<ul class="counts-list">${rows.map((r) => html`<li key=${r.name}>
      ${onPick ? html`<button type="button" class="counts-pick" onClick=${() => onPick(r.name)}>${r.label}</button>` : html`<span>${r.label}</span>`}
      <b class="counts-value">${r.count}</b></li>`)}</ul>` : html`<p class="hint">无超期</p>`}
  </section>`;
}

export function DashboardView({ ctx }) {
  const now = Date.now();
  const query = ctx.route.query;
  const chosen = Object.fromEntries(LEVELS.map(([key]) => [key, query.get(key)]).filter(([, v]) => v));
  const byId = new Map(ctx.data.compounds.map((c) => [c.id, c]));
  const compoundOf = (t) => byId.get(t.compound_id) || {};
  const inSelection = (t) => Object.entries(chosen).every(([key, id]) =>
    (key === 'compound_id' ? t.compound_id : compoundOf(t)[key]) === id);
  const tickets = ctx.data.tickets.map((t) => withPending(t, ctx.data.items)).filter(inSelection);
  const overdue = ticketsByDue(tickets.filter((t) => isOverdue(t, now)));
  const depth = LEVELS.findIndex(([key]) => !chosen[key]);
  const names = (key, nameKey) => new Map(ctx.data.compounds.map((c) => [key === 'compound_id' ? c.id : c[key], c[nameKey]]));
  const counts = (key, nameKey) => {
    const label = names(key, nameKey);
    return overdueCounts(tickets, (t) => (key === 'compound_id' ? t.compound_id : compoundOf(t)[key]), now)
      .map((r) => ({ ...r, label: label.get(r.name) || '未知' }));
  };
  const drill = (key) => (id) => go(`#/dashboard?${worklistParams({ ...chosen, [key]: id })}`);
  const crumbs = LEVELS.filter(([key]) => chosen[key]).map(([key, nameKey]) => ({ key, name: names(key, nameKey).get(chosen[key]) }));
  const up = (i) => `#/dashboard?${worklistParams(Object.fromEntries(crumbs.slice(0, i).map((c) => [c.key, chosen[c.key]])))}`;
  const next = depth >= 0 ? LEVELS[depth] : null;
  return html`<main class="screen screen-wide">
    <${TopBar} title="超期总览" />
    ${ctx.syncStatus.pull === 'missing' ? html`<${Notice} kind="warn">服务器暂未提供工单同步，暂无数据</${Notice}>` : null}
    <nav class="crumbs" aria-label="范围"><a href="#/dashboard">全部</a>${crumbs.map((c, i) => html` › <a key=${c.key} href=${i === crumbs.length - 1 ? '#/dashboard?' + worklistParams(chosen) : up(i + 1)}>${c.name}</a>`)}</nav>
    <p class="big-number" role="status"><b class=${overdue.length ? 'time-left-overdue' : ''}>${overdue.length}</b> 张工单已超期 · 未办结 ${tickets.filter((t) => ['open', 'rectified'].includes(t.state)).length} 张</p>
    <a class="button button-secondary" href=${`#/worklist?${worklistParams({ ...chosen, overdue: 'true' })}`}>在工单查询中打开</a>
    ${next ? html`<${Counts} title=${next[2]} rows=${counts(next[0], next[1])} onPick=${drill(next[0])} />` : null}
    <${Counts} title="按物业公司" rows=${counts('company_id', 'company_name')} />
    <h2 class="section-title">超期清单</h2>
    ${overdue.length ? html`<ul class="list">${overdue.map((t) => html`<li key=${t.id}>
      <a class="list-item ticket-row ticket-row-overdue" href=${`#/ticket/${t.id}`}>
        <span class="list-item-title">${t.catalog_name || (t.finding && t.finding.description) || '问题'}</span>
        <span class="list-item-meta">${t.compound_name || ''}</span>
        <span class="list-item-aside time-left time-left-overdue">${timeLeft(t, ctx.data.calendar).text}</span>
      </a></li>`)}</ul>` : html`<${Empty}>没有超期工单</${Empty}>`}
  </main>`;
}
