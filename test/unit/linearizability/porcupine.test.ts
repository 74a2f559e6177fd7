import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLinearizability } from '../../../src/checker/linearizability/check.js';
import { readHistoryFile } from '../../../src/history/read.js';
import { packageRoot } from '../../../src/version.js';

const dir = join(packageRoot, '..', 'shared', 'histories', 'porcupine');
const expected = readFileSync(join(dir, 'EXPECTED.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t') as [string, string]);

describe('every shared Porcupine history gets its expected verdict', () => {
  it('has the 109 files of EXPECTED.tsv', () => assert.equal(expected.length, 109));

  for (const [file, want] of expected) {
    it(`${file}: ${want}`, async () => {
      const events = await readHistoryFile(join(dir, file));
      const model = file.startsWith('kv/') ? 'kv' : 'cas-register';
      const result = await checkLinearizability(events, { model, workers: 0, file });
      // The empty log (a cluster that never started) has no operations: nothing to violate.
      assert.equal(result.verdict, want.startsWith('empty') ? 'valid' : want);
      if (want === 'invalid') {
        const x = result.partitions[0]!.explanation;
        assert.ok(x !== undefined, 'an invalid verdict comes with an explanation');
        // A search dead end names its candidates; a stale read found before searching names its overwriter.
        assert.equal(x.overwrittenBy !== undefined || x.conflict !== undefined || (x.blocked.ret !== null && x.candidates.length > 0), true);
      }
      if (file.startsWith('kv/')) assert.ok(result.stats.partitions > 1);
    });
  }

  for (const [file, want] of [['kv/c01-ok.txt', 'valid'], ['kv/c01-bad.txt', 'invalid']] as const) {
    it(`${file} without partitioning: ${want}`, async () => {
      const events = await readHistoryFile(join(dir, file));
      const result = await checkLinearizability(events, { model: 'kv', workers: 0, partition: false });
      assert.equal(result.stats.partitions, 1);
      assert.equal(result.verdict, want);
    });
  }

  it('checks partitions on worker threads with the same verdicts', async () => {
    const ok = await checkLinearizability(await readHistoryFile(join(dir, 'kv/c50-ok.txt')), { model: 'kv', workers: 2 });
    assert.deepEqual([ok.verdict, ok.stats.workers], ['valid', 2]);
    // 'auto' with no time in this thread: every unfinished partition is handed to threads.
    const bad = await checkLinearizability(await readHistoryFile(join(dir, 'kv/c50-bad.txt')), { model: 'kv', handOffMs: 0 });
    assert.equal(bad.verdict, 'invalid');
    assert.ok(bad.stats.workers > 0);
  });
});
