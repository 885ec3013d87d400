import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSchedule, workSeconds, workLeft, timeLeftLabel, isWorkday, windowsOn, scheduleKeyFor } from './worktime.js';

// Beijing time helper: '2026-11-20T10:00' local -> epoch ms.
const bj = (text) => Date.parse(`${text}:00+08:00`);
const H = 3600;
const cal = {
  days_off: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'],
  days_on: ['2026-09-27', '2026-10-10'],
};
const plan = prepareSchedule(cal);

test('default windows 08:30-12:00 and 13:30-17:30: a full working day is 7.5 work-hours', () => {
  assert.equal(workSeconds(bj('2026-11-20T00:00'), bj('2026-11-21T00:00'), plan), 7.5 * H);
});

test('lunch break, evening and weekend do not count (Fri 16:30 to Mon 09:30 = 2 h)', () => {
  // Fri 2026-11-20 16:30-17:30 = 1 h; Mon 2026-11-23 08:30-09:30 = 1 h.
  assert.equal(workSeconds(bj('2026-11-20T16:30'), bj('2026-11-23T09:30'), plan), 2 * H);
  assert.equal(workSeconds(bj('2026-11-20T11:00'), bj('2026-11-20T14:00'), plan), 1.5 * H);
});

test('holidays are off and make-up Saturdays (调休) are worked', () => {
  assert.equal(isWorkday(plan, '2026-10-01'), false);
  assert.equal(isWorkday(plan, '2026-10-10'), true); // a Saturday
  assert.equal(workSeconds(bj('2026-09-30T17:00'), bj('2026-10-09T09:30'), plan), 1.5 * H);
  assert.equal(workSeconds(bj('2026-10-10T00:00'), bj('2026-10-11T00:00'), plan), 7.5 * H);
});

test('reversed instants give negative work time: overdue by 1 work-hour', () => {
  const left = workLeft(bj('2026-11-20T10:00'), bj('2026-11-20T09:00'), plan);
  assert.equal(left, -H);
  const label = timeLeftLabel(bj('2026-11-20T10:00'), bj('2026-11-20T09:00'), plan);
  assert.deepEqual(label, { text: '已超期 1 工作时', overdue: true });
});

test('due at a window end, now in the lunch break: 0 work time left but already overdue', () => {
  const label = timeLeftLabel(bj('2026-11-20T12:30'), bj('2026-11-20T12:00'), plan);
  assert.deepEqual(label, { text: '已超期', overdue: true });
});

test('work left before due; 小时 tickets count clock time', () => {
  const label = timeLeftLabel(bj('2026-11-20T09:00'), bj('2026-11-23T10:00'), plan);
  // Fri 09:00-12:00 3h + 13:30-17:30 4h + Mon 08:30-10:00 1.5h = 8.5h
  assert.deepEqual(label, { text: '剩余 8 工作时 30 分', overdue: false });
  assert.equal(workLeft(bj('2026-11-21T09:00'), bj('2026-11-21T11:00'), plan, '小时'), 2 * H);
});

test('schedules by key: every-day street cleaning and a summer period', () => {
  const c = { schedules: {
    clean: { windows: ['06:00-18:00'], days: 'every' },
    office: { windows: ['08:30-12:00', '13:30-17:30'],
      periods: [{ month_day: '07-01', windows: ['08:00-12:00', '14:30-18:00'] },
        { month_day: '10-01', windows: ['08:30-12:00', '13:30-17:30'] }] },
  }, default_schedule: 'office' };
  const clean = prepareSchedule(c, 'clean');
  assert.equal(workSeconds(bj('2026-11-21T00:00'), bj('2026-11-22T00:00'), clean), 12 * H);
  const office = prepareSchedule(c, 'unknown-key');
  assert.equal(windowsOn(office, '2026-07-15')[0].start, 8 * H);
  assert.equal(windowsOn(office, '2026-11-15')[0].start, 8.5 * H);
  assert.equal(windowsOn(office, '2026-03-15')[0].start, 8.5 * H); // last year's October period
  assert.equal(workSeconds(bj('2026-07-15T00:00'), bj('2026-07-16T00:00'), office), 7.5 * H);
});

test('sub-second parts are floored like on the server', () => {
  assert.equal(workSeconds(bj('2026-11-20T09:00') + 999, bj('2026-11-20T09:00') + 1999, plan), 1);
});

test('the zone offset of Asia/Shanghai is +08:00; the schedule follows the catalog type', () => {
  assert.equal(prepareSchedule({ timezone: 'Asia/Shanghai' }).offsetMs, 480 * 60000);
  const c = { default: 'office', by_catalog_type: { HJ01: 'clean' } };
  assert.equal(scheduleKeyFor(c, { catalog_code: 'HJ01' }), 'clean');
  assert.equal(scheduleKeyFor(c, { catalog_code: 'JC01' }), 'office');
});

test('a work-day deadline shows its time left in 工作日 and 工作时 (ux.md)', () => {
  // Fri 09:00 to Wed 12:00: Fri 7h + Mon 7.5h + Tue 7.5h + Wed 3.5h = 25.5h = 3 工作日 3 工作时
  const label = timeLeftLabel(bj('2026-11-20T09:00'), bj('2026-11-25T12:00'), plan, '工作日');
  assert.deepEqual(label, { text: '剩余 3 工作日 3 工作时', overdue: false });
  // due Tue 09:00, now Wed 12:00: Tue 3h + 4h + Wed 3.5h = 10.5h late
  const late = timeLeftLabel(bj('2026-11-25T12:00'), bj('2026-11-24T09:00'), plan, '工作日');
  assert.deepEqual(late, { text: '已超期 1 工作日 3 工作时', overdue: true });
  assert.equal(timeLeftLabel(bj('2026-11-20T09:00'), bj('2026-11-20T11:30'), plan, '工作日').text,
    '剩余 2 工作时 30 分');
});

test('times are shown in the deployment zone whatever zone the device is set to', async () => {
  const { wallClock, showTimesIn, shownDate } = await import('./worktime.js');
  process.env.TZ = 'America/New_York'; // a device far from Beijing
  // received 2026-12-01 09:18 UTC: 17:18 in Beijing, 04:18 on this device
  assert.deepEqual(wallClock('2026-12-01T09:18:00Z'), { year: 2026, month: 12, day: 1, hour: 17, minute: 18 });
  // New Year's Eve 16:30 UTC is already the new year in Beijing
  assert.equal(shownDate(Date.parse('2026-12-31T16:30:00Z')), '2027-01-01');
  showTimesIn({ timezone: 'Asia/Urumqi' }); // a deployment in 乌鲁木齐 (UTC+6)
  assert.equal(wallClock('2026-12-01T09:18:00Z').hour, 15);
  showTimesIn({ timezone: 'Asia/Shanghai' });
  assert.equal(wallClock('2026-12-01T09:18:00Z').hour, 17);
  showTimesIn(null); // no calendar synced yet: unchanged
  assert.equal(wallClock('2026-12-01T09:18:00Z').hour, 17);
  assert.ok(Number.isNaN(wallClock('十一月三日').year));
  // a camera's time has no offset: read where times are shown, as the server reads it
  const { instantOf } = await import('./worktime.js');
  assert.equal(instantOf('2026-12-01T17:18:00'), Date.parse('2026-12-01T17:18:00+08:00'));
  assert.deepEqual(wallClock('2026-12-01T17:18:00'), { year: 2026, month: 12, day: 1, hour: 17, minute: 18 });
  const { shortTime } = await import('./hotline.js');
  assert.equal(shortTime('2026-12-01T09:18:00Z', new Date('2026-12-05T00:00:00Z')), '12月1日 17:18');
  assert.equal(shortTime('2026-12-31T16:30:00Z', new Date('2026-12-31T10:00:00Z')), '2027年1月1日 00:30');
});
