import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { RandomStreams } from '../../../src/generator/random.js';
import { Router, formatRouting, parseRouting } from '../../../src/runner/router.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const counts = (router: Router, n: number, leader?: string, thread = (i: number) => i % 10) => {
  const c: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const node = router.pick(thread(i), leader);
    c[node] = (c[node] ?? 0) + 1;
  }
  return c;
};
const rng = () => new RandomStreams(1).stream('routing');

describe('parseRouting', () => {
  it('parses every policy and formats it back', () => {
    for (const text of ['random', 'round-robin', 'leader', 'sticky', 'weighted:n1=5,n2=1']) {
      assert.equal(formatRouting(parseRouting(text)), text);
    }
    assert.deepEqual(parseRouting(' weighted: n1 = 2.5 ,n3=0'), { kind: 'weighted', weights: { n1: 2.5, n3: 0 } });
  });

  it('rejects malformed policies with a usage error', () => {
    for (const bad of ['nearest', 'weighted', 'weighted:n1', 'weighted:n1=x', 'weighted:n1=1,n1=2', 'weighted:n1=0', 'sticky:n1']) {
      assert.throws(() => parseRouting(bad), UsageError, bad);
    }
  });

  it('rejects weights for nodes the cluster does not have', () => {
    assert.throws(() => new Router(parseRouting('weighted:n9=1'), nodes, rng()), /no node named n9/);
  });
});

describe('Router', () => {
  it('round-robin spreads operations evenly', () => {
    assert.deepEqual(Object.values(counts(new Router({ kind: 'round-robin' }, nodes, rng()), 500)), [100, 100, 100, 100, 100]);
  });

  it('random reaches every node, reproducibly per seed', () => {
    const a = counts(new Router({ kind: 'random' }, nodes, rng()), 1000);
    assert.deepEqual(Object.keys(a).sort(), nodes);
    assert.ok(Object.values(a).every((n) => n > 150 && n < 250));
    assert.deepEqual(counts(new Router({ kind: 'random' }, nodes, rng()), 1000), a);
  });

  it('weighted follows the weights and never picks a zero-weight or unlisted node', () => {
    const c = counts(new Router(parseRouting('weighted:n1=5,n2=1,n3=0'), nodes, rng()), 6000);
    assert.deepEqual(Object.keys(c).sort(), ['n1', 'n2']);
    const ratio = (c['n1'] as number) / (c['n2'] as number);
    assert.ok(ratio > 4.3 && ratio < 5.8, `ratio ${ratio}`);
  });

  it('leader goes to the leader, and to some node while there is none', () => {
    assert.deepEqual(counts(new Router({ kind: 'leader' }, nodes, rng()), 50, 'n4'), { n4: 50 });
    assert.ok(Object.keys(counts(new Router({ kind: 'leader' }, nodes, rng()), 200, undefined)).length > 1);
  });

  it('sticky binds each worker to one node, whatever order it asks in', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: 50 }), (threads) => {
        const router = new Router({ kind: 'sticky' }, nodes, rng());
        for (const t of threads) assert.equal(router.pick(t, undefined), nodes[t % nodes.length]);
      }),
    );
  });
});
