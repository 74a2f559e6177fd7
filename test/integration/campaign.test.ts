import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { cliPath } from './cluster-helpers.js';

const CAMPAIGN = `name: it
seed: 5
defaults: {nodes: 3, concurrency: 6, timeLimitMs: 20000, nemesisIntervalMs: 4000, opTimeoutMs: 1000, settleMs: 2000}
tests:
  - {system: etcd, workload: register, nemesis: partition}
  - {system: zookeeper, workload: lock, nemesis: none}
`;

interface Summary {
  campaign: string;
  verdict: string;
  exitCode: number;
  directory: string;
  tests: { name: string; status: string; verdict: string; runDir: string; checkers: { checker: string; verdict: string }[] }[];
}

/** A real two-test campaign through the built CLI, as CI would run it. */
test('faultline campaign: exit code = worst verdict, campaign.json, JUnit and an index linking each report', { timeout: 420_000 }, async () => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'faultline-campaign-')));
  try {
    const file = join(dir, 'campaign.yaml');
    await writeFile(file, CAMPAIGN);
    const junit = join(dir, 'out', 'junit.xml');
    const r = await promisify(execFile)(process.execPath, [cliPath, 'campaign', file, '--store', join(dir, 'store'), '--json', '--junit', junit], {
      timeout: 400_000,
      env: { ...process.env, GITHUB_ACTIONS: 'true', NO_COLOR: '1' },
    }).then(
      (out) => ({ ...out, exitCode: 0 }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', exitCode: err.code ?? -1 }),
    );
    assert.ok(r.stdout.trim().startsWith('{'), `no JSON summary on stdout (exit ${r.exitCode}): ${r.stderr.slice(-3000)}`);
    const summary = JSON.parse(r.stdout) as Summary;
    assert.deepEqual(summary.tests.map((t) => [t.name, t.status]), [['etcd-register-partition', 'checked'], ['zookeeper-lock-none', 'checked']], r.stderr.slice(-3000));
    const verdicts = summary.tests.map((t) => t.verdict);
    const worst = verdicts.includes('invalid') ? 1 : verdicts.includes('unknown') ? 2 : 0;
    assert.equal(r.exitCode, worst, `verdicts ${verdicts.join(', ')}`);
    assert.equal(summary.exitCode, worst);
    assert.match(r.stderr, /\[1\/2\] etcd-register-partition … (valid|INVALID|unknown) \(\d+ s\)/);
    assert.match(r.stderr, /\[2\/2\] zookeeper-lock-none … /);
    assert.ok(!r.stderr.includes('\u001b['), 'NO_COLOR: no escape codes');
    assert.equal(/^::error /m.test(r.stderr), worst !== 0, 'annotations exactly when something is not valid');

    const onDisk = JSON.parse(await readFile(join(summary.directory, 'campaign.json'), 'utf8')) as Summary;
    assert.deepEqual(onDisk.tests.map((t) => t.verdict), verdicts);
    for (const xmlFile of [junit, join(summary.directory, 'junit.xml')]) {
      const xml = await readFile(xmlFile, 'utf8');
      assert.equal(XMLValidator.validate(xml), true);
      assert.equal((xml.match(/<testcase /g) ?? []).length, summary.tests.reduce((n, t) => n + t.checkers.length, 0), 'one case per checker per run');
    }
    const index = await readFile(join(summary.directory, 'index.html'), 'utf8');
    const links = [...index.matchAll(/href="([^"]+\/report\.html)"/g)].map((m) => decodeURI(m[1]!));
    for (const t of summary.tests) {
      const link = links.find((l) => resolve(summary.directory, l) === join(t.runDir, 'report.html'));
      assert.ok(link !== undefined, `index.html links ${t.name}'s report`);
      await access(resolve(summary.directory, link));
      assert.match(await readFile(join(t.runDir, 'report.html'), 'utf8'), /<!doctype html>/i);
    }
    assert.equal(dirname(dirname(summary.directory)), join(dir, 'store', 'campaigns'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
