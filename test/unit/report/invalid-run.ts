import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent, Json } from '../../../src/history/event.js';
import { serializeEvent } from '../../../src/history/formats/jsonl.js';
import { countByFunction, faultLog } from '../../../src/execute/summary.js';
import { linearizable } from '../../../workloads/register.js';

/** A value that must show as text wherever it appears: as a value, an error, a key, a test name. */
export const HOSTILE = '</script><img src=x onerror="window.__pwned=1;alert(1)">';

const MS = 1_000_000;

/**
 * A register run recorded from a small in-memory simulation: 5 processes on 3 nodes, two
 * keys (one of them the hostile string), and a partition that isolates n3, which then
 * serves reads from its stale copy. The real linearizability checker judges it, so the
 * result is what `faultline run` would write: invalid, with a counterexample.
 */
export function simulateStaleReads(opsPerProcess = 40): HistoryEvent[] {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    // The low bits of this generator cycle quickly; the high ones do not.
    return (seed >>> 12) % n;
  };
  const partition = { from: 40 * MS, to: 120 * MS };
  const keys: Json[] = [0, HOSTILE];
  type Planned = { process: number; node: string; key: string | number; f: string; value: Json; call: number; at: number; ret: number };
  const planned: Planned[] = [];
  for (let p = 0; p < 5; p++) {
    let t = p * 0.7 * MS;
    for (let i = 0; i < opsPerProcess; i++) {
      const call = t + rand(3) * MS;
      const ret = call + (1 + rand(4)) * MS;
      const kind = rand(3);
      const f = kind === 0 ? 'read' : kind === 1 ? 'write' : 'cas';
      const value: Json = f === 'read' ? null : f === 'write' ? (rand(7) === 0 ? HOSTILE : rand(5)) : [rand(5), rand(5)];
      planned.push({ process: p, node: `n${1 + ((p + i) % 3)}`, key: keys[rand(2)] as string | number, f, value, call, at: (call + ret) / 2, ret });
      t = ret + 0.2 * MS;
    }
  }
  const current = new Map<Json, Json>();
  const stale = new Map<Json, Json>();
  const events: Omit<HistoryEvent, 'index'>[] = [];
  for (const op of [...planned].sort((a, b) => a.at - b.at)) {
    const cut = op.node === 'n3' && op.at >= partition.from && op.at < partition.to;
    if (op.at >= partition.from && stale.size === 0) for (const k of keys) stale.set(k, current.get(k) ?? null);
    const base = { process: op.process, f: op.f, key: op.key, node: op.node };
    events.push({ ...base, time: op.call, type: 'invoke', value: op.value });
    let done: Omit<HistoryEvent, 'index'>;
    if (op.f === 'read') {
      done = { ...base, time: op.ret, type: 'ok', value: (cut ? stale : current).get(op.key) ?? null };
    } else if (cut) {
      done = { ...base, time: op.ret, type: 'fail', value: op.value, error: `unavailable: ${HOSTILE}` };
    } else if (op.f === 'write') {
      current.set(op.key, op.value);
      done = { ...base, time: op.ret, type: 'ok', value: op.value };
    } else {
      const [expected, next] = op.value as [Json, Json];
      const ok = (current.get(op.key) ?? null) === expected;
      if (ok) current.set(op.key, next);
      done = ok ? { ...base, time: op.ret, type: 'ok', value: op.value } : { ...base, time: op.ret, type: 'fail', value: op.value, error: 'cas-mismatch' };
    }
    events.push(done);
  }
  const nemesis = (time: number, type: HistoryEvent['type'], f: string, value: Json): Omit<HistoryEvent, 'index'> => ({ process: 'nemesis', time, type, f, value });
  events.push(
    nemesis(partition.from - 0.5 * MS, 'invoke', 'start-partition', 'isolate-one'),
    nemesis(partition.from, 'info', 'start-partition', {
      fault: 'partition',
      active: true,
      targets: ['n3'],
      details: { shape: 'isolate-one', grudge: { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] } },
    }),
    nemesis(partition.to, 'invoke', 'stop-partition', null),
    nemesis(partition.to + 0.5 * MS, 'info', 'stop-partition', { fault: 'partition', active: false, targets: ['n3'] }),
  );
  return events.sort((a, b) => a.time - b.time).map((e, index) => ({ ...e, index }) as HistoryEvent);
}

export interface WrittenRun {
  dir: string;
  events: HistoryEvent[];
}

/** Writes a complete run directory for the simulated history: test.json, history.jsonl, results.json. */
export async function writeInvalidRun(dir: string, options: { results?: boolean; opsPerProcess?: number } = {}): Promise<WrittenRun> {
  await mkdir(dir, { recursive: true });
  const events = simulateStaleReads(options.opsPerProcess);
  const spec = { system: 'simulated', nodes: 3, workload: 'register', nemesis: ['partition'], concurrency: 5, seed: 42, routing: 'round-robin', name: HOSTILE };
  await writeFile(join(dir, 'test.json'), JSON.stringify({ name: HOSTILE, seed: 42, startedAt: '2026-11-22T06:00:00.000Z', spec, versions: { faultline: '0.1.0', systems: { simulated: `sim ${HOSTILE}` } } }));
  await writeFile(join(dir, 'history.jsonl'), events.map((e) => `${serializeEvent(e)}\n`).join(''));
  if (options.results !== false) {
    const check = await linearizable('linearizable', events, 'cas-register', 20_000);
    const results = {
      name: HOSTILE,
      verdict: check.verdict,
      checkers: [check],
      system: 'simulated',
      workload: 'register',
      seed: 42,
      cluster: { id: 'sim', nodes: ['n1', 'n2', 'n3'].map((name) => ({ name, address: '127.0.0.1' })) },
      stopReason: 'generator-exhausted',
      ops: { byFunction: countByFunction(events) },
      faults: faultLog(events),
      errors: [],
    };
    await writeFile(join(dir, 'results.json'), JSON.stringify(results));
  }
  return { dir, events };
}
