import type { Cluster, Node } from '../src/cluster/node.js';
import { sh } from '../src/cluster/node.js';
import type { Json } from '../src/history/event.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import { sleep } from '../src/systems/daemon.js';
import type { SystemDescriptor as System } from '../src/systems/descriptor.js';
import { FS_DELAY, FS_PID, type FsStatus, layerUp, readStatus } from './disk.js';
import { processFaultNemesis } from './process-faults.js';

/** How slow the disk gets: every fsync/fdatasync waits `fsyncDelayMs`, every write `writeDelayMs`. */
export interface SlowDisk {
  readonly fsyncDelayMs: number;
  readonly writeDelayMs: number;
}

/** Past etcd's 1 s "slow fdatasync" threshold and ZooKeeper's 1 s fsync warning, below etcd's 5 s election-free window. */
export const DEFAULT_SLOW_DISK: SlowDisk = { fsyncDelayMs: 1_200, writeDelayMs: 0 };
export const MAX_DISK_DELAY_MS = 600_000;
const CONFIRM_MS = 5_000;
const PROBE = '.faultline-slow-disk-probe';

export function parseSlowDisk(value: Json): SlowDisk {
  const v = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const ms = (k: string, d: number): number => {
    const n = Number(v[k] ?? d);
    return Number.isInteger(n) && n >= 0 && n <= MAX_DISK_DELAY_MS ? n : d;
  };
  return { fsyncDelayMs: ms('fsyncDelayMs', DEFAULT_SLOW_DISK.fsyncDelayMs), writeDelayMs: ms('writeDelayMs', DEFAULT_SLOW_DISK.writeDelayMs) };
}

/**
 * Sets faultline-fs's delays on a node and waits for its confirmation (a new status line
 * with exactly these delays): the status, or why the delays are not known to be in force.
 */
export async function setDiskDelays(node: Node, dataDir: string, d: SlowDisk, confirmMs = CONFIRM_MS): Promise<FsStatus | { reason: string }> {
  if (!(await layerUp(node, dataDir))) return { reason: `faultline-fs is not serving ${dataDir}` };
  const before = await readStatus(node);
  if (before === undefined) return { reason: 'faultline-fs has no readable status' };
  const r = await sh(node, `printf '%s %s\\n' ${d.fsyncDelayMs} ${d.writeDelayMs} > ${FS_DELAY}.tmp && mv ${FS_DELAY}.tmp ${FS_DELAY} && kill -HUP "$(cat ${FS_PID})"`);
  if (r.exitCode !== 0) return { reason: `signalling faultline-fs failed: ${r.stderr.trim()}` };
  const until = Date.now() + confirmMs;
  while (Date.now() < until) {
    const now = await readStatus(node);
    if (now !== undefined && now.seq > before.seq) {
      if (now.fsyncDelayMs === d.fsyncDelayMs && now.writeDelayMs === d.writeDelayMs) return now;
      return { reason: `faultline-fs reports delays fsync ${now.fsyncDelayMs} ms, write ${now.writeDelayMs} ms, not the ones asked for` };
    }
    await sleep(20);
  }
  return { reason: `faultline-fs did not confirm the delays within ${confirmMs / 1000} s` };
}

/**
 * Times one 4 KiB write and its fsync through the layer (a probe file in the data directory,
 * removed at once): with the delays in force it takes at least fsync + write delay.
 */
async function probeMs(node: Node, dataDir: string): Promise<number | undefined> {
  const f = `${dataDir}/${PROBE}`;
  const r = await sh(node, `t0=$(date +%s%N); dd if=/dev/zero of=${f} bs=4096 count=1 conv=fsync status=none; t1=$(date +%s%N); rm -f ${f}; echo $(( (t1 - t0) / 1000000 ))`, { timeoutMs: MAX_DISK_DELAY_MS + 30_000 });
  const ms = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isFinite(ms) ? ms : undefined;
}

async function logLines(node: Node, log: string | undefined): Promise<number> {
  if (log === undefined) return 0;
  return Number((await sh(node, `wc -l < '${log}' 2>/dev/null || echo 0`)).stdout.trim()) || 0;
}

/** The database's own complaints about its disk since line `from`: how many, and the first. */
async function warnings(node: Node, log: string | undefined, pattern: string, from: number): Promise<{ count: number; first?: string }> {
  if (log === undefined) return { count: 0 };
  const r = await sh(node, `tail -n +${from + 1} '${log}' 2>/dev/null | grep -aE '${pattern.replace(/'/g, `'\\''`)}' > /tmp/faultline-slow-disk.grep; wc -l < /tmp/faultline-slow-disk.grep; head -n 1 /tmp/faultline-slow-disk.grep | cut -c1-300; rm -f /tmp/faultline-slow-disk.grep`);
  const [count, first] = r.stdout.split('\n');
  return { count: Number(count) || 0, ...(first !== undefined && first.trim() !== '' ? { first: first.trim() } : {}) };
}

/**
 * `start-slow-disk` with `{targets, fsyncDelayMs, writeDelayMs}`: faultline-fs on each target
 * holds every fsync and write of the database up that long. Recorded per node: the delays
 * faultline-fs confirmed and a timed probe fsync; `applied` only when both agree.
 * `stop-slow-disk` and healing set them to 0 and record what the fault did meanwhile: how many
 * fsyncs and writes the layer held up, and the database's own log lines about a slow disk
 * (the descriptor's `slowDiskWarning`: etcd's "sync duration of …").
 */
export function slowDiskNemesis(system: System, cluster: Cluster, confirmMs = CONFIRM_MS): Nemesis {
  const dataDir = system.dataDir;
  if (dataDir === undefined) throw new Error(`${system.name} declares no data directory for faultline-fs to sit under`);
  const log = system.logFiles?.[0];
  const since = new Map<string, { status: FsStatus; line: number }>();
  return processFaultNemesis(cluster, {
    fault: 'slow-disk',
    signal: 'none',
    act: async (node, value) => {
      const d = parseSlowDisk(value);
      const line = await logLines(node, log);
      const set = await setDiskDelays(node, dataDir, d, confirmMs);
      if ('reason' in set) return { applied: false, ...d, reason: set.reason };
      since.set(node.name, { status: set, line });
      const measured = await probeMs(node, dataDir);
      const expected = d.fsyncDelayMs + d.writeDelayMs;
      const confirmed = { fsyncDelayMs: set.fsyncDelayMs, writeDelayMs: set.writeDelayMs };
      if (measured === undefined) return { applied: false, ...d, confirmed, reason: 'the probe fsync through faultline-fs failed' };
      if (measured < expected) return { applied: false, ...d, confirmed, probeMs: measured, reason: `the probe write+fsync took ${measured} ms, less than the ${expected} ms the delays add` };
      return { applied: true, ...d, confirmed, probeMs: measured };
    },
    undo: async (node): Promise<Json | undefined> => {
      const before = since.get(node.name);
      since.delete(node.name);
      const set = await setDiskDelays(node, dataDir, { fsyncDelayMs: 0, writeDelayMs: 0 }, confirmMs);
      if (before === undefined) return undefined; // never slowed here: nothing to record
      if ('reason' in set) return { healed: false, reason: set.reason };
      const said = system.slowDiskWarning === undefined ? undefined : await warnings(node, log, system.slowDiskWarning, before.line);
      return {
        healed: true,
        // The probe's own fsync (and write) are among them.
        delayedFsyncs: set.delayedFsyncs - before.status.delayedFsyncs,
        delayedWrites: set.delayedWrites - before.status.delayedWrites,
        ...(said === undefined ? { databaseWarnings: 'none declared' } : { databaseWarnings: said.count, ...(said.first === undefined ? {} : { firstWarning: said.first }) }),
      };
    },
  });
}
