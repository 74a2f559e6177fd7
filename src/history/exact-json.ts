/**
 * JSON with integers beyond 2^53 kept exact. `JSON.parse` rounds 9007199254740993 to
 * 9007199254740992, and a checker that compares the rounded numbers passes a register
 * that returned the wrong value. Such integers are held as `bigint` (and only such: a
 * safe integer is always a `number`, so equal values have one representation) and
 * written back as their digits.
 */

/** Integer literals long enough to be unsafe; shorter ones are always exact doubles. */
const LONG_DIGITS = /\d{16}/;

/** Marks a long integer while `JSON.parse` carries it as a string; the nonce keeps real strings apart. */
const NONCE = `\u0000${Math.random().toString(36).slice(2)}:`;
/** The nonce as it is written inside a JSON string (NUL escaped). */
const NONCE_IN_JSON = JSON.stringify(NONCE).slice(1, -1);

/** An integer as the one representation faultline keeps: `number` when safe, else `bigint`. */
export function exactInteger(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** `JSON.parse`, except that integers beyond 2^53 come back as exact `bigint`s. */
export function parseExactJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return JSON.parse(quoteLongIntegers(text), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(NONCE) ? exactInteger(BigInt(value.slice(NONCE.length))) : value,
  );
}

/** Wraps every unsafe integer literal outside strings as a marked string. */
function quoteLongIntegers(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(text, i);
      continue;
    }
    if (c === 45 /* - */ || isDigit(c)) {
      let j = c === 45 ? i + 1 : i;
      while (j < text.length && isDigit(text.charCodeAt(j))) j++;
      const digitsEnd = j;
      // A fraction or exponent makes it a double, whatever its digits: skip all of it.
      while (j < text.length && /[\d.eE+-]/.test(text[j]!)) j++;
      if (j === digitsEnd && j - i >= 16 && !Number.isSafeInteger(Number(text.slice(i, j)))) {
        out += `${text.slice(from, i)}"${NONCE_IN_JSON}${text.slice(i, j)}"`;
        from = j;
      }
      i = Math.max(j, i + 1);
      continue;
    }
    i++;
  }
  return out + text.slice(from);
}

function skipString(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * `JSON.stringify` for values that may hold `bigint`s, written as their exact digits. The
 * common case (no bigint) costs one `JSON.stringify`.
 */
export function exactJsonText(value: unknown, replacer?: null, space?: number): string {
  try {
    // JSON.stringify gives undefined for undefined and functions: written as JSON's null.
    return JSON.stringify(value, replacer, space) ?? 'null';
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
  }
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${NONCE}${v}` : v), space) ?? 'null';
  return text.replace(new RegExp(`"${NONCE_IN_JSON.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?\\d+)"`, 'g'), '$1');
}
