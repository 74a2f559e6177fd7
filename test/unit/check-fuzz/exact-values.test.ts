import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Json } from '../../../src/history/event.js';
import { FORMATS, render } from './formats.js';
import { CheckRunner } from './run-check.js';
import type { SeedEvent } from './seeds.js';

/**
 * 2^53 and 2^53 + 1 are different values to every checker family, in every format: a double
 * holds both as 2^53, so a checker that let one slip through a Number would call a history
 * that confuses them valid. Each case is a history that is invalid only because of that
 * difference, and the same history with the right value, which is valid.
 */

const A = 9007199254740992n; // 2^53
const B = 9007199254740993n; // 2^53 + 1: JSON.parse and Number() make it 2^53

type Step = readonly [process: number, f: string, input: Json, output: Json, type?: 'ok' | 'info'];
const ops = (steps: readonly Step[]): SeedEvent[] =>
  steps.flatMap(([process, f, input, output, type = 'ok']) => [
    { process, type: 'invoke' as const, f, value: input },
    { process, type, f, value: type === 'ok' ? output : input },
  ]);

/** [family, flags, history given the value read back]. */
const CASES: readonly [string, readonly string[], (read: bigint) => SeedEvent[]][] = [
  ['register values', ['--model', 'register'], (r) => ops([[0, 'write', B, B], [1, 'read', null, r]])],
  ['cas-register values', ['--model', 'cas-register'], (r) => ops([[0, 'write', B, B], [1, 'cas', [r, 1], [r, 1]]])],
  ['set-model elements', ['--model', 'set'], (r) => ops([[0, 'add', B, B], [1, 'read', null, [r]]])],
  ['queue-model elements', ['--model', 'fifo-queue'], (r) => ops([[0, 'enqueue', B, B], [1, 'dequeue', null, r]])],
  ['list-append elements', ['--workload', 'list-append'], (r) => ops([[0, 'txn', [['append', 1, B]], [['append', 1, B]]], [1, 'txn', [['r', 1, null]], [['r', 1, [r]]]]])],
  ['rw-register values', ['--workload', 'rw-register'], (r) => ops([[0, 'txn', [['w', 1, B]], [['w', 1, B]]], [1, 'txn', [['r', 1, null]], [['r', 1, r]]]])],
  ['bank amounts', ['--workload', 'bank', '--accounts', '2', '--total', String(B)], (r) => ops([[0, 'transfer', { from: 0, to: 1, amount: B }, { from: 0, to: 1, amount: B }], [1, 'read', null, [0n, r]]])],
  ['counter increments', ['--workload', 'counter'], (r) => ops([[0, 'add', B, B], [1, 'read', null, r]])],
  ['set elements', ['--workload', 'set'], (r) => ops([[0, 'add', B, B], [1, 'read', null, [r]]])],
  ['set-full elements', ['--workload', 'set-full'], (r) => ops([[0, 'add', B, B], [1, 'read', null, [r]]])],
  ['queue elements', ['--workload', 'queue'], (r) => ops([[0, 'enqueue', B, B], [1, 'drain', null, [r]]])],
  ['comments ids', ['--workload', 'comments'], (r) => ops([[0, 'write', B, B], [1, 'write', A + 3n, A + 3n], [2, 'read', null, [r, A + 3n]]])],
];

const dir = mkdtempSync(join(tmpdir(), 'faultline-exact-values-'));
const runner = new CheckRunner();
after(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;

describe('2^53 and 2^53 + 1 are different values to every checker, in every format', () => {
  for (const [family, flags, history] of CASES) {
    it(family, async () => {
      for (const format of FORMATS) {
        for (const [read, code] of [[B, 0], [A, 1]] as const) {
          const path = join(dir, `${n++}.history`);
          writeFileSync(path, render(history(read), format));
          const r = await runner.run([path, ...flags], 20_000);
          assert.equal(r.code, code, `${family} as ${format}, read ${read}: exit ${r.code}\n${r.out}${r.err}`);
        }
      }
    });
  }
});
