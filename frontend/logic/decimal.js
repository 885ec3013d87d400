// Exact decimals for scores and money (n / 10^s, BigInt n): 0.1 + 0.2 is 0.3, never a float.

const pow = (k) => 10n ** BigInt(k);

export class Dec {
  constructor(n, s = 0) {
    this.n = s < 0 ? n * pow(-s) : n; // 1E+2
    this.s = Math.max(s, 0);
  }

  #align(o) {
    const s = Math.max(this.s, o.s);
    return [this.n * pow(s - this.s), o.n * pow(s - o.s), s];
  }

  add(o) { const [a, b, s] = this.#align(o); return new Dec(a + b, s); }
  sub(o) { const [a, b, s] = this.#align(o); return new Dec(a - b, s); }
  mul(o) { return new Dec(this.n * o.n, this.s + o.s); }
  cmp(o) { const [a, b] = this.#align(o); return a < b ? -1 : a > b ? 1 : 0; }

  // this / o (both ≥ 0) to 28 digits, half-even, as Python's Decimal
  div(o, digits = 28) {
    const p = this.n * pow(o.s), q = o.n * pow(this.s);
    if (!p) return new Dec(0n);
    for (let k = digits - 1 - (p.toString().length - q.toString().length); ;) {
      const [a, b] = k < 0 ? [p, q * pow(-k)] : [p * pow(k), q], r = a / b;
      if (r >= pow(digits)) k--;
      else if (r < pow(digits - 1)) k++;
      else {
        const rem = (a % b) * 2n;
        return new Dec(rem > b || (rem === b && r % 2n) ? r + 1n : r, k);
      }
    }
  }

  // ROUND_HALF_UP: money to the fen
  round(places) {
    if (this.s <= places) return new Dec(this.n * pow(places - this.s), places);
    const f = pow(this.s - places), r = this.n % f;
    return new Dec(this.n / f + ((r < 0n ? -r : r) * 2n >= f ? (this.n < 0n ? -1n : 1n) : 0n), places);
  }

  fixed(places) { return text(this.round(places)); } // "62400.00"

  toString() { // the server's fmt: "98", "0.3", "86.1"
    let { n, s } = this;
    for (; s && n % 10n === 0n; s--) n /= 10n;
    return text({ n, s });
  }
}

function text({ n, s }) {
  const d = (n < 0n ? -n : n).toString().padStart(s + 1, '0');
  return (n < 0n ? '-' : '') + (s ? `${d.slice(0, -s)}.${d.slice(-s)}` : d);
}

export const ZERO = new Dec(0n);

// From a decimal string, a BigInt or a number (its shortest text, as the server's Decimal(repr(x)));
// null for anything else.
export function dec(x) {
  if (x instanceof Dec) return x;
  if (typeof x === 'bigint') return new Dec(x);
  if (typeof x === 'number' ? !Number.isFinite(x) : typeof x !== 'string') return null;
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i.exec(String(x).trim());
  if (!m || !(m[2] || m[3])) return null;
  const frac = m[3] || '', n = BigInt(m[2] + frac);
  return new Dec(m[1] === '-' ? -n : n, frac.length - Number(m[4] || 0));
}

export const sum = (list) => list.reduce((a, b) => a.add(b), ZERO);
export const min = (a, b) => (b.cmp(a) < 0 ? b : a);
export const max = (a, b) => (b.cmp(a) > 0 ? b : a);
