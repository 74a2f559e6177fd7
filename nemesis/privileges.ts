import type { NodePrivileges } from '../src/cluster/node.js';
import type { SystemDescriptor } from '../src/systems/descriptor.js';
import { DISK_KINDS, DISK_PRIVILEGES } from './disk.js';
import type { ClockScope, NemesisKind } from './kinds.js';
import { VDSO_CLOCK_PRIVILEGES } from './vdso-clock.js';

/** What a run's nodes get beyond NET_ADMIN, and for which of its faults (recorded in test.json). */
export interface RunPrivileges extends NodePrivileges {
  readonly for: readonly string[];
}

/**
 * Only the faults that need more ask for it: disk faults /dev/fuse and CAP_SYS_ADMIN, clock
 * faults on a system moved through its vDSO CAP_SYS_PTRACE. Undefined: NET_ADMIN only.
 */
export function runPrivileges(kinds: readonly NemesisKind[], system: SystemDescriptor, clockScope: ClockScope = 'process'): RunPrivileges | undefined {
  const parts: { kind: string; p: NodePrivileges }[] = [];
  for (const k of kinds.filter((kind) => DISK_KINDS.includes(kind))) parts.push({ kind: k, p: DISK_PRIVILEGES });
  if (kinds.includes('clock') && clockScope === 'process' && system.clock?.via === 'vdso') parts.push({ kind: 'clock', p: VDSO_CLOCK_PRIVILEGES });
  if (parts.length === 0) return undefined;
  const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];
  return {
    capAdd: uniq(parts.flatMap((x) => x.p.capAdd)),
    devices: uniq(parts.flatMap((x) => x.p.devices)),
    for: parts.map((x) => x.kind),
  };
}
