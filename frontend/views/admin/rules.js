// 规则: the rules in force. The values the seeds leave open (prize amounts, rubric P's points,
// the credit-grade thresholds) set per deployment as a new, audited version of the settings;
// a rubric file uploaded once it holds (else its line and reason); every rubric and the
// catalog as they stand, with the history of versions.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice } from '../ui.js';
import { api } from '../../api.js';
import { when } from './common.js';

function useSettings(token) {
  const [settings, setSettings] = useState(null);
  const [history, setHistory] = useState([]);
  const [error, setError] = useState(null);
  const read = () => Promise.all([api('/api/settings', { token }), api('/api/settings/history', { token })])
    .then(([s, h]) => { setSettings(s); setHistory(h); }, (e) => setError(e.message));
  useEffect(() => { read(); }, []);
  return [settings, history, error, read];
}

export function RulesView({ ctx }) {
  const [settings, history, error, read] = useSettings(ctx.token);
  return html`<main class="screen admin-screen">
    <${TopBar} title="规则设置" />
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${settings ? html`<p class="period-status" data-testid="settings-in-force">
        <span class="badge">${settings.version ? `第 ${settings.version} 版设置` : '未作设置'}</span>
        ${settings.version ? `${settings.actor_name || ''} 于 ${when(settings.at)}：${settings.reason}` : '全部按评分标准文件（rubrics/）的原值计算'}</p>
      <${OpenValues} ctx=${ctx} settings=${settings} onSaved=${read} />
      <${RubricUpload} ctx=${ctx} version=${settings.version} onSaved=${read} />
      <${RulesBrowser} ctx=${ctx} combined=${settings.combined_rules} />
      <section class="admin-section" aria-labelledby="history-h"><h2 id="history-h">设置版本</h2>
        ${history.length ? html`<table class="table admin-table"><thead><tr><th>版本</th><th>时间</th><th>操作人</th><th>原因</th></tr></thead>
          <tbody>${history.map((h) => html`<tr key=${h.version}><td>第 ${h.version} 版</td><td data-label="时间">${when(h.at)}</td>
            <td data-label="操作人">${h.actor_name || '—'}</td><td data-label="原因">${h.reason}</td></tr>`)}</tbody></table>`
          : html`<p class="hint">尚无设置版本</p>`}</section>` : html`<p class="hint">正在读取…</p>`}
  </main>`;
}

// A value the seed leaves open waits for the district; one it states (the subsidy's) is used as written.
const pending = (v) => !v.configured && !v.local;
const badge = (v) => v.configured ? html` <span class="badge">已设置</span>`
  : v.local ? html` <span class="badge">按标准原值</span>`
    : html` <span class="badge badge-warn">${v.value == null ? '待配置' : '待确认'}</span>`;

function OpenValues({ ctx, settings, onSaved }) {
  const [draft, setDraft] = useState({});
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const changed = Object.keys(draft).filter((k) => {
    const v = settings.values.find((x) => x.key === k);
    return v && (draft[k].trim() || null) !== v.value;
  });
  async function save(event) {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      const body = { reason, base_version: settings.version,
        values: Object.fromEntries(changed.map((k) => [k, draft[k].trim() || null])) };
      const answer = await api('/api/settings/values', { method: 'PUT', token: ctx.token, body });
      await onSaved(); // the confirmation appears with the new version on screen, never before it
      setDraft({});
      setReason('');
      setMessage(`已保存为第 ${answer.version} 版设置；此后计算的评分按新值，已发布的期间不变`);
    } catch (e) { setError(e.message); }
  }
  const byDoc = {};
  for (const v of settings.values) (byDoc[v.document_name] = byDoc[v.document_name] || []).push(v);
  return html`<form class="admin-section" onSubmit=${save} aria-labelledby="open-h">
    <h2 id="open-h">需要配置的值（${settings.values.filter(pending).length} 项待配置或待确认）</h2>
    <p class="hint">评分标准原文留空或存疑的数值，以及原文已定、由本地区财政确定的补贴标准和期限，由本地区确定。修改后生成新的设置版本并记入日志；每个评分都注明所依据的版本。清空一项即恢复标准文件原值。</p>
    ${Object.entries(byDoc).map(([doc, values]) => html`<h3 class="section-title">${doc}</h3>
      <table class="table admin-table" data-testid="open-values"><thead><tr><th>项目</th><th>标准文件原值</th><th>当前值</th><th>说明</th></tr></thead>
      <tbody>${values.map((v) => html`<tr key=${v.key}>
        <td>${v.label}${badge(v)}</td>
        <td data-label="标准文件原值">${v.seed_value ?? '空'}</td>
        <td data-label="当前值"><input class="value-input" inputmode="decimal" aria-label=${`${v.label} 的值`}
          value=${draft[v.key] ?? v.value ?? ''} onInput=${(e) => setDraft({ ...draft, [v.key]: e.target.value })} /></td>
        <td data-label="说明" class="detail-json">${v.reason}<br />${v.file.split('/').pop()} 第 ${v.line} 行</td></tr>`)}</tbody></table>`)}
    <label class="field">修改原因（记入日志）<input required minlength="2" maxlength="500" value=${reason}
      placeholder="例如：区财政确认二等奖每名3000元" onInput=${(e) => setReason(e.target.value)} /></label>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    <button class="button" type="submit" disabled=${!changed.length}>保存修改（${changed.length} 项）</button>
  </form>`;
}

function RubricUpload({ ctx, version, onSaved }) {
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  async function send() {
    setBusy(true);
    const form = new FormData();
    form.append('file', file);
    try {
      const answer = await api(`/api/settings/rubrics?base_version=${version}`, { method: 'POST', token: ctx.token, form });
      await onSaved();
      setResult({ kind: 'ok', text: `已上传：评分标准 ${answer.document} 自第 ${answer.version} 版设置起生效` });
    } catch (e) {
      setResult({ kind: 'error', text: e.message, errors: e.detail && e.detail.errors });
    }
    setBusy(false);
  }
  return html`<section class="admin-section" aria-labelledby="upload-h">
    <h2 id="upload-h">上传评分标准文件</h2>
    <p class="hint">YAML 格式，写法见 rubrics/README.md。文件先经检查：有错误时指出行号和原因，不会生效；同名文件替换原标准。</p>
    <label class="import-drop"><span class="button button-secondary">选择文件</span>
      <span class="import-file">${file ? file.name : '尚未选择文件（.yaml）'}</span>
      <input class="visually-hidden" type="file" accept=".yaml,.yml" data-testid="rubric-file"
        onChange=${(e) => { setFile(e.target.files[0] || null); setResult(null); }} /></label>
    <div class="button-row"><button type="button" class="button" disabled=${!file || busy} onClick=${send}>检查并上传</button></div>
    ${result ? html`<${Notice} kind=${result.kind}>${result.text}</${Notice}>` : null}
    ${result && result.errors && result.errors.length > 1 ? html`<ul class="hint">${result.errors.map((e) => html`<li>${e}</li>`)}</ul>` : null}
  </section>`;
}

function RulesBrowser({ ctx, combined }) {
  const rubrics = (ctx.data.rubrics && ctx.data.rubrics.rubrics) || [];
  const types = (ctx.data.catalog && ctx.data.catalog.types) || [];
  return html`<section class="admin-section" aria-labelledby="browse-h">
    <h2 id="browse-h">现行评分标准</h2>
    ${rubrics.map((r) => html`<details class="history" key=${r.id}><summary>${r.name}（${r.id}）</summary>
      <p class="hint">${r.source}${r.subject ? ` · ${r.subject}` : ''}${r.total ? ` · 合计 ${r.total} 分` : ''}</p>
      ${r.items ? html`<table class="table"><thead><tr><th>序号</th><th>考核内容</th><th>分值</th><th>评分办法</th></tr></thead>
        <tbody>${r.items.map((i) => html`<tr key=${i.id}><td>${i.id}</td><td>${i.title}</td><td class="num">${i.points && typeof i.points === 'object' ? (i.points.value ?? '待配置') : i.points}</td>
          <td class="detail-json">${i.scoring_text}</td></tr>`)}</tbody></table>` : null}</details>`)}
    ${combined.map((r) => html`<details class="history" key=${r.id}><summary>${r.name}</summary>
      <p class="hint">${r.source}</p><ul>${r.lines.map((line, i) => html`<li key=${i}>${line}</li>`)}</ul></details>`)}
    <details class="history"><summary>问题目录（${types.length} 类，处置时限）</summary>
      <table class="table"><thead><tr><th>编号</th><th>类别</th><th>问题</th><th>时限</th><th>扣分</th></tr></thead>
      <tbody>${types.map((t) => html`<tr key=${t.code}><td>${t.code}</td><td>${t.category}</td><td>${t.name}</td>
        <td>${t.deadline.amount} ${t.deadline.unit}</td><td class="num">${t.deduction}</td></tr>`)}</tbody></table></details>
  </section>`;
}
