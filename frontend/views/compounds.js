// Compound picker: the compounds in scope from the cache, nearest first when GPS allows.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Empty, Notice } from './ui.js';
import { compoundsByDistance, filterCompounds, formatDistance } from '../logic/sorting.js';

export function usePosition() {
  const [position, setPosition] = useState(null);
  const [state, setState] = useState('idle');
  function locate() {
    if (!navigator.geolocation) { setState('unavailable'); return; }
    setState('locating');
    navigator.geolocation.getCurrentPosition(
      (p) => { setPosition({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }); setState('ok'); },
      () => setState('denied'),
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  }
  return { position, state, locate };
}

export function CompoundsView({ ctx }) {
  const [query, setQuery] = useState('');
  const { position, state, locate } = usePosition();
  useEffect(locate, []);
  const rows = compoundsByDistance(filterCompounds(ctx.data.compounds, query), position);
  return html`<main class="screen">
    <${TopBar} title="选择小区" />
    <label class="field">搜索小区
      <input type="search" value=${query} placeholder="名称、地址、街道、物业" onInput=${(e) => setQuery(e.target.value)} />
    </label>
    <p class="hint" role="status">${state === 'ok' ? '按距离排序（最近在前）'
      : state === 'locating' ? '正在定位…' : '未能定位：按名称排序'}</p>
    ${!ctx.data.compounds.length ? html`<${Notice} kind="warn">本机还没有小区数据：请联网打开一次以下载</${Notice}>` : null}
    <ul class="list">
      ${rows.map((c) => html`<li key=${c.id}>
        <a class="list-item" href=${`#/new?compound=${c.id}`}>
          <span class="list-item-title">${c.name}</span>
          <span class="list-item-meta">${[c.street_name, c.community_name, c.company_name].filter(Boolean).join(' · ')}</span>
          ${c.distance != null ? html`<span class="list-item-aside">${formatDistance(c.distance)}</span>` : null}
        </a></li>`)}
    </ul>
    ${ctx.data.compounds.length && !rows.length ? html`<${Empty}>没有符合的小区</${Empty}>` : null}
  </main>`;
}
