/**
 * Consistency models and the anomalies each forbids, after Adya's generalized isolation
 * levels as Elle applies them to observed histories. Only item anomalies exist here (no
 * predicates), so G2 is G2-item.
 */

export const CONSISTENCY_MODELS = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-snapshot-isolation',
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
const ANTI_DEPENDENCY = ['G-single-item', 'G-nonadjacent-item', 'lost-update'];
const REPEATABLE_READ = [...READ_COMMITTED, ...ANTI_DEPENDENCY, 'G2-item'];
// Snapshot isolation permits write skew (G2-item with adjacent anti-dependencies) but
// requires each transaction to see one snapshot, so its own reads must agree (internal).
const SNAPSHOT_ISOLATION = [...READ_COMMITTED, ...ANTI_DEPENDENCY, 'internal'];
const SERIALIZABLE = [...REPEATABLE_READ, 'internal'];

function withSuffix(names: readonly string[], suffixes: readonly string[]): string[] {
  const cycles = names.filter((n) => (CYCLE_ANOMALIES as readonly string[]).includes(n));
  return [...names, ...suffixes.flatMap((s) => cycles.map((n) => n + s))];
}

const FORBIDDEN: Record<ConsistencyModel, ReadonlySet<string>> = {
  'read-uncommitted': new Set(READ_UNCOMMITTED),
  'read-committed': new Set(READ_COMMITTED),
  'repeatable-read': new Set(REPEATABLE_READ),
  'snapshot-isolation': new Set(SNAPSHOT_ISOLATION),
  serializable: new Set(SERIALIZABLE),
  'strong-session-snapshot-isolation': new Set(withSuffix(SNAPSHOT_ISOLATION, ['-process'])),
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
    process: model.startsWith('strong-session-') || model === 'strict-serializable',
    realtime: model === 'strict-serializable',
  };
}

/** Models ruled out by a set of found anomaly types, in the order of CONSISTENCY_MODELS. */
export function modelsRuledOut(types: Iterable<string>): ConsistencyModel[] {
  const found = [...types];
  return CONSISTENCY_MODELS.filter((m) => found.some((t) => FORBIDDEN[m].has(t)));
}
