import { InputError, UsageError } from '../errors.js';
import type { Json } from '../history/event.js';
import type { TestOutcome } from '../output/index.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `2/3` → {index 2, count 3}; anything else is a usage error. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && count >= 1 && index >= 1 && index <= count)) {
    throw new UsageError(`--shard expects i/n with 1 ≤ i ≤ n, got "${text}"`, 'e.g. --shard 2/3 runs the second of three slices');
  }
  return { index, count };
}

/**
 * The tests shard `s` runs: test k (in the expanded, stable order) goes to shard
 * (k mod n) + 1, so every machine that expands the same file with the same seed takes the
 * same slice, the slices are disjoint, and together they are the whole campaign.
 */
export function shardOf<T>(tests: readonly T[], s: Shard): T[] {
  return tests.filter((_, k) => k % s.count === s.index - 1);
}

/** One shard's campaign.json, as merge reads it. */
export interface ShardSummary {
  readonly path: string;
  readonly campaign: string;
  readonly seed: number;
  readonly shard: Shard | undefined;
  readonly outcomes: TestOutcome[];
}

const isObject = (v: unknown): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A shard's summary from its parsed campaign.json; fields it lacks are the file's problem. */
export function readShardSummary(path: string, json: Json): ShardSummary {
  if (!isObject(json) || typeof json['campaign'] !== 'string' || !Array.isArray(json['tests'])) {
    throw new InputError(path, undefined, 'not a campaign summary (campaign.json with "campaign" and "tests")', 'give the campaign directories the shards wrote');
  }
  const shard = isObject(json['shard']) ? { index: Number(json['shard']['index']), count: Number(json['shard']['count']) } : undefined;
  const outcomes = json['tests'].map((t, i): TestOutcome => {
    if (!isObject(t) || typeof t['name'] !== 'string') throw new InputError(path, undefined, `tests[${i}] is not a test result`);
    return t as unknown as TestOutcome;
  });
  return { path, campaign: json['campaign'], seed: Number(json['seed']), shard, outcomes };
}

export interface Merged {
  readonly campaign: string;
  readonly seed: number;
  readonly count: number;
  readonly outcomes: TestOutcome[];
  /** Shard indices absent from the set (only with allowPartial). */
  readonly missing: number[];
}

/**
 * Combines shards of one campaign: the same campaign and seed, the same shard count, each
 * index once. A missing shard is an error unless `allowPartial` (then the caller must not
 * call the result valid).
 */
export function mergeShards(shards: readonly ShardSummary[], allowPartial: boolean): Merged {
  const first = shards[0];
  if (first === undefined) throw new UsageError('merge needs at least one campaign directory');
  const count = first.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const s of shards) {
    if (s.campaign !== first.campaign || s.seed !== first.seed) {
      throw new InputError(s.path, undefined, `is campaign ${s.campaign} seed ${s.seed}, not ${first.campaign} seed ${first.seed}: shards of different runs cannot be merged`);
    }
    const shard = s.shard ?? { index: 1, count: 1 };
    if (shard.count !== count) throw new InputError(s.path, undefined, `is shard ${shard.index}/${shard.count}, but ${first.path} is one of ${count}`);
    const other = seen.get(shard.index);
    if (other !== undefined) throw new InputError(s.path, undefined, `is shard ${shard.index}/${count} again (also ${other})`);
    seen.set(shard.index, s.path);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0 && !allowPartial) {
    throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`, 'merge every shard, or pass --allow-partial (the verdict is then never valid)');
  }
  const ordered = [...shards].sort((a, b) => (a.shard?.index ?? 1) - (b.shard?.index ?? 1));
  return { campaign: first.campaign, seed: first.seed, count, outcomes: ordered.flatMap((s) => s.outcomes), missing };
}
