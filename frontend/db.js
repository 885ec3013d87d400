// THE IndexedDB module: the only place the database is opened (the service worker never
// touches it). Stores, all partitioned by the owner's user id so that on a shared phone
// user B neither sees nor sends user A's unsent items:
//   outbox   {id, owner, kind, payload, photos, state, ...}   see logic/outbox.js
//   photos   {key: owner:itemId:sha, owner, sha, itemId, blob, type, bytes, thumb}
//            one row per item and photo: two items may hold the same bytes, and one item's
//            upload must never release the other's copy
//   cache    {key: owner:name, owner, name, data}             compounds, tickets, catalog...
//   accounts {userId, user, token, expiresAt}                 one row per logged-in user
//   meta     {key, value}                                     current user id
// Upgrades are versioned: add a `case` below, never change an old one.

const DB_NAME = 'xunjian';
const DB_VERSION = 1;

let opening = null;

function upgrade(db, oldVersion) {
  switch (oldVersion) {
    case 0: {
      const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
      outbox.createIndex('owner', 'owner');
      const photos = db.createObjectStore('photos', { keyPath: 'key' });
      photos.createIndex('owner', 'owner');
      photos.createIndex('itemId', 'itemId');
      photos.createIndex('ownerSha', ['owner', 'sha']);
      db.createObjectStore('cache', { keyPath: 'key' });
      db.createObjectStore('accounts', { keyPath: 'userId' });
      db.createObjectStore('meta', { keyPath: 'key' });
    }
    // case 1: the next upgrade goes here (falls through from older versions).
  }
}

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
      req.onsuccess = () => {
        const db = req.result;
        // Another tab loaded a newer version: let it upgrade, reopen on next use.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => console.warn('IndexedDB upgrade blocked by another tab');
    });
  }
  return opening;
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(storeNames, mode, work) {
  const db = await openDb();
  const tx = db.transaction(storeNames, mode);
  const complete = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
  const stores = Object.fromEntries([storeNames].flat().map((n) => [n, tx.objectStore(n)]));
  const result = await work(stores);
  await complete; // resolve only once the data is durably committed
  return result;
}

// ------------------------------------------------------------------ outbox and photos

export function itemsOf(owner) {
  return run('outbox', 'readonly', (s) => done(s.outbox.index('owner').getAll(owner)));
}

export function allItems() {
  return run('outbox', 'readonly', (s) => done(s.outbox.getAll()));
}

export function getItem(id) {
  return run('outbox', 'readonly', (s) => done(s.outbox.get(id)));
}

export function putItem(item) {
  return run('outbox', 'readwrite', (s) => done(s.outbox.put(item)));
}

// A new item and its photos in one transaction: either all are stored or none.
export function addItemWithPhotos(item, photos) {
  return run(['outbox', 'photos'], 'readwrite', async (s) => {
    for (const p of photos) {
      s.photos.put({ ...p, key: photoKey(item.owner, item.id, p.sha), owner: item.owner, itemId: item.id });
    }
    return done(s.outbox.add(item));
  });
}

// Re-key an item (edit after a uuid_reused conflict): photos follow it.
export function replaceItem(oldId, item) {
  return run(['outbox', 'photos'], 'readwrite', async (s) => {
    const photos = await done(s.photos.index('itemId').getAll(oldId));
    for (const p of photos) {
      s.photos.delete(p.key);
      s.photos.put({ ...p, key: photoKey(p.owner, item.id, p.sha), itemId: item.id });
    }
    if (oldId !== item.id) s.outbox.delete(oldId);
    return done(s.outbox.put(item));
  });
}

export function deleteItem(id) {
  return run(['outbox', 'photos'], 'readwrite', async (s) => {
    const keys = await done(s.photos.index('itemId').getAllKeys(id));
    for (const k of keys) s.photos.delete(k);
    return done(s.outbox.delete(id));
  });
}

// A draft's photos (an inspection being filled in) when the draft is discarded.
export function deletePhotosOf(itemId) {
  return run('photos', 'readwrite', async (s) => {
    for (const k of await done(s.photos.index('itemId').getAllKeys(itemId))) s.photos.delete(k);
  });
}

export function photoKey(owner, itemId, sha) {
  return `${owner}:${itemId}:${sha}`;
}

// Any copy of these bytes this user holds, preferring one with the full blob (for display).
export async function getPhoto(owner, sha) {
  const rows = await run('photos', 'readonly', (s) => done(s.photos.index('ownerSha').getAll([owner, sha])));
  return rows.find((r) => r.blob) || rows[0] || null;
}

// The copy belonging to one item (for sending it).
export function getItemPhoto(owner, itemId, sha) {
  return run('photos', 'readonly', (s) => done(s.photos.get(photoKey(owner, itemId, sha))));
}

export function photosOfItem(itemId) {
  return run('photos', 'readonly', (s) => done(s.photos.index('itemId').getAll(itemId)));
}

export function putPhoto(photo) {
  return run('photos', 'readwrite', (s) => done(s.photos.put(photo)));
}

// The server holds it: drop the full blob, keep the small thumbnail for the lists.
export function releasePhotoBlob(owner, itemId, sha) {
  return run('photos', 'readwrite', async (s) => {
    const row = await done(s.photos.get(photoKey(owner, itemId, sha)));
    if (row && row.blob) s.photos.put({ ...row, blob: null, held: true });
  });
}

// ------------------------------------------------------------------ cache, accounts, meta

export async function cacheGet(owner, name, fallback = null) {
  const row = await run('cache', 'readonly', (s) => done(s.cache.get(`${owner}:${name}`)));
  return row ? row.data : fallback;
}

export function cachePut(owner, name, data) {
  return run('cache', 'readwrite', (s) => done(s.cache.put({ key: `${owner}:${name}`, owner, name, data })));
}

// Read, change and write one cached record in one transaction, so that two writers (a screen
// and the outbox) never overwrite each other's change. `change(data)` returns the new data.
export function cacheUpdate(owner, name, fallback, change) {
  return run('cache', 'readwrite', async (s) => {
    const row = await done(s.cache.get(`${owner}:${name}`));
    const data = change(row ? row.data : fallback);
    await done(s.cache.put({ key: `${owner}:${name}`, owner, name, data }));
    return data;
  });
}

export function getAccount(userId) {
  return run('accounts', 'readonly', (s) => done(s.accounts.get(userId)));
}

export function putAccount(account) {
  return run('accounts', 'readwrite', (s) => done(s.accounts.put(account)));
}

// Logging out forgets the token only; the user's queued items stay for their next login.
export function forgetToken(userId) {
  return run('accounts', 'readwrite', async (s) => {
    const row = await done(s.accounts.get(userId));
    if (row) s.accounts.put({ ...row, token: null });
  });
}

export async function getMeta(key, fallback = null) {
  const row = await run('meta', 'readonly', (s) => done(s.meta.get(key)));
  return row ? row.value : fallback;
}

export function putMeta(key, value) {
  return run('meta', 'readwrite', (s) => done(s.meta.put({ key, value })));
}
