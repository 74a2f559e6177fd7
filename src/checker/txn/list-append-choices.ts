import type { Collected } from './list-append-collect.js';
import { WW } from './graph.js';
import type { CandidateEdge, Constraint } from './polygraph.js';
import { type VersionChoices, show } from './transactions.js';

/**
 * How many unread-tail pairs a snapshot-isolation search takes on at most. Each is one
 * constraint (two candidate edges); a key appended to thousands of times with no read at all
 * would otherwise build millions of them. Past it the verdict is `unknown` with the keys.
 */
export const TAIL_PAIR_LIMIT = 200_000;

/**
 * List-append's open part of the version order: every key's order is fixed up to its longest
 * read, and the committed appends no read saw (the unread tail, `unseen`, one element per
 * transaction here) all follow it, in any order among themselves. Where every cycle is
 * forbidden that order is free (a topological order of the rest picks one), so there are no
 * constraints; under snapshot isolation (`everyPair`) first-committer-wins orders two writers
 * of a key one way or the other, and a pair that overlapped has neither: one constraint per
 * pair of tail writers, each alternative a single ww edge (nobody read them, so no rw edges
 * come with it). The edges from the observed order and its readers to the tail are known ones
 * (list-append-reads.ts).
 */
export function tailChoices(c: Collected, unseen: readonly (readonly number[] | undefined)[]): VersionChoices {
  const { node } = c.table;
  const eTxn = c.elemTxn.data;
  /** Per key: one unread element per committed transaction appending there (its first). */
  const writers = (kid: number): number[] => {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const e of unseen[kid] ?? []) {
      const t = eTxn[e]!;
      if (node[t]! < 0 || seen.has(t)) continue;
      seen.add(t);
      out.push(e);
    }
    return out;
  };
  const pairs = (m: number): number => (m * (m - 1)) / 2;
  const ww = (a: number, b: number): CandidateEdge => ({ src: node[eTxn[a]!]!, dst: node[eTxn[b]!]!, kind: WW, a, b });
  const version = (e: number): string => `${c.name(eTxn[e]!)}'s append of ${c.valueOf(e)}`;
  return {
    constraints(everyPair, skip) {
      const out: Constraint[] = [];
      if (!everyPair) return out;
      for (let kid = 0; kid < unseen.length; kid++) {
        if (skip?.has(kid) === true) continue;
        const ws = writers(kid);
        for (let i = 0; i < ws.length; i++) for (let j = i + 1; j < ws.length; j++) out.push({ key: kid, alts: [[ww(ws[i]!, ws[j]!)], [ww(ws[j]!, ws[i]!)]] });
      }
      return out;
    },
    oversized(everyPair) {
      if (!everyPair) return [];
      const counts: number[] = [];
      let total = 0;
      for (let kid = 0; kid < unseen.length; kid++) {
        if (unseen[kid] === undefined) continue;
        counts[kid] = pairs(writers(kid).length);
        total += counts[kid]!;
      }
      if (total <= TAIL_PAIR_LIMIT) return [];
      // The keys with the most pairs, until what is left fits.
      const keys = counts.flatMap((n, kid) => (n > 0 ? [kid] : [])).sort((a, b) => counts[b]! - counts[a]!);
      const over = [];
      for (const kid of keys) {
        if (total <= TAIL_PAIR_LIMIT) break;
        over.push(kid);
        total -= counts[kid]!;
      }
      return over;
    },
    tooManyPairs: (keys) =>
      `the appends no read saw of key(s) ${keys} make more than ${TAIL_PAIR_LIMIT} pairs of writers ` +
      `whose first-committer-wins order the snapshot-isolation search would have to choose; read those keys at the end of the test to decide`,
    keyName: (kid) => c.key(kid),
    describe(x, which) {
      const e = x.alts[which][0]!;
      return `${version(e.a)} before ${version(e.b)} on key ${show(c.key(x.key))}`;
    },
    explainChoice(x) {
      const k = c.key(c.elemKey(x.a));
      return {
        key: k,
        why:
          `no read of key ${show(k)} saw ${c.valueOf(x.a)} or ${c.valueOf(x.b)}; with ${version(x.a)} before ${version(x.b)} ` +
          `⇒ ${c.name(eTxn[x.a]!)} ww→ ${c.name(eTxn[x.b]!)}`,
      };
    },
  };
}
