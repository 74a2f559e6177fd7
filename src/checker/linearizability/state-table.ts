import type { Json } from '../../history/event.js';
import type { AnyModel, ModelOp, Viability } from './model.js';
import { TransitionMemo } from './transitions.js';

/**
 * Model states interned to small integers, and a memo of transitions (state, op) → state
 * so that a step the search takes again costs a hash probe, not a model call.
 */
export class StateTable {
  private readonly ids = new Map<string | number, number>();
  private readonly states: unknown[] = [];
  private readonly transitions: TransitionMemo;
  private readonly readOnly: boolean[] = [];

  /** The model's pruning test for this partition, if it has one. */
  private readonly viable: Viability<unknown> | undefined;

  constructor(
    private readonly model: AnyModel,
    private readonly ops: readonly ModelOp[],
    firstSlots?: number,
  ) {
    this.transitions = new TransitionMemo(firstSlots);
    this.viable = model.viability?.(ops);
  }

  /** False when read-only op `o` can no longer be satisfied from state `s`, whatever happens next. */
  stillSatisfiable(s: number, o: number, isLinearized: (op: number) => boolean): boolean {
    return this.viable === undefined || this.viable.satisfiable(this.states[s], o, isLinearized);
  }

  /** Memory held by the transition memo. */
  get bytes(): number {
    return this.transitions.bytes;
  }

  get size(): number {
    return this.states.length;
  }

  intern(state: unknown): number {
    const { hash, equals } = this.model;
    if (hash !== undefined && equals !== undefined) return this.internHashed(hash(state), state, equals);
    const k = this.model.key(state);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(state);
      this.ids.set(k, id);
    }
    return id;
  }

  /** States by hash, for models that give `hash` and `equals`: one id, or several on a collision. */
  private readonly byHash = new Map<number, number | number[]>();

  private internHashed(h: number, state: unknown, equals: (a: unknown, b: unknown) => boolean): number {
    const found = this.byHash.get(h);
    const ids = found === undefined ? [] : typeof found === 'number' ? [found] : found;
    for (const id of ids) if (equals(this.states[id], state)) return id;
    const id = this.states.length;
    this.states.push(state);
    this.byHash.set(h, found === undefined ? id : [...ids, id]);
    return id;
  }

  /** The state after op `o` from state `s`, or -1 when the model refuses it. */
  step(s: number, o: number): number {
    const known = this.transitions.get(s, o);
    if (known !== -2) return known;
    const next = this.model.step(this.states[s], this.ops[o]!);
    const id = next === undefined ? -1 : this.intern(next);
    this.transitions.set(s, o, id);
    return id;
  }

  /** True when op `o` never changes the state: it either matches a state or cannot happen in it. */
  isReadOnly(o: number): boolean {
    let flag = this.readOnly[o];
    if (flag === undefined) {
      flag = this.model.readOnly(this.ops[o]!) && !this.hasBranches(o);
      this.readOnly[o] = flag;
    }
    return flag;
  }

  /** True when op `o` may have several effects (its step alone does not say). */
  hasBranches(o: number): boolean {
    return this.model.branches !== undefined && !this.ops[o]!.known;
  }

  /** Every possible next state for an op with several possible effects, or undefined to use step(). */
  branches(s: number, o: number): number[] | undefined {
    const next = this.model.branches?.(this.states[s], this.ops[o]!);
    if (next === undefined) return undefined;
    return [...new Set(next.map((x) => this.intern(x)))];
  }

  show(s: number): Json {
    return this.model.show(this.states[s]);
  }
}
