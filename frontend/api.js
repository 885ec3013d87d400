// fetch() with the bearer token and the common error shape {"error": {code, message, detail}}.
// Every failure becomes an ApiError; status 0 means the network itself failed.

export class ApiError extends Error {
  constructor(status, code, message, detail = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  // Worth retrying later with backoff: no network, server trouble, rate limits, and a sync
  // endpoint this server does not have yet (404/405 on /api/sync/*).
  get transient() {
    return this.status === 0 || this.status >= 500 || this.status === 408 ||
      this.status === 429 || this.code === 'endpoint_missing';
  }
}

export function isoWithOffset(date = new Date()) {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(date.getTime() + off * 60000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

export async function api(path, { method = 'GET', body, form, token, headers = {}, sync = false,
  timeoutMs = 30000 } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (sync) h['X-Client-Time'] = isoWithOffset();
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, signal: controller.signal,
      cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'network', navigator.onLine === false ? '当前离线' : '网络不可用');
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.ok) return data;
  if ((res.status === 404 || res.status === 405) && path.startsWith('/api/') &&
      (!data || !data.error || data.error.code === 'not_found' || data.error.code === 'http_404')) {
    throw new ApiError(res.status, 'endpoint_missing', '服务器暂不支持此功能', data);
  }
  const e = (data && data.error) || {};
  throw new ApiError(res.status, e.code || `http_${res.status}`,
    e.message || (data && typeof data.detail === 'string' ? data.detail : `服务器错误（${res.status}）`),
    e.detail ?? data);
}
