import { ELECTION_CAMPAIGN, ELECTION_OBSERVE, ELECTION_RESIGN, checkElection, termOf } from '../src/checker/election/index.js';
import type { Json } from '../src/history/event.js';
import { eachProcess } from '../src/generator/routing.js';
import { PENDING, type Generator, emit, generator, pendingUntil } from '../src/generator/types.js';
import type { ElectionTerm } from '../src/runner/capabilities.js';
import { type CheckResult, type Workload, need, toJson } from './workload.js';

/** The one election every process takes part in. */
export const ELECTION_NAME = 'faultline-election';
/** Share of a follower's turns spent observing who leads instead of campaigning. */
export const OBSERVE_SHARE = 0.3;

/**
 * One process's life: as a follower, observe who leads (30 %) or campaign (blocking until it
 * leads); as leader, lead for a random while, then resign; rest; again. Each campaign
 * proposes a fresh candidate `p<process>.<n>`, so an observe's answer names one campaign. A
 * failed resign (it certainly did not happen) leaves the process leading and is retried.
 */
export function electionCycle(opIntervalMs: number): Generator {
  const gap = Math.max(1, opIntervalMs);
  return generator(() => {
    let term: ElectionTerm | undefined;
    let campaigns = 0;
    let waiting = false;
    let wakeAt = 0;
    return {
      next(ctx) {
        if (waiting) return PENDING;
        if (ctx.nowMs < wakeAt) return pendingUntil(wakeAt);
        waiting = true;
        if (term !== undefined) return emit({ f: ELECTION_RESIGN, value: { leader: term.leader, term: term.term }, key: ELECTION_NAME });
        if (ctx.rng.float() < OBSERVE_SHARE) return emit({ f: ELECTION_OBSERVE, value: null, key: ELECTION_NAME });
        return emit({ f: ELECTION_CAMPAIGN, value: `p${String(ctx.process)}.${campaigns++}`, key: ELECTION_NAME });
      },
      update(c, ctx) {
        waiting = false;
        wakeAt = ctx.nowMs + ctx.rng.float() * 2 * gap;
        if (c.op.f === ELECTION_CAMPAIGN && c.type === 'ok') term = termOf(c.value);
        else if (c.op.f === ELECTION_RESIGN && c.type !== 'fail') term = undefined;
      },
    };
  });
}

function termJson(t: ElectionTerm): Json {
  return { leader: t.leader, term: t.term };
}

/** The three properties of `checkElection`, each its own checker in results.json. */
export function electionResults(history: Parameters<typeof checkElection>[0], file = 'history.jsonl'): CheckResult[] {
  const r = checkElection(history, { file });
  const common = { terms: r.terms, lostResigns: r.lostResigns };
  const noTerms = r.terms === 0 ? 'unknown' : undefined;
  return [
    { checker: 'single-leader', verdict: r.singleLeader.verdict, details: toJson({ ...r.singleLeader, ...common }) },
    { checker: 'observed-leader', verdict: r.observedLeader.verdict === 'invalid' ? 'invalid' : (noTerms ?? r.observedLeader.verdict), details: toJson(r.observedLeader) },
    { checker: 'term-identity', verdict: r.termIdentity.verdict === 'invalid' ? 'invalid' : (noTerms ?? r.termIdentity.verdict), details: toJson(r.termIdentity) },
  ];
}

/**
 * Leader election through each system's own recipe (etcd's election service, ZooKeeper's
 * ephemeral-sequential znodes, a Consul session acquiring a key, and Redis' naive `SET NX
 * PX`): campaign, resign, observe. Judged as clients experienced it (`checkElection`).
 */
export const electionWorkload: Workload = {
  name: 'election',
  summary: 'campaign / resign / observe in one leader election; overlapping terms, stale or impossible observed leaders, term identities shared by two processes',
  needs: ['election'],
  pauseAfter: ELECTION_CAMPAIGN,

  generator: (o) => eachProcess(electionCycle(o.opIntervalMs)),

  final: () => undefined,

  async invoke(caps, op, call, o) {
    const election = need(caps, 'election');
    switch (op.f) {
      case ELECTION_CAMPAIGN: {
        if (typeof op.value !== 'string') return { type: 'fail', error: 'no-candidate' };
        return { type: 'ok', value: termJson(await election.campaign(ELECTION_NAME, op.value, o.lockTtlMs, call)) };
      }
      case ELECTION_RESIGN: {
        const term = termOf(op.value);
        if (term === undefined) return { type: 'fail', error: 'no-term' };
        const outcome = await election.resign(ELECTION_NAME, term, call);
        return { type: 'ok', value: { term: term.term, lost: outcome === 'lost' } };
      }
      case ELECTION_OBSERVE: {
        const seen = await election.observe(ELECTION_NAME, call);
        return { type: 'ok', value: seen === null ? null : termJson(seen) };
      }
      default:
        throw new Error(`election workload: unknown operation "${op.f}"`);
    }
  },

  async check(history) {
    return electionResults(history);
  },
};
