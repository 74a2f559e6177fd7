/**
 * JSON Lines records written as UTF-8 bytes straight into a buffer, for the history
 * writer's hot path (EventLog.encodeLine): no string per line, no re-encoding. The bytes
 * are exactly those of `serializeEvent`'s text.
 */
export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The fixed pieces of a record (the rest are Fragments). */
export const FIELD = {
  index: utf8('{"index":'),
  time: utf8(',"time":'),
  value: utf8(',"value":'),
  end: utf8('}\n'),
};

/** Room for the field names, numbers and a null, integer or pair value of one record (strings and other values come on top). */
export const FIXED_BYTES = 320;

export function putBytes(out: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // `set` costs more than a short loop for the field names and node names that make up most of a record.
  if (n > 16) out.set(bytes, at);
  else for (let j = 0; j < n; j++) out[at + j] = bytes[j]!;
  return at + n;
}

const BILLION = 1e9;

/** A safe integer's decimal digits (what `String(n)` gives). */
export function putInt(out: Buffer, at: number, n: number): number {
  if (n < 0) {
    out[at++] = 45; // '-'
    n = -n;
  }
  if (n < BILLION) return putSmall(out, at, n | 0, digitsOf(n | 0));
  // Nanosecond times have 13+ digits: the part below a billion in int32 arithmetic, zero-padded.
  const high = Math.floor(n / BILLION);
  return putSmall(out, putInt(out, at, high), n - high * BILLION, 9);
}

/** `n` (0 ≤ n < 10⁹) in exactly `digits` digits. */
function putSmall(out: Buffer, at: number, n: number, digits: number): number {
  const end = at + digits;
  for (let j = end - 1; j >= at; j--) {
    const q = (n / 10) | 0;
    out[j] = 48 + n - q * 10;
    n = q;
  }
  return end;
}

function digitsOf(n: number): number {
  let digits = 1;
  while (n >= 10 && digits < 9) {
    n = (n / 10) | 0;
    digits++;
  }
  return digits;
}

/** A number as JSON, as `JSON.stringify` writes it. */
export function putNumber(out: Buffer, at: number, x: number): number {
  return Number.isSafeInteger(x) ? putInt(out, at, x) : at + out.write(JSON.stringify(x), at);
}

/** `[a,b]` of two safe integers. */
export function putPair(out: Buffer, at: number, a: number, b: number): number {
  out[at++] = 91; // '['
  at = putInt(out, at, a);
  out[at++] = 44; // ','
  at = putInt(out, at, b);
  out[at++] = 93; // ']'
  return at;
}

/**
 * Pieces of a record that repeat (`,"f":"read"`, `,"process":3`), encoded once each and
 * looked up by a small integer id: a string's code, a process id, a key. Ids that are not
 * small integers are encoded on every call (a fractional key, a huge process id).
 */
export class Fragments {
  private readonly cache: (Buffer | undefined)[] = [];

  constructor(
    private readonly text: (id: number) => string,
    private readonly limit = 4096,
  ) {}

  of(id: number): Buffer {
    const cached = this.cache[id];
    if (cached !== undefined) return cached;
    const bytes = utf8(this.text(id));
    if (Number.isInteger(id) && id >= 0 && id < this.limit) this.cache[id] = bytes;
    return bytes;
  }
}

/** `,"name":n` for a number `n`, as JSON.stringify writes it. */
export function numberField(name: string): Fragments {
  return new Fragments((n) => `,${JSON.stringify(name)}:${JSON.stringify(n)}`);
}
