// Account, sync and storage status, export/import of the pending queue, logout.
import { useState, useEffect } from '../vendor/hooks.js';
import { html, TopBar, Notice, download, formatTime } from './ui.js';
import { isUnsent } from '../logic/outbox.js';
import { wallClock, shownDate } from '../logic/worktime.js';
import * as db from '../db.js';
import * as sync from '../sync.js';


export function MeView({ ctx }) {
  const [message, setMessage] = useState(null);
  const [others, setOthers] = useState(0);
  const unsent = ctx.data.items.filter(isUnsent).length;
  useEffect(() => {
    // Only a count: user B must not see user A's items, but should know not to wipe the phone.
    db.allItems().then((all) => setOthers(all.filter((i) => i.owner !== ctx.userId && isUnsent(i)).length));
  }, [ctx.data.items]);
  const s = ctx.storage;
  const mb = (n) => (n / 1024 / 1024).toFixed(1);

  async function exportNow() {
    const blob = await sync.exportQueue(ctx.userId);
    const t = wallClock(Date.now()), pad = (n) => String(n).padStart(2, '0');
    const stamp = `${shownDate().replace(/-/g, '')}${pad(t.hour)}${pad(t.minute)}`;
    download(blob, `巡检待发送-${ctx.user.username}-${stamp}.json`);
    setMessage({ kind: 'ok', text: `已导出 ${unsent} 条待发送记录（含照片）` });
  }

  async function importNow(event) {
    const file = event.target.files[0];
    event.target.value = '';
    if (!file) return;
    try {
      const { added, skipped } = await sync.importQueue(await file.text());
      setMessage({ kind: 'ok', text: `已导入 ${added} 条${skipped ? `，${skipped} 条本机已有` : ''}` });
      ctx.reload();
    } catch (err) {
      setMessage({ kind: 'error', text: `导入失败：${err.message}` });
    }
  }

  return html`<main class="screen">
    <${TopBar} title="我的" />
    <dl class="facts">
      <dt>姓名</dt><dd>${ctx.user.display_name}</dd>
      <dt>账号</dt><dd>${ctx.user.username}（${ctx.user.role_label || ctx.user.role}）</dd>
      <dt>网络</dt><dd>${ctx.online ? '在线' : '离线'}</dd>
      <dt>待发送</dt><dd data-testid="unsent-count">${unsent} 条</dd>
      <dt>上次同步</dt><dd>${ctx.syncStatus.lastSync ? formatTime(ctx.syncStatus.lastSync) : '—'}</dd>
      ${s && s.quota ? html`<dt>本机存储</dt><dd>已用 ${mb(s.usage)} MB / 配额 ${mb(s.quota)} MB</dd>` : null}
      <dt>长期保存</dt><dd>${s ? (s.persisted ? '已允许' : '未允许') : '—'}</dd>
    </dl>
    ${s && s.warning ? html`<${Notice} kind="warn">${s.warning}</${Notice}>` : null}
    ${ctx.syncStatus.lastError ? html`<${Notice} kind="warn">上次发送未成功：${ctx.syncStatus.lastError}</${Notice}>` : null}
    ${others ? html`<${Notice} kind="info">本机还有其他用户的 ${others} 条未发送记录，将在其本人登录后发送</${Notice}>` : null}
    ${message ? html`<${Notice} kind=${message.kind}>${message.text}</${Notice}>` : null}
    <div class="button-stack">
      <button type="button" class="button" onClick=${() => { sync.runOutbox({ force: true }); sync.pull().then(ctx.reload).catch(() => {}); }}>立即同步</button>
      <button type="button" class="button button-secondary" onClick=${exportNow} disabled=${!unsent}>导出待发送记录（含照片）</button>
      <label class="button button-secondary">导入待发送记录
        <input class="visually-hidden" type="file" accept="application/json,.json" onChange=${importNow} data-testid="import-file" />
      </label>
      <button type="button" class="button button-secondary" onClick=${() => ctx.refreshStorage()}>检查存储空间</button>
      <a class="button button-secondary" href="#/password">修改密码</a>
      <button type="button" class="button button-danger" onClick=${() => {
        if (!unsent || confirm(`还有 ${unsent} 条未发送。退出后这些记录保留在本机，您再次登录时自动发送。确定退出？`)) ctx.onLogout();
      }}>退出登录</button>
    </div>
  </main>`;
}
