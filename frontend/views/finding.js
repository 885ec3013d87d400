// New finding in a few taps: type (search or recent), photos, note, location. Saved to the
// outbox first; sync.js sends it when it can.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, PhotoPicker, go } from './ui.js';
import { usePosition } from './compounds.js';
import { searchCatalog, rememberRecent } from '../logic/sorting.js';
import { uuid7 } from '../logic/uuid7.js';
import { SOURCES, findingError, findingPayload, nearDuplicates } from '../logic/finding.js';
import { STATE_LABELS } from '../logic/tickets.js';
import { isoWithOffset } from '../api.js';
import * as db from '../db.js';
import * as sync from '../sync.js';

function Chips({ types, recent, onChange }) {
  return html`<ul class="chips" aria-label="可选类型">${types.map((t) => html`<li key=${t.code}>
    <button type="button" class=${`chip${recent.includes(t.code) ? ' chip-recent' : ''}`}
      onClick=${() => onChange(t)}>${t.name}<small>${t.code}</small></button></li>`)}</ul>`;
}

export function CatalogPicker({ types, recent, value, onChange }) {
  const [query, setQuery] = useState('');
  if (value) {
    return html`<div class="catalog-picker-chosen">
      <span><b>${value.code}</b> ${value.name}</span>
      <button type="button" class="button button-secondary" onClick=${() => onChange(null)}>更换</button>
    </div>`;
  }
  const rows = searchCatalog(types, query, recent).slice(0, 8);
  const other = types.find((t) => t.catch_all);
  return html`<div class="catalog-picker">
    <label class="field">问题类型
      <input type="search" value=${query} placeholder="搜索：井盖、垃圾、JC04…" onInput=${(e) => setQuery(e.target.value)} />
    </label>
    ${!types.length ? html`<p class="hint">问题类型目录尚未同步：联网后自动下载，之后离线也可选择</p>` : null}
    ${query.trim() && !rows.length ? html`<div class="catalog-none" role="status">
      <p class="hint">目录里没有“${query.trim()}”。可按分类浏览全部类型；确实没有的，选“其他问题”并写明是什么问题：</p>
      ${other ? html`<${Chips} types=${[other]} recent=${[]} onChange=${(t) => onChange(t, query.trim())} />` : null}</div>` : null}
    <${Chips} types=${rows} recent=${recent} onChange=${onChange} />
    ${types.length ? html`<details class="catalog-browse" open=${!!query.trim() && !rows.length}><summary>按分类浏览全部 ${types.length} 类</summary>
      ${[...new Set(types.map((t) => t.category))].map((c) => html`<section key=${c}><h3 class="hint">${c}</h3>
        <${Chips} types=${types.filter((t) => t.category === c)} recent=${recent} onChange=${onChange} /></section>`)}</details>` : null}
  </div>`;
}

/** CatalogPicker's onChange for a form: 其他问题 picked after a fruitless search keeps the words
 * searched for as the start of the description. */
export const typeChooser = (setType, setDescription) => (t, words) => {
  setType(t);
  if (words) setDescription((d) => (d.trim() ? d : words));
};

/** The description field's label: 其他问题 must say what the problem is. */
export const descriptionLabel = (type) => (type && type.catch_all ? '说明（必填：写明是什么问题）' : '说明');

/** Saves a new finding to the outbox (sync.js sends it when it can). `entry`: see
 * logic/finding.js findingPayload. */
export async function saveFinding(ctx, entry, photos, position = null) {
  const payload = findingPayload(entry, { id: uuid7(), observedAt: isoWithOffset(), position });
  await sync.enqueue('finding', payload, photos);
  if (payload.catalog_code) {
    await db.cachePut(ctx.userId, 'recent', rememberRecent(ctx.data.recent, payload.catalog_code));
  }
  return payload;
}

/** Open findings of the same type here (logic/finding.js nearDuplicates): add the photos to one
 * of them (同一问题，补充照片) instead of logging the problem twice. */
export function NearDuplicates({ ctx, entry, position, photos, onSupplemented }) {
  const [dismissed, setDismissed] = useState(false);
  const [error, setError] = useState(null);
  const found = dismissed ? [] : nearDuplicates(ctx.data.tickets, entry, position);
  if (!found.length) return null;
  async function supplement(ticket) {
    if (!photos.length) { setError('请先拍照，再补充到已有问题'); return; }
    await sync.enqueue('event', { id: uuid7(), ticket_id: ticket.id, kind: 'supplement', at: isoWithOffset(),
      note: (entry.description || '').trim() || '同一问题，补充照片' }, photos);
    onSupplemented(ticket);
  }
  return html`<section class="notice notice-warn near-duplicates" aria-label="可能重复" data-testid="near-duplicates">
    <b>该小区已有同类未办结问题，可能是同一个：</b>
    <ul class="list">${found.map(({ ticket: t, metres, sameBuilding }) => html`<li key=${t.id} class="near-duplicate">
      <p class="list-item-title">${(t.finding && t.finding.description) || t.catalog_name}</p>
      <p class="list-item-meta">${STATE_LABELS[t.state]}${sameBuilding ? ' · 同一楼栋' : ''}${metres != null ? ` · 相距约 ${Math.round(metres)} 米` : ''}</p>
      <button type="button" class="button button-small" onClick=${() => supplement(t)}>同一问题，补充照片</button>
    </li>`)}</ul>
    ${error ? html`<p role="alert">${error}</p>` : null}
    <button type="button" class="button button-small button-secondary" onClick=${() => setDismissed(true)}>不是同一问题，仍登记为新问题</button>
  </section>`;
}

export function FindingView({ ctx }) {
  const compoundId = ctx.route.query.get('compound');
  const compound = ctx.data.compounds.find((c) => String(c.id) === compoundId);
  const types = (ctx.data.catalog && ctx.data.catalog.types) || [];
  const [type, setType] = useState(null);
  const [photos, setPhotos] = useState([]);
  const [description, setDescription] = useState('');
  const [building, setBuilding] = useState('');
  const [source, setSource] = useState('patrol');
  const [caseNo, setCaseNo] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const { position, state, locate } = usePosition();
  useEffect(locate, []);

  if (!compound) {
    return html`<main class="screen"><${TopBar} title="新问题" back="#/compounds" />
      <${Notice} kind="error">请先选择小区</${Notice}></main>`;
  }

  async function submit(event) {
    event.preventDefault();
    const entry = { compoundId: compound.id, type, description, building, source, caseNo };
    const problem = findingError(entry);
    if (problem) { setError(problem); return; }
    setBusy(true);
    try {
      await saveFinding(ctx, entry, photos, position);
      go('#/findings?saved=1');
    } catch (err) {
      setError(`保存失败：${err.message}`);
      setBusy(false);
    }
  }

  return html`<main class="screen">
    <${TopBar} title=${`新问题 · ${compound.name}`} back="#/compounds" />
    <form class="form" onSubmit=${submit}>
      <${CatalogPicker} types=${types} recent=${ctx.data.recent} value=${type} onChange=${typeChooser(setType, setDescription)} />
      ${type ? html`<p class="hint seed-text">${type.condition}${type.deadline ? `（整改时限 ${type.deadline.amount} ${type.deadline.unit}）` : ''}</p>` : null}
      <${PhotoPicker} photos=${photos} onChange=${setPhotos} />
      <${NearDuplicates} ctx=${ctx} entry=${{ compoundId: compound.id, type, building, description }}
        position=${position} photos=${photos} onSupplemented=${() => go('#/findings?saved=1')} />
      <label class="field">${descriptionLabel(type)}
        <textarea name="description" rows="3" value=${description} placeholder="例如：3号楼东侧雨水箅子缺失"
          onInput=${(e) => setDescription(e.target.value)}></textarea>
      </label>
      <label class="field">楼栋 / 位置
        <input name="building" value=${building} placeholder="例如：3号楼" onInput=${(e) => setBuilding(e.target.value)} />
      </label>
      <label class="field">来源
        <select name="source" value=${source} onChange=${(e) => setSource(e.target.value)}>
          ${SOURCES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>
      </label>
      ${source === 'hotline' ? html`<label class="field">案卷号
        <input name="case_no" value=${caseNo} onInput=${(e) => setCaseNo(e.target.value)} /></label>` : null}
      <p class="hint" role="status">${state === 'ok' ? `已定位（精度约 ${Math.round(position.accuracy)} 米）`
        : state === 'locating' ? '正在定位…' : '未能定位：将不带坐标保存'}</p>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <button class="button button-block" type="submit" disabled=${busy}>保存（离线也可）</button>
    </form>
  </main>`;
}
