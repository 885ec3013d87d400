// Work time left on a ticket, computed on the phone from the cached calendar so it is right
// offline. A port of the server's rule (backend/worktime/__init__.py): working time is the
// schedule's daily windows on working days; working days are Mon-Fri minus days_off plus
// days_on (调休), or every day for a `days: "every"` schedule. Window ends are exclusive;
// resolution is one second. Overdue means now > due, whatever the work time left says.
//
// Calendar data, as the pull response is asked to deliver it (see the report for the backend):
// { timezone: 'Asia/Shanghai', days_off: ['2026-10-01', ...], days_on: ['2026-09-27', ...],
//   schedules: { <key>: { windows: ['08:30-12:00', '13:30-17:30'], days: 'working',
//                         periods: [{ on: '2026-07-01' | month_day: '07-01', windows: [...] }] } },
//   default: <key>, by_catalog_type: { JC04: <key> } }   (backend/sync/service.py)
// The zone is taken as a fixed UTC offset: China has no daylight saving time.

const DAY_MS = 86400000;
export const DEFAULT_WINDOWS = ['08:30-12:00', '13:30-17:30'];

export function parseClock(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(text).trim());
  if (!m) throw new Error(`时间格式应为 HH:MM：${text}`);
  const secs = Number(m[1]) * 3600 + Number(m[2]) * 60;
  if (Number(m[2]) > 59 || secs > 86400) throw new Error(`时间无效：${text}`);
  return secs;
}

export function parseWindows(list) {
  const items = typeof list === 'string' ? list.split(',') : list;
  return items.filter((w) => (typeof w === 'string' ? w.trim() : w)).map((w) => {
    if (Array.isArray(w)) return { start: w[0], end: w[1] };
    if (typeof w === 'object') return { start: w.start, end: w.end };
    const [a, b] = w.split('-');
    return { start: parseClock(a), end: parseClock(b) };
  }).sort((x, y) => x.start - y.start);
}

export function zoneOffsetMinutes(timezone, atMs = Date.now()) {
  if (!timezone) return 480;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(atMs));
    const v = Object.fromEntries(parts.map((p) => [p.type, p.value]));
    const asUtc = Date.UTC(+v.year, +v.month - 1, +v.day, +v.hour, +v.minute);
    return Math.round((asUtc - Math.floor(atMs / 60000) * 60000) / 60000);
  } catch {
    return 480;
  }
}

// Times are shown in the deployment's zone, not the device's (else a deadline reads hours off
// the server's and the watermark's); Beijing until a synced calendar names it.
let shownOffsetMinutes = 480;

export function showTimesIn(calendar) {
  if (calendar) shownOffsetMinutes = calendar.utc_offset_minutes ?? zoneOffsetMinutes(calendar.timezone);
}

/** Epoch ms of a time; one without an offset (a camera's) is read where times are shown, as
 * the server reads it. */
export function instantOf(t) {
  return typeof t === 'string' && /T[\d:.]+$/.test(t)
    ? Date.parse(`${t}Z`) - shownOffsetMinutes * 60000 : new Date(t).getTime();
}

/** { year, month, day, hour, minute } where times are shown (NaN for no time). */
export function wallClock(instant) {
  const d = new Date(instantOf(instant) + shownOffsetMinutes * 60000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** The date where times are shown, YYYY-MM-DD: today's, by default. */
export function shownDate(instant = Date.now()) {
  const t = wallClock(instant);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

// Normalise once: sets for dates, parsed windows, periods with comparable start keys.
export function prepareSchedule(calendar = {}, key = null) {
  const schedules = calendar.schedules || {};
  const raw = schedules[key] || schedules[calendar.default] || schedules[calendar.default_schedule] ||
    { windows: calendar.windows || DEFAULT_WINDOWS, days: calendar.days || 'working' };
  const offset = calendar.utc_offset_minutes ?? zoneOffsetMinutes(calendar.timezone);
  return {
    offsetMs: offset * 60000,
    everyDay: raw.days === 'every',
    windows: parseWindows(raw.windows || DEFAULT_WINDOWS),
    periods: (raw.periods || []).filter((p) => p.on || p.month_day).map((p) => ({
      on: p.on || null,
      monthDay: p.month_day || null,
      windows: parseWindows(p.windows),
    })),
    daysOff: new Set(calendar.days_off || []),
    daysOn: new Set(calendar.days_on || []),
  };
}

function isoDate(dayIndex) {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkday(plan, date) {
  if (plan.everyDay) return true;
  if (plan.daysOn.has(date)) return true;
  if (plan.daysOff.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

// Later-starting periods win; ties go to the later entry (as on the server).
export function windowsOn(plan, date) {
  let best = null;
  let chosen = plan.windows;
  plan.periods.forEach((p, index) => {
    let started = null;
    if (p.on) started = p.on <= date ? p.on : null;
    else {
      const year = Number(date.slice(0, 4));
      const thisYear = `${year}-${p.monthDay}`;
      started = thisYear <= date ? thisYear : `${year - 1}-${p.monthDay}`;
    }
    if (started !== null && (best === null || started > best.started ||
        (started === best.started && index > best.index))) {
      best = { started, index };
      chosen = p.windows;
    }
  });
  return chosen;
}

// Work seconds between two instants (ms since epoch); negative when end is before start.
export function workSeconds(startMs, endMs, plan) {
  const s = Math.floor(startMs / 1000);
  const e = Math.floor(endMs / 1000);
  if (e < s) return -workSeconds(endMs, startMs, plan);
  const offset = plan.offsetMs / 1000;
  const firstDay = Math.floor((s + offset) / 86400);
  const lastDay = Math.floor((e + offset) / 86400);
  let total = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const date = isoDate(day);
    if (!isWorkday(plan, date)) continue;
    const midnight = day * 86400 - offset; // epoch seconds of local midnight
    for (const w of windowsOn(plan, date)) {
      const a = Math.max(s, midnight + w.start);
      const b = Math.min(e, midnight + w.end);
      if (b > a) total += b - a;
    }
  }
  return total;
}

export function isClockHours(unit) {
  return unit === '小时' || unit === 'hours' || unit === 'hour';
}

// Seconds of work time (or clock time for 小时 tickets) from now until due.
export function workLeft(nowMs, dueMs, plan, unit = null) {
  if (isClockHours(unit)) return Math.floor(dueMs / 1000) - Math.floor(nowMs / 1000);
  return workSeconds(nowMs, dueMs, plan);
}

// The work-hours of a working day on this schedule (7.5 h by default): one 工作日 of time left.
export function dayLength(plan) {
  return plan.windows.reduce((sum, w) => sum + w.end - w.start, 0) || 8 * 3600;
}

// ux.md: work-day deadlines in 工作日 plus 工作时 (剩余 2 工作日 3 工作时); work-hour ones in
// 工作时 and 分; 小时 ones in clock hours.
export function formatSpan(seconds, clock = false, daySeconds = 0) {
  let abs = Math.abs(seconds);
  const days = daySeconds ? Math.floor(abs / daySeconds) : 0;
  abs -= days * daySeconds;
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const unit = clock ? '小时' : '工作时';
  if (days) return h ? `${days} 工作日 ${h} 工作时` : `${days} 工作日`;
  if (h === 0) return `${m} 分`;
  return m ? `${h} ${unit} ${m} 分` : `${h} ${unit}`;
}

// The label shown on a ticket: {text, overdue}.
export function timeLeftLabel(nowMs, dueMs, plan, unit = null) {
  if (dueMs == null || Number.isNaN(dueMs)) return { text: '无时限', overdue: false };
  const clock = isClockHours(unit);
  const left = workLeft(nowMs, dueMs, plan, unit);
  const span = formatSpan(left, clock, unit === '工作日' ? dayLength(plan) : 0);
  if (nowMs > dueMs) return { text: left < 0 ? `已超期 ${span}` : '已超期', overdue: true };
  return { text: `剩余 ${span}`, overdue: false };
}

// The schedule a ticket is counted on: by its catalog type, else the deployment default.
export function scheduleKeyFor(calendar, ticket) {
  const byType = (calendar && calendar.by_catalog_type) || {};
  return byType[ticket.catalog_code] || (calendar && calendar.default) || null;
}
