import type { OpRequest } from '../generator/types.js';
import type { Outcome } from './outcome.js';

/**
 * Messages between the runner and a worker's client process (see ClientHosts). Every
 * request carries an id its reply repeats; id 0 is the start-up handshake.
 */
export type HostRequest =
  | { t: 'init'; id: number; factory: { module: string; payload: unknown } }
  | { t: 'open'; id: number; node: string; process: number }
  | { t: 'invoke'; id: number; node: string; process: number; op: OpRequest }
  | { t: 'close'; id: number; node: string; process: number }
  | { t: 'abort'; id: number }
  | { t: 'exit'; id: number };

export type HostReply = { t: 'ready'; id: number } | { t: 'opened'; id: number } | { t: 'done'; id: number; outcome: Outcome } | { t: 'closed'; id: number } | { t: 'failed'; id: number; error: string };

/** argv marks of a client process, so `faultline clean` can find one whose runner is gone. */
export const CLIENT_HOST_FLAG = '--faultline-client-host';
export const OWNER_FLAG = '--owner=';

/** How a child words the failure of the operations in flight when a client library threw and it must end. */
export const LIBRARY_ERROR = 'client library error: ';
