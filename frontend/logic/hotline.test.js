import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortTime, statedValue, limitText, changeText, lineLabel, mappingValue, missingFields,
  assignColumn, errorsCsv, reportCounts, scoreText } from './hotline.js';

process.env.TZ = 'Asia/Shanghai';
const NOW = new Date('2026-11-20T10:00:00+08:00');

test('times read as ux.md writes them: no seconds, the year only when it is another', () => {
  assert.equal(shortTime('2026-11-16T01:15:00+00:00', NOW), '11月16日 09:15');
  assert.equal(shortTime('2025-12-31T16:05:00Z', NOW), '1月1日 00:05');
  assert.equal(shortTime('2024-03-02T02:00:00Z', NOW), '2024年3月2日 10:00');
  assert.equal(shortTime(null, NOW), '');
});

test('a time limit is a duration as stated, or the time it names', () => {
  assert.equal(limitText(['3', '工作日'], null, NOW), '3工作日');
  assert.equal(limitText(['24.0', '小时'], null, NOW), '24小时');
  assert.equal(limitText(null, '2026-11-18T09:30:00Z', NOW), '11月18日 17:30');
  assert.equal(limitText(null, null, NOW), '');
});

test('a change kept out of a published period reads from → to; a new order names itself', () => {
  assert.equal(changeText({ field: '工单状态', from: '处理中', to: '办结' }, NOW), '工单状态：处理中 → 办结');
  assert.equal(changeText({ field: '回复时间', from: null, to: '2026-10-30T02:00:00Z' }, NOW),
    '回复时间：（空） → 10月30日 10:00');
  assert.equal(changeText({ field: '办理时限', from: ['3', '工作日'], to: ['5', '工作日'] }, NOW),
    '办理时限：3工作日 → 5工作日');
  assert.equal(changeText({ field: '新工单', to: '12345-2026-200109' }, NOW), '新工单，未建案卷');
  assert.equal(changeText({ field: '承办单位', to: 'XX镇人民政府' }, NOW), '承办单位：XX镇人民政府');
  assert.equal(statedValue('', NOW), '（空）');
});

test('an error is placed on its line, or on the whole file', () => {
  assert.equal(lineLabel(7), '第 7 行');
  assert.equal(lineLabel(0), '整个文件');
});

test('the form sends the saved mapping by name until the official changes a column', () => {
  const columns = { case_no: '工单编号', accepted_at: '时间/受理时间', address: '' };
  assert.equal(mappingValue({ columns, name: '市12345平台', edited: false }), '市12345平台');
  assert.deepEqual(JSON.parse(mappingValue({ columns, name: '市12345平台', edited: true })),
    { case_no: '工单编号', accepted_at: '时间/受理时间' });
  assert.deepEqual(JSON.parse(mappingValue({ columns, name: null, edited: false })),
    { case_no: '工单编号', accepted_at: '时间/受理时间' });
  assert.equal(mappingValue({ columns: null, name: null, edited: false }), '');
});

test('a column serves one field, and the required fields must each have one', () => {
  const fields = [{ field: 'case_no', label: '工单编号', required: true },
    { field: 'accepted_at', label: '受理时间', required: true }, { field: 'address', label: '诉求地址', required: false }];
  const columns = { case_no: '工单编号', accepted_at: '时间/受理时间' };
  assert.deepEqual(missingFields(fields, columns), []);
  const moved = assignColumn(columns, 'address', '时间/受理时间');
  assert.deepEqual(moved, { case_no: '工单编号', address: '时间/受理时间' });
  assert.deepEqual(missingFields(fields, moved), ['受理时间']);
  assert.deepEqual(assignColumn(columns, 'case_no', ''), { accepted_at: '时间/受理时间' });
});

test('the error list opens in Excel: a BOM, quoted cells, one row per error', () => {
  const csv = errorsCsv('工单.csv', [{ line: 9, column: '时间/受理时间（B列）', message: '无法识别的时间，而不是“十一月三日”' },
    { line: 0, column: null, message: '缺少 "工单编号", 请检查' }]);
  assert.ok(csv.startsWith('\ufeff文件,行号,列,原因\r\n'));
  assert.ok(csv.includes('工单.csv,9,时间/受理时间（B列）,无法识别的时间，而不是“十一月三日”\r\n'));
  assert.ok(csv.includes('工单.csv,,,"缺少 ""工单编号"", 请检查"\r\n'));
});

test('a report counts what happened; review, conflicts and errors ask for a look', () => {
  const counts = reportCounts({ lines: 9, created: 6, updated: 0, unchanged: 0, review: 1, conflicts: 1,
    duplicates: 0, errors: [{ line: 9 }] });
  const by = Object.fromEntries(counts.map((c) => [c.key, c]));
  assert.deepEqual(counts.map((c) => c.key), ['lines', 'created', 'updated', 'unchanged', 'review', 'conflicts', 'duplicates', 'errors']);
  assert.equal(by.errors.value, 1);
  assert.equal(by.errors.kind, 'error');
  assert.equal(by.review.kind, 'warn');
  assert.equal(by.updated.kind, '');
  // the list of past imports carries the counts alone
  assert.equal(Object.fromEntries(reportCounts({ lines: 3, errors: 0 }).map((c) => [c.key, c])).errors.kind, '');
});

test('a candidate compound shows its similarity as a whole number', () => {
  assert.equal(scoreText(71.6), '相似度 72');
  assert.equal(scoreText(undefined), '相似度 0');
});
