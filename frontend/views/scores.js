// Supervisor: the scores of a chosen period for the own unit (a district, street or town):
// streets as assessed with X / S, compounds ranked with their parts, and the period's notice:
// exported (Excel, CSV), published (frozen) after a confirmation that names what is frozen,
// re-opened with a reason. Loaded when first opened (not in the phone's shell).
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty, go, formatTime, addStyles } from './ui.js';
import { api } from '../api.js';
import { KINDS, periodKey, periodError, selectionOf, thisMonth, yearsUpTo } from '../logic/periods.js';
import { worklistParams } from '../logic/worklist.js';
import { useSorted } from './table.js';
import { shownDate as today } from '../logic/worktime.js';

addStyles(new URL('./desk.css', import.meta.url).href);

const num = (v) => (v == null ? '—' : String(Number(v)));
const money = (v) => Number(v).toLocaleString('zh-CN', { minimumFractionDigits: 2 });

function PeriodPicker({ current, onPick }) {
  const [sel, setSel] = useState(current);
  useEffect(() => setSel(current), [periodKey(current)]);
  const put = (changes) => setSel({ ...sel, ...changes });
  const error = periodError(sel);
  const numberSelect = (label, field, options) => html`<label class="field field-inline">${label}
    <select value=${sel[field]} data-testid=${`period-${field}`} onChange=${(e) => put({ [field]: Number(e.target.value) })}>
      ${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>`;
  return html`<form class="period-picker" aria-label="考核期间" onSubmit=${(e) => { e.preventDefault(); if (!error) onPick(periodKey(sel)); }}>
    <div class="segmented" role="radiogroup" aria-label="期间类型">${KINDS.map(([k, label]) => html`
      <button type="button" role="radio" aria-checked=${sel.kind === k} class=${`segmented-item${sel.kind === k ? ' segmented-active' : ''}`}
        onClick=${() => put({ kind: k })}>${label}</button>`)}</div>
    <div class="period-fields">
      ${sel.kind === 'range' ? html`
        <label class="field field-inline">开始<input type="date" value=${sel.start} onChange=${(e) => put({ start: e.target.value })} /></label>
        <label class="field field-inline">结束<input type="date" value=${sel.end} onChange=${(e) => put({ end: e.target.value })} /></label>`
      : html`
        ${numberSelect('年份', 'year', yearsUpTo(Number(today().slice(0, 4))).map((y) => [y, `${y}年`]))}
        ${sel.kind === 'month' ? numberSelect('月份', 'month', Array.from({ length: 12 }, (_, i) => [i + 1, `${i + 1}月`])) : null}
        ${sel.kind === 'quarter' ? numberSelect('季度', 'quarter', [1, 2, 3, 4].map((q) => [q, `第${q}季度`])) : null}
        ${sel.kind === 'half' ? numberSelect('半年', 'half', [[1, '上半年'], [2, '下半年']]) : null}`}
      <button class="button" type="submit" disabled=${!!error}>查看</button>
    </div>
    ${error ? html`<p class="hint line-error" role="alert">${error}</p>` : null}
  </form>`;
}

async function download(path, token, setMessage) {
  setMessage({ kind: 'info', text: '正在导出…' });
  try {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error((body && body.error && body.error.message) || `导出失败（${res.status}）`);
    }
    const name = decodeURIComponent((/filename\*=UTF-8''([^;]+)/.exec(res.headers.get('Content-Disposition') || '') || [])[1] || 'notice');
    const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(await res.blob()), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setMessage({ kind: 'ok', text: `已导出：${name}` });
  } catch (err) {
    setMessage({ kind: 'error', text: err.message === 'Failed to fetch' ? '离线：导出需联网' : err.message });
  }
}

function Publication({ ctx, data, periodKeyText, onChanged }) {
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState(null);
  const label = `${data.scope.name}${data.period.label}`;
  const ranked = data.items.filter((r) => r.score != null).length;
  const streets = data.street_assessments.reduce((n, a) => n + a.rows.length, 0);
  async function publish() {
    const what = [ranked ? `${ranked} 个小区的排名` : null, streets ? `${streets} 个街道的考核结果` : null].filter(Boolean).join('、') || '本期评分';
    if (!confirm(`发布${label}的评分？\n发布后冻结：${what}。\n此后修改问题记录、检查结果不会改变已发布的分数；如需更正，须填写理由重新开放。`)) return;
    try {
      await api(`/api/reports/${encodeURIComponent(periodKeyText)}/freeze`, { method: 'POST', token: ctx.token });
      setMessage({ kind: 'ok', text: `已发布${label}的评分` });
      onChanged();
    } catch (err) { setMessage({ kind: 'error', text: err.message }); }
  }
  async function reopen(e) {
    e.preventDefault();
    if (!reason.trim()) { setMessage({ kind: 'error', text: '请填写重新开放的理由' }); return; }
    try {
      await api(`/api/reports/${encodeURIComponent(periodKeyText)}/reopen`, { method: 'POST', token: ctx.token, body: { reason: reason.trim() } });
      setReopening(false); setReason('');
      setMessage({ kind: 'ok', text: `已重新开放${label}，理由已记录` });
      onChanged();
    } catch (err) { setMessage({ kind: 'error', text: err.message }); }
  }
  const notice = (fmt) => download(`/api/reports/${encodeURIComponent(periodKeyText)}/notice.${fmt}`, ctx.token, setMessage);
  return html`<section class="publication" aria-label="通报与发布">
    <div class="button-row">
      <button type="button" class="button button-secondary" onClick=${() => notice('xlsx')}>导出通报（Excel）</button>
      <button type="button" class="button button-secondary" onClick=${() => notice('csv')}>导出 CSV</button>
      ${data.frozen ? html`<button type="button" class="button button-secondary" onClick=${() => setReopening(!reopening)}>重新开放</button>`
        : html`<button type="button" class="button" onClick=${publish}>发布</button>`}
    </div>
    ${reopening ? html`<form class="reopen-form" onSubmit=${reopen}>
      <label class="field">重新开放的理由（必填，记入审计日志）
        <textarea rows="2" value=${reason} onInput=${(e) => setReason(e.target.value)} placeholder="例如：八一路街道申请复核5.2项"></textarea></label>
      <div class="button-row"><button class="button" type="submit">确认重新开放</button>
        <button type="button" class="button button-secondary" onClick=${() => setReopening(false)}>取消</button></div>
    </form>` : null}
    ${message ? html`<${Notice} kind=${message.kind}>${message.text}</${Notice}>` : null}
    ${data.publications.length ? html`<details class="history" open=${!data.frozen}><summary>发布记录（${data.publications.length}）</summary>
      <ul class="list">${data.publications.map((p) => html`<li class="list-item" key=${p.id} data-testid="publication">
        <span class="list-item-title">${formatTime(p.frozen_at)} 发布${p.frozen_by ? `（${p.frozen_by}）` : ''}</span>
        ${p.reopened_at ? html`<span class="list-item-meta">${formatTime(p.reopened_at)} 重新开放${p.reopened_by ? `（${p.reopened_by}）` : ''}：${p.reopen_reason}</span>`
          : html`<span class="list-item-meta">现行发布</span>`}</li>`)}</ul></details>` : null}
  </section>`;
}

function StreetTable({ assessment }) {
  return html`<section aria-label=${assessment.rubric_name}>
    <h2 class="section-title">街道考核 · ${assessment.rubric_name}</h2>
    <table class="table" data-testid=${`streets-${assessment.rubric_id}`}>
      <thead><tr><th>街道</th><th class="num">得分</th><th class="num">名次</th><th>明细</th></tr></thead>
      <tbody>${assessment.rows.map((r) => html`<tr key=${r.unit_id} data-testid="street-row">
        <td>${r.name}</td><td class="num"><b>${num(r.total)}</b></td><td class="num">${r.rank}</td>
        <td><a href=${`#/inspect/view/${r.inspection_id}`}>逐项扣分</a></td></tr>`)}</tbody>
    </table></section>`;
}

// Seed 004 10.3.1: a company's score is 70% the mean of its projects' and 30% the housing
// department's direct score, entered here by the supervisor (audited on the server).
function Companies({ ctx, rows, periodKeyText, onChanged }) {
  const [editing, setEditing] = useState(null);
  const [value, setValue] = useState('');
  const [message, setMessage] = useState(null);
  const canEdit = ctx.user.role === 'supervisor';
  const [sorted, head] = useSorted(rows);
  async function save(e, company) {
    e.preventDefault();
    const score = Number(value);
    if (value === '' || Number.isNaN(score) || score < 0 || score > 100) { setMessage({ kind: 'error', text: '直接考核成绩应为 0–100 的数字' }); return; }
    try {
      await api('/api/company-direct-scores', { method: 'PUT', token: ctx.token, body: { company_id: company.id, period: periodKeyText, score: value } });
      setEditing(null);
      setMessage({ kind: 'ok', text: `已保存${company.name}的直接考核成绩 ${score} 分` });
      onChanged();
    } catch (err) { setMessage({ kind: 'error', text: err.status === 0 ? '离线：需联网保存' : err.message }); }
  }
  return html`<section aria-label="物业公司">
    <h2 class="section-title">物业公司（项目平均 70% + 住建部门直接考核 30%）</h2>
    ${message ? html`<${Notice} kind=${message.kind}>${message.text}</${Notice}>` : null}
    <table class="table" data-testid="companies">
      <thead><tr>${head('name', '物业公司')}${head('projects', '项目数', 'num')}${head('project_average', '项目平均', 'num')}${head('direct', '直接考核', 'num')}${head('total', '综合', 'num')}${head('rank', '名次', 'num')}<th>信用等级</th><th>红黑榜</th></tr></thead>
      <tbody>${sorted.map((c) => html`<tr key=${c.id} data-testid="company-row">
        <td>${c.name}${c.warnings && c.warnings.length ? html`<br /><small class="line-error">${c.warnings.join('；')}</small>` : null}</td>
        <td class="num">${c.projects}</td><td class="num">${num(c.project_average)}</td>
        <td class="num">${editing === c.id ? html`<form class="inline-form" onSubmit=${(e) => save(e, c)}>
            <input type="number" inputmode="decimal" min="0" max="100" step="0.1" value=${value} aria-label=${`${c.name}直接考核成绩`}
              onInput=${(e) => setValue(e.target.value)} /><button class="button button-small" type="submit">保存</button></form>`
          : html`${num(c.direct)}${canEdit ? html` <button type="button" class="button button-small button-secondary"
              onClick=${() => { setEditing(c.id); setValue(c.direct == null ? '' : String(Number(c.direct))); setMessage(null); }}>${c.direct == null ? '录入' : '修改'}</button>` : null}`}</td>
        <td class="num"><b>${num(c.total)}</b></td><td class="num">${c.rank || '—'}</td>
        <td>${c.credit_grade === 'C' ? html`C <small>（严重失信，重点关注）</small>` : c.credit_grade || '—'}</td>
        <td>${c.honour_list ? html`<span class=${`badge ${c.honour_list === '红榜' ? 'badge-red-list' : 'badge-black-list'}`}>${c.honour_list}</span>` : '—'}</td></tr>`)}</tbody>
    </table>
    <p class="hint">${'信用等级按企业综合分划为 AAA、AA、A、B、C（DB3709/T 024—2023《红色物业红色网格一体运行工作规范》10.1.2），C 级列为重点关注对象（10.1.5）；'
      + '考核评价好的企业列入红榜、差的列入黑榜（10.3.3）。各分数线由管理员在“规则设置”中配置，未配置时不评定。'}</p>
  </section>`;
}

const rubricName = (ctx, id) => {
  const r = ((ctx.data.rubrics && ctx.data.rubrics.rubrics) || []).find((x) => x.id === id);
  return r ? `《${r.name}》` : `细则${id}`;
};

function CompoundRow({ ctx, r, period }) {
  const parts = r.parts && (r.parts.L != null || r.parts.P != null)
    ? `长效管理 ${num(r.parts.L)} · 物业管理 ${num(r.parts.P)}${r.bonus && Number(r.bonus) ? ` · 加分 ${num(r.bonus)}` : ''}` : '';
  const old = r.old_compound && r.old_compound.total != null ? `老旧小区考核 ${num(r.old_compound.total)} 分${r.old_compound.grade ? ` · ${r.old_compound.grade}` : ''}${
    r.old_compound.subsidy && r.old_compound.subsidy.amount != null ? ` · 补贴 ${money(r.old_compound.subsidy.amount)} 元` : ''}` : '';
  return html`<li class="list-item" data-testid="score-row">
    <span class="list-item-title">${r.rank ? `${r.rank}. ` : ''}${r.name}</span>
    ${parts ? html`<span class="list-item-meta">${parts}</span>` : null}
    ${r.finding_counts && (r.finding_counts.on_time || r.finding_counts.overdue) ? html`<span class="list-item-meta">
      <a data-testid="findings-link" href=${`#/worklist?${worklistParams({ compound_id: r.compound_id, state: 'all', dispatched_from: period.start, dispatched_to: period.end })}`}>
        问题 ${r.finding_counts.on_time + r.finding_counts.overdue} 条${r.finding_counts.overdue ? `（超期 ${r.finding_counts.overdue} 条，双倍扣分）` : ''}</a></span>` : null}
    ${Object.keys(r.inspections || {}).length ? html`<span class="list-item-meta">${Object.entries(r.inspections).map(([rid, iid]) => html`
      <a key=${rid} href=${`#/inspect/view/${iid}`} data-testid="inspection-link">${rubricName(ctx, rid)}检查详情</a> `)}</span>` : null}
    <span class="list-item-meta">${r.prize || ''}${r.prize && r.prize_amount != null ? ` · 奖金 ${money(r.prize_amount)} 元` : ''}${r.score == null && !old ? '本期无物业管理考核，不参加排名' : ''}${old}</span>
    <span class="list-item-aside">${r.score != null ? Number(r.score).toFixed(2) : old ? num(r.old_compound.total) : '—'}</span></li>`;
}

export function ScoresView({ ctx }) {
  const fallback = thisMonth(today());
  const asked = ctx.route.query.get('period');
  const sel = (asked && selectionOf(asked, fallback)) || fallback;
  const key = periodKey(sel);
  const [state, setState] = useState({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    // a new period blanks the screen; a change to this one (published, a score entered) keeps
    // it, and the messages in it, while the numbers are read again
    let live = true; // an older period's answer never lands on a newer one
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    api(`/api/scores?period=${encodeURIComponent(key)}`, { token: ctx.token })
      .then((data) => live && setState({ key, data }), (err) => live && setState({ key, error: err }));
    return () => { live = false; };
  }, [key, version]);
  let body;
  if (state.loading && !state.data) body = html`<p class="hint">正在读取…</p>`;
  else if (state.error) body = html`<${Notice} kind="error">${state.error.status === 0 ? '离线：评分需联网查看' : state.error.message}</${Notice}>`;
  else {
    const data = state.data;
    const rows = data.items || [];
    body = html`
      <p class="period-status" data-testid="period-status">${data.period.label} · ${data.scope.name}
        ${data.frozen ? html`<span class="badge badge-frozen">已发布 · 冻结于 ${formatTime(data.frozen_at)}</span>` : html`<span class="badge">未发布</span>`}
        <span class="badge" data-testid="settings-version" title="计算这些分数所依据的系统设置版本">${data.settings_version ? `规则第 ${data.settings_version} 版` : '规则：标准文件原值'}</span></p>
      ${ctx.user.role === 'supervisor' ? html`<${Publication} ctx=${ctx} data=${data} periodKeyText=${key} onChanged=${() => setVersion(version + 1)} />` : null}
      ${data.street_assessments.map((a) => html`<${StreetTable} key=${a.rubric_id} assessment=${a} />`)}
      ${rows.length ? html`<h2 class="section-title">小区排名</h2><ol class="list ranking">${rows.map((r, i) => html`<${CompoundRow} key=${i} ctx=${ctx} r=${r} period=${data.period} />`)}</ol>`
        : data.street_assessments.length ? null : html`<${Empty}>本期暂无评分</${Empty}>`}
      ${data.companies && data.companies.length ? html`<${Companies} ctx=${ctx} rows=${data.companies} periodKeyText=${key} onChanged=${() => setVersion(version + 1)} />` : null}`;
  }
  return html`<main class="screen screen-wide">
    <${TopBar} title="评分与排名" />
    <${PeriodPicker} current=${sel} onPick=${(k) => go(`#/scores?period=${encodeURIComponent(k)}`)} />
    ${body}
  </main>`;
}
