// 修改密码: loaded when needed (a first login with a one-time password, or from 我的), so the
// phone's shell does not carry it.
import { useState } from '../vendor/hooks.js';
import { html, Notice } from './ui.js';
import { api } from '../api.js';

// A new password: forced after a one-time password (nothing else opens until it is changed),
// or chosen from 我的.
export function PasswordView({ token, forced, onDone, onLogout }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    if (next !== again) { setError('两次输入的新密码不一致'); return; }
    setBusy(true);
    setError(null);
    try {
      onDone(await api('/api/auth/password', { method: 'POST', token,
        body: { current_password: current, new_password: next } }));
    } catch (err) {
      setError(err.status === 0 ? '无法连接服务器，修改密码需要联网' : err.message);
      setBusy(false);
    }
  }

  return html`<main class="screen">
    <header class="top-bar">${forced ? null : html`<a class="top-bar-back" href="#/me" aria-label="返回">‹</a>`}
      <h1 class="top-bar-title" tabindex="-1">修改密码</h1></header>
    ${forced ? html`<${Notice} kind="warn">您正在使用管理员设置的临时密码，请先设置自己的密码</${Notice}>` : null}
    <form class="form" onSubmit=${submit}>
      <label class="field">${forced ? '临时密码' : '当前密码'}
        <input type="password" autocomplete="current-password" required value=${current} onInput=${(e) => setCurrent(e.target.value)} /></label>
      <label class="field">新密码（至少 8 位）
        <input type="password" autocomplete="new-password" required minlength="8" value=${next} onInput=${(e) => setNext(e.target.value)} /></label>
      <label class="field">再次输入新密码
        <input type="password" autocomplete="new-password" required minlength="8" value=${again} onInput=${(e) => setAgain(e.target.value)} /></label>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <button class="button button-block" type="submit" disabled=${busy}>${busy ? '正在保存…' : '保存新密码'}</button>
    </form>
    ${forced ? html`<p class="hint">临时密码不对或已被重置？请联系系统管理员，或
      <button type="button" class="button button-small button-secondary" onClick=${onLogout}>退出登录</button></p>` : null}
  </main>`;
}
