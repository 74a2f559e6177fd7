import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/cluster/docker/engine.js';
import { Label } from '../../src/cluster/labels.js';
import { processRunning, processStart } from '../../src/cluster/owner.js';
import { cliExit, removeRunLeftovers, startCli, type CliProcess } from './cli-process.js';
import { labelled } from './cluster-helpers.js';

/**
 * The acceptance test of "never lose what was recorded": a run SIGKILLed at a random moment of
 * each stage leaves containers (with partitions and paused databases in them), a network and
 * its host firewall rules behind; `faultline clean` (limited to this test's clusters: the
 * engine is shared) must leave none of it, and whatever history the run had written must be
 * checkable.
 */
type Stage = 'start-up' | 'main phase' | 'heal' | 'teardown';

/** When to kill: after which stderr line, plus a random delay up to `spreadMs`. */
const STAGES: Readonly<Record<Stage, { line: RegExp; spreadMs: number }>> = {
  'start-up': { line: /creating \d+ nodes/, spreadMs: 2_500 },
  'main phase': { line: /running register/, spreadMs: 6_000 },
  // The runner's phase is `heal` from the heal-all operation until the final phase starts (the settle pause).
  heal: { line: /\] heal \d+s/, spreadMs: 1_000 },
  // Checking, results.json, log copies and removing the cluster follow one another within a second or two.
  teardown: { line: /checking \d+ events/, spreadMs: 1_200 },
};

/** A small PRNG so a failing order of kills can be replayed (the seed is printed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

interface Trace {
  containers: string[];
  networks: string[];
  /** Host pids (and start times) of every process in the nodes when the CLI was killed. */
  processes: { pid: number; start: string | undefined }[];
}

/** What the run has on the engine right now, found by its cluster label. */
async function trace(docker: Docker, cluster: string): Promise<Trace> {
  const filters = { label: [`${Label.cluster}=${cluster}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  const processes: Trace['processes'] = [];
  for (const c of containers.filter((x) => x.State === 'running')) {
    const top = await docker.getContainer(c.Id).top({ ps_args: '-eo pid' }).catch(() => undefined);
    for (const row of top?.Processes ?? []) {
      const pid = Number(row[0]);
      if (Number.isInteger(pid)) processes.push({ pid, start: processStart(pid) });
    }
  }
  return { containers: containers.map((c) => c.Id), networks: networks.map((n) => n.Id), processes };
}

/** Host firewall lines that mention one of the networks' bridges (`br-<first 12 of the id>`); undefined when iptables cannot be read here. */
async function hostRulesFor(networks: readonly string[]): Promise<string[] | undefined> {
  const out = await promisify(execFile)('iptables-save', []).catch(() => undefined);
  if (out === undefined) return undefined;
  const bridges = networks.map((id) => `br-${id.slice(0, 12)}`);
  return out.stdout.split('\n').filter((l) => bridges.some((b) => l.includes(b)));
}

async function historyOf(store: string): Promise<string | undefined> {
  for (const test of await readdir(store).catch(() => [])) {
    for (const run of await readdir(join(store, test)).catch(() => [])) {
      const path = join(store, test, run, 'history.jsonl');
      if (run !== 'latest' && existsSync(path)) return path;
    }
  }
  return undefined;
}

describe('SIGKILL at any stage of a run, then `faultline clean`', { timeout: 600_000 }, () => {
  const seed = Number(process.env['FAULTLINE_KILL_SEED'] ?? Date.now() % 1_000_000);
  const random = rng(seed);
  const stages: Stage[] = ['start-up', 'main phase', 'heal', 'teardown'];
  const plan: Stage[] = [...stages, stages[Math.floor(random() * stages.length)]!];
  const names = plan.map((_, i) => `it-sigkill-${process.pid}-${i + 1}`);
  after(async () => {
    const docker = await connectDocker();
    for (const name of names) await removeRunLeftovers(docker, name);
  });

  plan.forEach((stage, i) => {
    it(`kill ${i + 1} of ${plan.length}: during ${stage}`, async (t) => {
      const docker = await connectDocker();
      const name = names[i]!;
      const cluster = `run-${name}`;
      const store = await realpath(await mkdtemp(join(tmpdir(), 'faultline-sigkill-')));
      const cli: CliProcess = startCli([
        'run', '--system', 'redis', '--workload', 'register', '--nodes', '3', '--concurrency', '4', '--op-timeout', '1',
        '--nemesis', 'partition,pause', '--nemesis-interval', '1.5', '--time-limit', '8', '--settle', '2', '--seed', String(seed + i),
        '--name', name, '--store', store,
      ]);
      const { line, spreadMs } = STAGES[stage];
      await cli.waitForLine(line, 120_000);
      const delay = Math.floor(random() * spreadMs);
      await new Promise((r) => setTimeout(r, delay));
      const left = await trace(docker, cluster);
      const lastLine = cli.lines.at(-1) ?? '';
      cli.child.kill('SIGKILL');
      const { signal } = await cli.exited;
      t.diagnostic(`seed ${seed}: killed ${delay} ms after /${line.source}/ (${signal ?? 'exited first'}); last line: ${lastLine.trim()}; left ${left.containers.length} containers, ${left.networks.length} networks, ${left.processes.length} node processes`);

      const t0 = Date.now();
      const cleaned = await cliExit(['clean', cluster]);
      t.diagnostic(`clean: ${Date.now() - t0} ms: ${cleaned.stdout.split('\n')[0]}`);
      assert.equal(cleaned.code, 0, cleaned.stderr);
      assert.deepEqual(await labelled(docker, `${Label.cluster}=${cluster}`), { containers: 0, networks: 0 }, cleaned.stdout);
      for (const id of left.containers) await assert.rejects(docker.getContainer(id).inspect(), /no such container|404/i);
      const alive = left.processes.filter((p) => processRunning(p.pid, p.start));
      assert.deepEqual(alive, [], 'node processes (running or paused) outlived their container');
      const rules = await hostRulesFor(left.networks);
      if (rules === undefined) t.diagnostic('iptables-save is not available here: host firewall rules not checked');
      else assert.deepEqual(rules, [], 'host firewall rules of a removed network remain');

      const history = await historyOf(store);
      if (history !== undefined) {
        const check = await cliExit(['check', history, '--model', 'cas-register']);
        t.diagnostic(`check of the history left behind: exit ${check.code}`);
        assert.ok(check.code !== null && [0, 1, 2].includes(check.code), `check exited ${check.code}: ${check.stderr}`);
      } else {
        assert.equal(stage, 'start-up', 'only a run killed while starting may have no history yet');
      }
    });
  });
});
