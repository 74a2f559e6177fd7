import { UsageError } from '../errors.js';
import type { NodeProvider } from './node.js';

/** Where the nodes of a test come from: `--provider`. */
export const PROVIDER_NAMES = ['docker', 'ssh'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderOptions {
  readonly name?: string;
  /** `ssh`: the hosts file (YAML list of {name, address, port?, user, key}). */
  readonly hosts?: string;
}

/** The provider named (default: Docker), connected and ready to create clusters. Loaded on demand: a check never pays for it. */
export async function openProvider(o: ProviderOptions = {}): Promise<NodeProvider> {
  const name = o.name ?? 'docker';
  if (o.hosts !== undefined && name !== 'ssh') throw new UsageError(`--hosts is for --provider ssh, not ${name}`);
  switch (name) {
    case 'docker': {
      const [{ connectDocker }, { DockerProvider }] = await Promise.all([import('./docker/engine.js'), import('./docker/docker-provider.js')]);
      return new DockerProvider(await connectDocker());
    }
    case 'ssh': {
      if (o.hosts === undefined) throw new UsageError('--provider ssh needs --hosts FILE', 'a YAML list of {name, address, port?, user, key}; see docs/providers.md');
      const [{ loadHostsFile }, { SshProvider }] = await Promise.all([import('./ssh/hosts-file.js'), import('./ssh/ssh-provider.js')]);
      return new SshProvider(await loadHostsFile(o.hosts), o.hosts);
    }
    default:
      throw new UsageError(`unknown provider "${name}"`, `choose one of: ${PROVIDER_NAMES.join(', ')}`);
  }
}

/**
 * The provider `--provider`/`--hosts` ask for, opened now (a bad hosts file is reported before
 * any work); undefined for plain Docker, which each test opens when it starts, so that a
 * missing engine is that test's error and not the command's.
 */
export async function chosenProvider(flags: { readonly provider?: string; readonly hosts?: string }): Promise<NodeProvider | undefined> {
  if ((flags.provider ?? 'docker') === 'docker' && flags.hosts === undefined) return undefined;
  return openProvider({ ...(flags.provider === undefined ? {} : { name: flags.provider }), ...(flags.hosts === undefined ? {} : { hosts: flags.hosts }) });
}
