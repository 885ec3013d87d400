import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exifSegment, insertExif, isHeif, readExif } from './exif.js';

// The real phone photos of ../shared/photos (as tests/support.py finds them). Their absence is a
// failure that says so, never a skip: these tests are the point of the module.
const SHARED = process.env.XUNJIAN_SHARED_DIR || fileURLToPath(new URL('../../../shared', import.meta.url));
const PHOTOS = process.env.XUNJIAN_TEST_PHOTOS || join(SHARED, 'photos');

function photo(name) {
  const path = join(PHOTOS, name);
  assert.ok(existsSync(path), `${path} not found: the EXIF tests need the shared real-photo folder `
    + '../shared/photos (or set XUNJIAN_TEST_PHOTOS)');
  return new Uint8Array(readFileSync(path));
}

const NONE = { orientation: 1, takenAt: null, latitude: null, longitude: null, make: null, model: null };
// A 1x1 JPEG as a canvas writes it: SOI, JFIF APP0, tables, scan; no EXIF.
const TINY = new Uint8Array(Buffer.from([
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1R',
  'V19iZ2hnPk1xeXBkeFxlZ2P/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgED',
  'AwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RF',
  'RkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJ',
  'ytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q==base64',
].join(''), 'base64'));

// JPEG structure: SOI, length-prefixed segments up to SOS, EOI at the end. Returns the markers.
function markers(b) {
  assert.deepEqual([b[0], b[1]], [0xff, 0xd8], 'SOI');
  assert.deepEqual([b.at(-2), b.at(-1)], [0xff, 0xd9], 'EOI');
  const out = [];
  let i = 2;
  while (b[i + 1] !== 0xda) {
    assert.equal(b[i], 0xff, `marker at ${i}`);
    out.push([b[i + 1], b.subarray(i + 4, i + 10)]);
    i += 2 + (b[i + 2] << 8 | b[i + 3]);
    assert.ok(i < b.length, 'segment past the end');
  }
  return out;
}
const exifCount = (b) => markers(b).filter(([m, head]) => m === 0xe1
  && Buffer.from(head).toString('latin1') === 'Exif\0\0').length;

test('the shared real-photo folder is there', () => {
  assert.ok(existsSync(join(PHOTOS, 'gps_DSCN0010.jpg')), `${PHOTOS} not found or incomplete: the EXIF `
    + 'tests need ../shared/photos (or set XUNJIAN_TEST_PHOTOS)');
});

test('a camera JPEG gives its capture time, GPS position and camera', () => {
  assert.deepEqual(readExif(photo('gps_DSCN0010.jpg')), {
    orientation: 1, takenAt: '2008-10-22T16:28:39', latitude: 43.4674483, longitude: 11.8851267,
    make: 'NIKON', model: 'COOLPIX P6000',
  });
  // ArrayBuffer input works as well as Uint8Array/Buffer.
  assert.equal(readExif(photo('gps_DSCN0010.jpg').slice().buffer).latitude, 43.4674483);
});

test('phone JPEGs: the UTC offset is kept, west is negative, signed rationals are read', () => {
  const nokia = readExif(photo('mobile_HMD_Nokia_8.3_5G.jpg')); // GPS as SRATIONAL
  assert.equal(nokia.takenAt, '2022-08-14T14:12:31+03:00');
  assert.deepEqual([nokia.latitude, nokia.longitude], [60.1467056, 24.9067722]);
  const iphone = readExif(photo('hdr_iphone_hdr_NO.jpg'));
  assert.deepEqual([iphone.takenAt, iphone.latitude, iphone.longitude, iphone.model],
    ['2015-04-10T20:12:23', 40.4469722, -3.7247528, 'iPhone 6']);
});

test('damaged EXIF gives nulls where damaged and never throws', () => {
  assert.deepEqual(readExif(photo('corrupted.jpg')), {
    ...NONE, takenAt: '2015-09-08T11:02:17', make: 'OLYMPUS IMAGING CORP.', model: 'u1020,S1020',
  });
  assert.deepEqual(readExif(photo('invalid_image00971.jpg')), NONE);
  assert.deepEqual(readExif(photo('invalid_image01088.jpg')), NONE);
});

test('XMP without EXIF capture time gives none (IFD0 DateTime is a modification time)', () => {
  assert.equal(readExif(photo('xmp_no_exif.jpg')).takenAt, null);
});

test('orientation_*_N.jpg have orientation N', () => {
  for (const kind of ['landscape', 'portrait']) {
    for (let n = 1; n <= 8; n++) assert.equal(readExif(photo(`orientation_${kind}_${n}.jpg`)).orientation, n);
  }
});

test('HEIC is recognised by its brands and gives nulls; other bytes give nulls too', () => {
  for (const name of ['IMG_5195.HEIC', 'mobile_iphone_13_pro_max.HEIC']) {
    assert.ok(isHeif(photo(name)), name);
    assert.deepEqual(readExif(photo(name)), NONE);
  }
  assert.ok(!isHeif(photo('gps_DSCN0010.jpg')));
  assert.ok(!isHeif(new Uint8Array(3)));
  const avif = Buffer.from('\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf', 'latin1');
  assert.ok(!isHeif(avif), 'AVIF is not HEIC');
  for (const junk of [new Uint8Array(0), new Uint8Array([0xff, 0xd8]), TINY, null, undefined, 42]) {
    assert.deepEqual(readExif(junk), NONE);
  }
});

test('every field stands on its own: a damaged one is null, the others survive', () => {
  const ev = readExif(photo('gps_DSCN0010.jpg'));
  const seg = exifSegment(ev);
  const tiffAt = 10;
  const view = new DataView(seg.buffer);
  // Find the GPS latitude entry (tag 2, RATIONAL) and zero its degrees denominator.
  const gpsAt = tiffAt + view.getUint32(tiffAt + 8 + 2 + 12 * 4 + 8); // IFD0 entry 4: GPS pointer
  const latAt = tiffAt + view.getUint32(gpsAt + 2 + 12 * 2 + 8);
  const broken = seg.slice();
  new DataView(broken.buffer).setUint32(latAt + 4, 0);
  assert.deepEqual(readExif(insertExif(TINY, broken)), { ...ev, latitude: null, longitude: null });
  // A pointer to the Exif IFD far past the end: no capture time, GPS and camera stay.
  const lost = seg.slice();
  new DataView(lost.buffer).setUint32(tiffAt + 8 + 2 + 12 * 3 + 8, 1e6);
  assert.deepEqual(readExif(insertExif(TINY, lost)), { ...ev, takenAt: null });
});

test('truncated or mangled EXIF never throws', () => {
  const src = photo('gps_DSCN0010.jpg');
  const keys = Object.keys(NONE);
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let cut = 0; cut < 12000; cut += 37) {
    assert.deepEqual(Object.keys(readExif(src.subarray(0, cut))), keys);
  }
  for (let round = 0; round < 300; round++) {
    const b = src.slice(0, 11300);
    for (let k = 0; k < 1 + rand(20); k++) b[4 + rand(11256)] = rand(256);
    const ev = readExif(b);
    assert.deepEqual(Object.keys(ev), keys);
    assert.ok(ev.orientation >= 1 && ev.orientation <= 8);
    assert.ok(ev.latitude === null || Math.abs(ev.latitude) <= 90);
  }
});

test('the server\'s rules: unset clocks, impossible dates, bad offsets, null island, out of range', () => {
  const back = (ev) => readExif(insertExif(TINY, exifSegment(ev)));
  assert.equal(back({ takenAt: '1985-06-01T10:00:00' }).takenAt, null);
  assert.equal(back({ takenAt: '2026-02-30T10:00:00' }).takenAt, null);
  assert.equal(back({ takenAt: '2026-02-28T24:00:00' }).takenAt, null);
  assert.equal(back({ takenAt: '2024-02-29T10:00:00+08:00' }).takenAt, '2024-02-29T10:00:00+08:00');
  assert.equal(back({ takenAt: '2026-03-02T09:15:00+15:00' }).takenAt, '2026-03-02T09:15:00');
  assert.equal(back({ takenAt: '2026-03-02T09:15:00-14:00' }).takenAt, '2026-03-02T09:15:00-14:00');
  assert.equal(back({ takenAt: '2026-03-02T09:15:00-00:00' }).takenAt, '2026-03-02T09:15:00+00:00');
  assert.deepEqual(back({ latitude: 0, longitude: 0 }).latitude, null);
  assert.deepEqual(back({ latitude: 95, longitude: 10 }).latitude, null);
  assert.deepEqual(back({ latitude: 10, longitude: -181 }).longitude, null);
  const ev = back({ latitude: -31.5, longitude: -121.475, make: ' OLYMPUS\0\x01 ', model: 'Münster 小米' });
  assert.deepEqual([ev.latitude, ev.longitude, ev.make, ev.model],
    [-31.5, -121.475, 'OLYMPUS', 'Münster ??']);
});

test('a built segment is small, Orientation 1, and replaces the EXIF of a JPEG', () => {
  const ev = readExif(photo('gps_DSCN0010.jpg'));
  const seg = exifSegment(ev);
  assert.ok(seg.length < 400, `${seg.length} bytes`);
  // Into a canvas-like JPEG: right after SOI, the rest untouched, and it parses back.
  const out = insertExif(TINY, seg);
  assert.deepEqual(markers(out).map(([m]) => m), [0xe1, ...markers(TINY).map(([m]) => m)]);
  assert.deepEqual(out.subarray(2, 2 + seg.length), seg);
  assert.deepEqual(out.subarray(2 + seg.length), TINY.subarray(2));
  assert.deepEqual(readExif(out), { ...ev, orientation: 1 });
  // Into a JPEG that has EXIF (orientation 6): replaced, not added; orientation 1.
  const six = photo('orientation_landscape_6.jpg');
  const again = insertExif(six, seg);
  assert.equal(exifCount(six), 1);
  assert.equal(exifCount(again), 1);
  assert.deepEqual(readExif(again), { ...ev, orientation: 1 });
  assert.equal(again.length, six.length - (2 + 128) + seg.length);
  // Evidence-free photos get a segment that says only Orientation 1.
  assert.deepEqual(readExif(insertExif(six, exifSegment(readExif(six)))), NONE);
  assert.throws(() => insertExif(new Uint8Array([1, 2, 3]), seg));
});

test('every real JPEG keeps its evidence through the segment', () => {
  for (const name of ['gps_DSCN0010.jpg', 'mobile_HMD_Nokia_8.3_5G.jpg', 'hdr_iphone_hdr_NO.jpg',
    'corrupted.jpg', 'xmp_no_exif.jpg', 'invalid_image00971.jpg', 'orientation_portrait_5.jpg']) {
    const ev = readExif(photo(name));
    assert.deepEqual(readExif(insertExif(TINY, exifSegment(ev))), { ...ev, orientation: 1 }, name);
  }
});
