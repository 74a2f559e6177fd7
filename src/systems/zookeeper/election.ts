import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import type { ElectionCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, abortError, definitely, rounds, untilAborted } from '../capability-support.js';
import { sync } from './sync.js';
import { create, getChildren, getData, mkdirp, remove, watchExisting } from './znodes.js';

const { CreateMode } = zookeeper;

export const ELECTION_ROOT = `/${KEY_PREFIX}/election`;
const CANDIDATE_NODE = 'n-';
const TERM = /^n-\d+$/;

const sequenceOf = (child: string): number => Number(child.slice(CANDIDATE_NODE.length));
const byAge = (children: readonly string[]): string[] => children.filter((c) => TERM.test(c)).sort((a, b) => sequenceOf(a) - sequenceOf(b));

/**
 * ZooKeeper's leader-election recipe: each candidate creates an ephemeral-sequential znode
 * `n-N` holding its name under the election's znode; the lowest N leads, every other
 * candidate watches the one just below its own (no herd). The term is the leader's znode
 * (its sequence number); resign deletes it. The candidate's session, whose timeout is the
 * TTL, is kept alive by the client's heartbeats while it waits and leads: a leader whose
 * client stops heartbeating loses its term when the session expires. Observing reads the
 * lowest znode (after a `sync` in the `sync` read mode).
 */
export function zookeeperElection(sessionFor: (ttlMs: number) => Promise<Client>, main: Client, syncReads: boolean): ElectionCapability {
  const dirOf = (name: string): string => `${ELECTION_ROOT}/${encodeURIComponent(name)}`;
  return {
    async campaign(name, candidate, ttlMs, { signal }) {
      const session = await untilAborted(sessionFor(ttlMs), signal);
      const dir = dirOf(name);
      await untilAborted(mkdirp(session, dir), signal);
      const creating = create(session, `${dir}/${CANDIDATE_NODE}`, Buffer.from(candidate), CreateMode.EPHEMERAL_SEQUENTIAL);
      const withdraw = (): void => void creating.then((path) => remove(session, path)).catch(() => undefined);
      try {
        const mine = (await untilAborted(creating, signal)).slice(dir.length + 1);
        for (;;) {
          if (signal.aborted) throw abortError(signal);
          const queue = byAge(await untilAborted(getChildren(session, dir), signal));
          const ahead = queue.filter((c) => sequenceOf(c) < sequenceOf(mine)).at(-1);
          if (ahead === undefined) return { leader: candidate, term: mine };
          const watch = await untilAborted(watchExisting(session, `${dir}/${ahead}`), signal);
          if (watch !== undefined) await untilAborted(watch.changed, signal);
        }
      } catch (err) {
        // Stop campaigning: our znode would otherwise lead later, for nobody.
        withdraw();
        throw err;
      }
    },
    async resign(name, { term }) {
      if (!TERM.test(term)) throw definitely('bad-term', `not a term of this recipe: ${term}`);
      // NO_NODE: the znode died with its session (expired) before the resign came.
      return (await remove(main, `${dirOf(name)}/${term}`)) ? 'released' : 'lost';
    },
    async observe(name) {
      const dir = dirOf(name);
      if (syncReads) await sync(main, dir);
      return rounds('observe', async () => {
        const children = await getChildren(main, dir).catch((err: unknown) => {
          if (err instanceof zookeeper.Exception && err.getCode() === zookeeper.Exception.NO_NODE) return [];
          throw err;
        });
        const first = byAge(children)[0];
        if (first === undefined) return null;
        const found = await getData(main, `${dir}/${first}`);
        // Gone between the listing and the read: that term ended meanwhile; look again.
        return found === undefined ? undefined : { leader: found.data.toString(), term: first };
      });
    },
  };
}
