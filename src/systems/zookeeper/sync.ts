/**
 * ZooKeeper's `sync` request, which node-zookeeper-client 1.1.3 lacks. A read issued after
 * `sync` on the same session sees every write committed before the sync started (the
 * follower first catches up with the leader), which is how a ZooKeeper user gets a
 * linearizable read.
 *
 * The library's response parser destroys the connection on an opcode it does not know, so
 * the request travels as SYNC on the wire but is registered as an opcode whose reply the
 * library handles without a payload. This reaches into the library's internals (its
 * connection manager and jute records); `test/integration/capabilities-zookeeper.test.ts`
 * exercises it against a real server, so a library upgrade that breaks it fails there.
 */
import type { Client } from 'node-zookeeper-client';
// The library's protocol module has no types of its own.
// @ts-expect-error -- untyped internal module of node-zookeeper-client
import jute from 'node-zookeeper-client/lib/jute/index.js';

interface JuteRecord {
  type: number;
  path: string;
  serialize(buffer: Buffer, offset: number): number;
}

interface Jute {
  OP_CODES: { SYNC: number; DELETE: number };
  Request: new (header: JuteRecord, payload: JuteRecord) => unknown;
  protocol: { RequestHeader: new () => JuteRecord; CreateResponse: new () => JuteRecord };
}

interface ConnectionManager {
  queue(request: unknown, callback: (error: Error | null) => void): void;
}

const protocol = jute as Jute;

/** A request whose wire opcode is SYNC while the library sees DELETE (a reply with no payload). */
function syncRequest(path: string): unknown {
  const header = new protocol.protocol.RequestHeader();
  header.type = protocol.OP_CODES.DELETE;
  const serialize = header.serialize.bind(header);
  header.serialize = (buffer, offset) => {
    header.type = protocol.OP_CODES.SYNC;
    try {
      return serialize(buffer, offset);
    } finally {
      header.type = protocol.OP_CODES.DELETE;
    }
  };
  // SyncRequest is a single `path` string, laid out like CreateResponse.
  const payload = new protocol.protocol.CreateResponse();
  payload.path = path;
  return new protocol.Request(header, payload);
}

/** Sends `sync(path)` and resolves when the server has answered it. */
export function sync(client: Client, path: string): Promise<void> {
  const manager = (client as unknown as { connectionManager: ConnectionManager }).connectionManager;
  return new Promise((resolve, reject) => {
    manager.queue(syncRequest(path), (error) => (error ? reject(error) : resolve()));
  });
}
