import type { Json } from '../history/event.js';
import { mix } from './combine.js';
import { nemesis } from './routing.js';
import { stagger } from './timing.js';
import { type GenContext, type Generator, emit, generator } from './types.js';

/** One kind of fault the nemesis cycles: `start-<name>` (with a value saying how), then `stop-<name>`. */
export interface FaultKind {
  name: string;
  /** The start operation's value, e.g. a partition shape or a target selector; draw any randomness from `ctx.rng` (the faults stream). */
  start?: (ctx: GenContext) => Json;
}

/** start-X, stop-X, start-X, … forever. */
function alternate(kind: FaultKind): Generator {
  return generator(() => {
    let active = false;
    return {
      next(ctx) {
        active = !active;
        return active ? emit({ f: `start-${kind.name}`, value: kind.start?.(ctx) ?? null }) : emit({ f: `stop-${kind.name}`, value: null });
      },
    };
  });
}

/**
 * The nemesis schedule for `--nemesis partition,kill,pause --nemesis-interval 5`: every
 * ~`intervalMs` (random, as `stagger`), one of the kinds, chosen at random, takes its next
 * step — starts if it is not in effect, stops if it is. Kinds overlap freely; whatever is
 * still in effect at the end is undone by the runner's heal before the final phase.
 */
export function faultCycles(kinds: readonly FaultKind[], intervalMs: number): Generator {
  return nemesis(stagger(intervalMs, mix(kinds.map(alternate))));
}
