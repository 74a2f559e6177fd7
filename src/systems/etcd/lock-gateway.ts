/**
 * etcd's lock service (`v3lockpb.Lock/Lock`) through the server's gRPC-JSON gateway: the
 * etcd3 library ships no client for it, and its own `lock()` is a try-lock, not etcd's
 * blocking recipe.
 */

/** An error the gateway answered with (a gRPC status carried over HTTP). */
export class EtcdGatewayError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'EtcdGatewayError';
  }
}

export function isLeaseNotFound(err: unknown): boolean {
  return err instanceof Error && err.message.includes('requested lease not found');
}

interface GatewayReply {
  key?: string;
  header?: { revision?: string };
  error?: string;
  message?: string;
  code?: number;
}

/**
 * Blocks until `name` is held under `leaseId`; resolves with the lock key (the token that
 * proves ownership) and the store revision the grant was made at — the fence: the server
 * grants only after the previous holder's key was deleted, a write newer than that holder's
 * own grant, so each grant's revision is above every earlier one. Aborting `signal` drops
 * the HTTP request, which cancels the server's wait and deletes the waiter's key.
 */
export async function gatewayLock(baseUrl: string, name: string, leaseId: string, signal: AbortSignal): Promise<{ key: string; revision: number }> {
  const response = await fetch(`${baseUrl}/v3/lock/lock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: Buffer.from(name).toString('base64'), lease: leaseId }),
    signal,
  });
  const reply = (await response.json()) as GatewayReply;
  if (!response.ok || reply.key === undefined) {
    const message = reply.message ?? reply.error ?? `HTTP ${response.status}`;
    throw new EtcdGatewayError(response.status, reply.code, `etcd lock: ${message}`);
  }
  return { key: Buffer.from(reply.key, 'base64').toString(), revision: Number(reply.header?.revision ?? 0) };
}
