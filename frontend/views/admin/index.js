// The admin console (issue 16): 概览, 组织, 用户, 日历, 规则, 通知 (issue 17), 日志. Loaded when an admin opens it,
// never part of the phone's shell. Desk-first (a column of navigation on the left, two panes),
// one column on a phone. Everything here talks to the server: an admin's changes need it.
import { useState, useEffect } from '../../vendor/hooks.js';
import { html, TopBar, Notice, Empty, addStyles } from '../ui.js';
import { api } from '../../api.js';
import { OrgView } from './org.js';
import { UsersView } from './users.js';
import { AuditView, AuditRows } from './audit.js';
import { CalendarView } from './calendar.js';
import { RulesView } from './rules.js';
import { NotifyView } from './notify.js';

addStyles(new URL('../desk.css', import.meta.url).href);
addStyles(new URL('./admin.css', import.meta.url).href);

export function AdminView({ ctx }) {
  const section = ctx.route.parts[1];
  if (section === 'org') return html`<${OrgView} ctx=${ctx} />`;
  if (section === 'users') return html`<${UsersView} ctx=${ctx} />`;
  if (section === 'calendar') return html`<${CalendarView} ctx=${ctx} />`;
  if (section === 'rules') return html`<${RulesView} ctx=${ctx} />`;
  if (section === 'log') return html`<${AuditView} ctx=${ctx} />`;
  if (section === 'notify') return html`<${NotifyView} ctx=${ctx} />`;
  return html`<${Overview} ctx=${ctx} />`;
}

// Home: what needs the admin (an uncovered calendar year, accounts waiting for a first
// login) and the latest changes (ux.md).
function Overview({ ctx }) {
  const [state, setState] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    Promise.all([
      api('/api/calendar/status', { token: ctx.token }),
      api('/api/users', { token: ctx.token }),
      api('/api/audit?limit=10', { token: ctx.token }),
      api('/api/settings', { token: ctx.token }),
    ]).then(([calendar, users, audit, settings]) => live && setState({ calendar, users, audit, settings }),
      (err) => live && setError(err.message));
    return () => { live = false; };
  }, []);
  const pending = state ? state.users.filter((u) => u.is_active && u.must_change_password) : [];
  const open = state ? state.settings.values.filter((v) => !v.configured && !v.local) : [];
  return html`<main class="screen admin-screen">
    <${TopBar} title="系统管理" />
    ${error ? html`<${Notice} kind="error">${error}</${Notice}>` : null}
    ${!state && !error ? html`<p class="hint">正在读取…</p>` : null}
    ${state ? html`<section aria-labelledby="todo-h">
      <h2 id="todo-h">待处理</h2>
      ${state.calendar.warning ? html`<${Notice} kind="warn">${state.calendar.warning} <a href="#/admin/calendar">打开日历</a></${Notice}>` : null}
      ${pending.length ? html`<${Notice} kind="info">${pending.length} 个账号尚未完成首次登录改密：
        ${pending.map((u, i) => html`${i ? '、' : ''}<a href=${`#/admin/users/${u.id}`}>${u.display_name}</a>`)}</${Notice}>` : null}
      ${open.length ? html`<${Notice} kind="warn">${open.length} 项评分数值待配置或待确认（如 ${open[0].label}） <a href="#/admin/rules">打开规则设置</a></${Notice}>` : null}
      ${!state.calendar.warning && !pending.length && !open.length ? html`<p class="hint">暂无待处理事项</p>` : null}
      <p class="hint">规则：${state.settings.version ? `第 ${state.settings.version} 版设置` : '按评分标准文件原值'} ·
        在用账号 ${state.users.filter((u) => u.is_active).length} 个 ·
        <a href="#/admin/org">组织机构</a> · <a href="#/admin/users">用户</a></p>
    </section>
    <section class="admin-section" aria-labelledby="recent-h">
      <h2 id="recent-h">最近变更</h2>
      ${state.audit.items.length ? html`<${AuditRows} items=${state.audit.items} />` : html`<${Empty}>暂无变更记录</${Empty}>`}
      <a class="button button-secondary" href="#/admin/log">查看全部日志</a>
    </section>` : null}
  </main>`;
}

