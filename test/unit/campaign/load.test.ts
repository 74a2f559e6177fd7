import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCampaign } from '../../../src/campaign/load.js';
import { FaultlineError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';

function problem(text: string): string {
  try {
    parseCampaign(text, 'campaign.yaml');
  } catch (err) {
    assert.ok(err instanceof FaultlineError, String(err));
    assert.equal(err.exitCode, ExitCode.Usage);
    assert.ok(err.hint !== undefined);
    return err.message;
  }
  assert.fail('the campaign was accepted');
}

test('an unknown system names the file, the line, the path and the choices', () => {
  const msg = problem(`name: c
matrix:
  systems:
    - etcd
    - redis
    - redis2
  workloads: [register]
`);
  assert.match(msg, /^campaign\.yaml:6: matrix\.systems\[2\]: unknown system "redis2" \(did you mean "redis"\?\) — choose one of redis, zookeeper, etcd, consul, or a plugin module \(\.\/path\/to\/plugin\.js, an npm package faultline-\*\)$/);
});

test('a bad option in a nested list names its path', () => {
  assert.match(problem(`name: c
tests:
  - system: etcd
    workload: register
  - system: etcd
    workload: register
    nodes: many
`), /^campaign\.yaml:7: tests\[1\]\.nodes: .*number/);
  assert.match(problem(`name: c
matrix: {systems: [etcd], workloads: [register], nemeses: [partition, [kill, fire]]}
`), /^campaign\.yaml:2: matrix\.nemeses\[1\]\[1\]: unknown nemesis "fire"/);
  assert.match(problem(`name: c
matrix: {systems: [etcd], workloads: [register]}
overrides:
  - match: {system: etcd}
    set: {timeLimit: 20}
`), /^campaign\.yaml:5: overrides\[0\]\.set\.timeLimit: unknown field/);
});

test('broken YAML, duplicate keys and an empty campaign are reported with a line', () => {
  assert.match(problem('name: c\nmatrix: [\n'), /^campaign\.yaml:\d+: not valid YAML/);
  assert.match(problem('name: c\nname: d\n'), /^campaign\.yaml:2: not valid YAML: .*unique/);
  assert.match(problem('name: c\n'), /matrix: a campaign needs a `matrix` or a non-empty `tests` list/);
  assert.match(problem('matrix: {systems: [etcd], workloads: [register]}\n'), /^campaign\.yaml:1: name: /);
});

test('a valid file parses with defaults filled in, and JSON is YAML too', () => {
  const c = parseCampaign('{"name": "c", "matrix": {"systems": ["etcd"], "workloads": ["register"]}}', 'c.json');
  assert.equal(c.repetitions, 1);
  assert.deepEqual(c.matrix?.nemeses, ['none']);
});

test('every problem at once, each on its own line with its own line number', () => {
  try {
    parseCampaign('name: c\nmatrix:\n  systems: [redis, etcd2]\n  workloads: [register]\ndefaults:\n  timeLimitMs: -5\n  nemesiss: [kill]\n', 'campaign.yaml');
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof FaultlineError);
    const all = [err.message, ...err.also];
    assert.equal(all.length, 3, all.join('\n'));
    assert.ok(all.some((m) => /^campaign\.yaml:3: matrix\.systems\[1\]: unknown system "etcd2"/.test(m)));
    assert.ok(all.some((m) => /^campaign\.yaml:6: defaults\.timeLimitMs: /.test(m)));
    assert.ok(all.some((m) => /^campaign\.yaml:7: defaults\.nemesiss: unknown field/.test(m)));
  }
});
