import type { Redis } from 'ioredis';
import type { ElectionCapability } from '../../runner/capabilities.js';
import { sleepMs } from '../../runner/async.js';
import { KEY_PREFIX, abortError, newToken } from '../capability-support.js';
import { LOCK_POLL_MS, RELEASE_SCRIPT } from './capabilities.js';

export function electionKey(name: string): string {
  return `${KEY_PREFIX}/election/${name}`;
}

/** The stored value: the term's token, then the candidate (tokens are hex, so the first `:` splits them). */
const stored = (term: string, leader: string): string => `${term}:${leader}`;

/** Runs a command on the primary. */
type OnPrimary = <T>(act: (primary: Redis) => Promise<T>) => Promise<T>;

/**
 * Redis has no election primitive. This is the naive recipe people write: `SET key
 * token:candidate NX PX ttl`, retried until it wins; the leader never renews, resigns with a
 * token-checked delete, and observing is a `GET` (of the primary, or in the `replica` read
 * mode of the routed node). It is known to be unsafe (docs/systems.md):
 * a leader paused past the TTL still believes it leads when the next candidate wins — the
 * election canary in examples/canaries.yaml.
 */
export function redisElection(onPrimary: OnPrimary, leading: Map<string, string>, replicaReads?: Redis): ElectionCapability {
  return {
    async campaign(name, candidate, ttlMs, { signal }) {
      const term = newToken();
      const key = electionKey(name);
      for (;;) {
        if (signal.aborted) throw abortError(signal);
        if ((await onPrimary((c) => c.set(key, stored(term, candidate), 'PX', ttlMs, 'NX'))) === 'OK') {
          leading.set(name, stored(term, candidate));
          return { leader: candidate, term };
        }
        await sleepMs(LOCK_POLL_MS, signal);
      }
    },
    async resign(name, { leader, term }) {
      const value = stored(term, leader);
      const released = (await onPrimary((c) => c.eval(RELEASE_SCRIPT, 1, electionKey(name), value))) === 1;
      if (leading.get(name) === value) leading.delete(name);
      return released ? 'released' : 'lost';
    },
    async observe(name) {
      const value = replicaReads === undefined ? await onPrimary((c) => c.get(electionKey(name))) : await replicaReads.get(electionKey(name));
      if (value === null) return null;
      const colon = value.indexOf(':');
      return colon < 0 ? { leader: value, term: '' } : { leader: value.slice(colon + 1), term: value.slice(0, colon) };
    },
  };
}
