// Tickets: the list by due time with work time left (computed on the phone from the cached
// calendar), a ticket's photos and history, rectify with the before-photo beside the camera,
// and verify / reject / cancel. Every action goes to the outbox first.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty, PhotoPicker, PhotoThumb, PhotoGallery, formatTime, go, Lazy } from './ui.js';
import { ticketsByDue, isOpen, isOverdue, nextActions, withPending, timeLeft, takenBeforeDispatch, STATE_LABELS, EVENT_LABELS } from '../logic/tickets.js';
import { stateLabel } from '../logic/outbox.js';

// backend/clock.py FLAGS: why the phone's time was not believed
const TIME_FLAGS = {
  offline_window: '离线时间过长，按到达时间计',
  before_dispatch: '早于派单或上一步操作，按到达时间计',
  before_photo: '早于整改照片的拍摄时间，按到达时间计',
};
import { uuid7 } from '../logic/uuid7.js';
import { isoWithOffset, api } from '../api.js';
import * as sync from '../sync.js';

function TicketRow({ t, ctx, plans, selected }) {
  const left = t.state === 'open' ? timeLeft(t, ctx.data.calendar, Date.now(), plans) : null;
  const overdue = isOverdue(t, Date.now());
  return html`<li>
    <a class=${`list-item ticket-row${overdue ? ' ticket-row-overdue' : ''}${selected ? ' ticket-row-selected' : ''}`}
      href=${`#/ticket/${t.id}`} aria-current=${selected ? 'true' : null}>
      <span class="list-item-title">${t.catalog_name || (t.finding && t.finding.description) || '问题'}</span>
      <span class="list-item-meta">${t.compound_name || ''} · ${STATE_LABELS[t.state] || t.state}${t.pending.length ? ' · 有待发送操作' : ''}</span>
      ${left ? html`<span class=${`list-item-aside time-left${left.overdue ? ' time-left-overdue' : ''}`}>${left.text}${t.due_provisional ? '（临时）' : ''}</span>` : null}
    </a></li>`;
}

// Who logs findings sees first the tickets of their own findings; who acts on tickets, the open ones.
const REPORTERS = ['inspector', 'grid_worker'];
const FILTERS = [['mine', '我登记的'], ['open', '未办结'], ['overdue', '已超期'], ['all', '全部']];

export function TicketsView({ ctx, selected }) {
  const reporter = REPORTERS.includes(ctx.user.role);
  const [filter, setFilter] = useState(reporter ? 'mine' : 'open');
  const all = ctx.data.tickets.map((t) => withPending(t, ctx.data.items));
  const keep = {
    mine: (t) => t.finding && t.finding.reporter_id === ctx.userId,
    open: isOpen,
    overdue: (t) => isOverdue(t, Date.now()),
    all: () => true,
  }[filter];
  const rows = ticketsByDue(all.filter(keep));
  const plans = new Map();
  return html`<main class="screen">
    <${TopBar} title="整改工单" />
    ${ctx.syncStatus.pull === 'missing' ? html`<${Notice} kind="warn">服务器暂未提供工单同步，列表可能为空</${Notice}>` : null}
    ${!ctx.data.calendar ? html`<p class="hint">工作日历尚未同步：剩余时间按默认作息（8:30-12:00、13:30-17:30，周一至周五）估算</p>` : null}
    <div class="segmented" role="group" aria-label="筛选">
      ${FILTERS.filter(([v]) => reporter || v !== 'mine').map(([v, l]) => html`<button type="button"
        class=${`segmented-item${filter === v ? ' segmented-active' : ''}`} aria-pressed=${filter === v} onClick=${() => setFilter(v)}>${l}</button>`)}
    </div>
    ${['supervisor', 'admin'].includes(ctx.user.role) ? html`<a class="button button-secondary button-block" href="#/worklist">按街道、社区、小区、类型、来源、日期查询…</a>` : null}
    ${rows.length ? html`<ul class="list">${rows.map((t) => html`<${TicketRow} key=${t.id} t=${t} ctx=${ctx} plans=${plans} selected=${String(t.id) === selected} />`)}</ul>`
      : html`<${Empty}>没有工单</${Empty}>`}
  </main>`;
}

const typeName = (ctx, code) => {
  const type = ((ctx.data.catalog && ctx.data.catalog.types) || []).find((t) => t.code === code);
  return type ? `“${type.name}”` : code;
};

const loadVerify = () => import('./verify.js');
const loadRetype = () => import('./retype.js');

async function act(ctx, ticket, kind, note, photos = []) {
  await sync.enqueue('event', { id: uuid7(), ticket_id: ticket.id, kind, at: isoWithOffset(), note: note || null }, photos);
}

// 撤销: supervisors only, apart from the verification, with its reason and a confirmation.
function CancelForm({ ctx, ticket }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  if (!open) return html`<button type="button" class="button button-secondary" onClick=${() => setOpen(true)}>撤销工单</button>`;
  return html`<form class="form" onSubmit=${async (e) => {
    e.preventDefault();
    if (!note.trim()) { setError('请填写撤销原因'); return; }
    if (!confirm('撤销后该问题不再计分，也不再要求整改。确定撤销？')) return;
    await act(ctx, ticket, 'cancel', note.trim());
    go('#/tickets');
  }}>
    <label class="field">撤销原因（必填）<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <div class="button-row"><button class="button button-danger" type="submit">确认撤销</button>
      <button class="button button-secondary" type="button" onClick=${() => setOpen(false)}>取消</button></div>
  </form>`;
}

// A supervisor closes this finding into another it repeats (online: it names that finding);
// it then costs points once (issue 14).
function MergeForm({ ctx, ticket }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const others = ctx.data.tickets.filter((t) => t.id !== ticket.id && t.compound_id === ticket.compound_id
    && t.catalog_code === ticket.catalog_code && t.state !== 'cancelled');
  if (!others.length) return null;
  if (!open) return html`<button type="button" class="button button-secondary" onClick=${() => setOpen(true)}>合并为重复问题</button>`;
  async function merge(into) {
    if (!confirm('合并后本条问题将撤销，只按所选问题计分。确定合并？')) return;
    try {
      await api(`/api/tickets/${ticket.id}/merge`, { method: 'POST', token: ctx.token, body: { into: into.id } });
      await sync.pull();
      go('#/tickets');
    } catch (err) {
      setError(err.status === 0 ? '合并需要联网，请联网后再试' : err.message);
    }
  }
  return html`<section class="form" aria-label="合并为重复问题"><b>与哪一条是同一问题？</b>
    <ul class="list">${others.map((t) => html`<li key=${t.id}><button type="button" class="list-item merge-choice" onClick=${() => merge(t)}>
      <span class="list-item-title">${(t.finding && t.finding.description) || t.catalog_name}</span>
      <span class="list-item-meta">${STATE_LABELS[t.state]} · 派单 ${formatTime(t.dispatched_at)}</span></button></li>`)}</ul>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
  </section>`;
}

function RectifyView({ ctx, ticket }) {
  const [photos, setPhotos] = useState([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const before = (ticket.finding.before_photos || [])[0];
  const early = photos.filter((p) => takenBeforeDispatch(p, ticket));
  useEffect(() => { // the warning lies below the picker: bring it into view
    if (early.length) document.querySelector('[data-testid=photo-before-dispatch]').scrollIntoView({ block: 'center' });
  }, [early.length]);
  return html`<main class="screen">
    <${TopBar} title="整改" back=${`#/ticket/${ticket.id}`} />
    <div class="compare">
      <figure class="compare-before">
        ${before ? html`<${PhotoThumb} owner=${ctx.userId} sha=${before} token=${ctx.token} size="display" alt="整改前照片" />`
          : html`<span class="photo-thumb photo-missing">无整改前照片</span>`}
        <figcaption>整改前：请从同一位置拍摄</figcaption>
      </figure>
      <div class="compare-after">
        <${PhotoPicker} photos=${photos} onChange=${(next) => { setPhotos(next); setError(null); }} label="整改后照片" />
      </div>
    </div>
    ${early.length ? html`<${Notice} kind="error"><span data-testid="photo-before-dispatch">${early.map((p) => `第 ${photos.indexOf(p) + 1} 张照片拍摄于 ${formatTime(p.takenAt, { withYear: true })}`).join('；')}，早于派单时间 ${formatTime(ticket.dispatched_at)}，不能证明已整改：请删除后到现场重新拍摄</span></${Notice}>` : null}
    <form class="form" onSubmit=${async (e) => {
      e.preventDefault();
      if (!photos.length) { setError('请至少拍一张整改后照片'); return; }
      if (early.length) { setError('有照片早于派单时间，请删除后重新拍摄'); return; }
      await act(ctx, ticket, 'rectify', note.trim(), photos);
      go('#/tickets');
    }}>
      <label class="field">整改说明<textarea rows="2" value=${note} placeholder="例如：已更换井盖" onInput=${(e) => setNote(e.target.value)}></textarea></label>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <button class="button button-block" type="submit">提交整改（离线也可）</button>
    </form>
  </main>`;
}

// The 催办 → 督办 ladder (backend/notifications): what was last sent about this ticket.
const LADDER = [null, '已提醒即将到期', '已催办', '黄牌督办', '红牌督办'];

export function TicketView({ ctx, id, mode }) {
  const [done, setDone] = useState(null); // what the verifier just recorded
  useEffect(() => { sync.markRead(id).then((read) => read && ctx.reload()); }, [id]); // opened: read
  const raw = ctx.data.tickets.find((t) => String(t.id) === id);
  if (!raw) return html`<main class="screen"><${TopBar} title="工单" back="#/tickets" /><${Notice} kind="error">本机没有这张工单</${Notice}></main>`;
  const ticket = withPending(raw, ctx.data.items);
  if (mode === 'rectify') return html`<${RectifyView} ctx=${ctx} ticket=${ticket} />`;
  const role = ctx.user.role;
  const left = ticket.state === 'open' ? timeLeft(ticket, ctx.data.calendar) : null;
  const f = ticket.finding || {};
  const back = ticket.state === 'open' && (ticket.events || []).findLast((e) => e.kind === 'reject');
  const can = nextActions(ticket, role); // logic/tickets.js TRANSITIONS: who may do what, when
  const verifying = can.includes('close') && !ticket.pending.length; // the evidence shows them
  return html`<main class="screen">
    <${TopBar} title=${ticket.catalog_name || '工单'} back="#/tickets" />
    <dl class="facts">
      <dt>小区</dt><dd>${ticket.compound_name || ''}</dd>
      <dt>状态</dt><dd>${STATE_LABELS[ticket.state] || ticket.state}${back ? html`<b class="time-left-overdue">（已退回：${back.note}）</b>` : null}</dd>
      <dt>时限</dt><dd>${ticket.deadline_amount ? `${Number(ticket.deadline_amount)} ${ticket.deadline_unit}` : '—'}</dd>
      <dt>到期</dt><dd>${formatTime(ticket.due_at)}${ticket.due_provisional ? html` <b title="跨入尚未公布节假日安排的年份，按仅双休日临时计算，公布后将重算">（临时）</b>` : null}${left ? html` · <b class=${left.overdue ? 'time-left-overdue' : ''}>${left.text}</b>` : null}</dd>
      <dt>问题</dt><dd>${f.description || ''}${f.building ? ` · ${f.building}` : ''}${f.location_text ? ` · ${f.location_text}` : ''}</dd>
      ${ticket.ladder_level ? html`<dt>督办</dt><dd data-testid="ladder"><b class=${ticket.ladder_level > 2 ? 'time-left-overdue' : ''}>${LADDER[ticket.ladder_level]}</b> ${formatTime(ticket.ladder_at)}</dd>` : null}
    </dl>
    ${verifying ? null : html`<${PhotoGallery} shas=${f.before_photos || []} owner=${ctx.userId} token=${ctx.token} label="问题照片" />`}
    ${ticket.pending.map((i) => html`<${Notice} kind="warn" key=${i.id}>${EVENT_LABELS[i.payload.kind]}：${stateLabel(i, ctx.online)}</${Notice}>`)}
    ${can.includes('rectify') ? html`<div class="button-row">
      <a class="button button-block" href=${`#/ticket/${ticket.id}/rectify`}>整改并拍照</a></div>` : null}
    ${verifying
      ? html`<${Lazy} part load=${loadVerify} name="Verify" ctx=${ctx} ticket=${ticket} act=${act} onDone=${setDone} />` : null}
    ${done ? html`<div data-testid="verify-done"><${Notice} kind="ok">${done}</${Notice}>
      <a class="button button-secondary button-block" href="#/tickets">返回工单列表</a></div>` : null}
    <h2 class="section-title">处理记录</h2>
    <ol class="timeline">
      ${(ticket.events || []).map((e) => html`<li key=${e.id}>
        <b>${EVENT_LABELS[e.kind] || e.kind}</b> ${formatTime(e.at)} ${e.actor_name || ''}
        ${e.time_flag ? html`<p class="notice notice-warn" data-testid="time-flag">
          离线记录时间 ${formatTime(e.client_at || e.detail.claimed_at)} / 到达时间 ${formatTime(e.received_at)}：${TIME_FLAGS[e.time_flag] || ''}</p>` : null}
        ${e.kind === 'retype' && e.detail ? html`<p>由 ${typeName(ctx, e.detail.from)} 改为 ${typeName(ctx, e.detail.to)}${
          e.detail.new_due_at !== e.detail.old_due_at ? `，到期改为 ${formatTime(e.detail.new_due_at)}` : ''}</p>` : null}
        ${e.note ? html`<p>${e.note}</p>` : null}
        <${PhotoGallery} shas=${e.photos || []} owner=${ctx.userId} token=${ctx.token} label=${EVENT_LABELS[e.kind] || '照片'} />
      </li>`)}
    </ol>
    ${can.includes('cancel') ? html`<section aria-label="其他操作">
      <h2 class="section-title">其他操作</h2>
      <div class="button-row other-actions"><${CancelForm} ctx=${ctx} ticket=${ticket} /><${MergeForm} ctx=${ctx} ticket=${ticket} />
        ${can.includes('retype') ? html`<${Lazy} part load=${loadRetype} name="Retype" ctx=${ctx} ticket=${ticket} />` : null}</div>
    </section>` : null}
  </main>`;
}
