// Supervisor: the district's worklist from the server (issue 15 §2): tickets filtered by street,
// community, compound, company, catalog type, state, source and dispatch dates, searched by
// case number or words; a table sortable by column from 1024 px, a list on a phone. The
// filters live in the address (#/worklist?…), so the dashboard's counts link straight here.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty, go, formatTime, addStyles } from './ui.js';
import { api } from '../api.js';
import { STATE_LABELS, timeLeft } from '../logic/tickets.js';
import { worklistParams } from '../logic/worklist.js';
import { SOURCES } from '../logic/finding.js';
import { useSorted } from './table.js';

addStyles(new URL('./desk.css', import.meta.url).href);

const STATES = [['open', '未办结'], ['all', '全部'], ['closed', '已办结'], ['cancelled', '已撤销']];
const PAGE = 50;

function unique(rows, id, name) {
  const seen = new Map();
  for (const r of rows) if (r[id] && !seen.has(r[id])) seen.set(r[id], r[name] || r[id]);
  return [...seen].sort((a, b) => String(a[1]).localeCompare(String(b[1]), 'zh-CN'));
}

function Select({ label, name, value, options, onChange, any = '全部' }) {
  return html`<label class="field field-inline">${label}<select name=${name} value=${value || ''} onChange=${(e) => onChange(name, e.target.value || null)}>
    ${any ? html`<option value="">${any}</option>` : null}${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>`;
}

function Filters({ ctx, filters, onApply }) {
  const [f, setF] = useState(filters);
  useEffect(() => setF(filters), [JSON.stringify(filters)]);
  const put = (k, v) => setF((old) => {
    const next = { ...old, [k]: v };
    // a narrower place must lie inside the wider one
    if (k === 'street_id') { next.community_id = null; next.compound_id = null; }
    if (k === 'community_id') next.compound_id = null;
    return next;
  });
  const compounds = ctx.data.compounds.filter((c) => (!f.street_id || c.street_id === f.street_id)
    && (!f.community_id || c.community_id === f.community_id));
  const types = ((ctx.data.catalog && ctx.data.catalog.types) || []).map((t) => [t.code, `${t.code} ${t.name}`]);
  return html`<form class="worklist-filters" aria-label="筛选" onSubmit=${(e) => { e.preventDefault(); onApply(f); }}>
    <div class="period-fields">
      <${Select} label="街道/镇" name="street_id" value=${f.street_id} options=${unique(ctx.data.compounds, 'street_id', 'street_name')} onChange=${put} />
      <${Select} label="社区" name="community_id" value=${f.community_id} options=${unique(ctx.data.compounds.filter((c) => !f.street_id || c.street_id === f.street_id), 'community_id', 'community_name')} onChange=${put} />
      <${Select} label="小区" name="compound_id" value=${f.compound_id} options=${compounds.map((c) => [c.id, c.name])} onChange=${put} />
      <${Select} label="物业公司" name="company_id" value=${f.company_id} options=${unique(ctx.data.compounds, 'company_id', 'company_name')} onChange=${put} />
      <${Select} label="问题类型" name="catalog_code" value=${f.catalog_code} options=${types} onChange=${put} />
      <${Select} label="状态" name="state" value=${f.state || 'open'} options=${STATES} onChange=${put} any=${null} />
      <${Select} label="来源" name="source" value=${f.source} options=${SOURCES} onChange=${put} />
      <label class="field field-inline">派单日期起<input type="date" name="dispatched_from" value=${f.dispatched_from || ''} onChange=${(e) => put('dispatched_from', e.target.value || null)} /></label>
      <label class="field field-inline">派单日期止<input type="date" name="dispatched_to" value=${f.dispatched_to || ''} onChange=${(e) => put('dispatched_to', e.target.value || null)} /></label>
      <label class="field field-inline">案卷号或文字<input type="search" name="q" value=${f.q || ''} maxlength="64" placeholder="例如：12345-2026-118806、井盖" onInput=${(e) => put('q', e.target.value || null)} /></label>
      <label class="field field-inline check"><span><input type="checkbox" checked=${f.overdue === 'true'} onChange=${(e) => put('overdue', e.target.checked ? 'true' : null)} /> 只看超期</span></label>
    </div>
    <div class="button-row"><button class="button" type="submit">查询</button>
      <button class="button button-secondary" type="button" onClick=${() => onApply({})}>清除筛选</button></div>
  </form>`;
}

// On a phone the filters would fill the first screen: folded once some are applied, so that
// the results come first (a count on the dashboard or in the ranking opens here).
function FilterFold({ ctx, filters, onApply }) {
  const applied = Object.keys(filters).filter((k) => k !== 'offset').length;
  const wide = window.matchMedia('(min-width: 1024px)').matches;
  return html`<details class="filters-fold" open=${wide || !applied}>
    <summary>筛选${applied ? `（已选 ${applied} 项）` : ''}</summary>
    <${Filters} ctx=${ctx} filters=${filters} onApply=${onApply} /></details>`;
}

const COLUMNS = [['compound_name', '小区'], ['catalog_name', '问题类型'], ['state', '状态'],
  ['dispatched_at', '派单时间'], ['due_at', '到期时间']];

export function WorklistView({ ctx }) {
  const filters = Object.fromEntries(ctx.route.query.entries());
  const offset = Number(filters.offset || 0);
  const [state, setState] = useState({ loading: true });
  const [rows, head] = useSorted((state.data && state.data.items) || [], { key: 'due_at', desc: false });
  const query = worklistParams({ ...filters, offset: 0 }); // the page is its own parameter
  useEffect(() => {
    let live = true; // a newer query's answer is never overwritten by an older one's
    setState({ loading: true });
    api(`/api/tickets?${query}&limit=${PAGE}&offset=${offset}`, { token: ctx.token })
      .then((data) => live && setState({ data }), (err) => live && setState({ error: err }));
    return () => { live = false; };
  }, [query, offset]);
  const apply = (f) => go(`#/worklist?${worklistParams({ ...f, offset: 0 })}`); // new filters: page 1
  let body;
  if (state.loading) body = html`<p class="hint">正在查询…</p>`;
  else if (state.error) body = html`<${Notice} kind="error">${state.error.status === 0 ? '离线：工单查询需联网' : state.error.message}</${Notice}>`;
  else if (!state.data.items.length) body = html`<${Empty}>没有符合条件的工单</${Empty}>`;
  else {
    const { items, total } = state.data;
    body = html`<p class="hint" role="status" data-testid="worklist-total">共 ${total} 张，第 ${offset + 1}–${offset + items.length} 张</p>
      <table class="table worklist-table"><thead><tr>${COLUMNS.map(([k, l]) => head(k, l))}<th>剩余/超期</th></tr></thead>
        <tbody>${rows.map((t) => {
          const left = t.state === 'open' ? timeLeft(t, ctx.data.calendar) : null;
          return html`<tr key=${t.id} data-testid="worklist-row" class=${t.overdue ? 'row-overdue' : ''} onClick=${() => go(`#/ticket/${t.id}`)}>
            <td><a href=${`#/ticket/${t.id}`}>${t.compound_name}</a></td><td>${t.catalog_name || (t.finding && t.finding.description) || '—'}${t.finding && t.finding.case_no ? html`<br /><small>${t.finding.case_no}</small>` : null}</td>
            <td>${STATE_LABELS[t.state] || t.state}</td><td data-label="派单">${formatTime(t.dispatched_at)}</td><td data-label="到期">${formatTime(t.due_at)}</td>
            <td class=${left && left.overdue ? 'time-left-overdue' : ''}>${left ? left.text : ''}</td></tr>`;
        })}</tbody></table>
      <div class="button-row">
        ${offset > 0 ? html`<button type="button" class="button button-secondary" onClick=${() => go(`#/worklist?${worklistParams({ ...filters, offset: Math.max(0, offset - PAGE) })}`)}>上一页</button>` : null}
        ${offset + items.length < total ? html`<button type="button" class="button button-secondary" onClick=${() => go(`#/worklist?${worklistParams({ ...filters, offset: offset + PAGE })}`)}>下一页</button>` : null}
      </div>`;
  }
  return html`<main class="screen screen-wide">
    <${TopBar} title="工单查询" back="#/tickets" />
    <${FilterFold} ctx=${ctx} filters=${filters} onApply=${apply} />
    ${body}
  </main>`;
}
