// 用户: the accounts by role, unit and state, with last login and open sessions; a new account
// with its role and scope picked from the organisation; a one-time password shown once;
// deactivation that ends every session at once. The list and the chosen user side by side
// at a desk. Filters live in the address (#/admin/users?role=…).
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice, Empty, go } from '../ui.js';
import { api } from '../../api.js';
import { ROLE_LABELS, SCOPE_LEVELS, LEVEL_LABELS } from '../../logic/admin.js';
import { useSorted } from '../table.js';
import { useUnits, UnitSelect, unitPath, when } from './common.js';

const ROLES = Object.entries(ROLE_LABELS);
// The first password of the account just created, shown on its page once (never in the address).
let justCreated = null;
const STATES = [['true', '在用'], ['false', '已停用']];

function scopeText(user) {
  if (user.role === 'admin') return '全部';
  if (user.company_name) return user.company_name;
  return (user.unit_names || []).join('、') || '—';
}

export function UsersView({ ctx }) {
  const [, , id] = ctx.route.parts;
  const [units] = useUnits(ctx.token);
  const [companies, setCompanies] = useState([]);
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const query = ctx.route.query.toString();
  useEffect(() => { api('/api/companies', { token: ctx.token }).then(setCompanies, () => {}); }, []);
  useEffect(() => {
    let live = true;
    api(`/api/users?${query}`, { token: ctx.token }).then((l) => live && setList(l), (e) => live && setError(e.message));
    return () => { live = false; };
  }, [query, version]);
  const refresh = () => setVersion((v) => v + 1);
  const shared = { ctx, units, companies, refresh };
  const detail = id === 'new' ? html`<${UserForm} ...${shared} />`
    : id ? html`<${UserDetail} key=${id} id=${id} ...${shared} />` : null;
  return html`<main class="screen admin-screen">
    <${TopBar} title="用户管理" back=${id ? `#/admin/users${query ? `?${query}` : ''}` : null} />
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <div class=${id ? 'admin-two admin-two-even' : ''}>
      <section aria-label="用户列表" class=${id ? 'hide-on-phone' : ''}>
        <${Filters} ctx=${ctx} units=${units} query=${ctx.route.query} />
        <a class="button" href="#/admin/users/new">新建用户</a>
        ${list ? html`<${UserTable} list=${list} selected=${id} query=${query} />` : html`<p class="hint">正在读取…</p>`}
      </section>
      ${detail ? html`<section aria-label="用户详情">${detail}</section>` : null}
    </div>
  </main>`;
}

function Filters({ units, query }) {
  const [f, setF] = useState(Object.fromEntries(query));
  const apply = (next) => {
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v)).toString();
    go(`#/admin/users${q ? `?${q}` : ''}`);
  };
  const put = (k) => (v) => setF({ ...f, [k]: v });
  return html`<form class="worklist-filters" aria-label="筛选" onSubmit=${(e) => { e.preventDefault(); apply(f); }}>
    <div class="period-fields">
      <label class="field field-inline">角色<select value=${f.role || ''} onChange=${(e) => put('role')(e.target.value)}>
        <option value="">全部</option>${ROLES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
      <label class="field field-inline">状态<select value=${f.active || ''} onChange=${(e) => put('active')(e.target.value)}>
        <option value="">全部</option>${STATES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
      ${units ? html`<div class="field-inline"><${UnitSelect} label="单位" units=${units} value=${f.unit_id} onChange=${put('unit_id')} any="全部" /></div>` : null}
      <label class="field field-inline">姓名、账号或手机<input type="search" value=${f.q || ''} onInput=${(e) => put('q')(e.target.value)} /></label>
    </div>
    <div class="button-row"><button class="button" type="submit">查询</button>
      <button class="button button-secondary" type="button" onClick=${() => { setF({}); apply({}); }}>清除筛选</button></div>
  </form>`;
}

function UserTable({ list, selected, query }) {
  const [rows, head] = useSorted(list);
  if (!list.length) return html`<${Empty}>没有符合条件的用户</${Empty}>`;
  const open = (u) => go(`#/admin/users/${u.id}${query ? `?${query}` : ''}`);
  return html`<p class="hint" role="status">共 ${list.length} 人</p>
    <table class="table admin-table" data-testid="users-table">
    <thead><tr>${head('display_name', '姓名')}${head('role', '角色')}<th>范围</th>${head('last_login_at', '最近登录')}</tr></thead>
    <tbody>${rows.map((u) => html`<tr key=${u.id} aria-selected=${u.id === selected} onClick=${() => open(u)}>
      <td><a href=${`#/admin/users/${u.id}${query ? `?${query}` : ''}`} onClick=${(e) => e.stopPropagation()}>${u.display_name}</a>
        ${u.is_active ? null : html` <span class="badge badge-retired">已停用</span>`}
        ${u.is_active && u.must_change_password ? html` <span class="badge badge-warn">待改密</span>` : null}</td>
      <td data-label="角色">${ROLE_LABELS[u.role] || u.role}</td>
      <td data-label="范围">${scopeText(u)}</td>
      <td data-label="最近登录">${when(u.last_login_at)}</td></tr>`)}</tbody></table>`;
}

// Ten letters and digits no one misreads: what the admin types in as a first password.
function suggestPassword() {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function ScopeFields({ form, set, units, companies }) {
  const levels = SCOPE_LEVELS[form.role] || [];
  if (form.role === 'property_manager') {
    return html`<label class="field">所属物业服务企业<select name="company_id" required value=${form.company_id || ''}
        onChange=${(e) => set({ company_id: e.target.value || null })}>
      <option value="">请选择</option>${companies.filter((c) => c.is_active !== false).map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>`;
  }
  if (!levels.length) return html`<p class="hint wide">系统管理员不设管辖范围</p>`;
  return html`<div class="wide"><${UnitSelect} label=${`管辖范围（${levels.map((l) => LEVEL_LABELS[l]).join('、')}）`}
    name="unit_id" required units=${units} levels=${levels} value=${form.unit_ids[0]}
    onChange=${(v) => set({ unit_ids: v ? [v] : [] })} />
    ${form.unit_ids.length > 1 ? html`<p class="hint">该用户现有 ${form.unit_ids.length} 个管辖单位；不改此项则全部保留，改选则只保留所选的一个。</p>` : null}</div>`;
}

function UserForm({ ctx, units, companies, refresh, user }) {
  const editing = !!user;
  const [form, setForm] = useState(user ? { ...user } : { username: '', display_name: '', role: 'inspector',
    unit_ids: [], company_id: null, phone: '', email: '', is_company_head: false, wecom_id: '', dingtalk_id: '', password: suggestPassword() });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (changes) => setForm({ ...form, ...changes });
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const scoped = form.role === 'property_manager' ? { unit_ids: [], company_id: form.company_id }
      : { unit_ids: form.role === 'admin' ? [] : form.unit_ids, company_id: null };
    const body = { display_name: form.display_name, role: form.role, phone: form.phone || null,
      email: form.email || null, is_company_head: form.role === 'property_manager' && !!form.is_company_head,
      wecom_id: form.wecom_id || null, dingtalk_id: form.dingtalk_id || null, ...scoped };
    try {
      const saved = editing
        ? await api(`/api/users/${user.id}`, { method: 'PATCH', token: ctx.token, body })
        : await api('/api/users', { method: 'POST', token: ctx.token, body: { ...body, username: form.username, password: form.password } });
      refresh();
      if (editing) user.onSaved(saved);
      else {
        justCreated = { id: saved.id, password: form.password };
        go(`#/admin/users/${saved.id}`);
      }
    } catch (e) {
      setError(e.message);
      setBusy(false);
    }
  }
  if (!units) return html`<p class="hint">正在读取组织机构…</p>`;
  return html`<form class="admin-form" onSubmit=${submit} aria-label=${editing ? '编辑用户' : '新建用户'}>
    <h2 class="wide">${editing ? `编辑：${user.display_name}` : '新建用户'}</h2>
    ${editing ? null : html`<label class="field">账号（字母、数字）<input name="username" required minlength="2" pattern="[A-Za-z0-9_.@-]+"
      autocomplete="off" value=${form.username} onInput=${(e) => set({ username: e.target.value.trim() })} /></label>`}
    <label class="field">姓名<input name="display_name" required value=${form.display_name} onInput=${(e) => set({ display_name: e.target.value })} /></label>
    <label class="field">角色<select name="role" value=${form.role} onChange=${(e) => set({ role: e.target.value, unit_ids: [], company_id: null })}>
      ${ROLES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
    <${ScopeFields} form=${form} set=${set} units=${units} companies=${companies} />
    <label class="field">手机号（通知用）<input name="phone" type="tel" inputmode="tel" value=${form.phone || ''} onInput=${(e) => set({ phone: e.target.value })} /></label>
    <label class="field">电子邮箱（通知用）<input name="email" type="email" value=${form.email || ''} onInput=${(e) => set({ email: e.target.value })} /></label>
    ${form.role === 'property_manager' ? html`<label class="field check"><span><input type="checkbox" checked=${!!form.is_company_head}
      onChange=${(e) => set({ is_company_head: e.target.checked })} /> 企业负责人（接收黄牌督办）</span></label>` : null}
    <label class="field">企业微信账号<input name="wecom_id" value=${form.wecom_id || ''} onInput=${(e) => set({ wecom_id: e.target.value })} /></label>
    <label class="field">钉钉账号<input name="dingtalk_id" value=${form.dingtalk_id || ''} onInput=${(e) => set({ dingtalk_id: e.target.value })} /></label>
    ${editing ? null : html`<label class="field">初始密码（首次登录须修改）<input name="password" required minlength="8" autocomplete="off"
      value=${form.password} onInput=${(e) => set({ password: e.target.value })} /></label>`}
    ${error ? html`<div class="wide"><${Notice} kind="error">${error}</${Notice}></div>` : null}
    <div class="button-row wide"><button class="button" type="submit" disabled=${busy}>${busy ? '正在保存…' : '保存'}</button>
      ${editing ? html`<button class="button button-secondary" type="button" onClick=${user.onCancel}>取消</button>` : null}</div>
  </form>`;
}

function UserDetail({ ctx, id, units, companies, refresh }) {
  const [user, setUser] = useState(null);
  const [tokens, setTokens] = useState([]);
  const [editing, setEditing] = useState(false);
  const [otp, setOtp] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const [created] = useState(() => {
    const mine = justCreated && justCreated.id === id ? justCreated.password : null;
    if (mine) justCreated = null;
    return mine;
  });
  const load = () => Promise.all([api(`/api/users/${id}`, { token: ctx.token }), api(`/api/users/${id}/tokens`, { token: ctx.token })])
    .then(([u, t]) => { setUser(u); setTokens(t); }, (e) => setError(e.message));
  useEffect(() => { load(); }, [id]);
  async function act(run, done) {
    setError(null);
    setMessage(null);
    try { const answer = await run(); done(answer); load(); refresh(); } catch (e) { setError(e.message); }
  }
  if (error && !user) return html`<${Notice} kind="error">${error}</${Notice}>`;
  if (!user) return html`<p class="hint">正在读取…</p>`;
  if (editing) {
    return html`<${UserForm} ctx=${ctx} units=${units} companies=${companies} refresh=${refresh}
      user=${{ ...user, onSaved: (u) => { setUser(u); setEditing(false); setMessage('已保存'); }, onCancel: () => setEditing(false) }} />`;
  }
  const open = tokens.filter((t) => !t.revoked_at && new Date(t.expires_at) > new Date());
  const company = companies.find((c) => c.id === user.company_id);
  const scope = user.role === 'admin' ? '全部' : company ? company.name
    : units ? user.unit_ids.map((u) => unitPath(units, u)).join('、') : '';
  return html`<article aria-labelledby="user-h">
    <h2 id="user-h">${user.display_name} ${user.is_active ? null : html`<span class="badge badge-retired">已停用</span>`}</h2>
    ${created ? html`<${Notice} kind="ok">已创建。请将账号 <b>${user.username}</b> 和初始密码 <span class="otp">${created}</span> 当面或通过短信交给本人；首次登录须修改密码。</${Notice}>` : null}
    ${otp ? html`<${Notice} kind="ok">一次性密码（只显示这一次）：<span class="otp" data-testid="otp">${otp}</span><br />该用户的所有登录已注销；用此密码登录后须立即修改。</${Notice}>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <dl class="facts">
      <dt>账号</dt><dd>${user.username}</dd>
      <dt>角色</dt><dd>${ROLE_LABELS[user.role]}</dd>
      <dt>范围</dt><dd>${scope || '—'}</dd>
      <dt>手机号</dt><dd>${user.phone || '—'}</dd>
      <dt>电子邮箱</dt><dd>${user.email || '—'}${user.is_company_head ? ' · 企业负责人' : ''}</dd>
      <dt>企业微信</dt><dd>${user.wecom_id || '—'}</dd>
      <dt>钉钉</dt><dd>${user.dingtalk_id || '—'}</dd>
      <dt>状态</dt><dd>${user.is_active ? (user.must_change_password ? '在用（待首次改密）' : '在用') : '已停用'}</dd>
      <dt>创建于</dt><dd>${when(user.created_at)}</dd>
    </dl>
    <div class="button-row">
      <button type="button" class="button button-secondary" onClick=${() => setEditing(true)}>编辑</button>
      <button type="button" class="button button-secondary" onClick=${() => confirm(`为 ${user.display_name} 生成一次性密码？其所有登录将立即注销。`)
        && act(() => api(`/api/users/${id}/reset-password`, { method: 'POST', token: ctx.token }), (a) => setOtp(a.one_time_password))}>重置密码</button>
      ${user.is_active
        ? html`<button type="button" class="button button-danger" onClick=${() => confirm(`停用 ${user.display_name}？其所有登录立即失效，历史记录保留。`)
          && act(() => api(`/api/users/${id}`, { method: 'PATCH', token: ctx.token, body: { is_active: false } }), () => setMessage('已停用，所有登录已注销'))}>停用</button>`
        : html`<button type="button" class="button button-ok" onClick=${() => act(() => api(`/api/users/${id}`, { method: 'PATCH', token: ctx.token, body: { is_active: true } }), () => setMessage('已启用'))}>启用</button>`}
    </div>
    <section class="admin-section" aria-labelledby="sessions-h">
      <h2 id="sessions-h">登录设备（${open.length} 个在线）</h2>
      ${tokens.length ? html`<table class="table"><thead><tr><th>登录时间</th><th>最近使用</th><th>设备</th><th>状态</th></tr></thead>
        <tbody>${tokens.slice(0, 10).map((t) => html`<tr key=${t.id}><td>${when(t.created_at)}</td><td>${when(t.last_used_at)}</td>
          <td class="detail-json">${(t.client || '').slice(0, 60)}</td><td>${t.revoked_at ? '已注销' : new Date(t.expires_at) > new Date() ? '有效' : '已过期'}</td></tr>`)}</tbody></table>`
        : html`<p class="hint">从未登录</p>`}
      ${open.length ? html`<button type="button" class="button button-secondary" onClick=${() => act(() => api(`/api/users/${id}/revoke-tokens`, { method: 'POST', token: ctx.token }),
        (a) => setMessage(`已注销 ${a.revoked} 个登录`))}>注销全部登录</button>` : null}
    </section>
  </article>`;
}
