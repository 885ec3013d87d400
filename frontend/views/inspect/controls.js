// The entry form each clause needs (logic/rubric.js itemInputs → control): a stepper for counts,
// 扣分/不扣分 for fixed deductions, a veto, time-node submissions, a measured value with its
// sample, awarded points, bonus occurrences. Each shows what the clause costs as entered.
import { html } from '../ui.js';
import { sampleOf } from '../../logic/inspection.js';
import { scoreText } from './parts.js';

// Points earned (awards, bonuses, measured values) read as good news, never as a deduction.
const EARNS = new Set(['occurrences', 'measure', 'award']);

function Line({ line, earns }) {
  if (!line) return null;
  const cls = line.status === 'error' ? 'line-error'
    : !earns && line.amount && Number(line.amount) ? 'line-deduct' : 'line-ok';
  return html`<p class=${`clause-line ${cls}`} role="status">${line.detail}</p>`;
}

function Stepper({ input, value, onChange, bonus }) {
  const n = Number.isInteger(value) ? value : 0;
  const label = bonus ? `每${input.unit}加 ${scoreText(input.per)} 分` : `每${input.unit}扣 ${scoreText(input.per)} 分`;
  return html`<div class="stepper" role="group" aria-label=${input.text || input.clause}>
    <button type="button" class="stepper-button" aria-label="减一" disabled=${n <= 0}
      onClick=${() => onChange(n - 1)}>−</button>
    <input class="stepper-value" type="number" inputmode="numeric" min="0" step="1" value=${value ?? ''}
      placeholder="0" aria-label=${`${input.unit}数`} data-testid=${`count-${input.clause}`}
      onChange=${(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
    <span class="stepper-unit">${input.unit}</span>
    <button type="button" class="stepper-button" aria-label="加一" onClick=${() => onChange(n + 1)}>+</button>
    <span class="stepper-rule">${label}${input.cap ? `，最多 ${scoreText(input.cap)} 分` : ''}</span>
  </div>`;
}

function YesNo({ input, value, onChange }) {
  const veto = input.control === 'yesno' && input.type === 'veto';
  const yes = veto ? '一票否决' : `扣 ${scoreText(input.amount)} 分`;
  const no = veto ? '不否决' : '不扣分';
  return html`<div class="segmented" role="radiogroup" aria-label=${input.text || input.clause}>
    <button type="button" role="radio" aria-checked=${value === false} class=${`segmented-item${value === false ? ' segmented-active' : ''}`}
      onClick=${() => onChange(false)}>${no}</button>
    <button type="button" role="radio" aria-checked=${value === true} data-testid=${`yes-${input.clause}`}
      class=${`segmented-item${value === true ? ' segmented-active segmented-bad' : ''}`}
      onClick=${() => onChange(true)}>${yes}</button>
  </div>`;
}

const NODE_CHOICES = [['on_time', '按时报送'], ['late', '逾期报送'], ['missing', '未报送']];

function TimeNodes({ input, value, onChange }) {
  const nodes = input.nodes || [];
  if (!nodes.length) return html`<p class="hint">本期没有该项的时间节点</p>`;
  const current = value && typeof value === 'object' ? value : {};
  const set = (deadline, v) => {
    const next = { ...current };
    if (v === undefined) delete next[deadline]; else next[deadline] = v;
    onChange(Object.keys(next).length ? next : undefined);
  };
  return html`<div class="time-nodes">${nodes.map((node) => {
    // on time, missing, late with its date ('YYYY-MM-DD'), or late before the date is entered
    const v = current[node.deadline];
    const kind = v === 'on_time' || v === 'missing' ? v : v != null ? 'late' : null;
    const lateDate = typeof v === 'string' && v !== 'on_time' && v !== 'missing' ? v : '';
    if (!node.due) return html`<p class="hint" key=${node.deadline}>节点 ${node.deadline}：未到期</p>`;
    return html`<fieldset class="time-node" key=${node.deadline}>
      <legend>节点 ${node.deadline}${input.late ? `（逾期扣 ${scoreText(input.late)} 分，` : '（'}未报送扣 ${scoreText(input.missing)} 分）</legend>
      <div class="segmented" role="radiogroup">${NODE_CHOICES.map(([k, label]) => html`
        <button type="button" role="radio" aria-checked=${kind === k} data-testid=${`node-${node.deadline}-${k}`}
          class=${`segmented-item${kind === k ? ' segmented-active' : ''}${kind === k && k !== 'on_time' ? ' segmented-bad' : ''}`}
          onClick=${() => set(node.deadline, k === 'late' ? (kind === 'late' ? v : { status: 'late' }) : k)}>${label}</button>`)}</div>
      ${kind === 'late' ? html`<label class="field">报送日期<input type="date" value=${lateDate} data-testid=${`node-${node.deadline}-date`}
        onChange=${(e) => set(node.deadline, e.target.value || { status: 'late' })} /></label>` : null}
    </fieldset>`;
  })}</div>`;
}

function Measure({ input, value, onChange, facts }) {
  const v = value && typeof value === 'object' ? value : {};
  const households = v.households ?? (facts && facts.households) ?? null;
  const num = (s) => (s === '' ? undefined : Number(s));
  const put = (changes) => {
    const next = { ...v, households, ...changes };
    for (const k of Object.keys(next)) if (next[k] === undefined || next[k] === null) delete next[k];
    onChange(next.value === undefined ? undefined : next);
  };
  const sample = sampleOf(input, { sampled: v.sampled, households });
  return html`<div class="measure">
    <label class="field">满意度（%）<input type="number" inputmode="decimal" min="0" max="100" step="0.1"
      value=${v.value ?? ''} data-testid=${`measure-${input.clause}-value`} onChange=${(e) => put({ value: num(e.target.value) })} /></label>
    <div class="measure-sample">
      <label class="field">调查户数<input type="number" inputmode="numeric" min="0" step="1" value=${v.sampled ?? ''}
        data-testid=${`measure-${input.clause}-sampled`} onChange=${(e) => put({ sampled: num(e.target.value) })} /></label>
      <label class="field">小区总户数<input type="number" inputmode="numeric" min="1" step="1" value=${households ?? ''}
        data-testid=${`measure-${input.clause}-households`} onChange=${(e) => put({ households: num(e.target.value) })} /></label>
    </div>
    ${sample ? html`<p class=${`hint ${sample.enough ? '' : 'line-error'}`}>样本 ${sample.pct}%${sample.least != null
      ? (sample.enough ? `（不少于 ${sample.least}%）` : `：样本不足（须不少于 ${sample.least}%），本项不计分`) : ''}</p>` : null}
    ${input.tiers ? html`<p class="hint">${input.tiers.map((t) => `≥${scoreText(t.min)}% 得 ${scoreText(t.points)}`).join('，')}</p>` : null}
  </div>`;
}

function Award({ input, value, onChange }) {
  const max = Number(input.max);
  return html`<div class="award">
    <label class="field">得分（0–${scoreText(max)}）<input type="number" inputmode="decimal" min="0" max=${max} step="0.5"
      value=${value ?? ''} data-testid=${`award-${input.clause}`}
      onChange=${(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} /></label>
    <div class="button-row">${[0, max / 2, max].map((p) => html`<button type="button" class="button button-small button-secondary"
      onClick=${() => onChange(p)}>${scoreText(p)} 分</button>`)}</div>
  </div>`;
}

// `shown`: the item's words already on screen (a clause that only repeats its 评分办法 is not said twice)
export function Control({ input, value, line, error, facts, shown, onChange }) {
  let body;
  switch (input.control) {
    case 'stepper': body = html`<${Stepper} input=${input} value=${value} onChange=${onChange} />`; break;
    case 'occurrences': body = html`<${Stepper} input=${input} value=${value} onChange=${onChange} bonus />`; break;
    case 'yesno': body = html`<${YesNo} input=${input} value=${value} onChange=${onChange} />`; break;
    case 'timenode': body = html`<${TimeNodes} input=${input} value=${value} onChange=${onChange} />`; break;
    case 'measure': body = html`<${Measure} input=${input} value=${value} onChange=${onChange} facts=${facts} />`; break;
    case 'award': body = html`<${Award} input=${input} value=${value} onChange=${onChange} />`; break;
    default: body = html`<p class="hint">待汇总：本条由服务器按问题记录或与同级单位比较计算</p>`;
  }
  return html`<section class="clause" data-testid=${`clause-${input.clause}`}>
    ${input.text && input.text !== shown ? html`<p class="clause-text">${input.text}</p>` : null}
    ${input.needsConfiguration ? html`<p class="hint line-error">分值待配置：${input.needsConfiguration}</p>` : null}
    ${body}
    ${error ? html`<p class="clause-line line-error" role="alert">${error}</p>` : html`<${Line} line=${line} earns=${EARNS.has(input.control)} />`}
  </section>`;
}
