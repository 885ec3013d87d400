// A run's overview: the running score (computed on the phone, offline), every item with what was
// recorded, and 提交, which hands the inspection to the outbox.
import { useState } from '../../vendor/hooks.js';
import { html, TopBar, Notice, go } from '../ui.js';
import { isoWithOffset } from '../../api.js';
import * as db from '../../db.js';
import * as sync from '../../sync.js';
import { runningScore, progress, touched, inspectionPayload, SOURCE_LABELS } from '../../logic/inspection.js';
import { today, scoreText, ItemStatus, sectionsOf } from './parts.js';

export function ScoreCard({ result, prog }) {
  const pending = result.pending;
  return html`<section class="score-card" aria-label="当前得分" data-testid="running-score">
    <div><span class="score-card-label">当前得分</span><b class="score-card-total">${scoreText(result.total)}</b>
      ${pending ? html`<span class="state-badge state-pending">部分待汇总</span>` : null}</div>
    <div class="score-card-meta">
      <span>扣分 <b class="deduct">${Number(result.deductions) ? `−${scoreText(result.deductions)}` : '0'}</b></span>
      ${Number(result.bonus) ? html`<span>加分 <b class="bonus">+${scoreText(result.bonus)}</b></span>` : null}
      <span>已检查 ${prog.done}/${prog.total} 项</span>
      ${result.grade ? html`<span>等次 ${result.grade}</span>` : null}
    </div>
  </section>`;
}

export function RunView({ ctx, store, draft, rubric }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const result = runningScore(draft, rubric, today());
  const prog = progress(draft, rubric);
  const byId = Object.fromEntries(result.items.map((i) => [i.id, i]));
  const sections = sectionsOf(rubric);
  const base = `#/inspect/run/${draft.id}`;

  async function submit() {
    const untouched = prog.total - prog.done;
    const errors = result.errors.filter((e) => !e.field || e.field !== 'period');
    if (errors.length) { setError(`有 ${errors.length} 处填写有误：${errors[0].message}`); return; }
    if (!confirm(`提交${draft.subject.name}的${rubric.name}？${untouched ? `\n未填写的 ${untouched} 项将记为“未检查”（不扣分，结果中注明未检查）。` : ''}\n提交后如需更改，可在本期发布前提交修改版。`)) return;
    setBusy(true);
    try {
      const submittedAt = isoWithOffset();
      const payload = inspectionPayload(draft, rubric, { submittedAt });
      const photos = await db.photosOfItem(draft.id);
      const declared = new Set(Object.values(payload.photos).flat().map((p) => p.sha256));
      // the record first: the outbox may send it and keep the server's answer at once
      await db.cacheUpdate(ctx.userId, 'inspections-sent', {}, (sent) => ({ ...sent,
        [draft.id]: { ...sent[draft.id], id: draft.id, draft, submittedAt, local: { total: result.total, grade: result.grade } } }));
      try {
        await sync.enqueue('inspection', payload, photos.filter((p) => declared.has(p.sha)));
      } catch (err) { // not queued: not sent either
        await db.cacheUpdate(ctx.userId, 'inspections-sent', {}, (sent) => Object.fromEntries(
          Object.entries(sent).filter(([id]) => id !== draft.id)));
        throw err;
      }
      await store.dropDraft(draft.id, { keepPhotos: true });
      go(`#/inspect/done/${draft.id}`);
    } catch (err) {
      setError(`提交失败：${err.message}`);
      setBusy(false);
    }
  }

  return html`<main class="screen inspect">
    <${TopBar} title=${`${draft.subject.name} · ${SOURCE_LABELS[draft.source]}`} back="#/inspect" />
    <p class="hint">${rubric.name}${draft.period.label ? ` · ${draft.period.label}` : ''}${draft.amends ? ' · 修改版' : ''}</p>
    <${ScoreCard} result=${result} prog=${prog} />
    ${sections.map((sec) => html`<section key=${sec.key}>
      ${sec.name ? html`<h2 class="section-title">${sec.name}</h2>` : null}
      <ul class="list">${sec.items.map((item) => html`<li key=${item.id}><a class="list-item item-row" href=${`${base}/item/${encodeURIComponent(item.id)}`} data-testid="item-row">
          <p class="list-item-title">${item.id}. ${item.title}</p>
          <p class="list-item-meta">${item.points != null && typeof item.points !== 'object' ? `${Number(item.points)} 分` : ''}
            ${draft.photos[item.id] ? ` · 照片 ${draft.photos[item.id].length}` : ''}${draft.notes[item.id] ? ' · 有备注' : ''}</p>
          <span class="list-item-aside"><${ItemStatus} res=${byId[item.id]} touched=${touched(draft, item.id)} na=${draft.notAssessed.includes(item.id)} /></span>
        </a></li>`)}</ul></section>`)}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <div class="bottom-actions">
      <button type="button" class="button button-block" disabled=${busy} onClick=${submit} data-testid="submit-inspection">
        提交检查（离线也可）</button>
    </div>
  </main>`;
}
