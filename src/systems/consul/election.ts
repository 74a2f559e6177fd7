import type Consul from 'consul';
import type { ElectionCapability } from '../../runner/capabilities.js';
import { sleepMs } from '../../runner/async.js';
import { KEY_PREFIX, abortError, definitely, ttlSeconds, untilAborted } from '../capability-support.js';
import { LOCK_DELAY, MIN_SESSION_SECONDS, SESSION_ID, kvGet, kvSet, kvWait } from './capabilities.js';

export function electionKey(name: string): string {
  return `${KEY_PREFIX}/election/${name}/leader`;
}

/** How long an abandoned campaign keeps trying to destroy its session while the server cannot be reached. */
const WITHDRAW_MS = 30_000;
const WITHDRAW_RETRY_MS = 500;

/** What a process's election client holds: its sessions, the renewal timers of those that lead, and whether it has closed (which stops both). */
export interface ConsulElectionBook {
  readonly sessions: Set<string>;
  readonly renewals: Map<string, NodeJS.Timeout>;
  readonly closing: AbortController;
}

/** The term's identity: the leader's session and the key's ModifyIndex its acquire left. */
const termName = (session: string, modifyIndex: number): string => `${session}@${modifyIndex}`;

/**
 * Consul's leader-election recipe: each candidate creates a session (`ttl`, `behavior:
 * delete`, small `lockdelay`) and tries KV `acquire` of the election key with its name as
 * the value, blocking on the key's index between tries; whoever acquires leads. The session
 * is renewed while the candidate waits and, every third of the TTL, while it leads (a
 * frozen or cut-off leader stops renewing, and Consul invalidates the session and deletes
 * the key). The term is the session with the key's ModifyIndex, read back consistently
 * after the acquire. Resign is KV `release` with the session, then the session is
 * destroyed; observing reads the key in the client's read mode: whoever's session holds it leads.
 */
export function consulElection(client: Consul, readMode: string, { sessions, renewals, closing }: ConsulElectionBook): ElectionCapability {
  const modeFlags = { consistent: readMode === 'consistent', stale: readMode === 'stale' };
  const stopRenewing = (session: string): void => {
    clearInterval(renewals.get(session));
    renewals.delete(session);
  };
  const destroy = async (session: string): Promise<void> => {
    stopRenewing(session);
    sessions.delete(session);
    await client.session.destroy(session).catch(() => undefined);
  };
  /**
   * An abandoned campaign may have won (its acquire applied, its answer lost): until its
   * session is destroyed it leads for nobody, for at least Consul's 10 s minimum TTL. So it
   * keeps trying while the server is unreachable, until the client closes.
   */
  const withdraw = async (session: string): Promise<void> => {
    stopRenewing(session);
    for (const until = Date.now() + WITHDRAW_MS; Date.now() < until && !closing.signal.aborted; ) {
      try {
        await client.session.destroy(session);
        sessions.delete(session);
        return;
      } catch {
        await sleepMs(WITHDRAW_RETRY_MS, closing.signal);
      }
    }
  };
  return {
    async campaign(name, candidate, ttlMs, { signal }) {
      const key = electionKey(name);
      const ttl = ttlSeconds(ttlMs, MIN_SESSION_SECONDS);
      const { ID: session } = await untilAborted(client.session.create({ ttl: `${ttl}s`, behavior: 'delete', lockdelay: LOCK_DELAY }), signal);
      sessions.add(session);
      try {
        let index = '0';
        for (;;) {
          if (signal.aborted) throw abortError(signal);
          if (await untilAborted(kvSet(client, { key, value: candidate, acquire: session }), signal)) break;
          await untilAborted(client.session.renew(session), signal);
          index = await kvWait(client, key, index, signal);
        }
        renewals.set(
          session,
          setInterval(() => void client.session.renew(session).catch(() => undefined), (ttl * 1000) / 3),
        );
        const item = await untilAborted(kvGet(client, { key, consistent: true }), signal);
        // Lost between the acquire and the read-back: the term's identity, and so the outcome, is unknown.
        if (item?.Session !== session) throw new Error('the leadership was lost before its term could be read');
        return { leader: candidate, term: termName(session, item.ModifyIndex) };
      } catch (err) {
        // Destroying the session ends a term a late acquire may have won for nobody.
        void withdraw(session);
        throw err;
      }
    },
    async resign(name, { term }) {
      const session = term.slice(0, term.indexOf('@'));
      if (!SESSION_ID.test(session)) throw definitely('bad-term', `not a term of this recipe: ${term}`);
      stopRenewing(session);
      const released = await kvSet(client, { key: electionKey(name), value: '', release: session });
      // Either way the candidate is done with this session.
      await destroy(session);
      // Refused: the session expired (and the key with it) or no longer holds the key.
      return released ? 'released' : 'lost';
    },
    async observe(name) {
      const item = await kvGet(client, { key: electionKey(name), ...modeFlags });
      if (item?.Session === undefined || item.Session === '') return null;
      return { leader: item.Value ?? '', term: termName(item.Session, item.ModifyIndex) };
    },
  };
}
