import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contentTag } from '../../../src/cluster/image-tag.js';
import { Label, nodeLabels, summarize } from '../../../src/cluster/labels.js';
import { pickSubnet, subnetAt } from '../../../src/cluster/docker/subnets.js';

describe('labels', () => {
  it('carry everything `cluster ls` shows, so another process can describe a cluster', () => {
    const created = new Date('2026-01-02T03:04:05.000Z');
    const node = (n: number, run = 'abc', state = 'running') => ({
      labels: nodeLabels({ run, cluster: `c-${run}`, system: 'etcd', node: `n${n}`, address: `10.213.1.${10 + n}`, created, owner: { pid: 42, host: 'h' } }),
      state,
    });
    const clusters = summarize([node(10), node(2), node(1, 'abc', 'exited'), node(1, 'old'), { labels: { other: 'x' }, state: 'running' }]);
    assert.equal(clusters.length, 2);
    const abc = clusters.find((c) => c.id === 'abc');
    assert.deepEqual(abc, {
      id: 'abc',
      name: 'c-abc',
      system: 'etcd',
      createdAt: created,
      nodes: [
        { name: 'n1', address: '10.213.1.11', state: 'exited' },
        { name: 'n2', address: '10.213.1.12', state: 'running' },
        { name: 'n10', address: '10.213.1.20', state: 'running' },
      ],
    });
    assert.equal(node(1).labels[Label.run], 'abc');
  });
});

describe('subnets', () => {
  it('give node i a fixed address beside the gateway', () => {
    const s = subnetAt(7);
    assert.equal(s.cidr, '10.213.7.0/24');
    assert.equal(s.gateway, '10.213.7.1');
    assert.equal(s.address(1), '10.213.7.11');
  });

  it('never pick a subnet in use, and find one whenever one is free', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 256 }), fc.integer({ min: 0, max: 255 }), (used, hint) => {
        const inUse = used.map((t) => subnetAt(t).cidr);
        const picked = pickSubnet([...inUse, '172.17.0.0/16'], hint);
        if (used.length === 256) assert.equal(picked, undefined);
        else assert.ok(picked !== undefined && !inUse.includes(picked.cidr));
      }),
    );
  });
});

describe('image tags', () => {
  it('change when the Dockerfile or the parent image changes, and only then', () => {
    const tag = contentTag('FROM x\nRUN a\n', 'sha256:1');
    assert.match(tag, /^[0-9a-f]{12}$/);
    assert.equal(contentTag('FROM x\nRUN a\n', 'sha256:1'), tag);
    assert.notEqual(contentTag('FROM x\nRUN b\n', 'sha256:1'), tag);
    assert.notEqual(contentTag('FROM x\nRUN a\n', 'sha256:2'), tag);
  });
});
