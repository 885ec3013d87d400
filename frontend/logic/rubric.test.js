import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, gradeFor, instances, itemInputs, subsidy } from './rubric.js';

// Rubrics as the sync pull delivers them (Rubric.model_dump(mode="json")): decimals as strings.
const cfg = (why, value = null) => ({ value, needs_configuration: why });
const item = (id, clauses, extra = {}) => ({ id, title: `项目${id}`, kind: 'deduct', points: '5', cap: null, clauses, ...extra });
const perUnit = (id, per, unit = '次', extra = {}) => ({ id, type: 'per_unit', per, unit, cap: null, max_count: null, ...extra });
const fixed = (id, amount) => ({ id, type: 'fixed', amount });

// A compound rubric like E: grades, subsidy, a survey item.
const E = {
  id: 'E', base: null, total: '20', floor: '0', bonus_cap: null,
  grades: [{ name: '不合格', min: null }, { name: '优秀', min: '18' }, { name: '良好', min: '15' }],
  subsidy: { rates: { 优秀: '0.30', 良好: '0.20', 不合格: '0' }, months_per_period: 6, years: 3 },
  items: [
    item('1', [fixed('no_contract', '10'), fixed('not_filed', '2')]),
    item('2', [perUnit('guard_absent', '0.5'), perUnit('no_patrol', '0.1', '日'), perUnit('covers', '0.5', '个', { cap: '2' })]),
    item('3', [{ id: 'satisfaction', type: 'tiers', min_sample: '10', sample_label: '样本数占住户比例',
      tiers: [{ min: '70', points: '8' }, { min: '80', points: '10' }, { min: '50', points: '5' }] }],
    { kind: 'award', points: '10' }),
  ],
};
const H1 = { start: '2024-01-01', end: '2024-06-30' };
const survey = (value, sample = 20) => ({ '3': { satisfaction: { value, sample } } });
const FACTS = { area_m2: '52000.00', moved_in: '2023-03-01' };
const doc = (observations, extra = {}) => ({ period: H1, facts: FACTS, observations, ...extra });

test('a scored compound: exact sums, caps, grade and subsidy to the fen', () => {
  const r = evaluate(E, doc({ '1': { not_filed: true }, '2': { guard_absent: 1, no_patrol: 3, covers: 9 }, ...survey(72.5) }));
  assert.deepEqual(r.errors, []);
  // 2 + (0.5 + 0.3 + min(4.5, 2) = 2.8) + (10 - 8) = 6.8
  assert.equal(r.deductions, '6.8');
  assert.equal(r.total, '13.2');
  assert.equal(r.complete, true);
  assert.equal(r.pending, false);
  assert.equal(r.grade, '不合格');
  assert.deepEqual(r.money, { amount: '0.00', detail: '52000㎡ × 0元/㎡/月 × 6个月 = 0.00元', months: 6, rate: '0' });
  const two = r.items[1];
  assert.deepEqual([two.deduction, two.score, two.status], ['2.8', '2.2', 'scored']);
  assert.deepEqual(two.lines.map((l) => l.detail), ['1次 × 0.5 = 0.5', '3日 × 0.1 = 0.3', '9个 × 0.5 = 4.5，本条最多 2']);
  assert.equal(r.items[2].score, '8');
});

test('grades at the exact boundary (min inclusive) and subsidy 52000 × 0.20 × 6 = 62400.00', () => {
  const r = evaluate(E, doc({ '1': { not_filed: true }, '2': { guard_absent: 6 }, ...survey(80) }));
  assert.equal(r.total, '15');
  assert.equal(r.grade, '良好');
  assert.equal(r.money.amount, '62400.00');
  assert.equal(r.money.detail, '52000㎡ × 0.2元/㎡/月 × 6个月 = 62400.00元');
  assert.equal(evaluate(E, doc({ '1': { not_filed: true }, '2': { guard_absent: 6 }, ...survey(79.9) })).items[2].score, '8');
  assert.equal(evaluate(E, doc({ '1': { not_filed: true }, '2': { guard_absent: 7 }, ...survey(80) })).grade, '不合格');
});

test('an item never loses more than its points; the total never goes below the floor', () => {
  const r = evaluate(E, doc({ '1': { no_contract: true, not_filed: true }, '2': { guard_absent: 40 }, ...survey(10) }));
  assert.deepEqual(r.items.map((i) => i.deduction), ['5', '5', '10']);
  assert.deepEqual(r.items.map((i) => i.capped), [true, true, false]);
  assert.equal(r.total, '0');
  assert.equal(r.rawTotal, '0');
  assert.equal(r.items[2].lines[0].detail, '10% 未达最低档，得 0');
});

test('survey: sample below the minimum is invalid (no grade, no money); sampled/households give the %', () => {
  const low = evaluate(E, doc({ '3': { satisfaction: { value: 95, sampled: 99, households: 1000 } } }));
  assert.equal(low.items[2].status, 'invalid');
  assert.equal(low.items[2].lines[0].detail, '样本数占住户比例 9.9% 低于 10%，测评无效，本项不计分');
  assert.deepEqual([low.complete, low.grade, low.money], [false, null, null]);
  assert.ok(low.warnings.includes('结果不完整，暂不评定等次，也不计算补贴'));
  const ok = evaluate(E, doc({ '3': { satisfaction: { value: 95, sampled: 100, households: 1000 } } }));
  assert.deepEqual([ok.items[2].status, ok.total, ok.grade], ['scored', '20', '优秀']);
  const none = evaluate(E, doc({}));
  assert.equal(none.items[2].status, 'incomplete');
  assert.equal(none.items[2].lines[0].status, 'not_recorded');
});

test('subsidy months inside the term from move-in, and a 29 February move-in', () => {
  assert.equal(subsidy(E.subsidy, '优秀', '1000', H1, '2021-03-15')[0].months, 3); // Jan–Mar 2024
  assert.equal(subsidy(E.subsidy, '优秀', '1000', H1, '2021-03-01')[0].months, 2); // Jan–Feb
  assert.equal(subsidy(E.subsidy, '优秀', '1000', H1, '2024-05-20')[0].months, 2); // May–Jun
  const [leap, w] = subsidy(E.subsidy, '优秀', '1000', { start: '2023-01-01', end: '2023-06-30' }, '2020-02-29');
  assert.deepEqual([leap.months, leap.amount], [2, '600.00']);
  assert.deepEqual(w, ['补贴期限为进驻之日（2020-02-29）起3年，本期计 2 个月']);
  assert.deepEqual(subsidy(E.subsidy, '合格', '1000', H1, null), [
    { amount: null, detail: '等次“合格”没有补贴标准', months: null, rate: null }, ['等次“合格”没有补贴标准']]);
  const noMoveIn = evaluate(E, { period: H1, facts: { area_m2: 100 }, observations: survey(90) });
  assert.equal(noMoveIn.money.amount, '180.00');
  assert.ok(noMoveIn.warnings.includes('未提供物业进驻日期（facts.moved_in），未核对3年补贴期限'));
  assert.equal(evaluate(E, { period: H1, observations: survey(90) }).money, null);
});

test('grade bands: highest min first, inclusive; unconfigured thresholds give no grade', () => {
  assert.equal(gradeFor(E.grades, '18'), '优秀');
  assert.equal(gradeFor(E.grades, '17.99'), '良好');
  assert.equal(gradeFor(E.grades, '0'), '不合格');
  assert.equal(gradeFor([{ name: 'A', min: cfg('未定') }, { name: 'C', min: null }], '99'), null);
  assert.equal(gradeFor([{ name: 'A', min: '90' }], '89'), null);
});

// A street rubric like X and S: base 100, time nodes, bonus, rank.
const node = (id, deadline, late, missing, inclusive = true) => ({ id, type: 'time_node', deadline, inclusive, late, missing });
const X = {
  id: 'X', base: '100', total: '15', floor: '0', bonus_cap: '3', grades: [], subsidy: null,
  items: [
    item('1', [node('report', { every: 'year', month: 6, day: 21 }, '2', '5')]),
    item('2', [node('ledger', { every: 'quarter', month_of_quarter: 3, day: 20 }, '1', '10', false),
      perUnit('unrecorded', '0.2', '条')], { points: '10', cap: '2' }),
    item('B1', [perUnit('activities', '2', '例')], { kind: 'bonus', points: null, cap: '5' }),
    item('B2', [perUnit('new_company', '1', '个')], { kind: 'bonus', points: null }),
  ],
};
const X_PERIOD = { start: '2021-01-01', end: '2021-06-30' };
const X_DOC = (observations, as_of = '2021-06-30') => ({ period: X_PERIOD, as_of, observations });
const ledger = (march, june) => ({ ledger: { '2021-03-20': march, '2021-06-20': june } });

test('time nodes: on the deadline day is on time (inclusive), late and missing deduct per instance', () => {
  const on = evaluate(X, X_DOC({ '1': { report: '2021-06-21' }, '2': ledger('2021-03-19', 'on_time') }));
  assert.deepEqual([on.total, on.complete, on.items[0].lines], ['100', true, []]);
  const late = evaluate(X, X_DOC({ '1': { report: '2021-06-22' }, '2': ledger('2021-03-20', null) }));
  assert.deepEqual(late.items[0].lines,
    [{ clause: 'report', amount: '2', detail: '节点 2021-06-21：逾期报送（2021-06-22），扣 2', status: 'ok' }]);
  // not inclusive: the deadline day is late (1), a missing report costs 10, the item cap is 2
  assert.deepEqual([late.items[1].deduction, late.items[1].capped, late.total], ['2', true, '96']);
  const forms = evaluate(X, X_DOC({ '1': { report: { submitted: null } },
    '2': ledger({ status: 'late' }, { submitted: '2021-06-01' }) }));
  assert.deepEqual([forms.items[0].deduction, forms.items[1].deduction], ['5', '1']);
});

test('time nodes: unrecorded → incomplete; not yet due → not assessed; refusals as the server', () => {
  const none = evaluate(X, X_DOC({}));
  assert.deepEqual(none.items.slice(0, 2).map((i) => i.status), ['incomplete', 'incomplete']);
  assert.deepEqual(none.items[1].lines.map((l) => l.detail), ['节点 2021-03-20 未记录报送情况', '节点 2021-06-20 未记录报送情况']);
  assert.equal(none.complete, false);
  const early = evaluate(X, X_DOC({ '2': { ledger: '2021-03-01' } }, '2021-05-31'));
  assert.deepEqual(early.errors, []);
  assert.deepEqual([early.items[0].lines, early.items[0].status], [[], 'scored']); // 6月21日 not due yet
  const errs = (obs, as_of) => evaluate(X, X_DOC(obs, as_of)).errors.map((e) => e.message);
  assert.deepEqual(errs({ '1': { report: '2021-07-01' } }), ['1/report: 报送日期 2021-07-01 晚于评估日期 2021-06-30']);
  assert.match(errs({ '2': { ledger: { '2021-09-20': null } } })[0], /2021-09-20 不是本期已到期的时间节点/);
  assert.match(errs({ '2': { ledger: '2021-03-01' } })[0], /本期有 2 个时间节点/);
  assert.match(errs({ '1': { report: '2021-02-30' } })[0], /日期格式应为 YYYY-MM-DD/);
  assert.match(errs({ '1': { report: { when: '2021-06-01' } } })[0], /报送情况应为日期/);
  assert.match(evaluate(X, { observations: { '1': { report: '2021-06-01' } } }).errors[0].message, /须在观测中给出 period/);
  assert.equal(evaluate(X, { observations: {} }).items[0].lines[0].status, 'not_recorded');
});

test('bonus: per item cap, then the rubric bonus_cap; bonus items have no score', () => {
  const r = evaluate(X, X_DOC({ '1': { report: 'on_time' }, '2': ledger('on_time', 'on_time'),
    B1: { activities: 1 }, B2: { new_company: 2 } }));
  assert.deepEqual(r.items.slice(2).map((i) => [i.bonus, i.score, i.status]), [['2', null, 'scored'], ['2', null, 'scored']]);
  assert.deepEqual([r.bonus, r.total, r.rawTotal], ['3', '103', '103']);
});

test('instances: every deadline in the period, clamped to the month end', () => {
  assert.deepEqual(instances({ every: 'quarter', month_of_quarter: 3, day: 20 }, { start: '2021-01-01', end: '2021-12-31' }),
    ['2021-03-20', '2021-06-20', '2021-09-20', '2021-12-20']);
  assert.deepEqual(instances({ every: 'year', month: 2, day: 30 }, { start: '2020-01-01', end: '2021-12-31' }),
    ['2020-02-29', '2021-02-28']);
  assert.deepEqual(instances({ every: 'month', day: 25 }, { start: '2021-05-26', end: '2021-08-25' }),
    ['2021-06-25', '2021-07-25', '2021-08-25']);
  assert.deepEqual(instances({ every: 'year', month: 6, day: 21 }, { start: '2021-07-01', end: '2021-12-31' }), []);
});

// Party-building rubric like D: awards and a veto; a street rubric like S: rank (peers) and a
// needs-configuration amount like P.
const D = {
  id: 'D', base: null, total: '5', floor: '0', bonus_cap: null, subsidy: null,
  grades: [{ name: '合格', min: '3' }, { name: '不合格', min: null }],
  items: [
    item('1', [{ id: 'no_org', type: 'veto' }], { points: '0' }),
    item('2', [{ id: 'score', type: 'award', max: '3' }], { kind: 'award', points: '3' }),
    item('3', [{ id: 'score', type: 'award', max: '2' }], { kind: 'award', points: '2' }),
  ],
};

test('awards sum to the score; an unscored criterion is incomplete; award > max is refused', () => {
  const r = evaluate(D, { observations: { '2': { score: 2.5 }, '3': { score: 2 } } });
  assert.deepEqual([r.total, r.deductions, r.grade, r.items[1].score], ['4.5', '0.5', '合格', '2.5']);
  const missing = evaluate(D, { observations: { '2': { score: 3 } } });
  assert.deepEqual([missing.items[2].status, missing.items[2].deduction, missing.total, missing.grade],
    ['incomplete', '2', '3', null]);
  assert.match(evaluate(D, { observations: { '2': { score: 3.5 } } }).errors[0].message, /得分不能超过本项分值 3（现为 3.5）/);
  assert.match(evaluate(D, { observations: { '2': { score: -1 } } }).errors[0].message, /数值不能小于 0/);
});

test('veto: total 0, grade 一票否决, whatever else is observed', () => {
  const r = evaluate(D, { observations: { '1': { no_org: true }, '2': { score: 3 }, '3': { score: 2 } } });
  assert.deepEqual([r.vetoed, r.total, r.rawTotal, r.grade], [true, '0', '5', '一票否决']);
  assert.deepEqual(r.warnings, ['一票否决：第1项“项目1”']);
  assert.equal(evaluate(D, { observations: { '1': { no_org: false }, '2': { score: 3 }, '3': { score: 2 } } }).grade, '合格');
});

const S = {
  id: 'S', base: null, total: '10', floor: '0', bonus_cap: null, grades: [], subsidy: null,
  items: [
    item('1', [perUnit('petition', '2'), { id: 'complaint_share', type: 'rank', order: 'highest', deductions: ['2', '1'] }]),
    item('2', [perUnit('meetings_missing', cfg('原文分值为空')), fixed('no_sign_in', cfg('疑为笔误', '1'))], { points: cfg('分值栏为空') }),
    item('3', [{ id: 'findings', type: 'catalog_findings', catalog: 'catalog', overdue_multiplier: '2' }], { points: null }),
  ],
};

test('rank and catalog_findings are pending on the phone: provisional total, not complete, no grade', () => {
  const r = evaluate(S, { observations: { '1': { petition: 1, complaint_share: 30 } } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.items.map((i) => i.status), ['pending', 'scored', 'pending']);
  assert.deepEqual(r.items[0].lines.map((l) => [l.clause, l.amount, l.status]),
    [['petition', '2', 'ok'], ['complaint_share', null, 'pending']]);
  assert.deepEqual([r.items[0].deduction, r.total, r.pending, r.complete, r.grade], ['2', '8', true, false, null]);
  assert.match(evaluate(S, { observations: { '1': { complaint_share: 'high' } } }).errors[0].message, /应为数值/);
  // an item both pending and incomplete is incomplete, and the result still says pending
  const S1 = { ...S, items: [item('1', [...S.items[0].clauses, perUnit('x', cfg('未定'))])] };
  const both = evaluate(S1, { observations: { '1': { x: 1 } } });
  assert.deepEqual([both.items[0].status, both.pending, both.complete], ['incomplete', true, false]);
});

test('needs configuration: a null amount is not 0, the item is incomplete; a set value is used and flagged', () => {
  const r = evaluate(S, { observations: { '2': { meetings_missing: 2, no_sign_in: true } } });
  const two = r.items[1];
  assert.deepEqual([two.status, two.deduction, two.score, two.points], ['incomplete', '1', null, null]);
  assert.deepEqual(two.lines.map((l) => [l.amount, l.detail, l.status]),
    [[null, '2次 × 未配置分值', 'needs_configuration'], ['1', '扣 1', 'ok']]);
  assert.equal(r.complete, false);
  assert.deepEqual(r.warnings.slice(0, 4), [
    '第1项“项目1”：排名扣分需与同级单位比较，待汇总', // item 1's rank clause: pending even when unobserved
    '第2项“项目2”条款 meetings_missing 的每单位分值需要配置（尚未配置）：原文分值为空',
    '第2项“项目2”条款 no_sign_in 的分值需要配置（当前配置值 1）：疑为笔误',
    '第2项“项目2”：2次 × 未配置分值']);
  assert.ok(r.warnings.includes('第2项“项目2”分值未配置，本项扣分 1 未按分值封顶'));
});

test('not_assessed items deduct nothing and are not read', () => {
  const r = evaluate(E, doc({ '1': { no_contract: 'yes' }, ...survey(90) }, { not_assessed: ['1', 2] }));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.items.map((i) => i.status), ['not_assessed', 'not_assessed', 'scored']);
  assert.deepEqual([r.total, r.complete, r.grade], ['20', true, '优秀']);
});

test('refused values come back as errors by item and clause, never thrown', () => {
  const bad = evaluate(E, doc({
    '1': { not_filed: 'yes' }, '2': { guard_absent: -1, no_patrol: 2.5, typo: 1 }, '9': {},
    '3': { satisfaction: { value: 100.5, sample: 20 } },
  }, { not_assessed: ['7'] }));
  assert.deepEqual(bad.errors.map((e) => [e.item, e.clause, e.field].join('|')),
    ['2|typo|', '9||', '||not_assessed', '1|not_filed|', '2|guard_absent|', '2|no_patrol|', '3|satisfaction|']);
  assert.deepEqual(bad.errors.map((e) => e.message).slice(1, 4), [
    '评分标准中没有第“9”项', 'not_assessed 中的“7”不是评分项目', '1/not_filed: 应为 true 或 false（现为 "yes"）']);
  assert.deepEqual([bad.complete, bad.grade, bad.money], [false, null, null]);
  assert.equal(bad.items[1].status, 'error');
  assert.match(evaluate(E, doc({ '2': { guard_absent: 3n } })).errors[0].message, /现为 3/);
  const msgs = (obs) => evaluate(E, doc(obs)).errors.map((e) => e.message.replace(/^\d+\/\w+: /, ''));
  assert.deepEqual(msgs({ '3': { satisfaction: { value: 90, sampled: 20, households: 10 } } }), ['样本户数须不超过总户数且总户数大于 0']);
  assert.deepEqual(msgs({ '3': { satisfaction: { value: 90 } } }), ['须给出 sample（样本数占住户比例，%）或 sampled + households']);
  assert.deepEqual(msgs({ '3': { satisfaction: { value: 90, sample: 20, n: 1 } } }), ['未知字段 n']);
  assert.deepEqual(msgs({ '3': { satisfaction: 90 } }), ['测评结果应为 {value: 百分比, sample: 样本百分比} 或 {value, sampled, households}']);
  assert.deepEqual(evaluate(E, { period: { start: '2024-07-01', end: '2024-06-30' } }).errors.map((e) => e.field), ['period']);
  assert.deepEqual(evaluate(E, null).errors.map((e) => e.field), ['observations']);
  assert.deepEqual(evaluate(E, { observations: null, not_assessed: null, as_of: '6/30' }).errors.map((e) => e.field),
    ['as_of', 'not_assessed', 'observations']);
  const area = evaluate(E, { ...doc(survey(90)), facts: { area_m2: 'big' } });
  assert.deepEqual([area.errors[0].field, area.money], ['facts.area_m2', null]);
});

test('huge counts are read as their decimal text, like the server (1e21 is 10^21)', () => {
  assert.equal(evaluate(E, doc({ '2': { no_patrol: 1e21 } })).items[1].lines[0].detail,
    '1000000000000000000000日 × 0.1 = 100000000000000000000');
});

test('max_count bounds a count', () => {
  const P = { ...S, items: [item('1', [perUnit('missing_plans', '1', '项', { max_count: 11 })], { points: cfg('分值栏为空') })] };
  assert.equal(evaluate(P, { observations: { '1': { missing_plans: 11 } } }).deductions, '11');
  assert.equal(evaluate(P, { observations: { '1': { missing_plans: 12 } } }).errors[0].message, '1/missing_plans: 最多 11项（现为 12）');
});

test('itemInputs: the control and numbers for each clause', () => {
  const frame = { period: { start: '2021-01-01', end: '2021-06-30' }, as_of: '2021-05-31' };
  assert.deepEqual(itemInputs(X, '2', frame).map((i) => [i.clause, i.control]), [['ledger', 'timenode'], ['unrecorded', 'stepper']]);
  const [ledger, unrecorded] = itemInputs(X, X.items[1], frame);
  assert.deepEqual(ledger.nodes, [{ deadline: '2021-03-20', due: true }, { deadline: '2021-06-20', due: false }]);
  assert.deepEqual([ledger.late, ledger.missing, ledger.inclusive], ['1', '10', false]);
  assert.deepEqual([unrecorded.unit, unrecorded.per, unrecorded.cap, unrecorded.max_count], ['条', '0.2', null, null]);
  assert.deepEqual(itemInputs(X, 'B1')[0].control, 'occurrences');
  assert.deepEqual(itemInputs(X, '1', { period: frame.period })[0].nodes, [{ deadline: '2021-06-21', due: true }]);
  assert.deepEqual(itemInputs(X, '1')[0].nodes, []);
  assert.deepEqual(itemInputs(D, '1')[0].control, 'yesno');
  assert.equal(itemInputs(D, '1')[0].type, 'veto');
  assert.deepEqual([itemInputs(D, '2')[0].control, itemInputs(D, '2')[0].max], ['award', '3']);
  const [measure] = itemInputs(E, '3');
  assert.deepEqual([measure.control, measure.min_sample, measure.sample_label], ['measure', '10', '样本数占住户比例']);
  assert.deepEqual(measure.tiers, [{ min: '80', points: '10' }, { min: '70', points: '8' }, { min: '50', points: '5' }]);
  assert.deepEqual(itemInputs(E, '1').map((i) => [i.control, i.amount]), [['yesno', '10'], ['yesno', '2']]);
  assert.deepEqual(itemInputs(S, '1').map((i) => i.control), ['stepper', 'pending']);
  assert.deepEqual(itemInputs(S, '3').map((i) => i.control), ['pending']);
  const [meetings, signIn] = itemInputs(S, '2');
  assert.deepEqual([meetings.per, meetings.needsConfiguration], [null, '原文分值为空']);
  assert.deepEqual([signIn.amount, signIn.needsConfiguration], ['1', '疑为笔误']);
});
