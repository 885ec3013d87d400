// 日志: who did what and when, filtered by actor, kind, unit and date, paged, exportable as CSV.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice, Empty } from '../ui.js';
import { api } from '../../api.js';
import { LEVEL_LABELS, ROLE_LABELS } from '../../logic/admin.js';
import { saveFile, useUnits, UnitSelect, when } from './common.js';

const KINDS = [['user', '用户'], ['token', '登录'], ['unit', '单位'], ['company', '企业'], ['compound', '小区'],
  ['organisation', '组织机构导入'], ['period', '考核期间'], ['ticket', '工单'], ['case', '热线案件'],
  ['hotline', '热线导入'], ['inspection', '检查'], ['demonstration', '示范点'], ['settings', '规则设置'],
  ['notify', '通知']];
const PAGE = 50;

// The details an official reads, in their words; ids are left to the CSV export.
const FIELDS = { username: '账号', display_name: '姓名', role: '角色', phone: '手机', wecom_id: '企业微信',
  dingtalk_id: '钉钉', name: '名称', level: '层级', households: '户数', building_area_m2: '建筑面积',
  is_old: '老旧小区', has_party_branch: '党支部', is_active: '在用', credit_grade: '信用等级', address: '地址',
  company_moved_in_on: '进驻日期', period: '期间', unit: '单位', reason: '原因', filename: '文件', lines: '行数',
  created: '新建', updated: '更新', unchanged: '无变化', errors: '错误行', old_due_at: '原到期',
  new_due_at: '新到期', labels: '项目', years: '覆盖年份', entries: '条目数', file: '文件', document: '评分标准',
  schedules: '作息', values: '数值', provisional: '临时', review: '待核对', conflicts: '冲突',
  duplicates: '重复', community_run: '社区领办物业', latitude: '纬度', longitude: '经度', compound: '小区',
  catalog_code: '问题类型', alias: '别名', case_no: '案卷号', columns: '列' };

function describe(detail) {
  const show = (k, v) => (k === 'role' ? ROLE_LABELS[v] || v : k === 'level' ? LEVEL_LABELS[v] || v : v === true || v === 'True' ? '是' : v === false || v === 'False' ? '否' : v);
  return Object.entries(detail || {}).filter(([k, v]) => v !== null && v !== '' && !/_ids?$/.test(k) && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${FIELDS[k] || k}：${Array.isArray(v) ? v.join('、') : v && typeof v === 'object'
      ? Object.values(v).map((x) => x ?? '空').join('、') : show(k, v)}`).join('；');
}

export function AuditRows({ items }) {
  return html`<table class="table admin-table" data-testid="audit-table">
    <thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>详情</th></tr></thead>
    <tbody>${items.map((e) => html`<tr key=${e.id}>
      <td class="nowrap">${when(e.at)}</td><td data-label="操作人">${e.actor_name || '系统'}</td>
      <td data-label="操作">${e.action_label}</td><td data-label="对象">${e.object_label}${e.object_name ? `：${e.object_name}` : ''}</td>
      <td data-label="详情" class="detail-json">${describe(e.detail)}</td></tr>`)}</tbody></table>`;
}

export function AuditView({ ctx }) {
  const [filters, setFilters] = useState({});
  const [draft, setDraft] = useState({});
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState(null);
  const [users, setUsers] = useState([]);
  const [error, setError] = useState(null);
  const [units] = useUnits(ctx.token);
  const query = () => new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  useEffect(() => { api('/api/users', { token: ctx.token }).then(setUsers, () => {}); }, []);
  useEffect(() => {
    let live = true;
    setError(null);
    api(`/api/audit?${query()}&limit=${PAGE}&offset=${offset}`, { token: ctx.token })
      .then((p) => live && setPage(p), (e) => live && setError(e.message));
    return () => { live = false; };
  }, [JSON.stringify(filters), offset]);
  const put = (k) => (v) => setDraft({ ...draft, [k]: v });
  async function exportCsv() {
    try { await saveFile(`/api/audit/export?${query()}`, ctx.token, '操作日志.csv'); } catch (e) { setError(e.message); }
  }
  return html`<main class="screen admin-screen">
    <${TopBar} title="操作日志" />
    <form class="worklist-filters" aria-label="筛选" onSubmit=${(e) => { e.preventDefault(); setOffset(0); setFilters(draft); }}>
      <div class="period-fields">
        <label class="field field-inline">操作人<select value=${draft.actor_id || ''} onChange=${(e) => put('actor_id')(e.target.value)}>
          <option value="">全部</option>${users.map((u) => html`<option value=${u.id}>${u.display_name}（${u.username}）</option>`)}</select></label>
        <label class="field field-inline">类别<select value=${draft.action || ''} onChange=${(e) => put('action')(e.target.value)}>
          <option value="">全部</option>${KINDS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
        ${units ? html`<div class="field-inline"><${UnitSelect} label="单位" units=${units} value=${draft.unit_id} onChange=${put('unit_id')} any="全部" /></div>` : null}
        <label class="field field-inline">起始日期<input type="date" value=${draft.since || ''} onChange=${(e) => put('since')(e.target.value)} /></label>
        <label class="field field-inline">截止日期<input type="date" value=${draft.until || ''} onChange=${(e) => put('until')(e.target.value)} /></label>
      </div>
      <div class="button-row"><button class="button" type="submit">查询</button>
        <button class="button button-secondary" type="button" onClick=${exportCsv}>导出 CSV</button></div>
    </form>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${page ? html`<p class="hint" role="status">共 ${page.total} 条${page.total > PAGE ? `，第 ${offset + 1}–${Math.min(offset + PAGE, page.total)} 条` : ''}</p>
      ${page.items.length ? html`<${AuditRows} items=${page.items} />` : html`<${Empty}>没有符合条件的记录</${Empty}>`}
      <div class="button-row">
        ${offset > 0 ? html`<button type="button" class="button button-secondary" onClick=${() => setOffset(offset - PAGE)}>上一页</button>` : null}
        ${offset + PAGE < page.total ? html`<button type="button" class="button button-secondary" onClick=${() => setOffset(offset + PAGE)}>下一页</button>` : null}
      </div>` : null}
  </main>`;
}
