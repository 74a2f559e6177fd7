import { capabilitySuite } from './capabilities-suite.js';

// Consul's minimum session TTL is 10 s, and it may take up to twice the TTL (plus the lock
// delay) to invalidate an expired session.
capabilitySuite('consul', { ttl: { ttlMs: 10_000, freedWithinMs: 25_000 } });
