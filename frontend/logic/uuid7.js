// UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Time-ordered ids keep the
// server's B-tree inserts append-only (performance.md). Within one millisecond the 12-bit
// rand_a field is used as a counter so ids made in a burst still sort in creation order.

let lastMs = -1;
let seq = 0;

function randomBytes(n) {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

export function uuid7(now = Date.now(), random = randomBytes(10)) {
  let ms = Math.floor(now);
  if (ms <= lastMs) {
    ms = lastMs; // the clock went back or stood still: stay monotonic
    seq += 1;
    if (seq > 0xfff) { ms += 1; seq = 0; }
  } else {
    seq = ((random[0] << 8) | random[1]) & 0x7ff; // random start, room to count up
  }
  lastMs = ms;
  const b = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) { b[i] = t % 256; t = Math.floor(t / 256); }
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (random[2] & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = random[i - 6];
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuid7Time(id) {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
