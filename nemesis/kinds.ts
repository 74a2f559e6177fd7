/** Every fault kind `--nemesis` accepts. */
export const NEMESIS_KINDS = ['partition', 'kill', 'pause', 'clock', 'packet', 'client-pause', 'member', 'lose-unfsynced', 'slow-disk', 'corrupt-file'] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

/** The disk faults: never part of `all`. */
export const DISK_FAULT_KINDS: readonly NemesisKind[] = ['lose-unfsynced', 'slow-disk', 'corrupt-file'];

/**
 * What `all` stands for: every kind but the disk faults. lose-unfsynced and slow-disk change
 * the file system under the database for the whole run and need privileges (/dev/fuse,
 * CAP_SYS_ADMIN) that a run gets only when it names them; corrupt-file damages data for good
 * (a node may stay down). Each must be named.
 */
export const ALL_KINDS: readonly NemesisKind[] = NEMESIS_KINDS.filter((k) => !DISK_FAULT_KINDS.includes(k));

/** `all` expands to ALL_KINDS; duplicates go, and the order is NEMESIS_KINDS' (so the schedule does not depend on how they were listed). */
export function expandNemesisKinds(names: readonly string[]): NemesisKind[] {
  const wanted = new Set<string>(names.includes('all') ? ALL_KINDS : []);
  for (const n of names) wanted.add(n);
  return NEMESIS_KINDS.filter((k) => wanted.has(k));
}

/**
 * What a clock fault moves: `process` — the database's own clock (libfaketime, or the vDSO
 * helper for Go), leaving the machine's alone; `host` — the whole machine's clock (`date -s`),
 * only on machines with kernels of their own (SSH hosts that are not containers on the control machine).
 */
export const CLOCK_SCOPES = ['process', 'host'] as const;
export type ClockScope = (typeof CLOCK_SCOPES)[number];
