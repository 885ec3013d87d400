// Pieces the admin screens share: a file fetched with the login (exports), the organisation's
// units (read once per screen), and a unit picker that shows each unit's path.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, download } from '../ui.js';
import { api, ApiError } from '../../api.js';
import { LEVEL_LABELS, pathOf } from '../../logic/admin.js';
import { wallClock } from '../../logic/worktime.js';

/** GET a file with the bearer token and save it under `name`. */
export async function saveFile(path, token, name) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) {
    let message = `下载失败（${res.status}）`;
    try { message = (await res.json()).error.message; } catch { /* not JSON */ }
    throw new ApiError(res.status, `http_${res.status}`, message);
  }
  download(await res.blob(), name);
}

/** The organisation's units (the admin's tree), and a way to read them again after a change. */
export function useUnits(token) {
  const [units, setUnits] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api('/api/organisation/tree', { token }).then((u) => live && setUnits(u), (e) => live && setError(e.message));
    return () => { live = false; };
  }, [version]);
  return [units, error, () => setVersion((v) => v + 1)];
}

/** "XX区 / XX镇 / 中心社区" */
export function unitPath(units, id) {
  return pathOf(units, id).map((u) => u.name).join(' / ');
}

/** A <select> of units of the given levels, each named by its path. */
export function UnitSelect({ label, units, levels, value, onChange, any = '请选择', name, required }) {
  const options = units.filter((u) => !levels || levels.includes(u.level))
    .map((u) => [u.id, `${unitPath(units, u.id)}（${LEVEL_LABELS[u.level]}）${u.is_active ? '' : ' 已停用'}`])
    .sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
  return html`<label class="field">${label}<select name=${name} required=${required} value=${value || ''}
      onChange=${(e) => onChange(e.target.value || null)}>
    <option value="">${any}</option>${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>`;
}

export function when(iso) {
  if (!iso) return '—';
  const t = wallClock(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`;
}
