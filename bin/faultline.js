#!/usr/bin/env node
// The executable shim: the CLI lives in the compiled sources (built by `npm ci` through `prepare`).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv);
process.exitCode = code;
// The command is done and has closed what it opened; a client library may still hold on to
// something it cannot be made to drop (a TCP connect to a node that died, which the kernel
// abandons only after ~2 minutes). Once stdout and stderr are flushed, nothing is left to wait for.
const flushed = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
