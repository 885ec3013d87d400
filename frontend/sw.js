// The hand-written service worker: caches the app shell so the app opens with no network.
// - install: precache every shell file, AWAITED, into a cache named after VERSION; then the
//   screens' modules (MODULES: loaded when a screen first opens, so not in the shell's
//   weight budget), into the same cache, so that they too open with no network;
// - a new version waits until the page says SKIP_WAITING (the user tapped "新版本已就绪");
// - activate: delete the caches of older versions, take over open pages;
// - fetch: /api/ goes to the network only (never cached here: the data lives in IndexedDB,
//   which this worker never opens); navigations get the cached shell; shell files cache-first.
// VERSION is a hash of the shell files (scripts/stamp_sw.py; a test checks it is current).

const VERSION = 'a90f47c1734c';
const CACHE = `xunjian-shell-${VERSION}`;
const SHELL = [
  './',
  './index.html',
  './app.js',
  './api.js',
  './db.js',
  './photo.js',
  './sync.js',
  './styles.css',
  './manifest.webmanifest',
  './logic/exif.js',
  './logic/finding.js',
  './logic/outbox.js',
  './logic/photoplan.js',
  './logic/sha256.js',
  './logic/sorting.js',
  './logic/tickets.js',
  './logic/uuid7.js',
  './logic/worktime.js',
  './vendor/hooks.js',
  './vendor/htm.js',
  './vendor/preact.js',
  './views/compounds.js',
  './views/finding.js',
  './views/findings.js',
  './views/tickets.js',
  './views/ui.js',
  './icons/icon-192.png',
];
// Loaded by the screens that need them (import()), cached at install beside the shell.
const MODULES = [
  './views/login.js',
  './views/me.js',
  './views/inbox.js',
  './logic/decimal.js',
  './views/dashboard.js',
  './views/desk.css',
  './views/scores.js',
  './views/verify.js',
  './views/retype.js',
  './views/worklist.js',
  './views/table.js',
  './logic/dashboard.js',
  './logic/worklist.js',
  './logic/periods.js',
  './logic/inspection.js',
  './logic/rubric.js',
  './views/inspect/controls.js',
  './views/inspect/index.js',
  './views/inspect/inspect.css',
  './views/inspect/item.js',
  './views/inspect/parts.js',
  './views/inspect/run.js',
  './views/inspect/summary.js',
  './logic/admin.js',
  './views/admin/admin.css',
  './views/admin/audit.js',
  './views/admin/calendar.js',
  './views/admin/common.js',
  './views/admin/index.js',
  './views/admin/org.js',
  './views/admin/rules.js',
  './views/admin/notify.js',
  './views/admin/schedules.js',
  './views/admin/users.js',
  './views/password.js',
  './logic/hotline.js',
  './views/hotline.css',
  './views/hotline.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache so a new version never precaches stale files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await cache.addAll(MODULES.map((url) => new Request(url, { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('xunjian-shell-') && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // network only, never the shell cache
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match('./index.html')) || fetch(request);
    })());
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: true });
    return hit || fetch(request);
  })());
});
