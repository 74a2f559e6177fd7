import type { Command } from 'commander';
import { connectDocker } from '../../cluster/docker/engine.js';
import { removeLabelled } from '../../cluster/docker/docker-provider.js';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('remove every faultline container and network (including those of a killed run); images are kept')
    .action(async () => {
      const removed = await removeLabelled(await connectDocker());
      process.stdout.write(`removed ${removed.containers} containers and ${removed.networks} networks\n`);
    });
}
