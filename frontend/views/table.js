// Desk tables sortable by column (issue 15 §6): a header button per column, its direction
// announced with aria-sort; the rows are ordered by logic/worklist.js sortRows.
import { useState } from '../vendor/hooks.js';
import { html } from './ui.js';
import { sortRows } from '../logic/worklist.js';

/** [rows in the chosen order, head(key, label, className) → <th>]; `first`: the initial order. */
export function useSorted(rows, first = { key: null, desc: false }) {
  const [sort, setSort] = useState(first);
  const sorted = sort.key ? sortRows(rows, sort.key, sort.desc) : rows;
  const head = (key, label, className = '') => html`<th class=${className} aria-sort=${sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
    <button type="button" class="sort" onClick=${() => setSort({ key, desc: sort.key === key ? !sort.desc : false })}>${label}${sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}</button></th>`;
  return [sorted, head];
}
