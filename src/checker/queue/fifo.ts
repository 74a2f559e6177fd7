import type { Json } from '../../history/event.js';
import { exactJsonText } from '../../history/exact-json.js';
import { type FaultInterval, describeFault, faultsDuring } from '../../history/faults.js';
import type { Operation } from '../../history/operation.js';
import { SHOWN, key } from './elements.js';
import type { Verdict } from '../verdict.js';

const ENQUEUE = 'enqueue';
const DEQUEUE = 'dequeue';
const DRAIN = 'drain';

/** One element whose order can be judged: enqueued by exactly one operation, taken out exactly once by an ok dequeue or drain. */
interface Tracked {
  value: Json;
  enqueue: Operation;
  /** The ok dequeue or drain that returned it. */
  out: Operation;
  /** Its position in what `out` returned (0 for a dequeue): a drain hands its list out head first. */
  position: number;
}

/** Two elements that came out in the opposite order to the one they certainly went in. */
export interface FifoViolation {
  /** Went in first (its enqueue acknowledged before the other's began)… */
  earlier: Json;
  /** …yet came out first. */
  later: Json;
  /** History indices: the earlier's enqueue completion, the later's enqueue invocation, the later's dequeue completion (or the drain's), the earlier's dequeue invocation. */
  indices: { earlierEnqueued: number; laterEnqueueInvoked: number; laterDequeued: number; earlierDequeueInvoked: number };
  processes: { earlierEnqueue: number; laterEnqueue: number; laterDequeue: number; earlierDequeue: number };
  faults: string[];
  sentence: string;
}

export interface FifoResult {
  verdict: Verdict;
  explanation: string;
  /** Elements whose order could be judged (enqueued once, dequeued once by an ok operation). */
  checked: number;
  /** Elements that certainly overtook one enqueued before them (each counted once). */
  overtaking: number;
  /** The first few, each with its witness pair, in the order the overtaking element came out. */
  violations: FifoViolation[];
}

/**
 * FIFO order as clients can prove it was broken — never a false alarm. Element a certainly
 * went in before b when a's enqueue was acknowledged before b's enqueue was invoked (b's
 * enqueue may be of unknown outcome: it took effect no earlier than its invocation; an
 * enqueue of unknown outcome can never be the earlier one, its effect may be as late as its
 * dequeue). b certainly came out before a when the ok dequeue that returned b completed
 * before the one that returned a was invoked, or one drain listed b ahead of a (a drain
 * hands out the queue head first). Both at once: b overtook a, so no FIFO order explains the
 * history. Failed operations had no effect; dequeues of unknown outcome returned nothing we
 * know of, so they can neither accuse nor excuse. Elements enqueued or dequeued more than once
 * are left to the total-queue check (it reports duplicates). One sweep, O(n log n). Pure.
 *
 * What it cannot prove: order broken only among concurrent operations, where other elements'
 * order pins down what real time leaves open (e.g. a's enqueue overlaps b's, but a before c
 * and c before b are certain), and overtakings of an element whose enqueue outcome is unknown.
 */
export function checkFifo(ops: readonly Operation[], faults: readonly FaultInterval[] = []): FifoResult {
  const tracked = trackable(ops);
  const found = new Map<string, FifoViolation>();
  const report = (a: Tracked, b: Tracked): void => {
    const k = key(b.value);
    if (!found.has(k)) found.set(k, violation(a, b, faults));
  };

  // Across operations: sweep the b's by enqueue invocation; the candidates a (acknowledged
  // enqueues) join as their enqueue completes before it; among them the one dequeued latest
  // is the best witness: if even its dequeue began after b's came back, b overtook it.
  const candidates = tracked.filter((t) => t.enqueue.type === 'ok').sort((x, y) => x.enqueue.ret - y.enqueue.ret);
  const laters = [...tracked].sort((x, y) => x.enqueue.call - y.enqueue.call);
  let next = 0;
  let latest: Tracked | undefined;
  for (const b of laters) {
    while (next < candidates.length && candidates[next]!.enqueue.ret < b.enqueue.call) {
      const a = candidates[next++]!;
      if (latest === undefined || a.out.call > latest.out.call) latest = a;
    }
    if (latest !== undefined && b.out.ret < latest.out.call) report(latest, b);
  }

  // Within one drain: an element listed behind one it certainly went in before.
  const byDrain = new Map<Operation, Tracked[]>();
  for (const t of tracked) {
    if (t.out.f !== DRAIN) continue;
    const list = byDrain.get(t.out);
    if (list === undefined) byDrain.set(t.out, [t]);
    else list.push(t);
  }
  for (const list of byDrain.values()) {
    list.sort((x, y) => x.position - y.position);
    let firstIn: Tracked | undefined; // among those listed behind: the acknowledged enqueue that completed first
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i]!;
      if (firstIn !== undefined && firstIn.enqueue.ret < b.enqueue.call) report(firstIn, b);
      if (b.enqueue.type === 'ok' && (firstIn === undefined || b.enqueue.ret < firstIn.enqueue.ret)) firstIn = b;
    }
  }

  const violations = [...found.values()].sort((x, y) => x.indices.laterDequeued - y.indices.laterDequeued);
  const drained = ops.some((o) => o.f === DRAIN && o.type === 'ok');
  const verdict: Verdict = violations.length > 0 ? 'invalid' : drained ? 'valid' : 'unknown';
  return {
    verdict,
    explanation: explain(verdict, tracked.length, violations),
    checked: tracked.length,
    overtaking: violations.length,
    violations: violations.slice(0, SHOWN),
  };
}

/** Elements with one enqueue and one ok dequeue: the only ones whose order the history pins down. */
function trackable(ops: readonly Operation[]): Tracked[] {
  const enqueues = new Map<string, Operation | null>(); // null: enqueued more than once
  const outs = new Map<string, { value: Json; op: Operation; position: number } | null>(); // null: came out more than once
  const out = (value: Json, op: Operation, position: number): void => {
    const k = key(value);
    outs.set(k, outs.has(k) ? null : { value, op, position });
  };
  for (const o of ops) {
    if (o.f === ENQUEUE) enqueues.set(key(o.input), enqueues.has(key(o.input)) ? null : o);
    if (o.type !== 'ok') continue;
    if (o.f === DEQUEUE && o.output !== null) out(o.output, o, 0);
    if (o.f === DRAIN && Array.isArray(o.output)) o.output.forEach((v, i) => out(v, o, i));
  }
  const tracked: Tracked[] = [];
  for (const [k, x] of outs) {
    const enqueue = enqueues.get(k);
    if (x === null || enqueue === undefined || enqueue === null) continue;
    tracked.push({ value: x.value, enqueue, out: x.op, position: x.position });
  }
  return tracked;
}

function violation(a: Tracked, b: Tracked, faults: readonly FaultInterval[]): FifoViolation {
  const active = faultsDuring(faults, a.enqueue.call, Math.max(a.out.ret, b.out.ret)).map(describeFault);
  const ea = exactJsonText(a.value);
  const eb = exactJsonText(b.value);
  const outOrder =
    a.out === b.out
      ? `p${b.out.process}'s drain${on(b.out, 'from')} (${seconds(b.out.call)}–${seconds(b.out.ret)}, history index ${b.out.completeIndex}) listed ${eb} ahead of ${ea}`
      : `${took(b, eb)} came back at ${seconds(b.out.ret)} (history index ${b.out.completeIndex}) before ${took(a, ea)} began at ${seconds(a.out.call)} (history index ${a.out.invokeIndex})`;
  const sentence =
    `${eb} overtook ${ea}: p${a.enqueue.process} enqueued ${ea}${on(a.enqueue, 'on')}, acknowledged at ${seconds(a.enqueue.ret)} (history index ${a.enqueue.completeIndex}), ` +
    `before p${b.enqueue.process} began enqueuing ${eb}${on(b.enqueue, 'on')} at ${seconds(b.enqueue.call)} (history index ${b.enqueue.invokeIndex}${b.enqueue.type === 'ok' ? '' : `, outcome ${b.enqueue.type}`}), ` +
    `yet ${outOrder}; ${active.length === 0 ? 'no fault was in effect' : `faults in effect: ${active.join('; ')}`}.`;
  return {
    earlier: a.value,
    later: b.value,
    indices: { earlierEnqueued: a.enqueue.completeIndex, laterEnqueueInvoked: b.enqueue.invokeIndex, laterDequeued: b.out.completeIndex, earlierDequeueInvoked: a.out.invokeIndex },
    processes: { earlierEnqueue: a.enqueue.process, laterEnqueue: b.enqueue.process, laterDequeue: b.out.process, earlierDequeue: a.out.process },
    faults: active,
    sentence,
  };
}

/** `p4's dequeue of 12 from n2` / `p7's drain (listing 12) from n1`. */
function took(t: Tracked, shown: string): string {
  return t.out.f === DRAIN ? `p${t.out.process}'s drain listing ${shown}${on(t.out, 'from')}` : `p${t.out.process}'s dequeue of ${shown}${on(t.out, 'from')}`;
}

function on(o: Operation, preposition: string): string {
  return o.node === undefined ? '' : ` ${preposition} ${o.node}`;
}

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

function explain(verdict: Verdict, checked: number, violations: readonly FifoViolation[]): string {
  if (verdict === 'invalid') {
    const more = violations.length > 1 ? ` (${violations.length} elements overtook one enqueued before them in all)` : '';
    return `FIFO order broken: ${violations[0]!.sentence}${more}`;
  }
  const pairs = `of the ${checked} elements enqueued and dequeued once, none came out ahead of one whose enqueue was acknowledged before its own began`;
  return verdict === 'valid' ? `${pairs}.` : `no final drain completed, so elements still queued cannot be compared; ${pairs}.`;
}
