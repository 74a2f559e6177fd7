import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EtcdError,
  EtcdLeaseInvalidError,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCUnavailableError,
} from 'etcd3';
import { ReplyError } from 'ioredis';
import zookeeper from 'node-zookeeper-client';
import { classifyError, DefiniteFailure, type ErrorClassifier, type Outcome } from '../../../src/runner/outcome.js';
import { classifyConsulError } from '../../../src/systems/consul/capabilities.js';
import { classifyEtcdError } from '../../../src/systems/etcd/capabilities.js';
import { EtcdGatewayError } from '../../../src/systems/etcd/lock-gateway.js';
import { classifyRedisError } from '../../../src/systems/redis/capabilities.js';
import { classifyZookeeperError } from '../../../src/systems/zookeeper/capabilities.js';

type Expected = Exclude<Outcome, { type: 'ok' }>['type'];

/** Each row: an error as the library produces it, and the outcome it must give. */
function table(classifier: ErrorClassifier, rows: readonly [string, unknown, Expected, string?][]): void {
  for (const [label, err, type, reason] of rows) {
    it(`${label} → ${type}${reason === undefined ? '' : ` (${reason})`}`, () => {
      const outcome = classifyError(err, [classifier]);
      assert.equal(outcome.type, type);
      if (reason !== undefined) assert.equal(outcome.error, reason);
    });
  }
}

describe('etcd errors', () => {
  table(classifyEtcdError, [
    ['deadline exceeded', new GRPCDeadlineExceededError('deadline exceeded'), 'info', 'timeout'],
    ['server-side request timeout', new EtcdError('etcdserver: request timed out'), 'info', 'timeout'],
    ['leader changed mid-proposal', new EtcdError('etcdserver: leader changed'), 'info'],
    ['unavailable (connection lost)', new GRPCUnavailableError('14 UNAVAILABLE: No connection established'), 'info'],
    ['invalid argument', new GRPCInvalidArgumentError('etcdserver: key is not provided'), 'fail'],
    ['too many requests', new EtcdError('etcdserver: too many requests'), 'fail', 'too-many-requests'],
    ['lease expired before put', new EtcdLeaseInvalidError('123'), 'fail', 'lease-not-found'],
    ['gateway: lease not found', new EtcdGatewayError(404, 5, 'etcd lock: etcdserver: requested lease not found'), 'fail', 'lease-not-found'],
    ['gateway: other error', new EtcdGatewayError(503, 14, 'etcd lock: unavailable'), 'info'],
    ['an aborted fetch', new DOMException('timed out', 'TimeoutError'), 'info', 'timeout'],
  ]);
});

const Reply = ReplyError as new (message: string) => Error;

describe('Redis errors', () => {
  table(classifyRedisError, [
    ['write on a replica', new Reply("READONLY You can't write against a read only replica."), 'fail', 'readonly'],
    ['EVALSHA of an unknown script', new Reply('NOSCRIPT No matching script.'), 'fail', 'noscript'],
    ['loading the dataset', new Reply('LOADING Redis is loading the dataset in memory'), 'fail', 'loading'],
    ['replica without its primary', new Reply('MASTERDOWN Link with MASTER is down'), 'fail', 'masterdown'],
    ['a generic ERR reply', new Reply('ERR Error running script'), 'info'],
    ['command timeout', new Error('Command timed out'), 'info', 'timeout'],
    ['never sent (no offline queue)', new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'fail', 'not-connected'],
    ['connection closed mid-command', new Error('Connection is closed.'), 'info'],
  ]);
});

const zkError = (code: number): Error => (zookeeper.Exception as unknown as { create(code: number): Error }).create(code);
const { Exception } = zookeeper;

describe('ZooKeeper errors', () => {
  table(classifyZookeeperError, [
    ['setData with a stale version', zkError(Exception.BAD_VERSION), 'fail', 'bad-version'],
    ['create of an existing znode', zkError(Exception.NODE_EXISTS), 'fail', 'node-exists'],
    ['setData of a missing znode', zkError(Exception.NO_NODE), 'fail', 'no-node'],
    ['connection loss', zkError(Exception.CONNECTION_LOSS), 'info', 'connection-loss'],
    ['operation timeout', zkError(Exception.OPERATION_TIMEOUT), 'info', 'operation-timeout'],
    ['session expired', zkError(Exception.SESSION_EXPIRED), 'info', 'session-expired'],
  ]);
});

/** Errors shaped as consul@2 (through papi) rejects them. */
const httpError = (statusCode: number, message: string): Error => Object.assign(new Error(message), { isResponse: true, statusCode });

describe('Consul errors', () => {
  table(classifyConsulError, [
    ['no leader (may or may not apply)', httpError(500, 'No cluster leader'), 'info'],
    ['rejected transaction', httpError(409, 'conflict'), 'fail'],
    ['bad request', httpError(400, 'bad request'), 'fail'],
    ['forbidden', httpError(403, 'Permission denied'), 'fail'],
    ['request timeout', Object.assign(new Error('request timed out (5000ms)'), { isTimeout: true }), 'info', 'timeout'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'fail', 'connection-refused'],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'info'],
  ]);
});

describe('outside the adapters', () => {
  it('a DefiniteFailure stays a fail whichever classifier runs first', () => {
    for (const classifier of [classifyEtcdError, classifyRedisError, classifyZookeeperError, classifyConsulError]) {
      assert.deepEqual(classifyError(new DefiniteFailure('cas-mismatch'), [classifier]), { type: 'fail', error: 'cas-mismatch' });
    }
  });
});
