import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../../src/generator/random.js';
import { type FaultResult, type Nemesis, type NemesisContext, combineNemeses } from '../../../src/runner/nemesis.js';

const ctx: NemesisContext = {
  nodes: ['n1', 'n2', 'n3'],
  leader: async () => 'n1',
  rng: new RandomStreams(1).stream('faults'),
  signal: new AbortController().signal,
};

function fake(fault: string, log: string[], healError?: string): Nemesis {
  return {
    setup: async () => void log.push(`setup ${fault}`),
    invoke: async (op): Promise<FaultResult> => {
      log.push(op.f);
      return { fault, active: op.f.startsWith('start'), targets: ['n2'] };
    },
    healAll: async () => {
      log.push(`heal ${fault}`);
      if (healError !== undefined) throw new Error(healError);
      return [{ fault, active: false, targets: [] }];
    },
    teardown: async () => void log.push(`teardown ${fault}`),
  };
}

describe('combineNemeses', () => {
  it('sends each fault operation to its kind, and setup/heal/teardown to all', async () => {
    const log: string[] = [];
    const both = combineNemeses({ partition: fake('partition', log), kill: fake('kill', log) });
    await both.setup?.(ctx);
    assert.equal((await both.invoke({ f: 'start-kill', value: 'one' }, ctx)).fault, 'kill');
    assert.equal((await both.invoke({ f: 'stop-partition', value: null }, ctx)).fault, 'partition');
    assert.deepEqual((await both.healAll(ctx)).map((r) => r.fault), ['partition', 'kill']);
    await both.teardown?.(ctx);
    assert.deepEqual(log, ['setup partition', 'setup kill', 'start-kill', 'stop-partition', 'heal partition', 'heal kill', 'teardown partition', 'teardown kill']);
  });

  it('rejects a fault it has no nemesis for', async () => {
    const both = combineNemeses({ kill: fake('kill', []) });
    await assert.rejects(both.invoke({ f: 'start-pause', value: null }, ctx), /no nemesis for "start-pause" \(have: kill\)/);
    await assert.rejects(both.invoke({ f: 'start-constructor', value: null }, ctx), /no nemesis/);
  });

  it('heals every kind even when one fails, then reports the failure', async () => {
    const log: string[] = [];
    const both = combineNemeses({ partition: fake('partition', log, 'iptables gone'), kill: fake('kill', log) });
    await assert.rejects(both.healAll(ctx), /iptables gone/);
    assert.deepEqual(log, ['heal partition', 'heal kill']);
  });
});
