// 12345热线工单 (issue 18), for supervisors and admins: import a platform's export of work orders
// (check the column mapping on a preview first, then the report: counts and the errors by line
// and column), work the review queue (orders that matched no compound or type: pick the
// compound and the type, optionally keep the address as the compound's alias), and see the
// conflicts (changes to a published period that were not applied). Loaded when first opened;
// everything here talks to the server (backend/hotline/router.py).
import { useState, useEffect, useRef } from '../vendor/hooks.js';
import { html, TopBar, Notice, Empty, addStyles, download } from './ui.js';
import { api } from '../api.js';
import { shortTime, limitText, changeText, lineLabel, mappingValue, missingFields, assignColumn,
  errorsCsv, reportCounts, scoreText } from '../logic/hotline.js';

addStyles(new URL('./desk.css', import.meta.url).href);
addStyles(new URL('./admin/admin.css', import.meta.url).href); // forms, import box; the admin's side menu
addStyles(new URL('./hotline.css', import.meta.url).href);

const SECTIONS = [['', '导入'], ['review', '待核对'], ['conflicts', '冲突']];
const REVIEW_PAGE = 20;
const byName = (a, b) => a.name.localeCompare(b.name, 'zh-CN');

export function HotlineView({ ctx }) {
  const section = ctx.route.parts[1] || '';
  const [counts, setCounts] = useState({});
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  useEffect(() => {
    let live = true;
    Promise.all([api('/api/hotline/review?limit=1', { token: ctx.token }).then((p) => p.total, () => null),
      api('/api/hotline/conflicts', { token: ctx.token }).then((c) => c.length, () => null)])
      .then(([review, conflicts]) => live && setCounts({ review, conflicts }));
    return () => { live = false; };
  }, [version]);
  let panel;
  if (section === 'review') panel = html`<${ReviewPanel} ctx=${ctx} onChanged=${changed} />`;
  else if (section === 'conflicts') panel = html`<${ConflictsPanel} ctx=${ctx} onChanged=${changed} />`;
  else panel = html`<${ImportPanel} ctx=${ctx} onChanged=${changed} version=${version} />`;
  return html`<main class="screen screen-wide hotline">
    <${TopBar} title="12345热线工单" back=${ctx.user.role === 'admin' ? null : '#/dashboard'} />
    <nav class="hotline-tabs" aria-label="热线工单">${SECTIONS.map(([key, label]) => {
      const count = counts[key];
      return html`<a key=${key} href=${`#/hotline${key ? `/${key}` : ''}`} aria-current=${section === key ? 'page' : null}>
        ${label}${count ? html`<span class="count-badge" aria-label=${`${count} 件`}>${count}</span>` : null}</a>`;
    })}</nav>
    ${panel}
  </main>`;
}

// ------------------------------------------------------------------ 导入

function ImportPanel({ ctx, onChanged, version }) {
  const [fields, setFields] = useState([]);
  const [saved, setSaved] = useState([]);
  const [choice, setChoice] = useState('');        // a saved mapping's name, or '' (found by the server)
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [columns, setColumns] = useState(null);    // field → column label, as the official sees it
  const [edited, setEdited] = useState(false);     // the official changed a column
  const [saveOn, setSaveOn] = useState(false);
  const [saveName, setSaveName] = useState('');
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  const asked = useRef(0);                          // only the latest preview may show
  useEffect(() => {
    api('/api/hotline/fields', { token: ctx.token }).then(setFields, (e) => setError(e.message));
    api('/api/hotline/mappings', { token: ctx.token }).then(setSaved, () => {});
  }, []);

  async function runPreview(picked, mapping, wasEdited) {
    const ticket = ++asked.current;
    setBusy('正在读取文件…');
    setError(null);
    const form = new FormData();
    form.append('file', picked);
    if (mapping) form.append('mapping', mapping);
    try {
      const p = await api('/api/hotline/preview', { method: 'POST', token: ctx.token, form, timeoutMs: 120000 });
      if (ticket !== asked.current) return;
      setPreview(p);
      setColumns(p.mapping);
      setEdited(wasEdited);
      // a mapping nobody saved yet (guessed or changed here) is worth keeping for next month
      setSaveOn(!p.mapping_name || wasEdited);
      setSaveName((old) => old || p.mapping_name || '12345热线平台');
    } catch (e) {
      if (ticket !== asked.current) return;
      setError(e.message);
      setPreview(null);
    }
    setBusy(null);
  }

  function pick(event) {
    const picked = event.target.files[0] || null;
    event.target.value = '';
    setFile(picked);
    setReport(null);
    setPreview(null);
    if (picked) runPreview(picked, choice, false);
  }

  function chooseSaved(name) {
    setChoice(name);
    if (file) runPreview(file, name, false);
  }

  function setColumn(field, label) {
    const next = assignColumn(columns, field, label);
    setColumns(next);
    runPreview(file, mappingValue({ columns: next, name: null, edited: true }), true);
  }

  async function submit() {
    setBusy('正在导入，请稍候…');
    setError(null);
    const form = new FormData();
    form.append('file', file);
    const mapping = mappingValue({ columns, name: preview.mapping_name, edited });
    if (mapping) form.append('mapping', mapping);
    if (saveOn && saveName.trim()) form.append('save_as', saveName.trim());
    try {
      setReport(await api('/api/hotline/imports', { method: 'POST', token: ctx.token, form, timeoutMs: 300000 }));
      setPreview(null);
      setFile(null);
      api('/api/hotline/mappings', { token: ctx.token }).then(setSaved, () => {});
      onChanged();
    } catch (e) { setError(e.message); }
    setBusy(null);
  }

  const fileError = preview && preview.errors.find((e) => !e.line);
  const missing = preview ? missingFields(fields, columns) : [];
  if (report) {
    return html`<${Report} report=${report} onAgain=${() => setReport(null)} />
      <${History} ctx=${ctx} version=${version} />`;
  }
  return html`<section aria-labelledby="import-h">
    <h2 id="import-h" class="section-title">导入工单</h2>
    <p class="hint">${'从12345平台导出工单表（Excel .xlsx 或 CSV，UTF-8 或 GBK 均可）。选择文件后先看预览：核对每一项对应的列和前几行，'
      + '确认无误再导入。同一工单再次导入只更新有变化的内容，不会重复建案。'}</p>
    ${saved.length ? html`<div class="field mapping-choice"><label for="mapping-choice">列对应</label>
      <select id="mapping-choice" value=${choice} onChange=${(e) => chooseSaved(e.target.value)}>
        <option value="">自动识别（按已保存的列对应或列名）</option>
        ${saved.map((m) => html`<option value=${m.name}>${m.name}</option>`)}</select></div>` : null}
    <label class="import-drop">
      <span class="button button-secondary">选择文件</span>
      <span class="import-file">${file ? file.name : '尚未选择文件（.xlsx 或 .csv）'}</span>
      <input class="visually-hidden" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        onChange=${pick} data-testid="hotline-file" /></label>
    ${busy ? html`<p class="hint" role="status">${busy}</p>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${preview ? html`<${Preview} preview=${preview} fields=${fields} columns=${columns} onColumn=${setColumn}
      fileError=${fileError} missing=${missing} />
      <div class="admin-section import-confirm">
        <label class="check"><span><input type="checkbox" checked=${saveOn} onChange=${(e) => setSaveOn(e.target.checked)} />
          保存此列对应，下次导入同一平台的文件时自动使用</span></label>
        ${saveOn ? html`<label class="field">列对应名称<input maxlength="100" value=${saveName} placeholder="例如：市12345平台"
          onInput=${(e) => setSaveName(e.target.value)} /></label>` : null}
        <div class="button-row">
          <button type="button" class="button" disabled=${!!busy || !!fileError || missing.length > 0} onClick=${submit}>
            ${preview.error_count ? `导入（有错误的行跳过）` : `导入 ${preview.lines} 行`}</button>
        </div>
      </div>` : null}
    <${History} ctx=${ctx} version=${version} />
  </section>`;
}

function Preview({ preview, fields, columns, onColumn, fileError, missing }) {
  const used = new Set(Object.values(columns || {}));
  const unused = preview.labels.filter((l) => !used.has(l));
  const header = preview.header_lines.length > 1
    ? `第 ${preview.header_lines[0]}–${preview.header_lines[preview.header_lines.length - 1]} 行`
    : `第 ${preview.header_lines[0]} 行`;
  return html`<section aria-labelledby="preview-h" data-testid="hotline-preview">
    <h2 id="preview-h" class="section-title">预览（尚未导入）</h2>
    <p class="hint">表头在${header}，共 <b>${preview.lines}</b> 行工单，${preview.labels.length} 列。${preview.mapping_name
      ? `按已保存的列对应“${preview.mapping_name}”读取。` : '列对应按列名自动识别，请逐项核对。'}</p>
    <fieldset class="mapping" aria-describedby="mapping-hint">
      <legend>列对应：每一项取文件中的哪一列</legend>
      <p id="mapping-hint" class="hint">工单编号和受理时间必须有；其他项没有对应的列就不导入。</p>
      <div class="mapping-grid">${fields.map((f) => {
        const value = (columns || {})[f.field] || '';
        return html`<div class="field" key=${f.field}>
          <label for=${`map-${f.field}`}>${f.label}${f.required ? html` <span class="required">（必填）</span>` : ''}</label>
          <select id=${`map-${f.field}`} class=${value ? '' : 'unmapped'} value=${value} onChange=${(e) => onColumn(f.field, e.target.value)}>
            <option value="">（不导入）</option>
            ${preview.labels.map((l) => html`<option value=${l}>${l}</option>`)}</select></div>`;
      })}</div>
      ${unused.length ? html`<p class="hint">未使用的列：${unused.join('、')}</p>` : null}
    </fieldset>
    ${missing.length ? html`<${Notice} kind="error">请为 ${missing.join('、')} 选择对应的列</${Notice}>` : null}
    ${fileError && !missing.length ? html`<${Notice} kind="error">${fileError.message}</${Notice}>` : null}
    <h3 class="section-title">前 ${preview.rows.length} 行</h3>
    ${preview.rows.length ? html`<table class="table hotline-table" data-testid="preview-rows"><thead><tr>
        <th>行号</th><th>工单编号</th><th>受理时间</th><th>诉求地址</th><th>诉求内容</th><th>诉求分类</th><th>办理时限</th><th>工单状态</th></tr></thead>
      <tbody>${preview.rows.map((r) => html`<tr key=${r.line}>
        <td class="nw">第 ${r.line} 行</td><td data-label="工单编号" class="nw">${r.case_no}</td>
        <td data-label="受理时间" class="nw">${shortTime(r.accepted_at)}</td>
        <td data-label="诉求地址">${r.address || '—'}</td>
        <td data-label="诉求内容" class="clip" title=${r.content}>${r.content || '—'}</td>
        <td data-label="诉求分类" class="nw">${r.category || '—'}</td>
        <td data-label="办理时限" class="nw">${limitText(r.limit, r.due_at) || '—'}</td>
        <td data-label="工单状态" class="nw">${r.status || '—'}</td></tr>`)}</tbody></table>`
      : html`<${Empty}>没有可以导入的行</${Empty}>`}
    ${preview.error_count && !fileError ? html`<${Notice} kind="warn">有 ${preview.error_count} 处错误：所在的行不会导入，其余行照常导入。</${Notice}>
      <${ErrorTable} errors=${preview.errors} more=${preview.error_count - preview.errors.length} />` : null}
  </section>`;
}

function ErrorTable({ errors, more = 0 }) {
  return html`<table class="table hotline-table errors" data-testid="hotline-errors"><thead><tr><th>行号</th><th>列</th><th>原因</th></tr></thead>
    <tbody>${errors.map((e, i) => html`<tr key=${i}><td class="nw">${lineLabel(e.line)}</td><td data-label="列" class="nw">${e.column || '—'}</td>
      <td data-label="原因">${e.message}</td></tr>`)}</tbody></table>
    ${more > 0 ? html`<p class="hint">另有 ${more} 处错误未列出</p>` : null}`;
}

function Report({ report, onAgain }) {
  const errors = report.errors || [];
  return html`<section aria-labelledby="report-h" data-testid="hotline-report">
    <h2 id="report-h" class="section-title">导入结果：${report.filename}</h2>
    <dl class="report-counts" role="status">${reportCounts(report).map((c) => html`<div key=${c.key}
      class=${`count-tile${c.kind ? ` count-${c.kind}` : ''}${c.value ? '' : ' count-zero'}`}>
      <dt>${c.label}</dt><dd><b>${c.value}</b> ${c.unit}</dd></div>`)}</dl>
    <div class="button-row">
      ${report.review ? html`<a class="button" href="#/hotline/review">去核对 ${report.review} 件</a>` : null}
      ${report.conflicts ? html`<a class="button button-secondary" href="#/hotline/conflicts">查看 ${report.conflicts} 件冲突</a>` : null}
      ${report.created || report.updated ? html`<a class="button button-secondary" href="#/worklist?state=all&source=hotline">在工单查询中查看</a>` : null}
    </div>
    ${errors.length ? html`<${Notice} kind="warn">以下 ${errors.length} 处错误所在的行没有导入，其余行已导入。请在原文件中改正后再次导入：已导入的行不会重复建案。</${Notice}>
      <button type="button" class="button button-secondary" onClick=${() => download(new Blob([errorsCsv(report.filename, errors)], { type: 'text/csv' }), '热线工单-错误清单.csv')}>下载错误清单</button>
      <${ErrorTable} errors=${errors} />`
      : html`<${Notice} kind="ok">全部行已导入，没有错误</${Notice}>`}
    <div class="button-row"><button type="button" class="button button-secondary" onClick=${onAgain}>导入其他文件</button></div>
  </section>`;
}

function History({ ctx, version }) {
  const [rows, setRows] = useState(null);
  useEffect(() => { api('/api/hotline/imports', { token: ctx.token }).then(setRows, () => setRows([])); }, [version]);
  if (!rows || !rows.length) return null;
  return html`<section class="admin-section" aria-labelledby="history-h">
    <h2 id="history-h">最近导入</h2>
    <table class="table hotline-table" data-testid="hotline-history"><thead><tr><th>导入时间</th><th>文件</th><th>列对应</th>
      <th class="num">共</th><th class="num">新建</th><th class="num">更新</th><th class="num">待核对</th><th class="num">冲突</th><th class="num">错误</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr key=${r.id}>
      <td class="nw">${shortTime(r.imported_at)}</td><td data-label="文件">${r.filename}</td>
      <td data-label="列对应">${r.mapping_name || '未保存'}</td>
      <td data-label="共" class="num">${r.summary.lines ?? 0}</td><td data-label="新建" class="num">${r.summary.created ?? 0}</td>
      <td data-label="更新" class="num">${r.summary.updated ?? 0}</td><td data-label="待核对" class="num">${r.summary.review ?? 0}</td>
      <td data-label="冲突" class="num">${r.summary.conflicts ?? 0}</td>
      <td data-label="错误" class=${`num${r.summary.errors ? ' cell-error' : ''}`}>${r.summary.errors ?? 0}</td></tr>`)}</tbody></table>
  </section>`;
}

// ------------------------------------------------------------------ 待核对

function useCompounds(ctx) {
  const local = ctx.data.compounds || [];
  const [fetched, setFetched] = useState(null);
  useEffect(() => {
    if (!local.length) api('/api/compounds?limit=500', { token: ctx.token }).then((p) => setFetched(p.items), () => setFetched([]));
  }, [local.length]);
  return (local.length ? local : fetched || []).filter((c) => c.is_active !== false).slice().sort(byName);
}

function ReviewPanel({ ctx, onChanged }) {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const compounds = useCompounds(ctx);
  const types = (ctx.data.catalog && ctx.data.catalog.types) || [];
  const load = (offset = 0) => api(`/api/hotline/review?limit=${REVIEW_PAGE}&offset=${offset}`, { token: ctx.token })
    .then((p) => setPage((old) => (offset && old ? { ...p, items: [...old.items, ...p.items] } : p)), (e) => setError(e.message));
  useEffect(() => { load(); }, []);
  async function resolved(item, answer, compound) {
    setPage((old) => ({ ...old, items: old.items.filter((i) => i.case_no !== item.case_no), total: old.total - 1 }));
    // a saved alias may have matched other waiting orders too: read the queue again before saying so
    if (answer.rematched) await load();
    setDone({ ...answer, compound: compound.name });
    onChanged();
  }
  return html`<section aria-labelledby="review-h">
    <h2 id="review-h" class="section-title">待核对${page ? `（${page.total} 件）` : ''}</h2>
    <p class="hint">${'这些工单的地址或内容未能自动对应到小区或问题类型。选定小区和问题类型后确认，即按受理时间建案派单；'
      + '保存别名后，下次导入同样写法的地址会自动匹配。'}</p>
    ${done ? html`<${Notice} kind="ok">${done.dismissed ? `已排除 ${done.case_no}：${done.dismissed}，不建案、不计分。`
      : `已确认 ${done.case_no}：归入${done.compound}，已建案派单${done.rematched ? `；另有 ${done.rematched} 件同样写法的工单已按新别名自动归入` : ''}。`}
      ${done.dismissed ? null : html`<a href=${`#/worklist?state=all&q=${encodeURIComponent(done.case_no)}`}>在工单查询中查看</a>`}</${Notice}>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${!page && !error ? html`<p class="hint">正在读取…</p>` : null}
    ${page && !page.items.length ? html`<${Empty}>没有待核对的工单：导入的工单都已对应到小区和问题类型 · <a href="#/hotline">导入工单</a></${Empty}>` : null}
    ${page ? page.items.map((item) => html`<${ReviewCard} key=${item.case_no} ctx=${ctx} item=${item}
      compounds=${compounds} types=${types} onDone=${resolved} />`) : null}
    ${page && page.items.length < page.total ? html`<button type="button" class="button button-secondary"
      onClick=${() => load(page.items.length)}>再显示 ${Math.min(REVIEW_PAGE, page.total - page.items.length)} 件（共 ${page.total} 件）</button>` : null}
  </section>`;
}

function ReviewCard({ ctx, item, compounds, types, onDone }) {
  const [compoundId, setCompoundId] = useState('');
  const [code, setCode] = useState(item.catalog_code || '');
  const [aliasOn, setAliasOn] = useState(false);
  const [alias, setAlias] = useState(item.suggested_alias || '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = `review-${item.case_no}`;
  const known = new Map(compounds.map((c) => [c.id, c]));
  const options = [...compounds, ...item.candidates.filter((c) => !known.has(c.id))];
  const chosen = options.find((c) => c.id === compoundId);
  const [dismissing, setDismissing] = useState(false);
  const [reason, setReason] = useState('');
  const chips = item.candidates.map((c) => ({ ...c, note: scoreText(c.score) }));
  async function dismiss(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/hotline/review/${encodeURIComponent(item.case_no)}/dismiss`, { method: 'POST', token: ctx.token,
        body: { reason: reason.trim() } });
      onDone(item, { case_no: item.case_no, dismissed: reason.trim() }, { name: '' });
    } catch (e) { setError(e.message); setBusy(false); }
  }
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api(`/api/hotline/review/${encodeURIComponent(item.case_no)}`, { method: 'POST', token: ctx.token,
        body: { compound_id: compoundId, catalog_code: code, alias: aliasOn && alias.trim() ? alias.trim() : null } });
      onDone(item, answer, { id: compoundId, name: chosen ? chosen.name : '', alias: aliasOn ? alias.trim() : '' });
    } catch (e) { setError(e.message); setBusy(false); }
  }
  return html`<article class="hotline-card" aria-labelledby=${`${id}-h`} data-testid="review-item">
    <div class="hotline-card-facts">
      <h3 id=${`${id}-h`}>${item.case_no}</h3>
      <dl class="facts">
        <dt>受理时间</dt><dd>${shortTime(item.accepted_at)}</dd>
        <dt>诉求地址</dt><dd>${item.address || '—'}</dd>
        <dt>诉求内容</dt><dd>${item.content || '—'}</dd>
        <dt>诉求分类</dt><dd>${item.category || '—'}</dd>
      </dl>
      <p class="hint">自动匹配情况：<br />小区：${item.compound_reason}${item.type_reason ? html`<br />问题类型：${item.type_reason}` : null}</p>
    </div>
    <form class="hotline-card-form" onSubmit=${submit} aria-label=${`核对 ${item.case_no}`}>
      <fieldset class="candidates">
        <legend>小区</legend>
        ${chips.length ? html`<div class="chips">${chips.map((c) => html`<button type="button" key=${c.id}
          class="chip" aria-pressed=${compoundId === c.id ? 'true' : 'false'} onClick=${() => setCompoundId(c.id)}>
          ${c.name} <small>${c.note}</small></button>`)}</div>` : html`<p class="hint">没有相近的小区，请从下面选择</p>`}
        <div class="field"><label for=${`${id}-compound`}>${chips.length ? '或选择其他小区' : '选择小区'}</label>
          <select id=${`${id}-compound`} value=${compoundId} onChange=${(e) => setCompoundId(e.target.value)}>
            <option value="">请选择小区</option>
            ${options.map((c) => html`<option value=${c.id}>${c.name}${c.community_name ? `（${c.community_name}）` : ''}</option>`)}</select></div>
      </fieldset>
      ${types.length ? html`<div class="field"><label for=${`${id}-type`}>问题类型</label>
          <select id=${`${id}-type`} value=${code} onChange=${(e) => setCode(e.target.value)}>
          <option value="">请选择问题类型</option>
          ${types.map((t) => html`<option value=${t.code}>${t.code} ${t.name}</option>`)}</select></div>`
        : html`<label class="field">问题类型代码<input value=${code} maxlength="16" placeholder="例如：HJ03" onInput=${(e) => setCode(e.target.value.trim())} /></label>`}
      ${item.suggested_alias ? html`<label class="check"><span><input type="checkbox" checked=${aliasOn} onChange=${(e) => setAliasOn(e.target.checked)} />
          保存“${alias.trim() || item.suggested_alias}”为${chosen ? `“${chosen.name}”的` : '该小区'}别名，下次自动匹配</span></label>
        ${aliasOn ? html`<label class="field">别名（可修改）<input maxlength="200" value=${alias} onInput=${(e) => setAlias(e.target.value)}
          aria-describedby=${`${id}-alias-hint`} /></label>
          <p class="hint" id=${`${id}-alias-hint`}>地址中含有别名的工单今后都归入该小区，所以别名应只指这个小区：例如写到门牌号“人民路128号”，而不是整条“人民路”。</p>` : null}` : null}
      ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
      <div class="button-row"><button class="button" type="submit" disabled=${busy || !compoundId || !code}>确认</button>
        <button type="button" class="button button-secondary" aria-expanded=${dismissing ? 'true' : 'false'}
          onClick=${() => setDismissing(!dismissing)}>不属于住宅小区</button></div>
    </form>
    ${dismissing ? html`<form class="hotline-card-form" onSubmit=${dismiss} aria-label=${`排除 ${item.case_no}`}>
      <label class="field">排除原因（记入日志）<input required minlength="2" maxlength="300" value=${reason}
        placeholder="例如：沿街商铺，不属于住宅小区" onInput=${(e) => setReason(e.target.value)} /></label>
      <p class="hint">排除后该工单不建案、不计入任何小区的得分。</p>
      <div class="button-row"><button class="button" type="submit" disabled=${busy || reason.trim().length < 2}>排除</button></div>
    </form>` : null}
  </article>`;
}

// ------------------------------------------------------------------ 冲突

function ConflictsPanel({ ctx, onChanged }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  useEffect(() => { api('/api/hotline/conflicts', { token: ctx.token }).then(setRows, (e) => setError(e.message)); }, []);
  async function close(row) {
    if (!confirm(`将 ${row.case_no} 标为已处理？${row.period}已发布的结果保持不变，这条冲突移出列表。`)) return;
    setError(null);
    try {
      await api(`/api/hotline/conflicts/${row.id}/done`, { method: 'POST', token: ctx.token });
      setRows((old) => old.filter((r) => r.id !== row.id));
      setDone(row.case_no);
      onChanged();
    } catch (e) { setError(e.message); }
  }
  return html`<section aria-labelledby="conflicts-h">
    <h2 id="conflicts-h" class="section-title">冲突${rows ? `（${rows.length} 件）` : ''}</h2>
    <p class="hint">${'这些工单属于已发布（冻结）的考核期，导入时没有改动已发布的结果。需要改正的，请先由监管人员在“评分”中重新开放该期，'
      + '再重新导入同一文件；保持已发布结果不变的，点“已处理”移出列表。'}</p>
    ${done ? html`<${Notice} kind="ok">${done} 已标为已处理</${Notice}>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${!rows && !error ? html`<p class="hint">正在读取…</p>` : null}
    ${rows && !rows.length ? html`<${Empty}>没有冲突：导入的工单都已应用</${Empty}>` : null}
    ${rows ? html`<ul class="list">${rows.map((r) => html`<li key=${r.id} class="conflict" data-testid="conflict-item">
      <div class="conflict-body">
        <p class="list-item-title">${r.case_no} <span class="badge badge-frozen">${r.period} 已发布</span></p>
        <ul class="changes">${r.changes.map((c, i) => html`<li key=${i}>${changeText(c)}</li>`)}</ul>
        <p class="list-item-meta">${r.filename || '导入文件'} 第 ${r.line} 行 · ${shortTime(r.created_at)} 导入</p>
      </div>
      <button type="button" class="button button-secondary" onClick=${() => close(r)}>已处理</button></li>`)}</ul>` : null}
  </section>`;
}
