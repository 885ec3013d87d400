// Offline rubric evaluator: backend/scoring ported over the pull's rubric data (decimals as
// strings, unsettled values as {value, needs_configuration}): no second rulebook. Pure, exact.
// evaluate(rubric, {period, as_of, facts, not_assessed, observations}) → {total, rawTotal, base,
//   deductions, bonus, complete, pending, vetoed, grade, money: {amount, detail, months, rate},
//   items: [{id, title, kind, points, deduction, bonus, score, status, capped,
//   lines: [{clause, amount, detail, status}]}], warnings, errors}, numbers as the server's text.
// Statuses are the server's, plus:
// - pending: `rank` (needs the peers) and `catalog_findings` (counted by the server) are not
//   computed here: a line {amount: null, status: 'pending'}; the item counts its other clauses;
//   the result is pending, not complete, without grade or money (待汇总).
// - error: a value the server refuses, returned for the form ({item, clause} or {field}).

import { Dec, ZERO, dec, max, min, sum } from './decimal.js';

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o, k) => (isMap(o) && Object.hasOwn(o, k) ? o[k] : undefined);
const val = (a) => { const v = isMap(a) ? a.value : a; return v == null ? null : dec(v); };
const show = (v) => { try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } }; // BigInt
const str = (d) => d?.toString() ?? null;

class Bad extends Error {} // a refused value, reported per clause

const count = (v) => {
  if (!Number.isInteger(v) || v < 0) throw new Bad(`应为非负整数（次数/个数）（现为 ${show(v)}）`);
  return dec(v).n; // 1e21 as the server reads it (10^21), not the double's binary value
};
const number = (v) => {
  const d = typeof v === 'number' ? dec(v) : null;
  if (!d) throw new Bad(`应为数值（现为 ${show(v)}）`);
  if (d.n < 0n) throw new Bad(`数值不能小于 0（现为 ${d}）`);
  return d;
};
const monthDays = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const isDate = (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v) && v > '0001'
  && new Date(Date.parse(v) || 0).toISOString().startsWith(v);
const dateMsg = (v) => `日期格式应为 YYYY-MM-DD（现为 ${show(v)}）`;
const pad = (n, w = 2) => String(n).padStart(w, '0');
const iso = (y, m, d) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

// A time node's deadlines in the period; 2月30日 is clamped to the month's end.
export function instances(deadline, period) {
  const { every, day } = deadline, out = [];
  for (let y = +period.start.slice(0, 4); y <= +period.end.slice(0, 4); y++) {
    const months = every === 'quarter' ? [0, 3, 6, 9].map((m) => m + deadline.month_of_quarter)
      : every === 'month' ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : [deadline.month];
    for (const m of months) {
      const d = iso(y, m, Math.min(day, monthDays(y, m)));
      if (period.start <= d && d <= period.end) out.push(d);
    }
  }
  return out;
}

const STATUSES = ['on_time', 'late', 'missing'];

// [deadline, status (null: not recorded), submitted] per instance due by as_of
function nodes(c, raw, period, asOf) {
  const due = instances(c.deadline, period).filter((d) => d <= asOf), list = due.join(', ') || '无';
  const one = (v, d) => {
    if (v === undefined) return [d, null];
    if (v === null) return [d, 'missing'];
    if (STATUSES.includes(v)) return [d, v];
    if (isMap(v)) {
      const keys = Object.keys(v).join();
      if (keys === 'status' && STATUSES.includes(v.status)) return [d, v.status];
      if (keys !== 'submitted') {
        throw new Bad('报送情况应为日期、null、on_time/late/missing，或 {submitted: 日期} / {status: …}');
      }
      if ((v = v.submitted) === null) return [d, 'missing'];
    }
    if (!isDate(v)) throw new Bad(dateMsg(v));
    if (v > asOf) throw new Bad(`报送日期 ${v} 晚于评估日期 ${asOf}`);
    if (v < period.start) throw new Bad(`报送日期 ${v} 早于考核期间开始日 ${period.start}`); // another period's
    return [d, (c.inclusive === false ? v < d : v <= d) ? 'on_time' : 'late', v];
  };
  const keys = isMap(raw) ? Object.keys(raw) : [];
  if (keys.length && keys.every(isDate)) {
    const extra = keys.filter((k) => !due.includes(k)).sort();
    if (extra.length) throw new Bad(`${extra[0]} 不是本期已到期的时间节点（本期节点: ${list}）`);
    return due.map((d) => one(raw[d], d));
  }
  if (raw === undefined) return due.map((d) => [d, null]);
  if (due.length !== 1) throw new Bad(`本期有 ${due.length} 个时间节点（${list}），请按节点日期分别记录`);
  return [one(raw, due[0])];
}

const byMin = (tiers) => [...tiers].sort((a, b) => dec(b.min).cmp(dec(a.min)));
const TIER_KEYS = ['value', 'sample', 'sampled', 'households'];

// A clause and its observation (undefined: none) → lines
function clauseLines(item, c, raw, ctx) {
  const line = (amount, detail, status = amount ? 'ok' : 'needs_configuration') =>
    [{ clause: c.id, amount, detail, status }];
  const priced = (a, what, detail) => {
    ctx.flag(item, c.id, a, what);
    const v = val(a);
    return line(v, detail(v ?? '未配置'));
  };
  const unrecorded = (detail) => line(null, detail, 'not_recorded');
  switch (c.type) {
    case 'per_unit': {
      if (raw === undefined) return [];
      const n = count(raw);
      if (c.max_count != null && n > c.max_count) throw new Bad(`最多 ${c.max_count}${c.unit}（现为 ${n}）`);
      if (!n) return [];
      ctx.flag(item, c.id, c.per, '每单位分值');
      const per = val(c.per), cap = val(c.cap);
      if (!per) return line(null, `${n}${c.unit} × 未配置分值`);
      const a = per.mul(new Dec(n)), detail = `${n}${c.unit} × ${per} = ${a}`;
      return cap && a.cmp(cap) > 0 ? line(cap, `${detail}，本条最多 ${cap}`) : line(a, detail);
    }
    case 'fixed':
    case 'veto':
      if (raw === undefined) return [];
      if (typeof raw !== 'boolean') throw new Bad(`应为 true 或 false（现为 ${show(raw)}）`);
      if (!raw) return [];
      if (c.type === 'veto') return line(ZERO, '一票否决', 'veto');
      return priced(c.amount, '分值', (a) => (a === '未配置' ? '分值未配置' : `扣 ${a}`));
    case 'time_node': {
      if (!ctx.period) {
        if (raw === undefined) return unrecorded('观测未给出考核期（period），时间节点未评分');
        throw new Bad('含时间节点的评分标准须在观测中给出 period（期初、期末）');
      }
      return nodes(c, raw, ctx.period, ctx.asOf).flatMap(([d, st, sub]) => {
        if (!st) return unrecorded(`节点 ${d} 未记录报送情况`);
        const word = st === 'late' ? '逾期报送' : '未报送', cfg = st === 'late' ? c.late : c.missing;
        if (st === 'on_time' || cfg == null) return [];
        return priced(cfg, `${word}分值`, (a) => `节点 ${d}：${word}${sub ? `（${sub}）` : ''}，扣 ${a}`);
      });
    }
    case 'tiers': {
      if (raw === undefined) return item.kind === 'bonus' ? [] : unrecorded('未记录测评结果');
      if (!isMap(raw) || !('value' in raw)) {
        throw new Bad('测评结果应为 {value: 百分比, sample: 样本百分比} 或 {value, sampled, households}');
      }
      const extra = Object.keys(raw).filter((k) => !TIER_KEYS.includes(k)).sort();
      if (extra.length) throw new Bad(`未知字段 ${extra.join(', ')}`);
      const v = number(raw.value);
      if (v.cmp(new Dec(100n)) > 0) throw new Bad(`百分比不能超过 100（现为 ${v}）`);
      let sample = null;
      if ('sample' in raw) sample = number(raw.sample);
      else if ('sampled' in raw && 'households' in raw) {
        const k = count(raw.sampled), n = count(raw.households);
        if (!n || k > n) throw new Bad('样本户数须不超过总户数且总户数大于 0');
        sample = new Dec(k * 100n).div(new Dec(n));
      }
      if (c.min_sample != null) {
        const label = c.sample_label || '样本', least = dec(c.min_sample);
        if (!sample) throw new Bad(`须给出 sample（${label}，%）或 sampled + households`);
        if (sample.cmp(least) < 0) {
          return line(null, `${label} ${sample}% 低于 ${least}%，测评无效，本项不计分`, 'invalid');
        }
      }
      const t = byMin(c.tiers).find((t) => v.cmp(dec(t.min)) >= 0);
      if (!t) return line(ZERO, `${v}% 未达最低档，得 0`);
      return priced(t.points, '档次分值', (a) => `${v}% ≥ ${dec(t.min)}%，得 ${a}`);
    }
    case 'award': {
      if (raw === undefined) return unrecorded('未打分');
      const v = number(raw), most = dec(c.max);
      if (v.cmp(most) > 0) throw new Bad(`得分不能超过本项分值 ${most}（现为 ${v}）`);
      return line(v, `得 ${v} / ${most}`, 'ok');
    }
    case 'rank': // checked here, ranked by the server
      if (raw !== undefined) number(raw);
      return line(null, '排名扣分需与同级单位比较，待汇总', 'pending');
    default: // catalog_findings, or a type this version does not know
      return line(null, '由服务器汇总计分，待汇总', 'pending');
  }
}

// the item takes its heaviest line status
const WEIGHT = { pending: 1, needs_configuration: 2, not_recorded: 2, invalid: 3, error: 4 };
const ITEM_STATUS = ['scored', 'pending', 'incomplete', 'invalid', 'error'];

function itemResult(item, ctx) {
  const kind = item.kind || 'deduct', points = val(item.points), cap = val(item.cap);
  const res = (deduction, bonus, score, status, capped, lines) =>
    ({ id: item.id, title: item.title, kind, points, deduction, bonus, score, status, capped, lines });
  if (ctx.na.has(item.id)) return res(ZERO, ZERO, null, 'not_assessed', false, []);
  const values = own(ctx.values, item.id), lines = [];
  for (const c of item.clauses) {
    try {
      lines.push(...clauseLines(item, c, own(values, c.id), ctx));
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.errors.push({ item: item.id, clause: c.id, message: `${item.id}/${c.id}: ${e.message}` });
      lines.push({ clause: c.id, amount: null, detail: e.message, status: 'error' });
    }
  }
  if (lines.length && item.points?.value != null) ctx.flag(item, '(分值)', item.points, '分值');
  const known = sum(lines.filter((l) => l.amount).map((l) => l.amount));
  const status = ITEM_STATUS[Math.max(0, ...lines.map((l) => WEIGHT[l.status] || 0))];
  for (const l of lines) if (WEIGHT[l.status] < 4) ctx.warn(`第${item.id}项“${item.title}”：${l.detail}`);

  if (kind === 'bonus') {
    const bonus = cap ? min(known, cap) : known;
    return res(ZERO, bonus, null, status === 'invalid' ? 'scored' : status, bonus.cmp(known) < 0, lines);
  }
  if (kind === 'award') {
    const awarded = points ? min(known, points) : known;
    return res(points ? points.sub(awarded) : ZERO, ZERO, status === 'scored' ? awarded : null, status,
      awarded.cmp(known) < 0, lines);
  }
  const deduction = [points, cap].reduce((d, limit) => (limit ? min(d, limit) : d), known);
  if (!points && isMap(item.points) && known.n > 0n) {
    ctx.warn(`第${item.id}项“${item.title}”分值未配置，本项扣分 ${known} 未按分值封顶`);
  }
  return res(deduction, ZERO, points?.sub(deduction) ?? null, status, deduction.cmp(known) < 0, lines);
}

// observations.from_data (one subject) and engine._check_keys
function frame(rubric, doc, errors) {
  const fail = (field, message) => errors.push({ field, message });
  const { period: p, as_of: asOf, not_assessed: na = [], observations: values = {} } = doc;
  const ctx = { period: null, asOf: null, facts: isMap(doc.facts) ? doc.facts : {}, na: new Set(), values: {} };
  if (isMap(p) && Object.keys(p).sort().join() === 'end,start' && isDate(p.start) && isDate(p.end)
    && p.start <= p.end) ctx.period = p;
  else if (p !== undefined) fail('period', `period 须为 {start, end}（YYYY-MM-DD，期末不早于期初）：${show(p)}`);
  if (asOf !== undefined && !isDate(asOf)) fail('as_of', dateMsg(asOf));
  ctx.asOf = isDate(asOf) ? asOf : ctx.period?.end;
  const ids = (list) => Array.isArray(list) && list.every((x) => typeof x === 'string' || Number.isInteger(x));
  if (ids(na)) ctx.na = new Set(na.map(String));
  else fail('not_assessed', 'not_assessed 须为项目编号列表');
  if (isMap(values) && Object.values(values).every(isMap)) ctx.values = values;
  else fail('observations', 'observations 须为 {项目编号: {条款编号: 值}}');

  const itemIds = rubric.items.map((i) => i.id);
  for (const [id, clauses] of Object.entries(ctx.values)) {
    const item = rubric.items[itemIds.indexOf(id)];
    if (!item) {
      errors.push({ item: id, message: `评分标准中没有第“${id}”项` });
      continue;
    }
    const cids = item.clauses.map((c) => c.id);
    for (const cid of Object.keys(clauses)) {
      if (!cids.includes(cid)) errors.push({ item: id, clause: cid, message: `第${id}项没有条款“${cid}”` });
    }
  }
  for (const id of ctx.na) if (!itemIds.includes(id)) fail('not_assessed', `not_assessed 中的“${id}”不是评分项目`);
  return ctx;
}

const plain = (v) => (v instanceof Dec ? v.toString() : Array.isArray(v) ? v.map(plain)
  : isMap(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);

export const VETO_GRADE = '一票否决';

export function evaluate(rubric, doc = {}) {
  const errors = isMap(doc) ? [] : [{ field: 'observations', message: '观测数据必须是键值映射' }];
  const warnings = [], ctx = frame(rubric, isMap(doc) ? doc : {}, errors);
  const warn = (ctx.warn = (w) => warnings.includes(w) || warnings.push(w));
  ctx.errors = errors;
  // a needs-configuration value is named wherever used, never silently 0
  ctx.flag = (item, clause, a, what) => isMap(a) && warn(`第${item.id}项“${item.title}”条款 ${clause} 的${what}`
    + `需要配置（${a.value != null ? `当前配置值 ${dec(a.value)}` : '尚未配置'}）：${a.needs_configuration}`);
  const items = rubric.items.map((it) => itemResult(it, ctx));
  const counted = items.filter((i) => i.kind !== 'bonus'), bcap = val(rubric.bonus_cap);
  const base = rubric.base != null ? dec(rubric.base)
    : val(rubric.total) ?? sum(counted.map((i) => i.points || ZERO));
  const deductions = sum(counted.map((i) => i.deduction));
  const earned = sum(items.filter((i) => i.kind === 'bonus').map((i) => i.bonus));
  const bonus = bcap ? min(earned, bcap) : earned;
  const rawTotal = base.sub(deductions).add(bonus), floor = dec(rubric.floor ?? 0);
  const vetoes = items.filter((i) => i.lines.some((l) => l.status === 'veto'));
  const vetoed = vetoes.length > 0, pending = items.some((i) => i.lines.some((l) => l.status === 'pending'));
  const complete = !errors.length && items.every((i) => i.status === 'scored' || i.status === 'not_assessed');
  if (!vetoed && rawTotal.cmp(floor) < 0) warn(`扣分合计超过基础分，总分按 ${floor} 计（未截断为 ${rawTotal}）`);

  let grade = null, money = null;
  if (vetoed) {
    grade = VETO_GRADE;
    warn(`一票否决：${vetoes.map((i) => `第${i.id}项“${i.title}”`).join('、')}`);
  } else if (rubric.grades?.length) {
    if (!complete) warn(`${pending && !errors.length ? '部分项目待汇总' : '结果不完整'}，暂不评定等次，也不计算补贴`);
    else if (!(grade = gradeFor(rubric.grades, max(floor, rawTotal)))) warn('等次分数线需要配置，未定等次');
  }
  if (errors.length) grade = null;
  if (rubric.subsidy && grade && !vetoed) money = facts(rubric.subsidy, grade, ctx, errors);
  return plain({ rubric: rubric.id, total: vetoed ? ZERO : max(floor, rawTotal), rawTotal, base, deductions,
    bonus, complete, pending, vetoed, grade, money, items, warnings, errors });
}

function facts(rule, grade, ctx, errors) {
  // seed 003 七(二)3: an observation that makes the compound ineligible gives 0, with its reason
  const no = (rule.not_eligible_when || []).find((r) => ctx.values[r.item]?.[r.clause] === true);
  if (no) return ctx.warn(no.reason) && { amount: '0.00', detail: no.reason, months: 0, rate: null };
  const { area_m2: area, moved_in: movedIn } = ctx.facts, a = typeof area === 'object' ? null : dec(area);
  const bad = (field, message) => errors.push({ field, message }) && null;
  if (area == null) return ctx.warn('未提供建筑面积（facts.area_m2），不计算补贴') && null;
  if (!a || a.n < 0n) return bad('facts.area_m2', `facts.area_m2: 应为非负数值（现为 ${show(area)}）`);
  if (movedIn != null && !isDate(movedIn)) return bad('facts.moved_in', `facts.moved_in: ${dateMsg(movedIn)}`);
  const [money, warnings] = subsidy(rule, grade, a, ctx.period, movedIn);
  warnings.forEach(ctx.warn);
  return money;
}

// highest band whose min (inclusive) the score reaches; none while a min is unset
export function gradeFor(bands, score) {
  if (bands.some((b) => b.min != null && !val(b.min))) return null;
  const s = dec(score), keyed = [...bands].sort((a, b) =>
    (a.min == null) - (b.min == null) || (a.min != null && val(b.min).cmp(val(a.min))));
  return keyed.find((b) => b.min == null || s.cmp(val(b.min)) >= 0)?.name ?? null;
}

// area × rate × months to the fen (ROUND_HALF_UP) → [{amount, detail, months, rate}, warnings]
export function subsidy(rule, grade, area, period, movedIn) {
  if (!Object.hasOwn(rule.rates, grade)) {
    const w = `等次“${grade}”没有补贴标准`;
    return [{ amount: null, detail: w, months: null, rate: null }, [w]];
  }
  const rate = val(rule.rates[grade]), warnings = [];
  if (rate == null) {
    const w = `${grade}等次的补贴标准待配置`;
    return [{ amount: null, detail: w, months: null, rate: null }, [w]];
  }
  const years = rule.years == null ? null : Number(val(rule.years).toString()); // a whole number of years
  let months = rule.months_per_period ?? 6;
  if (period && movedIn && years) {
    // a month counts when its 1st is in [move-in month, move-in + years): months as y × 12 + m
    const [ps, pe, mi] = [period.start, period.end, movedIn].map((d) => d.slice(0, 4) * 12 + +d.slice(5, 7));
    const last = mi + years * 12 - (movedIn.endsWith('-01') ? 1 : 0);
    months = Math.max(0, Math.min(pe, last) - Math.max(ps, mi) + 1);
    if (months !== pe - ps + 1) warnings.push(`补贴期限为进驻之日（${movedIn}）起${years}年，本期计 ${months} 个月`);
  } else if (years) {
    warnings.push(`未提供物业进驻日期（facts.moved_in），未核对${years}年补贴期限`);
  }
  const amount = dec(area).mul(rate).mul(new Dec(BigInt(months))).fixed(2);
  const detail = `${dec(area)}㎡ × ${rate}元/㎡/月 × ${months}个月 = ${amount}元`;
  return [{ amount, detail, months, rate: str(rate) }, warnings];
}

// The form's control per clause of an item (or id): stepper, occurrences (bonus per_unit), yesno
// (fixed, veto), timenode (nodes of the period, due by as_of), measure (tiers), award, pending.
const CONTROLS = { per_unit: 'stepper', fixed: 'yesno', veto: 'yesno', time_node: 'timenode', tiers: 'measure',
  award: 'award' };

export function itemInputs(rubric, item, { period = null, as_of: asOf = period?.end } = {}) {
  if (typeof item === 'string') item = rubric.items.find((i) => i.id === item);
  const bonus = item.kind === 'bonus';
  return item.clauses.map((c) => {
    const out = { clause: c.id, type: c.type, text: c.text ?? null,
      control: bonus && c.type === 'per_unit' ? 'occurrences' : CONTROLS[c.type] || 'pending' };
    for (const k of ['unit', 'max_count', 'sample_label', 'inclusive']) if (k in c) out[k] = c[k];
    for (const k of ['per', 'cap', 'amount', 'late', 'missing', 'max', 'min_sample']) {
      if (!(k in c)) continue;
      out[k] = str(val(c[k]));
      if (isMap(c[k])) out.needsConfiguration = c[k].needs_configuration;
    }
    if (c.tiers) out.tiers = byMin(c.tiers).map((t) => ({ min: str(dec(t.min)), points: str(val(t.points)) }));
    if (c.deadline) out.nodes = (period ? instances(c.deadline, period) : []).map((d) => ({ deadline: d, due: d <= asOf }));
    return out;
  });
}
