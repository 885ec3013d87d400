// Planning the in-browser photo shrink: which size and JPEG quality to try next. Pure numbers;
// photo.js does the decoding and encoding.

export const MAX_EDGE = 1600;
export const MAX_BYTES = 500 * 1024;
export const QUALITIES = [0.82, 0.72, 0.62, 0.52];
export const THUMB_EDGE = 240;

export function fitWithin(width, height, maxEdge = MAX_EDGE) {
  const long = Math.max(width, height);
  if (long <= maxEdge) return { width, height, scale: 1 };
  const scale = maxEdge / long;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    scale,
  };
}

export function firstAttempt(width, height) {
  return { ...fitWithin(width, height), quality: QUALITIES[0], step: 0 };
}

// Lower the quality first; when the lowest quality is still too big, shrink the edge by 15%
// and start again from the top quality. Returns null when `bytes` already fits.
export function nextAttempt(attempt, bytes, maxBytes = MAX_BYTES) {
  if (bytes <= maxBytes) return null;
  const i = QUALITIES.indexOf(attempt.quality);
  if (i >= 0 && i < QUALITIES.length - 1) {
    return { ...attempt, quality: QUALITIES[i + 1], step: attempt.step + 1 };
  }
  const long = Math.max(attempt.width, attempt.height);
  if (long <= 320) return null; // give up shrinking: better a big photo than none
  const sized = fitWithin(attempt.width, attempt.height, Math.floor(long * 0.85));
  return { ...sized, quality: QUALITIES[1], step: attempt.step + 1 };
}
