import type { Cluster, Node, NodePrivileges } from '../src/cluster/node.js';
import { jsonObjectOf, sh } from '../src/cluster/node.js';
import { InfrastructureError } from '../src/errors.js';
import type { Json } from '../src/history/event.js';
import type { Nemesis } from '../src/runner/nemesis.js';
import { daemonPidFile, isRunning, sleep, startDaemon, tailLog } from '../src/systems/daemon.js';
import { type StartOptions, type SystemDescriptor as System, defineSystem } from '../src/systems/descriptor.js';
import { processFaultNemesis } from './process-faults.js';

/**
 * Disk faults need a file system faultline controls under the database's data directory:
 * faultline-fs (docker/faultline-fs.c), a FUSE passthrough that keeps an undo log of what was
 * written since each file's last fsync. Mounting FUSE inside a container takes /dev/fuse and
 * CAP_SYS_ADMIN, which only runs with disk faults get.
 */
export const DISK_PRIVILEGES: NodePrivileges = { capAdd: ['SYS_ADMIN'], devices: ['/dev/fuse'] };
/** The fault kinds that put faultline-fs under the database. */
export const DISK_KINDS: readonly string[] = ['lose-unfsynced', 'slow-disk'];

const FS_DAEMON = 'faultline-fs';
const FS_BIN = '/usr/local/bin/faultline-fs';
export const FS_PID = daemonPidFile(FS_DAEMON);
export const FS_STATUS = '/run/faultline/faultline-fs.status';
/** The slow-disk delays faultline-fs reads on SIGHUP ("FSYNC_MS WRITE_MS"). */
export const FS_DELAY = '/run/faultline/faultline-fs.delay';
export const FS_LOG = '/var/log/faultline/faultline-fs.log';
const FS_TYPE = 'fuse.faultline-fs';
const CONFIRM_MS = 5_000;

/** Where the files really are: beside the data directory, never inside it. */
export function backingDir(dataDir: string): string {
  return `/var/lib/faultline-durable${dataDir}`;
}

/** One status line of faultline-fs (`{"seq":N,"dropped":…,"files":F,"bytes":B,"truncated":T}`). */
export interface FsStatus {
  readonly seq: number;
  readonly dropped: boolean;
  /** Files with writes since their last fsync. */
  readonly files: number;
  /** Bytes written to them since then. */
  readonly bytes: number;
  /** Bytes past their length at the last fsync (cut off by a drop). */
  readonly truncated: number;
  /** Slow disk: the delays in force, and how many fsyncs and writes they held up since the layer started. */
  readonly fsyncDelayMs: number;
  readonly writeDelayMs: number;
  readonly delayedFsyncs: number;
  readonly delayedWrites: number;
}

export function parseFsStatus(text: string): FsStatus | undefined {
  const o = jsonObjectOf(text);
  if (o === undefined) return undefined;
  const n = (k: string): number | undefined => (typeof o[k] === 'number' && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0 ? (o[k] as number) : undefined);
  const [seq, files, bytes, truncated] = [n('seq'), n('files'), n('bytes'), n('truncated')];
  const [fsyncDelayMs, writeDelayMs, delayedFsyncs, delayedWrites] = [n('fsyncDelayMs'), n('writeDelayMs'), n('delayedFsyncs'), n('delayedWrites')];
  if (seq === undefined || files === undefined || bytes === undefined || truncated === undefined || typeof o['dropped'] !== 'boolean') return undefined;
  if (fsyncDelayMs === undefined || writeDelayMs === undefined || delayedFsyncs === undefined || delayedWrites === undefined) return undefined;
  return { seq, dropped: o['dropped'], files, bytes, truncated, fsyncDelayMs, writeDelayMs, delayedFsyncs, delayedWrites };
}

export async function readStatus(node: Node): Promise<FsStatus | undefined> {
  const r = await sh(node, `cat ${FS_STATUS} 2>/dev/null`, { timeoutMs: 5_000 });
  return r.exitCode === 0 ? parseFsStatus(r.stdout) : undefined;
}

async function isMounted(node: Node, dataDir: string): Promise<boolean> {
  const r = await sh(node, `awk -v d="${dataDir}" '$2 == d && $3 == "${FS_TYPE}" { found = 1 } END { exit !found }' /proc/mounts`);
  return r.exitCode === 0;
}

/** Whether faultline-fs serves `dataDir` on the node (mounted, and its process alive). */
export async function layerUp(node: Node, dataDir: string): Promise<boolean> {
  return (await isMounted(node, dataDir)) && (await isRunning(node, FS_DAEMON));
}

/**
 * Puts faultline-fs over `dataDir` (a no-op when it is there): what the directory already
 * holds (ZooKeeper's myid) moves to the backing directory first, so the database sees the
 * same files through the layer. A mount whose process died is lazily unmounted and replaced;
 * the files are all in the backing directory.
 */
export async function mountDiskLayer(node: Node, dataDir: string): Promise<void> {
  const mounted = await isMounted(node, dataDir);
  if (mounted && (await isRunning(node, FS_DAEMON))) return;
  const back = backingDir(dataDir);
  const move = `${mounted ? `umount -l "${dataDir}"; ` : ''}mkdir -p "${back}" "${dataDir}" && cp -a "${dataDir}/." "${back}/" && find "${dataDir}" -mindepth 1 -delete && rm -f ${FS_STATUS}`;
  const r = await sh(node, move, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new InfrastructureError(`${node.name}: preparing ${dataDir} for faultline-fs failed: ${r.stderr.trim()}`);
  await startDaemon(node, { name: FS_DAEMON, argv: [FS_BIN, back, dataDir, FS_STATUS, '-o', 'allow_other,default_permissions'], logFile: FS_LOG });
  for (let i = 0; i < 100; i++) {
    if (await isMounted(node, dataDir)) return;
    // It exits at once when it cannot mount (no /dev/fuse, no CAP_SYS_ADMIN): no need to wait out the rest.
    if (!(await isRunning(node, FS_DAEMON))) break;
    await sleep(50);
  }
  throw new InfrastructureError(
    `${node.name}: faultline-fs did not mount on ${dataDir}`,
    `the end of ${FS_LOG}:\n    ${(await tailLog(node, FS_LOG, 5)).split('\n').join('\n    ')}\n  it needs /dev/fuse and CAP_SYS_ADMIN in the container`,
  );
}

/** The system with faultline-fs mounted over its data directory before each start. */
export function withDiskLayer(system: System): System {
  const dataDir = system.dataDir;
  if (dataDir === undefined) throw new Error(`${system.name} declares no data directory`);
  return defineSystem({
    ...system,
    adapt: undefined,
    logFiles: [...(system.logFiles ?? []), FS_LOG],
    async start(cluster, node, options) {
      await mountDiskLayer(node, dataDir);
      await system.start.call(system, cluster, node, options);
    },
  });
}

/**
 * The power cut's second half, after the process is dead: faultline-fs drops every write not
 * fsynced and says how much. Anything short of its confirmation is `applied: false`.
 */
export async function dropUnfsynced(node: Node, dataDir: string, confirmMs = CONFIRM_MS): Promise<Json> {
  if (!(await layerUp(node, dataDir))) return { applied: false, killed: true, reason: `faultline-fs is not serving ${dataDir}: nothing was dropped` };
  const before = await readStatus(node);
  if (before === undefined) return { applied: false, killed: true, reason: `faultline-fs has no readable status at ${FS_STATUS}` };
  await sh(node, `kill -USR1 "$(cat ${FS_PID})"`);
  const until = Date.now() + confirmMs;
  while (Date.now() < until) {
    const now = await readStatus(node);
    if (now !== undefined && now.seq > before.seq && now.dropped) {
      return { applied: true, killed: true, files: now.files, bytesWritten: now.bytes, bytesTruncated: now.truncated };
    }
    await sleep(20);
  }
  return { applied: false, killed: true, reason: `faultline-fs did not confirm the drop within ${confirmMs / 1000} s (it may still happen)` };
}

/**
 * `start-lose-unfsynced`: a power cut on the targets — SIGKILL the database, then drop what it
 * wrote but never fsynced. `stop-lose-unfsynced` and healing start it again on what was
 * durable. The kill comes first so that nothing is written between the drop and the end.
 */
export function loseUnfsyncedNemesis(system: System, cluster: Cluster, startOptions?: StartOptions, confirmMs = CONFIRM_MS): Nemesis {
  const { kill, dataDir } = system;
  if (kill === undefined || dataDir === undefined) throw new Error(`${system.name} cannot lose un-fsynced writes (no kill or no data directory)`);
  return processFaultNemesis(cluster, {
    fault: 'lose-unfsynced',
    signal: 'SIGKILL',
    act: async (node) => {
      await kill.call(system, node);
      return dropUnfsynced(node, dataDir, confirmMs);
    },
    undo: (node) => system.start(cluster, node, startOptions),
  });
}
