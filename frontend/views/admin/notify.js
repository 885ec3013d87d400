// 通知: the channels that tell people when a ticket needs them (WeCom and DingTalk group robots,
// e-mail), each with its last delivery and failure and a test message; the messages waiting
// and failed, each of which can be sent again; and the rules of the 催办 → 督办 ladder.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice } from '../ui.js';
import { api } from '../../api.js';
import { useUnits, UnitSelect, when } from './common.js';

const KINDS = [['wecom', '企业微信群机器人'], ['dingtalk', '钉钉群机器人'], ['email', '电子邮件（SMTP）']];
// Each kind's settings: [field, label, input type, hint]
const FIELDS = {
  wecom: [['webhook', 'Webhook 地址', 'url', '群机器人的“Webhook地址”，含 key=…']],
  dingtalk: [['webhook', 'Webhook 地址', 'url', '含 access_token=…'], ['secret', '加签密钥', 'password', '安全设置选“加签”时的 SEC… 密钥']],
  email: [['host', '邮件服务器', 'text', '如 smtp.example.gov.cn'], ['port', '端口', 'number', 'STARTTLS 多为 587，SSL 为 465'],
    ['security', '加密方式', 'security', ''], ['username', '用户名', 'text', ''], ['password', '密码', 'password', ''],
    ['sender', '发件地址', 'email', '']],
};
const STATUS = { pending: '等待发送', sending: '发送中', sent: '已发送', merged: '已合并发送', failed: '发送失败' };

export function NotifyView({ ctx }) {
  const [channels, setChannels] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const refresh = () => setVersion((v) => v + 1);
  useEffect(() => {
    api('/api/notify/channels', { token: ctx.token }).then(setChannels, (e) => setError(e.message));
  }, [version]);
  return html`<main class="screen admin-screen">
    <${TopBar} title="通知设置" />
    <p class="hint">新工单、整改退回、即将到期、催办和督办按下列渠道发给相关人员；人员的手机号和邮箱在“用户”中填写。每个人在应用的“消息”中也能看到。</p>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${channels ? html`<${Channels} ctx=${ctx} channels=${channels} refresh=${refresh} />` : html`<p class="hint">正在读取…</p>`}
    <${NewChannel} ctx=${ctx} onSaved=${refresh} />
    <${Deliveries} ctx=${ctx} version=${version} refresh=${refresh} />
    <${Rules} ctx=${ctx} />
  </main>`;
}

function Channels({ ctx, channels, refresh }) {
  const [result, setResult] = useState({});
  async function test(c) {
    setResult({ ...result, [c.id]: { kind: 'info', text: '正在发送…' } });
    try {
      const r = await api(`/api/notify/channels/${c.id}/test`, { method: 'POST', token: ctx.token });
      setResult({ ...result, [c.id]: r.ok ? { kind: 'ok', text: '测试消息已发出，请到群里或邮箱查看' } : { kind: 'error', text: `发送失败：${r.error}` } });
    } catch (e) { setResult({ ...result, [c.id]: { kind: 'error', text: e.message } }); }
    refresh();
  }
  async function toggle(c) {
    await api(`/api/notify/channels/${c.id}`, { method: 'PATCH', token: ctx.token, body: { is_active: !c.is_active } });
    refresh();
  }
  if (!channels.length) return html`<section class="admin-section"><h2>通知渠道</h2><p class="hint">还没有通知渠道：消息只出现在各人应用的“消息”中。</p></section>`;
  return html`<section class="admin-section" aria-labelledby="channels-h"><h2 id="channels-h">通知渠道</h2>
    <table class="table admin-table"><thead><tr><th>名称</th><th>类型</th><th>所属</th><th>最近发送</th><th>最近失败</th><th>待发 / 失败</th><th>操作</th></tr></thead>
    <tbody>${channels.map((c) => html`<tr key=${c.id} data-testid="channel-row">
      <td>${c.name}${c.is_active ? null : html` <span class="badge badge-retired">已停用</span>`}</td>
      <td data-label="类型">${c.kind_label}</td><td data-label="所属">${c.owner_name || '—'}</td>
      <td data-label="最近发送">${when(c.last_sent_at)}</td>
      <td data-label="最近失败">${c.last_failed_at ? html`${when(c.last_failed_at)}<br /><span class="hint">${c.last_error}</span>` : '—'}</td>
      <td data-label="待发 / 失败" class="num">${c.waiting} / ${c.failed}</td>
      <td data-label="操作"><div class="button-row">
        <button type="button" class="button button-secondary" onClick=${() => test(c)}>发送测试消息</button>
        <button type="button" class="button button-secondary" onClick=${() => toggle(c)}>${c.is_active ? '停用' : '启用'}</button></div>
        ${result[c.id] ? html`<${Notice} kind=${result[c.id].kind}>${result[c.id].text}</${Notice}>` : null}</td></tr>`)}</tbody></table>
    <p class="hint">密钥只显示首尾几位；修改时留空即保留原密钥。</p></section>`;
}

function NewChannel({ ctx, onSaved }) {
  const [units] = useUnits(ctx.token);
  const [companies, setCompanies] = useState([]);
  const [form, setForm] = useState({ kind: 'wecom', name: '', owner: 'unit', unit_id: null, company_id: '', config: { security: 'starttls', port: '587' } });
  const [error, setError] = useState(null);
  const [message, setMessage] = useState(null);
  useEffect(() => { api('/api/companies', { token: ctx.token }).then(setCompanies, () => {}); }, []);
  const set = (changes) => setForm({ ...form, ...changes });
  const setConfig = (name, value) => set({ config: { ...form.config, [name]: value } });
  async function save(event) {
    event.preventDefault();
    setError(null);
    setMessage(null);
    const config = Object.fromEntries(FIELDS[form.kind].map(([f]) => [f, form.config[f] ?? '']).filter(([, v]) => v !== ''));
    const body = { kind: form.kind, name: form.name, config,
      unit_id: form.owner === 'unit' ? form.unit_id : null, company_id: form.owner === 'company' ? form.company_id || null : null };
    try {
      await api('/api/notify/channels', { method: 'POST', token: ctx.token, body });
      setMessage(`已添加“${form.name}”：可点“发送测试消息”检查是否接通`);
      setForm({ ...form, name: '', config: { security: 'starttls', port: '587' } });
      onSaved();
    } catch (e) { setError(e.message); }
  }
  return html`<form class="admin-section" onSubmit=${save} aria-labelledby="new-channel-h">
    <h2 id="new-channel-h">添加通知渠道</h2>
    <div class="admin-form">
      <label class="field">类型<select value=${form.kind} onChange=${(e) => set({ kind: e.target.value })}>
        ${KINDS.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
      <label class="field">名称<input required maxlength="100" value=${form.name} placeholder="例如：东街道城管工作群" onInput=${(e) => set({ name: e.target.value })} /></label>
      <label class="field">属于<select value=${form.owner} onChange=${(e) => set({ owner: e.target.value })}>
        <option value="unit">一个单位（街道、社区等：其人员收到）</option><option value="company">一家物业公司（其项目经理收到）</option></select></label>
      ${form.owner === 'unit'
        ? (units ? html`<${UnitSelect} label="单位" units=${units} value=${form.unit_id} onChange=${(v) => set({ unit_id: v })} required />` : null)
        : html`<label class="field">物业企业<select required value=${form.company_id} onChange=${(e) => set({ company_id: e.target.value })}>
            <option value="">请选择</option>${companies.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>`}
      ${FIELDS[form.kind].map(([f, label, type, hint]) => (type === 'security'
        ? html`<label class="field">${label}<select value=${form.config.security} onChange=${(e) => setConfig(f, e.target.value)}>
            <option value="starttls">STARTTLS</option><option value="ssl">SSL/TLS</option><option value="none">不加密（仅内网）</option></select></label>`
        : html`<label class="field">${label}<input type=${type} value=${form.config[f] ?? ''} placeholder=${hint}
            required=${['webhook', 'host', 'port', 'sender'].includes(f)} onInput=${(e) => setConfig(f, e.target.value)} /></label>`))}
    </div>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    <button class="button" type="submit">添加</button>
  </form>`;
}

function Deliveries({ ctx, version, refresh }) {
  const [status, setStatus] = useState('waiting');
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api(`/api/notify/deliveries?status=${status}&limit=50`, { token: ctx.token }).then(setPage, (e) => setError(e.message));
  }, [status, version]);
  async function retry(d) {
    try { await api(`/api/notify/deliveries/${d.id}/retry`, { method: 'POST', token: ctx.token }); refresh(); } catch (e) { setError(e.message); }
  }
  return html`<section class="admin-section" aria-labelledby="deliveries-h"><h2 id="deliveries-h">消息发送情况</h2>
    <div class="button-row" role="group" aria-label="按状态">${[['waiting', '等待发送'], ['failed', '发送失败'], ['sent', '已发送']].map(([k, l]) => html`
      <button type="button" class=${`button ${status === k ? '' : 'button-secondary'}`} aria-pressed=${status === k} onClick=${() => setStatus(k)}>${l}</button>`)}</div>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${page && page.items.length ? html`<table class="table admin-table"><thead><tr><th>消息</th><th>渠道</th><th>状态</th><th>尝试</th><th>时间</th><th></th></tr></thead>
      <tbody>${page.items.map((d) => html`<tr key=${d.id}>
        <td><span class="badge">${d.rule_label}</span> ${d.title}</td><td data-label="渠道">${d.channel_name}${d.email ? ` · ${d.email}` : ''}</td>
        <td data-label="状态">${STATUS[d.status] || d.status}${d.last_error ? html`<br /><span class="hint">${d.last_error}</span>` : null}</td>
        <td data-label="尝试" class="num">${d.attempts}</td>
        <td data-label="时间">${when(d.sent_at || d.next_attempt_at)}</td>
        <td>${d.status === 'failed' || d.status === 'pending' ? html`<button type="button" class="button button-secondary" onClick=${() => retry(d)}>重发</button>` : null}</td></tr>`)}</tbody></table>
      ${page.total > page.items.length ? html`<p class="hint">共 ${page.total} 条，显示最近 ${page.items.length} 条</p>` : null}`
    : html`<p class="hint">没有${status === 'waiting' ? '等待发送' : status === 'failed' ? '发送失败' : '已发送'}的消息</p>`}
  </section>`;
}

function Rules({ ctx }) {
  const [state, setState] = useState(null);
  const [form, setForm] = useState(null);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const read = () => api('/api/notify/rules', { token: ctx.token }).then((s) => { setState(s); setForm({ ...s.rules }); });
  useEffect(() => { read().catch((e) => setError(e.message)); }, []);
  if (!form) return null;
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  async function save(event) {
    event.preventDefault();
    setError(null);
    try {
      const body = { ...form, due_soon_share: Number(form.due_soon_share), reason, base_version: state.version };
      const answer = await api('/api/notify/rules', { method: 'PUT', token: ctx.token, body });
      await read();
      setReason('');
      setMessage(`已保存为第 ${answer.version} 版设置`);
    } catch (e) { setError(e.message); }
  }
  return html`<form class="admin-section" onSubmit=${save} aria-labelledby="notify-rules-h">
    <h2 id="notify-rules-h">提醒与督办规则</h2>
    <p class="hint">时间按工作时、工作日计算（节假日、调休与作息时间见“日历”）。${state.configured ? '' : '当前为默认规则。'}</p>
    <div class="admin-form">
      <label class="field">剩余时限比例提醒（如 0.25 即剩四分之一时）<input inputmode="decimal" value=${form.due_soon_share} onInput=${set('due_soon_share')} /></label>
      <label class="field">或剩余工作时（取较晚者）<input inputmode="decimal" value=${form.due_soon_hours} onInput=${set('due_soon_hours')} /></label>
      <label class="field">逾期几个工作日黄牌督办<input type="number" min="1" value=${form.yellow_workdays} onInput=${set('yellow_workdays')} /></label>
      <label class="field">逾期几个工作日红牌督办<input type="number" min="1" value=${form.red_workdays} onInput=${set('red_workdays')} /></label>
      <label class="field">每日逾期汇总发送时间<input type="time" value=${form.digest_at} onInput=${set('digest_at')} /></label>
      <label class="field check"><span><input type="checkbox" checked=${form.hold_outside_windows} onChange=${set('hold_outside_windows')} /> 非工作时间的消息等到上班时发送（以小时计时限的紧急问题除外）</span></label>
    </div>
    <label class="field">修改原因（记入日志）<input required minlength="2" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    <button class="button" type="submit">保存规则</button>
  </form>`;
}
