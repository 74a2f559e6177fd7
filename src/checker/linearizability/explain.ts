import type { CheckedOp } from './info-ops.js';
import { type Explanation, type Linearized, opView } from './result.js';
import type { StateTable } from './state-table.js';

/** The deepest dead end the search met (op numbers are positions in call order). */
export interface Deepest {
  depth: number;
  /** The last steps of the deepest path: op and the state after it. */
  path: { op: number; after: number }[];
  blocked: number;
  states: number[];
  candidates: number[];
  /** The blocked op can be satisfied in no order at all (found before searching). */
  impossible?: true;
  /** The blocked op needs a value this op certainly replaced before it began (found before searching). */
  overwrittenBy?: number;
  /** The model's decision procedure found the blocked op at odds with op `with` (found before searching). */
  conflict?: { with: number; why: string };
}

const SHOWN = 20;

export function buildExplanation(deepest: Deepest, ops: readonly CheckedOp[], table: StateTable): Explanation {
  const prefix: Linearized[] = deepest.path.map((f) => ({ op: opView(ops[f.op]!), state: table.show(f.after) }));
  const blocked = ops[deepest.blocked]!;
  const state = deepest.states[0];
  const candidates = (state === undefined ? [] : deepest.candidates).map((c) => ({
    op: opView(ops[c]!),
    outcome: table.step(state!, c) < 0 ? ('rejected' as const) : ('dead-end' as const),
  }));
  const concurrent = ops
    .filter((o, i) => i !== deepest.blocked && o.call <= blocked.ret && o.ret >= blocked.call)
    .slice(0, SHOWN)
    .map(opView);
  const explanation: Explanation = {
    prefixLength: Math.max(deepest.depth, 0),
    prefix,
    blocked: opView(blocked),
    states: deepest.states.map((s) => table.show(s)),
    candidates,
    concurrent,
  };
  if (deepest.impossible === true) explanation.impossible = true;
  if (deepest.overwrittenBy !== undefined) explanation.overwrittenBy = opView(ops[deepest.overwrittenBy]!);
  if (deepest.conflict !== undefined) explanation.conflict = { with: opView(ops[deepest.conflict.with]!), why: deepest.conflict.why };
  return explanation;
}
