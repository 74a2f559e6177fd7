import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { type RunResources, decideClean, matchesPattern } from '../../../src/cluster/docker/clean.js';
import { Label, nodeLabels, ownerLabels, readOwner } from '../../../src/cluster/labels.js';
import { currentOwner, ownerState, parseStat, processRunning, processStart } from '../../../src/cluster/owner.js';
import { describeClean, describePlan } from '../../../src/cli/commands/clean.js';

const run = (id: string, owner: RunResources['owner']): RunResources => ({ id, name: `run-${id}`, system: 'redis', owner, containers: 3, networks: 1 });

describe('owners in labels', () => {
  it('every node container names its CLI: pid, host and start time, read back as written', () => {
    const owner = currentOwner();
    assert.equal(owner.pid, process.pid);
    const labels = nodeLabels({ run: 'r', cluster: 'c', system: 'etcd', node: 'n1', address: 'a', created: new Date(0), owner });
    assert.equal(labels[Label.ownerPid], String(process.pid));
    assert.deepEqual(readOwner(labels), owner);
    assert.deepEqual(readOwner(ownerLabels({ pid: 7, host: 'h' })), { pid: 7, host: 'h' });
    assert.equal(readOwner({ [Label.run]: 'r' }), undefined, 'an older faultline recorded none');
    assert.equal(readOwner({ [Label.ownerPid]: 'x', [Label.ownerHost]: 'h' }), undefined);
    assert.equal(readOwner({ [Label.ownerPid]: '7', [Label.ownerHost]: '' }), undefined);
  });

  it('reads /proc/<pid>/stat after the command name, whatever it holds', () => {
    const tail = 'S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21';
    assert.deepEqual(parseStat(`12 (node) ${tail}`), { state: 'S', start: '987654' });
    assert.deepEqual(parseStat(`12 (a) (b) c) ${tail}`), { state: 'S', start: '987654' });
    assert.equal(parseStat('12 (x) S 1 2'), undefined);
  });

  it('a process is running only while it exists, is no zombie, and started when the label says', () => {
    const self = currentOwner();
    assert.equal(processRunning(self.pid, self.start), true);
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    assert.equal(processRunning(Number(ended.stdout), undefined), false, 'an exited process');
    if (processStart(process.pid) !== undefined) {
      assert.equal(processRunning(self.pid, '1'), false, 'a reused pid: same number, another start time');
    }
  });

  it('an owner elsewhere or unrecorded cannot be judged; here, it is alive or gone', () => {
    const alive = (pid: number): boolean => pid === 1;
    assert.deepEqual(ownerState({ pid: 1, host: 'here' }, 'here', alive), { state: 'alive' });
    assert.deepEqual(ownerState({ pid: 2, host: 'here' }, 'here', alive), { state: 'gone' });
    assert.deepEqual(ownerState({ pid: 2, host: 'ci-7' }, 'here', alive), { state: 'elsewhere', host: 'ci-7' });
    assert.deepEqual(ownerState(undefined, 'here', alive), { state: 'unknown' });
  });
});

describe('what `clean` removes', () => {
  const runs = [run('a', { pid: 10, host: 'here' }), run('b', { pid: 11, host: 'here' }), run('c', { pid: 10, host: 'ci-7' }), run('d', undefined)];
  const isRunning = (pid: number): boolean => pid === 10;

  it('by default only clusters whose CLI is certainly gone; --all everything', () => {
    const d = decideClean(runs, { all: false, here: 'here', isRunning });
    assert.deepEqual(d.map((x) => [x.run.id, x.remove]), [['a', false], ['b', true], ['c', false], ['d', false]]);
    assert.deepEqual(d.map((x) => x.why), [
      'its CLI (pid 10 on this host) is still running',
      'its CLI (pid 11 on this host) is gone',
      'made on host ci-7, where its CLI cannot be checked from here',
      'no owner recorded (made by an older faultline)',
    ]);
    assert.ok(decideClean(runs, { all: true, here: 'here', isRunning }).every((x) => x.remove));
  });

  it('says what it removed and what it kept, and why; --dry-run says what it would do', () => {
    const d = decideClean(runs, { all: false, here: 'here', isRunning });
    const text = describeClean(d, { containers: 3, networks: 1 });
    assert.match(text, /^removed 3 containers and 1 networks \(1 clusters\)$/m);
    assert.match(text, /^kept a run-a \(redis, 3 containers, 1 networks\): its CLI \(pid 10 on this host\) is still running$/m);
    assert.match(text, /clean --all/);
    const plan = describePlan(d);
    assert.match(plan, /^would remove b run-b .*is gone$/m);
    assert.equal(plan.split('\n').filter((l) => l.startsWith('would keep')).length, 3);
  });

  it('a pattern matches the whole name or id, `*` standing for anything', () => {
    assert.ok(matchesPattern({ id: '3f2a', name: 'run-etcd-register' }, 'run-etcd-*'));
    assert.ok(matchesPattern({ id: '3f2a', name: 'run-etcd-register' }, '3f2a'));
    assert.ok(!matchesPattern({ id: '3f2a', name: 'run-etcd-register' }, 'etcd'));
    assert.ok(!matchesPattern({ id: '3f2a', name: 'run-etcd.register' }, 'run-etcd-register'), 'only * is special');
    assert.ok(matchesPattern({ id: 'x', name: 'a.b+c' }, 'a.b+c'));
  });
});
