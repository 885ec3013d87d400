// Photo evidence (capture time, GPS, camera) kept across the canvas re-encode, which drops EXIF.
// Reads as Pillow + backend/photos/evidence.py do (tests/frontend/test_exif_parity.py): damaged
// EXIF is common, so each field is read on its own and a failure only nulls that field.

const SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8]; // bytes per value, by TIFF type
const EXIF = [69, 120, 105, 102, 0, 0]; // "Exif\0\0"

const view = (x) => new Uint8Array(x.buffer ?? x, x.byteOffset, x.byteLength);
const isExif = (b, i) => EXIF.every((v, k) => b[i + k] === v);
const safe = (fn) => { try { return fn(); } catch { return null; } };
const be = (n, len) => Array.from({ length: len }, (_, i) => Math.floor(n / 256 ** (len - 1 - i)) & 255);

// [marker, start, end] of the segments before the image data.
function segments(b) {
  const out = [];
  for (let i = 2; i + 3 < b.length;) {
    const m = b[i + 1];
    if (b[i] !== 255 || m === 255) i++; // junk, fill
    else if (m === 0xda || m === 0xd9) break;
    else if ((m >= 0xd0 && m <= 0xd7) || m < 2) i += 2; // no length
    else out.push([m, i, i += 2 + (b[i + 2] << 8 | b[i + 3])]);
  }
  return out;
}

// As evidence.py _text.
const clean = (s) => [...s.replace(/\0/g, ' ').replace(/(?! )[\p{C}\p{Z}]/gu, '').trim()]
  .slice(0, 64).join('') || null;

function tiff(t) {
  const le = t[0] === 73;
  if (t[0] !== t[1] || (!le && t[0] !== 77) || t[2] * t[3] || t[2] + t[3] !== 42) throw 0;
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const u16 = (o) => dv.getUint16(o, le), u32 = (o) => dv.getUint32(o, le), i32 = (o) => dv.getInt32(o, le);
  const ifd = (off) => {
    const tags = new Map();
    try {
      for (let k = 0, n = u16(off), total = 0; k < n; k++) {
        const p = off + 2 + 12 * k;
        if (p + 12 > t.length) break; // a cut IFD keeps the entries read so far
        const tag = u16(p), type = u16(p + 2), size = SIZE[type] * u32(p + 4);
        const at = size > 4 ? u32(p + 8) : p + 8, num = type === 5 ? u32 : i32;
        // Pillow's rules, for parity.
        if (tags.has(tag) || !size || (size > 4 && (total += size) > t.length)) continue;
        if (at + size > t.length) break;
        tags.set(tag, {
          text: () => (type === 2 ? String.fromCharCode(...t.subarray(at, at + size))
            : type === 1 || type === 7 ? new TextDecoder().decode(t.subarray(at, at + size)) : null),
          int: () => (type === 3 ? u16(at) : type === 4 || type === 13 ? u32(at) : null),
          // SRATIONAL too (Nokia's GPS).
          rationals: () => (type === 5 || type === 10) &&
            Array.from({ length: size / 8 }, (_, j) => num(at + 8 * j) / num(at + 8 * j + 4)),
        });
      }
    } catch { /* keep what was read */ }
    return tags;
  };
  const ifd0 = ifd(u32(4));
  const sub = (tag) => { const at = ifd0.get(tag)?.int(); return at == null ? new Map() : ifd(at); };
  return [ifd0, sub(0x8769), sub(0x8825)];
}

function takenAt(exif) {
  const m = /^(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(clean(exif.get(0x9003).text()));
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number), day = new Date(Date.UTC(y, mo - 1, d));
  // Unset clocks and impossible dates are no evidence.
  if (y < 1990 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const o = safe(() => /^([+-])(\d\d):(\d\d)$/.exec(clean(exif.get(0x9011).text())));
  const min = o ? o[2] * 60 + +o[3] : 1e9, pad = (n) => String(n).padStart(2, '0');
  return min > 840 ? local : `${local}${o[1] === '-' && min ? '-' : '+'}${pad(min / 60 | 0)}:${pad(min % 60)}`;
}

function gps(g) {
  const deg = (tag) => {
    const r = g.get(tag).rationals();
    return r.length === 3 ? r[0] + r[1] / 60 + r[2] / 3600 : NaN;
  };
  const sign = (tag, neg) => (safe(() => clean(g.get(tag).text()).toUpperCase()[0]) === neg ? -1 : 1);
  const lat = deg(2) * sign(1, 'S'), lon = deg(4) * sign(3, 'W');
  // 0/0: phones without a fix.
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (lat || lon)
    ? [+lat.toFixed(7), +lon.toFixed(7)] : null;
}

// JPEG bytes -> {orientation (1 when unknown), takenAt (ISO, with the offset when recorded),
// latitude, longitude, make, model}; nulls when unknown.
export function readExif(bytes) {
  const ev = { orientation: 1, takenAt: null, latitude: null, longitude: null, make: null, model: null };
  const b = safe(() => view(bytes));
  const seg = b?.[0] === 255 && b[1] === 0xd8 && segments(b).find(([m, i]) => m === 0xe1 && isExif(b, i + 4));
  const start = seg && seg[1] + (isExif(b, seg[1] + 10) ? 16 : 10);
  const [ifd0, exif, g] = (seg && safe(() => tiff(b.subarray(start, seg[2])))) || [];
  if (!ifd0) return ev;
  const o = safe(() => ifd0.get(0x112).int());
  if (o >= 1 && o <= 8) ev.orientation = o;
  ev.takenAt = safe(() => takenAt(exif));
  [ev.latitude, ev.longitude] = safe(() => gps(g)) || [null, null];
  ev.make = safe(() => clean(ifd0.get(0x10f).text()));
  ev.model = safe(() => clean(ifd0.get(0x110).text()));
  return ev;
}

// A big-endian IFD at offset `at`: entries [tag, type, bytes], then the long values.
function ifdBytes(entries, at) {
  const head = be(entries.length, 2), tail = [];
  for (const [tag, type, v] of entries) {
    head.push(...be(tag, 2), ...be(type, 2), ...be(v.length / SIZE[type], 4),
      ...(v.length > 4 ? be(at + 6 + 12 * entries.length + tail.length, 4) : [...v, 0, 0, 0].slice(0, 4)));
    if (v.length > 4) tail.push(...v, ...(v.length & 1 ? [0] : [])); // word-aligned
  }
  return [...head, 0, 0, 0, 0, ...tail]; // no next IFD
}

// A fresh APP1 with the evidence and Orientation 1: the new pixels are upright, and the server
// applies EXIF orientation, so the original's would rotate them twice.
export function exifSegment(ev) {
  // Latin-1, as Pillow reads ASCII; other characters become '?'.
  const text = (tag, s) => (s = safe(() => clean(s)))
    && [tag, 2, [...Array.from(s, (c) => (c.charCodeAt(0) > 255 ? 63 : c.charCodeAt(0))), 0]];
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)([+-]\d\d:\d\d)?$/.exec(ev.takenAt);
  const { latitude: lat, longitude: lon } = ev;
  // Degrees as n/1e7, 0 minutes, 0 seconds: exact to the 1e-7 read.
  const deg = (x) => [...be(Math.round(Math.abs(x) * 1e7), 4), ...be(1e7, 4), ...be(1, 8), ...be(1, 8)];
  const gpsIfd = Number.isFinite(lat) && Number.isFinite(lon) && [[0, 1, [2, 3, 0, 0]],
    text(1, lat < 0 ? 'S' : 'N'), [2, 5, deg(lat)], text(3, lon < 0 ? 'W' : 'E'), [4, 5, deg(lon)]];
  const ifd0 = (e, g) => ifdBytes([text(0x10f, ev.make), text(0x110, ev.model), [0x112, 3, [0, 1]],
    [0x8769, 4, be(e, 4)], gpsIfd && [0x8825, 4, be(g, 4)]].filter(Boolean), 8);
  const e = 8 + ifd0(0, 0).length, exif = ifdBytes([[0x9000, 7, [48, 50, 51, 50]],
    m && text(0x9003, `${m[1]}:${m[2]}:${m[3]} ${m[4]}`), m?.[5] && text(0x9011, m[5])].filter(Boolean), e);
  const g = e + exif.length;
  const tiffBytes = [77, 77, 0, 42, 0, 0, 0, 8, ...ifd0(e, g), ...exif, ...gpsIfd ? ifdBytes(gpsIfd, g) : []];
  return Uint8Array.from([255, 0xe1, ...be(tiffBytes.length + 8, 2), ...EXIF, ...tiffBytes]);
}

// The JPEG with `segment` right after SOI, replacing any EXIF APP1 it had.
export function insertExif(jpeg, segment) {
  const b = view(jpeg), parts = [b.subarray(0, 2), segment];
  if (b[0] !== 255 || b[1] !== 0xd8) throw new Error('not a JPEG');
  let from = 2;
  for (const [m, i, end] of segments(b)) {
    if (m === 0xe1 && isExif(b, i + 4)) parts.push(b.subarray(from, i)), from = end;
  }
  parts.push(b.subarray(from));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

// HEIC/HEIF by its 'ftyp' brands (AVIF is not), as processing.py sniff_format.
export function isHeif(bytes) {
  const s = String.fromCharCode(...view(bytes).subarray(0, 64));
  return s.slice(4, 8) === 'ftyp' && /he[iv][cxms]|m[is]f1/.test(s.slice(8, 40)) && !/avi[fs]/.test(s);
}
