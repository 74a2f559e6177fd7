import type { Command } from 'commander';
import { type CleanDecision, clean } from '../../cluster/docker/clean.js';
import { connectDocker } from '../../cluster/docker/engine.js';
import { reapOrphanClientHosts } from '../../runner/client-host.js';

interface CleanFlags {
  all?: boolean;
  dryRun?: boolean;
  hosts?: string;
}

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('remove the clusters whose CLI is gone (killed runs, `cluster up` clusters): made on this host by a process that no longer runs; images are kept')
    .argument('[pattern]', 'only clusters whose name or id matches (`*` matches anything), e.g. "run-etcd-*"')
    .option('--all', "remove every faultline cluster, even those another CLI is still running a test on, or made on another host")
    .option('--dry-run', 'list what would be removed and what kept, and why; remove nothing')
    .option('--hosts <file>', 'SSH hosts instead of Docker: kill the databases faultline started there, remove its iptables chains and files (see docs/providers.md)')
    .action(async (pattern: string | undefined, flags: CleanFlags) => {
      if (flags.hosts !== undefined) {
        const [{ loadHostsFile }, { SshProvider }] = await Promise.all([import('../../cluster/ssh/hosts-file.js'), import('../../cluster/ssh/ssh-provider.js')]);
        const hosts = await loadHostsFile(flags.hosts);
        if (flags.dryRun === true) {
          process.stdout.write(`would reset ${hosts.map((h) => `${h.name} (${h.address})`).join(', ')}: faultline's daemons killed, FAULTLINE iptables chains and /var/lib|log|run/faultline, /etc/faultline removed\n`);
          return;
        }
        const provider = new SshProvider(hosts);
        const names = await provider.resetAll();
        // Clocks a killed run left moved were set back to this machine's time: what each shows after is the residual.
        const clocks = [...provider.clockResets].map(([n, r]) => `${n} ${r.offsetMs >= 0 ? '+' : ''}${r.offsetMs} ms ± ${r.uncertaintyMs}`);
        process.stdout.write(`reset ${names.join(', ')}: no faultline daemon, iptables chain or file left${clocks.length === 0 ? '' : `; clocks set back to this machine's time (residual ${clocks.join(', ')})`}\n`);
        return;
      }
      const docker = await connectDocker();
      const { decisions, removed } = await clean(docker, { all: flags.all === true, dryRun: flags.dryRun === true, ...(pattern === undefined ? {} : { pattern }) });
      process.stdout.write(flags.dryRun === true ? describePlan(decisions) : describeClean(decisions, removed));
      // Client processes a killed run left frozen (client-pause): only with no pattern, they belong to no cluster name.
      if (pattern === undefined) {
        const orphans = await reapOrphanClientHosts(flags.dryRun === true);
        if (orphans.length > 0) process.stdout.write(`${flags.dryRun === true ? 'would kill' : 'killed'} ${orphans.length} client process(es) left by a killed run: pid ${orphans.join(', ')}\n`);
      }
    });
}

function line(d: CleanDecision): string {
  const r = d.run;
  return `${r.id} ${r.name} (${r.system}, ${r.containers} containers, ${r.networks} networks): ${d.why}`;
}

export function describePlan(decisions: readonly CleanDecision[]): string {
  if (decisions.length === 0) return 'no faultline clusters\n';
  return decisions.map((d) => `${d.remove ? 'would remove' : 'would keep  '} ${line(d)}\n`).join('');
}

export function describeClean(decisions: readonly CleanDecision[], removed: { containers: number; networks: number }): string {
  const kept = decisions.filter((d) => !d.remove);
  const runs = decisions.length - kept.length;
  const lines = [`removed ${removed.containers} containers and ${removed.networks} networks (${runs} clusters)`];
  for (const d of kept) lines.push(`kept ${line(d)}`);
  if (kept.length > 0) lines.push('  (`faultline clean --all` removes those too; `faultline cluster down ID` removes one)');
  return `${lines.join('\n')}\n`;
}
