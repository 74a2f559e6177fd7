import { UsageError } from '../errors.js';
import type { NodeProvider } from './node.js';

/** Where the nodes of a test come from: `--provider`. */
export const PROVIDER_NAMES = ['docker'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderOptions {
  readonly name?: string;
}

/** The provider named (default: Docker), connected and ready to create clusters. Loaded on demand: a check never pays for it. */
export async function openProvider(o: ProviderOptions = {}): Promise<NodeProvider> {
  const name = o.name ?? 'docker';
  switch (name) {
    case 'docker': {
      const [{ connectDocker }, { DockerProvider }] = await Promise.all([import('./docker/engine.js'), import('./docker/docker-provider.js')]);
      return new DockerProvider(await connectDocker());
    }
    default:
      throw new UsageError(`unknown provider "${name}"`, `choose one of: ${PROVIDER_NAMES.join(', ')}`);
  }
}
