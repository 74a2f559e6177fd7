import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emitGithubAnnotations, escapeData, escapeProperty, githubAnnotations } from '../../../src/output/index.js';
import { HOSTILE, outcomes } from './fixtures.js';

test('one annotation per problem, none for valid checkers, each a single workflow-command line', () => {
  const lines = githubAnnotations(outcomes);
  assert.equal(lines.length, 5);
  for (const l of lines) {
    assert.match(l, /^::(error|warning|notice) title=[^:]*::/);
    assert.ok(!/[\r\n]/.test(l), 'a newline would end the command early');
  }
  assert.match(lines[0]!, /^::error title=faultline etcd-register-partition%3A linearizable invalid::key "k3": not linearizable: /);
  assert.ok(lines[0]!.includes('(run directory /store/etcd-register-partition/'));
  assert.match(lines[1]!, /^::error title=faultline zookeeper-lock-pause%3A lost-updates unknown::no final read/);
  assert.equal(lines[2], '::warning title=faultline zookeeper-lock-pause::tearing down cluster c9 failed: timeout');
  assert.match(lines[3]!, /^::error title=faultline redis-register-kill%3A no verdict::cluster never became healthy$/);
  assert.match(lines[4]!, /^::notice title=faultline consul-register-none%3A not run::/);
});

test('a hostile value cannot inject a second workflow command', () => {
  const [line, ...rest] = githubAnnotations([{ name: 'x\n::error::y', status: 'error', verdict: 'unknown', checkers: [], durationMs: 0, error: HOSTILE, warnings: [] }]);
  assert.equal(rest.length, 0);
  assert.ok(line!.startsWith('::error title=faultline x%0A%3A%3Aerror%3A%3Ay%3A no verdict::'), line);
  assert.ok(line!.endsWith('line1%0Aline2 %250A ::error::x, y: z'), line);
  assert.equal(escapeData('50%\r\n'), '50%25%0D%0A');
  assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
});

test('annotations are written only when GITHUB_ACTIONS=true', () => {
  const out: string[] = [];
  emitGithubAnnotations(outcomes, {}, (s) => out.push(s));
  emitGithubAnnotations(outcomes, { GITHUB_ACTIONS: 'false' }, (s) => out.push(s));
  assert.equal(out.length, 0);
  emitGithubAnnotations(outcomes, { GITHUB_ACTIONS: 'true' }, (s) => out.push(s));
  assert.equal(out.length, 5);
  assert.ok(out.every((s) => s.endsWith('\n')));
});
