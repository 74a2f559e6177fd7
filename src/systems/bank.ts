/**
 * The bank every system offers the same way: BANK_ACCOUNTS keys under one prefix, each
 * holding a balance; an absent key holds INITIAL_BALANCE, so a fresh cluster starts with
 * the total in place and needs no setup phase. A transfer reads both balances and commits
 * both new ones only if neither changed since (the system's own conditional transaction:
 * etcd Txn on mod revisions, ZooKeeper multi on versions, Consul txn on modify indexes).
 */
import type { Json } from '../history/event.js';
import type { BankCapability, CallOptions } from '../runner/capabilities.js';
import { KEY_PREFIX, definitely } from './capability-support.js';
import { type ConditionalStore, readModifyCommit } from './data-types.js';
import { BANK_ACCOUNTS, INITIAL_BALANCE } from './bank-size.js';

export { BANK_ACCOUNTS, BANK_TOTAL, INITIAL_BALANCE } from './bank-size.js';
export const BANK_PREFIX = `${KEY_PREFIX}/bank`;

export function bankKey(account: number): string {
  return `${BANK_PREFIX}/${account}`;
}

export const BANK_KEYS: readonly string[] = Array.from({ length: BANK_ACCOUNTS }, (_, i) => bankKey(i));

/** A stored balance; absent is the initial balance. Anything else is returned as stored, for the checker to see. */
export function balanceOf(stored: Json | undefined): Json {
  return stored === null || stored === undefined ? INITIAL_BALANCE : stored;
}

/** Refuses, before anything is sent, a transfer no bank would run. */
export function validateTransfer(from: number, to: number, amount: number): void {
  const account = (a: number): boolean => Number.isInteger(a) && a >= 0 && a < BANK_ACCOUNTS;
  if (!account(from) || !account(to) || from === to) throw definitely('invalid-transfer', `accounts ${from} → ${to}: two distinct accounts of 0..${BANK_ACCOUNTS - 1}`);
  if (!Number.isSafeInteger(amount) || amount <= 0) throw definitely('invalid-transfer', `amount ${amount} is not a positive integer`);
}

/** What a transfer writes, or a definite refusal when the source cannot cover it. */
export function transferWrites(from: number, to: number, amount: number, balances: readonly Json[]): Map<string, Json> {
  const [a, b] = balances.map(balanceOf) as [Json, Json];
  if (typeof a !== 'number' || typeof b !== 'number') throw definitely('not-a-balance', `account ${from} or ${to} holds something other than a number`);
  if (a < amount) throw definitely('insufficient-funds', `account ${from} holds ${a}, less than ${amount}`);
  return new Map<string, Json>([
    [bankKey(from), a - amount],
    [bankKey(to), b + amount],
  ]);
}

/** The bank over a system's conditional store. */
export function conditionalBank<Seen>(store: ConditionalStore<Seen>): BankCapability {
  return {
    async transfer(from, to, amount, { signal }: CallOptions) {
      validateTransfer(from, to, amount);
      await readModifyCommit(store, 'transfer', [bankKey(from), bankKey(to)], signal, (values) => ({ result: undefined, writes: transferWrites(from, to, amount, values) }));
    },
    async read({ signal }: CallOptions) {
      // No writes: committed with every account pinned unless the store reads one snapshot.
      return readModifyCommit(store, 'bank read', BANK_KEYS, signal, (values) => ({ result: values.map(balanceOf), writes: new Map() }));
    },
  };
}
