// The 检查 tab, loaded when first opened (sw.js MODULES): the plan of inspections due this
// period, drafts in progress, and the routes of a run (#/inspect/run/<id>[/item/<item>]) and
// of a submitted inspection's summary (#/inspect/done/<id>).
import { useState, useEffect, useCallback } from '../../vendor/hooks.js';
import { html, TopBar, Notice, Empty, go, formatTime, addStyles } from '../ui.js';
import { api } from '../../api.js';
import * as db from '../../db.js';
import { uuid7 } from '../../logic/uuid7.js';
import { newDraft, planCounts, planStatus, SOURCE_LABELS, STATUS_LABELS, STATUS_ORDER } from '../../logic/inspection.js';
import { RunView } from './run.js';
import { ItemView } from './item.js';
import { SummaryView, InspectionDetailView } from './summary.js';
import { rubricOf, today } from './parts.js';

addStyles(new URL('./inspect.css', import.meta.url).href);

/** Drafts and submitted inspections kept on this phone (IndexedDB cache), and the plan. */
export function useInspections(ctx) {
  const [state, setState] = useState(null);
  const load = useCallback(async () => {
    const [drafts, sent, plan] = await Promise.all([
      db.cacheGet(ctx.userId, 'inspection-drafts', {}), db.cacheGet(ctx.userId, 'inspections-sent', {}),
      db.cacheGet(ctx.userId, 'inspection-plan', null)]);
    setState({ drafts, sent, plan });
  }, [ctx.userId]);
  useEffect(() => { load(); }, [load, ctx.data]);
  // The screen first (a second tap builds on the first at once), then the phone's storage.
  const saveDraft = useCallback(async (draft) => {
    const saved = { ...draft, savedAt: new Date().toISOString() };
    setState((s) => ({ ...s, drafts: { ...s.drafts, [draft.id]: saved } }));
    await db.cacheUpdate(ctx.userId, 'inspection-drafts', {}, (drafts) => ({ ...drafts, [draft.id]: saved }));
  }, [ctx.userId]);
  const dropDraft = useCallback(async (id, { keepPhotos = false } = {}) => {
    const without = (drafts) => Object.fromEntries(Object.entries(drafts).filter(([key]) => key !== id));
    setState((s) => ({ ...s, drafts: without(s.drafts) }));
    await db.cacheUpdate(ctx.userId, 'inspection-drafts', {}, without);
    if (!keepPhotos) await db.deletePhotosOf(id);
  }, [ctx.userId]);
  return { state, load, saveDraft, dropDraft };
}

function factsOf(ctx, row) {
  if (row.subject_kind !== 'compound') return {};
  const c = ctx.data.compounds.find((x) => x.id === row.subject_id);
  if (!c) return {};
  const facts = {};
  if (c.building_area_m2 != null) facts.area_m2 = String(c.building_area_m2);
  if (c.company_moved_in_on) facts.moved_in = c.company_moved_in_on;
  if (c.households) facts.households = c.households;
  return facts;
}

const STATUS_CLASS = { missing: 'plan-missing', open: 'plan-upcoming', upcoming: 'plan-upcoming', done: 'plan-done' };
const BADGE = { missing: 'state-failed', open: 'state-pending', upcoming: 'state-pending', done: 'state-sent' };

function PlanRow({ row, status, onStart, draft }) {
  return html`<li class=${`plan-row ${STATUS_CLASS[status]}`} data-testid="plan-row">
    <div class="plan-row-body">
      <p class="list-item-title">${row.subject_name}</p>
      <p class="list-item-meta">${row.place ? `${row.place} · ` : ''}${row.rubric_name}</p>
      <p class="list-item-meta">${row.due_label} · ${row.window_label}</p>
      ${row.done.map((d) => html`<p class="list-item-meta" key=${d.id}>
        ${d.inspector_name || ''} ${formatTime(d.started_at)}${d.total != null ? ` · 得分 ${Number(d.total)}` : ''}${d.grade ? ` · ${d.grade}` : ''}</p>`)}
    </div>
    <div class="plan-row-aside">
      <span class=${`state-badge ${BADGE[status]}`}>${STATUS_LABELS[status]}</span>
      ${draft ? html`<a class="button button-small" href=${`#/inspect/run/${draft.id}`}>继续</a>`
        : html`<button type="button" class="button button-small" onClick=${() => onStart(row)}>
          ${row.status === 'done' ? '再次' : '开始'}${SOURCE_LABELS[row.source]}</button>`}
    </div>
  </li>`;
}

function PlanView({ ctx, store }) {
  const { state, saveDraft, dropDraft } = store;
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState('');
  const period = ctx.route.query.get('period') || '';

  async function refresh() {
    if (!ctx.online) return;
    setLoading(true);
    try {
      const plan = await api(`/api/inspections/plan${period ? `?period=${encodeURIComponent(period)}` : ''}`, { token: ctx.token });
      await db.cachePut(ctx.userId, 'inspection-plan', { ...plan, fetchedAt: new Date().toISOString() });
      await store.load();
      setError(null);
    } catch (err) {
      setError(`未能读取检查计划：${err.message}`);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => { refresh(); }, [period, ctx.online]);

  if (!state) return html`<main class="screen"><${TopBar} title="检查" /><p class="hint">正在读取…</p></main>`;
  const plan = state.plan;
  const day = today(); // one date for the whole plan: its rows and counts agree
  const counts = plan ? planCounts(plan.rows, day) : {};
  const drafts = Object.values(state.drafts);
  const sent = Object.values(state.sent).sort((a, b) => (b.submittedAt || '').localeCompare(a.submittedAt || ''));

  async function start(row) {
    const rubric = rubricOf(ctx, row.rubric_id);
    if (!rubric) { setError('考核细则尚未同步到本机，请联网后再试'); return; }
    const draft = newDraft({ id: uuid7(), row: { ...row, rubric_name: rubric.name }, facts: factsOf(ctx, row),
      now: new Date().toISOString() });
    await saveDraft(draft);
    go(`#/inspect/run/${draft.id}`);
  }
  const draftFor = (row) => drafts.find((d) => d.subject.id === row.subject_id && d.rubricId === row.rubric_id
    && d.source === row.source && d.period.start === row.window_start && !d.amends);

  return html`<main class="screen inspect">
    <${TopBar} title=${plan ? `检查计划 · ${plan.period_label}` : '检查计划'} />
    ${!ctx.online ? html`<${Notice} kind="info">离线：显示 ${plan ? formatTime(plan.fetchedAt) : ''} 时的计划，检查可照常进行，提交后联网自动发送</${Notice}>` : null}
    ${error ? html`<${Notice} kind="warn">${error}</${Notice}>` : null}
    ${drafts.length ? html`<h2 class="section-title">进行中（${drafts.length}）</h2>
      <ul class="list">${drafts.map((d) => html`<li class="plan-row plan-draft" key=${d.id}>
        <div class="plan-row-body"><p class="list-item-title">${d.subject.name}</p>
          <p class="list-item-meta">${d.rubricName} · ${SOURCE_LABELS[d.source]}${d.amends ? ' · 修改版' : ''} · 开始于 ${formatTime(d.startedAt)}</p></div>
        <div class="plan-row-aside"><a class="button button-small" href=${`#/inspect/run/${d.id}`}>继续</a>
          <button type="button" class="button button-small button-secondary"
            onClick=${() => confirm(`放弃“${d.subject.name}”的这次检查？已填写的内容和照片将从本机删除。`) && dropDraft(d.id)}>放弃</button></div>
      </li>`)}</ul>` : null}
    ${plan && plan.rows.length > 8 ? html`<label class="field">查找小区或街道
      <input type="search" value=${query} placeholder="名称" onInput=${(e) => setQuery(e.target.value.trim())} /></label>` : null}
    ${plan ? html`<p class="hint" role="status" data-testid="plan-counts">
        ${STATUS_ORDER.map((k) => `${STATUS_LABELS[k]} ${counts[k] || 0}`).join(' · ')}${loading ? ' · 正在更新…' : ''}</p>
      ${plan.rows.length ? html`<ul class="list">${plan.rows.filter((row) => !query
        || row.subject_name.includes(query) || (row.place || '').includes(query)).map((row) => html`<${PlanRow} key=${`${row.subject_id}:${row.rubric_id}:${row.source}:${row.window_start}`}
        row=${row} status=${planStatus(row, day)} draft=${draftFor(row)} onStart=${start} />`)}</ul>`
        : html`<${Empty}>本期您的管辖范围内没有需要按细则检查的对象</${Empty}>`}`
      : html`<${Empty}>${ctx.online ? '正在读取检查计划…' : '检查计划尚未下载：请联网打开一次本页'}</${Empty}>`}
    ${sent.length ? html`<h2 class="section-title">已提交</h2><ul class="list">${sent.slice(0, 20).map((x) => html`
      <li key=${x.id}><a class="list-item" href=${`#/inspect/done/${x.id}`}>
        <p class="list-item-title">${x.draft.subject.name} · ${x.draft.rubricName}</p>
        <p class="list-item-meta">${SOURCE_LABELS[x.draft.source]} · ${formatTime(x.submittedAt)}</p>
        <span class="list-item-aside">${x.answer && x.answer.total != null ? `${Number(x.answer.total)} 分` : '待发送'}</span></a></li>`)}</ul>` : null}
  </main>`;
}

export function InspectView({ ctx }) {
  const store = useInspections(ctx);
  const [, sub, id, , itemId] = ctx.route.parts;
  if (sub === 'run' && id) {
    if (!store.state) return html`<main class="screen"><p class="hint">正在读取…</p></main>`;
    const draft = store.state.drafts[id];
    if (!draft) {
      return html`<main class="screen"><${TopBar} title="检查" back="#/inspect" />
        <${Notice} kind="info">这次检查已提交或已放弃</${Notice}>
        ${store.state.sent[id] ? html`<a class="button" href=${`#/inspect/done/${id}`}>查看结果</a>` : null}</main>`;
    }
    const rubric = rubricOf(ctx, draft.rubricId);
    if (!rubric) return html`<main class="screen"><${TopBar} title="检查" back="#/inspect" /><${Notice} kind="error">考核细则“${draft.rubricId}”不在本机，请联网同步后再继续</${Notice}></main>`;
    const props = { ctx, store, draft, rubric };
    return itemId ? html`<${ItemView} ...${props} itemId=${decodeURIComponent(itemId)} />` : html`<${RunView} ...${props} />`;
  }
  if (sub === 'done' && id) return html`<${SummaryView} ctx=${ctx} store=${store} id=${id} />`;
  if (sub === 'view' && id) return html`<${InspectionDetailView} ctx=${ctx} id=${id} />`;
  return html`<${PlanView} ctx=${ctx} store=${store} />`;
}
