import { capabilitySuite } from './capabilities-suite.js';

// etcd leases shorter than ~1.5 s are raised by the server to 2 s.
capabilitySuite('etcd', { ttl: { ttlMs: 2_000, freedWithinMs: 8_000 } });
