import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { RandomStreams } from '../../../src/generator/random.js';
import {
  type Grudge,
  PARTITION_SHAPES,
  bridge,
  connected,
  halves,
  isolate,
  majoritiesRing,
  parsePartitionShape,
  partitionFor,
  randomHalves,
} from '../../../nemesis/partition-shapes.js';
import { parseTargetSpec, selectTargets } from '../../../nemesis/targets.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const cluster = (min: number, max = 9) => fc.tuple(fc.integer({ min, max }), fc.integer()).map(([n, seed]) => ({ nodes: names(n), rng: new RandomStreams(seed).stream('faults') }));

/** The nodes a node can talk to, itself included. */
const view = (g: Grudge, nodes: string[], a: string): string[] => nodes.filter((b) => a === b || connected(g, a, b));

/** Connected components, when the grudge is a clean cut (complete within, nothing across). */
function components(g: Grudge, nodes: string[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const a of nodes) {
    if (seen.has(a)) continue;
    const part = view(g, nodes, a);
    part.forEach((x) => seen.add(x));
    out.push(part);
  }
  return out;
}

function assertSymmetricAndWellFormed(g: Grudge, nodes: string[]): void {
  for (const [a, dropped] of Object.entries(g)) {
    assert.ok(nodes.includes(a));
    assert.ok(!dropped.includes(a), `${a} drops itself`);
    for (const b of dropped) assert.ok(g[b]?.includes(a), `${a} drops ${b} but not the other way round`);
  }
}

describe('partition shapes', () => {
  it('halves and random-halves are disjoint, cover the cluster, and cut everything across', () => {
    fc.assert(
      fc.property(cluster(2), ({ nodes, rng }) => {
        for (const g of [halves(nodes), randomHalves(nodes, rng)]) {
          assertSymmetricAndWellFormed(g, nodes);
          const parts = components(g, nodes);
          assert.equal(parts.length, 2);
          assert.deepEqual(parts.flat().sort(), [...nodes].sort());
          assert.deepEqual(parts.map((p) => p.length).sort(), [Math.floor(nodes.length / 2), Math.ceil(nodes.length / 2)].sort());
          for (const a of parts[0] as string[]) for (const b of parts[1] as string[]) assert.ok(!connected(g, a, b));
        }
      }),
    );
  });

  it('isolate cuts one node from all others, who stay connected', () => {
    fc.assert(
      fc.property(cluster(2), fc.nat(), ({ nodes }, i) => {
        const lonely = nodes[i % nodes.length] as string;
        const g = isolate(nodes, lonely);
        assertSymmetricAndWellFormed(g, nodes);
        assert.deepEqual(view(g, nodes, lonely), [lonely]);
        for (const other of nodes.filter((n) => n !== lonely)) assert.equal(view(g, nodes, other).length, nodes.length - 1);
      }),
    );
  });

  it('majorities-ring gives every node a majority view, no two the same (n ≥ 5)', () => {
    fc.assert(
      fc.property(cluster(5, 11), ({ nodes, rng }) => {
        const g = majoritiesRing(nodes, rng);
        assertSymmetricAndWellFormed(g, nodes);
        const views = nodes.map((a) => view(g, nodes, a));
        for (const v of views) {
          assert.ok(v.length > nodes.length / 2, 'a majority');
          assert.ok(v.length < nodes.length, 'not everyone');
        }
        assert.equal(new Set(views.map((v) => v.join())).size, nodes.length);
      }),
    );
  });

  it('bridge keeps exactly one node connected to both sides', () => {
    fc.assert(
      fc.property(cluster(3), fc.boolean(), ({ nodes, rng }, shuffle) => {
        const g = bridge(nodes, shuffle ? rng : undefined);
        assertSymmetricAndWellFormed(g, nodes);
        const everyone = nodes.filter((a) => view(g, nodes, a).length === nodes.length);
        assert.equal(everyone.length, 1);
        const middle = everyone[0] as string;
        // Without the bridge, the others fall into exactly two sides that cannot talk.
        const rest = nodes.filter((a) => a !== middle);
        const sides = components(g, rest);
        assert.equal(sides.length, 2);
        for (const a of sides[0] as string[]) for (const b of sides[1] as string[]) assert.ok(!connected(g, a, b));
      }),
    );
  });

  it('replays the same partitions for the same seed', () => {
    const run = () => {
      const rng = new RandomStreams(42).stream('faults');
      return PARTITION_SHAPES.map((s) => partitionFor(s, names(5), rng, 'n3'));
    };
    assert.deepEqual(run(), run());
  });

  it('says clearly when a shape does not fit the cluster', () => {
    const rng = new RandomStreams(1).stream('faults');
    assert.throws(() => majoritiesRing(names(3), rng), UsageError);
    assert.throws(() => bridge(names(2)), UsageError);
    assert.throws(() => partitionFor('isolate-leader', names(3), rng), /no leader known/);
    assert.throws(() => parsePartitionShape('thirds'), UsageError);
  });
});

describe('fault targets', () => {
  it('picks one, a minority, a majority, all, or the leaders', () => {
    fc.assert(
      fc.property(cluster(1), fc.nat(), ({ nodes, rng }, i) => {
        const n = nodes.length;
        const leader = nodes[i % n] as string;
        const sizes = (['one', 'minority', 'majority', 'all'] as const).map((spec) => {
          const t = selectTargets(spec, nodes, rng);
          assert.equal(new Set(t).size, t.length);
          assert.ok(t.every((x) => nodes.includes(x)));
          return t.length;
        });
        assert.deepEqual(sizes, [1, Math.floor((n - 1) / 2), Math.floor(n / 2) + 1, n]);
        assert.ok(sizes[1] as number < n / 2 && (sizes[2] as number) > n / 2);
        assert.deepEqual(selectTargets('leader', nodes, rng, [leader]), [leader]);
        assert.deepEqual(selectTargets('primaries', nodes, rng, []), []);
      }),
    );
  });

  it('rejects unknown target names', () => {
    assert.equal(parseTargetSpec('minority'), 'minority');
    assert.throws(() => parseTargetSpec('half'), UsageError);
  });
});
