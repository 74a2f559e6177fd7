/**
 * What one node may use. Without limits one runaway database (a leak, a fork loop, a spin)
 * can starve the host, the other nodes and the CLI that is recording the history; with
 * them it is the database that fails, which is what a test is for. Provider-neutral: Docker
 * maps them to cgroup limits, another provider to whatever it has.
 */
export interface NodeResources {
  /** Memory, swap included (a node never swaps past it), in MiB. */
  readonly memoryMiB: number;
  /** CPU time in cores; fractions allowed (0.5 is half of one core). */
  readonly cpus: number;
  /** Processes and threads together. */
  readonly pids: number;
}

/** Lower bounds that still let a database start (the engine's own minimum memory is 6 MB). */
export const MIN_NODE_MEMORY_MIB = 64;
export const MIN_NODE_PIDS = 64;

const UNITS: Readonly<Record<string, number>> = { '': 1, m: 1, mb: 1, mib: 1, g: 1024, gb: 1024, gib: 1024 };

/**
 * `512`, `512m`, `1g`, `1.5GiB` → MiB (a bare number is MiB; docker's `-m 512` would be
 * bytes, which is never what anyone means). Undefined when it does not parse.
 */
export function parseMemoryMiB(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m?.[2] === undefined ? undefined : UNITS[m[2].toLowerCase()];
  if (m?.[1] === undefined || factor === undefined) return undefined;
  const mib = Number(m[1]) * factor;
  return Number.isInteger(mib) ? mib : Math.round(mib);
}
