/**
 * Small pieces every system's capability client shares: how register values and keys are
 * stored, lock tokens, and waiting on a call's AbortSignal.
 */
import { randomBytes } from 'node:crypto';
import type { Json, Key } from '../history/event.js';
import { UsageError } from '../errors.js';
import type { Cluster, Node } from '../cluster/node.js';
import type { CapabilityName } from '../runner/capabilities.js';
import { DefiniteFailure } from '../runner/outcome.js';
import type { CapabilityClient, ClientOptions } from './client-options.js';
import type { ReadMode, SystemClient } from './descriptor.js';
import { exactJsonText, parseExactJson } from '../history/exact-json.js';

/** Every key faultline writes lives under this prefix, so a test never touches anything else. */
export const KEY_PREFIX = 'faultline';

export function registerKey(key: Key): string {
  return `${KEY_PREFIX}/register/${String(key)}`;
}

export function lockKey(name: string): string {
  return `${KEY_PREFIX}/lock/${name}`;
}

/** Register values are stored as JSON text, so `1` and `"1"` stay distinct. */
export function encodeValue(value: Json): string {
  return exactJsonText(value);
}

/** The stored text back as a value; `null`/`undefined` (no such key) reads `null`. */
export function decodeValue(text: string | null | undefined): Json {
  if (text === null || text === undefined) return null;
  try {
    return parseExactJson(text) as Json;
  } catch {
    // Written by someone else: report it as it is rather than failing the read.
    return text;
  }
}

/** A fresh, unguessable lock token. */
export function newToken(): string {
  return randomBytes(8).toString('hex');
}

/** `readMode` checked against what the system accepts (the first is the default). */
export function chooseReadMode(system: string, readModes: readonly ReadMode[], requested: string | undefined): string {
  const mode = requested ?? readModes[0]?.name;
  if (mode === undefined || !readModes.some((m) => m.name === mode)) {
    throw new UsageError(`${system} has no read mode "${String(requested)}"`, `choose one of: ${readModes.map((m) => m.name).join(', ')}`);
  }
  return mode;
}

/** A system client whose `open` gets the read mode already checked against `readModes` (the first is the default). */
export function systemClient(
  system: string,
  readModes: readonly ReadMode[],
  capabilities: readonly CapabilityName[],
  open: (cluster: Cluster, node: Node, options: ClientOptions, readMode: string) => Promise<CapabilityClient>,
): SystemClient {
  return {
    capabilities,
    readModes,
    open: (cluster, node, options) => open(cluster, node, options, chooseReadMode(system, readModes, options.readMode)),
  };
}

/** Lock TTLs in whole seconds (etcd leases, Consul sessions), never below `minSeconds`. */
export function ttlSeconds(ttlMs: number, minSeconds: number): number {
  return Math.max(minSeconds, Math.ceil(ttlMs / 1000));
}

/** The AbortSignal's reason as an error (the runner classifies `AbortError`/`TimeoutError` as `info: timeout`). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
}

/**
 * Settles like `p`, or rejects when `signal` aborts first. Used only where a call blocks by
 * design (lock waits); short calls rely on the library's own deadline and the runner's race.
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Thrown for a call whose precondition the server rejected before doing anything. */
export function definitely(reason: string, detail?: string): DefiniteFailure {
  return new DefiniteFailure(reason, detail === undefined ? reason : `${reason}: ${detail}`);
}

/** A write or CAS that keeps losing races gives up after this many rounds (each lost round changed nothing). */
const MAX_ROUNDS = 20;

/**
 * Runs `round` until it settles the call (`undefined` = "lost a race, nothing changed, try
 * again"), as read-then-conditional-write recipes do: a CAS may answer "no" only after a read
 * that saw another value, never because a concurrent write happened to bump a version.
 */
export async function rounds<T>(what: string, round: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const result = await round();
    if (result !== undefined) return result;
  }
  throw new DefiniteFailure('contended', `${what}: lost ${MAX_ROUNDS} races in a row`);
}
