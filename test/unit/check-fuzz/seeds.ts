import type { Json } from '../../../src/history/event.js';

/** One event of a seed history, in faultline's JSON Lines fields. */
export interface SeedEvent {
  process: number | 'nemesis';
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value: Json;
  key?: string | number;
}

/** A well-formed history for one checker, and the `check` flags that pick it. */
export interface Seed {
  name: string;
  flags: readonly string[];
  events: readonly SeedEvent[];
  /** Formats that cannot hold this history (jepsen.log lines carry no key). */
  not?: readonly string[];
}

type Step = readonly [process: number, f: string, input: Json, output: Json, type?: 'ok' | 'fail' | 'info', key?: string | number];

/** Operations one after another: each step's invocation, then its completion. */
function sequential(steps: readonly Step[]): SeedEvent[] {
  return steps.flatMap(([process, f, input, output, type = 'ok', key]) => {
    const k = key === undefined ? {} : { key };
    return [
      { process, type: 'invoke' as const, f, value: input, ...k },
      { process, type, f, value: type === 'ok' ? output : input, ...k },
    ];
  });
}

const partition: SeedEvent[] = [
  { process: 'nemesis', type: 'info', f: 'start-partition', value: 'majority' },
  { process: 'nemesis', type: 'info', f: 'stop-partition', value: null },
];

const register = sequential([
  [0, 'write', 1, 1, 'ok', 'x'],
  [1, 'read', null, 1, 'ok', 'x'],
  [2, 'cas', [1, 2], [1, 2], 'ok', 'x'],
  [3, 'write', 5, 5, 'info', 'y'],
  [4, 'read', null, 2, 'ok', 'x'],
  [5, 'cas', [7, 8], [7, 8], 'fail', 'x'],
]);

const append = sequential([
  [0, 'txn', [['append', 1, 1], ['r', 2, null]], [['append', 1, 1], ['r', 2, null]]],
  [1, 'txn', [['append', 2, 1], ['r', 1, null]], [['append', 2, 1], ['r', 1, [1]]]],
  [2, 'txn', [['r', 1, null], ['r', 2, null]], [['r', 1, [1]], ['r', 2, [1]]]],
  [0, 'txn', [['append', 1, 2]], [['append', 1, 2]], 'info'],
]);

const rw = sequential([
  [0, 'txn', [['w', 1, 1], ['r', 2, null]], [['w', 1, 1], ['r', 2, null]]],
  [1, 'txn', [['w', 2, 1], ['r', 1, null]], [['w', 2, 1], ['r', 1, 1]]],
  [2, 'txn', [['r', 1, null], ['r', 2, null]], [['r', 1, 1], ['r', 2, 1]]],
]);

const bank = sequential([
  [0, 'transfer', { from: 0, to: 1, amount: 5 }, { from: 0, to: 1, amount: 5 }],
  [1, 'read', null, [5, 15, 10, 10, 10]],
  [2, 'transfer', { from: 2, to: 3, amount: 1 }, null, 'info'],
  [3, 'read', null, [5, 15, 10, 10, 10]],
]);

const stream = sequential([
  [0, 'enqueue', 0, '1-0'],
  [1, 'dequeue', null, [{ id: '1-0', value: 0, acked: true, via: 'new' }]],
  [2, 'enqueue', 1, '2-0'],
  [3, 'drain', null, [{ id: '2-0', value: 1, acked: true, via: 'new' }]],
]);

const watched = sequential([
  [0, 'write', 1, 1, 'ok', 'x'],
  [1, 'write', 2, 2, 'info', 'x'],
  [2, 'stream', null, { from: 1, responses: [[{ key: 'x', value: 1, revision: 2 }], [{ key: 'x', value: 2, revision: 3 }]], interrupted: false }, 'ok', 'x'],
  [3, 'read', null, 2, 'ok', 'x'],
]);

const watch = sequential([
  [0, 'put', [['k1', 0]], 1],
  [1, 'put', [['k1', 1], ['k2', 2]], 2],
  [2, 'watch', { windowMs: 500 }, { from: 1, responses: [[{ key: 'k1', value: 0, revision: 1 }], [{ key: 'k1', value: 1, revision: 2 }, { key: 'k2', value: 2, revision: 2 }]] }],
]);

/**
 * Every checker of `faultline check`, each with a small history it accepts (valid or invalid,
 * never refused): the fuzz harness mutates these.
 */
export const SEEDS: readonly Seed[] = [
  { name: 'register', flags: ['--model', 'register'], events: register.filter((e) => e.f !== 'cas') },
  { name: 'cas-register', flags: ['--model', 'cas-register'], events: [...register, ...partition] },
  { name: 'mutex', flags: ['--model', 'mutex'], events: sequential([[0, 'acquire', null, null], [0, 'release', null, null], [1, 'acquire', null, null, 'info']]) },
  { name: 'set-model', flags: ['--model', 'set'], events: sequential([[0, 'add', 1, 1], [1, 'add', 2, 2, 'info'], [2, 'read', null, [1, 2]]]) },
  { name: 'fifo-queue', flags: ['--model', 'fifo-queue'], events: sequential([[0, 'enqueue', 1, 1], [1, 'enqueue', 2, 2], [2, 'dequeue', null, 1], [3, 'dequeue', null, 2]]) },
  { name: 'unordered-queue', flags: ['--model', 'unordered-queue'], events: sequential([[0, 'enqueue', 1, 1], [1, 'enqueue', 2, 2], [2, 'dequeue', null, 2]]) },
  { name: 'multi-register', flags: ['--model', 'multi-register'], events: sequential([[0, 'txn', [['w', 'a', 1], ['w', 'b', 2]], [['w', 'a', 1], ['w', 'b', 2]]], [1, 'txn', [['r', 'a', null]], [['r', 'a', 1]]]]) },
  { name: 'kv', flags: ['--model', 'kv'], events: sequential([[0, 'put', 'a', 'a', 'ok', 'k'], [1, 'append', 'b', 'b', 'ok', 'k'], [2, 'get', null, 'ab', 'ok', 'k']]), not: ['jepsen-log'] },
  { name: 'list-append', flags: ['--workload', 'list-append', '--consistency', 'serializable'], events: append },
  { name: 'rw-register', flags: ['--workload', 'rw-register', '--wfr-keys'], events: rw },
  { name: 'long-fork', flags: ['--workload', 'long-fork'], events: rw },
  { name: 'bank', flags: ['--workload', 'bank', '--total', '50'], events: [...bank, ...partition] },
  { name: 'counter', flags: ['--workload', 'counter'], events: sequential([[0, 'add', 1, 1], [1, 'add', 3, 3, 'info'], [2, 'read', null, 1], [3, 'read', null, 4]]) },
  { name: 'set', flags: ['--workload', 'set'], events: sequential([[0, 'add', 0, 0], [1, 'add', 1, 1, 'info'], [2, 'add', 2, 2, 'fail'], [3, 'read', null, [0, 1]]]) },
  { name: 'set-full', flags: ['--workload', 'set-full', '--linearizable-set'], events: sequential([[0, 'add', 0, 0], [1, 'read', null, [0]], [2, 'add', 1, 1, 'info'], [3, 'read', null, [0, 1]]]) },
  { name: 'queue', flags: ['--workload', 'queue'], events: sequential([[0, 'enqueue', 0, 0], [1, 'enqueue', 1, 1, 'info'], [2, 'dequeue', null, 0], [3, 'drain', null, [1]]]) },
  { name: 'stream-queue', flags: ['--workload', 'stream-queue'], events: stream },
  { name: 'watch', flags: ['--workload', 'watch'], events: watch },
  { name: 'register-watched', flags: ['--workload', 'register-watched'], events: watched },
  {
    name: 'election',
    flags: ['--workload', 'election'],
    events: sequential([
      [0, 'campaign', 'p0.0', { leader: 'p0.0', term: 'a' }],
      [1, 'observe', null, { leader: 'p0.0', term: 'a' }],
      [0, 'resign', { leader: 'p0.0', term: 'a' }, { term: 'a', lost: false }],
      [1, 'campaign', 'p1.0', { leader: 'p1.0', term: 'b' }],
    ]),
  },
  { name: 'comments', flags: ['--workload', 'comments'], events: sequential([[0, 'write', 1, 1], [1, 'write', 2, 2], [2, 'read', null, [1, 2]], [3, 'read', null, [1]]]) },
  { name: 'sequential', flags: ['--workload', 'sequential'], events: sequential([[0, 'write', 1, 1], [1, 'read', null, [1, [null, 1, 1]]], [2, 'read', null, [2, [1, 1, 1]]]]) },
];
