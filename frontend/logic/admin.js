// The admin console's decisions, free of the DOM: the organisation as a tree, which units a
// role may be scoped to (the server's rule, backend/auth/users.py), and the error file that
// holds the lines an upload refused.

export const LEVEL_LABELS = { district: '区', street: '街道', town: '镇', community: '社区', grid: '网格' };
// The server sends each user's role_label; the role pickers need them all.
export const ROLE_LABELS = { admin: '系统管理员', supervisor: '监管人员', inspector: '考核人员',
  grid_worker: '网格员', property_manager: '物业项目经理' };

const LEVEL_ORDER = { district: 0, street: 1, town: 1, community: 2, grid: 3 };

// Which unit levels each role's scope is made of; a manager is scoped by company, an admin by nothing.
export const SCOPE_LEVELS = {
  supervisor: ['district', 'street', 'town', 'community'],
  inspector: ['district', 'street', 'town', 'community'],
  grid_worker: ['grid'],
  property_manager: [],
  admin: [],
};

/** Flat units ({id, parent_id, level, name}) as nested {unit, children}, siblings by name. */
export function buildTree(units) {
  const nodes = new Map(units.map((u) => [u.id, { unit: u, children: [] }]));
  const roots = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parent_id && nodes.get(node.unit.parent_id);
    (parent ? parent.children : roots).push(node);
  }
  const order = (list) => {
    list.sort((a, b) => (LEVEL_ORDER[a.unit.level] - LEVEL_ORDER[b.unit.level])
      || a.unit.name.localeCompare(b.unit.name, 'zh-CN'));
    list.forEach((n) => order(n.children));
    return list;
  };
  return order(roots);
}

/** The unit and its ancestors, top first (for breadcrumbs and "区 / 街道 / 社区" labels). */
export function pathOf(units, id) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const path = [];
  for (let u = byId.get(id); u; u = u.parent_id ? byId.get(u.parent_id) : null) path.unshift(u);
  return path;
}

/** The tree narrowed to units whose name contains `text`, with their ancestors kept. */
export function filterTree(tree, text) {
  const q = (text || '').trim();
  if (!q) return tree;
  const keep = (node) => {
    const children = node.children.map(keep).filter(Boolean);
    return node.unit.name.includes(q) || children.length ? { ...node, children } : null;
  };
  return tree.map(keep).filter(Boolean);
}

/** The parents a unit of `level` may be moved under (the server's ALLOWED_PARENT). */
export function parentLevels(level) {
  return { district: [], street: ['district'], town: ['district'], community: ['street', 'town'],
    grid: ['community'] }[level] || [];
}

function csvCell(value) {
  const text = value == null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The refused lines as a CSV an official fixes and imports again: the file's own columns,
 * then the line number, column and reason; UTF-8 with a BOM so Excel reads the Chinese. */
export function errorFile(header, errors) {
  const rows = [[...header, '原行号', '错误列', '错误原因'],
    ...errors.map((e) => [...header.map((_, i) => (e.values || [])[i] ?? ''), e.line, e.column || '', e.reason])];
  return `\ufeff${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const iso = (y, m, d) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** A month as weeks (Monday first) of {date, day, kind}: kind is 'off' for a holiday entry,
 * 'on' for a make-up working day, 'weekend' or 'work' otherwise; null pads the first week. */
export function monthGrid(year, month, entries) {
  const kinds = new Map();
  for (const e of entries) {
    for (let d = new Date(`${e.start}T00:00:00Z`); d <= new Date(`${e.end}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
      kinds.set(d.toISOString().slice(0, 10), e.kind === 'holiday' ? 'off' : 'on');
    }
  }
  const first = new Date(Date.UTC(year, month - 1, 1));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells = Array((first.getUTCDay() + 6) % 7).fill(null);
  for (let day = 1; day <= days; day += 1) {
    const date = iso(year, month, day);
    const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
    cells.push({ date, day, kind: kinds.get(date) || (weekday >= 5 ? 'weekend' : 'work') });
  }
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** "08:30-12:00, 13:30-17:30" (commas, 、 or spaces, full-width too) → ['08:30-12:00', '13:30-17:30']. */
export function parseWindows(text) {
  return (text || '').replace(/[：]/g, ':').replace(/[－—–~～]/g, '-').split(/[\s,，、;；]+/).filter(Boolean);
}

export function windowsText(windows) {
  return (windows || []).join(', ');
}
