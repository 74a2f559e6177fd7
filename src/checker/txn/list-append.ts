import { collect } from './list-append-collect.js';
import { explainEdge } from './list-append-explain.js';
import { addReadEdges } from './list-append-reads.js';
import { orderVersions } from './list-append-order.js';
import { tailChoices } from './list-append-choices.js';
import type { EdgeStore } from './graph.js';
import type { Arena } from './int-tables.js';
import type { TxnTable } from './table.js';
import type { AnomalyLog, Inference } from './transactions.js';

/**
 * List-append inference. Every read of a key returns the whole list of appends so far, so
 * the longest read is the key's version order (every other read must be a prefix of it),
 * and committed appends no read saw come after all of it. From that order:
 *  - ww: the writer of each element → the writer of the next;
 *  - wr: the writer of the last element a read saw → the reader;
 *  - rw: a reader → the writer of the first element it did not see.
 * Failed transactions are no nodes. An indeterminate one that no committed read saw may never
 * have happened and has no edges; one whose append a committed read saw did commit, so all its
 * appends count as a committed transaction's (its reads stay unknown).
 *
 * Four phases (one file each), each a function over the previous one's tables, all over the
 * columnar history (columns.ts): collect (elements and reads,
 * per-transaction anomalies), order (each key's version order, ww edges along it), edges
 * (unseen appends, wr/rw edges and per-read anomalies), explain (an edge in words, its
 * reason worked out again: the edge store may be lean).
 */
export function inferListAppend(table: TxnTable, log: AnomalyLog, arena: Arena, edges: EdgeStore): Inference {
  const c = collect(table, log, arena);
  const o = orderVersions(c, log, arena, edges);
  const unseen = addReadEdges(c, o, log, arena, edges);
  return {
    edges,
    keys: c.keyCount,
    committedInfo: o.committedInfo,
    explainEdge: (e) => explainEdge(c, o, unseen, edges, e),
    versionChoices: tailChoices(c, unseen),
  };
}

