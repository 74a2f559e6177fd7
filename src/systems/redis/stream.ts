/**
 * A queue on a Redis stream read through a consumer group: XADD enqueues, XREADGROUP `>`
 * hands the next never-delivered entry to this client's consumer (where it stays pending),
 * XACK acknowledges, XAUTOCLAIM takes over entries pending too long on a consumer that died
 * before acking. Everything runs on the primary: a group read moves the group's cursor and
 * pending list, so it is a write.
 */
import type { Redis } from 'ioredis';
import type { StreamEntry, StreamQueueCapability } from '../../runner/capabilities.js';
import { KEY_PREFIX, decodeValue, encodeValue, newToken } from '../capability-support.js';
import type { OnPrimary } from './data-types.js';

export const STREAM_KEY = `${KEY_PREFIX}/stream`;
export const STREAM_GROUP = 'faultline';
/** The field each entry's element is stored under. */
const FIELD = 'v';

type RawEntry = [id: string, fields: string[]] | null;

function entryOf(raw: RawEntry): StreamEntry | undefined {
  // XAUTOCLAIM of Redis < 7 returns nil for an entry deleted while pending.
  if (raw === null) return undefined;
  const [id, fields] = raw;
  const at = fields.indexOf(FIELD);
  if (at < 0 || at + 1 >= fields.length) throw new Error(`stream entry ${id} has no "${FIELD}" field: ${JSON.stringify(fields)}`);
  return { id, value: decodeValue(fields[at + 1]!) };
}

/**
 * The group is created (from the stream's start, with the stream) on first use, and again
 * when a command answers NOGROUP — a failover to a replica that never saw it — as an
 * application would: that call still fails (NOGROUP is a definite refusal), the next one runs.
 */
export function redisStreamQueue(onPrimary: OnPrimary): StreamQueueCapability {
  const consumer = `c-${newToken()}`;
  let group: Promise<void> | undefined;
  const inGroup = async <T>(act: (c: Redis) => Promise<T>): Promise<T> =>
    onPrimary(async (c) => {
      group ??= createGroup(c).catch((err: unknown) => {
        group = undefined;
        throw err;
      });
      await group;
      try {
        return await act(c);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('NOGROUP')) group = undefined;
        throw err;
      }
    });
  return {
    async enqueue(element) {
      const id = await onPrimary((c) => c.xadd(STREAM_KEY, '*', FIELD, encodeValue(element)));
      if (id === null) throw new Error('XADD returned no id');
      return id;
    },
    async read(count) {
      // No BLOCK: an empty answer (nil) comes at once.
      const reply = (await inGroup((c) => c.xreadgroup('GROUP', STREAM_GROUP, consumer, 'COUNT', count, 'STREAMS', STREAM_KEY, '>'))) as [string, RawEntry[]][] | null;
      return (reply?.[0]?.[1] ?? []).flatMap((raw) => entryOf(raw) ?? []);
    },
    async claim(minIdleMs, count) {
      const reply = (await inGroup((c) => c.xautoclaim(STREAM_KEY, STREAM_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count))) as [string, RawEntry[], ...unknown[]];
      return reply[1].flatMap((raw) => entryOf(raw) ?? []);
    },
    async ack(ids) {
      if (ids.length === 0) return 0;
      return inGroup((c) => c.xack(STREAM_KEY, STREAM_GROUP, ...ids));
    },
  };
}

async function createGroup(c: Redis): Promise<void> {
  try {
    await c.xgroup('CREATE', STREAM_KEY, STREAM_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
  }
}
