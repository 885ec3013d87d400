// Bootstrap: session, hash routing, tab bar, banners (offline, update ready, storage), and the
// service worker registration with its update flow. Screens live in views/.

import { render } from './vendor/preact.js';
import { useState, useEffect, useCallback } from './vendor/hooks.js';
import { html, Notice, Lazy } from './views/ui.js';
import * as db from './db.js';
import * as sync from './sync.js';
import { api } from './api.js';
import { showTimesIn } from './logic/worktime.js';
import { CompoundsView } from './views/compounds.js';
import { FindingView } from './views/finding.js';
import { FindingsView } from './views/findings.js';
import { TicketsView, TicketView } from './views/tickets.js';

const TABS = {
  // 工单: the tickets of what they logged, so they see what became of it (issue 15 §5).
  // 消息: the inbox, with its unread badge (issue 17).
  inspector: [['#/compounds', '小区'], ['#/findings', '记录'], ['#/tickets', '工单'], ['#/inspect', '检查'], ['#/inbox', '消息'], ['#/me', '我的']],
  property_manager: [['#/tickets', '工单'], ['#/inbox', '消息'], ['#/me', '我的']],
  // District users assess streets (S, X) and check every compound's 明查/暗访: 检查 is theirs too.
  supervisor: [['#/dashboard', '总览'], ['#/tickets', '工单'], ['#/inspect', '检查'], ['#/scores', '评分'], ['#/inbox', '消息'], ['#/me', '我的']],
};
TABS.grid_worker = TABS.inspector;
// A street office's clerk keeps the organisation, users, calendar and rules (ux.md).
TABS.admin = [['#/admin', '概览'], ['#/admin/org', '组织'], ['#/admin/users', '用户'],
  ['#/admin/calendar', '日历'], ['#/admin/rules', '规则'], ['#/admin/notify', '通知'], ['#/hotline', '热线'], ['#/admin/log', '日志'], ['#/me', '我的']];
const TAB_OF = { ticket: 'tickets', worklist: 'tickets', new: 'compounds', password: 'me' };

function parseRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { raw, path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const on = () => setRoute((old) => (old.raw === (location.hash.replace(/^#/, '') || '/') ? old : parseRoute()));
    addEventListener('hashchange', on);
    on();  // a hash changed between the first render and this effect fired no event we heard
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(navigator.onLine);
    addEventListener('online', on);
    addEventListener('offline', on);
    return () => { removeEventListener('online', on); removeEventListener('offline', on); };
  }, []);
  return online;
}

// A desk (≥ 1024 px): the ticket list and the ticket side by side, for those who verify.
const DESK = matchMedia('(min-width: 1024px)');
function useDesk() {
  const [desk, setDesk] = useState(DESK.matches);
  useEffect(() => {
    const on = () => setDesk(DESK.matches);
    DESK.addEventListener('change', on);
    return () => DESK.removeEventListener('change', on);
  }, []);
  return desk;
}

// ------------------------------------------------------------------ service worker

let waitingWorker = null;
let updateAccepted = false;
const updateListeners = new Set();

function announceUpdate(worker) {
  waitingWorker = worker;
  for (const fn of updateListeners) fn(true);
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const reg = await navigator.serviceWorker.register('./sw.js', { scope: './' });
  if (reg.waiting && navigator.serviceWorker.controller) announceUpdate(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const worker = reg.installing;
    worker.addEventListener('statechange', () => {
      // installed while another version controls the page: it waits until the user says so
      if (worker.state === 'installed' && navigator.serviceWorker.controller) announceUpdate(worker);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only after the user accepted an update: the first install's clients.claim() also fires
    // this, and reloading then would wipe whatever the user was typing.
    if (!updateAccepted) return;
    updateAccepted = false;
    location.reload(); // the queue is in IndexedDB, untouched by the new worker
  });
  setInterval(() => reg.update().catch(() => {}), 60 * 60 * 1000);
}

function UpdateBanner() {
  const [ready, setReady] = useState(!!waitingWorker);
  useEffect(() => {
    updateListeners.add(setReady);
    return () => updateListeners.delete(setReady);
  }, []);
  if (!ready) return null;
  return html`<div class="banners" role="region" aria-label="提示">
    <button type="button" class="update-banner" onClick=${() => { updateAccepted = true; waitingWorker.postMessage({ type: 'SKIP_WAITING' }); }}>
    新版本已就绪，点击更新</button></div>`;
}

// ------------------------------------------------------------------ the app

async function loadData(userId) {
  const [items, compounds, tickets, catalog, rubrics, calendar, recent, inbox] = await Promise.all([
    db.itemsOf(userId), db.cacheGet(userId, 'compounds', []), db.cacheGet(userId, 'tickets', []),
    db.cacheGet(userId, 'catalog'), db.cacheGet(userId, 'rubrics'), db.cacheGet(userId, 'calendar'),
    db.cacheGet(userId, 'recent', []), db.cacheGet(userId, 'inbox', { unread: 0, items: [] }),
  ]);
  showTimesIn(calendar);
  return { items, compounds, tickets, catalog, rubrics, calendar, recent, inbox };
}

let loads = 0;

// Screens loaded when first opened (sw.js MODULES, precached: they open offline too).
const loadInspect = () => import('./views/inspect/index.js');
const loadDashboard = () => import('./views/dashboard.js');
const loadScores = () => import('./views/scores.js');
const loadWorklist = () => import('./views/worklist.js');
const loadAdmin = () => import('./views/admin/index.js');
const loadPassword = () => import('./views/password.js');
const loadLogin = () => import('./views/login.js');
const loadMe = () => import('./views/me.js');
const loadInbox = () => import('./views/inbox.js');
const loadHotline = () => import('./views/hotline.js');


function App() {
  const route = useRoute();
  const online = useOnline();
  const desk = useDesk();
  const [account, setAccount] = useState(undefined); // undefined: loading; null: logged out
  const [data, setData] = useState(null);
  const [syncStatus, setSyncStatus] = useState({ ...sync.status });
  const [storage, setStorage] = useState(null);

  const reload = useCallback(async () => {
    if (!account) return;
    // Reloads overlap (sync events, pulls): only the latest may set the data, or an older,
    // slower read would put stale lists back on screen.
    const ticket = ++loads;
    const next = await loadData(account.userId);
    if (ticket === loads) setData(next);
  }, [account]);

  useEffect(() => {
    (async () => {
      const current = await db.getMeta('current');
      const acc = current ? await db.getAccount(current) : null;
      setAccount(acc && acc.token ? acc : null);
    })();
  }, []);

  useEffect(() => {
    // a one-time password opens nothing but its change: no sync until then
    if (!account || account.user.must_change_password) return undefined;
    sync.setSession({ userId: account.userId, token: account.token });
    reload();
    sync.pull().then(reload).catch(() => {});
    sync.checkStorage().then(setStorage);
    return sync.subscribe((s) => { setSyncStatus(s); reload(); });
  }, [account]);

  useEffect(() => {
    const title = document.querySelector('.top-bar-title');
    if (title) title.focus({ preventScroll: true }); // screen readers land on the new screen
  }, [route.path]);

  async function onLogin(answer) {
    const acc = { userId: answer.user.id, user: answer.user, token: answer.access_token,
      expiresAt: answer.expires_at };
    await db.putAccount(acc);
    await db.putMeta('current', acc.userId);
    const tabs = TABS[acc.user.role] || TABS.inspector;
    location.hash = tabs[0][0];
    setAccount(acc);
  }

  async function onPasswordChanged(user) {
    const acc = { ...account, user };
    await db.putAccount(acc);
    setAccount(acc);
    if (location.hash === '#/password') location.hash = '#/me';
  }

  async function onLogout() {
    const { token } = account;
    await db.forgetToken(account.userId); // locally first: a reload mid-logout must not stay in
    try { await api('/api/auth/logout', { method: 'POST', token }); } catch { /* offline */ }
    await db.putMeta('current', null);
    sync.setSession(null);
    setData(null);
    setAccount(null);
    location.hash = '#/';
  }

  if (account === undefined) return html`<main class="screen"><p class="hint">正在打开…</p></main>`;
  if (!account) return html`<${UpdateBanner} /><${Lazy} key="login" load=${loadLogin} name="LoginView" online=${online} onLogin=${onLogin} />`;
  if (account.user.must_change_password) {
    return html`<${Lazy} key="password" load=${loadPassword} name="PasswordView" token=${account.token} forced onDone=${onPasswordChanged} onLogout=${onLogout} />`;
  }
  if (!data) return html`<main class="screen"><p class="hint">正在读取本机数据…</p></main>`;

  const role = account.user.role;
  const tabs = TABS[role] || TABS.inspector;
  const ctx = { user: account.user, userId: account.userId, token: account.token, data, reload,
    online, syncStatus, storage, route, onLogout, refreshStorage: () => sync.checkStorage().then(setStorage) };
  const [first] = route.parts;
  let view;
  if (first === 'compounds') view = html`<${CompoundsView} ctx=${ctx} />`;
  else if (first === 'new') view = html`<${FindingView} ctx=${ctx} />`;
  else if (first === 'findings') view = html`<${FindingsView} ctx=${ctx} />`;
  else if (first === 'inspect') view = html`<${Lazy} key="inspect" load=${loadInspect} name="InspectView" ctx=${ctx} />`;
  else if (desk && role !== 'property_manager' && (first === 'tickets' || (first === 'ticket' && !route.parts[2]))) {
    view = html`<div class="two-pane"><${TicketsView} ctx=${ctx} selected=${route.parts[1]} />
      ${route.parts[1] ? html`<${TicketView} key=${route.parts[1]} ctx=${ctx} id=${route.parts[1]} />`
        : html`<main class="screen pane-empty"><p class="hint">在左侧选择一张工单</p></main>`}</div>`;
  } else if (first === 'tickets') view = html`<${TicketsView} ctx=${ctx} />`;
  else if (first === 'ticket') view = html`<${TicketView} key=${route.parts[1]} ctx=${ctx} id=${route.parts[1]} mode=${route.parts[2]} />`;
  else if (first === 'dashboard') view = html`<${Lazy} key="dashboard" load=${loadDashboard} name="DashboardView" ctx=${ctx} />`;
  else if (first === 'worklist') view = html`<${Lazy} key="worklist" load=${loadWorklist} name="WorklistView" ctx=${ctx} />`;
  else if (first === 'scores') view = html`<${Lazy} key="scores" load=${loadScores} name="ScoresView" ctx=${ctx} />`;
  else if (first === 'me') view = html`<${Lazy} key="me" load=${loadMe} name="MeView" ctx=${ctx} />`;
  else if (first === 'inbox') view = html`<${Lazy} key="inbox" load=${loadInbox} name="InboxView" ctx=${ctx} />`;
  else if (first === 'password') view = html`<${Lazy} key="password" load=${loadPassword} name="PasswordView" token=${account.token} onDone=${onPasswordChanged} />`;
  else if (first === 'hotline' && (role === 'supervisor' || role === 'admin')) view = html`<${Lazy} key="hotline" load=${loadHotline} name="HotlineView" ctx=${ctx} />`;
  else if (first === 'admin' && role === 'admin') view = html`<${Lazy} key="admin" load=${loadAdmin} name="AdminView" ctx=${ctx} />`;
  else { location.hash = tabs[0][0]; return null; }

  // Banners sit in one labelled region (only when there is one), so no content is outside a
  // landmark and screen-reader users can jump to them.
  const banners = [
    !online ? html`<p class="offline-banner" role="status">离线：记录存在本机，联网后自动发送</p>` : null,
    storage && storage.warning && data.items.some((i) => i.state !== 'sent') && first !== 'me'
      ? html`<a class="notice notice-warn storage-warning" href="#/me">${storage.warning}</a>` : null,
    syncStatus.authLost ? html`<${Notice} kind="error">登录已失效：请在“我的”中退出后重新登录，未发送的记录会保留</${Notice}>` : null,
  ].filter(Boolean);
  // the tab a screen belongs to (the admin's tabs are one level deeper)
  // (a supervisor opens 热线 from 总览)
  const here = first === 'admin' ? `#/admin${route.parts[1] ? `/${route.parts[1]}` : ''}`
    : first === 'hotline' && role !== 'admin' ? '#/dashboard' : `#/${TAB_OF[first] || first}`;
  return html`
    <${UpdateBanner} />
    ${banners.length ? html`<div class="banners" role="region" aria-label="状态">${banners}</div>` : null}
    ${view}
    <nav class=${`tab-bar${role === 'admin' ? ' tab-bar-side' : ''}`} aria-label="主菜单">
      ${tabs.map(([href, label]) => html`<a class=${`tab-bar-item${here === href ? ' tab-bar-active' : ''}`}
        href=${href} aria-current=${here === href ? 'page' : null}>
        ${label}${href === '#/inbox' && data.inbox.unread ? html`<span class="tab-badge" data-testid="unread"
          aria-label=${`${data.inbox.unread} 条未读`}>${data.inbox.unread}</span>` : null}</a>`)}
    </nav>`;
}

sync.startSync();
render(html`<${App} />`, document.getElementById('app'));
registerWorker().catch((err) => console.warn('service worker', err));
