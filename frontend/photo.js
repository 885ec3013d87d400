// Photos from the camera or the gallery: decoded with EXIF orientation applied, shrunk to a
// long edge of at most 1600 px and re-encoded as JPEG of at most 500 KB, hashed with SHA-256.
// The re-encoded JPEG has no EXIF, so the pixels themselves are upright.

import { firstAttempt, nextAttempt, fitWithin, THUMB_EDGE } from './logic/photoplan.js';
import { sha256 } from './logic/sha256.js';

export async function sha256Hex(blob) {
  const buffer = await blob.arrayBuffer();
  if (!globalThis.crypto || !crypto.subtle) return sha256(new Uint8Array(buffer)); // plain http
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function canvasOf(width, height) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

function encode(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

async function render(bitmap, width, height, quality) {
  // Resizing inside createImageBitmap uses the browser's high-quality scaler.
  const scaled = (width === bitmap.width && height === bitmap.height) ? bitmap
    : await createImageBitmap(bitmap, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  const canvas = canvasOf(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; // transparent PNGs would turn black in JPEG
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(scaled, 0, 0);
  if (scaled !== bitmap) scaled.close();
  return encode(canvas, quality);
}

function blobToDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// File -> {blob, sha, bytes, width, height, type, thumb (data: URL)}.
export async function processPhoto(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (err) {
    throw new Error('无法读取这张照片（格式不支持或文件已损坏）');
  }
  try {
    let attempt = firstAttempt(bitmap.width, bitmap.height);
    let blob = await render(bitmap, attempt.width, attempt.height, attempt.quality);
    for (;;) {
      const next = nextAttempt(attempt, blob.size);
      if (!next) break;
      attempt = next;
      blob = await render(bitmap, attempt.width, attempt.height, attempt.quality);
    }
    const t = fitWithin(attempt.width, attempt.height, THUMB_EDGE);
    const thumb = await blobToDataUrl(await render(bitmap, t.width, t.height, 0.7));
    return {
      blob, sha: await sha256Hex(blob), bytes: blob.size, type: 'image/jpeg',
      width: attempt.width, height: attempt.height, thumb,
    };
  } finally {
    bitmap.close();
  }
}

export function blobToBase64(blob) {
  return blobToDataUrl(blob).then((url) => url.slice(url.indexOf(',') + 1));
}

export function base64ToBlob(b64, type = 'image/jpeg') {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}
