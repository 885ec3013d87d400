// Photos from the camera or the gallery: decoded with EXIF orientation applied, shrunk to a
// long edge of at most 1600 px and re-encoded as JPEG of at most 500 KB, hashed with SHA-256.
// The canvas drops EXIF, so the original's evidence (capture time, GPS, camera) is written back
// as a small APP1 with Orientation 1: the pixels themselves are upright.

import { firstAttempt, nextAttempt, fitWithin, THUMB_EDGE } from './logic/photoplan.js';
import { sha256 } from './logic/sha256.js';
import { exifSegment, insertExif, isHeif, readExif } from './logic/exif.js';

async function sha256Bytes(bytes) {
  if (!globalThis.crypto || !crypto.subtle) return sha256(bytes); // plain http
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(blob) {
  return sha256Bytes(new Uint8Array(await blob.arrayBuffer()));
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

// File -> {blob, sha, bytes, width, height, type, thumb (data: URL), takenAt, latitude,
// longitude}; the evidence fields are null when the original does not record them (HEIC: always).
export async function processPhoto(file) {
  let original;
  let bitmap;
  try {
    original = new Uint8Array(await file.arrayBuffer()); // read once: evidence and format sniffing
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (err) {
    // Only Safari decodes HEIC; elsewhere say how to get a JPEG instead of a generic failure.
    const heic = (original && isHeif(original)) || /\.hei[cf]$/i.test(file.name || '')
      || /hei[cf]/i.test(file.type || '');
    throw new Error(heic
      ? '此照片为 HEIC 格式，本浏览器无法读取：请用“拍照”直接拍摄，或在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄'
      : '无法读取这张照片（格式不支持或文件已损坏）');
  }
  const evidence = readExif(original);
  const app1 = exifSegment(evidence);
  original = null; // a 10 MB original need not stay alive during the encodes
  try {
    let attempt = firstAttempt(bitmap.width, bitmap.height);
    let blob = await render(bitmap, attempt.width, attempt.height, attempt.quality);
    for (;;) {
      const next = nextAttempt(attempt, blob.size + app1.length); // the budget counts the APP1
      if (!next) break;
      attempt = next;
      blob = await render(bitmap, attempt.width, attempt.height, attempt.quality);
    }
    // The hash is of the exact bytes uploaded: the canvas JPEG with the APP1 spliced in.
    const bytes = insertExif(await blob.arrayBuffer(), app1);
    blob = new Blob([bytes], { type: 'image/jpeg' });
    const t = fitWithin(attempt.width, attempt.height, THUMB_EDGE);
    const thumb = await blobToDataUrl(await render(bitmap, t.width, t.height, 0.7));
    return {
      blob, sha: await sha256Bytes(bytes), bytes: blob.size, type: 'image/jpeg',
      width: attempt.width, height: attempt.height, thumb,
      takenAt: evidence.takenAt, latitude: evidence.latitude, longitude: evidence.longitude,
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
