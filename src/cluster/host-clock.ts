import { readFile } from 'node:fs/promises';
import { InfrastructureError } from '../errors.js';
import type { Node } from './node.js';

/**
 * Host clock faults: the clock of a whole machine set with `date -s` (clock_settime), for SSH
 * hosts that have kernels of their own. Everything here is relative to the control machine's
 * clock (the one faultline runs on): a fault sets a host to control time + offset, a reset sets
 * it back to control time, and both measure the offset the host then shows (± half the round
 * trip). A marker file on the host says its clock was moved, so a teardown, the next run's reset
 * and `faultline clean --hosts` find and reset it even after the run that moved it was killed.
 */
export const HOST_CLOCK_MARKER = '/run/faultline/host-clock';

/** The control machine's kernel: a host with the same boot id is this machine (a container on it), whose clock must never be set. */
export async function localBootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

/** GNU date's `@seconds.millis` for an epoch time in ms (what `date -s` takes). */
export function dateArgument(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`not a time to set a clock to: ${ms}`);
  const whole = Math.round(ms);
  return `@${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`;
}

/** When to set the host to so that it reads control time + offset when the command lands: the send time plus the one-way delay. */
export function targetTimeMs(sentAtMs: number, offsetMs: number, oneWayMs: number): number {
  return sentAtMs + offsetMs + oneWayMs;
}

export interface ClockReading {
  /** Host clock minus control clock, at the middle of the round trip. */
  readonly offsetMs: number;
  /** Half the round trip: the host read its clock somewhere in it. */
  readonly uncertaintyMs: number;
}

/** The offset a host reading shows, taken between `beforeMs` and `afterMs` on the control clock. */
export function offsetFromSample(beforeMs: number, afterMs: number, hostMs: number): ClockReading {
  if (afterMs < beforeMs) throw new Error(`a round trip cannot end (${afterMs}) before it starts (${beforeMs})`);
  return { offsetMs: Math.round(hostMs - (beforeMs + afterMs) / 2), uncertaintyMs: Math.ceil((afterMs - beforeMs) / 2) };
}

/** Refuses, before touching anything, on a host that is the control machine's kernel. */
function guard(controlBootId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(controlBootId)) throw new Error(`not a boot id: ${JSON.stringify(controlBootId)}`);
  return `if [ "$(cat /proc/sys/kernel/random/boot_id)" = "${controlBootId}" ]; then echo "refused: this host shares the kernel of the machine running faultline" >&2; exit 3; fi`;
}

/** The NTP daemons running on the host (they may pull a clock set by hand back): one `ntp NAME` line each. */
const NTP = 'for d in chronyd ntpd systemd-timesyncd openntpd; do pgrep -x "$d" >/dev/null 2>&1 && echo "ntp $d"; done';

/**
 * Moves the host's clock to `targetMs` (epoch ms) and prints the host's time right after
 * (ns), then the NTP daemons running. The marker is written first: a set that half happened is
 * still reset. The guard refuses a host sharing the control machine's kernel.
 */
export function setClockScript(targetMs: number, offsetMs: number, controlBootId: string): string {
  return [
    guard(controlBootId),
    `mkdir -p /run/faultline && echo ${Math.round(offsetMs)} > ${HOST_CLOCK_MARKER}`,
    `date -u -s ${dateArgument(targetMs)} >/dev/null || exit 4`,
    'date +%s%N',
    NTP,
  ].join('\n');
}

/**
 * Sets the host's clock back to `targetMs` (control time) when the marker says it was moved,
 * removes the marker, and prints the host's time after; prints `unmoved` when there is no marker.
 */
export function restoreClockScript(targetMs: number, controlBootId: string): string {
  return [
    `[ -e ${HOST_CLOCK_MARKER} ] || { echo unmoved; exit 0; }`,
    guard(controlBootId),
    `date -u -s ${dateArgument(targetMs)} >/dev/null || exit 4`,
    `rm -f ${HOST_CLOCK_MARKER}`,
    'date +%s%N',
  ].join('\n');
}

/** `date +%s%N` → epoch ms (through a bigint: ns overflow a double's exact range). */
export function parseHostTime(line: string | undefined): number {
  const text = (line ?? '').trim();
  if (!/^\d{10,}$/.test(text)) throw new Error(`not a host time (date +%s%N): ${JSON.stringify(text.slice(0, 40))}`);
  return Number(BigInt(text) / 1000n) / 1000;
}

/** What setting one host's clock did: the offset asked, the one measured after, the one before, and NTP daemons that may undo it. */
export interface HostClockSet {
  readonly askedMs: number;
  readonly before: ClockReading;
  readonly measured: ClockReading;
  readonly ntp: readonly string[];
}

const TIMEOUT_MS = 10_000;

/** The host's clock against the control machine's, once. */
export async function readHostClock(node: Node): Promise<ClockReading> {
  const before = Date.now();
  const r = await node.exec(['date', '+%s%N'], { timeoutMs: TIMEOUT_MS });
  const after = Date.now();
  if (r.exitCode !== 0) throw new InfrastructureError(`${node.name}: cannot read the clock: ${r.stderr.trim()}`);
  return offsetFromSample(before, after, parseHostTime(r.stdout.split('\n')[0]));
}

/** Sets `node`'s clock to control time + offsetMs, compensating the one-way delay a first reading measures. */
export async function setHostClock(node: Node, offsetMs: number, controlBootId: string): Promise<HostClockSet> {
  const before = await readHostClock(node);
  const sentAt = Date.now();
  const r = await node.exec(['sh', '-c', setClockScript(targetTimeMs(sentAt, offsetMs, before.uncertaintyMs), offsetMs, controlBootId)], { timeoutMs: TIMEOUT_MS });
  const after = Date.now();
  if (r.exitCode !== 0) throw new InfrastructureError(`${node.name}: setting the clock failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-2).join(' | ') || 'no output'}`);
  const [time, ...rest] = r.stdout.trim().split('\n');
  return {
    askedMs: offsetMs,
    before,
    measured: offsetFromSample(sentAt, after, parseHostTime(time)),
    ntp: rest.filter((l) => l.startsWith('ntp ')).map((l) => l.slice(4)),
  };
}

/** Sets a moved host's clock back to control time; the residual is the offset measured after. Undefined when it was not moved. */
export async function restoreHostClock(node: Node, controlBootId: string): Promise<ClockReading | undefined> {
  // One look first (is it moved, and how long is the round trip), so the set can allow for the one-way delay.
  const t0 = Date.now();
  const look = await node.exec(['sh', '-c', `if [ -e ${HOST_CLOCK_MARKER} ]; then date +%s%N; else echo unmoved; fi`], { timeoutMs: TIMEOUT_MS });
  const oneWayMs = Math.ceil((Date.now() - t0) / 2);
  if (look.exitCode === 0 && look.stdout.trim() === 'unmoved') return undefined;
  const sentAt = Date.now();
  const r = await node.exec(['sh', '-c', restoreClockScript(targetTimeMs(sentAt, 0, oneWayMs), controlBootId)], { timeoutMs: TIMEOUT_MS });
  const after = Date.now();
  if (r.exitCode !== 0) throw new InfrastructureError(`${node.name}: setting the clock back failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-2).join(' | ') || 'no output'}`, 'set it by hand (`date -s`, or restart NTP) and run `faultline clean --hosts`');
  const out = r.stdout.trim();
  if (out === 'unmoved') return undefined;
  return offsetFromSample(sentAt, after, parseHostTime(out.split('\n')[0]));
}
