import type { Redis } from 'ioredis';
import type { Json } from '../../history/event.js';
import type { BankCapability, CounterCapability, MicroOp, QueueCapability, SetCapability, TxnCapability } from '../../runner/capabilities.js';
import { QUEUE_KEY } from '../queue.js';
import { BANK_KEYS, INITIAL_BALANCE, balanceOf, bankKey, validateTransfer } from '../bank.js';
import { decodeValue, definitely, encodeValue } from '../capability-support.js';
import { COUNTER_KEY, SET_PREFIX, checkDelta, decodeCounter, touchedKeys, txnKey, validateMicroOps } from '../data-types.js';

/**
 * A transaction as one script, which Redis runs atomically. KEYS: the touched keys; ARGV:
 * (function, key index, value JSON) per step. A list is a Redis list of JSON elements
 * (RPUSH / LRANGE); `w` SETs the value's JSON, and `d` deletes the key (a `w` of a list is
 * sent as `d` and one append per element, so an empty list reads back absent). Appending to
 * a key that holds a string is refused before anything is written (a script that fails
 * half-way keeps its earlier writes; the `#!lua` line makes Redis 7 refuse the whole script,
 * rather than a write in the middle, when it is out of memory). Each read comes back as `{'l', elements…}`,
 * `{'s', json}` or `{'n'}` (absent).
 */
export const TXN_SCRIPT = `#!lua
local n = #ARGV / 3
local rewritten = {}
for i = 0, n - 1 do
  local f, k = ARGV[i * 3 + 1], KEYS[tonumber(ARGV[i * 3 + 2])]
  if f == 'w' or f == 'd' then rewritten[k] = true end
  if f == 'append' and not rewritten[k] then
    local t = redis.call('TYPE', k).ok
    if t ~= 'list' and t ~= 'none' then return redis.error_reply('WRONGTYPE append to a key holding a ' .. t) end
  end
end
local reads = {}
for i = 0, n - 1 do
  local f, k, v = ARGV[i * 3 + 1], KEYS[tonumber(ARGV[i * 3 + 2])], ARGV[i * 3 + 3]
  if f == 'append' then
    redis.call('RPUSH', k, v)
  elseif f == 'w' then
    redis.call('SET', k, v)
  elseif f == 'd' then
    redis.call('DEL', k)
  else
    local t = redis.call('TYPE', k).ok
    if t == 'list' then
      local r = redis.call('LRANGE', k, 0, -1)
      table.insert(r, 1, 'l')
      table.insert(reads, r)
    elseif t == 'string' then
      table.insert(reads, {'s', redis.call('GET', k)})
    else
      table.insert(reads, {'n'})
    end
  end
end
return reads`;

/** The script's arguments for `ops`: the touched keys, then (function, 1-based key index, value JSON) triples. */
export function txnScriptArgs(ops: readonly MicroOp[]): { keys: string[]; argv: string[] } {
  const keys = touchedKeys(ops);
  const index = new Map(keys.map((k, i) => [k, String(i + 1)]));
  const argv = ops.flatMap(([f, key, value]) => {
    const k = index.get(String(key)) ?? '';
    if (f === 'w' && Array.isArray(value)) return ['d', k, '', ...value.flatMap((e) => ['append', k, encodeValue(e)])];
    return [f, k, encodeValue(value)];
  });
  return { keys: keys.map(txnKey), argv };
}

/** One read as the script returns it, back as a value. */
export function decodeScriptRead(read: unknown): Json {
  if (!Array.isArray(read)) throw new Error(`unexpected txn script reply ${JSON.stringify(read)}`);
  const [kind, ...rest] = read as string[];
  if (kind === 'l') return rest.map((e) => decodeValue(e));
  if (kind === 's') return decodeValue(rest[0]);
  return null;
}

/** `ops` completed with the script's reads, in order. */
export function completeWithReads(ops: readonly MicroOp[], reads: readonly unknown[]): MicroOp[] {
  let next = 0;
  return ops.map(([f, key, value]): MicroOp => (f === 'r' ? [f, key, decodeScriptRead(reads[next++])] : [f, key, value]));
}

/** Runs a command on the current primary (the capability client follows failovers). */
export type OnPrimary = <T>(act: (primary: Redis) => Promise<T>) => Promise<T>;

/**
 * Sets: one Redis set (SADD / SMEMBERS of JSON members). Txn: TXN_SCRIPT on the primary.
 * Counter: INCRBY / GET. Set and counter reads go to the primary, or to `replicaReads` (the
 * routed node) in the `replica` read mode.
 */
export function redisDataTypes(onPrimary: OnPrimary, replicaReads: Redis | undefined) {
  const read = <T>(act: (c: Redis) => Promise<T>): Promise<T> => (replicaReads === undefined ? onPrimary(act) : act(replicaReads));

  const set: SetCapability = {
    async add(element: Json) {
      await onPrimary((c) => c.sadd(SET_PREFIX, encodeValue(element)));
    },
    async read() {
      return (await read((c) => c.smembers(SET_PREFIX))).map((member) => decodeValue(member));
    },
  };

  const txn: TxnCapability = {
    async run(ops: readonly MicroOp[]) {
      validateMicroOps(ops);
      const { keys, argv } = txnScriptArgs(ops);
      const reads = (await onPrimary((c) => c.eval(TXN_SCRIPT, keys.length, ...keys, ...argv))) as unknown[];
      return completeWithReads(ops, reads);
    },
  };

  const counter: CounterCapability = {
    async add(delta) {
      checkDelta(delta);
      await onPrimary((c) => c.incrby(COUNTER_KEY, delta));
    },
    async read() {
      return decodeCounter(await read((c) => c.get(COUNTER_KEY)));
    },
  };

  const bank: BankCapability = {
    async transfer(from, to, amount) {
      validateTransfer(from, to, amount);
      const reply = await onPrimary((c) => c.eval(TRANSFER_SCRIPT, 2, bankKey(from), bankKey(to), String(amount), String(INITIAL_BALANCE)));
      if (reply !== 'OK') throw definitely('insufficient-funds', `account ${from} holds ${String(reply)}, less than ${amount}`);
    },
    async read() {
      // One MGET is atomic on the node that serves it.
      return (await read((c) => c.mget(...BANK_KEYS))).map((text) => balanceOf(text === null ? null : decodeValue(text)));
    },
  };

  const queue: QueueCapability = {
    async enqueue(element) {
      await onPrimary((c) => c.rpush(QUEUE_KEY, encodeValue(element)));
    },
    async dequeue() {
      const head = await onPrimary((c) => c.lpop(QUEUE_KEY));
      return head === null ? null : decodeValue(head);
    },
    async drain() {
      // LRANGE and DEL in one MULTI: nothing enqueued in between is dropped unseen.
      const replies = await onPrimary((c) => c.multi().lrange(QUEUE_KEY, 0, -1).del(QUEUE_KEY).exec());
      const all = replies?.[0]?.[1];
      if (!Array.isArray(all)) throw new Error('the drain transaction was aborted');
      return all.map((text) => decodeValue(String(text)));
    },
  };

  return { set, txn, counter, bank, queue };
}

/**
 * A transfer in one script, so it is atomic on the primary: refused (nothing written) when
 * the source holds less than the amount; absent accounts hold the initial balance.
 */
export const TRANSFER_SCRIPT = `#!lua
local a = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
local b = tonumber(redis.call('GET', KEYS[2]) or ARGV[2])
local amount = tonumber(ARGV[1])
if a < amount then return tostring(a) end
redis.call('SET', KEYS[1], tostring(a - amount))
redis.call('SET', KEYS[2], tostring(b + amount))
return 'OK'`;
