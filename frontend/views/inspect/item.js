// One item of a run: the seed's 工作标准 and 评分办法, one control per clause (logic/rubric.js
// itemInputs), notes, photos, and a problem logged as a finding with its catalog type. Every
// change is saved to the draft at once (IndexedDB): a reload or a closed browser loses nothing.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice, PhotoPicker, go } from '../ui.js';
import * as db from '../../db.js';
import { CatalogPicker, NearDuplicates, descriptionLabel, saveFinding, typeChooser } from '../finding.js';
import { findingError } from '../../logic/finding.js';
import { itemInputs, setValue, setNote, setNotAssessed, markCompliant, compliantValues, addPhotos,
  removePhoto, countFinding, runningScore, inputError, touched, progress } from '../../logic/inspection.js';
import { today, ItemStatus } from './parts.js';
import { ScoreCard } from './run.js';
import { Control } from './controls.js';

function ItemPhotos({ ctx, draft, itemId, onChange }) {
  const [records, setRecords] = useState([]);
  const shas = (draft.photos[itemId] || []).map((p) => p.sha);
  useEffect(() => {
    let live = true;
    // an amendment's photos are the earlier version's copies (kept by sha)
    Promise.all(shas.map(async (sha) => (await db.getItemPhoto(ctx.userId, draft.id, sha))
      || db.getPhoto(ctx.userId, sha)))
      .then((rows) => live && setRecords(rows.filter(Boolean)));
    return () => { live = false; };
  }, [shas.join()]);
  async function change(next) {
    const known = new Set(shas);
    const added = next.filter((p) => !known.has(p.sha));
    for (const p of added) {
      await db.putPhoto({ ...p, key: db.photoKey(ctx.userId, draft.id, p.sha), owner: ctx.userId, itemId: draft.id });
    }
    let d = addPhotos(draft, itemId, added);
    for (const sha of shas) if (!next.some((p) => p.sha === sha)) d = removePhoto(d, itemId, sha);
    onChange(d);
  }
  return html`<${PhotoPicker} photos=${records} onChange=${change} label="本项照片" />`;
}

function ProblemForm({ ctx, draft, rubric, item, onSaved, onCancel }) {
  const types = (ctx.data.catalog && ctx.data.catalog.types) || [];
  const [type, setType] = useState(null);
  const [description, setDescription] = useState('');
  const [building, setBuilding] = useState('');
  const [photos, setPhotos] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const mapped = (item.catalog || []).filter((code) => types.some((t) => t.code === code));
  async function save(event) {
    event.preventDefault();
    const entry = { compoundId: draft.subject.id, type, description: description || `${item.title}：${type ? type.name : ''}`,
      building, source: draft.source, inspectionId: draft.id, rubricItem: item.id };
    const problem = findingError(entry);
    if (problem) { setError(problem); return; }
    setBusy(true);
    try {
      const payload = await saveFinding(ctx, entry, photos);
      onSaved(countFinding(draft, rubric, item.id, payload.id), type);
    } catch (err) {
      setError(`保存失败：${err.message}`);
      setBusy(false);
    }
  }
  return html`<form class="form problem-form" onSubmit=${save} aria-label="登记问题">
    <h3 class="section-title">登记问题（派单整改）</h3>
    <${CatalogPicker} types=${types} recent=${mapped} value=${type} onChange=${typeChooser(setType, setDescription)} />
    ${type ? html`<p class="hint seed-text">${type.condition}${type.deadline ? `（整改时限 ${type.deadline.amount} ${type.deadline.unit}）` : ''}</p>` : null}
    <${PhotoPicker} photos=${photos} onChange=${setPhotos} label="问题照片" />
    <${NearDuplicates} ctx=${ctx} entry=${{ compoundId: draft.subject.id, type, building, description }}
      photos=${photos} onSupplemented=${() => onCancel('已补充到已有问题')} />
    <label class="field">${descriptionLabel(type)}<textarea rows="2" value=${description} placeholder=${item.title}
      onInput=${(e) => setDescription(e.target.value)}></textarea></label>
    <label class="field">楼栋 / 位置<input value=${building} placeholder="例如：3号楼" onInput=${(e) => setBuilding(e.target.value)} /></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <div class="button-row">
      <button type="submit" class="button" disabled=${busy}>保存问题</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>取消</button>
    </div>
  </form>`;
}

export function ItemView({ ctx, store, draft, rubric, itemId }) {
  const index = rubric.items.findIndex((i) => i.id === itemId);
  const item = rubric.items[index];
  const [problem, setProblem] = useState(false);
  const [message, setMessage] = useState(null);
  const [errors, setErrors] = useState({});
  const [note, setNoteText] = useState(draft.notes[itemId] || '');
  useEffect(() => { setNoteText(draft.notes[itemId] || ''); setProblem(false); setMessage(null); setErrors({}); }, [itemId]);
  const base = `#/inspect/run/${draft.id}`;
  if (!item) return html`<main class="screen"><${TopBar} title="检查" back=${base} /><${Notice} kind="error">没有这一项</${Notice}></main>`;

  const inputs = itemInputs(rubric, item, { period: draft.period.start ? draft.period : null, as_of: today() });
  const result = runningScore(draft, rubric, today());
  const res = result.items[index];
  const values = draft.values[itemId] || {};
  const save = (d) => store.saveDraft(d);

  function change(input, value) {
    const problemText = value === undefined ? null : inputError(input, value, draft.period.start ? draft.period : null, today());
    setErrors({ ...errors, [input.clause]: problemText });
    if (problemText) return; // nothing wrong is kept: the last good value stays
    save(setValue(draft, itemId, input.clause, value));
  }
  const prev = rubric.items[index - 1];
  const next = rubric.items[index + 1];
  const lineOf = (clause) => res && res.lines.find((l) => l.clause === clause);

  return html`<main class="screen inspect">
    <${TopBar} title=${`${item.id}. ${item.title}`} back=${base} />
    <${ScoreCard} result=${result} prog=${progress(draft, rubric)} />
    <article class="rubric-item">
      <p class="item-head"><span>${item.points != null && typeof item.points !== 'object' ? `本项 ${Number(item.points)} 分` : ''}</span>
        <${ItemStatus} res=${res} touched=${touched(draft, itemId)} na=${draft.notAssessed.includes(itemId)} /></p>
      ${item.standard ? html`<p class="seed-text"><b>工作标准：</b>${item.standard}</p>` : null}
      ${item.scoring_text ? html`<p class="seed-text"><b>评分办法：</b>${item.scoring_text}</p>` : null}
      ${item.time_node ? html`<p class="seed-text"><b>时间节点：</b>${item.time_node}</p>` : null}
    </article>
    ${draft.notAssessed.includes(itemId) ? html`<${Notice} kind="info">本项记为“未检查”：不扣分，结果中注明未检查</${Notice}>`
      : inputs.map((input) => html`<${Control} key=${input.clause} input=${input} value=${values[input.clause]}
          line=${lineOf(input.clause)} error=${errors[input.clause]} facts=${draft.facts} shown=${item.scoring_text} onChange=${(v) => change(input, v)} />`)}
    <div class="button-row">
      ${compliantValues(rubric, item) && !draft.notAssessed.includes(itemId) ? html`<button type="button" class="button button-ok"
        onClick=${() => save(markCompliant(draft, rubric, itemId))}>本项符合（不扣分）</button>` : null}
      <button type="button" class="button button-secondary" data-testid="not-assessed"
        onClick=${() => save(setNotAssessed(draft, itemId, !draft.notAssessed.includes(itemId)))}>
        ${draft.notAssessed.includes(itemId) ? '改为检查本项' : '本项不检查'}</button>
    </div>
    <label class="field">备注<textarea rows="2" value=${note} placeholder="现场情况、依据等"
      onInput=${(e) => setNoteText(e.target.value)} onBlur=${() => save(setNote(draft, itemId, note))}></textarea></label>
    <${ItemPhotos} ctx=${ctx} draft=${draft} itemId=${itemId} onChange=${save} />
    ${draft.findings.some((f) => f.item === itemId) ? html`<p class="hint">本项已登记问题 ${draft.findings.filter((f) => f.item === itemId).length} 条（已派单整改）</p>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    ${draft.subject.kind === 'compound' ? (problem ? html`<${ProblemForm} ctx=${ctx} draft=${draft} rubric=${rubric} item=${item}
        onCancel=${(text) => { setProblem(false); if (typeof text === 'string') setMessage(text); }}
        onSaved=${(d, type) => { save(d); setProblem(false); setMessage(`已登记问题“${type.name}”，联网后派单；本项次数已加 1`); }} />`
      : html`<button type="button" class="button button-secondary button-block" onClick=${() => setProblem(true)}>发现问题，登记并派单</button>`) : null}
    <nav class="item-nav" aria-label="上一项 / 下一项">
      ${prev ? html`<button type="button" class="button button-secondary" onClick=${() => { save(setNote(draft, itemId, note)); go(`${base}/item/${encodeURIComponent(prev.id)}`); }}>‹ 上一项</button>` : html`<span></span>`}
      ${next ? html`<button type="button" class="button" onClick=${() => { save(setNote(draft, itemId, note)); go(`${base}/item/${encodeURIComponent(next.id)}`); }}>下一项 ›</button>`
        : html`<a class="button" href=${base}>完成，去提交</a>`}
    </nav>
    ${res && res.lines.length > 1 ? html`<p class="hint item-line-sum">${res.lines.map((l) => l.detail).join('；')}</p>` : null}
  </main>`;
}

