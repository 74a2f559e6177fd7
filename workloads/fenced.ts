import type { Json, Key } from '../src/history/event.js';
import type { CallOptions, RegisterCapability } from '../src/runner/capabilities.js';

/**
 * A register guarded by fencing tokens, built on any system's compare-and-set: the stored
 * value is `{fence, value}`, and every access names the fence its holder was granted. An
 * access with a smaller fence than the one stored is refused; a larger one is stored first.
 * So once a newer holder has touched the resource, a holder whose lease expired under it
 * can no longer read-modify-write it — Kleppmann's fix for leased locks. The check of the
 * fence and the write are one CAS, so the refusal happens in the system, not the client.
 */
export interface FencedValue {
  readonly fence: bigint;
  readonly value: Json;
}

/** Refused: a newer fence has touched the resource (the access certainly changed nothing). */
export const STALE = Symbol('stale');

/** How many lost CAS races an access tolerates (each lost race changed nothing) before giving up as unknown. */
const MAX_ROUNDS = 20;

function decode(stored: Json): FencedValue {
  if (stored !== null && typeof stored === 'object' && !Array.isArray(stored) && typeof stored['fence'] === 'string') {
    return { fence: BigInt(stored['fence']), value: stored['value'] ?? null };
  }
  return { fence: -1n, value: stored };
}

function encode(fence: bigint, value: Json): Json {
  return { fence: String(fence), value };
}

/** The stored text of the same value must compare equal in a CAS: the value as read is sent back as is. */
async function access(register: RegisterCapability, key: Key, fence: bigint, call: CallOptions, next: (current: Json) => Json | undefined): Promise<Json | typeof STALE> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stored = await register.read(key, call);
    const current = decode(stored);
    if (current.fence > fence) return STALE;
    const value = next(current.value);
    // A read under the same fence that was already stored changes nothing: no write needed.
    if (value === undefined && current.fence === fence) return current.value;
    if (await register.cas(key, stored, encode(fence, value === undefined ? current.value : value), call)) return current.value;
  }
  throw new Error(`fenced access to ${String(key)} lost ${MAX_ROUNDS} CAS races in a row`);
}

/** Reads the value under `fence` (storing the fence if it is the newest yet). */
export function fencedRead(register: RegisterCapability, key: Key, fence: bigint, call: CallOptions): Promise<Json | typeof STALE> {
  return access(register, key, fence, call, () => undefined);
}

/** Writes `value` under `fence`; resolves the value it replaced, or STALE. */
export function fencedWrite(register: RegisterCapability, key: Key, fence: bigint, value: Json, call: CallOptions): Promise<Json | typeof STALE> {
  return access(register, key, fence, call, () => value);
}

/** The plain value of a fenced register as stored (for a final read). */
export function fencedValue(stored: Json): Json {
  return decode(stored).value;
}
