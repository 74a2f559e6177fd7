import type { TestOutcome } from '../../../src/output/index.js';

/** A value as a database might return it: markup, quotes, an ampersand, a control character, newlines. */
export const HOSTILE = `</script><img src=x onerror=alert(1)> "q" 'a' & ]]> \u0001 line1\nline2 %0A ::error::x, y: z`;

export const outcomes: TestOutcome[] = [
  {
    name: 'etcd-register-partition',
    status: 'checked',
    verdict: 'invalid',
    system: 'etcd',
    workload: 'register',
    nemesis: ['partition'],
    seed: 42,
    runDir: '/store/etcd-register-partition/20261122T070000.000Z',
    durationMs: 31_400,
    checkers: [
      {
        checker: 'linearizable',
        verdict: 'invalid',
        details: {
          model: 'cas-register',
          notValid: [{ key: 'k3', verdict: 'invalid', explanation: { prefixLength: 12, blocked: { process: 4, f: 'read', input: null, output: HOSTILE }, states: [1], candidates: [] } }],
        },
      },
    ],
    warnings: [],
  },
  {
    name: 'zookeeper-lock-pause',
    status: 'checked',
    verdict: 'unknown',
    durationMs: 25_000,
    checkers: [
      { checker: 'mutual-exclusion', verdict: 'valid', details: {} },
      { checker: 'lost-updates', verdict: 'unknown', details: { reason: 'no final read of the counter completed' } },
    ],
    warnings: ['tearing down cluster c9 failed: timeout'],
  },
  { name: 'redis-register-kill', status: 'error', verdict: 'unknown', checkers: [], durationMs: 4_000, error: 'cluster never became healthy', warnings: [] },
  { name: 'consul-register-none', status: 'not-run', verdict: 'unknown', checkers: [], durationMs: 0, warnings: [] },
  { name: 'etcd-lock-none', status: 'checked', verdict: 'valid', checkers: [{ checker: 'mutual-exclusion', verdict: 'valid', details: {} }], durationMs: 21_000, warnings: [] },
];
