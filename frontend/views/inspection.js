// A rubric inspection, item by item, with the seed's text visible. A problem found on an item
// is logged as a finding carrying inspection_id and rubric_item; progress is kept on the phone.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, PhotoPicker } from './ui.js';
import { saveFinding } from './finding.js';
import { uuid7 } from '../logic/uuid7.js';
import * as db from '../db.js';

function Start({ ctx, rubrics, onStart }) {
  const compounds = ctx.data.compounds;
  const [rubricId, setRubricId] = useState(rubrics[0] ? rubrics[0].id : '');
  const [compoundId, setCompoundId] = useState(compounds[0] ? compounds[0].id : '');
  return html`<form class="form" onSubmit=${(e) => { e.preventDefault(); onStart(rubricId, compoundId); }}>
    <label class="field">考核细则
      <select value=${rubricId} onChange=${(e) => setRubricId(e.target.value)}>
        ${rubrics.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>
    </label>
    <label class="field">小区
      <select value=${compoundId} onChange=${(e) => setCompoundId(e.target.value)}>
        ${compounds.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
      </select>
    </label>
    <button class="button button-block" type="submit" disabled=${!rubricId || !compoundId}>开始检查</button>
  </form>`;
}

export function InspectionView({ ctx }) {
  const rubrics = (ctx.data.rubrics && ctx.data.rubrics.rubrics) || [];
  const [run, setRun] = useState(undefined);
  const [photos, setPhotos] = useState([]);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState(false);
  useEffect(() => { db.cacheGet(ctx.userId, 'inspection').then((r) => setRun(r || null)); }, []);

  async function save(next) {
    setRun(next);
    await db.cachePut(ctx.userId, 'inspection', next);
  }

  if (run === undefined) return html`<main class="screen"><${TopBar} title="检查" /></main>`;
  if (!rubrics.length) {
    return html`<main class="screen"><${TopBar} title="检查" />
      <${Notice} kind="warn">考核细则尚未同步到本机${ctx.syncStatus.pull === 'missing' ? '（服务器暂未提供同步接口）' : '，请联网后再试'}。</${Notice}></main>`;
  }
  if (!run) {
    return html`<main class="screen"><${TopBar} title="按细则检查" />
      <${Start} ctx=${ctx} rubrics=${rubrics} onStart=${(rubricId, compoundId) =>
        save({ id: uuid7(), rubricId, compoundId, index: 0, marks: {} })} /></main>`;
  }
  const rubric = rubrics.find((r) => r.id === run.rubricId);
  const compound = ctx.data.compounds.find((c) => c.id === run.compoundId);
  if (!rubric) return html`<main class="screen"><${TopBar} title="检查" /><${Notice} kind="error">细则已更新，请重新开始</${Notice}>
    <button class="button" onClick=${() => save(null)}>重新开始</button></main>`;
  const item = rubric.items[run.index];
  const done = Object.keys(run.marks).length;

  async function mark(value) {
    if (value === 'problem') {
      await saveFinding(ctx, { compoundId: run.compoundId, inspectionId: run.id, rubricItem: item.id,
        description: note.trim() || item.title, source: 'announced' }, photos);
    }
    setPhotos([]); setNote(''); setProblem(false);
    await save({ ...run, marks: { ...run.marks, [item.id]: value },
      index: Math.min(run.index + 1, rubric.items.length - 1) });
  }

  return html`<main class="screen">
    <${TopBar} title=${`${compound ? compound.name : ''} · ${rubric.name}`} />
    <p class="hint" role="status">第 ${run.index + 1} / ${rubric.items.length} 项 · 已检查 ${done} 项</p>
    <article class="rubric-item">
      <h2>${item.title}</h2>
      ${item.standard ? html`<p class="seed-text"><b>工作标准：</b>${item.standard}</p>` : null}
      ${item.scoring_text ? html`<p class="seed-text"><b>评分办法：</b>${item.scoring_text}</p>` : null}
      ${(item.clauses || []).filter((c) => c.text).map((c) => html`<p class="seed-text" key=${c.id}>· ${c.text}</p>`)}
      ${run.marks[item.id] ? html`<p class="state-badge">${run.marks[item.id] === 'ok' ? '已记：符合' : '已记：有问题'}</p>` : null}
    </article>
    ${problem ? html`<form class="form" onSubmit=${(e) => { e.preventDefault(); mark('problem'); }}>
      <${PhotoPicker} photos=${photos} onChange=${setPhotos} />
      <label class="field">问题说明<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
      <button class="button button-block" type="submit">保存问题</button>
    </form>` : html`<div class="button-row">
      <button type="button" class="button button-ok" onClick=${() => mark('ok')}>符合</button>
      <button type="button" class="button button-danger" onClick=${() => setProblem(true)}>有问题</button>
    </div>`}
    <div class="button-row">
      <button type="button" class="button button-secondary" disabled=${run.index === 0}
        onClick=${() => save({ ...run, index: run.index - 1 })}>上一项</button>
      <button type="button" class="button button-secondary" disabled=${run.index >= rubric.items.length - 1}
        onClick=${() => save({ ...run, index: run.index + 1 })}>下一项</button>
      <button type="button" class="button button-secondary" onClick=${() => confirm('结束本次检查？已登记的问题会保留') && save(null)}>结束</button>
    </div>
  </main>`;
}
