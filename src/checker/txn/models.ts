/**
 * Consistency models and the anomalies each forbids, after Adya's generalized isolation
 * levels as Elle applies them to observed histories. Only item anomalies exist here (no
 * predicates), so G2 is G2-item.
 */

export const CONSISTENCY_MODELS = [
  'read-uncommitted',
  'read-committed',
  'cursor-stability',
  'monotonic-atomic-view',
  'read-atomic',
  'causal-cerone',
  'prefix',
  'update-atomic',
  'parallel-snapshot-isolation',
  'consistent-view',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-snapshot-isolation',
  'strong-snapshot-isolation',
  'strong-session-serializable',
  'strict-serializable',
] as const;

export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

export function isConsistencyModel(s: string): s is ConsistencyModel {
  return (CONSISTENCY_MODELS as readonly string[]).includes(s);
}

/** The cycle anomalies, weakest first; each can carry a `-process` or `-realtime` suffix. */
export const CYCLE_ANOMALIES = ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', 'G2-item'] as const;

const READ_UNCOMMITTED = ['G0', 'duplicate-elements', 'garbage-read'];
const READ_COMMITTED = [...READ_UNCOMMITTED, 'G1a', 'G1b', 'G1c', 'dirty-update', 'future-read', 'incompatible-order'];
// Adya's cursor stability forbids G-cursor, a cycle of write dependencies and one
// anti-dependency all on one item; lost-update is how these histories show one (as Elle
// shows it). Consistent view (PL-2+) forbids every G-single, and implies cursor stability.
const CURSOR_STABILITY = [...READ_COMMITTED, 'lost-update'];
const CONSISTENT_VIEW = [...CURSOR_STABILITY, 'G-single-item'];
const ANTI_DEPENDENCY = ['G-single-item', 'G-nonadjacent-item', 'lost-update'];
const REPEATABLE_READ = [...READ_COMMITTED, ...ANTI_DEPENDENCY, 'G2-item'];
// Snapshot isolation permits write skew (G2-item with adjacent anti-dependencies) but
// requires each transaction to see one snapshot, so its own reads must agree (internal).
const SNAPSHOT_ISOLATION = [...READ_COMMITTED, ...ANTI_DEPENDENCY, 'internal'];
const SERIALIZABLE = [...REPEATABLE_READ, 'internal'];
// Bailis's and Cerone's weaker models, as Elle checks them (its sources call the Cerone ones
// incomplete): each forbids what the models it implies forbid, plus its own. Monotonic atomic
// view adds nothing detectable over read committed; read atomic adds internal consistency
// (future reads are read committed's already); causal and prefix add nothing over read
// atomic; update atomic and parallel SI add lost updates.
const READ_ATOMIC = [...READ_COMMITTED, 'internal'];
const UPDATE_ATOMIC = [...READ_ATOMIC, 'lost-update'];

function withSuffix(names: readonly string[], suffixes: readonly string[]): string[] {
  const cycles = names.filter((n) => (CYCLE_ANOMALIES as readonly string[]).includes(n));
  return [...names, ...suffixes.flatMap((s) => cycles.map((n) => n + s))];
}

const FORBIDDEN: Record<ConsistencyModel, ReadonlySet<string>> = {
  'read-uncommitted': new Set(READ_UNCOMMITTED),
  'read-committed': new Set(READ_COMMITTED),
  'cursor-stability': new Set(CURSOR_STABILITY),
  'monotonic-atomic-view': new Set(READ_COMMITTED),
  'read-atomic': new Set(READ_ATOMIC),
  'causal-cerone': new Set(READ_ATOMIC),
  prefix: new Set(READ_ATOMIC),
  'update-atomic': new Set(UPDATE_ATOMIC),
  'parallel-snapshot-isolation': new Set(UPDATE_ATOMIC),
  'consistent-view': new Set(CONSISTENT_VIEW),
  'repeatable-read': new Set(REPEATABLE_READ),
  'snapshot-isolation': new Set(SNAPSHOT_ISOLATION),
  serializable: new Set(SERIALIZABLE),
  'strong-session-snapshot-isolation': new Set(withSuffix(SNAPSHOT_ISOLATION, ['-process'])),
  // Snapshot isolation whose snapshots follow real time (Daudjee's strong SI).
  'strong-snapshot-isolation': new Set(withSuffix(SNAPSHOT_ISOLATION, ['-process', '-realtime'])),
  'strong-session-serializable': new Set(withSuffix(SERIALIZABLE, ['-process'])),
  // A process's operations never overlap in time, so process order is part of real-time order.
  'strict-serializable': new Set(withSuffix(SERIALIZABLE, ['-process', '-realtime'])),
};

/** The anomaly types a model forbids. */
export function forbiddenBy(model: ConsistencyModel): ReadonlySet<string> {
  return FORBIDDEN[model];
}

/** Which order edges the search needs so that the model's forbidden anomalies can be found. */
export function orderEdgesFor(model: ConsistencyModel): { process: boolean; realtime: boolean } {
  return {
    process: model.startsWith('strong-') || model === 'strict-serializable',
    realtime: model === 'strict-serializable' || model === 'strong-snapshot-isolation',
  };
}

/** Models ruled out by a set of found anomaly types, in the order of CONSISTENCY_MODELS. */
export function modelsRuledOut(types: Iterable<string>): ConsistencyModel[] {
  const found = [...types];
  return CONSISTENCY_MODELS.filter((m) => found.some((t) => FORBIDDEN[m].has(t)));
}
