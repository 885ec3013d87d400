// Small pieces the inspection screens share: today's date, score text, an item's status chip,
// the rubric's sections.
import { html } from '../ui.js';

export function rubricOf(ctx, id) {
  return ((ctx.data.rubrics && ctx.data.rubrics.rubrics) || []).find((r) => r.id === id) || null;
}

export { shownDate as today } from '../../logic/worktime.js';

// 分 with decimals only when the value has them (ux.md): 98, 87.3, 98.4
export function scoreText(value) {
  if (value == null) return '—';
  const n = Number(value);
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export function ItemStatus({ res, touched, na }) {
  if (na) return html`<span class="item-status item-na">未检查</span>`; // as the result says
  if (!touched) return html`<span class="item-status item-untouched">未填写</span>`;
  if (!res) return null;
  if (res.status === 'error') return html`<span class="item-status item-error">有误</span>`;
  if (res.lines.some((l) => l.status === 'veto')) return html`<span class="item-status item-deduct">一票否决</span>`;
  if (res.status === 'pending') return html`<span class="item-status item-pending">待汇总</span>`;
  if (res.kind === 'bonus') {
    return Number(res.bonus) ? html`<span class="item-status item-bonus">+${scoreText(res.bonus)}</span>`
      : html`<span class="item-status item-ok">无加分</span>`;
  }
  if (res.kind === 'award') return html`<span class="item-status item-ok">得 ${scoreText(res.score)}</span>`;
  if (res.status === 'incomplete' || res.status === 'invalid') {
    return html`<span class="item-status item-pending">${res.status === 'invalid' ? '不计分' : '未填完'}</span>`;
  }
  return Number(res.deduction) ? html`<span class="item-status item-deduct">−${scoreText(res.deduction)}</span>`
    : html`<span class="item-status item-ok">符合</span>`;
}

/** The rubric's items by group, ungrouped ones (bonus items) last. */
export function sectionsOf(rubric) {
  const groups = rubric.groups || [];
  const grouped = groups.map((g) => ({ key: g.id, name: g.name, items: rubric.items.filter((i) => i.group === g.id) }));
  const rest = rubric.items.filter((i) => !groups.some((g) => g.id === i.group));
  const main = rest.filter((i) => i.kind !== 'bonus');
  const bonus = rest.filter((i) => i.kind === 'bonus');
  return [...grouped, { key: '_main', name: groups.length ? '其他项目' : null, items: main },
    { key: '_bonus', name: '加分项', items: bonus }].filter((s) => s.items.length);
}
