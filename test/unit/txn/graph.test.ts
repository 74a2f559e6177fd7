import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EdgeStore, RW, WR, WW, bit, buildCsr, DATA_MASK } from '../../../src/checker/txn/graph.js';
import { stronglyConnected } from '../../../src/checker/txn/scc.js';
import { classifyCycle, findCycles } from '../../../src/checker/txn/cycles.js';
import { HEAP, IntPairMap } from '../../../src/checker/txn/int-tables.js';
import { Deadline } from '../../../src/checker/txn/budget.js';

/** Reachability by repeated relaxation: slow, obviously right. */
function reaches(n: number, edges: [number, number][]): boolean[][] {
  const r = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of edges) {
      for (let i = 0; i < n; i++) {
        if (r[i]![a] && !r[i]![b]) {
          r[i]![b] = true;
          changed = true;
        }
      }
    }
  }
  return r;
}

/** A random typed graph: its node count and its edges (source, target, kind). */
const typedGraph = (maxNodes: number, maxEdges: number) =>
  fc
    .integer({ min: 2, max: maxNodes })
    .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom(WW, WR, RW)), { maxLength: maxEdges })));

describe('strongly connected components', () => {
  it('agree with mutual reachability on random graphs, and are numbered in reverse topological order', () => {
    fc.assert(
      fc.property(
        typedGraph(12, 30),
        fc.constantFrom(bit(WW), bit(WW) | bit(WR), DATA_MASK),
        ([n, list], mask) => {
          const store = new EdgeStore();
          for (const [a, b, k] of list) store.add(a, b, k);
          const c = stronglyConnected(buildCsr(n, store), store, mask);
          const kept = list.filter(([, , k]) => (mask >> k) & 1).map(([a, b]): [number, number] => [a, b]);
          const r = reaches(n, kept);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              assert.equal(c.comp[i] === c.comp[j], r[i]![j]! && r[j]![i]!, `nodes ${i}, ${j}`);
              if (r[i]![j] && c.comp[i] !== c.comp[j]) assert.ok(c.comp[i]! > c.comp[j]!);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handle a million-node cycle without recursion', () => {
    const n = 1_000_000;
    const store = new EdgeStore(n);
    for (let v = 0; v < n; v++) store.add(v, (v + 1) % n, WW);
    const c = stronglyConnected(buildCsr(n, store), store, DATA_MASK);
    assert.equal(c.count, 1);
    assert.equal(c.size[0], n);
  });
});

describe('edge store', () => {
  it('ranks an edge among its parallel edges the same by the CSR as by a count over all edges, and a lean store drops reasons', () => {
    fc.assert(
      fc.property(typedGraph(6, 40), ([n, list]) => {
        const lean = new EdgeStore(16, HEAP, false);
        const full = new EdgeStore();
        for (const [a, b, k] of list) {
          lean.add(a, b, k, 7, 8);
          full.add(a, b, k, 7, 8);
        }
        const counted = list.map(([a, b, k], e) => list.slice(0, e).filter(([x, y, z]) => x === a && y === b && z === k).length);
        assert.deepEqual(list.map((_, e) => lean.rank(e)), counted);
        lean.outgoing = buildCsr(n, lean);
        assert.deepEqual(list.map((_, e) => lean.rank(e)), counted);
        assert.equal(lean.a.length, 0);
        assert.deepEqual(list.map((_, e) => [lean.reasonA(e), full.reasonA(e)]), list.map(() => [-1, 7]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('cycle search', () => {
  it('finds a G0, G1c and G-single exactly when one exists, and every cycle it reports is one', () => {
    fc.assert(
      fc.property(
        typedGraph(9, 24),
        ([n, list]) => {
          const store = new EdgeStore();
          for (const [a, b, k] of list) if (a !== b) store.add(a, b, k);
          const found = findCycles(buildCsr(n, store), store, [0], new Deadline(undefined), HEAP);
          const types = new Set(found.cycles.map((c) => c.type));
          for (const c of found.cycles) {
            for (let i = 0; i < c.edges.length; i++) {
              assert.equal(store.dst[c.edges[i]!], store.src[c.edges[(i + 1) % c.edges.length]!], 'edges chain into a cycle');
            }
            assert.equal(classifyCycle(c.edges.map((e) => store.kind[e]!)), c.type);
          }
          const edgesOf = (kinds: number[]) =>
            list.filter(([a, b, k]) => a !== b && kinds.includes(k)).map(([a, b]): [number, number] => [a, b]);
          const cyclic = (pairs: [number, number][]) => {
            const r = reaches(n, pairs);
            return pairs.some(([a, b]) => r[b]![a]);
          };
          const wwwr = reaches(n, edgesOf([WW, WR]));
          assert.equal(types.has('G0'), cyclic(edgesOf([WW])), 'G0');
          const g1c = edgesOf([WR]).some(([a, b]) => wwwr[b]![a]);
          const single = list.some(([a, b, k]) => a !== b && k === RW && wwwr[b]![a]);
          assert.equal(found.truncated.length, 0);
          if (single) assert.ok(types.has('G-single-item'), 'a G-single exists');
          else assert.ok(!types.has('G-single-item'));
          assert.equal(types.has('G1c'), g1c, 'G1c');
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('cycle names', () => {
  it('follow the edges of the cycle', () => {
    assert.equal(classifyCycle([WW, WW]), 'G0');
    assert.equal(classifyCycle([WW, WR]), 'G1c');
    assert.equal(classifyCycle([RW, WR]), 'G-single-item');
    assert.equal(classifyCycle([RW, WR, RW, WW]), 'G-nonadjacent-item');
    assert.equal(classifyCycle([RW, RW]), 'G2-item');
    assert.equal(classifyCycle([WR, RW, WW, RW]), 'G-nonadjacent-item');
    // Adjacent across the wrap-around.
    assert.equal(classifyCycle([RW, WW, WR, RW]), 'G2-item');
    assert.equal(classifyCycle([RW, 4]), 'G-single-item-realtime');
    assert.equal(classifyCycle([WW, 3]), 'G0-process');
    assert.equal(classifyCycle([WW, 3, 4]), 'G0-realtime');
  });
});

describe('IntPairMap', () => {
  it('behaves like a Map of pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.integer(), fc.nat())), (entries) => {
        const m = new IntPairMap(1);
        const ref = new Map<string, number>();
        for (const [a, b, v] of entries) {
          m.set(a, b, v);
          ref.set(`${a},${b}`, v);
        }
        for (const [a, b] of entries) assert.equal(m.get(a, b), ref.get(`${a},${b}`));
        assert.equal(m.get(0x7fffffff, -0x80000000), ref.get(`${0x7fffffff},${-0x80000000}`) ?? -1);
        assert.equal(m.size, ref.size);
      }),
    );
  });
});
