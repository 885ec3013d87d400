import { useState } from '../vendor/hooks.js';
import { html, Notice } from './ui.js';
import { api } from '../api.js';

export function LoginView({ online, onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onLogin(await api('/api/auth/login', { method: 'POST', body: { username, password } }));
    } catch (err) {
      setError(err.status === 0 ? '无法连接服务器，登录需要联网' : err.message);
      setBusy(false);
    }
  }

  return html`<main class="screen login">
    <div class="login-brand">
      <img src="./icons/icon-192.png" width="72" height="72" alt="" />
      <h1 class="top-bar-title" tabindex="-1">巡检</h1>
      <p class="hint">住宅小区巡查、整改与考核</p>
    </div>
    <form class="form" onSubmit=${submit}>
      <label class="field">用户名
        <input name="username" autocomplete="username" required value=${username}
          onInput=${(e) => setUsername(e.target.value)} />
      </label>
      <label class="field">密码
        <input name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(e) => setPassword(e.target.value)} />
      </label>
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      ${!online ? html`<${Notice} kind="warn">当前离线：登录需要联网</${Notice}>` : null}
      <button class="button button-block" type="submit" disabled=${busy}>${busy ? '正在登录…' : '登录'}</button>
    </form>
  </main>`;
}

