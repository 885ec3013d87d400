// 组织: the tree district → street/town → community → grid with the compounds under each;
// add, rename, move and retire (never delete) units, compounds and companies; import a CSV or
// Excel file with a preview and per-line errors (and an error file to fix them in); export the
// same columns. Tree and detail side by side at a desk.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice, Empty, go, download } from '../ui.js';
import { api } from '../../api.js';
import { buildTree, filterTree, parentLevels, errorFile, LEVEL_LABELS } from '../../logic/admin.js';
import { saveFile, useUnits, UnitSelect, unitPath } from './common.js';

const CHILD_LEVELS = { district: ['street', 'town'], street: ['community'], town: ['community'], community: ['grid'], grid: [] };

export function OrgView({ ctx }) {
  const [, , kind, id] = ctx.route.parts;
  const [units, error, reload] = useUnits(ctx.token);
  const [search, setSearch] = useState('');
  const [failed, setFailed] = useState(null);
  const shared = { ctx, units, reload };
  const exportAs = (format, name) => saveFile(`/api/export/organisation?format=${format}`, ctx.token, name)
    .then(() => setFailed(null), (e) => setFailed(`导出失败：${e.message}`));
  let detail = html`<p class="hint pane-hint">在左侧选择单位查看其小区，或导入组织机构表</p>`;
  if (kind === 'import') detail = html`<${ImportPanel} ...${shared} />`;
  else if (kind === 'companies') detail = html`<${Companies} ...${shared} />`;
  else if (kind === 'unit' && units) detail = html`<${UnitDetail} key=${id} id=${id} ...${shared} />`;
  else if (kind === 'compound' && units) detail = html`<${CompoundDetail} key=${id} id=${id} ...${shared} />`;
  else if (kind === 'new-compound' && units) detail = html`<${CompoundForm} ...${shared} communityId=${id} />`;
  return html`<main class="screen admin-screen">
    <${TopBar} title="组织机构" back=${kind ? '#/admin/org' : null} />
    ${error || failed ? html`<${Notice} kind="error">${error || failed}</${Notice}>` : null}
    <div class="admin-two">
      <section aria-label="组织机构树" class=${kind ? 'hide-on-phone' : ''}>
        <div class="admin-toolbar">
          <a class="button button-small" href="#/admin/org/import">导入</a>
          <button type="button" class="button button-small button-secondary" onClick=${() => exportAs('xlsx', '组织机构.xlsx')}>导出 Excel</button>
          <button type="button" class="button button-small button-secondary" onClick=${() => exportAs('csv', '组织机构.csv')}>导出 CSV</button>
          <a class="button button-small button-secondary" href="#/admin/org/companies">物业企业</a>
        </div>
        <label class="field">查找单位<input type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} placeholder="例如：中心社区" /></label>
        ${units ? html`<${Tree} nodes=${filterTree(buildTree(units), search)} selected=${kind === 'unit' ? id : null} />` : html`<p class="hint">正在读取…</p>`}
        ${units && !units.length ? html`<${Empty}>还没有组织机构：请导入组织机构表</${Empty}>` : null}
        ${units ? html`<${NewUnit} ctx=${ctx} units=${units} reload=${reload} />` : null}
      </section>
      <section aria-label="详情">${detail}</section>
    </div>
  </main>`;
}

function Tree({ nodes, selected }) {
  return html`<ul class="tree" role=${nodes.length ? 'list' : null}>${nodes.map(({ unit, children }) => html`<li key=${unit.id}>
    <div class="tree-row"><a href=${`#/admin/org/unit/${unit.id}`} aria-current=${unit.id === selected ? 'true' : null}>
      <span class="tree-level">${LEVEL_LABELS[unit.level]}</span>
      <span class=${unit.is_active ? '' : 'retired'}>${unit.name}</span>
      <span class="tree-count" aria-label=${`${unit.compounds} 个小区`}>${unit.compounds}</span></a></div>
    ${children.length ? html`<${Tree} nodes=${children} selected=${selected} />` : null}</li>`)}</ul>`;
}

function NewUnit({ ctx, units, reload, parent }) {
  const levels = parent ? CHILD_LEVELS[parent.level] : ['district'];
  const [name, setName] = useState('');
  const [level, setLevel] = useState(levels[0]);
  const [error, setError] = useState(null);
  if (!levels.length) return null;
  async function submit(event) {
    event.preventDefault();
    setError(null);
    try {
      const unit = await api('/api/units', { method: 'POST', token: ctx.token, body: { name: name.trim(), level, parent_id: parent ? parent.id : null } });
      setName('');
      reload();
      go(`#/admin/org/unit/${unit.id}`);
    } catch (e) { setError(e.message); }
  }
  return html`<form class="admin-section" onSubmit=${submit} aria-label="新建单位">
    <h2>${parent ? `在 ${parent.name} 下新建` : '新建区'}</h2>
    <div class="period-fields">
      ${levels.length > 1 ? html`<label class="field field-inline">层级<select value=${level} onChange=${(e) => setLevel(e.target.value)}>
        ${levels.map((l) => html`<option value=${l}>${LEVEL_LABELS[l]}</option>`)}</select></label>` : null}
      <label class="field field-inline">名称（${LEVEL_LABELS[level]}）<input required maxlength="100" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <button class="button" type="submit">新建</button>
    </div>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
  </form>`;
}

function UnitDetail({ ctx, id, units, reload }) {
  const unit = units.find((u) => u.id === id);
  const [compounds, setCompounds] = useState(null);
  const [edit, setEdit] = useState(null);
  const [target, setTarget] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const filter = unit && { street: 'street_id', town: 'street_id', community: 'community_id' }[unit.level];
  useEffect(() => {
    if (!filter) return;
    api(`/api/compounds?${filter}=${id}&include_retired=true&limit=500`, { token: ctx.token })
      .then((p) => setCompounds(p.items), (e) => setError(e.message));
  }, [id]);
  if (!unit) return html`<${Notice} kind="error">单位不存在</${Notice}>`;
  async function save(body, done) {
    setError(null);
    setMessage(null);
    try { await api(`/api/units/${id}`, { method: 'PATCH', token: ctx.token, body }); setEdit(null); setMessage(done); reload(); } catch (e) { setError(e.message); }
  }
  const parents = parentLevels(unit.level);
  return html`<article aria-labelledby="unit-h">
    <h2 id="unit-h">${unit.name} <span class="tree-level">${LEVEL_LABELS[unit.level]}</span>
      ${unit.is_active ? null : html` <span class="badge badge-retired">已停用</span>`}</h2>
    <p class="hint">${unitPath(units, unit.id)} · 在用小区 ${unit.compounds} 个${unit.code ? ` · 编码 ${unit.code}` : ''}</p>
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${edit === 'name' ? html`<form class="admin-form" onSubmit=${(e) => { e.preventDefault(); save({ name: e.target.name.value.trim(), code: e.target.code.value.trim() || null }, '已保存'); }}>
        <label class="field">名称<input name="name" required maxlength="100" value=${unit.name} /></label>
        <label class="field">编码（可选）<input name="code" maxlength="64" value=${unit.code || ''} /></label>
        <div class="button-row wide"><button class="button" type="submit">保存</button><button class="button button-secondary" type="button" onClick=${() => setEdit(null)}>取消</button></div></form>`
      : edit === 'move' ? html`<form class="admin-form" onSubmit=${(e) => { e.preventDefault(); save({ parent_id: target }, '已迁移：其下小区、工单随之归入新的上级'); }}>
        <div class="wide"><${UnitSelect} label="迁移到" name="parent" required units=${units.filter((u) => u.id !== unit.id && u.is_active)} levels=${parents}
          value=${target} onChange=${setTarget} /></div>
        <div class="button-row wide"><button class="button" type="submit">迁移</button><button class="button button-secondary" type="button" onClick=${() => setEdit(null)}>取消</button></div></form>`
      : html`<div class="button-row">
        <button type="button" class="button button-secondary" onClick=${() => setEdit('name')}>改名</button>
        ${parents.length ? html`<button type="button" class="button button-secondary" onClick=${() => setEdit('move')}>迁移</button>` : null}
        ${unit.is_active ? html`<button type="button" class="button button-danger" onClick=${() => confirm(`停用 ${unit.name}？停用后不再出现在手机上，历史记录保留。`) && save({ is_active: false }, '已停用')}>停用</button>`
          : html`<button type="button" class="button button-ok" onClick=${() => save({ is_active: true }, '已启用')}>启用</button>`}
      </div>`}
    ${filter ? html`<section class="admin-section" aria-labelledby="compounds-h">
      <h2 id="compounds-h">小区</h2>
      ${unit.level === 'community' ? html`<a class="button button-small" href=${`#/admin/org/new-compound/${unit.id}`}>新建小区</a>` : null}
      ${compounds ? (compounds.length ? html`<ul class="list">${compounds.map((c) => html`<li key=${c.id}><a class="list-item" href=${`#/admin/org/compound/${c.id}`}>
          <p class=${`list-item-title${c.is_active ? '' : ' retired'}`}>${c.name}</p>
          <p class="list-item-meta">${c.community_name} · ${c.company_name || '无物业'}${c.is_old ? ' · 老旧小区' : ''}${c.has_party_branch ? ' · 党支部' : ''}</p>
          <span class="list-item-aside">${c.is_active ? '›' : '已停用'}</span></a></li>`)}</ul>` : html`<${Empty}>暂无小区</${Empty}>`) : html`<p class="hint">正在读取…</p>`}
    </section>` : null}
    <${NewUnit} ctx=${ctx} units=${units} reload=${reload} parent=${unit} />
  </article>`;
}

const YES_NO = (v) => (v ? '是' : '否');

function CompoundDetail({ ctx, id, units, reload }) {
  const [compound, setCompound] = useState(null);
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api(`/api/compounds/${id}`, { token: ctx.token }).then(setCompound, (e) => setError(e.message));
  useEffect(() => { load(); }, [id]);
  async function save(body, done) {
    setError(null);
    try { setCompound(await api(`/api/compounds/${id}`, { method: 'PATCH', token: ctx.token, body })); setMessage(done); setEditing(false); reload(); } catch (e) { setError(e.message); }
  }
  if (!compound) return error ? html`<${Notice} kind="error">${error}</${Notice}>` : html`<p class="hint">正在读取…</p>`;
  if (editing) return html`<${CompoundForm} ctx=${ctx} units=${units} reload=${reload} compound=${compound}
    onSaved=${(c) => { setCompound(c); setEditing(false); setMessage('已保存'); }} onCancel=${() => setEditing(false)} />`;
  const grids = compound.grid_ids.map((g) => (units.find((u) => u.id === g) || {}).name).filter(Boolean);
  return html`<article aria-labelledby="compound-h">
    <h2 id="compound-h">${compound.name} ${compound.is_active ? null : html`<span class="badge badge-retired">已停用</span>`}</h2>
    <p class="hint">${unitPath(units, compound.community_id)}</p>
    ${message ? html`<${Notice} kind="ok">${message}</${Notice}>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    <dl class="facts" data-testid="compound-facts">
      <dt>老旧小区</dt><dd>${YES_NO(compound.is_old)}</dd>
      <dt>党支部</dt><dd>${YES_NO(compound.has_party_branch)}</dd>
      <dt>建筑面积</dt><dd>${compound.building_area_m2 != null ? `${compound.building_area_m2} ㎡` : '—'}</dd>
      <dt>户数</dt><dd>${compound.households ?? '—'}</dd>
      <dt>物业企业</dt><dd>${compound.company_name || '无物业'}</dd>
      <dt>进驻日期</dt><dd>${compound.company_moved_in_on || '—'}</dd>
      <dt>网格</dt><dd>${grids.join('、') || '—'}</dd>
      <dt>地址</dt><dd>${compound.address || '—'}</dd>
    </dl>
    <p class="hint">老旧小区、党支部、建筑面积、户数、物业企业和进驻日期都参与评分：老旧小区按老旧小区考核细则考核并计算补贴，成立党支部的小区参加党建示范点考核，建筑面积用于补贴金额。</p>
    <div class="button-row">
      <button type="button" class="button button-secondary" onClick=${() => setEditing(true)}>编辑</button>
      ${compound.is_active ? html`<button type="button" class="button button-danger" onClick=${() => confirm(`停用 ${compound.name}？手机上不再出现该小区，已有问题、工单和评分保留。`) && save({ is_active: false }, '已停用')}>停用</button>`
        : html`<button type="button" class="button button-ok" onClick=${() => save({ is_active: true }, '已启用')}>启用</button>`}
    </div>
  </article>`;
}

function CompoundForm({ ctx, units, reload, compound, communityId, onSaved, onCancel }) {
  const editing = !!compound;
  const [form, setForm] = useState(compound ? { ...compound } : { name: '', community_id: communityId, company_id: null,
    address: '', building_area_m2: '', households: '', company_moved_in_on: '', is_old: false, has_party_branch: false, grid_ids: [] });
  const [companies, setCompanies] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => { api('/api/companies', { token: ctx.token }).then(setCompanies, () => {}); }, []);
  const set = (changes) => setForm({ ...form, ...changes });
  const grids = units.filter((u) => u.level === 'grid' && u.parent_id === form.community_id && u.is_active);
  async function submit(event) {
    event.preventDefault();
    setError(null);
    const body = { name: form.name.trim(), address: form.address || null, company_id: form.company_id || null,
      building_area_m2: form.building_area_m2 === '' || form.building_area_m2 == null ? null : String(form.building_area_m2),
      households: form.households === '' || form.households == null ? null : Number(form.households),
      company_moved_in_on: form.company_moved_in_on || null, is_old: form.is_old, has_party_branch: form.has_party_branch,
      grid_ids: form.grid_ids, community_id: form.community_id };
    try {
      const saved = await api(editing ? `/api/compounds/${compound.id}` : '/api/compounds',
        { method: editing ? 'PATCH' : 'POST', token: ctx.token, body });
      reload();
      if (onSaved) onSaved(saved); else go(`#/admin/org/compound/${saved.id}`);
    } catch (e) { setError(e.message); }
  }
  return html`<form class="admin-form" onSubmit=${submit} aria-label=${editing ? '编辑小区' : '新建小区'}>
    <h2 class="wide">${editing ? `编辑：${compound.name}` : '新建小区'}</h2>
    <label class="field">小区名称<input name="name" required maxlength="200" value=${form.name} onInput=${(e) => set({ name: e.target.value })} /></label>
    <div><${UnitSelect} label="所属社区（迁移时改这里）" name="community_id" required units=${units.filter((u) => u.is_active || u.id === form.community_id)} levels=${['community']}
      value=${form.community_id} onChange=${(v) => set({ community_id: v, grid_ids: v === (compound || {}).community_id ? compound.grid_ids : [] })} /></div>
    <label class="field">物业服务企业<select name="company_id" value=${form.company_id || ''} onChange=${(e) => set({ company_id: e.target.value || null })}>
      <option value="">无物业</option>${companies.filter((c) => c.is_active !== false || c.id === form.company_id).map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
    <label class="field">物业进驻日期<input type="date" name="company_moved_in_on" value=${form.company_moved_in_on || ''} onChange=${(e) => set({ company_moved_in_on: e.target.value })} /></label>
    <label class="field">建筑面积（㎡）<input name="building_area_m2" inputmode="decimal" value=${form.building_area_m2 ?? ''} onInput=${(e) => set({ building_area_m2: e.target.value })} /></label>
    <label class="field">户数<input name="households" inputmode="numeric" value=${form.households ?? ''} onInput=${(e) => set({ households: e.target.value })} /></label>
    <label class="field wide">地址<input name="address" maxlength="300" value=${form.address || ''} onInput=${(e) => set({ address: e.target.value })} /></label>
    <label class="field check"><span><input type="checkbox" checked=${form.is_old} onChange=${(e) => set({ is_old: e.target.checked })} /> 老旧小区</span></label>
    <label class="field check"><span><input type="checkbox" checked=${form.has_party_branch} onChange=${(e) => set({ has_party_branch: e.target.checked })} /> 已成立（临时）党支部</span></label>
    ${grids.length ? html`<fieldset class="wide"><legend>所在网格</legend>${grids.map((g) => html`<label class="check" key=${g.id}><span>
      <input type="checkbox" checked=${form.grid_ids.includes(g.id)} onChange=${(e) => set({ grid_ids: e.target.checked ? [...form.grid_ids, g.id] : form.grid_ids.filter((x) => x !== g.id) })} /> ${g.name}</span></label>`)}</fieldset>` : null}
    ${error ? html`<div class="wide"><${Notice} kind="error">${error}</${Notice}></div>` : null}
    <div class="button-row wide"><button class="button" type="submit">保存</button>
      <button class="button button-secondary" type="button" onClick=${onCancel || (() => history.back())}>取消</button></div>
  </form>`;
}

function Companies({ ctx }) {
  const [companies, setCompanies] = useState(null);
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api('/api/companies', { token: ctx.token }).then(setCompanies, (e) => setError(e.message));
  useEffect(() => { load(); }, []);
  async function save(id, body) {
    setError(null);
    try { await api(id ? `/api/companies/${id}` : '/api/companies', { method: id ? 'PATCH' : 'POST', token: ctx.token, body }); setEditing(null); load(); } catch (e) { setError(e.message); }
  }
  const form = (c) => html`<form class="admin-form" onSubmit=${(e) => { e.preventDefault(); const f = e.target;
      save(c.id, { name: f.name.value.trim(), credit_grade: f.grade.value || null, phone: f.phone.value || null, community_run: f.community_run.checked }); }}>
    <label class="field">企业名称<input name="name" required maxlength="200" value=${c.name || ''} /></label>
    <label class="field">信用等级<select name="grade" value=${c.credit_grade || ''}><option value="">未评定</option>
      ${['AAA', 'AA', 'A', 'B', 'C'].map((g) => html`<option value=${g}>${g}</option>`)}</select></label>
    <label class="field">联系电话<input name="phone" type="tel" value=${c.phone || ''} /></label>
    <label class="field check"><span><input type="checkbox" name="community_run" checked=${!!c.community_run} /> 社区领办物业</span></label>
    <div class="button-row wide"><button class="button" type="submit">保存</button><button class="button button-secondary" type="button" onClick=${() => setEditing(null)}>取消</button></div></form>`;
  return html`<article aria-labelledby="companies-h">
    <h2 id="companies-h">物业服务企业</h2>
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${editing === 'new' ? form({}) : html`<button type="button" class="button button-small" onClick=${() => setEditing('new')}>新建企业</button>`}
    ${companies ? html`<table class="table admin-table"><thead><tr><th>企业</th><th>信用等级</th><th>电话</th><th></th></tr></thead>
      <tbody>${companies.map((c) => (editing === c.id ? html`<tr key=${c.id}><td colspan="4">${form(c)}</td></tr>` : html`<tr key=${c.id}>
        <td><span class=${c.is_active ? '' : 'retired'}>${c.name}</span>${c.community_run ? ' （社区领办）' : ''}</td>
        <td data-label="信用等级">${c.credit_grade || '—'}</td><td data-label="电话">${c.phone || '—'}</td>
        <td><button type="button" class="button button-small button-secondary" onClick=${() => setEditing(c.id)}>编辑</button>
          ${c.is_active ? html`<button type="button" class="button button-small button-secondary" onClick=${() => confirm(`停用 ${c.name}？`) && save(c.id, { is_active: false })}>停用</button>`
            : html`<button type="button" class="button button-small button-secondary" onClick=${() => save(c.id, { is_active: true })}>启用</button>`}</td></tr>`))}</tbody></table>` : html`<p class="hint">正在读取…</p>`}
  </article>`;
}

function ImportPanel({ ctx, reload }) {
  const [file, setFile] = useState(null);
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function send(dryRun) {
    setBusy(true);
    setError(null);
    const form = new FormData();
    form.append('file', file);
    try {
      setReport(await api(`/api/import/organisation?dry_run=${dryRun}`, { method: 'POST', token: ctx.token, form, timeoutMs: 120000 }));
      if (!dryRun) reload();
    } catch (e) { setError(e.message); setReport(null); }
    setBusy(false);
  }
  const pick = (event) => { setFile(event.target.files[0] || null); setReport(null); setError(null); };
  const errors = report ? report.errors : [];
  return html`<article aria-labelledby="import-h">
    <h2 id="import-h">导入组织机构</h2>
    <p class="hint">每行一个小区：区、街道（或镇）、社区、网格、小区、地址、建筑面积、户数、物业企业、企业信用等级、进驻日期、老旧小区、党支部。
      支持 Excel（.xlsx）和 CSV（UTF-8 或 GBK）。已有的小区按名称更新，同一文件重复导入不会改变任何数据。先“预览”，确认无误后再“导入”。</p>
    <label class="import-drop">
      <span class="button button-secondary">选择文件</span>
      <span class="import-file">${file ? file.name : '尚未选择文件（.xlsx 或 .csv）'}</span>
      <input class="visually-hidden" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        onChange=${pick} data-testid="org-file" /></label>
    <div class="button-row">
      <button type="button" class="button button-secondary" disabled=${!file || busy} onClick=${() => send(true)}>预览</button>
      <button type="button" class="button" disabled=${!file || busy} onClick=${() => send(false)}>导入</button>
    </div>
    ${busy ? html`<p class="hint" role="status">正在处理…</p>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${report ? html`<section aria-labelledby="report-h" data-testid="import-report">
      <h3 id="report-h">${report.dry_run ? '预览结果（尚未保存）' : '导入结果'}</h3>
      <p class="import-counts" role="status">
        <span>共 <b>${report.lines}</b> 行</span><span>${report.dry_run ? '将新建' : '新建'}小区 <b>${report.created}</b></span>
        <span>${report.dry_run ? '将更新' : '更新'} <b>${report.updated}</b></span><span>无变化 <b>${report.unchanged}</b></span>
        <span>新单位 <b>${report.units_created}</b></span><span>新企业 <b>${report.companies_created}</b></span>
        <span class=${errors.length ? 'state-overdue' : ''}>有错误 <b>${errors.length}</b> 行</span></p>
      ${errors.length ? html`<${Notice} kind="warn">以下 ${errors.length} 行未${report.dry_run ? '能' : ''}导入，其余行${report.dry_run ? '可以' : '已'}保存。可下载错误行，改正后再次导入。</${Notice}>
        <button type="button" class="button button-secondary" onClick=${() => download(new Blob([errorFile(report.header, errors)], { type: 'text/csv' }), '组织机构-错误行.csv')}>下载错误行</button>
        <table class="table errors-table" data-testid="import-errors"><thead><tr><th>行号</th><th>列</th><th>原因</th></tr></thead>
          <tbody>${errors.map((e) => html`<tr key=${e.line}><td>第 ${e.line} 行</td><td>${e.column || '—'}</td><td>${e.reason}</td></tr>`)}</tbody></table>`
        : html`<${Notice} kind="ok">没有错误行</${Notice}>`}
    </section>` : null}
  </article>`;
}
