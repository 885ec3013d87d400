// The outbox runner, the pull of server changes, export/import of the queue, storage checks.
// Items go up only for the logged-in user, with that user's token (see db.js).

import * as db from './db.js';
import * as ob from './logic/outbox.js';
import { mergeById } from './logic/sorting.js';
import { uuid7 } from './logic/uuid7.js';
import { api, ApiError } from './api.js';
import { blobToBase64, base64ToBlob } from './photo.js';

const BATCH = 20;
const listeners = new Set();
let session = null; // {userId, token}
let running = false;
let rerun = false;
let rerunForce = false;
let timer = null;
export const status = { running: false, pulling: false, lastSync: null, lastError: null, pull: 'unknown',
  authLost: false };

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit() {
  for (const fn of listeners) fn({ ...status });
}

export function setSession(next) {
  session = next;
  status.authLost = false;
  emit();
  if (session) {
    pruneSent(session.userId).catch(() => {});
    schedule(0, true);
  }
}

// Sent items stay in "我的记录" for two weeks, then go: the server has them.
const SENT_KEPT_MS = 14 * 24 * 3600 * 1000;

async function pruneSent(owner) {
  const cutoff = Date.now() - SENT_KEPT_MS;
  for (const item of await db.itemsOf(owner)) {
    if (item.state === ob.SENT && item.updatedAt < cutoff) await db.deleteItem(item.id);
  }
}

// force: a fresh chance for every pending item, backoff or not (page load, back online, the
// user's "立即发送"): the reason for the backoff has probably gone.
function schedule(delayMs, force = false) {
  clearTimeout(timer);
  if (delayMs == null || !session) return;
  timer = setTimeout(() => { runOutbox({ force }); }, Math.min(delayMs, 0x7fffffff));
}

// ------------------------------------------------------------------ enqueue

// kind 'finding' | 'event' | 'inspection'; photos [{sha, blob, bytes, type, thumb, width,
// height}]. A finding or event declares its photos as a list; an inspection's payload declares
// them per item itself (logic/inspection.js).
export async function enqueue(kind, payload, photos = []) {
  const now = Date.now();
  const item = ob.newItem({ id: payload.id, kind, owner: session.userId, payload,
    photos: photos.map((p) => p.sha), now });
  if (kind !== 'inspection') {
    item.payload = { ...payload, photos: photos.map((p) => ({ sha256: p.sha, bytes: p.bytes })) };
  }
  await db.addItemWithPhotos(item, photos);
  emit();
  schedule(0);
  return item;
}

export async function retryItem(id) {
  const item = await db.getItem(id);
  await db.putItem(ob.retry(item, Date.now()));
  schedule(0, true);
}

export async function editItem(id, changes) {
  const item = await db.getItem(id);
  const next = ob.edited(item, { ...item.payload, ...changes }, Date.now(), uuid7());
  await db.replaceItem(id, next);
  schedule(0);
  return next;
}

export async function discardItem(id) {
  await db.deleteItem(id);
  emit();
}

// ------------------------------------------------------------------ the runner

async function save(item) {
  await db.putItem(item);
  return item;
}

const ENDPOINTS = { finding: ['/api/sync/findings', 'findings'], event: ['/api/sync/events', 'events'],
  inspection: ['/api/sync/inspections', 'inspections'] };

async function sendRecords(items, kind) {
  const [path, key] = ENDPOINTS[kind];
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = items.slice(i, i + BATCH);
    let answer;
    try {
      answer = await api(path, { method: 'POST', body: { [key]: batch.map((x) => x.payload) },
        token: session.token, sync: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && batch.length > 1) {
        // One malformed item must not block the others: send them one by one.
        for (const one of batch) await sendRecords([one], kind);
        continue;
      }
      if (err instanceof ApiError && err.status === 422) {
        await save(ob.onPermanentError(batch[0], Date.now(), 'invalid', `数据不完整：${err.message}`));
        continue;
      }
      throw err;
    }
    const results = new Map((answer.results || []).map((r) => [String(r.id), r]));
    for (const item of batch) {
      const r = results.get(item.id);
      if (!r) continue; // no answer for it: stays pending, sent again next time
      await save(ob.onResult(item, r, Date.now()));
      if (r.ticket) await mergeTickets([r.ticket]);
      if (r.inspection) await keepInspection(r.inspection);
    }
  }
}

async function sendPhotos(item) {
  for (const sha of ob.photosMissing(item)) {
    const photo = await db.getItemPhoto(item.owner, item.id, sha);
    if (!photo || !photo.blob) {
      await save(ob.onPermanentError(item, Date.now(), 'photo_lost', '照片已不在本机，请删除该照片后重新发送'));
      return;
    }
    const form = new FormData();
    form.append('file', photo.blob, `${sha}.jpg`);
    if (item.kind === 'inspection') form.append('inspection_id', item.id);
    else form.append('finding_id', item.kind === 'finding' ? item.id : item.payload.ticket_id);
    if (item.kind === 'event') form.append('event_id', item.id);
    const answer = await api('/api/photos', { method: 'POST', form, token: session.token,
      sync: true, timeoutMs: 120000 });
    item = await save(ob.onPhotoStored(item, sha, answer, Date.now()));
    if (item.photosHeld.includes(sha)) await db.releasePhotoBlob(item.owner, item.id, sha);
  }
}

// A 401 means the login is gone only if /api/auth/me says so too, three times over half a
// second apart: a request racing the login (the server may commit a new token only after it
// has answered) or a restarting server must not send the user back to the login screen.
async function loginGone() {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt) await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      await api('/api/auth/me', { token: session.token });
      return false;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) return false;
    }
  }
  return true;
}

// Runs every due item of the current user once; network and server errors put them back with
// backoff and end the run (the network is probably down for all of them).
export async function runOutbox({ force = false } = {}) {
  if (!session || !session.token) return;
  // No network: no attempt (and no retry counted); the 'online' event runs the outbox again.
  if (navigator.onLine === false) return;
  if (running) { rerun = true; rerunForce = rerunForce || force; return; }
  const due = (i) => i.state === ob.PENDING && (force || ob.isDue(i, Date.now()));
  running = true;
  status.running = true;
  emit();
  const owner = session.userId;
  let batch = [];
  try {
    batch = (await db.itemsOf(owner)).filter(due);
    for (const kind of ['finding', 'event', 'inspection']) {
      await sendRecords(batch.filter((i) => i.kind === kind && !i.accepted), kind);
    }
    for (const item of await db.itemsOf(owner)) {
      if (item.accepted && due(item)) await sendPhotos(item);
    }
    status.lastSync = Date.now();
    status.lastError = null;
  } catch (err) {
    status.lastError = err.message;
    if (err instanceof ApiError && err.status === 401 && await loginGone()) {
      status.authLost = true; // keep every item; they go up after the next login
    } else {
      const now = Date.now();
      for (const stale of batch) {
        const item = await db.getItem(stale.id);
        if (item && item.state === ob.PENDING) await save(ob.onTransientError(item, now, err.message));
      }
    }
  } finally {
    running = false;
    status.running = false;
    emit();
  }
  if (rerun) {
    const again = { force: rerunForce };
    rerun = false;
    rerunForce = false;
    return runOutbox(again);
  }
  if (!status.authLost) schedule(ob.nextWake(await db.itemsOf(owner), Date.now()));
}

export function startSync() {
  window.addEventListener('online', () => { schedule(0, true); pull().catch(() => {}); });
  // New tickets and changed reference data arrive without the user asking.
  setInterval(() => {
    if (navigator.onLine && document.visibilityState === 'visible') pull().catch(() => {});
  }, 5 * 60 * 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') schedule(0, true);
  });
}

// ------------------------------------------------------------------ pull

// The server's answer for a submitted inspection (its score, grade and deductions), beside the
// phone's copy, for the summary screen.
async function keepInspection(answer) {
  // the submit screen wrote the entry before queueing it (views/inspect/run.js)
  await db.cacheUpdate(session.userId, 'inspections-sent', {}, (sent) => ({
    ...sent, [answer.id]: { ...(sent[answer.id] || { id: answer.id }), answer } }));
}

async function mergeTickets(tickets) {
  const old = await db.cacheGet(session.userId, 'tickets', []);
  await db.cachePut(session.userId, 'tickets', mergeById(old, tickets));
}

export async function pull(retries = 2) {
  if (!session || !session.token) return;
  const owner = session.userId;
  const meta = await db.cacheGet(owner, 'pull', { cursor: '0' });
  status.pulling = true;
  try {
    for (let page = 0; page < 50; page++) {
      const q = new URLSearchParams({ cursor: meta.cursor || '0', limit: '500' });
      if (page === 0) await flushReads(owner).catch(() => {}); // unsent marks wait for the next pull
      for (const name of ['catalog', 'rubrics', 'calendar', 'compounds', 'inbox']) {
        if (meta[`${name}_version`]) q.set(`${name}_version`, meta[`${name}_version`]);
      }
      const data = await api(`/api/sync/pull?${q}`, { token: session.token, sync: true });
      // compounds come whole, versioned like the catalog ({version, items}), or null if unchanged
      if (Array.isArray(data.compounds)) {
        const old = await db.cacheGet(owner, 'compounds', []);
        await db.cachePut(owner, 'compounds', mergeById(old, data.compounds));
      } else if (data.compounds) {
        await db.cachePut(owner, 'compounds', data.compounds.items || []);
        meta.compounds_version = data.compounds.version;
      }
      if (data.tickets && data.tickets.length) await mergeTickets(data.tickets);
      if (data.inbox) await keepLocalReads(owner, data.inbox);
      for (const name of ['catalog', 'rubrics', 'calendar', 'inbox']) {
        if (data[name]) {
          await db.cachePut(owner, name, data[name]);
          meta[`${name}_version`] = data[name].version;
        }
      }
      meta.cursor = String(data.cursor ?? meta.cursor);
      await db.cachePut(owner, 'pull', meta);
      if (!data.more) break;
    }
    status.pull = 'ok';
    await cacheBeforePhotos(owner);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (retries > 0 && !await loginGone()) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return pull(retries - 1);
      }
      status.authLost = true;
    }
    if (!(err instanceof ApiError) || err.status === 0 || err.status === 401) throw err;
    // No pull on this server (or it failed): at least the compounds in scope work offline.
    status.pull = err.code === 'endpoint_missing' ? 'missing' : 'failed';
    status.lastError = `同步数据失败：${err.message}`;
    const page = await api('/api/compounds?limit=500&offset=0', { token: session.token });
    await db.cachePut(owner, 'compounds', page.items || []);
  } finally {
    status.pulling = false;
    emit();
  }
}

// The inbox: a ticket's messages are read once it is opened (ticketId null: those about no
// ticket, a digest, once the inbox is), on the phone at once (offline too), on the server with
// the next pull.
export async function markRead(ticketId) {
  const owner = session && session.userId;
  const box = owner && await db.cacheGet(owner, 'inbox');
  const read = box ? box.items.filter((n) => (n.ticket_id || null) === ticketId && !n.read_at) : [];
  if (!read.length) return false;
  const now = new Date().toISOString();
  for (const n of read) n.read_at = now;
  box.unread = Math.max(0, box.unread - read.length);
  await db.cachePut(owner, 'inbox', box);
  // the messages read here, by id: a 催办 that arrives after the ticket was opened stays unread
  await db.cacheUpdate(owner, 'reads', [], (r) => [...r, { ids: read.map((n) => n.id) }]);
  flushReads(owner).then(emit, () => {});
  return true;
}

// Marks not yet on the server stay on the inbox a pull brings (read on the phone meanwhile).
async function keepLocalReads(owner, box) {
  const pending = new Set((await db.cacheGet(owner, 'reads', [])).flatMap((b) => b.ids || []));
  for (const n of box.items) {
    if (pending.has(n.id) && !n.read_at) { n.read_at = new Date().toISOString(); box.unread = Math.max(0, box.unread - 1); }
  }
}

let flushing = null; // one flush at a time: each sent mark is taken off the front of the queue

function flushReads(owner) {
  flushing = flushing || (async () => {
    for (const body of await db.cacheGet(owner, 'reads', [])) {
      try {
        await api('/api/notifications/read', { method: 'POST', token: session.token, body });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 0 || err.status === 401) throw err; // offline: later
      } // a refused mark (4xx) is dropped: it must never hold up the pull behind it
      await db.cacheUpdate(owner, 'reads', [], (r) => r.slice(1));
    }
  })().finally(() => { flushing = null; });
  return flushing;
}

// The before-photo of each open ticket, kept on the phone so a manager rectifying in a
// basement still sees it beside the camera.
const BEFORE_PHOTOS_KEPT = 60;

async function cacheBeforePhotos(owner) {
  const tickets = (await db.cacheGet(owner, 'tickets', [])).filter((t) => t.state === 'open');
  for (const t of tickets.slice(0, BEFORE_PHOTOS_KEPT)) {
    const sha = ((t.finding && t.finding.before_photos) || [])[0];
    if (!sha || await db.getPhoto(owner, sha)) continue;
    try {
      const res = await fetch(`/api/photos/${sha}/display`, { headers: { Authorization: `Bearer ${session.token}` } });
      if (!res.ok) continue;
      await db.putPhoto({ key: db.photoKey(owner, `ticket:${t.id}`, sha), owner, sha, itemId: `ticket:${t.id}`,
        blob: await res.blob(), type: 'image/jpeg', held: true });
    } catch {
      return; // offline again: try at the next pull
    }
  }
}

// ------------------------------------------------------------------ export / import

export const EXPORT_FORMAT = 'xunjian-outbox';

export async function exportQueue(owner) {
  const items = (await db.itemsOf(owner)).filter(ob.isUnsent);
  const photos = [];
  for (const item of items) {
    for (const p of await db.photosOfItem(item.id)) {
      if (!p.blob) continue;
      photos.push({ sha: p.sha, itemId: item.id, owner: p.owner, type: p.type, bytes: p.bytes,
        thumb: p.thumb, width: p.width, height: p.height, base64: await blobToBase64(p.blob) });
    }
  }
  const doc = { format: EXPORT_FORMAT, version: 1, exported_at: new Date().toISOString(),
    owner, items, photos };
  return new Blob([JSON.stringify(doc)], { type: 'application/json' });
}

// Never overwrites: an item already on this phone is skipped. Returns counts.
export async function importQueue(text) {
  const doc = JSON.parse(text);
  if (doc.format !== EXPORT_FORMAT) throw new Error('不是巡检导出的待发送文件');
  const existing = new Set((await db.allItems()).map((i) => i.id));
  let added = 0;
  let skipped = 0;
  for (const item of doc.items) {
    if (existing.has(item.id)) { skipped += 1; continue; }
    const photos = doc.photos.filter((p) => p.itemId === item.id).map(({ base64, ...p }) => ({
      ...p, blob: base64ToBlob(base64, p.type) }));
    await db.addItemWithPhotos(ob.retry(item, Date.now()), photos);
    added += 1;
  }
  emit();
  schedule(0);
  return { added, skipped };
}

// ------------------------------------------------------------------ storage

export async function checkStorage() {
  const out = { persisted: null, warning: null, usage: null, quota: null };
  if (!navigator.storage) return { ...out, warning: '此浏览器无法保证离线数据长期保存，请及时联网发送' };
  try {
    out.persisted = navigator.storage.persisted ? await navigator.storage.persisted() : null;
    if (!out.persisted && navigator.storage.persist) out.persisted = await navigator.storage.persist();
  } catch { out.persisted = false; }
  try {
    const { usage, quota } = await navigator.storage.estimate();
    Object.assign(out, { usage, quota });
    if (quota && (quota - usage < 50 * 1024 * 1024 || usage / quota > 0.8)) {
      out.warning = '手机存储空间不足，请尽快联网发送或导出待发送记录';
    }
  } catch { /* estimate is optional */ }
  if (!out.warning && out.persisted === false) {
    out.warning = '浏览器未允许长期保存离线数据：长时间不用可能被清除，请及时联网发送或导出';
  }
  return out;
}
