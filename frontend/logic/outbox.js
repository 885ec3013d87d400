// The outbox state machine, pure: every function takes an item (and `now`) and returns a new one.
//
// An item is one thing the user did offline (a finding, or a ticket event: rectify, close,
// reject). It moves   pending --send--> (record accepted) --photos held--> sent
//                       |  network/5xx: stays pending, retried with backoff
//                       +- invalid/conflict: failed, keeps the server's reason until the user
//                          retries, edits, exports or discards it. Nothing is ever dropped here.

export const PENDING = 'pending';
export const SENT = 'sent';
export const FAILED = 'failed';

export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;

export function newItem({ id, kind, owner, payload, photos = [], now }) {
  return {
    id, kind, owner, payload,
    photos: photos.slice(), // sha256 of every declared photo, in order
    photosHeld: [],
    accepted: false, // the server stored the record (photos may still be missing)
    state: PENDING,
    attempts: 0,
    nextAt: now,
    error: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

function touch(item, now, changes) {
  return { ...item, ...changes, updatedAt: now, version: item.version + 1 };
}

// Exponential backoff with "equal jitter": half fixed, half random, so phones that lost the
// network together do not come back in lockstep.
export function backoffDelay(attempts, random = Math.random()) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export function isDue(item, now) {
  return item.state === PENDING && item.nextAt <= now;
}

export function nextWake(items, now) {
  const times = items.filter((i) => i.state === PENDING).map((i) => i.nextAt);
  if (!times.length) return null;
  return Math.max(0, Math.min(...times) - now);
}

export function onTransientError(item, now, message, random = Math.random()) {
  const attempts = item.attempts + 1;
  return touch(item, now, {
    attempts,
    nextAt: now + backoffDelay(attempts, random),
    error: { code: 'network', message, transient: true },
  });
}

export function photosMissing(item) {
  return item.photos.filter((sha) => !item.photosHeld.includes(sha));
}

function settle(item, now, held) {
  const photosHeld = item.photos.filter((sha) => held.includes(sha));
  const done = photosHeld.length === item.photos.length;
  return touch(item, now, {
    accepted: true, photosHeld, state: done ? SENT : PENDING,
    attempts: 0, nextAt: now, error: null,
  });
}

// One per-item result of POST /api/sync/findings or /api/sync/events.
export function onResult(item, result, now) {
  if (result.status === 'created' || result.status === 'duplicate') {
    // Only what the server names in photos_held counts as held (sync README).
    return settle(item, now, [...item.photosHeld, ...(result.photos_held || [])]);
  }
  return touch(item, now, {
    state: FAILED,
    error: {
      code: result.code || result.status,
      message: result.message || (result.status === 'conflict' ? '与服务器记录冲突' : '服务器拒绝'),
      transient: false,
    },
  });
}

// Answer of POST /api/photos for one photo of this item: {sha256, stored: true, ...}.
export function onPhotoStored(item, sha, answer, now) {
  if (!answer || answer.stored !== true || answer.sha256 !== sha) return item;
  return settle(item, now, [...item.photosHeld, sha]);
}

export function onPermanentError(item, now, code, message) {
  return touch(item, now, { state: FAILED, error: { code, message, transient: false } });
}

export function retry(item, now) {
  return touch(item, now, { state: PENDING, attempts: 0, nextAt: now, error: null });
}

// After a uuid_reused conflict the server keeps the first content for that id for ever, so an
// edited item must travel under a new id; otherwise the id is kept (nothing was stored).
export function edited(item, payload, now, newId) {
  const id = item.error && item.error.code === 'uuid_reused' ? newId : item.id;
  return touch(item, now, {
    id, payload: { ...payload, id }, state: PENDING, accepted: false,
    attempts: 0, nextAt: now, error: null,
  });
}

/** `online` false: the browser reports no network, so nothing is being tried. */
export function stateLabel(item, online = true) {
  if (item.state === SENT) return '已发送';
  if (item.state === FAILED) return `失败：${item.error ? item.error.message : '未知原因'}`;
  if (!online) return item.accepted ? `照片待上传（${photosMissing(item).length}）· 等待网络` : '等待网络';
  if (item.accepted) return `照片待上传（${photosMissing(item).length}）`;
  if (item.error && item.error.transient) return `待发送（第 ${item.attempts} 次重试）`;
  return '待发送';
}

export function stateClass(item) {
  if (item.state === SENT) return 'state-sent';
  if (item.state === FAILED) return 'state-failed';
  return 'state-pending';
}

export function isUnsent(item) {
  return item.state !== SENT;
}

// Items of one owner only: on a shared phone user B neither sees nor sends user A's items.
export function ownedBy(items, owner) {
  return items.filter((i) => i.owner === owner);
}
