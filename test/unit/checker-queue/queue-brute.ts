import type { Json } from '../../../src/history/event.js';
import type { Operation } from '../../../src/history/operation.js';

/**
 * The reference for the FIFO checker: is a small queue history (enqueue, dequeue, drain)
 * linearizable, by trying every order. Ok operations take effect once within their
 * interval; info ones at some point after their invocation or never; failed ones never.
 * `ordered`: a FIFO queue (dequeue takes the head, a drain returns the queue head first);
 * otherwise a bag (dequeue takes any element, a drain returns them in any order). A
 * history that is linearizable as a bag but not as a FIFO queue is wrong *because of order*.
 */
export function linearizableQueue(ops: readonly Operation[], ordered: boolean): boolean {
  const live = ops.filter((o) => o.type !== 'fail');
  const n = live.length;
  if (n > 20) throw new Error(`brute force: ${n} operations is too many`);
  const mustPrecede = live.map((o) => live.flatMap((p, j) => (p.type === 'ok' && p.ret < o.call ? [j] : [])));
  const okMask = live.reduce((m, o, i) => (o.type === 'ok' ? m | (1 << i) : m), 0);
  const seen = new Set<string>();
  const k = (v: Json): string => JSON.stringify(v);

  const search = (done: number, queue: readonly string[]): boolean => {
    if ((done & okMask) === okMask) return true;
    const memo = `${done}|${queue.join(',')}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    for (let i = 0; i < n; i++) {
      if (done & (1 << i) || mustPrecede[i]!.some((j) => !(done & (1 << j)))) continue;
      for (const next of effects(live[i]!, queue)) if (search(done | (1 << i), next)) return true;
    }
    return false;
  };

  /** The queues an operation can leave behind when it takes effect on `queue` (none: impossible). */
  const effects = (o: Operation, queue: readonly string[]): (readonly string[])[] => {
    if (o.f === 'enqueue') return [[...queue, k(o.input)]];
    if (o.f === 'drain') {
      if (o.type !== 'ok') return [[]];
      const out = Array.isArray(o.output) ? o.output.map(k) : [];
      const same = ordered ? out.join(',') === queue.join(',') : [...out].sort().join(',') === [...queue].sort().join(',');
      return same ? [[]] : [];
    }
    // dequeue
    if (o.type !== 'ok') {
      if (queue.length === 0) return [queue];
      return ordered ? [queue.slice(1)] : queue.map((_, i) => [...queue.slice(0, i), ...queue.slice(i + 1)]);
    }
    if (o.output === null) return queue.length === 0 ? [queue] : [];
    const x = k(o.output);
    const i = ordered ? (queue[0] === x ? 0 : -1) : queue.indexOf(x);
    return i < 0 ? [] : [[...queue.slice(0, i), ...queue.slice(i + 1)]];
  };

  return search(0, []);
}
