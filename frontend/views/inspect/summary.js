// A submitted inspection: while it waits in the outbox, the phone's own evaluation; once the
// server has scored it, the server's result (total, grade, subsidy, each deduction with its
// clause and the observation behind it). 提交修改版 starts an amendment (a new version).
import { useEffect, useState } from '../../vendor/hooks.js';
import { html, TopBar, Notice, PhotoGallery, go, formatTime } from '../ui.js';
import { api } from '../../api.js';
import { uuid7 } from '../../logic/uuid7.js';
import { amendDraft, runningScore, SOURCE_LABELS } from '../../logic/inspection.js';
import { rubricOf, scoreText, today } from './parts.js';

const money = (m) => (m && m.amount != null
  ? `${Number(m.amount).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元` : null);

function shown(value) {
  if (value === true) return '是';
  if (value === false) return '否';
  if (value && typeof value === 'object') {
    if ('value' in value) return `${value.value}%${value.sampled != null ? `（调查 ${value.sampled}/${value.households} 户）` : ''}`;
    return Object.entries(value).map(([k, v]) => `${k}：${v === 'on_time' ? '按时' : v === 'missing' ? '未报送'
      : typeof v === 'object' ? '逾期' : `${v} 报送`}`).join('；');
  }
  return String(value);
}

export function SummaryView({ ctx, store, id }) {
  const entry = store.state && store.state.sent[id];
  useEffect(() => { store.load(); }, [ctx.data.items]);
  if (!store.state) return html`<main class="screen"><p class="hint">正在读取…</p></main>`;
  if (!entry) return html`<main class="screen"><${TopBar} title="检查结果" back="#/inspect" /><${Notice} kind="info">本机没有这次检查的记录</${Notice}></main>`;
  const { draft } = entry;
  const rubric = rubricOf(ctx, draft.rubricId);
  const outbox = ctx.data.items.find((i) => i.id === id);
  const server = entry.answer && entry.answer.result;
  const result = server || (rubric ? runningScore(draft, rubric, today()) : null);
  const refused = outbox && outbox.state === 'failed';
  const deductions = result ? result.items.filter((i) => Number(i.deduction) > 0 || Number(i.bonus) > 0
    || i.lines.some((l) => l.status === 'veto')) : [];

  async function amend() {
    const next = amendDraft({ id, draft }, { id: uuid7(), now: new Date().toISOString() });
    await store.saveDraft(next);
    go(`#/inspect/run/${next.id}`);
  }

  return html`<main class="screen inspect">
    <${TopBar} title="检查结果" back="#/inspect" />
    <p class="list-item-title">${draft.subject.name} · ${SOURCE_LABELS[draft.source]}${draft.amends ? ' · 修改版' : ''}</p>
    <p class="hint">${rubric ? rubric.name : draft.rubricId}${draft.period.label ? ` · ${draft.period.label}` : ''} · 提交于 ${formatTime(entry.submittedAt)}</p>
    ${refused ? html`<${Notice} kind="error">服务器未接受：${outbox.error && outbox.error.message}</${Notice}>`
      : server ? html`<${Notice} kind="ok">服务器已计分，结果如下</${Notice}>`
        : html`<${Notice} kind="info">${ctx.online ? '正在发送…' : '等待网络：已保存在本机，联网后自动发送'}。以下为本机计算结果。</${Notice}>`}
    ${result ? html`<section class="score-card score-card-final" data-testid="summary-score">
      <div><span class="score-card-label">得分</span><b class="score-card-total">${scoreText(result.total)}</b>
        ${result.grade ? html`<span class="grade">${result.grade}</span>` : null}</div>
      <div class="score-card-meta">
        <span>扣分 <b class="deduct">${Number(result.deductions) ? `−${scoreText(result.deductions)}` : '0'}</b></span>
        ${Number(result.bonus) ? html`<span>加分 <b class="bonus">+${scoreText(result.bonus)}</b></span>` : null}
        ${result.pending ? html`<span class="state-badge state-pending">部分待汇总</span>` : null}
      </div>
      ${result.money ? html`<p class="money">${money(result.money) ? `补贴 ${money(result.money)}` : ''}<br /><small>${result.money.detail}</small></p>` : null}
    </section>` : null}
    <h2 class="section-title">扣分明细${deductions.length ? `（${deductions.length} 项）` : ''}</h2>
    ${deductions.length ? html`<ul class="list">${deductions.map((i) => html`<li class="deduction" key=${i.id}>
      <p class="list-item-title">${i.id}. ${i.title}
        <span class=${Number(i.bonus) ? 'bonus' : 'deduct'}>${Number(i.bonus) ? `+${scoreText(i.bonus)}` : `−${scoreText(i.deduction)}`}</span></p>
      ${i.lines.filter((l) => l.amount != null || l.status === 'veto').map((l) => html`<p class="list-item-meta" key=${l.clause}>
        ${l.detail}${draft.values[i.id] && draft.values[i.id][l.clause] !== undefined ? `（记录：${shown(draft.values[i.id][l.clause])}）` : ''}</p>`)}
      ${draft.notes[i.id] ? html`<p class="list-item-meta">备注：${draft.notes[i.id]}</p>` : null}
    </li>`)}</ul>` : html`<p class="hint">没有扣分项</p>`}
    ${result && result.warnings && result.warnings.length ? html`<details class="warnings"><summary>说明（${result.warnings.length}）</summary>
      <ul>${result.warnings.map((w) => html`<li key=${w}>${w}</li>`)}</ul></details>` : null}
    <p class="hint">问题 ${draft.findings.length} 条（已派单整改）· 照片 ${Object.values(draft.photos).flat().length} 张 · 未检查 ${result ? result.items.filter((i) => i.status === 'not_assessed').length : 0} 项</p>
    <div class="button-stack">
      <a class="button" href="#/inspect">返回检查计划</a>
      ${server && outbox && outbox.state === 'sent' ? html`<button type="button" class="button button-secondary" onClick=${amend}>提交修改版</button>`
        : server ? html`<p class="hint">照片上传完成后可提交修改版</p>` : null}
    </div>
  </main>`;
}

/** A submitted inspection as the server holds it (a supervisor's drill-down from the ranking):
 * the score, every item with its deduction, the observation, the notes and the photos. */
export function InspectionDetailView({ ctx, id }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    setState({ loading: true });
    api(`/api/inspections/${id}`, { token: ctx.token }).then((data) => live && setState({ data }),
      (err) => live && setState({ error: err.status === 0 ? '离线：检查详情需联网查看' : err.message }));
    return () => { live = false; };
  }, [id]);
  if (state.loading) return html`<main class="screen"><${TopBar} title="检查详情" back="#/scores" /><p class="hint">正在读取…</p></main>`;
  if (state.error) return html`<main class="screen"><${TopBar} title="检查详情" back="#/scores" /><${Notice} kind="error">${state.error}</${Notice}></main>`;
  const x = state.data;
  const result = x.result || { items: [] };
  return html`<main class="screen inspect">
    <${TopBar} title=${`${x.subject_name || ''} · 检查详情`} back="#/scores" />
    <p class="hint">${x.rubric_name || x.rubric_id} · ${SOURCE_LABELS[x.source] || x.source} · ${x.inspector_name || ''} · 提交于 ${formatTime(x.submitted_at)}${x.amends_id ? ' · 修改版' : ''}</p>
    <section class="score-card score-card-final" data-testid="detail-score">
      <div><span class="score-card-label">得分</span><b class="score-card-total">${scoreText(x.total)}</b>
        ${x.grade ? html`<span class="grade">${x.grade}</span>` : null}</div>
      ${result.money && money(result.money) ? html`<p class="money">补贴 ${money(result.money)}<br /><small>${result.money.detail}</small></p>` : null}
    </section>
    <ul class="list">${result.items.map((i) => html`<li class="deduction" key=${i.id} data-testid="detail-item">
      <p class="list-item-title">${i.id}. ${i.title}
        <span class=${Number(i.deduction) ? 'deduct' : ''}>${i.status === 'not_assessed' ? '未检查'
          : Number(i.bonus) ? `+${scoreText(i.bonus)}` : Number(i.deduction) ? `−${scoreText(i.deduction)}` : '符合'}</span></p>
      ${i.lines.filter((l) => l.amount != null || l.status !== 'ok').map((l) => html`<p class="list-item-meta" key=${l.clause}>${l.detail}
        ${x.observations[i.id] && x.observations[i.id][l.clause] !== undefined ? `（记录：${shown(x.observations[i.id][l.clause])}）` : ''}</p>`)}
      ${x.notes[i.id] ? html`<p class="list-item-meta">备注：${x.notes[i.id]}</p>` : null}
      <${PhotoGallery} shas=${x.photos[i.id] || []} token=${ctx.token} label=${`第${i.id}项照片`} />
    </li>`)}</ul>
    ${x.finding_ids.length ? html`<p class="hint">检查中登记问题 ${x.finding_ids.length} 条：${x.finding_ids.map((fid) => html`<a key=${fid} href=${`#/ticket/${fid}`}>查看工单</a> `)}</p>` : null}
  </main>`;
}
