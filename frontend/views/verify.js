// The verifier's screen part for a rectified ticket (issue 15 §1): the before- and after-photos
// side by side above the decision, each with its capture time and place beside the time it
// arrived (online: GET /api/findings/{id}/photos), a tap opening the full-screen viewer; then
// 核查通过 with an optional note, or 退回 with its reason. Loaded when a verifier opens one.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, Notice, PhotoGallery, formatTime, addStyles } from './ui.js';
import { api } from '../api.js';

addStyles(new URL('./desk.css', import.meta.url).href);

const place = (p) => (p.latitude != null && p.longitude != null
  ? `${p.latitude.toFixed(5)}, ${p.longitude.toFixed(5)}` : null);

const CHECKS = {
  no_capture_time: (p) => `照片无拍摄时间，无法确认拍摄于派单（${formatTime(p.dispatched_at)}）之后`,
  taken_before_dispatch: (p) => `照片拍摄于派单（${formatTime(p.dispatched_at)}）之前，不能证明已整改`,
};

function Caption({ title, kind, shas, evidence }) {
  if (!shas.length) return html`<figcaption>${title}：无照片</figcaption>`;
  if (!evidence) return html`<figcaption>${title}（拍摄时间和位置需联网查看）</figcaption>`;
  return html`<figcaption><b>${title}</b>${shas.map((sha, i) => {
    const p = evidence.get(`${kind}:${sha}`);
    if (!p) return html`<span class="evidence-line" key=${sha}>第 ${i + 1} 张：尚未上传到服务器</span>`;
    return html`<span class="evidence-line" key=${sha}>第 ${i + 1} 张：拍摄 ${p.taken_at ? formatTime(p.taken_at) : '—'} · 接收 ${formatTime(p.received_at)}${place(p) ? ` · 位置 ${place(p)}` : ''}
      ${p.check ? html`<b class="evidence-flag" data-testid=${`check-${p.check}`}>${CHECKS[p.check](p)}</b>` : null}</span>`;
  })}</figcaption>`;
}

/** Before and after, side by side: what the verifier decides on. */
export function Evidence({ ctx, ticket }) {
  const [evidence, setEvidence] = useState(null);
  useEffect(() => {
    let live = true;
    api(`/api/findings/${ticket.id}/photos`, { token: ctx.token })
      .then((r) => live && setEvidence(new Map(r.photos.map((p) => [`${p.kind}:${p.sha256}`, p]))),
        () => live && setEvidence(null));
    return () => { live = false; };
  }, [ticket.id, ticket.version]);
  const rectify = [...(ticket.events || [])].reverse().find((e) => e.kind === 'rectify');
  const before = (ticket.finding && ticket.finding.before_photos) || [];
  const after = (rectify && rectify.photos) || [];
  return html`<section class="evidence" aria-label="整改前后对比" data-testid="evidence">
    <figure class="evidence-side">
      <${PhotoGallery} shas=${before} owner=${ctx.userId} token=${ctx.token} label="整改前照片" size="display" />
      <${Caption} title="整改前" kind="before" shas=${before} evidence=${evidence} />
    </figure>
    <figure class="evidence-side">
      <${PhotoGallery} shas=${after} owner=${ctx.userId} token=${ctx.token} label="整改后照片" size="display" />
      <${Caption} title=${`整改后${rectify ? `（${formatTime(rectify.at)} ${rectify.actor_name || ''}）` : ''}`} kind="after" shas=${after} evidence=${evidence} />
    </figure>
    ${rectify && rectify.note ? html`<p class="evidence-note">整改说明：${rectify.note}</p>` : null}
  </section>`;
}

/** 核查通过 (an optional note) or 退回 (a reason); `onDone(text)` tells the ticket screen what
 * was recorded (this part then leaves: the ticket is no longer waiting for verification). */
export function Verify({ ctx, ticket, act, onDone }) {
  const [mode, setMode] = useState(null); // 'close' | 'reject'
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false); // a second tap must not queue a second decision
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    if (mode === 'reject' && !note.trim()) { setError('请填写退回原因'); return; }
    setBusy(true);
    await act(ctx, ticket, mode, note.trim());
    const queued = navigator.onLine === false ? '（离线：联网后自动发送）' : '';
    onDone(mode === 'close' ? `已核查通过，工单办结${queued}` : `已退回整改，物业将收到退回原因${queued}`);
  }
  return html`<${Evidence} ctx=${ctx} ticket=${ticket} />
    ${mode ? html`<form class="form verify-form" onSubmit=${submit}>
      <label class="field">${mode === 'close' ? '核查意见（可不填）' : '退回原因（必填）'}
        <textarea rows="2" value=${note} onInput=${(e) => { setNote(e.target.value); setError(null); }}
          placeholder=${mode === 'close' ? '例如：井盖已更换，现场核实' : '例如：照片只拍到箱门，请补拍玻璃'}></textarea></label>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <div class="button-row">
        <button class=${`button ${mode === 'close' ? 'button-ok' : 'button-danger'}`} type="submit" disabled=${busy}>${mode === 'close' ? '确认核查通过' : '确认退回'}</button>
        <button class="button button-secondary" type="button" onClick=${() => { setMode(null); setNote(''); setError(null); }}>取消</button>
      </div>
    </form>` : html`<div class="button-row verify-actions">
      <button type="button" class="button button-ok" onClick=${() => setMode('close')}>核查通过</button>
      <button type="button" class="button button-secondary" onClick=${() => setMode('reject')}>退回</button>
    </div>`}`;
}
