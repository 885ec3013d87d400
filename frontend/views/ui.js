// Shared view pieces: the html tag, the top bar, photo picker, notices. Views stay thin: the
// decisions live in logic/, the storage in db.js, the network in sync.js.

import { h } from '../vendor/preact.js';
import { useState, useEffect, useRef } from '../vendor/hooks.js';
import htm from '../vendor/htm.js';
import { processPhoto } from '../photo.js';
import * as db from '../db.js';
import { wallClock } from '../logic/worktime.js';

export const html = htm.bind(h);

/** A component from a module loaded when first shown (sw.js MODULES precaches it, so it opens
 * offline too): a whole screen, or with `part` a piece of one. */
export function Lazy({ load, name, part, ...props }) {
  const [module, setModule] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    // only this screen's module: one asked for by a screen already left may arrive later
    let live = true;
    setModule(null);
    setError(null);
    load().then((m) => live && setModule(m), (err) => live && setError(err.message));
    return () => { live = false; };
  }, [load]);
  const wrap = (body) => (part ? body : html`<main class="screen">${body}</main>`);
  if (error) return wrap(html`<${Notice} kind="error">页面未能打开：${error}</${Notice}>`);
  if (!module || !module[name]) return wrap(html`<p class="hint">正在打开…</p>`);
  const View = module[name];
  return html`<${View} ...${props} />`;
}

/** A lazily loaded screen's stylesheet, added once (not part of the shell's weight). */
export function addStyles(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href }));
  }
}

/** Save a blob as a file (an export, an error file). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function go(route) {
  location.hash = route;
}

export function TopBar({ title, back }) {
  return html`<header class="top-bar">
    ${back ? html`<a class="top-bar-back" href=${back} aria-label="返回">‹</a>` : null}
    <h1 class="top-bar-title" tabindex="-1">${title}</h1>
  </header>`;
}

export function Notice({ kind = 'info', children }) {
  return html`<p class=${`notice notice-${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>${children}</p>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

/** 11月16日 09:15 (ux.md), in the deployment's zone (logic/worktime.js `wallClock`). */
export function formatTime(iso, { withYear = false } = {}) {
  if (!iso) return '';
  const t = wallClock(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${withYear ? `${t.year}年` : ''}${t.month}月${t.day}日 ${pad(t.hour)}:${pad(t.minute)}`;
}

// A photo held on this phone (blob or thumbnail) or on the server (by sha256).
export function PhotoThumb({ owner, sha, alt = '照片', token, size = 'thumb' }) {
  const [src, setSrc] = useState(null);
  useEffect(() => {
    let url = null;
    let live = true;
    (async () => {
      const local = owner ? await db.getPhoto(owner, sha) : null;
      if (local && local.blob && size !== 'thumb') url = URL.createObjectURL(local.blob);
      else if (local && local.thumb) url = local.thumb;
      else if (local && local.blob) url = URL.createObjectURL(local.blob);
      else if (token) {
        try {
          const res = await fetch(`/api/photos/${sha}/${size}`, { headers: { Authorization: `Bearer ${token}` } });
          if (res.ok) url = URL.createObjectURL(await res.blob());
        } catch { /* offline: show the placeholder */ }
      }
      if (live) setSrc(url);
    })();
    return () => { live = false; if (url && url.startsWith('blob:')) URL.revokeObjectURL(url); };
  }, [owner, sha, size]);
  return src ? html`<img class=${`photo-thumb photo-${size}`} src=${src} alt=${alt} />`
    : html`<span class=${`photo-thumb photo-${size} photo-missing`} role="img" aria-label=${`${alt}（离线不可见）`}>无图</span>`;
}

// Camera (capture) or gallery; every photo is shrunk and hashed before it is kept.
export function PhotoPicker({ photos, onChange, label = '照片' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const camera = useRef(null);
  const gallery = useRef(null);
  async function add(event) {
    const files = [...event.target.files];
    event.target.value = '';
    setBusy(true);
    setError(null);
    const added = [];
    for (const file of files) {
      try {
        added.push(await processPhoto(file));
      } catch (err) {
        setError(err.message);
      }
    }
    setBusy(false);
    const known = new Set(photos.map((p) => p.sha));
    onChange([...photos, ...added.filter((p) => !known.has(p.sha))]);
  }
  return html`<fieldset class="photo-picker">
    <legend>${label}${photos.length ? `（${photos.length}）` : ''}</legend>
    <div class="photo-picker-row">
      ${photos.map((p, i) => html`<figure class="photo-picker-item" key=${p.sha}>
        <img class="photo-thumb" src=${p.thumb} alt=${`第 ${i + 1} 张照片`} />
        <button type="button" class="photo-picker-remove" aria-label=${`删除第 ${i + 1} 张照片`}
          onClick=${() => onChange(photos.filter((x) => x.sha !== p.sha))}>×</button>
      </figure>`)}
    </div>
    <div class="button-row">
      <button type="button" class="button" onClick=${() => camera.current.click()} disabled=${busy}>拍照</button>
      <button type="button" class="button button-secondary" onClick=${() => gallery.current.click()} disabled=${busy}>相册</button>
    </div>
    <input ref=${camera} class="visually-hidden" type="file" accept="image/*" capture="environment"
      aria-label="拍照" tabindex="-1" onChange=${add} data-testid="photo-camera" />
    <input ref=${gallery} class="visually-hidden" type="file" accept="image/*" multiple
      aria-label="从相册选择" tabindex="-1" onChange=${add} data-testid="photo-gallery" />
    ${busy ? html`<p class="hint" role="status">正在压缩照片…</p>` : null}
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
  </fieldset>`;
}

export function StateBadge({ item, label, cls }) {
  return html`<span class=${`state-badge ${cls}`}>${label}</span>`;
}

// A thumbnail strip whose photos open full screen (ux.md: a thumbnail always opens a viewer):
// swipe or ‹ › between them, double-tap to zoom (then drag to look around), × to close.
export function PhotoGallery({ shas, owner, token, label = '照片', size }) {
  const [open, setOpen] = useState(null);
  if (!shas || !shas.length) return null;
  return html`<div class="photo-strip">${shas.map((sha, i) => html`<button type="button" class="photo-open" key=${sha}
      aria-label=${`查看${label}第 ${i + 1} 张`} onClick=${() => setOpen(i)}>
      <${PhotoThumb} owner=${owner} sha=${sha} token=${token} size=${size} alt=${`${label}第 ${i + 1} 张`} /></button>`)}
    ${open != null ? html`<${PhotoViewer} shas=${shas} index=${open} owner=${owner} token=${token} label=${label}
      onClose=${() => setOpen(null)} onIndex=${setOpen} />` : null}</div>`;
}

function PhotoViewer({ shas, index, owner, token, label, onClose, onIndex }) {
  const [zoom, setZoom] = useState(false);
  const start = useRef(null);
  const go = (d) => { setZoom(false); onIndex((index + d + shas.length) % shas.length); };
  useEffect(() => {
    const key = (e) => { if (e.key === 'Escape') onClose(); if (e.key === 'ArrowRight') go(1); if (e.key === 'ArrowLeft') go(-1); };
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, [index]);
  return html`<div class="viewer" role="dialog" aria-modal="true" aria-label=${`${label} ${index + 1} / ${shas.length}`}
      onTouchStart=${(e) => { start.current = e.touches.length === 1 ? e.touches[0].clientX : null; }}
      onTouchEnd=${(e) => { if (zoom || start.current == null) return; const dx = e.changedTouches[0].clientX - start.current;
        if (Math.abs(dx) > 60) go(dx < 0 ? 1 : -1); }}>
    <div class=${`viewer-stage${zoom ? ' viewer-zoomed' : ''}`} onDblClick=${() => setZoom(!zoom)}>
      <${PhotoThumb} key=${shas[index]} owner=${owner} sha=${shas[index]} token=${token} size="display" alt=${`${label}第 ${index + 1} 张`} />
    </div>
    <p class="viewer-count">${index + 1} / ${shas.length} · 双击放大</p>
    ${shas.length > 1 ? html`<button type="button" class="viewer-nav viewer-prev" aria-label="上一张" onClick=${() => go(-1)}>‹</button>
      <button type="button" class="viewer-nav viewer-next" aria-label="下一张" onClick=${() => go(1)}>›</button>` : null}
    <button type="button" class="viewer-close" aria-label="关闭" onClick=${onClose}>×</button>
  </div>`;
}
