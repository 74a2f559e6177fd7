import type { Key } from '../../history/event.js';
import type { Operation } from '../../history/operation.js';
import type { Verdict } from '../verdict.js';
import { Deadline } from './budget.js';
import { findCycles } from './cycles.js';
import { EdgeStore, PROCESS, REALTIME, bit, buildCsr } from './graph.js';
import { Arena, pairMapCapacity } from './int-tables.js';
import { inferListAppend } from './list-append.js';
import { forbiddenBy, modelsRuledOut, orderEdgesFor } from './models.js';
import { addProcessEdges, addRealtimeEdges } from './order.js';
import { inferRwRegister } from './rw-register.js';
import { checkDistinct } from './transaction-order.js';
import { AnomalyLog, type Inference, show } from './transactions.js';
import { TxnTable } from './table.js';
import { type TxnColumns, columnsOfOperations } from './columns.js';
import { searchModeFor, searchVersionOrder } from './version-search.js';
import type { TxnAnomaly, TxnCheckOptions, TxnCheckResult } from './types.js';
import { explainCycle } from './explain.js';

export { CONSISTENCY_MODELS, type ConsistencyModel, forbiddenBy, isConsistencyModel, modelsRuledOut } from './models.js';
export * from './types.js';
export { formatTxnResult } from './format.js';
export { parseTransactionOrder } from './transaction-order.js';
export { type TxnColumns, TxnColumnsBuilder, columnsOfOperations } from './columns.js';
export { TxnEventColumns } from './event-columns.js';

/**
 * Checks a transactional history (operations with `f: "txn"`) against a consistency model:
 * infers the version order of each key, builds the dependency graph (ww, wr, rw, plus
 * process and real-time order when the model needs them), and looks for the anomalies the
 * model forbids. Pure: no I/O. Throws InputError on malformed micro-ops.
 */
export function checkTransactions(ops: readonly Operation[], options: TxnCheckOptions): TxnCheckResult {
  const started = performance.now();
  return checkColumns(columnsOfOperations(ops, options.workload, options.file), options, started);
}

/**
 * The same check on a history already in columns (TxnColumnsBuilder): what the CLI and the
 * benchmark use, so that a large history never exists as one object per event.
 */
export function checkTransactionColumns(cols: TxnColumns, options: TxnCheckOptions): TxnCheckResult {
  if (cols.workload !== options.workload) throw new Error(`columns built for ${cols.workload}, checked as ${options.workload}`);
  return checkColumns(cols, options, performance.now());
}

function checkColumns(cols: TxnColumns, options: TxnCheckOptions, started: number): TxnCheckResult {
  const deadline = new Deadline(options.timeLimitMs);
  const log = new AnomalyLog(options.maxReportedPerType ?? 8);
  const table = new TxnTable(cols);
  if (options.transactionOrder !== undefined) checkDistinct(options.transactionOrder, options.file ?? 'history');
  const needs = orderEdgesFor(options.consistency);
  const processOrder = options.processOrder ?? needs.process;
  const realtime = options.realtime ?? needs.realtime;
  // A model's order also orders rw-register versions (a version seen before a transaction
  // began precedes what it saw or wrote), but an edge so inferred from a reader to the later
  // version's writer is an anti-dependency that holds given the order, kept as an order edge.
  // Cycles are named counting it as rw (below), yet the search for a G-single may then come
  // back with a write skew (two anti-dependencies, which snapshot isolation allows) and miss
  // the component's real G-single. So only a model that forbids every cycle in that order's
  // form (G2-item-realtime, G2-item-process: the serializable ones), where the name changes
  // no verdict, infers versions from it; strong (session) snapshot isolation keeps only the
  // transactions' order (its open write orders then come out unknown, never a false alarm).
  const rw = options.workload === 'rw-register';
  const versionsByRealtime = rw && realtime && forbiddenBy(options.consistency).has('G2-item-realtime');
  const versionsByProcess = rw && processOrder && forbiddenBy(options.consistency).has('G2-item-process');
  const n = table.txnOfNode.length;
  const edgeGuess = table.writes + 2 * table.reads + (realtime ? 3 * n : 0) + (processOrder ? n : 0);
  // List-append works out an edge's reason again when it explains one (list-append-explain.ts),
  // so its edges keep none; rw-register's and the polygraph's use theirs.
  const lean = options.workload === 'list-append';
  const arena = new Arena(arenaBytes(table, edgeGuess, lean));
  const edges = new EdgeStore(edgeGuess, arena, !lean);
  const inference =
    options.workload === 'list-append'
      ? inferListAppend(table, log, arena, edges)
      : inferRwRegister(table, log, edges, {
          process: versionsByProcess,
          realtime: versionsByRealtime,
          wfr: wfrFor(options),
          linearizableKeys: options.linearizableKeys === true,
          sequentialKeys: options.sequentialKeys === true,
          ...(options.transactionOrder === undefined ? {} : { transactionOrder: options.transactionOrder }),
        });
  if (processOrder) addProcessEdges(table, edges);
  if (realtime) addRealtimeEdges(table, edges, arena);

  const masks = [0];
  if (processOrder) masks.push(bit(PROCESS));
  if (realtime) masks.push(bit(REALTIME) | (processOrder ? bit(PROCESS) : 0));
  const search = deadline.check()
    ? { cycles: [], incomplete: true, cyclicComponents: 0, largestComponent: 0, truncated: [] }
    : findCycles((edges.outgoing = buildCsr(n, edges, arena)), edges, masks, deadline, arena);
  for (const c of search.cycles) {
    log.add(c.type, () => explainCycle(c.edges, table, inference));
  }
  const forbidden = forbiddenBy(options.consistency);
  // Where the model forbids every cycle (or, snapshot isolation, every cycle without two
  // adjacent anti-dependencies) and none is known yet, the write orders the reads left open are
  // decided by a polygraph search (Cobra, PolySI, Viper) rather than assumed.
  const mode = searchModeFor(forbidden);
  const decidedAlready = search.incomplete || [...log.counts.keys()].some((t) => forbidden.has(t));
  const polygraph = mode === undefined || decidedAlready || options.versionSearch === false ? undefined : searchVersionOrder(table, inference, mode, deadline);
  // Under a model that allows some cycles by their count of anti-dependencies (consistent
  // view), an order without any cycle proves it; a history that no order frees of every cycle
  // may still hold only allowed ones: undecided, not valid.
  const inconclusive = mode?.kind === 'partial' && polygraph?.anomaly !== undefined;
  // The snapshot search decides every cycle the model forbids, including those the cycle
  // search gave up on.
  const exact = mode?.kind === 'snapshot' && polygraph !== undefined && polygraph.undecidedKeys === undefined;
  const found = inconclusive ? undefined : polygraph?.anomaly;
  if (found !== undefined) log.add(found.type, () => ({ txns: found.txns, steps: found.steps!, ...(found.key === undefined ? {} : { key: found.key }), explanation: found.explanation }));
  noteCommittedInfo(log.kept, table, inference);

  const anomalyTypes = [...log.counts.keys()].sort();
  const violated = anomalyTypes.filter((t) => forbidden.has(t));
  const undecided = exact ? [] : search.truncated.filter((t) => forbidden.has(t));
  const verdict: Verdict =
    violated.length > 0 ? 'invalid' : search.incomplete || undecided.length > 0 || polygraph?.undecidedKeys !== undefined || inconclusive ? 'unknown' : 'valid';
  const elapsedMs = performance.now() - started;
  const result: TxnCheckResult = {
    verdict,
    workload: options.workload,
    consistency: options.consistency,
    anomalyTypes,
    anomalyCounts: Object.fromEntries([...log.counts].sort(([a], [b]) => a.localeCompare(b))),
    anomalies: log.kept,
    notModels: modelsRuledOut(anomalyTypes),
    // List-append reads give the version order whole, but for appends no read saw (their
    // first-committer-wins order, searched under snapshot isolation); rw-register's comes from these too.
    versionOrder:
      options.workload === 'list-append'
        ? ['reads', ...(polygraph?.searched === true ? ['polygraph'] : [])]
        : [
            'reads',
            ...(options.wfrKeys === true ? ['wfr-keys'] : wfrFor(options) ? ['wfr'] : []),
            ...(options.linearizableKeys === true ? ['linearizable-keys', 'linearizable-reads'] : versionsByRealtime ? ['realtime', 'realtime-reads'] : []),
            ...(options.sequentialKeys === true
              ? ['sequential-keys', ...(options.linearizableKeys === true ? [] : ['sequential-reads'])]
              : versionsByProcess
                ? ['process', ...(options.linearizableKeys === true || versionsByRealtime ? [] : ['process-reads'])]
                : []),
            ...(options.transactionOrder === undefined ? [] : ['transaction-order']),
            ...(polygraph?.searched === true ? ['polygraph'] : []),
          ],
    stats: {
      transactions: table.length,
      committed: table.committed,
      failed: table.failed,
      indeterminate: table.indeterminate,
      inferredCommitted: inference.committedInfo.size,
      keys: inference.keys,
      edges: {
        ww: edges.counts[0]!,
        wr: edges.counts[1]!,
        rw: edges.counts[2]!,
        process: edges.counts[3]!,
        realtime: edges.counts[4]!,
      },
      cyclicComponents: search.cyclicComponents,
      largestComponent: search.largestComponent,
      ...(polygraph?.searched !== true
        ? {}
        : { polygraph: { openPairs: polygraph.constraints, searchedPairs: polygraph.relevant, branches: polygraph.decisions, elapsedMs: polygraph.elapsedMs } }),
      elapsedMs,
    },
  };
  if (verdict === 'unknown' && polygraph?.tooManyPairs === true && inference.versionChoices?.tooManyPairs !== undefined) {
    result.reason = inference.versionChoices.tooManyPairs(listKeys(polygraph.undecidedKeys ?? []));
  } else if (verdict === 'unknown' && polygraph?.undecidedKeys !== undefined) {
    result.reason =
      `the time limit of ${options.timeLimitMs} ms ran out during the polygraph search for the write order of key(s) ` +
      `${listKeys(polygraph.undecidedKeys)} (${polygraph.relevant} open write pairs in cyclic components); raise the limit to decide`;
  } else if (verdict === 'unknown' && inconclusive) {
    result.reason =
      `the reads leave the write order of key ${show(polygraph!.anomaly!.key ?? null)} (and ${polygraph!.relevant} open write pair(s) in all) undecided, ` +
      `and no order frees the history of every dependency cycle; ${options.consistency} allows some cycles, and the search decides ` +
      `exactly only models that forbid them all or, as snapshot isolation does, all without two adjacent anti-dependencies: ` +
      `check --consistency serializable or snapshot-isolation, or give the order (--linearizable-keys, --transaction-order)`;
  } else if (verdict === 'unknown' && !search.incomplete) {
    result.reason =
      `the search for ${undecided.join(' and ')} gave up in a dependency cycle of up to ${search.largestComponent} transactions ` +
      `(it found only weaker-named cycles there); check against a model that forbids G2-item to decide`;
  } else if (verdict === 'unknown') {
    result.reason =
      `the time limit of ${options.timeLimitMs} ms ran out before the cycle search finished ` +
      `(largest cyclic component: ${search.largestComponent} transactions); raise the limit to decide`;
  }
  return result;
}

/**
 * Writes follow reads: asserted, or implied by the model. Every model above read-uncommitted
 * lets a transaction read only committed versions, so what it then writes is a later one;
 * read-uncommitted lets it read a version whose writer commits after it (Adya's PL-1).
 */
function wfrFor(options: TxnCheckOptions): boolean {
  return options.wfrKeys === true || options.consistency !== 'read-uncommitted';
}

/**
 * One reservation for the typed tables of a check (see Arena): element and read tables,
 * the value index, version orders, edges, the CSR, one Tarjan pass, the real-time sweep and
 * one byte per read.
 */
function arenaBytes(t: TxnTable, edges: number, lean: boolean): number {
  const n = t.txnOfNode.length;
  const ints =
    4 * t.writes +
    // The element index: a 4-byte slot and a 1-byte tag each.
    (5 * pairMapCapacity(t.writes)) / 4 +
    2 * t.reads +
    (lean ? 2 : 4) * edges +
    (2 * n + 1 + edges) +
    7 * n +
    (2 * t.length + 2 * n);
  return 4 * ints + edges + t.writes + 2 * t.reads + (1 << 16);
}

/** An anomaly that involves an indeterminate transaction says why it counts as committed. */
function noteCommittedInfo(anomalies: TxnAnomaly[], table: TxnTable, inference: Inference): void {
  if (inference.committedInfo.size === 0) return;
  const byId = new Map<number, string>();
  for (const [t, why] of inference.committedInfo) byId.set(table.cols.id[t]!, why);
  for (const a of anomalies) {
    const notes = [...new Set(a.txns.map((t) => byId.get(t.id)).filter((w): w is string => w !== undefined))];
    if (notes.length > 0) a.explanation += '\n' + notes.join('\n');
  }
}

/** At most ten keys by name, then how many more. */
function listKeys(keys: readonly Key[]): string {
  const shown = keys.slice(0, 10).map((k) => show(k)).join(', ');
  return keys.length > 10 ? `${shown} and ${keys.length - 10} more` : shown;
}

