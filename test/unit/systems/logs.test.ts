import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Cluster, Node } from '../../../src/cluster/node.js';
import { collectLogs, describeMissingLogs, nodeLogsJson } from '../../../src/systems/logs.js';
import type { SystemDescriptor as System } from '../../../src/systems/index.js';

/** Nodes whose copies succeed, except n2's (gone: its container was removed). */
function cluster(dead: string): Cluster {
  const nodes: Node[] = ['n1', 'n2', 'n3'].map((name) => ({
    name,
    address: '10.0.0.1',
    exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
    copyOut: async (path: string, dest: string) => {
      if (name === dead) throw new Error(`${name}: cannot read ${path}: no such container`);
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, `${name} ${path}\n`);
    },
    writeFile: async () => undefined,
  }));
  return { id: 'c1', name: 'c1', system: 'redis', nodes };
}

const system = { name: 'redis', logFiles: ['/var/log/faultline/redis.log', '/var/log/faultline/sentinel.log'] } as unknown as System;

describe('collecting node logs', () => {
  it('one dead node costs only its own logs, and says which and why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-logs-'));
    try {
      const logs = await collectLogs(system, cluster('n2'), join(dir, 'nodes'));
      assert.deepEqual(
        logs.copied.map((p) => p.slice(dir.length + 1)),
        ['nodes/n1/redis.log', 'nodes/n1/sentinel.log', 'nodes/n3/redis.log', 'nodes/n3/sentinel.log'],
      );
      assert.equal(await readFile(join(dir, 'nodes', 'n3', 'sentinel.log'), 'utf8'), 'n3 /var/log/faultline/sentinel.log\n');
      assert.deepEqual(logs.missing, [
        { node: 'n2', file: '/var/log/faultline/redis.log', error: 'cannot read /var/log/faultline/redis.log: no such container' },
        { node: 'n2', file: '/var/log/faultline/sentinel.log', error: 'cannot read /var/log/faultline/sentinel.log: no such container' },
      ]);
      assert.deepEqual(describeMissingLogs(logs), [
        'n2: log /var/log/faultline/redis.log not copied: cannot read /var/log/faultline/redis.log: no such container',
        'n2: log /var/log/faultline/sentinel.log not copied: cannot read /var/log/faultline/sentinel.log: no such container',
      ]);
      const json = nodeLogsJson(logs, dir) as { copied: string[]; missing: unknown[] };
      assert.deepEqual(json.copied, ['nodes/n1/redis.log', 'nodes/n1/sentinel.log', 'nodes/n3/redis.log', 'nodes/n3/sentinel.log']);
      assert.equal(json.missing.length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
