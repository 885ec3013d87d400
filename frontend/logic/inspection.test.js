import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ins from './inspection.js';

// Rubric E as the phone pulls it: the server's model dump (tests/frontend/test_inspection_flow.py
// writes it; here a small stand-in with E's item 10 and 20 shapes).
const rubric = {
  id: 'E', name: 'E', total: '100', groups: [], grades: [{ name: '优秀', min: '95' }, { name: '不合格', min: null }],
  items: [
    { id: '1', title: '签订合同与备案', kind: 'deduct', points: '10', clauses: [
      { id: 'no_contract', type: 'fixed', amount: '10' }, { id: 'not_filed', type: 'fixed', amount: '5' }] },
    { id: '10', title: '安保与巡查', kind: 'deduct', points: '5', clauses: [
      { id: 'guard_absent', type: 'per_unit', per: '0.5', unit: '次' },
      { id: 'no_patrol_record', type: 'per_unit', per: '0.1', unit: '日' }] },
    { id: '20', title: '居民满意度', kind: 'award', points: '10', clauses: [
      { id: 'satisfaction', type: 'tiers', min_sample: '10', tiers: [{ min: '80', points: '10' }, { min: '70', points: '8' }] }] },
  ],
};
const row = { subject_kind: 'compound', subject_id: 'c1', subject_name: '建新街3号院', place: '淮河路街道',
  rubric_id: 'E', source: 'announced', window_start: '2026-12-01', window_end: '2026-12-31', window_label: '2026年12月' };

test('a new run has nothing assessed: untouched items are not_assessed, never silently perfect', () => {
  const d = ins.newDraft({ id: 'i1', row, now: '2026-12-06T10:00:00+08:00' });
  const doc = ins.observationDocument(d, rubric);
  assert.deepEqual(doc.not_assessed, ['1', '10', '20']);
  assert.deepEqual(doc.observations, {});
  assert.equal(ins.runningScore(d, rubric).total, '100');
});

test('counts, a fixed deduction and satisfaction with its sample score as entered', () => {
  let d = ins.newDraft({ id: 'i1', row, now: '2026-12-06T10:00:00+08:00' });
  d = ins.setValue(d, '10', 'guard_absent', 2);
  d = ins.setValue(d, '10', 'no_patrol_record', 5);
  d = ins.setValue(d, '1', 'not_filed', true);
  d = ins.setValue(d, '20', 'satisfaction', { value: 72.5, sampled: 130, households: 1000 });
  const r = ins.runningScore(d, rubric, '2026-12-06');
  assert.equal(r.deductions, '8.5'); // 5 + 1 + 0.5 + 2
  assert.equal(r.total, '91.5');
  assert.deepEqual(ins.progress(d, rubric), { done: 3, total: 3 });
});

test('符合 records a clean item; an item with a measured value cannot be marked so', () => {
  let d = ins.newDraft({ id: 'i1', row, now: 'x' });
  d = ins.markCompliant(d, rubric, '10');
  assert.deepEqual(d.values['10'], { guard_absent: 0, no_patrol_record: 0 });
  assert.equal(ins.compliantValues(rubric, rubric.items[2]), null);
  d = ins.setNotAssessed(d, '10', true);
  assert.equal(d.values['10'], undefined);
  assert.deepEqual(d.notAssessed, ['10']);
});

test('a finding logged on a per-occurrence item counts toward it', () => {
  let d = ins.newDraft({ id: 'i1', row, now: 'x' });
  d = ins.countFinding(d, rubric, '10', 'f1');
  d = ins.countFinding(d, rubric, '10', 'f2');
  assert.equal(d.values['10'].guard_absent, 2);
  assert.deepEqual(d.findings.map((f) => f.id), ['f1', 'f2']);
  d = ins.countFinding(d, rubric, '1', 'f3'); // no per-occurrence clause: the finding only
  assert.equal(d.values['1'], undefined);
});

test('bad entries are refused in Chinese: a count below 0, a percentage above 100, a date outside the period', () => {
  const period = { start: '2021-01-01', end: '2021-06-30' };
  assert.equal(ins.inputError({ control: 'stepper', unit: '次' }, -1, period), '次数不能小于 0');
  assert.equal(ins.inputError({ control: 'stepper', unit: '项', max_count: 11 }, 12, period), '最多 11项');
  assert.equal(ins.inputError({ control: 'measure' }, { value: 100.5 }, period), '百分比不能超过 100');
  assert.equal(ins.inputError({ control: 'measure' }, { value: 80, sampled: 120, households: 100 }, period), '调查户数不能超过总户数');
  // a satisfaction typed before its sample: the compound's households alone are no error
  assert.equal(ins.inputError({ control: 'measure' }, { value: 72.5, households: 240 }, period), null);
  assert.equal(ins.inputError({ control: 'measure' }, { value: 72.5, sampled: 30 }, period), '请填写小区总户数');
  assert.match(ins.inputError({ control: 'timenode' }, { '2021-06-21': '2021-07-02' }, period), /不在考核期间/);
  assert.equal(ins.inputError({ control: 'timenode' }, { '2021-06-21': '2021-06-25' }, period), null);
  assert.equal(ins.inputError({ control: 'award', max: '3' }, 4, period), '得分不能超过本项分值 3');
  assert.equal(ins.inputError({ control: 'stepper', unit: '次' }, 3, period), null);
});

test('the payload names the subject, the period, the photos per item and what it amends', () => {
  let d = ins.newDraft({ id: 'i1', row, facts: { households: 1000 }, now: '2026-12-06T10:00:00+08:00' });
  d = ins.setValue(d, '10', 'guard_absent', 1);
  d = ins.addPhotos(d, '10', [{ sha: 'a'.repeat(64), bytes: 10 }, { sha: 'a'.repeat(64), bytes: 10 }]);
  d = ins.setNote(d, '10', '夜班无人');
  const p = ins.inspectionPayload(d, rubric, { submittedAt: '2026-12-06T11:00:00+08:00' });
  assert.equal(p.compound_id, 'c1');
  assert.equal(p.unit_id, null);
  assert.equal(p.period_start, '2026-12-01');
  assert.deepEqual(p.photos, { 10: [{ sha256: 'a'.repeat(64), bytes: 10 }] });
  assert.deepEqual(p.not_assessed, ['1', '20']);
  assert.deepEqual(p.notes, { 10: '夜班无人' });
  const v2 = ins.amendDraft({ id: 'i1', draft: d }, { id: 'i2', now: 'later' });
  assert.equal(v2.amends, 'i1');
  assert.equal(v2.version, 2);
  assert.deepEqual(v2.values, d.values);
});

test('the sample of a measure, and whether it is enough', () => {
  assert.deepEqual(ins.sampleOf({ min_sample: '10' }, { sampled: 130, households: 1000 }), { pct: 13, enough: true, least: 10 });
  assert.equal(ins.sampleOf({ min_sample: '10' }, { sampled: 90, households: 1000 }).enough, false);
  assert.equal(ins.sampleOf({}, { sampled: 1 }), null);
});

test('rubric E as the seed writes it is offered with its catalog types per item', () => {
  // the YAML is the source; the pulled JSON has the same fields (checked by the parity test)
  const text = readFileSync(new URL('../../rubrics/E.yaml', import.meta.url), 'utf8');
  assert.match(text, /title: 井盖\n {4}catalog: \[JC04\]/);
});

test('a plan row whose window still runs is 待检查, not 未完成; one whose window has ended is 未完成', () => {
  const row = (status, start, end) => ({ status, window_start: start, window_end: end });
  const today = '2026-12-07';
  const rows = [row('missing', '2026-12-01', '2026-12-31'), row('missing', '2026-07-01', '2026-12-31'),
    row('missing', '2026-11-01', '2026-11-30'), row('missing', '2026-12-01', '2026-12-07'),
    row('upcoming', '2027-01-01', '2027-01-31'), row('done', '2026-12-01', '2026-12-31')];
  assert.deepEqual(rows.map((r) => ins.planStatus(r, today)), ['open', 'open', 'missing', 'open', 'upcoming', 'done']);
  assert.deepEqual(ins.planCounts(rows, today), { open: 3, missing: 1, upcoming: 1, done: 1 });
  assert.equal(ins.STATUS_LABELS[ins.planStatus(rows[0], today)], '待检查');
  assert.equal(ins.planStatus(rows[3], '2026-12-08'), 'missing'); // the day after its last day
});
