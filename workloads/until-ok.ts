import { clients } from '../src/generator/routing.js';
import { EXHAUSTED, PENDING, type Generator, type OpRequest, emit, generator, pendingUntil } from '../src/generator/types.js';

/**
 * `op`, one attempt at a time, until one completes `ok` or `attempts` have been made, with
 * `gapMs` between attempts: a final read right after healing may meet a cluster still
 * electing a leader, and one failed read would leave the whole run without a verdict.
 */
export function untilOk(op: OpRequest, attempts = 10, gapMs = 1_000): Generator {
  return clients(
    generator(() => {
      let made = 0;
      let done = false;
      let waiting = false;
      let wakeAt = 0;
      return {
        next(ctx) {
          if (done || (made >= attempts && !waiting)) return EXHAUSTED;
          if (waiting) return PENDING;
          if (ctx.nowMs < wakeAt) return pendingUntil(wakeAt);
          made++;
          waiting = true;
          return emit(op);
        },
        update(c, ctx) {
          if (c.op.f !== op.f) return;
          waiting = false;
          if (c.type === 'ok') done = true;
          else wakeAt = ctx.nowMs + gapMs;
        },
      };
    }),
  );
}
