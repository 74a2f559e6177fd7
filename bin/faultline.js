#!/usr/bin/env node
// The executable shim: the CLI lives in the compiled sources (built by `npm ci` through `prepare`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
